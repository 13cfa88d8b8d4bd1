package io.estimator4j.estimator.modelfn;

import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.metrics.Metric;
import io.estimator4j.savedmodel.ExportOutput;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.types.family.TNumber;

/**
 * What a model function returns: the ops the loop runs in one mode; Java counterpart of
 * tf.estimator.EstimatorSpec. Immutable, validated when built: TRAIN needs a loss and a train op,
 * EVAL a loss, PREDICT predictions.
 */
public final class EstimatorSpec {
  /**
   * The loss, which the Estimator adds to the evaluation metrics and logs and summarises in
   * training (tf.estimator's MetricKeys.LOSS; {@code MetricKeys.LOSS} refers to this).
   */
  public static final String LOSS_KEY = "loss";

  /**
   * The global step, which the Estimator adds to the evaluation metrics; also the name of the
   * global step variable (tf.compat.v1.GraphKeys.GLOBAL_STEP).
   */
  public static final String GLOBAL_STEP_KEY = "global_step";

  private final ModeKeys mode;
  private final Map<String, Operand<?>> predictions;
  private final Operand<? extends TNumber> loss;
  private final Op trainOp;
  private final Map<String, Metric> evalMetrics;
  private final Map<String, ExportOutput> exportOutputs;
  private final List<SessionRunHook> trainingHooks;
  private final List<SessionRunHook> trainingChiefHooks;
  private final List<SessionRunHook> evaluationHooks;
  private final List<SessionRunHook> predictionHooks;

  private EstimatorSpec(Builder b) {
    this.mode = b.mode;
    this.predictions = Collections.unmodifiableMap(new LinkedHashMap<>(b.predictions));
    this.loss = b.loss;
    this.trainOp = b.trainOp;
    this.evalMetrics = Collections.unmodifiableMap(new LinkedHashMap<>(b.evalMetrics));
    this.exportOutputs = Collections.unmodifiableMap(new LinkedHashMap<>(b.exportOutputs));
    this.trainingHooks = List.copyOf(b.trainingHooks);
    this.trainingChiefHooks = List.copyOf(b.trainingChiefHooks);
    this.evaluationHooks = List.copyOf(b.evaluationHooks);
    this.predictionHooks = List.copyOf(b.predictionHooks);
  }

  public static Builder builder(ModeKeys mode) {
    return new Builder(mode);
  }

  public ModeKeys mode() {
    return mode;
  }

  public Map<String, Operand<?>> predictions() {
    return predictions;
  }

  /** The scalar loss, or null in PREDICT mode. */
  public Operand<? extends TNumber> loss() {
    return loss;
  }

  public Op trainOp() {
    return trainOp;
  }

  public Map<String, Metric> evalMetrics() {
    return evalMetrics;
  }

  /**
   * Export outputs by signature key (values are {@code io.estimator4j.export} output objects;
   * interpreted by SavedModel export).
   */
  public Map<String, ExportOutput> exportOutputs() {
    return exportOutputs;
  }

  public List<SessionRunHook> trainingHooks() {
    return trainingHooks;
  }

  public List<SessionRunHook> trainingChiefHooks() {
    return trainingChiefHooks;
  }

  public List<SessionRunHook> evaluationHooks() {
    return evaluationHooks;
  }

  public List<SessionRunHook> predictionHooks() {
    return predictionHooks;
  }

  /** Builder of {@link EstimatorSpec}. */
  public static final class Builder {
    private final ModeKeys mode;
    private final Map<String, Operand<?>> predictions = new LinkedHashMap<>();
    private Operand<? extends TNumber> loss;
    private Op trainOp;
    private final Map<String, Metric> evalMetrics = new LinkedHashMap<>();
    private final Map<String, ExportOutput> exportOutputs = new LinkedHashMap<>();
    private final List<SessionRunHook> trainingHooks = new ArrayList<>();
    private final List<SessionRunHook> trainingChiefHooks = new ArrayList<>();
    private final List<SessionRunHook> evaluationHooks = new ArrayList<>();
    private final List<SessionRunHook> predictionHooks = new ArrayList<>();

    private Builder(ModeKeys mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
    }

    public Builder predictions(Map<String, ? extends Operand<?>> predictions) {
      this.predictions.putAll(predictions);
      return this;
    }

    public Builder prediction(String key, Operand<?> value) {
      this.predictions.put(key, Objects.requireNonNull(value, key));
      return this;
    }

    public Builder loss(Operand<? extends TNumber> loss) {
      this.loss = loss;
      return this;
    }

    public Builder trainOp(Op trainOp) {
      this.trainOp = trainOp;
      return this;
    }

    public Builder evalMetric(String name, Metric metric) {
      this.evalMetrics.put(name, Objects.requireNonNull(metric, name));
      return this;
    }

    public Builder evalMetrics(Map<String, Metric> metrics) {
      metrics.forEach(this::evalMetric);
      return this;
    }

    /** Adds the export output of one signature key, e.g. {@code "serving_default"}. */
    public Builder exportOutput(String signatureKey, ExportOutput output) {
      this.exportOutputs.put(signatureKey, Objects.requireNonNull(output, signatureKey));
      return this;
    }

    public Builder trainingHooks(List<? extends SessionRunHook> hooks) {
      this.trainingHooks.addAll(hooks);
      return this;
    }

    public Builder trainingChiefHooks(List<? extends SessionRunHook> hooks) {
      this.trainingChiefHooks.addAll(hooks);
      return this;
    }

    public Builder evaluationHooks(List<? extends SessionRunHook> hooks) {
      this.evaluationHooks.addAll(hooks);
      return this;
    }

    public Builder predictionHooks(List<? extends SessionRunHook> hooks) {
      this.predictionHooks.addAll(hooks);
      return this;
    }

    /** Validates the spec for its mode, as model_fn.py does. */
    public EstimatorSpec build() {
      switch (mode) {
        case TRAIN -> {
          require(loss != null, "TRAIN needs a loss: call .loss(...)");
          require(
              trainOp != null, "TRAIN needs a train op: call .trainOp(optimizer.minimize(...))");
        }
        case EVAL -> require(loss != null, "EVAL needs a loss: call .loss(...)");
        case PREDICT ->
            require(
                !predictions.isEmpty(), "PREDICT needs predictions: call .prediction(key, tensor)");
      }
      if (loss != null) {
        Shape s = loss.shape();
        boolean scalar =
            s.numDimensions() == 0
                || (s.numDimensions() == 1 && (s.size(0) == 1 || s.size(0) == Shape.UNKNOWN_SIZE));
        require(
            scalar,
            "Loss must be a scalar or of shape [1], found shape "
                + s
                + ". Fix: reduce it, e.g. tf.math.mean(perExampleLoss, tf.constant(0)).");
      }
      for (String reserved : List.of(LOSS_KEY, GLOBAL_STEP_KEY)) {
        require(
            !evalMetrics.containsKey(reserved),
            "Metric name '"
                + reserved
                + "' is reserved: the Estimator adds it. Rename your metric.");
      }
      return new EstimatorSpec(this);
    }

    private void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(
            "Invalid EstimatorSpec for mode " + mode + ": " + message);
      }
    }
  }
}
