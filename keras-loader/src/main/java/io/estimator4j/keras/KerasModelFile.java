package io.estimator4j.keras;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.estimator4j.io.Dims;
import io.estimator4j.keras.file.KerasFileException;
import io.estimator4j.keras.file.KerasWeights;
import io.estimator4j.keras.impl.Hdf5;
import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * A Keras model as saved on disk: its architecture ({@code model_config}), its weights if the file
 * holds them, and the training configuration and versions; what tf.keras.models.load_model reads
 * before it builds the model. Build it into a TensorFlow graph with {@link KerasModel}.
 *
 * <p>Reads Keras 2 / tf.keras HDF5 models ({@code model.save("m.h5")}: root attributes {@code
 * model_config}, {@code training_config}, {@code keras_version}, {@code backend}; weights under
 * {@code /model_weights}), architecture-only JSON ({@code model.to_json()}), a JSON architecture
 * with a weights-only HDF5 file ({@code model.save_weights("w.h5")}, weights at the root), and
 * Keras 3 {@code .keras} archives ({@code config.json}, {@code metadata.json}, {@code
 * model.weights.h5}).
 */
public final class KerasModelFile {
  /** How the model was stored. */
  public enum Format {
    /** A Keras 2 / tf.keras HDF5 model. */
    HDF5,
    /** An architecture-only JSON, optionally with a weights file. */
    JSON,
    /** A Keras 3 {@code .keras} zip archive. */
    KERAS_ARCHIVE
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path source;
  private final Format format;
  private final JsonNode modelConfig;
  private final JsonNode trainingConfig;
  private final String kerasVersion;
  private final String backend;
  private final KerasWeights weights;
  private Map<String, byte[]> assets = Map.of();

  private KerasModelFile(
      Path source,
      Format format,
      JsonNode modelConfig,
      JsonNode trainingConfig,
      String kerasVersion,
      String backend,
      KerasWeights weights) {
    this.source = source;
    this.format = format;
    this.modelConfig = modelConfig;
    this.trainingConfig = trainingConfig;
    this.kerasVersion = kerasVersion;
    this.backend = backend;
    this.weights = weights;
  }

