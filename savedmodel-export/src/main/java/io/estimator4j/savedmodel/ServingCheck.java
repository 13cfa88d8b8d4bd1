package io.estimator4j.savedmodel;

import static io.estimator4j.savedmodel.SignatureConstants.CLASSIFY_INPUTS;
import static io.estimator4j.savedmodel.SignatureConstants.CLASSIFY_METHOD_NAME;
import static io.estimator4j.savedmodel.SignatureConstants.CLASSIFY_OUTPUT_CLASSES;
import static io.estimator4j.savedmodel.SignatureConstants.CLASSIFY_OUTPUT_SCORES;
import static io.estimator4j.savedmodel.SignatureConstants.PREDICT_METHOD_NAME;
import static io.estimator4j.savedmodel.SignatureConstants.REGRESS_INPUTS;
import static io.estimator4j.savedmodel.SignatureConstants.REGRESS_METHOD_NAME;
import static io.estimator4j.savedmodel.SignatureConstants.REGRESS_OUTPUTS;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Says, for each signature of a SavedModel, whether TF Serving's Predict, Classify and Regress APIs
 * accept it, and why not. The rules are TF Serving's own checks (predict_util.cc, classifier.cc,
 * regressor.cc and their TFRT versions), applied to the SignatureDef before any request is sent:
 *
 * <ul>
 *   <li>Predict: method name tensorflow/serving/predict, classify or regress; any inputs and
 *       outputs. Tensors of unknown rank (or without a shape) are accepted but noted, since clients
 *       cannot learn from the model metadata what to send.
 *   <li>Classify: method name tensorflow/serving/classify; exactly one input, "inputs", DT_STRING
 *       (a vector of serialized tf.Example); outputs "classes" (DT_STRING) and/or "scores"
 *       (DT_FLOAT), nothing else, each of shape [batch, num_classes].
 *   <li>Regress: method name tensorflow/serving/regress; exactly one input, "inputs", DT_STRING;
 *       exactly one output, "outputs", DT_FLOAT of shape [batch] or [batch, 1].
 * </ul>
 *
 * <p>The method names are checked by tensorflow_model_server only when it runs with {@code
 * --enable_signature_method_name_check=true}; its default is false, so that TF2 exports, which
 * record every signature as predict, can serve Classify and Regress. {@link #check(MetaGraphDef)}
 * checks them (a signature that passes works under either setting); {@link #check(MetaGraphDef,
 * boolean)} with {@code false} answers for the server's default, noting the mismatched names.
 */
public final class ServingCheck {

  private ServingCheck() {}

  /** TF Serving's inference APIs. */
  public enum Api {
    /** tensorflow.serving.PredictionService/Predict (also REST :predict). */
    PREDICT("Predict"),
    /** tensorflow.serving.PredictionService/Classify (also REST :classify). */
    CLASSIFY("Classify"),
    /** tensorflow.serving.PredictionService/Regress (also REST :regress). */
    REGRESS("Regress");

    private final String displayName;

    Api(String displayName) {
      this.displayName = displayName;
    }

    /** "Predict", "Classify" or "Regress". */
    public String displayName() {
      return displayName;
    }
  }

  /**
   * Whether one API accepts one signature.
   *
   * @param signature the signature key
   * @param api the API
   * @param ok true when TF Serving accepts the signature for this API
   * @param reasons why it does not (empty when {@code ok})
   * @param notes remarks that do not prevent serving (e.g. tensors of unknown rank)
   */
  public record Outcome(
      String signature, Api api, boolean ok, List<String> reasons, List<String> notes) {
    public Outcome {
      reasons = List.copyOf(reasons);
      notes = List.copyOf(notes);
    }
  }

  /** Checks every signature of the meta graph tagged {@code tags} in the SavedModel {@code dir}. */
  public static List<Outcome> check(Path dir, Set<String> tags) throws IOException {
    return check(dir, tags, true);
  }

  /**
   * Like {@link #check(Path, Set)}; {@code checkMethodNames} as in {@link #check(MetaGraphDef,
   * boolean)}.
   */
  public static List<Outcome> check(Path dir, Set<String> tags, boolean checkMethodNames)
      throws IOException {
    return check(
        SavedModelLoader.metaGraph(SavedModelLoader.readProto(dir), dir, tags), checkMethodNames);
  }

  /**
   * Checks every signature of {@code meta} (sorted by key; the init-op signature is skipped),
   * method names included.
   */
  public static List<Outcome> check(MetaGraphDef meta) {
    return check(meta, true);
  }

