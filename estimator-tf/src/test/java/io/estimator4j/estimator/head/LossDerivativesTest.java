package io.estimator4j.estimator.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.modelfn.ModelFnContext;
import io.estimator4j.estimator.modelfn.Params;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Closed-form loss derivatives on tiny batches worked out by hand, and the gradient checked against
 * TensorFlow's own differentiation of the head's loss.
 */
class LossDerivativesTest {
  private static final float LN3 = (float) Math.log(3);

  /** gradients, hessians and TensorFlow's gradient of head.loss, flattened. */
  private record Values(float[] g, float[] h, float[] autodiff) {}

  private static Values run(
      Head head,
      float[][] logits,
      Function<Ops, Operand<?>> labels,
      Map<String, Function<Ops, Operand<?>>> features) {
    try (Graph graph = new Graph();
        Session s = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Map<String, Operand<?>> f = new HashMap<>();
      features.forEach((k, v) -> f.put(k, v.apply(tf)));
      ModelFnContext ctx =
          new ModelFnContext(
              tf,
              f,
              Map.of("labels", labels.apply(tf)),
              ModeKeys.TRAIN,
              Params.empty(),
              RunConfig.builder().build(),
              tf.withName("global_step").variable(tf.constant(0L)));
      Operand<TFloat32> z = tf.constant(logits);
      LossDerivatives.Derivatives d = LossDerivatives.of(head, ctx, z);
      Operand<TFloat32> loss = head.loss(ctx, Labels.labelsOf(ctx, null), z, null);
      Operand<?> grad = tf.gradients(loss, List.of(z)).dy(0);
      s.initialize();
      if (!ctx.localInitOps().isEmpty()) {
        Session.Runner init = s.runner();
        ctx.localInitOps().forEach(init::addTarget);
        init.run();
      }
      try (Result r = s.runner().fetch(d.gradients()).fetch(d.hessians()).fetch(grad).run()) {
        return new Values(flat(r.get(0)), flat(r.get(1)), flat(r.get(2)));
      }
    }
  }

  private static float[] flat(org.tensorflow.Tensor t) {
    TFloat32 f = (TFloat32) t;
    float[] out = new float[(int) f.size()];
    int[] i = {0};
    f.scalars().forEach(x -> out[i[0]++] = x.getFloat());
    return out;
  }

  @Test
  void binaryLogisticLoss() {
    // logits [0, ln 3], labels [1, 0], mean over the batch of 2:
    // p = sigmoid(z) = [1/2, 3/4]; g = (p - y) / 2 = [-1/4, 3/8]; h = p (1 - p) / 2 = [1/8, 3/32]
    Values v =
        run(
            BinaryClassHead.builder().build(),
            new float[][] {{0f}, {LN3}},
            tf -> tf.constant(new float[][] {{1f}, {0f}}),
            Map.of());
    assertThat(v.g()).containsExactly(new float[] {-0.25f, 0.375f}, within(1e-6f));
    assertThat(v.h()).containsExactly(new float[] {0.125f, 0.09375f}, within(1e-6f));
    assertThat(v.autodiff()).containsExactly(v.g(), within(1e-6f));
  }

  @Test
  void weightsAndALabelVocabularyFollowTheHead() {
    // labels "yes" -> 1, "no" -> 0; weights [2, 0]; SUM_OVER_BATCH_SIZE still divides by 2:
    // g = w (p - y) / 2 = [2 (1/2 - 1) / 2, 0] = [-1/2, 0]; h = w p (1 - p) / 2 = [1/4, 0]
    Values v =
        run(
            BinaryClassHead.builder()
                .labelVocabulary(List.of("no", "yes"))
                .weightColumn("w")
                .build(),
            new float[][] {{0f}, {LN3}},
            tf -> tf.constant(StandardCharsets.UTF_8, new String[] {"yes", "no"}),
            Map.of("w", tf -> tf.constant(new float[] {2f, 0f})));
    assertThat(v.g()).containsExactly(new float[] {-0.5f, 0f}, within(1e-6f));
    assertThat(v.h()).containsExactly(new float[] {0.25f, 0f}, within(1e-6f));
    assertThat(v.autodiff()).containsExactly(v.g(), within(1e-6f));
  }

  @Test
  void multiClassSoftmaxHasTheFullHessian() {
    // one example, logits [0, 0, 0], label 2: p = [1/3, 1/3, 1/3];
    // g = p - onehot(2) = [1/3, 1/3, -2/3]; H = diag(p) - p p^T: 2/9 on the diagonal, -1/9 off it
    Values v =
        run(
            MultiClassHead.builder(3).build(),
            new float[][] {{0f, 0f, 0f}},
            tf -> tf.constant(new int[][] {{2}}),
            Map.of());
    float a = 2f / 9, b = -1f / 9;
    assertThat(v.g()).containsExactly(new float[] {1f / 3, 1f / 3, -2f / 3}, within(1e-6f));
    assertThat(v.h()).containsExactly(new float[] {a, b, b, b, a, b, b, b, a}, within(1e-6f));
    assertThat(v.autodiff()).containsExactly(v.g(), within(1e-6f));
  }

  @Test
  void squaredError() {
    // logits [3, 0], labels [1, 0]: g = 2 (z - y) / 2 = [2, 0]; h = 2 / 2 = [1, 1]
    Values v =
        run(
            RegressionHead.builder().build(),
            new float[][] {{3f}, {0f}},
            tf -> tf.constant(new float[][] {{1f}, {0f}}),
            Map.of());
    assertThat(v.g()).containsExactly(new float[] {2f, 0f}, within(1e-6f));
    assertThat(v.h()).containsExactly(new float[] {1f, 1f}, within(1e-6f));
    assertThat(v.autodiff()).containsExactly(v.g(), within(1e-6f));
  }

  @Test
  void otherLossesAreRefusedByName() {
    assertThatThrownBy(
            () ->
                run(
                    PoissonRegressionHead.builder().build(),
                    new float[][] {{0f}},
                    tf -> tf.constant(new float[][] {{1f}}),
                    Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PoissonRegressionHead")
        .hasMessageContaining("Fix:");
  }
}
