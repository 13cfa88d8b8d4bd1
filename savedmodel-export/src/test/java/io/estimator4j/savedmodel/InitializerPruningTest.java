package io.estimator4j.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

class InitializerPruningTest {

  @Test
  void dropsTheInitialisersOfSavedVariablesAndKeepsTheOthers() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> kernel =
          tf.withName("kernel").variable(tf.withName("kernel_value").constant(new float[] {1, 2}));
      Variable<TFloat32> step =
          tf.withName("step").variable(tf.withName("step_value").constant(0f));
      tf.withName("y").math.mul(kernel, step);
      try (Session s = new Session(g)) {
        s.initialize(); // tensorflow-java gathers the initialisers under Init
      }
      GraphDef graphDef = g.toGraphDef();
      assertThat(names(graphDef)).contains("Init", "kernel_value", "step_value");

      InitializerPruning.Pruned onlyKernel = InitializerPruning.prune(graphDef, Set.of("kernel"));
      assertThat(names(onlyKernel.graphDef()))
          .contains("kernel", "step", "step_value", "y", "Init")
          .doesNotContain("kernel_value");
      assertThat(onlyKernel.mainOp()).isEqualTo("Init");

      InitializerPruning.Pruned both = InitializerPruning.prune(graphDef, Set.of("kernel", "step"));
      assertThat(names(both.graphDef()))
          .contains("kernel", "step", "y")
          .doesNotContain("kernel_value", "step_value", "Init");
      assertThat(both.mainOp()).isNull();
    }
  }

  @Test
  void aGraphWithoutInitIsLeftAsItIs() {
    try (Graph g = new Graph()) {
      Ops.create(g).withName("c").constant(1f);
      GraphDef graphDef = g.toGraphDef();
      InitializerPruning.Pruned pruned = InitializerPruning.prune(graphDef, Set.of("c"));
      assertThat(pruned.graphDef()).isEqualTo(graphDef);
      assertThat(pruned.mainOp()).isNull();
    }
  }

  private static List<String> names(GraphDef graphDef) {
    return graphDef.getNodeList().stream().map(NodeDef::getName).toList();
  }
}
