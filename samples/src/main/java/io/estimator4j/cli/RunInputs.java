package io.estimator4j.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.estimator4j.npy.Npy;
import io.estimator4j.savedmodel.TensorInfos;
import io.estimator4j.tfrecord.Examples;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * The inputs of {@code e4j saved-model run}, from the three options of {@code saved_model_cli run}:
 * {@code --inputs 'k=file.npy;k2=file.npz[name]'}, {@code --input-exprs 'k=[[1.0], [2.0]]'} and
 * {@code --input-examples 'k=[{"x": [1.0]}]'}. Entries are separated by semicolons (outside quotes
 * and brackets); when one key is given by several options, --input-exprs overrides --inputs and
 * --input-examples overrides both, with a warning, as in saved_model_cli.
 */
final class RunInputs {

  // saved_model_cli's patterns: key=filename[variable_name] and key=filename
  private static final Pattern FILE_WITH_NAME =
      Pattern.compile("([^=]+)=([^\\[\\]]+)\\[([^\\[\\]]+)\\]");
  private static final Pattern FILE = Pattern.compile("([^=]+)=([^\\[\\]]+)");

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES)
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .build();

  private RunInputs() {}

  /** Where one input comes from, for messages. */
  record Source(String option, String text) {}

  /**
   * Builds the feed tensors of signature {@code sig} (key {@code sigKey}); warnings go to {@code
   * err}. The caller closes the returned tensors. Unknown keys, missing inputs and tensors of the
   * wrong dtype or shape are IllegalArgumentExceptions that name the input and its source.
   */
  static Map<String, Tensor> load(
      String sigKey,
      SignatureDef sig,
      String inputs,
      String exprs,
      String examples,
      PrintWriter err)
      throws IOException {
    Map<String, Source> sources = new LinkedHashMap<>();
    Map<String, String[]> files = new LinkedHashMap<>();
    for (String entry : split(inputs)) {
      Matcher m = FILE_WITH_NAME.matcher(entry);
      if (m.matches()) {
        files.put(m.group(1).strip(), new String[] {m.group(2).strip(), m.group(3).strip()});
      } else if ((m = FILE.matcher(entry)).matches()) {
        files.put(m.group(1).strip(), new String[] {m.group(2).strip(), null});
      } else {
        throw new IllegalArgumentException(
            "--inputs \""
                + entry
                + "\" format is incorrect. Please"
                + " follow \"<input_key>=<filename>\" or \"<input_key>=<filename>[<variable_name>]\".");
      }
      sources.put(m.group(1).strip(), new Source("--inputs", entry));
    }
    Map<String, String> exprMap = keyValues("--input-exprs", exprs);
    Map<String, String> exampleMap = keyValues("--input-examples", examples);
    exprMap.forEach(
        (k, v) -> {
          if (sources.containsKey(k)) {
            err.println(
                "Warning: input key "
                    + k
                    + " has been specified with both --inputs and"
                    + " --input-exprs options. Value in --input-exprs will be used.");
          }
          sources.put(k, new Source("--input-exprs", k + "=" + v));
        });
    exampleMap.forEach(
        (k, v) -> {
          if (sources.containsKey(k)) {
            err.println(
                "Warning: input key "
                    + k
                    + " has been specified in multiple options. Value"
                    + " in --input-examples will be used.");
          }
          sources.put(k, new Source("--input-examples", k + "=" + v));
        });

    Map<String, TensorInfo> declared = sig.getInputsMap();
    for (String k : sources.keySet()) {
      if (!declared.containsKey(k)) {
        throw new IllegalArgumentException(
            "\""
                + k
                + "\" is not a valid input key of signature '"
                + sigKey
                + "'. Please choose from "
                + describe(declared)
                + ".");
      }
    }
    for (String k : new TreeMap<>(declared).keySet()) {
      if (!sources.containsKey(k)) {
        throw new IllegalArgumentException(
            "Signature '"
                + sigKey
                + "' needs input \""
                + k
                + "\" ("
                + describe(declared.get(k))
                + "), which none of --inputs, --input-exprs or"
                + " --input-examples gives.");
      }
    }

    Map<String, Tensor> feeds = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Source> e : sources.entrySet()) {
        String k = e.getKey();
        TensorInfo info = declared.get(k);
        Tensor t =
            switch (e.getValue().option()) {
              case "--inputs" -> readFile(files.get(k)[0], files.get(k)[1], err);
              case "--input-exprs" -> literal(k, exprMap.get(k), info);
              default -> Examples.tensor(Examples.fromJson(exampleMap.get(k)));
            };
        feeds.put(k, t);
        check(sigKey, k, info, t, e.getValue());
      }
      return feeds;
    } catch (IOException | RuntimeException ex) {
      feeds.values().forEach(Tensor::close);
      throw ex;
    }
  }

  private static void check(String sigKey, String key, TensorInfo info, Tensor t, Source source) {
    try {
      TensorInfos.checkCompatible(sigKey, key, info, t);
    } catch (IllegalArgumentException ex) {
      String fix = "";
      if (info.getDtype() != t.dataType() && source.option().equals("--inputs")) {
        fix =
            numpyName(info.getDtype()) == null
                ? ""
                : " Fix: save it as "
                    + numpyName(info.getDtype())
                    + ", e.g. np.save(f, a.astype(np."
                    + numpyName(info.getDtype())
                    + ")).";
      }
      String message =
          ex.getMessage().endsWith(".")
              ? ex.getMessage().substring(0, ex.getMessage().length() - 1)
              : ex.getMessage();
      throw new IllegalArgumentException(
          message + " (from " + source.option() + " " + source.text() + ")." + fix, ex);
    }
  }

  private static String numpyName(DataType dtype) {
    return switch (dtype) {
      case DT_FLOAT -> "float32";
      case DT_DOUBLE -> "float64";
      case DT_INT32 -> "int32";
      case DT_INT64 -> "int64";
      case DT_UINT8 -> "uint8";
      case DT_BOOL -> "bool_";
      case DT_STRING -> "bytes_";
      default -> null;
    };
  }

  static String describe(Map<String, TensorInfo> inputs) {
    List<String> parts = new ArrayList<>();
    new TreeMap<>(inputs).forEach((k, v) -> parts.add("\"" + k + "\" (" + describe(v) + ")"));
    return String.join(", ", parts);
  }

  static String describe(TensorInfo info) {
    return info.getDtype()
        + " "
        + (info.getTensorShape().getUnknownRank() ? "unknown_rank" : TensorInfos.shapeString(info));
  }

  // ------------------------------------------------------------------------------ --inputs files

  /** A .npy file, or one array of a .npz file (its only one, or the one named). */
  static Tensor readFile(String filename, String name, PrintWriter err) throws IOException {
    Path file = Path.of(filename);
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(filename, null, "input file not found (from --inputs)");
    }
    byte[] magic;
    try (InputStream in = Files.newInputStream(file)) {
      magic = in.readNBytes(6);
    }
    // a zip starts with a local file header (PK\3\4), an empty one with its end record (PK\5\6)
    if (magic.length >= 4
        && magic[0] == 'P'
        && magic[1] == 'K'
        && (magic[2] == 3 && magic[3] == 4 || magic[2] == 5 && magic[3] == 6)) {
      return readNpz(file, name);
    }
    if (magic.length == 6 && (magic[0] & 0xff) == 0x93 && magic[1] == 'N') {
      if (name != null) {
        err.println(
            "Warning: input file "
                + filename
                + " contains a single ndarray. Name key \""
                + name
                + "\" ignored.");
      }
      return Npy.read(file);
    }
    throw new IOException(
        filename
            + " is neither a .npy nor a .npz file (pickle files are not"
            + " supported). Fix: save the array with numpy.save or numpy.savez.");
  }

  private static Tensor readNpz(Path file, String name) throws IOException {
    ZipFile opened;
    try {
      opened = new ZipFile(file.toFile());
    } catch (java.util.zip.ZipException e) {
      throw new IOException(
          file
              + " is not a readable .npz file ("
              + e.getMessage()
              + "); it may"
              + " be truncated. Fix: save the arrays again with numpy.savez.",
          e);
    }
    try (ZipFile zip = opened) {
      List<String> names = new ArrayList<>();
      zip.stream().forEach(e -> names.add(e.getName().replaceFirst("\\.npy$", "")));
      String chosen;
      if (name != null) {
        if (!names.contains(name)) {
          throw new IOException(
              "Input file "
                  + file
                  + " does not contain variable with name \""
                  + name
                  + "\". It holds "
                  + names
                  + ".");
        }
        chosen = name;
      } else if (names.size() == 1) {
        chosen = names.get(0);
      } else if (names.isEmpty()) {
        throw new IOException(
            "Input file "
                + file
                + " is an .npz file that holds no arrays. Fix:"
                + " save the input with numpy.savez(f, x=array).");
      } else {
        throw new IOException(
            "Input file "
                + file
                + " contains more than one ndarray "
                + names
                + ". Please specify the name of the ndarray to use, e.g. key="
                + file
                + "["
                + (names.isEmpty() ? "name" : names.get(0))
                + "].");
      }
      ZipEntry entry = zip.getEntry(chosen + ".npy");
      if (entry == null) {
        entry = zip.getEntry(chosen);
      }
      try (InputStream in = zip.getInputStream(entry)) {
        return Npy.read(in, file + "[" + chosen + "]");
      } catch (java.util.zip.ZipException | java.io.EOFException e) {
        throw new IOException(
            file
                + "["
                + chosen
                + "] could not be read ("
                + (e.getMessage() == null ? "its data ends early" : e.getMessage())
                + "); the .npz"
                + " file is damaged. Fix: save the arrays again with numpy.savez.",
            e);
      }
    }
  }

  // ------------------------------------------------------------------------------ --input-exprs

  /** A JSON literal (number, string, boolean or nested lists) as a tensor of the input's dtype. */
  static Tensor literal(String key, String text, TensorInfo info) {
    JsonNode node;
    try {
      JsonParser p = JSON.createParser(text.strip());
      node = JSON.readTree(p);
      if (node == null || p.nextToken() != null) {
        throw new IllegalArgumentException("trailing text");
      }
    } catch (IOException | IllegalArgumentException e) {
      String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new IllegalArgumentException(
          "--input-exprs "
              + key
              + "="
              + text
              + " is not a literal"
              + " this tool can read ("
              + why
              + "). Give numbers, strings or booleans, or nested lists"
              + " of them, e.g. "
              + key
              + "=[[1.0], [2.0]]; Python expressions such as np.ones((2, 1))"
              + " are not evaluated: save such arrays with np.save and pass them with --inputs.",
          e);
    }
    List<Long> dims = new ArrayList<>();
    JsonNode n0 = node;
    while (n0.isArray()) {
      dims.add((long) n0.size());
      if (n0.isEmpty()) {
        break;
      }
      n0 = n0.get(0);
    }
    Shape shape = Shape.of(dims.stream().mapToLong(Long::longValue).toArray());
    List<JsonNode> leaves = new ArrayList<>();
    flatten(key, node, shape, 0, leaves);
    DataType dtype = info.getDtype();
    int n = leaves.size();
    return switch (dtype) {
      case DT_FLOAT -> {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
          a[i] = (float) number(key, leaves.get(i), dtype).doubleValue();
        }
        yield TFloat32.tensorOf(shape, DataBuffers.of(a, true, false));
      }
      case DT_DOUBLE -> {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
          a[i] = number(key, leaves.get(i), dtype).doubleValue();
        }
        yield TFloat64.tensorOf(shape, DataBuffers.of(a, true, false));
      }
      case DT_INT32 -> {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
          a[i] = (int) integer(key, leaves.get(i), dtype, Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        yield TInt32.tensorOf(shape, DataBuffers.of(a, true, false));
      }
      case DT_INT64 -> {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
          a[i] = integer(key, leaves.get(i), dtype, Long.MIN_VALUE, Long.MAX_VALUE);
        }
        yield TInt64.tensorOf(shape, DataBuffers.of(a, true, false));
      }
      case DT_UINT8 -> {
        byte[] a = new byte[n];
        for (int i = 0; i < n; i++) {
          a[i] = (byte) integer(key, leaves.get(i), dtype, 0, 255);
        }
        yield TUint8.tensorOf(shape, DataBuffers.of(a, true, false));
      }
      case DT_BOOL -> {
        boolean[] a = new boolean[n];
        for (int i = 0; i < n; i++) {
          if (!leaves.get(i).isBoolean()) {
            throw wrongLeaf(key, leaves.get(i), dtype, "true or false");
          }
          a[i] = leaves.get(i).booleanValue();
        }
        yield TBool.tensorOf(shape, DataBuffers.of(a, true, false));
      }
      case DT_STRING -> {
        byte[][] a = new byte[n][];
        for (int i = 0; i < n; i++) {
          if (!leaves.get(i).isTextual()) {
            throw wrongLeaf(key, leaves.get(i), dtype, "a string");
          }
          a[i] = leaves.get(i).textValue().getBytes(StandardCharsets.UTF_8);
        }
        yield TString.tensorOfBytes(shape, DataBuffers.ofObjects(a));
      }
      default ->
          throw new IllegalArgumentException(
              "--input-exprs cannot build "
                  + dtype
                  + " tensors (input \""
                  + key
                  + "\"); save the array with np.save and use --inputs.");
    };
  }

  private static void flatten(
      String key, JsonNode node, Shape shape, int depth, List<JsonNode> out) {
    if (depth == shape.numDimensions()) {
      if (node.isArray() || node.isObject() || node.isNull()) {
        throw new IllegalArgumentException(
            "--input-exprs "
                + key
                + " is not a rectangular array of"
                + " shape "
                + shape
                + ": found "
                + node
                + " where a single value belongs.");
      }
      out.add(node);
      return;
    }
    if (!node.isArray() || node.size() != shape.get(depth)) {
      throw new IllegalArgumentException(
          "--input-exprs "
              + key
              + " is not a rectangular array:"
              + " expected a list of "
              + shape.get(depth)
              + " at depth "
              + depth
              + " (shape "
              + shape
              + "), found "
              + node
              + ".");
    }
    for (JsonNode child : node) {
      flatten(key, child, shape, depth + 1, out);
    }
  }

  private static Number number(String key, JsonNode leaf, DataType dtype) {
    if (!leaf.isNumber()) {
      throw wrongLeaf(key, leaf, dtype, "a number");
    }
    return leaf.numberValue();
  }

  private static long integer(String key, JsonNode leaf, DataType dtype, long min, long max) {
    if (!leaf.isIntegralNumber()
        || !leaf.canConvertToLong()
        || leaf.longValue() < min
        || leaf.longValue() > max) {
      throw wrongLeaf(key, leaf, dtype, "an integer in [" + min + ", " + max + "]");
    }
    return leaf.longValue();
  }

  private static IllegalArgumentException wrongLeaf(
      String key, JsonNode leaf, DataType dtype, String expected) {
    return new IllegalArgumentException(
        "--input-exprs "
            + key
            + ": input \""
            + key
            + "\" is "
            + dtype
            + ", so each value must be "
            + expected
            + "; found "
            + leaf
            + ".");
  }

  // ------------------------------------------------------------------------------ splitting

  private static Map<String, String> keyValues(String option, String text) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String entry : split(text)) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            option
                + " \""
                + entry
                + "\" format is incorrect."
                + " Please follow \"<input_key>=<value>\".");
      }
      out.put(entry.substring(0, eq).strip(), entry.substring(eq + 1).strip());
    }
    return out;
  }

  /** Splits on semicolons outside quotes and brackets; empty entries are dropped. */
  static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    if (text == null) {
      return out;
    }
    int depth = 0;
    char quote = 0;
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == '\\' && i + 1 < text.length()) {
          cur.append(c).append(text.charAt(++i));
          continue;
        }
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[' || c == '{' || c == '(') {
        depth++;
      } else if (c == ']' || c == '}' || c == ')') {
        depth--;
      } else if (c == ';' && depth <= 0) {
        add(out, cur);
        continue;
      }
      cur.append(c);
    }
    add(out, cur);
    return out;
  }

  private static void add(List<String> out, StringBuilder cur) {
    if (!cur.toString().isBlank()) {
      out.add(cur.toString().strip());
    }
    cur.setLength(0);
  }
}