  /**
   * Reads a model from an HDF5 file ({@code .h5}, {@code .hdf5}), a {@code .keras} archive or an
   * architecture-only {@code .json} (whose weights then come from the configured initializers).
   *
   * @throws NoSuchFileException if the file does not exist
   * @throws KerasFileException if it is not a Keras model (not HDF5, truncated, no model_config,
   *     bad JSON, unsupported weight dtype); the message names the file
   */
  public static KerasModelFile read(Path path) throws IOException {
    Objects.requireNonNull(path, "path");
    refuseSavedModel(path);
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(path.toString(), null, "no such Keras model file");
    }
    return switch (sniff(path)) {
      case ZIP -> readArchive(path);
      case HDF5 -> readHdf5(path);
      case JSON -> readJson(path, null);
      case UNKNOWN -> {
        // the content decides (Keras: zipfile.is_zipfile, h5py.is_hdf5); the extension only
        // chooses which reader explains why the file is not what it claims
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".json")) {
          yield readJson(path, null);
        }
        if (name.endsWith(".keras")) {
          throw new KerasFileException(
              path,
              "is not a .keras archive ("
                  + (Files.size(path) == 0 ? "it is empty" : "it is not a zip file")
                  + "). Fix: pass the file written by model.save(\"model.keras\"), copied in"
                  + " full; an HDF5 model is read from .h5.");
        }
        yield readHdf5(path);
      }
    };
  }

  /** What a file holds, judged by its first bytes. */
  enum Kind {
    /** A zip archive (a Keras 3 {@code .keras} file). */
    ZIP,
    /** An HDF5 file (a Keras 2 model or a weights file). */
    HDF5,
    /** A JSON object (a {@code model.to_json()} architecture). */
    JSON,
    /** None of these. */
    UNKNOWN
  }

  /**
   * The kind of {@code path} by its content, never its name, as Keras chooses its loader ({@code
   * zipfile.is_zipfile}, {@code h5py.is_hdf5}): a {@code .keras} file that is HDF5 inside (what
   * Keras 2's {@code model.save("m.keras")} wrote before 2.13), an {@code .h5} that is an archive,
   * a {@code .json} that is HDF5.
   */
  static Kind sniff(Path path) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(path)) {
      head = in.readNBytes(1 << 16);
    }
    if (head.length >= 4
        && head[0] == 'P'
        && head[1] == 'K'
        && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6))) {
      return Kind.ZIP;
    }
    if (Hdf5.hasSignature(java.nio.ByteBuffer.wrap(head))) {
      return Kind.HDF5;
    }
    int i = hasBom(head) ? 3 : 0;
    while (i < head.length && Character.isWhitespace(head[i])) {
      i++;
    }
    return i < head.length && head[i] == '{' ? Kind.JSON : Kind.UNKNOWN;
  }

  private static boolean hasBom(byte[] b) {
    return b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF;
  }

  private static void refuseSavedModel(Path path) throws KerasFileException {
    if (Files.isDirectory(path)
        && (Files.isRegularFile(path.resolve("saved_model.pb"))
            || Files.isRegularFile(path.resolve("saved_model.pbtxt")))) {
      throw new KerasFileException(
          path,
          "is a TensorFlow SavedModel directory, not a Keras file. Load it with"
              + " SavedModelPredictor or SavedModelLoader, or save the Keras model with"
              + " model.save(\"model.keras\") or model.save(\"model.h5\").");
    }
  }

  /**
   * Reads an architecture-only JSON ({@code model.to_json()}) and takes the weights from an HDF5
   * weights file: {@code model.save_weights("w.h5")} (Keras 2 layout at the root), a full model's
   * {@code /model_weights}, or a Keras 3 {@code .weights.h5}.
   */
  public static KerasModelFile read(Path architectureJson, Path weightsFile) throws IOException {
    Objects.requireNonNull(architectureJson, "architectureJson");
    Objects.requireNonNull(weightsFile, "weightsFile");
    KerasWeights weights = readWeights(weightsFile);
    if (Files.isRegularFile(architectureJson) && sniff(architectureJson) != Kind.JSON) {
      // a whole model (HDF5 or .keras, whatever its name) whose weights are replaced, as
      // load_model followed by load_weights
      KerasModelFile model = read(architectureJson);
      return new KerasModelFile(
          model.source,
          model.format,
          model.modelConfig,
          model.trainingConfig,
          model.kerasVersion,
          model.backend,
          weights);
    }
    return readJson(architectureJson, weights);
  }

  /** Reads the weights of an HDF5 weights file or full model (see {@link #read(Path, Path)}). */
  public static KerasWeights readWeights(Path weightsFile) throws IOException {
    if (!Files.isRegularFile(weightsFile)) {
      throw new NoSuchFileException(weightsFile.toString(), null, "no such Keras weights file");
    }
    Kind kind = sniff(weightsFile);
    if (kind == Kind.ZIP) {
      // a .keras archive given as the weights: its model.weights.h5
      return readArchive(weightsFile)
          .weights()
          .orElseThrow(
              () ->
                  new KerasFileException(
                      weightsFile, "is a .keras archive without model.weights.h5: no weights."));
    }
    if (kind == Kind.JSON) {
      throw new KerasFileException(
          weightsFile,
          "is a JSON architecture, not a weights file. Give the architecture first and the HDF5"
              + " weights (model.save_weights) second.");
    }
    try (HdfFile h5 = Hdf5.open(weightsFile)) {
      KerasWeights w = weightsOf(weightsFile, h5);
      if (w == null) {
        throw new KerasFileException(
            weightsFile,
            "holds no Keras weights: expected a layer_names attribute (Keras 2, at the root or in"
                + " /model_weights) or a /layers group (Keras 3).");
      }
      return w;
    } catch (RuntimeException e) {
      throw new KerasFileException(weightsFile, "could not be read: " + e.getMessage(), e);
    }
  }

  private static KerasModelFile readHdf5(Path path) throws IOException {
    try (HdfFile h5 = Hdf5.open(path)) {
      String config = Hdf5.stringAttribute(h5, "model_config");
      KerasWeights w = weightsOf(path, h5);
      if (config == null) {
        throw new KerasFileException(
            path,
            w != null
                ? "holds weights only (no model_config attribute). Read it with"
                    + " KerasModelFile.read(architectureJson, weightsFile), giving the architecture"
                    + " saved by model.to_json()."
                : "holds no model_config attribute; it is not a Keras model saved with"
                    + " model.save(\"model.h5\").");
      }
      String training = Hdf5.stringAttribute(h5, "training_config");
      return new KerasModelFile(
          path,
          Format.HDF5,
          parse(path, config, "model_config"),
          training == null ? null : parse(path, training, "training_config"),
          Hdf5.stringAttribute(h5, "keras_version"),
          Hdf5.stringAttribute(h5, "backend"),
          w);
    } catch (RuntimeException e) {
      throw new KerasFileException(path, "could not be read: " + e.getMessage(), e);
    }
  }

  /** The weights of a full model, a Keras 2 weights file or a Keras 3 weights file; else null. */
  private static KerasWeights weightsOf(Path path, HdfFile h5) throws KerasFileException {
    Node modelWeights = h5.getChildren().get("model_weights");
    if (modelWeights instanceof Group g) {
      return new KerasWeights(KerasWeights.Layout.KERAS2, Hdf5.readKeras2(path, g));
    }
    if (Hdf5.stringsAttribute(h5, "layer_names") != null) {
      return new KerasWeights(KerasWeights.Layout.KERAS2, Hdf5.readKeras2(path, h5));
    }
    if (h5.getChildren().get("layers") instanceof Group
        || h5.getChildren().get("_layer_checkpoint_dependencies") instanceof Group) {
      return new KerasWeights(KerasWeights.Layout.KERAS3, Hdf5.readKeras3(path, h5));
    }
    return null;
  }

  private static KerasModelFile readJson(Path path, KerasWeights weights) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(path.toString(), null, "no such Keras architecture file");
    }
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new KerasFileException(
          path,
          "is neither a JSON architecture (not UTF-8 text), an HDF5 file nor a .keras archive.",
          e);
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1); // a UTF-8 byte order mark, as some editors write
    }
    JsonNode config = parse(path, text, "the architecture");
    String version = config.path("keras_version").asText(null);
    String backend = config.path("backend").asText(null);
    return new KerasModelFile(path, Format.JSON, config, null, version, backend, weights);
  }

  private static KerasModelFile readArchive(Path path) throws IOException {
    Map<String, byte[]> entries = new HashMap<>();
    // the checked reader's byte limit bounds what the entries may unpack to (a zip bomb)
    long remaining = Dims.maxBytes();
    try (InputStream in = Files.newInputStream(path);
        ZipInputStream zip = new ZipInputStream(in)) {
      ZipEntry e;
      while ((e = zip.getNextEntry()) != null) {
        if (!e.isDirectory()) {
          byte[] bytes = zip.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, remaining + 1));
          if (bytes.length > remaining) {
            try {
              Dims.checkBytes(
                  Dims.maxBytes() - remaining + bytes.length,
                  1,
                  "Unpacking it up to entry '" + e.getName() + "'",
                  null);
            } catch (IllegalArgumentException tooLarge) {
              throw new KerasFileException(path, tooLarge.getMessage(), tooLarge);
            }
          }
          remaining -= bytes.length;
          entries.put(e.getName(), bytes);
        }
      }
    } catch (ZipException | java.io.EOFException e) {
      throw new KerasFileException(
          path,
          "is not a readable .keras archive ("
              + (e.getMessage() == null ? "the zip data ends early" : e.getMessage())
              + "); it may be truncated. Copy or download the file again.",
          e);
    }
    byte[] config = entries.get("config.json");
    if (config == null) {
      throw new KerasFileException(
          path,
          entries.isEmpty()
              ? "is not a .keras archive (no zip entries); it may be truncated."
              : "is a zip without config.json; expected a Keras 3 .keras archive holding"
                  + " config.json, metadata.json and model.weights.h5.");
    }
    JsonNode modelConfig = parse(path, new String(config, StandardCharsets.UTF_8), "config.json");
    String version = null;
    byte[] metadata = entries.get("metadata.json");
    if (metadata != null) {
      version =
          parse(path, new String(metadata, StandardCharsets.UTF_8), "metadata.json")
              .path("keras_version")
              .asText(null);
    }
    KerasWeights weights = null;
    byte[] h5 = entries.get("model.weights.h5");
    if (h5 != null) {
      Path member = path.resolve("model.weights.h5");
      try (HdfFile file = Hdf5.open(member, h5)) {
        weights = weightsOf(member, file);
      } catch (RuntimeException e) {
        throw new KerasFileException(member, "could not be read: " + e.getMessage(), e);
      }
    } else if (entries.containsKey("model.weights.npz")) {
      throw new KerasFileException(
          path, "stores its weights as model.weights.npz, which this loader does not read.");
    }
    JsonNode compile = modelConfig.get("compile_config");
    KerasModelFile file =
        new KerasModelFile(
            path, Format.KERAS_ARCHIVE, modelConfig, compile, version, "tensorflow", weights);
    Map<String, byte[]> assets = new HashMap<>();
    entries.forEach(
        (name, bytes) -> {
          if (name.startsWith("assets/")) {
            assets.put(name, bytes);
          }
        });
    file.assets = Map.copyOf(assets);
    return file;
  }

  private static JsonNode parse(Path path, String text, String what) throws KerasFileException {
    try {
      JsonNode node = JSON.readTree(text);
      if (node == null || !node.isObject()) {
        throw new KerasFileException(path, what + " is not a JSON object.");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new KerasFileException(path, what + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * This model with input {@code inputName} of shape {@code dims} (without the batch; -1 for an
   * unknown dimension): for a Sequential saved before it was built, whose file does not say its
   * input shape (what {@code model.build((None, ...))} would have recorded), or to fix dimensions
   * Keras left open. A Sequential without an InputLayer names its input {@code <first
   * layer>_input}.
   *
   * @throws IllegalArgumentException if the model has no input of that name, naming those it has
   */
  public KerasModelFile withInputShape(String inputName, long... dims) {
    Objects.requireNonNull(inputName, "inputName");
    com.fasterxml.jackson.databind.node.ArrayNode shape = JSON.createArrayNode().addNull();
    for (long d : dims) {
      if (d < 0) {
        shape.addNull();
      } else {
        shape.add(d);
      }
    }
    com.fasterxml.jackson.databind.node.ObjectNode copy = modelConfig.deepCopy();
    JsonNode config = copy.path("config");
    JsonNode layers = config.isArray() ? config : config.path("layers");
    java.util.List<String> names = new java.util.ArrayList<>();
    boolean sequential =
        !copy.path("class_name").asText().equals("Functional")
            && !copy.path("class_name").asText().equals("Model");
    for (JsonNode layer : layers) {
      boolean input = layer.path("class_name").asText().equals("InputLayer");
      String name = layer.path("config").path("name").asText(layer.path("name").asText());
      String key = input ? name : name + "_input";
      if (input || (sequential && names.isEmpty())) {
        names.add(key);
        if (key.equals(inputName) && layer.path("config").isObject()) {
          var c = (com.fasterxml.jackson.databind.node.ObjectNode) layer.path("config");
          c.remove("batch_shape");
          c.remove("input_shape");
          c.set("batch_input_shape", shape);
          KerasModelFile withShape =
              new KerasModelFile(
                  source, format, copy, trainingConfig, kerasVersion, backend, weights);
          withShape.assets = assets;
          return withShape;
        }
      }
      if (sequential) {
        break; // a Sequential's input is its first layer's
      }
    }
    throw new IllegalArgumentException(
        "Model "
            + source.getFileName()
            + " has no input '"
            + inputName
            + "'; its inputs: "
            + names
            + ".");
  }

  /** The file the model was read from. */
  public Path source() {
    return source;
  }

  public Format format() {
    return format;
  }

  /** The architecture: {@code {"class_name": "Sequential" | "Functional" | ..., "config": ...}}. */
  public JsonNode modelConfig() {
    return modelConfig;
  }

  /** The training configuration (loss, optimizer, metrics) when the file holds one. */
  public Optional<JsonNode> trainingConfig() {
    return Optional.ofNullable(trainingConfig);
  }

  /** The Keras version that saved the model, when recorded. */
  public Optional<String> kerasVersion() {
    return Optional.ofNullable(kerasVersion);
  }

  /** The backend that saved the model ({@code tensorflow}, ...), when recorded. */
  public Optional<String> backend() {
    return Optional.ofNullable(backend);
  }

  /** The stored weights; empty for an architecture-only JSON. */
  public Optional<KerasWeights> weights() {
    return Optional.ofNullable(weights);
  }

  /**
   * The files under a Keras 3 archive's {@code assets/} (e.g. a StringLookup's {@code
   * assets/layers/string_lookup/vocabulary.txt}), by path in the archive; empty for other files.
   */
  public Map<String, byte[]> assets() {
    return assets;
  }

  /** Whether Keras 3 saved the model (its activations and defaults differ from Keras 2's). */
  public boolean isKeras3() {
    return format == Format.KERAS_ARCHIVE
        || (kerasVersion != null && kerasVersion.startsWith("3."));
  }

  @Override
  public String toString() {
    return "KerasModelFile("
        + source
        + ", "
        + format
        + ", "
        + modelConfig.path("class_name").asText()
        + (kerasVersion != null ? ", keras " + kerasVersion : "")
        + ")";
  }
}
