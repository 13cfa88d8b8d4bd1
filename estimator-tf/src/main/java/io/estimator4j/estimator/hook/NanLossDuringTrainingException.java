package io.estimator4j.estimator.hook;

/**
 * The training loss became NaN or infinite; Java counterpart of
 * tf.estimator.NanLossDuringTrainingError.
 */
public final class NanLossDuringTrainingException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final long step;

  public NanLossDuringTrainingException(long step, double loss) {
    super(
        "Model diverged with loss = "
            + loss
            + " at step "
            + step
            + ". The last checkpoint before this step is kept. Fix: lower the learning rate, "
            + "normalise the inputs, or clip gradients.");
    this.step = step;
  }

  /** The global step reached by the run that produced the bad loss. */
  public long step() {
    return step;
  }
}
