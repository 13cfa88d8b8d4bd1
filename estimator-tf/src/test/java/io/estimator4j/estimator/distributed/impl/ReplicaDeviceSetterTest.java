package io.estimator4j.estimator.distributed.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.estimator.config.ClusterConfig;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.graph.Variables;
import org.junit.jupiter.api.Test;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

class ReplicaDeviceSetterTest {

  @Test
  void variablesGoRoundRobinToThePsTasksAndEverythingElseToTheWorker() {
    ReplicaDeviceSetter setter = new ReplicaDeviceSetter(2, "ps", "/job:worker/task:1");
    assertThat(setter.deviceFor("VariableV2", "global_step")).isEqualTo("/job:ps/task:0");
    assertThat(setter.deviceFor("MatMul", "m")).isEqualTo("/job:worker/task:1");
    assertThat(setter.deviceFor("VariableV2", "kernel")).isEqualTo("/job:ps/task:1");
    assertThat(setter.deviceFor("VarHandleOp", "bias")).isEqualTo("/job:ps/task:0");
  }

  @Test
  void theOpsOwnDeviceFieldsWinWhenMerged() {
    assertThat(ReplicaDeviceSetter.merge("/device:CPU:0", "/job:ps/task:1"))
        .isEqualTo("/job:ps/task:1/device:CPU:0");
    assertThat(ReplicaDeviceSetter.merge("/job:chief", "/job:worker/task:1"))
        .isEqualTo("/job:chief/task:1");
    assertThat(ReplicaDeviceSetter.merge("", "/job:worker/task:0")).isEqualTo("/job:worker/task:0");
    assertThat(ReplicaDeviceSetter.merge("/gpu:1", "")).isEqualTo("/device:GPU:1");
  }

  @Test
  void forClusterUsesThisTasksDeviceAndIsAbsentWithoutPs() {
    ClusterConfig worker =
        ClusterConfig.parse(
            "{\"cluster\": {\"chief\": [\"h:1\"], \"worker\": "
                + "[\"h:2\", \"h:3\"], \"ps\": [\"h:4\", \"h:5\"]}, \"task\": {\"type\": \"worker\", "
                + "\"index\": 1}}");
    ReplicaDeviceSetter setter = ReplicaDeviceSetter.forCluster(worker).orElseThrow();
    assertThat(setter.deviceFor("Add", "a")).isEqualTo("/job:worker/task:1");
    ClusterConfig chiefOnly =
        ClusterConfig.parse(
            "{\"cluster\": {\"chief\": [\"h:1\"]}, \"task\": {\"type\": \"chief\", \"index\": 0}}");
    assertThat(ReplicaDeviceSetter.forCluster(chiefOnly)).isEmpty();
    assertThat(ReplicaDeviceSetter.forCluster(ClusterConfig.local())).isEmpty();
  }

  @Test
  void aPlacingScopePlacesTheOpsOfARealGraph() {
    try (Graph g = new Graph()) {
      Ops tf =
          PlacingScope.wrap(Ops.create(g), new ReplicaDeviceSetter(2, "ps", "/job:worker/task:1"));
      Variable<TFloat32> a = tf.withName("a").variable(tf.constant(1f));
      // exact-name variables (layers, optimizer slots, feature columns) are placed as well
      Variable<TFloat32> b =
          Variables.globalAt(
              tf.withSubScope("dense"), "dense/kernel", tf.constant(new float[] {2f}));
      Operand<TFloat32> sum = tf.withName("sum").math.add(Variables.read(tf, a), tf.constant(3f));
      tf.withName("update").assignAdd(b, tf.constant(new float[] {1f}));
      tf.withDevice(
              DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(0).build())
          .withName("on_cpu")
          .math
          .neg(sum);
      Variable<TFloat32> c = tf.withName("c").variable(Shape.scalar(), TFloat32.class);

      assertThat(device(g, "a")).isEqualTo("/job:ps/task:0");
      assertThat(device(g, "dense/kernel")).isEqualTo("/job:ps/task:1");
      assertThat(device(g, "c")).isEqualTo("/job:ps/task:0");
      assertThat(c.op().name()).isEqualTo("c");
      assertThat(device(g, "sum")).isEqualTo("/job:worker/task:1");
      assertThat(device(g, "on_cpu")).isEqualTo("/job:worker/task:1/device:CPU:0");
      // ops that take a variable directly are left to TensorFlow's colocation (Assign, reads)
      assertThat(device(g, "update")).isEmpty();
      assertThat(device(g, "a/read")).isEmpty();
      assertThat(device(g, "dense/kernel/Assign")).isEmpty();
    }
  }