  /**
   * Checks every signature of {@code meta}; with {@code checkMethodNames} false, as
   * tensorflow_model_server does by default (a mismatched method name is then only noted).
   */
  public static List<Outcome> check(MetaGraphDef meta, boolean checkMethodNames) {
    List<Outcome> out = new ArrayList<>();
    new TreeMap<>(meta.getSignatureDefMap())
        .forEach(
            (key, sig) -> {
              if (!key.equals(SavedModelLoader.INIT_OP_SIGNATURE_KEY)) {
                out.addAll(check(key, sig, checkMethodNames));
              }
            });
    return out;
  }

  /** The outcome of each API for one signature, in the order Predict, Classify, Regress. */
  public static List<Outcome> check(String key, SignatureDef sig, boolean checkMethodNames) {
    return List.of(
        predict(key, sig, checkMethodNames),
        classify(key, sig, checkMethodNames),
        regress(key, sig, checkMethodNames));
  }

  static Outcome predict(String key, SignatureDef sig, boolean checkMethodNames) {
    List<String> reasons = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    String method = sig.getMethodName();
    if (!method.equals(PREDICT_METHOD_NAME)
        && !method.equals(CLASSIFY_METHOD_NAME)
        && !method.equals(REGRESS_METHOD_NAME)) {
      String expected =
          PREDICT_METHOD_NAME + ", " + CLASSIFY_METHOD_NAME + " or " + REGRESS_METHOD_NAME;
      (checkMethodNames ? reasons : notes).add(methodText(method, expected, checkMethodNames));
    }
    noteShapes("input", sig.getInputsMap(), notes);
    noteShapes("output", sig.getOutputsMap(), notes);
    if (sig.getOutputsCount() == 0) {
      notes.add("it has no outputs, so a request returns nothing");
    }
    return new Outcome(key, Api.PREDICT, reasons.isEmpty(), reasons, notes);
  }

  static Outcome classify(String key, SignatureDef sig, boolean checkMethodNames) {
    List<String> reasons = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    method(sig, CLASSIFY_METHOD_NAME, checkMethodNames ? reasons : notes, checkMethodNames);
    exampleInput(sig, CLASSIFY_INPUTS, reasons);
    Map<String, TensorInfo> outputs = sig.getOutputsMap();
    Set<String> others = new TreeSet<>(outputs.keySet());
    others.remove(CLASSIFY_OUTPUT_CLASSES);
    others.remove(CLASSIFY_OUTPUT_SCORES);
    if (!outputs.containsKey(CLASSIFY_OUTPUT_CLASSES)
        && !outputs.containsKey(CLASSIFY_OUTPUT_SCORES)) {
      reasons.add(
          "outputs are "
              + new TreeSet<>(outputs.keySet())
              + ", with neither \""
              + CLASSIFY_OUTPUT_CLASSES
              + "\" nor \""
              + CLASSIFY_OUTPUT_SCORES
              + "\"");
    } else if (!others.isEmpty()) {
      reasons.add(
          "outputs "
              + others
              + " are neither \""
              + CLASSIFY_OUTPUT_CLASSES
              + "\" nor \""
              + CLASSIFY_OUTPUT_SCORES
              + "\" (Classify allows only those two)");
    }
    TensorInfo classes = outputs.get(CLASSIFY_OUTPUT_CLASSES);
    TensorInfo scores = outputs.get(CLASSIFY_OUTPUT_SCORES);
    if (classes != null) {
      dtype("output", CLASSIFY_OUTPUT_CLASSES, classes, DataType.DT_STRING, reasons);
      rank("output", CLASSIFY_OUTPUT_CLASSES, classes, "[batch_size, num_classes]", reasons, 2);
    }
    if (scores != null) {
      dtype("output", CLASSIFY_OUTPUT_SCORES, scores, DataType.DT_FLOAT, reasons);
      rank("output", CLASSIFY_OUTPUT_SCORES, scores, "[batch_size, num_classes]", reasons, 2);
    }
    if (classes != null && scores != null) {
      long c = dim(classes, 1);
      long s = dim(scores, 1);
      if (c >= 0 && s >= 0 && c != s) {
        reasons.add(
            "\"classes\" has " + c + " columns but \"scores\" has " + s + " (they must agree)");
      }
    }
    return new Outcome(key, Api.CLASSIFY, reasons.isEmpty(), reasons, notes);
  }

