package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.keras.file.KerasWeights;
import io.estimator4j.keras.file.WeightArray;
import io.estimator4j.savedmodel.SavedModelLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

/**
 * KerasModel's variables take the stored weights by feed when its session starts, so its graph
 * holds no weight constant (building it and starting the session copy no weights through a
 * GraphDef); its numbers are those of the constants build, and a SavedModel converted from it
 * leaves the feeding ops out.
 */
class KerasFedWeightsTest {
  @TempDir Path dir;

  @Test
  void theGraphHoldsNoWeightsAndGivesTheSameNumbers() throws Exception {
    Path json = dir.resolve("big.json");
    Files.writeString(
        json,
        """
        {"class_name": "Sequential", "keras_version": "2.9.0", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"name": "x", "batch_input_shape": [null, 1000]}},
          {"class_name": "Dense", "config": {"name": "d1", "units": 500, "activation": "relu"}},
          {"class_name": "BatchNormalization", "config": {"name": "bn"}},
          {"class_name": "Dense", "config": {"name": "d2", "units": 3}}]}}
        """);
    Random r = new Random(4);
    Map<String, KerasWeights.Group> groups = new LinkedHashMap<>();
    groups.put(
        "d1",
        new KerasWeights.Group(
            List.of(arr(r, "d1/kernel:0", 1000, 500), arr(r, "d1/bias:0", 500)), Map.of()));
    groups.put(
        "bn",
        new KerasWeights.Group(
            List.of(
                arr(r, "bn/gamma:0", 500),
                arr(r, "bn/beta:0", 500),
                arr(r, "bn/moving_mean:0", 500),
                positive(arr(r, "bn/moving_variance:0", 500))),
            Map.of()));
    groups.put(
        "d2",
        new KerasWeights.Group(
            List.of(arr(r, "d2/kernel:0", 500, 3), arr(r, "d2/bias:0", 3)), Map.of()));
    Path weights = dir.resolve("big.h5");
    TestFiles.writeKeras2Weights(
        weights,
        new KerasWeights(KerasWeights.Layout.KERAS2, new KerasWeights.Group(List.of(), groups)),
        1);
    KerasModelFile file = KerasModelFile.read(json, weights);
    float[] x = new float[2 * 1000];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat();
    }
    float[] constants;
    try (KerasModel model = KerasModel.build(file, KerasModel.WeightMode.CONSTANTS);
        TFloat32 in = TFloat32.tensorOf(Shape.of(2, 1000), DataBuffers.of(x, true, false))) {
      constants = TestData.predict(model, Map.of("x", in), "d2");
    }
    try (KerasModel model = KerasModel.build(file);
        TFloat32 in = TFloat32.tensorOf(Shape.of(2, 1000), DataBuffers.of(x, true, false))) {
      // 503,503 floats = 2 MB of weights; the graph holds none of them
      assertThat(model.graph().toGraphDef().getSerializedSize()).isLessThan(100_000);
      // (the constants build folds some ops at graph optimisation: the last bit may differ)
      assertThat(TestData.predict(model, Map.of("x", in), "d2"))
          .containsExactly(constants, org.assertj.core.api.Assertions.within(1e-6f));
      // every variable holds its own stored array once the session has started: a feed that
      // assigned an array to another variable of the same shape (bn's moving_mean or beta into
      // its moving_variance, which could then be negative: sqrt -> NaN) shows here even where
      // the outputs could not tell
      Map<String, WeightArray> stored = new HashMap<>();
      groups.values().forEach(g -> g.vars().forEach(w -> stored.put(w.name(), w)));
      List<Variable<TFloat32>> all = new ArrayList<>(model.trainableVariables());
      all.addAll(model.nonTrainableVariables());
      assertThat(all).hasSize(8);
      // the fed assign is each variable's only initialisation: no zeros initializer (a graph
      // initializer that Session.initialize() would run, and grappler would optimise, in a run of
      // its own before the feed) exists, and a session initialised without the feed leaves the
      // variables uninitialised instead of silently zero
      Graph graph = model.graph();
      for (Variable<TFloat32> v : all) {
        assertThat(graph.operation(v.op().name() + "/Assign")).as(v.op().name()).isNull();
        assertThat(graph.isInitializer(v.op())).as(v.op().name()).isFalse();
      }
      try (Session bare = new Session(graph)) {
        bare.initialize();
        assertThatThrownBy(() -> bare.runner().fetch(all.get(0)).run().close())
            .hasMessageContaining("uninitialized");
      }
      for (Variable<TFloat32> v : all) {
        WeightArray w = stored.get(v.op().name() + ":0");
        assertThat(w).as(v.op().name()).isNotNull();
        float[] held = new float[(int) w.shape().size()];
        try (Result fetched = model.session().runner().fetch(v).run()) {
          ((TFloat32) fetched.get(0)).copyTo(DataBuffers.of(held, false, false));
        }
        assertThat(held).as(v.op().name()).isEqualTo(w.values()); // containsExactly is O(n²)
      }
      Path saved = KerasSavedModel.convert(model, dir.resolve("saved"));
      List<String> nodes =
          SavedModelLoader.readProto(saved).getMetaGraphs(0).getGraphDef().getNodeList().stream()
              .map(NodeDef::getName)
              .toList();
      assertThat(nodes).noneMatch(n -> n.startsWith("keras_weights/")).contains("d1/kernel");
    }
  }

  private static WeightArray arr(Random r, String name, long... shape) {
    float[] v = new float[(int) Shape.of(shape).size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian() * 0.05f;
    }
    return new WeightArray(name, Shape.of(shape), v);
  }

  private static WeightArray positive(WeightArray w) {
    float[] v = w.values().clone();
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.abs(v[i]) + 0.5f;
    }
    return new WeightArray(w.name(), w.shape(), v);
  }
}