  @Test
  void greedyPlacementPutsEachVariableOnTheLeastLoadedPsByBytes() {
    try (Graph g = new Graph()) {
      ReplicaDeviceSetter setter =
          new ReplicaDeviceSetter(
              3, "ps", "/job:worker/task:0", RunConfig.PsStrategy.GREEDY_BY_BYTES);
      Ops tf = PlacingScope.wrap(Ops.create(g), setter);
      // bytes = elements * dtype size (float32 4, int64 8, float64 8); loads [ps0, ps1, ps2]:
      // embedding [1000, 8] float32 = 32000 -> ps0 (all 0, lowest index)   [32000, 0, 0]
      // kernel [8, 4] float32 = 128         -> ps1                         [32000, 128, 0]
      // bias [4] float32 = 16               -> ps2                         [32000, 128, 16]
      // global_step int64 scalar = 8        -> ps2 (16 < 128)              [32000, 128, 24]
      // table [100] float64 = 800           -> ps2 (24 < 128)              [32000, 128, 824]
      // kernel_2 [8, 4] float32 = 128       -> ps1 (128 < 824)             [32000, 256, 824]
      tf.withName("embedding").variable(Shape.of(1000, 8), TFloat32.class);
      tf.withName("kernel").variable(Shape.of(8, 4), TFloat32.class);
      tf.withName("bias").variable(tf.zeros(tf.constant(new long[] {4}), TFloat32.class));
      tf.withName("global_step").variable(tf.constant(0L));
      tf.withName("table").variable(Shape.of(100), TFloat64.class);
      tf.withName("kernel_2").variable(Shape.of(8, 4), TFloat32.class);

      assertThat(device(g, "embedding")).isEqualTo("/job:ps/task:0");
      assertThat(device(g, "kernel")).isEqualTo("/job:ps/task:1");
      assertThat(device(g, "bias")).isEqualTo("/job:ps/task:2");
      assertThat(device(g, "global_step")).isEqualTo("/job:ps/task:2");
      assertThat(device(g, "table")).isEqualTo("/job:ps/task:2");
      assertThat(device(g, "kernel_2")).isEqualTo("/job:ps/task:1");
      assertThat(setter.psBytes()).containsExactly(32000L, 256L, 824L);
    }
    // round robin over the same creation order: 0, 1, 2, 0, 1, 2
    ReplicaDeviceSetter roundRobin = new ReplicaDeviceSetter(3, "ps", "/job:worker/task:0");
    assertThat(
            roundRobin.deviceFor("VariableV2", "embedding", Shape.of(1000, 8), DataType.DT_FLOAT))
        .isEqualTo("/job:ps/task:0");
    assertThat(roundRobin.deviceFor("VariableV2", "kernel", Shape.of(8, 4), DataType.DT_FLOAT))
        .isEqualTo("/job:ps/task:1");
    assertThat(roundRobin.psBytes()).containsExactly(0L, 0L, 0L);
  }

  @Test
  void greedyPlacementRefusesAVariableOfUnknownShapeNamingTheFix() {
    ReplicaDeviceSetter setter =
        new ReplicaDeviceSetter(
            2, "ps", "/job:worker/task:0", RunConfig.PsStrategy.GREEDY_BY_BYTES);
    assertThatThrownBy(
            () -> setter.deviceFor("VariableV2", "w", Shape.of(-1, 3), DataType.DT_FLOAT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Cannot place 'w' by size")
        .hasMessageContaining("ROUND_ROBIN");
    ClusterConfig worker =
        ClusterConfig.parse(
            "{\"cluster\": {\"chief\": [\"h:1\"], \"ps\": [\"h:4\", \"h:5\"]}, "
                + "\"task\": {\"type\": \"chief\", \"index\": 0}}");
    ReplicaDeviceSetter greedy =
        ReplicaDeviceSetter.forCluster(worker, RunConfig.PsStrategy.GREEDY_BY_BYTES).orElseThrow();
    assertThat(greedy.deviceFor("VariableV2", "a", Shape.of(10), DataType.DT_FLOAT))
        .isEqualTo("/job:ps/task:0");
    assertThat(greedy.deviceFor("VariableV2", "b", Shape.of(2), DataType.DT_DOUBLE))
        .isEqualTo("/job:ps/task:1");
    assertThat(greedy.deviceFor("VariableV2", "c", Shape.of(1), DataType.DT_FLOAT))
        .isEqualTo("/job:ps/task:1");
    assertThat(greedy.psBytes()).containsExactly(40L, 20L);
  }

  private static String device(Graph g, String name) {
    GraphOperation op = g.operation(name);
    assertThat(op).as("op %s", name).isNotNull();
    return op.device();
  }
}
