package io.estimator4j.checkpoint;

import java.util.Collection;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which TensorFlow's conventions a model's optimizer state follows: the names of its variables in a
 * checkpoint and the update maths of the optimizers that wrote them.
 *
 * <ul>
 *   <li>{@link #TF2}: tf.estimator's V2 canned estimators (TensorFlow 2.x) with Keras optimizers
 *       (optimizer_v2): state under {@code training/<Optimizer>/}, e.g. {@code
 *       training/Adagrad/dnn/logits/bias/accumulator}, {@code training/Ftrl/learning_rate}, {@code
 *       training/Ftrl/iter}. What tf.estimator wrote last, and the default.
 *   <li>{@link #TF1}: tf.compat.v1.train optimizers: slots beside the variable, e.g. {@code
 *       dnn/logits/bias/Adagrad}, {@code linear/linear_model/age/weights/Ftrl_1}, {@code
 *       beta1_power}.
 * </ul>
 */
public enum TensorFlowFlavour {
  /** tf.compat.v1.train optimizers: {@code <variable>/<Optimizer>[_1]} slots. */
  TF1,
  /** Keras optimizer_v2: {@code training/<Optimizer>/<variable>/<slot>} and hyper variables. */
  TF2;

  private static final Pattern TF2_NAME =
      Pattern.compile(
          "training(_\\d+)?/[A-Za-z]+(_\\d+)?/(iter|learning_rate|decay|"
              + ".+/(accumulator|linear|m|v|vhat|rms|momentum|mg))");

  private static final Pattern TF1_NAME =
      Pattern.compile(
          ".+/(Adagrad|Ftrl|Ftrl_1|Adam|Adam_1|RMSProp|RMSProp_1|Momentum)|beta[12]_power(_\\d+)?");

  /**
   * The flavour of a checkpoint, read from its variable names; empty when the names show neither
   * (no optimizer state, e.g. plain SGD or an export's variables).
   *
   * @param variableNames the checkpoint's keys, e.g. {@link CheckpointReader#variables()}'s keys
   */
  public static Optional<TensorFlowFlavour> detect(Collection<String> variableNames) {
    boolean tf2 = false;
    boolean tf1 = false;
    for (String name : variableNames) {
      tf2 |= TF2_NAME.matcher(name).matches();
      tf1 |= TF1_NAME.matcher(name).matches();
    }
    if (tf2 == tf1) {
      return Optional.empty();
    }
    return Optional.of(tf2 ? TF2 : TF1);
  }
}
