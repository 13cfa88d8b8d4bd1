package io.estimator4j.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.estimator4j.keras.file.KerasWeights;
import io.estimator4j.keras.file.WeightArray;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import io.jhdf.api.WritableNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes Keras files for tests: weights-only HDF5 (Keras 2 layout) and Keras 3 archives. */
final class TestFiles {
  static final ObjectMapper JSON = new ObjectMapper();

  private TestFiles() {}

  /**
   * Writes {@code weights} (Keras 2 layout) as {@code model.save_weights} does: groups per layer at
   * the root, layer_names and weight_names attributes; with {@code chunks} > 1 the layer_names
   * attribute is split into layer_names0, layer_names1, ... as Keras does for large headers.
   */
  static void writeKeras2Weights(Path file, KerasWeights weights, int chunks) {
    try (WritableHdfFile h5 = HdfFile.write(file)) {
      List<String> layers = new ArrayList<>(weights.root().groups().keySet());
      putStrings(h5, "layer_names", layers, chunks);
      h5.putAttribute("keras_version", "2.3.1");
      h5.putAttribute("backend", "tensorflow");
      for (String layer : layers) {
        WritableGroup g = h5.putGroup(layer);
        List<WeightArray> vars = weights.root().group(layer).vars();
        List<String> names = new ArrayList<>();
        for (WeightArray w : vars) {
          names.add(w.name());
        }
        if (!names.isEmpty()) {
          putStrings(g, "weight_names", names, 1);
        }
        Map<String, WritableGroup> subgroups = new HashMap<>();
        for (WeightArray w : vars) {
          String[] path = w.name().split("/");
          WritableGroup parent = g;
          StringBuilder key = new StringBuilder();
          for (int i = 0; i < path.length - 1; i++) {
            key.append('/').append(path[i]);
            WritableGroup p = parent;
            String seg = path[i];
            parent = subgroups.computeIfAbsent(key.toString(), k -> p.putGroup(seg));
          }
          parent.putDataset(path[path.length - 1], nd(w));
        }
      }
    }
  }

  private static void putStrings(WritableNode node, String name, List<String> values, int chunks) {
    if (chunks <= 1) {
      node.putAttribute(name, values.toArray(new String[0]));
      return;
    }
    int per = (values.size() + chunks - 1) / chunks;
    for (int c = 0; c < chunks; c++) {
      List<String> part =
          values.subList(Math.min(c * per, values.size()), Math.min((c + 1) * per, values.size()));
      node.putAttribute(name + c, part.toArray(new String[0]));
    }
  }

