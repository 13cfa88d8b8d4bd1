package io.estimator4j.estimator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.layers.Fetch;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

class MetricsTest {
  private static final float TOLERANCE = 1e-6f;

  @Test
  void meanOverTwoBatchesThenReset() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> values = floats(tf, "values");
      Metric mean = Metrics.mean(tf, "mean", values, null);

      assertThat(mean.localVariables())
          .extracting(v -> v.op().name())
          .containsExactly("mean/total", "mean/count");
      assertThat(g.isInitializer(mean.localVariables().get(0).op())).isFalse();

      Fetch.run(s, mean.initializer());
      assertThat(Fetch.scalar(s, mean.value())).isZero(); // div_no_nan: 0 / 0 = 0
      update(s, mean, values, 1, 2, 3); // total 6, count 3
      update(s, mean, values, 4); // total 10, count 4
      assertThat(Fetch.scalar(s, mean.value())).isEqualTo(2.5f); // 10 / 4

      Fetch.run(s, mean.initializer());
      assertThat(Fetch.scalar(s, mean.value())).isZero();
      update(s, mean, values, 8);
      assertThat(Fetch.scalar(s, mean.value())).isEqualTo(8f);
    }
  }

  @Test
  void updateOpReturnsTheRunningValueAsInPython() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Metric mean = Metrics.mean(tf, "mean", tf.constant(new float[] {1, 3}), null);
      Fetch.run(s, mean.initializer());
      // each run adds total 4, count 2: the returned value stays 2
      assertThat(Fetch.scalar(s, (Operand<?>) mean.update())).isEqualTo(2f);
      assertThat(Fetch.scalar(s, (Operand<?>) mean.update())).isEqualTo(2f);
      assertThat(Fetch.scalar(s, mean.localVariables().get(1))).isEqualTo(4f);
    }
  }

  @Test
  void weightedMean() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      // values [1, 2, 3], weights [[1], [0], [2]] (squeezed to [1, 0, 2])
      Metric mean =
          Metrics.mean(
              tf,
              "weighted",
              tf.constant(new float[] {1, 2, 3}),
              tf.constant(new float[][] {{1}, {0}, {2}}));
      Fetch.run(s, mean.initializer());
      Fetch.run(s, mean.update());
      // total = 1·1 + 2·0 + 3·2 = 7, count = 1 + 0 + 2 = 3
      assertThat(Fetch.scalar(s, mean.value())).isCloseTo(7f / 3, within(TOLERANCE));
    }
  }

  @Test
  void scalarWeightIsBroadcast() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Metric mean =
          Metrics.mean(tf, "m", tf.constant(new float[][] {{1, 2}, {3, 4}}), tf.constant(0.5f));
      Fetch.run(s, mean.initializer());
      Fetch.run(s, mean.update());
      // total = 0.5·10 = 5, count = 0.5·4 = 2
      assertThat(Fetch.scalar(s, mean.value())).isEqualTo(2.5f);
      assertThat(Fetch.scalar(s, mean.localVariables().get(1))).isEqualTo(2f);
    }
  }

  @Test
  void accuracyOverTwoBatches() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TInt64> labels = int64s(tf, "labels");
      Placeholder<TInt64> predictions = int64s(tf, "predictions");
      Metric accuracy = Metrics.accuracy(tf, "accuracy", labels, predictions, null);
      Fetch.run(s, accuracy.initializer());

      // batch 1: labels [1, 0, 1, 1], predictions [1, 1, 1, 0]: 2 of 4 correct
      updateLabels(
          s, accuracy, labels, predictions, new long[] {1, 0, 1, 1}, new long[] {1, 1, 1, 0});
      assertThat(Fetch.scalar(s, accuracy.value())).isEqualTo(0.5f);
      // batch 2: labels [0, 0], predictions [0, 0]: 2 of 2; total (2 + 2) / (4 + 2) = 2/3
      updateLabels(s, accuracy, labels, predictions, new long[] {0, 0}, new long[] {0, 0});
      assertThat(Fetch.scalar(s, accuracy.value())).isCloseTo(2f / 3, within(TOLERANCE));
      assertThat(accuracy.localVariables())
          .extracting(v -> v.op().name())
          .containsExactly("accuracy/total", "accuracy/count");
    }
  }

  @Test
  void weightedAccuracyWithColumnLabelsAndFloatPredictions() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      // labels [[1], [0], [1]] (squeezed), predictions cast to int64: [1, 1, 0]
      Metric accuracy =
          Metrics.accuracy(
              tf,
              "acc",
              tf.constant(new long[][] {{1}, {0}, {1}}),
              tf.constant(new float[] {1, 1, 0}),
              tf.constant(new float[] {3, 1, 1}));
      Fetch.run(s, accuracy.initializer());
      Fetch.run(s, accuracy.update());
      // correct [1, 0, 0] weighted by [3, 1, 1]: 3 / 5
      assertThat(Fetch.scalar(s, accuracy.value())).isCloseTo(0.6f, within(TOLERANCE));
    }
  }

  @Test
  void incompatibleShapesAreRejected() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      assertThatThrownBy(
              () ->
                  Metrics.accuracy(
                      tf,
                      "acc",
                      tf.constant(new long[] {1, 0, 1}),
                      tf.constant(new long[] {1, 0}),
                      null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("labels shape [3] is not compatible with predictions shape [2]");
    }
  }

  @Test
  void meanSquaredError() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Metric mse =
          Metrics.meanSquaredError(
              tf,
              "mse",
              tf.constant(new float[] {1, 2}),
              tf.constant(new float[][] {{2}, {4}}),
              null);
      Fetch.run(s, mse.initializer());
      Fetch.run(s, mse.update());
      // ((2 - 1)² + (4 - 2)²) / 2 = (1 + 4) / 2 = 2.5
      assertThat(Fetch.scalar(s, mse.value())).isEqualTo(2.5f);
    }
  }

  @Test
  void precisionAndRecall() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TInt64> labels = tf.constant(new long[] {1, 0, 1, 0, 1});
      Operand<TInt64> predictions = tf.constant(new long[] {1, 1, 0, 0, 1});
      Metric precision = Metrics.precision(tf, "precision", labels, predictions, null);
      Metric recall = Metrics.recall(tf, "recall", labels, predictions, null);

      assertThat(precision.localVariables())
          .extracting(v -> v.op().name())
          .containsExactly("precision/true_positives/count", "precision/false_positives/count");
      assertThat(recall.localVariables())
          .extracting(v -> v.op().name())
          .containsExactly("recall/true_positives/count", "recall/false_negatives/count");

      Fetch.run(s, precision.initializer(), recall.initializer());
      assertThat(Fetch.scalar(s, precision.value())).isZero(); // no positives yet
      Fetch.run(s, precision.update(), recall.update());
      // tp = 2 (items 0, 4), fp = 1 (item 1), fn = 1 (item 2)
      assertThat(Fetch.scalar(s, precision.value())).isCloseTo(2f / 3, within(TOLERANCE));
      assertThat(Fetch.scalar(s, recall.value())).isCloseTo(2f / 3, within(TOLERANCE));
    }
  }

  @Test
  void weightedPrecision() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Metric precision =
          Metrics.precision(
              tf,
              "p",
              tf.constant(new float[] {1, 0, 1}),
              tf.constant(new float[] {1, 1, 1}),
              tf.constant(new float[] {2, 3, 1}));
      Fetch.run(s, precision.initializer());
      Fetch.run(s, precision.update());
      // tp weight 2 + 1 = 3, fp weight 3: 3 / 6
      assertThat(Fetch.scalar(s, precision.value())).isEqualTo(0.5f);
    }
  }

  @Test
  void sameNameTwiceGetsAUniqueScope() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Metrics.mean(tf, "loss", tf.constant(1f), null);
      Metric second = Metrics.mean(tf, "loss", tf.constant(2f), null);
      assertThat(second.localVariables().get(0).op().name()).isEqualTo("loss_1/total");
    }
  }

  @Test
  void pathNamesBecomeNestedScopes() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Metric metric = Metrics.mean(tf, "prediction/mean", tf.constant(1f), null);
      assertThat(metric.localVariables())
          .extracting(v -> v.op().name())
          .containsExactly("prediction/mean/total", "prediction/mean/count");
      assertThatThrownBy(() -> Metrics.mean(tf, "a//b", tf.constant(1f), null))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> Metrics.mean(tf, "", tf.constant(1f), null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("needs a name");
    }
  }

  private static Placeholder<TFloat32> floats(Ops tf, String name) {
    return tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
  }

  private static Placeholder<TInt64> int64s(Ops tf, String name) {
    return tf.withName(name).placeholder(TInt64.class, Placeholder.shape(Shape.of(-1)));
  }

  private static void update(Session s, Metric metric, Placeholder<TFloat32> feed, float... batch) {
    try (Tensor t = TFloat32.vectorOf(batch)) {
      s.runner().feed(feed, t).addTarget(metric.update()).run().close();
    }
  }

  private static void updateLabels(
      Session s,
      Metric metric,
      Placeholder<TInt64> labels,
      Placeholder<TInt64> predictions,
      long[] labelBatch,
      long[] predictionBatch) {
    try (Tensor l = TInt64.vectorOf(labelBatch);
        Tensor p = TInt64.vectorOf(predictionBatch)) {
      s.runner().feed(labels, l).feed(predictions, p).addTarget(metric.update()).run().close();
    }
  }
}
