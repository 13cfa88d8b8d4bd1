package io.estimator4j.estimator.distributed.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.estimator.config.ClusterConfig;
import io.estimator4j.graph.Variables;
import org.junit.jupiter.api.Test;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

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

  private static String device(Graph g, String name) {
    GraphOperation op = g.operation(name);
    assertThat(op).as("op %s", name).isNotNull();
    return op.device();
  }
}
