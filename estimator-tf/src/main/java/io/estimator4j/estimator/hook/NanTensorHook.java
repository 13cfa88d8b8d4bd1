package io.estimator4j.estimator.hook;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Operand;

/**
 * Stops training when the loss is NaN or infinite; Java counterpart of tf.estimator.NanTensorHook.
 */
public final class NanTensorHook implements SessionRunHook {
  private static final Logger LOG = LoggerFactory.getLogger(NanTensorHook.class);
  private static final String KEY = "nan_tensor_hook/loss";
  private final Operand<?> loss;
  private final boolean failOnNanLoss;
  // One instance for every step: the run loop reuses its fetch plan while the args stay the same.
  private final SessionRunArgs args;

  public NanTensorHook(Operand<?> loss, boolean failOnNanLoss) {
    this.loss = loss;
    this.failOnNanLoss = failOnNanLoss;
    this.args = SessionRunArgs.fetch(KEY, loss);
  }

  @Override
  public SessionRunArgs beforeRun(SessionRunContext ctx) {
    return args;
  }

  @Override
  public void afterRun(SessionRunContext ctx, SessionRunValues values) {
    double v = values.scalar(KEY);
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      if (failOnNanLoss) {
        throw new NanLossDuringTrainingException(values.globalStep(), v);
      }
      LOG.warn("Model diverged with loss = {} at step {}; stopping.", v, values.globalStep());
      ctx.requestStop("NaN loss");
    }
  }
}
