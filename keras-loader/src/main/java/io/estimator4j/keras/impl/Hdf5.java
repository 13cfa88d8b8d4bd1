package io.estimator4j.keras.impl;

import io.estimator4j.io.Dims;
import io.estimator4j.keras.file.KerasFileException;
import io.estimator4j.keras.file.KerasWeights;
import io.estimator4j.keras.file.WeightArray;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.ndarray.Shape;

/**
 * Reads Keras's HDF5 layouts with jhdf: signature and truncation checks, string attributes (also
 * chunked as {@code name0, name1, ...} when Keras split a large attribute), and weight datasets as
 * float32.
 */
public final class Hdf5 {
  /** The 8-byte HDF5 signature. */
  private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

  private Hdf5() {}

  /**
   * Checks that {@code bytes} (a file's content, or its first part when {@code size} is larger)
   * start an HDF5 file and that the file is as long as its superblock says.
   *
   * @param size the file's full size
   * @throws KerasFileException naming {@code file} if it is not HDF5 or is truncated
   */
  public static void check(Path file, ByteBuffer head, long size) throws KerasFileException {
    long base = -1;
    // The superblock may follow a user block of 512, 1024, 2048, ... bytes.
    for (long offset = 0;
        offset + SIGNATURE.length <= head.limit();
        offset = offset == 0 ? 512 : offset * 2) {
      if (matches(head, (int) offset)) {
        base = offset;
        break;
      }
    }
    if (base < 0) {
      throw new KerasFileException(
          file,
          "is not an HDF5 file (no HDF5 signature). Expected a Keras model saved as .h5/.hdf5,"
              + " a Keras 3 .keras archive or a model.to_json() architecture.");
    }
    ByteBuffer b = head.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int p = (int) base;
    if (b.limit() < p + 12) {
      throw truncated(file, size, -1);
    }
    int version = b.get(p + 8) & 0xff;
    int offsets;
    int eofAt;
    if (version <= 1) {
      offsets = b.get(p + 13) & 0xff;
      eofAt = p + (version == 0 ? 24 : 28) + 2 * offsets;
    } else {
      offsets = b.get(p + 9) & 0xff;
      eofAt = p + 12 + 2 * offsets;
    }
    if (offsets != 8 && offsets != 4) {
      throw new KerasFileException(
          file, "has a corrupt HDF5 superblock (offset size " + offsets + ").");
    }
    if (b.limit() < eofAt + offsets) {
      throw truncated(file, size, -1);
    }
    long eof = offsets == 8 ? b.getLong(eofAt) : (b.getInt(eofAt) & 0xffffffffL);
    if (eof != -1 && base + eof > size) {
      throw truncated(file, size, base + eof);
    }
  }