  /** The values as a Java array of the weight's rank (jhdf writes the rank it is given). */
  static Object nd(WeightArray w) {
    long[] dims = w.shape().asArray();
    float[] v = w.values();
    if (dims.length == 1) {
      return v.clone();
    }
    int[] shape = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      shape[i] = (int) dims[i];
    }
    Object array = java.lang.reflect.Array.newInstance(float.class, shape);
    fill(array, v, new int[] {0});
    return array;
  }

  private static void fill(Object array, float[] v, int[] pos) {
    if (array instanceof float[] f) {
      for (int i = 0; i < f.length; i++) {
        f[i] = v[pos[0]++];
      }
      return;
    }
    for (int i = 0; i < java.lang.reflect.Array.getLength(array); i++) {
      fill(java.lang.reflect.Array.get(array, i), v, pos);
    }
  }

  /**
   * Writes a Keras 3 {@code .keras} archive for a Keras 2 Sequential model: config.json as Keras 3
   * writes a Functional model (InputLayer with batch_shape, inbound nodes with {@code
   * __keras_tensor__} arguments, DTypePolicy dtypes, flat input_layers/output_layers) and
   * model.weights.h5 with the weights at layers/&lt;snake_case class&gt;[_n]/vars/i.
   */
  static void writeKeras3Archive(Path file, KerasModelFile keras2) throws IOException {
    JsonNode layers = keras2.modelConfig().path("config");
    if (!layers.isArray()) {
      layers = layers.path("layers");
    }
    ObjectNode root = JSON.createObjectNode();
    root.put("module", "keras");
    root.put("class_name", "Functional");
    ObjectNode config = root.putObject("config");
    config.put("name", "functional");
    ArrayNode out = config.putArray("layers");
    JsonNode first = layers.get(0).path("config");
    ObjectNode input = out.addObject();
    input.put("module", "keras.layers");
    input.put("class_name", "InputLayer");
    ObjectNode inputConfig = input.putObject("config");
    inputConfig.set("batch_shape", first.path("batch_input_shape"));
    inputConfig.put("dtype", "float32");
    inputConfig.put("name", "input_layer");
    input.put("name", "input_layer");
    input.putArray("inbound_nodes");
    String previous = "input_layer";
    Map<String, Integer> counts = new HashMap<>();
    Map<String, String> keras3Keys = new HashMap<>();
    for (JsonNode l : layers) {
      String cls = l.path("class_name").asText();
      ObjectNode c = l.path("config").deepCopy();
      c.remove("batch_input_shape");
      ObjectNode policy = JSON.createObjectNode();
      policy.put("module", "keras");
      policy.put("class_name", "DTypePolicy");
      policy.putObject("config").put("name", "float32");
      c.set("dtype", policy);
      String name = c.path("name").asText();
      ObjectNode layer = out.addObject();
      layer.put("module", "keras.layers");
      layer.put("class_name", cls);
      layer.set("config", c);
      layer.putNull("registered_name");
      layer.put("name", name);
      ObjectNode node = layer.putArray("inbound_nodes").addObject();
      ObjectNode tensor = node.putArray("args").addObject();
      tensor.put("class_name", "__keras_tensor__");
      ArrayNode history = tensor.putObject("config").putArray("keras_history");
      history.add(previous).add(0).add(0);
      node.putObject("kwargs");
      previous = name;
      String snake = snake(cls);
      Integer n = counts.get(snake);
      counts.put(snake, n == null ? 0 : n + 1);
      keras3Keys.put(name, n == null ? snake : snake + "_" + (n + 1));
    }
    config.putArray("input_layers").add("input_layer").add(0).add(0);
    config.putArray("output_layers").add(previous).add(0).add(0);

    Path weights = Files.createTempFile("model.weights", ".h5");
    try (WritableHdfFile h5 = HdfFile.write(weights)) {
      WritableGroup layersGroup = h5.putGroup("layers");
      for (Map.Entry<String, KerasWeights.Group> e :
          keras2.weights().orElseThrow().root().groups().entrySet()) {
        WritableGroup vars = layersGroup.putGroup(keras3Keys.get(e.getKey())).putGroup("vars");
        List<WeightArray> ws = e.getValue().vars();
        for (int i = 0; i < ws.size(); i++) {
          vars.putDataset(Integer.toString(i), nd(ws.get(i)));
        }
      }
      h5.putGroup("optimizer").putGroup("vars");
    }
    try (OutputStream os = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(os)) {
      zip.putNextEntry(new ZipEntry("metadata.json"));
      zip.write(
          "{\"keras_version\": \"3.6.0\", \"date_saved\": \"2024-11-25@10:00:00\"}"
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      zip.putNextEntry(new ZipEntry("config.json"));
      zip.write(JSON.writeValueAsBytes(root));
      zip.putNextEntry(new ZipEntry("model.weights.h5"));
      zip.write(Files.readAllBytes(weights));
      zip.closeEntry();
    } finally {
      Files.deleteIfExists(weights);
    }
  }

  static String snake(String cls) {
    String s = cls.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
    return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Writes a Keras 3 {@code .keras} archive: metadata.json (keras_version 3.6.0), {@code
   * configJson} as config.json and, when {@code weights} is not null, that HDF5 file as
   * model.weights.h5.
   */
  static void writeKeras3(Path file, String configJson, Path weights) throws IOException {
    try (OutputStream os = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(os)) {
      zip.putNextEntry(new ZipEntry("metadata.json"));
      zip.write("{\"keras_version\": \"3.6.0\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      zip.putNextEntry(new ZipEntry("config.json"));
      zip.write(configJson.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      if (weights != null) {
        zip.putNextEntry(new ZipEntry("model.weights.h5"));
        zip.write(Files.readAllBytes(weights));
      }
      zip.closeEntry();
    }
  }
}
