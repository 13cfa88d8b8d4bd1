package io.estimator4j.estimator.head;

import io.estimator4j.estimator.modelfn.ModelFnContext;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssertThat;
import org.tensorflow.op.core.HashTable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TIntegral;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * Label checks and conversions shared by the heads, with tf.estimator's messages: the Java form of
 * base_head.py's check_dense_labels_match_logits_and_reshape and check_label_range, and of the
 * heads' vocabulary lookup. Static shapes fail when the graph is built (IllegalArgumentException);
 * values fail when it runs, as a TFInvalidArgumentException whose message holds the rule and the
 * offending values (for the label range, the extreme one).
 */
final class Labels {
  /** How many values a failed assertion prints (tf.debugging's {@code summarize}). */
  static final long SUMMARIZE = 20;

  static final String LABEL_NONE_ERR =
      "You must provide a labels Tensor. Given: None. Suggested troubleshooting steps: Check that "
          + "your data contains your label feature. Check that your input_fn properly parses and "
          + "returns labels.";

  static final String LABEL_SHAPE_ERR =
      "labels shape must be [D0, D1, ... DN, %d]. Suggested Fix: check your n_classes argument to "
          + "the head and/or the shape of your label.";

  static final String MISMATCHED_LABEL_DIM_ERR =
      "Mismatched label shape. Expected labels dimension=%d.  Received %d. Suggested Fix: If your "
          + "classifier expects one-hot encoding label, check your n_classes argument to the "
          + "estimator and/or the shape of your label. Otherwise, check the shape of your label.";

  /** The labels of a head: the single labels, or the entry named after the head. */
  static Operand<?> labelsOf(ModelFnContext ctx, String headName) {
    if (headName != null && ctx.labelsMap().size() > 1 && ctx.labelsMap().containsKey(headName)) {
      return ctx.labelsMap().get(headName);
    }
    return ctx.labels();
  }

  /**
   * Python's check_dense_labels_match_logits_and_reshape: labels must be {@code [D0, ... DN,
   * expectedDim]} for logits {@code [D0, ... DN, logits_dimension]}; labels one rank short get a
   * trailing dimension. Static shapes are checked when the graph is built, the rest when it runs.
   */
  static <T extends TType> Operand<T> checkLabels(
      Ops tf, Operand<T> labels, Operand<TFloat32> logits, int expectedDim) {
    Shape gs = logits.shape();
    Shape ls = labels.shape();
    if (!ls.isUnknown() && !gs.isUnknown() && ls.numDimensions() == gs.numDimensions() - 1) {
      labels = tf.expandDims(labels, tf.constant(-1));
      ls = labels.shape();
    }
    if (!ls.isUnknown()) {
      if (ls.numDimensions() < 2) {
        throw new IllegalArgumentException(
            String.format(LABEL_SHAPE_ERR, expectedDim)
                + " Received labels of shape "
                + ls
                + " for logits of shape "
                + gs
                + ".");
      }
      long last = ls.get(ls.numDimensions() - 1);
      if (last != Shape.UNKNOWN_SIZE && last != expectedDim) {
        throw new IllegalArgumentException(
            String.format(MISMATCHED_LABEL_DIM_ERR, expectedDim, last));
      }
    }
    if (ls.isUnknown() || gs.isUnknown()) {
      return labels;
    }
    Shape expected = gs.take(gs.numDimensions() - 1).append(expectedDim);
    if (ls.numDimensions() != gs.numDimensions() || !expected.isCompatibleWith(ls)) {
      throw new IllegalArgumentException(
          String.format(LABEL_SHAPE_ERR, expectedDim)
              + " expected_labels_shape: "
              + expected
              + ". labels_shape: "
              + ls
              + ".");
    }
    Operand<TInt32> logitsShape = tf.shape(logits);
    // runs in every training step: where logits already end in expectedDim, their shape is the
    // expected one and needs no Slice and ConcatV2
    Operand<TInt32> expectedShape =
        gs.get(gs.numDimensions() - 1) == expectedDim
            ? logitsShape
            : tf.concat(
                List.of(
                    tf.slice(
                        logitsShape,
                        tf.constant(new int[] {0}),
                        tf.constant(new int[] {gs.numDimensions() - 1})),
                    tf.constant(new int[] {expectedDim})),
                tf.constant(0));
    Operand<TInt32> labelsShape = tf.shape(labels);
    AssertThat check =
        tf.assertThat(
            tf.reduceAll(tf.math.equal(expectedShape, labelsShape), tf.constant(0)),
            List.of(
                tf.constant(String.format(LABEL_SHAPE_ERR, expectedDim)),
                tf.constant("expected_labels_shape: "),
                expectedShape,
                tf.constant("labels_shape: "),
                labelsShape));
    return tf.withControlDependencies(List.of(check)).identity(labels);
  }

