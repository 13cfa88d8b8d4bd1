package io.estimator4j.estimator.hook;

import io.estimator4j.checkpoint.FaultPoints;
import io.estimator4j.estimator.summary.SummaryWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * Writes scalar and histogram summaries every N steps with TensorFlow's summary ops; Java
 * counterpart of tf.estimator.SummarySaverHook.
 */
public final class SummarySaverHook implements SessionRunHook {
  private final SecondOrStepTimer timer;
  private final Map<String, Operand<?>> scalars;
  private final Map<String, Operand<?>> histograms;
  private SummaryWriter writer;
  private boolean triggered;
  private long currentStep = -1;

  public SummarySaverHook(
      int saveSteps,
      Map<String, ? extends Operand<?>> scalars,
      Map<String, ? extends Operand<?>> histograms) {
    this.timer = SecondOrStepTimer.everySteps(saveSteps);
    this.scalars = new LinkedHashMap<>(scalars);
    this.histograms = new LinkedHashMap<>(histograms);
  }

  @Override
  public void begin(HookContext context) {
    this.writer =
        context
            .summaryWriter()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "SummarySaverHook needs a loop that writes summaries"));
  }

  @Override
  public SessionRunArgs beforeRun(SessionRunContext ctx) {
    triggered = timer.shouldTrigger(currentStep + 1);
    if (!triggered) {
      return SessionRunArgs.NONE;
    }
    Map<String, Operand<?>> all = new LinkedHashMap<>();
    scalars.forEach((k, v) -> all.put("s:" + k, v));
    histograms.forEach((k, v) -> all.put("h:" + k, v));
    return SessionRunArgs.fetch(all);
  }

  @Override
  public void afterRun(SessionRunContext ctx, SessionRunValues values) {
    if (currentStep < 0) {
      // Python: SessionLog(START) at the first step, TensorBoard's mark of a (re)start
      writer.sessionLog(
          values.globalStep(),
          org.tensorflow.proto.SessionLog.newBuilder()
              .setStatus(org.tensorflow.proto.SessionLog.SessionStatus.START)
              .build());
    }
    currentStep = values.globalStep();
    if (!triggered) {
      return;
    }
    timer.update(currentStep);
    for (String k : scalars.keySet()) {
      writer.scalar(k, currentStep, values.scalar("s:" + k));
    }
    for (String k : histograms.keySet()) {
      writer.histogram(k, currentStep, toFloats(values.get("h:" + k)));
    }
    FaultPoints.reach(FaultPoints.EVENTS_AFTER_WRITE);
  }

  @Override
  public void end(Session session) {
    writer.flush();
  }

  static float[] toFloats(Tensor t) {
    int n = (int) t.shape().size();
    float[] out = new float[n];
    if (t instanceof TFloat32 f) {
      f.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(out, false, false));
    } else if (t instanceof TFloat64 d) {
      double[] tmp = new double[n];
      d.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(tmp, false, false));
      for (int i = 0; i < n; i++) {
        out[i] = (float) tmp[i];
      }
    } else {
      throw new IllegalArgumentException(
          "Histogram summaries take float32 or float64 tensors, found " + t.dataType());
    }
    return out;
  }
}
