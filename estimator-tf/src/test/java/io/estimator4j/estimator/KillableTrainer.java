package io.estimator4j.estimator;

import java.nio.file.Path;

/** Child-JVM entry point of {@link KillAndResumeTest}: trains forever, checkpointing every step. */
public final class KillableTrainer {
  private KillableTrainer() {}

  public static void main(String[] args) {
    Estimator est =
        TestModels.linear(
            Path.of(args[0]),
            TestModels.quietConfig().saveCheckpointsSteps(1).keepCheckpointMax(3));
    est.train(TestModels.trainInput(null), StepLimit.steps(1_000_000));
  }
}