  /**
   * Python's check_label_range: asserts {@code 0 <= labels <= nClasses - 1} when the graph runs. A
   * failure is a TFInvalidArgumentException whose message holds {@code tooLarge} or {@code
   * negative} followed by the largest or the smallest label, e.g. {@code [3]}.
   *
   * <p>It runs in every training step, so it is built from two reductions and two scalar
   * comparisons: printing every offending value (Where and GatherNd on the batch, computed even
   * when the check passes) cost the census estimators 4-6 % of their step time (BENCHMARKS.md,
   * issue 13).
   */
  static <T extends TNumber> Operand<T> checkLabelRange(
      Ops tf, Operand<T> labels, int nClasses, String tooLarge, String negative) {
    Ops s = tf.withSubScope("check_label_range");
    Operand<T> flat = s.reshape(labels, s.constant(new int[] {-1}));
    Operand<TInt32> axis = s.constant(0);
    Operand<T> largest = s.max(flat, axis);
    Operand<T> smallest = s.min(flat, axis);
    Op upper =
        s.assertThat(
            s.math.lessEqual(largest, s.dtypes.cast(s.constant(nClasses - 1), labels.type())),
            List.of(s.constant(tooLarge), largest));
    Op lower =
        s.assertThat(
            s.math.greaterEqual(smallest, s.dtypes.cast(s.constant(0), labels.type())),
            List.of(s.constant(negative), smallest));
    return s.withControlDependencies(List.of(upper, lower)).identity(labels);
  }

  /** The ids of string labels in {@code vocabulary} (-1 when absent): a HashTable lookup. */
  static Operand<TInt64> lookupIds(
      Ops tf,
      ModelFnContext ctx,
      Operand<TString> labels,
      List<String> vocabulary,
      boolean emptyIsPadding) {
    Ops s = tf.withSubScope("class_id_lookup");
    long[] ids = new long[vocabulary.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = i;
    }
    HashTable table = s.hashTable(TString.class, TInt64.class);
    ctx.addLocalInitOp(
        s.initializeTable(table, HeadSupport.strings(s, vocabulary), s.constant(ids)));
    Operand<TInt64> found = s.lookupTableFind(table, labels, s.constant(-1L));
    Operand<TString> flatLabels = s.reshape(labels, s.constant(new int[] {-1}));
    Operand<TBool> missing =
        s.math.less(s.reshape(found, s.constant(new int[] {-1})), s.constant(0L));
    if (emptyIsPadding) {
      missing = s.math.logicalAnd(missing, s.math.notEqual(flatLabels, s.constant("")));
    }
    Op check =
        assertNone(
            s,
            missing,
            "Labels must be in label_vocabulary " + vocabulary + ". Labels not in it:",
            flatLabels);
    return s.withControlDependencies(List.of(check)).identity(found);
  }

  /** Asserts that no element of {@code bad} is true, printing the values where it is. */
  private static <T extends TType> Op assertNone(
      Ops tf, Operand<TBool> bad, String message, Operand<T> flatValues) {
    return tf.assertThat(
        tf.math.logicalNot(tf.reduceAny(bad, tf.constant(0))),
        // the values where bad is true (tf.booleanMask fails inside a sub-scope in 1.1.0)
        List.of(tf.constant(message), tf.gatherNd(flatValues, tf.where(bad))),
        AssertThat.summarize(SUMMARIZE));
  }

  /** Checks the labels' dtype and returns them: strings with a vocabulary, numbers without. */
  static Operand<?> checkLabelType(Operand<?> labels, List<String> vocabulary, boolean integer) {
    Class<? extends TType> type = labels.type();
    if (vocabulary != null) {
      if (type != TString.class) {
        throw new IllegalArgumentException(
            "Labels dtype should be string if there is a vocabulary. Instead got "
                + type.getSimpleName()
                + ". Fix: give string labels, or drop labelVocabulary.");
      }
    } else if (type == TString.class) {
      throw new IllegalArgumentException(
          "Labels are strings but the head has no label_vocabulary. Fix: set labelVocabulary("
              + "...) on the head, or give "
              + (integer ? "integer class ids" : "numeric labels")
              + ".");
    } else if (integer && !TIntegral.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(
          "Labels dtype should be integer. Instead got "
              + type.getSimpleName()
              + ". Fix: give integer class ids in [0, n_classes).");
    } else if (!TNumber.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(
          "Labels dtype should be numeric. Instead got " + type.getSimpleName() + ".");
    }
    return labels;
  }

  private Labels() {}
}
