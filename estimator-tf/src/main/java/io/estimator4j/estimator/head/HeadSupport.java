package io.estimator4j.estimator.head;

import io.estimator4j.estimator.modelfn.ModelFnContext;
import io.estimator4j.savedmodel.ClassificationOutput;
import io.estimator4j.savedmodel.ExportOutput;
import io.estimator4j.savedmodel.PredictOutput;
import io.estimator4j.savedmodel.RegressionOutput;
import io.estimator4j.savedmodel.SignatureConstants;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssertThat;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * Checks and small graph builders shared by the heads: the Java form of the helpers of
 * tf.estimator's base_head.py for logits, weights, loss reduction, class strings and export outputs
 * ({@link Labels} has the label checks).
 */
final class HeadSupport {
  private static final Pattern SCOPE_PART = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-]*");

  private HeadSupport() {}

  /** Checks a head name: it becomes a name scope, so it must be a valid op name part. */
  static String checkName(String name) {
    if (name != null && !SCOPE_PART.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "Invalid head name '"
              + name
              + "': it must match "
              + SCOPE_PART.pattern()
              + " (it becomes a name scope and a metric key suffix).");
    }
    return name;
  }

  /** Checks and copies a label vocabulary: non-empty, distinct, of {@code size} when positive. */
  static List<String> checkVocabulary(List<String> vocabulary, int size) {
    if (vocabulary == null) {
      return null;
    }
    if (size > 0 && vocabulary.size() != size) {
      throw new IllegalArgumentException(
          "label_vocabulary does not have n_classes items: len(label_vocabulary)="
              + vocabulary.size()
              + ", n_classes="
              + size
              + ", label_vocabulary="
              + vocabulary
              + ". Fix: list exactly one string per class.");
    }
    if (vocabulary.isEmpty() || vocabulary.stream().distinct().count() != vocabulary.size()) {
      throw new IllegalArgumentException(
          "label_vocabulary must be non-empty with distinct entries, got " + vocabulary + ".");
    }
    return List.copyOf(vocabulary);
  }

  /** Checks thresholds: each in the open interval (0, 1). */
  static double[] checkThresholds(double[] thresholds) {
    for (double t : thresholds) {
      if (!(t > 0 && t < 1)) {
        throw new IllegalArgumentException(
            "thresholds must be in (0, 1), got " + t + ". Fix: pass probabilities such as 0.5.");
      }
    }
    return thresholds.clone();
  }

  /** {@code key} or {@code key/name}: Python's Head._summary_key. */
  static String summaryKey(String key, String headName) {
    return headName == null ? key : key + "/" + headName;
  }

  /** A metric key made safe as a scope path (vocabulary entries may hold any character). */
  static String metricScope(String key) {
    List<String> parts = new ArrayList<>();
    for (String part : key.split("/", -1)) {
      String p = part.replaceAll("[^A-Za-z0-9_.\\-]", "_");
      parts.add(p.isEmpty() || p.charAt(0) == '_' || p.charAt(0) == '-' ? "m" + p : p);
    }
    return String.join("/", parts);
  }

  /**
   * Python's check_logits_final_dim: logits must be {@code [D0, ... DN, dimension]}; checked when
   * the graph is built where the shape is static, else when it runs.
   */
  static Operand<TFloat32> checkLogits(Ops tf, Operand<TFloat32> logits, int dimension) {
    Shape s = logits.shape();
    if (!s.isUnknown()) {
      long last = s.numDimensions() == 0 ? 0 : s.get(s.numDimensions() - 1);
      if (s.numDimensions() < 2 || (last != Shape.UNKNOWN_SIZE && last != dimension)) {
        throw new IllegalArgumentException(
            "logits shape must be [D0, D1, ... DN, logits_dimension], got "
                + s
                + " with logits_dimension="
                + dimension
                + ". Fix: make the last layer output "
                + "[batch, "
                + dimension
                + "].");
      }
      if (last != Shape.UNKNOWN_SIZE) {
        return logits;
      }
    }
    Operand<TInt32> shape = tf.shape(logits);
    Operand<TInt32> last =
        tf.gather(shape, tf.math.sub(tf.rank(logits), tf.constant(1)), tf.constant(0));
    AssertThat check =
        tf.assertThat(
            tf.math.equal(last, tf.constant(dimension)),
            List.of(
                tf.constant(
                    "logits shape must be [D0, D1, ... DN, logits_dimension]; logits_dimension="
                        + dimension
                        + ", logits shape:"),
                shape),
            AssertThat.summarize(Labels.SUMMARIZE));
    return tf.withControlDependencies(List.of(check)).identity(logits);
  }

  /**
   * Python's get_weights_and_check_match_logits: the float32 weights of {@code column}, shaped
   * {@code [D0, ... DN, 1]} (or {@code [D0, ... DN, logits_dimension]} when {@code perLogit}), or
   * null without a weight column.
   */
  static Operand<TFloat32> weights(
      Ops tf, ModelFnContext ctx, String column, Operand<TFloat32> logits, boolean perLogit) {
    if (column == null) {
      return null;
    }
    Operand<?> raw = ctx.feature(column);
    if (!TNumber.class.isAssignableFrom(raw.type())) {
      throw new IllegalArgumentException(
          "Weight column should be castable to float. Given dtype: "
              + raw.type().getSimpleName()
              + " (feature '"
              + column
              + "').");
    }
    Operand<TFloat32> w = tf.withName("weights").dtypes.cast(raw, TFloat32.class);
    Shape ws = w.shape();
    Shape gs = logits.shape();
    if (ws.isUnknown() || gs.isUnknown()) {
      return w;
    }
    Shape outer = gs.take(gs.numDimensions() - 1);
    boolean ok;
    if (ws.numDimensions() == gs.numDimensions() - 1) {
      ok = outer.isCompatibleWith(ws);
      w = tf.expandDims(w, tf.constant(-1));
    } else if (ws.numDimensions() == gs.numDimensions()) {
      long last = ws.get(ws.numDimensions() - 1);
      ok =
          outer.isCompatibleWith(ws.take(ws.numDimensions() - 1))
              && (last == 1
                  || last == Shape.UNKNOWN_SIZE
                  || (perLogit && last == gs.get(gs.numDimensions() - 1)));
    } else {
      ok = false;
    }
    if (!ok) {
      throw new IllegalArgumentException(
          (perLogit
                  ? "weights shape must be [D0, D1, ... DN], [D0, D1, ... DN, 1] or "
                      + "[D0, D1, ... DN, logits_dimension]"
                  : "weights shape must be [D0, D1, ... DN] or [D0, D1, ... DN, 1]")
              + ", logits_shape: "
              + gs
              + ". weights_shape: "
              + ws
              + " (feature '"
              + column
              + "').");
    }
    return w;
  }

  /**
   * Keras's compute_weighted_loss: {@code sum(loss · weights)}, divided by the number of weighted
   * loss elements for SUM_OVER_BATCH_SIZE (div_no_nan, so an empty batch gives 0).
   */
  static Operand<TFloat32> reduce(
      Ops tf, Operand<TFloat32> unweighted, Operand<TFloat32> weights, LossReduction reduction) {
    Operand<TFloat32> weighted = weights == null ? unweighted : tf.math.mul(unweighted, weights);
    Operand<TFloat32> sum = sumAll(tf, weighted);
    if (reduction == LossReduction.SUM) {
      return sum;
    }
    return tf.math.divNoNan(sum, tf.dtypes.cast(tf.size(weighted), TFloat32.class));
  }

  /** {@code sum(loss · weights) / sum(weights)}, the weights broadcast to the loss. */
  static Operand<TFloat32> weightedMean(
      Ops tf, Operand<TFloat32> unweighted, Operand<TFloat32> weights) {
    if (weights == null) {
      return tf.math.divNoNan(
          sumAll(tf, unweighted), tf.dtypes.cast(tf.size(unweighted), TFloat32.class));
    }
    Operand<TFloat32> w = tf.math.mul(weights, tf.onesLike(unweighted));
    return tf.math.divNoNan(sumAll(tf, tf.math.mul(unweighted, w)), sumAll(tf, w));
  }

  static Operand<TFloat32> sumAll(Ops tf, Operand<TFloat32> x) {
    return tf.reduceSum(tf.reshape(x, tf.constant(new int[] {-1})), tf.constant(0));
  }

  /**
   * A head's toString: {@code <simple class name>{key=value, ...}} from alternating keys and
   * values.
   */
  static String describe(Head head, Object... keysAndValues) {
    StringJoiner fields = new StringJoiner(", ", head.getClass().getSimpleName() + "{", "}");
    for (int i = 0; i < keysAndValues.length; i += 2) {
      fields.add(keysAndValues[i] + "=" + keysAndValues[i + 1]);
    }
    return fields.toString();
  }

  /** A string vector constant. */
  static Operand<TString> strings(Ops tf, List<String> values) {
    return tf.constant(StandardCharsets.UTF_8, values.toArray(new String[0]));
  }

  /** Class ids as strings: the vocabulary entries, or the ids in decimal. */
  static Operand<TString> classStrings(Ops tf, Operand<TInt64> classIds, List<String> vocabulary) {
    if (vocabulary == null) {
      return tf.withName("str_classes").dtypes.asString(classIds);
    }
    return tf.gather(strings(tf, vocabulary), classIds, tf.constant(0));
  }

  /** Python's all_class_ids: {@code [0, ..., n-1]} tiled to {@code [batch, n]}, int32. */
  static Operand<TInt32> allClassIds(Ops tf, Operand<TFloat32> logits, int nClasses) {
    return tileRows(tf, logits, tf.range(tf.constant(0), tf.constant(nClasses), tf.constant(1)));
  }

  /** Python's all_classes: the class strings tiled to {@code [batch, n]}. */
  static Operand<TString> allClasses(
      Ops tf, Operand<TFloat32> logits, int nClasses, List<String> vocabulary) {
    Operand<TString> row =
        vocabulary != null
            ? strings(tf, vocabulary)
            : tf.dtypes.asString(tf.range(tf.constant(0), tf.constant(nClasses), tf.constant(1)));
    return tileRows(tf, logits, row);
  }

  private static <T extends TType> Operand<T> tileRows(
      Ops tf, Operand<TFloat32> logits, Operand<T> row) {
    Operand<TInt32> batch =
        tf.slice(tf.shape(logits), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TInt32> multiples =
        tf.concat(List.of(batch, tf.constant(new int[] {1})), tf.constant(0));
    return tf.tile(tf.expandDims(row, tf.constant(0)), multiples);
  }

  /**
   * tf.nn.sigmoid_cross_entropy_with_logits, built as TensorFlow builds it so that its gradient is
   * exact at 0: {@code max(x, 0) - x·z + log(1 + exp(-|x|))}.
   */
  static Operand<TFloat32> sigmoidCrossEntropy(
      Ops tf, Operand<TFloat32> labels, Operand<TFloat32> logits) {
    Operand<TFloat32> zeros = tf.zerosLike(logits);
    Operand<TBool> positive = tf.math.greaterEqual(logits, zeros);
    Operand<TFloat32> reluLogits = tf.select(positive, logits, zeros);
    Operand<TFloat32> negAbsLogits = tf.select(positive, tf.math.neg(logits), logits);
    return tf.math.add(
        tf.math.sub(reluLogits, tf.math.mul(logits, labels)),
        tf.math.log1p(tf.math.exp(negAbsLogits)));
  }

  /** The operand with its dtype checked (predictions maps hold operands of any type). */
  @SuppressWarnings("unchecked")
  static <T extends TType> Operand<T> typed(Operand<?> operand, Class<T> type) {
    if (operand.type() != type) {
      throw new IllegalStateException(
          "Expected " + type.getSimpleName() + ", found " + operand.type().getSimpleName());
    }
    return (Operand<T>) operand;
  }

  /**
   * A classifier's export outputs, as tf.estimator's heads build them: serving_default and
   * classification are (scores = probabilities, classes = all classes as strings), regression (when
   * given) the binary logistic, predict every prediction.
   */
  static Map<String, ExportOutput> classifierExports(
      Map<String, Operand<?>> predictions, RegressionOutput regression) {
    Operand<?> classes =
        predictions.containsKey(PredictionKeys.ALL_CLASSES)
            ? predictions.get(PredictionKeys.ALL_CLASSES)
            : predictions.get(PredictionKeys.CLASSES);
    ClassificationOutput classification =
        new ClassificationOutput(
            typed(predictions.get(PredictionKeys.PROBABILITIES), TFloat32.class),
            typed(classes, TString.class));
    Map<String, ExportOutput> out = new LinkedHashMap<>();
    out.put(SignatureConstants.DEFAULT_SERVING_SIGNATURE_DEF_KEY, classification);
    out.put(SignatureConstants.CLASSIFY_SERVING_KEY, classification);
    if (regression != null) {
      out.put(SignatureConstants.REGRESS_SERVING_KEY, regression);
    }
    out.put(SignatureConstants.PREDICT_SERVING_KEY, new PredictOutput(predictions));
    return out;
  }
}