  /** Reads the first bytes of {@code file} and {@link #check}s them. */
  public static void check(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, 1 << 16));
      while (head.hasRemaining() && ch.read(head) > 0) {
        // fill
      }
      head.flip();
      check(file, head, size);
    }
  }

  private static KerasFileException truncated(Path file, long size, long expected) {
    return new KerasFileException(
        file,
        "is truncated: it holds "
            + size
            + " bytes"
            + (expected > 0 ? " but its HDF5 superblock says " + expected : "")
            + ". Copy or download the file again.");
  }

  /**
   * Whether {@code head} (a file's first bytes) holds the HDF5 signature at 0 or after a user block
   * of 512, 1024, 2048, ... bytes, as {@code h5py.is_hdf5} finds it.
   */
  public static boolean hasSignature(ByteBuffer head) {
    for (long offset = 0;
        offset + SIGNATURE.length <= head.limit();
        offset = offset == 0 ? 512 : offset * 2) {
      if (matches(head, (int) offset)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(ByteBuffer b, int offset) {
    if (offset + SIGNATURE.length > b.limit()) {
      return false;
    }
    for (int i = 0; i < SIGNATURE.length; i++) {
      if (b.get(offset + i) != SIGNATURE[i]) {
        return false;
      }
    }
    return true;
  }

  /** The string value of attribute {@code name} of {@code node}, or null when absent. */
  public static String stringAttribute(Node node, String name) {
    Attribute a = node.getAttributes().get(name);
    if (a == null) {
      return null;
    }
    List<String> values = strings(a.getData());
    return values.isEmpty() ? null : values.get(0);
  }

  /**
   * The strings of attribute {@code name}, joining Keras's chunks {@code name0, name1, ...} when
   * the attribute itself is absent; null when neither exists.
   */
  public static List<String> stringsAttribute(Node node, String name) {
    Map<String, Attribute> attrs = node.getAttributes();
    if (attrs.containsKey(name)) {
      return strings(attrs.get(name).getData());
    }
    if (!attrs.containsKey(name + "0")) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; attrs.containsKey(name + i); i++) {
      out.addAll(strings(attrs.get(name + i).getData()));
    }
    return out;
  }

  private static List<String> strings(Object data) {
    List<String> out = new ArrayList<>();
    if (data == null) {
      return out;
    }
    if (data instanceof String s) {
      out.add(s);
    } else if (data instanceof byte[] bytes) {
      out.add(new String(bytes, StandardCharsets.UTF_8));
    } else if (data instanceof Object[] array) {
      for (Object o : array) {
        out.addAll(strings(o));
      }
    } else {
      out.add(String.valueOf(data));
    }
    return out;
  }

  /**
   * Reads a Keras 2 weight layout: the groups named by {@code layer_names} under {@code group},
   * each holding the datasets named by its {@code weight_names}, in that order.
   */
  public static KerasWeights.Group readKeras2(Path file, Group group) throws KerasFileException {
    List<String> layerNames = stringsAttribute(group, "layer_names");
    if (layerNames == null) {
      throw new KerasFileException(
          file,
          "has no layer_names attribute in "
              + group.getPath()
              + "; it is not a Keras weights group.");
    }
    Map<String, KerasWeights.Group> layers = new LinkedHashMap<>();
    for (String layer : layerNames) {
      Node node = group.getChild(layer);
      if (!(node instanceof Group layerGroup)) {
        throw new KerasFileException(
            file, "lists layer '" + layer + "' in layer_names but holds no group for it.");
      }
      List<String> weightNames = stringsAttribute(layerGroup, "weight_names");
      List<WeightArray> vars = new ArrayList<>();
      if (weightNames != null) {
        for (String w : weightNames) {
          Node n;
          try {
            n = layerGroup.getByPath(w);
          } catch (RuntimeException e) {
            n = null;
          }
          if (!(n instanceof Dataset ds)) {
            throw new KerasFileException(
                file,
                "lists weight '" + w + "' of layer '" + layer + "' but holds no dataset for it.");
          }
          vars.add(read(file, ds, w, layer));
        }
      }
      layers.put(layer, new KerasWeights.Group(vars, Map.of()));
    }
    return new KerasWeights.Group(List.of(), layers);
  }

  /**
   * Reads a Keras 3 weight layout: every group, its {@code vars} datasets in index order (the
   * optimizer's state is skipped).
   */
  public static KerasWeights.Group readKeras3(Path file, Group group) throws KerasFileException {
    List<WeightArray> vars = new ArrayList<>();
    Map<String, KerasWeights.Group> groups = new LinkedHashMap<>();
    for (Node child : group.getChildren().values()) {
      if (!(child instanceof Group g)) {
        continue;
      }
      if (child.getName().equals("vars")) {
        List<Dataset> datasets = new ArrayList<>();
        for (Node v : g.getChildren().values()) {
          if (v instanceof Dataset ds) {
            datasets.add(ds);
          }
        }
        datasets.sort(Comparator.comparingLong(ds -> index(ds.getName())));
        for (Dataset ds : datasets) {
          vars.add(read(file, ds, ds.getName(), group.getPath()));
        }
      } else if (!child.getName().equals("optimizer")) {
        groups.put(child.getName(), readKeras3(file, g));
      }
    }
    return new KerasWeights.Group(vars, groups);
  }

  private static long index(String name) {
    try {
      return Long.parseLong(name);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * Reads one dataset as float32 (float16 and float64 are converted, and integer scalars: the
   * {@code count} of an adapted Normalization layer).
   *
   * @throws KerasFileException naming the layer and the weight for any other type
   */
  public static WeightArray read(Path file, Dataset ds, String name, String layer)
      throws KerasFileException {
    Class<?> type = ds.getJavaType();
    int[] dims = ds.getDimensions();
    long[] shape = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      shape[i] = dims[i];
    }
    // the checked reader, before jhdf allocates the values
    try {
      String what = "weight '" + name + "' of layer '" + layer + "'";
      long count =
          Dims.checkShape(
              shape, false, what, "Fix: the HDF5 file is damaged; save the" + " model again.");
      Dims.checkBytes(count, Float.BYTES, what, null);
    } catch (IllegalArgumentException e) {
      throw new KerasFileException(file, e.getMessage(), e);
    }
    if (ds.isScalar()
        && ds.getData() instanceof Number n
        && !(n instanceof Float)
        && !(n instanceof Double)) {
      // an integer scalar is a counter (Normalization's count): read as a float
      return new WeightArray(name, Shape.scalar(), new float[] {n.floatValue()});
    }
    if (type != float.class
        && type != double.class
        && type != Float.class
        && type != Double.class) {
      throw new KerasFileException(
          file,
          "weight '"
              + name
              + "' of layer '"
              + layer
              + "' has the unsupported dtype "
              + ds.getDataType().getClass().getSimpleName()
              + " (Java type "
              + type.getSimpleName()
              + "). Keras weights must be floating point (float16, float32 or float64).");
    }
    Object flat = ds.isScalar() ? ds.getData() : ds.getDataFlat();
    float[] values;
    if (flat instanceof float[] f) {
      values = f;
    } else if (flat instanceof double[] d) {
      values = new float[d.length];
      for (int i = 0; i < d.length; i++) {
        values[i] = (float) d[i];
      }
    } else if (flat instanceof Float f) {
      values = new float[] {f};
    } else if (flat instanceof Double d) {
      values = new float[] {d.floatValue()};
    } else {
      throw new KerasFileException(
          file, "weight '" + name + "' of layer '" + layer + "' could not be read as numbers.");
    }
    return new WeightArray(name, Shape.of(shape), values);
  }

  /** Opens an HDF5 file, turning jhdf's failures into a {@link KerasFileException}. */
  public static HdfFile open(Path file) throws IOException {
    check(file);
    try {
      return new HdfFile(file);
    } catch (RuntimeException e) {
      throw new KerasFileException(file, "could not be read as HDF5: " + e.getMessage(), e);
    }
  }

  /** Opens HDF5 bytes (an archive member), checked and with clear failures. */
  public static HdfFile open(Path file, byte[] bytes) throws KerasFileException {
    check(file, ByteBuffer.wrap(bytes), bytes.length);
    try {
      return HdfFile.fromBytes(bytes);
    } catch (RuntimeException e) {
      throw new KerasFileException(file, "could not be read as HDF5: " + e.getMessage(), e);
    }
  }
}
