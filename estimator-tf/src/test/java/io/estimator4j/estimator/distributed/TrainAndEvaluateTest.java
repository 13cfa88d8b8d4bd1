package io.estimator4j.estimator.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.estimator.BestExporter;
import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.FinalExporter;
import io.estimator4j.estimator.LatestExporter;
import io.estimator4j.estimator.TestModels;
import io.estimator4j.estimator.export.ServingInputReceiverFn;
import io.estimator4j.estimator.export.ServingInputReceivers;
import io.estimator4j.estimator.summary.SummaryWriter;
import io.estimator4j.savedmodel.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.types.TFloat32;

class TrainAndEvaluateTest {
  @TempDir Path dir;
  static final ServingInputReceiverFn RAW =
      ServingInputReceivers.raw(Map.of("x", TensorSpec.of(TFloat32.class, -1)));

  @Test
  void evaluatesAfterCheckpointsAndExports() throws Exception {
    Estimator est = TestModels.linear(dir, TestModels.quietConfig().saveCheckpointsSteps(20));
    EvalSpec eval =
        EvalSpec.of(TestModels.evalInput())
            .withSteps(null)
            .withThrottleSecs(0)
            .withExporters(
                List.of(
                    new LatestExporter("latest", RAW, Map.of(), 2),
                    new FinalExporter("final", RAW),
                    BestExporter.onLoss(RAW)));
    TrainAndEvaluate.Result r =
        TrainAndEvaluate.run(est, TrainSpec.of(TestModels.trainInput(null), 60L), eval);
    // checkpoints at 0 (skipped), 20, 40, 60 -> three evaluations
    assertThat(r.metrics().get("global_step")).isEqualTo(60.0);
    assertThat(r.exports().get("latest")).hasSize(3);
    assertThat(versions(dir.resolve("export/latest"))).hasSize(2); // exports_to_keep = 2
    assertThat(r.exports().get("final")).hasSize(1);
    // the loss falls on this convex problem, so every evaluation is the best so far
    assertThat(r.exports().get("best_exporter")).hasSize(3);
  }

  @Test
  void bestExporterRemembersTheBestAcrossRestarts() throws Exception {
    // A previous process evaluated a much better model at step 5 (loss 1e-9).
    try (SummaryWriter w = new SummaryWriter(dir.resolve("eval"))) {
      w.scalar("loss", 5, 1e-9);
    }
    Estimator est = TestModels.linear(dir, TestModels.quietConfig().saveCheckpointsSteps(10));
    EvalSpec eval =
        EvalSpec.of(TestModels.evalInput())
            .withSteps(null)
            .withThrottleSecs(0)
            .withExporters(List.of(BestExporter.onLoss(RAW)));
    TrainAndEvaluate.Result r =
        TrainAndEvaluate.run(est, TrainSpec.of(TestModels.trainInput(null), 20L), eval);
    // TensorFlow would export the first evaluation after a restart (issue #47396); not here
    assertThat(r.exports().get("best_exporter")).isEmpty();
  }

  private static List<Path> versions(Path p) throws Exception {
    try (Stream<Path> s = Files.list(p)) {
      return s.filter(f -> f.getFileName().toString().matches("\\d+")).toList();
    }
  }
}