  static Outcome regress(String key, SignatureDef sig, boolean checkMethodNames) {
    List<String> reasons = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    method(sig, REGRESS_METHOD_NAME, checkMethodNames ? reasons : notes, checkMethodNames);
    exampleInput(sig, REGRESS_INPUTS, reasons);
    Map<String, TensorInfo> outputs = sig.getOutputsMap();
    TensorInfo out = outputs.get(REGRESS_OUTPUTS);
    if (outputs.size() != 1 || out == null) {
      reasons.add(
          "outputs are "
              + new TreeSet<>(outputs.keySet())
              + ", not exactly one \""
              + REGRESS_OUTPUTS
              + "\"");
    }
    if (out != null) {
      dtype("output", REGRESS_OUTPUTS, out, DataType.DT_FLOAT, reasons);
      if (rank("output", REGRESS_OUTPUTS, out, "[batch_size] or [batch_size, 1]", reasons, 1, 2)
          && out.getTensorShape().getDimCount() == 2
          && dim(out, 1) > 1) {
        reasons.add(
            "output \""
                + REGRESS_OUTPUTS
                + "\" has shape "
                + TensorInfos.shapeString(out)
                + ", not [batch_size] or [batch_size, 1]");
      }
    }
    return new Outcome(key, Api.REGRESS, reasons.isEmpty(), reasons, notes);
  }

  private static void method(
      SignatureDef sig, String expected, List<String> out, boolean checkMethodNames) {
    if (!sig.getMethodName().equals(expected)) {
      out.add(methodText(sig.getMethodName(), expected, checkMethodNames));
    }
  }

  private static String methodText(String method, String expected, boolean checked) {
    return "method name is "
        + quoted(method)
        + ", not "
        + expected
        + (checked ? "" : " (accepted: method names are not checked)");
  }

  /** Classify and Regress feed one vector of serialized tf.Examples under the key "inputs". */
  private static void exampleInput(SignatureDef sig, String key, List<String> reasons) {
    TensorInfo in = sig.getInputsMap().get(key);
    if (sig.getInputsCount() != 1 || in == null) {
      reasons.add(
          "inputs are "
              + new TreeSet<>(sig.getInputsMap().keySet())
              + ", not exactly"
              + " one \""
              + key
              + "\" (serialized tf.Examples)");
    }
    if (in != null) {
      dtype("input", key, in, DataType.DT_STRING, reasons);
      rank("input", key, in, "[batch_size] (a vector of serialized tf.Examples)", reasons, 1);
    }
  }

  private static void dtype(
      String what, String key, TensorInfo info, DataType expected, List<String> reasons) {
    if (info.getDtype() != expected) {
      reasons.add(what + " \"" + key + "\" is " + info.getDtype() + ", not " + expected);
    }
  }

  /** Adds a reason when the rank is known and not one of {@code ranks}; true when it is fine. */
  private static boolean rank(
      String what,
      String key,
      TensorInfo info,
      String expected,
      List<String> reasons,
      int... ranks) {
    TensorShapeProto s = info.getTensorShape();
    if (!hasKnownRank(info)) {
      return true;
    }
    for (int r : ranks) {
      if (s.getDimCount() == r) {
        return true;
      }
    }
    reasons.add(
        what + " \"" + key + "\" has shape " + TensorInfos.shapeString(info) + ", not " + expected);
    return false;
  }

  private static void noteShapes(String what, Map<String, TensorInfo> tensors, List<String> notes) {
    new TreeMap<>(tensors)
        .forEach(
            (k, info) -> {
              if (info.hasCooSparse() || info.hasCompositeTensor()) {
                return;
              }
              if (info.getTensorShape().getUnknownRank()) {
                notes.add(what + " \"" + k + "\" has unknown rank");
              } else if (!info.hasTensorShape()) {
                notes.add(what + " \"" + k + "\" has no shape recorded");
              }
            });
  }

  private static boolean hasKnownRank(TensorInfo info) {
    return info.hasTensorShape() && !info.getTensorShape().getUnknownRank();
  }

  /** Size of dimension {@code i}, or -1 when unknown. */
  private static long dim(TensorInfo info, int i) {
    TensorShapeProto s = info.getTensorShape();
    return hasKnownRank(info) && s.getDimCount() > i ? s.getDim(i).getSize() : -1;
  }

  private static String quoted(String s) {
    return s.isEmpty() ? "empty" : "\"" + s + "\"";
  }
}
