package io.estimator4j.savedmodel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.tensorflow.Operand;

/**
 * The outputs of a training or evaluation graph: loss, predictions and metrics, under the output
 * keys TensorFlow gives them; Java counterpart of export_output._SupervisedOutput, the base of
 * {@link TrainOutput} and {@link EvalOutput}. Its signatures take every receiver tensor (features
 * and labels) as input.
 *
 * <p>Output keys, as TensorFlow forms them: {@code loss}; {@code predictions/<key>} for each
 * prediction; {@code metrics/<name>/value} and {@code metrics/<name>/update_op} for each metric. As
 * in TensorFlow, a prediction key that already starts with {@code predictions} (a metric name with
 * {@code metrics}) gets no prefix: the regression head's {@code predictions} stays {@code
 * predictions}.
 */
public abstract sealed class SupervisedOutput implements ExportOutput
    permits TrainOutput, EvalOutput {
  /** Output key of the loss. */
  public static final String LOSS_NAME = "loss";

  /** Prefix of the prediction output keys. */
  public static final String PREDICTIONS_NAME = "predictions";

  /** Prefix of the metric output keys. */
  public static final String METRICS_NAME = "metrics";

  /** Suffix of a metric's value output key. */
  public static final String METRIC_VALUE_SUFFIX = "value";

  /** Suffix of a metric's update op output key. */
  public static final String METRIC_UPDATE_SUFFIX = "update_op";

  private static final String SEPARATOR = "/";

  /**
   * One metric: the {@code (value, update_op)} pair of tf.compat.v1.metrics, both tensors (a
   * signature holds tensors only; TensorFlow wraps an update that is an op in a constant that
   * depends on it).
   *
   * @param value the metric's value
   * @param updateOp the tensor that accumulates one batch
   */
  public record MetricTensors(Operand<?> value, Operand<?> updateOp) {
    /** Checks that both are present. */
    public MetricTensors {
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(updateOp, "updateOp");
    }
  }

  private final String methodName;
  private final Map<String, Operand<?>> loss;
  private final Map<String, Operand<?>> predictions;
  private final Map<String, Operand<?>> metrics;

  SupervisedOutput(
      String methodName,
      Operand<?> loss,
      Map<String, ? extends Operand<?>> predictions,
      Map<String, MetricTensors> metrics) {
    this.methodName = methodName;
    this.loss = loss == null ? Map.of() : Map.of(LOSS_NAME, loss);
    Map<String, Operand<?>> p = new LinkedHashMap<>();
    if (predictions != null) {
      predictions.forEach((k, v) -> p.put(prefixed(PREDICTIONS_NAME, k), check(k, v)));
    }
    this.predictions = Collections.unmodifiableMap(p);
    Map<String, Operand<?>> m = new LinkedHashMap<>();
    if (metrics != null) {
      metrics.forEach(
          (k, v) -> {
            String key = prefixed(METRICS_NAME, k);
            Objects.requireNonNull(v, key);
            m.put(key + SEPARATOR + METRIC_VALUE_SUFFIX, v.value());
            m.put(key + SEPARATOR + METRIC_UPDATE_SUFFIX, v.updateOp());
          });
    }
    this.metrics = Collections.unmodifiableMap(m);
  }

  @Override
  public String methodName() {
    return methodName;
  }

  /** The loss under {@code loss}, or empty. */
  public Map<String, Operand<?>> loss() {
    return loss;
  }

  /** The predictions under {@code predictions/<key>}, in the order given. */
  public Map<String, Operand<?>> predictions() {
    return predictions;
  }

  /** Each metric's {@code metrics/<name>/value} and {@code metrics/<name>/update_op}. */
  public Map<String, Operand<?>> metrics() {
    return metrics;
  }

  /** Loss, then predictions, then metrics. */
  @Override
  public Map<String, Operand<?>> outputs() {
    Map<String, Operand<?>> out = new LinkedHashMap<>(loss);
    out.putAll(predictions);
    out.putAll(metrics);
    return Collections.unmodifiableMap(out);
  }

  /** TensorFlow's _prefix_key: {@code name/key} unless {@code key} starts with {@code name}. */
  private static String prefixed(String name, String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException(
          name + " output keys must be non-empty strings; got '" + key + "'.");
    }
    return key.startsWith(name) ? key : name + SEPARATOR + key;
  }

  private static Operand<?> check(String key, Operand<?> value) {
    if (value == null) {
      throw new IllegalArgumentException(
          PREDICTIONS_NAME + " output value must be a tensor; got null for '" + key + "'.");
    }
    return value;
  }
}
