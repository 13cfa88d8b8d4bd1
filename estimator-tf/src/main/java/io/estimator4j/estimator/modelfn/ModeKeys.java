package io.estimator4j.estimator.modelfn;

/** The mode a model function is built for; Java counterpart of tf.estimator.ModeKeys. */
public enum ModeKeys {
  /** Training: the spec needs a loss and a train op. */
  TRAIN("train"),
  /** Evaluation: the spec needs a loss; metrics are optional. */
  EVAL("eval"),
  /** Inference: the spec needs predictions. */
  PREDICT("infer");

  private final String key;

  ModeKeys(String key) {
    this.key = key;
  }

  /** The string TensorFlow uses for this mode ("train", "eval", "infer"). */
  public String key() {
    return key;
  }
}
