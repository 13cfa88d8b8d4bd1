package io.estimator4j.estimator;

import io.estimator4j.checkpoint.CheckpointState;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.export.ServingInputReceivers;
import io.estimator4j.estimator.hook.SessionRunContext;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.hook.SessionRunValues;
import io.estimator4j.savedmodel.TensorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tensorflow.types.TFloat32;

/**
 * Child-JVM entry point of {@link KillAndResumeTest} and {@link FaultInjectionTest}; the parent
 * kills it. Standard output carries only the lines the parent reads.
 *
 * <ul>
 *   <li>{@code <modelDir>}: trains forever, checkpointing every step.
 *   <li>{@code train <modelDir> <steps>}: trains with a checkpoint and summaries every step,
 *       printing {@code step <n>} after each step.
 *   <li>{@code export <modelDir> <exportBase> <count>}: exports the latest checkpoint {@code count}
 *       times, printing {@code export <i>} before each.
 *   <li>{@code resume <modelDir> <steps>}: evaluates, trains {@code steps} more, evaluates again
 *       and prints {@code resumed <before> <after> <eval global_step> <eval loss>} (before: the
 *       evaluated step, -1 without checkpoint).
 * </ul>
 */
public final class KillableTrainer {
  static final String STEP = "step ";
  static final String EXPORT = "export ";
  static final String RESUMED = "resumed ";

  private KillableTrainer() {}

  public static void main(String[] args) {
    if (args.length == 1) {
      Estimator est =
          TestModels.linear(
              Path.of(args[0]),
              TestModels.quietConfig().saveCheckpointsSteps(1).keepCheckpointMax(3));
      est.train(TestModels.trainInput(null), StepLimit.steps(1_000_000));
      return;
    }
    Estimator est = TestModels.linear(Path.of(args[1]), faultConfig());
    switch (args[0]) {
      case "train" ->
          est.train(
              TestModels.trainInput(null),
              StepLimit.steps(Long.parseLong(args[2])),
              List.of(new PrintSteps()),
              List.of());
      case "export" -> {
        for (int i = 0; i < Integer.parseInt(args[3]); i++) {
          System.out.println(EXPORT + i);
          System.out.flush();
          est.exportSavedModel(
              Path.of(args[2]),
              ServingInputReceivers.raw(Map.of("x", TensorSpec.of(TFloat32.class, -1))));
        }
      }
      case "resume" -> {
        long before =
            est.latestCheckpoint()
                .map(p -> est.evaluate(TestModels.evalInput()).get("global_step").longValue())
                .orElse(-1L);
        est.train(TestModels.trainInput(null), StepLimit.steps(Long.parseLong(args[2])));
        long after = CheckpointState.stepOf(est.latestCheckpoint().orElseThrow());
        Map<String, Double> metrics = est.evaluate(TestModels.evalInput());
        System.out.println(
            RESUMED
                + before
                + " "
                + after
                + " "
                + metrics.get("global_step").longValue()
                + " "
                + metrics.get("loss"));
      }
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
    System.out.flush();
  }

  /** The fault-injection runs: a checkpoint and summaries every step, three checkpoints kept. */
  static RunConfig.Builder faultConfig() {
    return TestModels.quietConfig()
        .saveCheckpointsSteps(1)
        .keepCheckpointMax(3)
        .saveSummarySteps(1);
  }

  /** Prints {@code step <n>} after every step, for the parent to time random kills. */
  private static final class PrintSteps implements SessionRunHook {
    @Override
    public void afterRun(SessionRunContext ctx, SessionRunValues values) {
      System.out.println(STEP + values.globalStep());
      System.out.flush();
    }
  }
}
