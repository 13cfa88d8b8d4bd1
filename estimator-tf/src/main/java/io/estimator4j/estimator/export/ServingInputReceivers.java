package io.estimator4j.estimator.export;

import io.estimator4j.estimator.input.Input;
import io.estimator4j.featurecolumn.parsing.ExampleParser;
import io.estimator4j.featurecolumn.parsing.FeatureSpec;
import io.estimator4j.savedmodel.TensorSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TString;

/**
 * The usual serving input receivers; Java counterparts of
 * tf.estimator.export.build_parsing_serving_input_receiver_fn, build_raw_serving_input_receiver_fn
 * and TensorServingInputReceiver.
 */
public final class ServingInputReceivers {
  /** The receiver key of the parsing receiver, as tf.estimator names it. */
  public static final String EXAMPLES_KEY = "examples";

  /**
   * The receiver key of a single labels tensor, as tf.estimator names it
   * (_SINGLE_LABEL_DEFAULT_NAME).
   */
  public static final String LABEL_KEY = "label";

  private ServingInputReceivers() {}

  /**
   * One string placeholder {@code input_example_tensor} of serialized tf.Examples (receiver key
   * "examples"), parsed with the spec; classify and regress signatures need this receiver.
   */
  public static ServingInputReceiverFn parsing(
      Map<String, ? extends FeatureSpec> spec, Long defaultBatchSize) {
    Map<String, FeatureSpec> copy = new LinkedHashMap<>(spec);
    return tf -> {
      Placeholder<TString> examples =
          tf.withName("input_example_tensor")
              .placeholder(
                  TString.class,
                  Placeholder.shape(Shape.of(defaultBatchSize == null ? -1 : defaultBatchSize)));
      Map<String, Operand<?>> features = ExampleParser.parse(tf, examples, copy).densified(tf);
      return ServingInputReceiver.of(features, Map.of(EXAMPLES_KEY, examples));
    };
  }

  /** One placeholder per feature, with explicit shapes; receiver keys are the feature names. */
  public static ServingInputReceiverFn raw(Map<String, TensorSpec> features) {
    Map<String, TensorSpec> copy = new LinkedHashMap<>(features);
    return tf -> {
      Map<String, Operand<?>> placeholders = new LinkedHashMap<>();
      copy.forEach(
          (k, s) ->
              placeholders.put(
                  k,
                  tf.withName(k.replaceAll("[^A-Za-z0-9_.\\-]", "_"))
                      .placeholder(s.dtype(), Placeholder.shape(s.shape()))));
      return ServingInputReceiver.of(placeholders, placeholders);
    };
  }

  /**
   * Placeholders for features and one labels tensor (receiver keys: the feature names and {@link
   * #LABEL_KEY}), for TRAIN and EVAL exports; tf.estimator's build_raw_supervised_input_receiver_fn
   * with a dict of features and a single labels tensor.
   *
   * @throws IllegalArgumentException if a feature is named {@link #LABEL_KEY}
   */
  public static ServingInputReceiverFn rawSupervised(
      Map<String, TensorSpec> features, TensorSpec labels) {
    if (features.containsKey(LABEL_KEY)) {
      throw new IllegalArgumentException(
          "Features and labels must have distinct keys. Found"
              + " overlapping keys: ["
              + LABEL_KEY
              + "]. Fix: rename the feature '"
              + LABEL_KEY
              + "'.");
    }
    ServingInputReceiverFn raw = raw(features);
    return tf -> {
      ServingInputReceiver r = raw.build(tf);
      Operand<?> l =
          tf.withName("labels").placeholder(labels.dtype(), Placeholder.shape(labels.shape()));
      Map<String, Operand<?>> receiver = new LinkedHashMap<>(r.receiverTensors());
      receiver.put(LABEL_KEY, l);
      return new ServingInputReceiver(
          r.features(), receiver, Map.of(), Map.of(Input.LABELS_KEY, l));
    };
  }

  /**
   * A single tensor fed as it is: the feature {@code featureName} and the receiver key {@code
   * receiverKey} name the same placeholder.
   */
  public static ServingInputReceiverFn tensor(
      String featureName, String receiverKey, TensorSpec spec) {
    return tf -> {
      Operand<?> p =
          tf.withName(receiverKey).placeholder(spec.dtype(), Placeholder.shape(spec.shape()));
      return ServingInputReceiver.of(Map.of(featureName, p), Map.of(receiverKey, p));
    };
  }
}
