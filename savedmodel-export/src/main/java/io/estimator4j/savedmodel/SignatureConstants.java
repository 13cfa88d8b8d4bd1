package io.estimator4j.savedmodel;

/**
 * SignatureDef keys, method names and input/output keys of TensorFlow Serving, plus the MetaGraph
 * tags; Java counterpart of tf.saved_model.signature_constants and tag_constants, with the
 * signature keys tf.estimator's heads use.
 */
public final class SignatureConstants {
  private SignatureConstants() {}

  /** The signature TensorFlow Serving uses when a request names none. */
  public static final String DEFAULT_SERVING_SIGNATURE_DEF_KEY = "serving_default";

  /** Signature key of a head's classification output (a tf.estimator convention). */
  public static final String CLASSIFY_SERVING_KEY = "classification";

  /** Signature key of a head's regression output (a tf.estimator convention). */
  public static final String REGRESS_SERVING_KEY = "regression";

  /** Signature key of a head's predict output (a tf.estimator convention). */
  public static final String PREDICT_SERVING_KEY = "predict";

  /** Signature key of the training graph's signature (DEFAULT_TRAIN_SIGNATURE_DEF_KEY). */
  public static final String DEFAULT_TRAIN_SIGNATURE_DEF_KEY = "train";

  /** Signature key of the evaluation graph's signature (DEFAULT_EVAL_SIGNATURE_DEF_KEY). */
  public static final String DEFAULT_EVAL_SIGNATURE_DEF_KEY = "eval";

  /** Method name of classification signatures. */
  public static final String CLASSIFY_METHOD_NAME = "tensorflow/serving/classify";

  /** Method name of regression signatures. */
  public static final String REGRESS_METHOD_NAME = "tensorflow/serving/regress";

  /** Method name of predict signatures. */
  public static final String PREDICT_METHOD_NAME = "tensorflow/serving/predict";

  /** Method name of the signature of a training graph (TrainOutput). */
  public static final String SUPERVISED_TRAIN_METHOD_NAME = "tensorflow/supervised/training";

  /** Method name of the signature of an evaluation graph (EvalOutput). */
  public static final String SUPERVISED_EVAL_METHOD_NAME = "tensorflow/supervised/eval";

  /** Input key of classification signatures (one serialized tf.Example string tensor). */
  public static final String CLASSIFY_INPUTS = "inputs";

  /** Output key of the class names of classification signatures. */
  public static final String CLASSIFY_OUTPUT_CLASSES = "classes";

  /** Output key of the scores of classification signatures. */
  public static final String CLASSIFY_OUTPUT_SCORES = "scores";

  /** Input key of regression signatures (one serialized tf.Example string tensor). */
  public static final String REGRESS_INPUTS = "inputs";

  /** Output key of regression signatures. */
  public static final String REGRESS_OUTPUTS = "outputs";

  /** Default input key of predict signatures. */
  public static final String PREDICT_INPUTS = "inputs";

  /** Default output key of predict signatures. */
  public static final String PREDICT_OUTPUTS = "outputs";

  /** MetaGraph tag of the serving graph (tag_constants.SERVING). */
  public static final String SERVING_TAG = "serve";

  /** MetaGraph tag of a training graph (tag_constants.TRAINING). */
  public static final String TRAINING_TAG = "train";

  /** MetaGraph tag of an evaluation graph (tag_constants.EVAL). */
  public static final String EVAL_TAG = "eval";
}
