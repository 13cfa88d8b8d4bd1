package io.estimator4j.estimator;

import io.estimator4j.estimator.hook.HookContext;
import io.estimator4j.estimator.hook.SessionRunArgs;
import io.estimator4j.estimator.hook.SessionRunContext;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.hook.SessionRunValues;
import io.estimator4j.estimator.impl.ModelGraph;
import io.estimator4j.estimator.impl.SessionStarter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.ndarray.NdArray;

/**
 * A lazy iterator over predictions, one example (or one batch) at a time; the generator returned by
 * tf.estimator.Estimator.predict. It holds a graph and a session: close it (try-with-resources)
 * when stopping early; it closes itself when the input ends.
 *
 * <p>The model function's {@link io.estimator4j.estimator.modelfn.EstimatorSpec#predictionHooks()}
 * run as in Python's predict: {@code begin} before the session starts, {@code afterCreateSession},
 * {@code beforeRun} and {@code afterRun} around each batch (their fetches, targets and feeds join
 * the batch's run), {@code end} when the input ends or the iterator is closed.
 */
public final class PredictionIterator implements Iterator<Prediction>, AutoCloseable {
  private final ModelGraph mg;
  private final Session session;
  private final Map<String, Operand<?>> outputs;
  private final boolean single;
  private Prediction batch;
  private long index;
  private long size;
  private boolean done;
  private final List<SessionRunHook> hooks;
  private final SessionRunContext runContext;

  PredictionIterator(ModelGraph mg, Estimator est, String checkpoint, PredictOptions options) {
    this.mg = mg;
    try {
      Map<String, Operand<?>> all = mg.spec.predictions();
      Map<String, Operand<?>> chosen = new LinkedHashMap<>();
      if (options.predictKeys() == null) {
        chosen.putAll(all);
      } else {
        for (String k : options.predictKeys()) {
          if (!all.containsKey(k)) {
            throw new IllegalArgumentException(
                "Unknown predict key '" + k + "'; the model predicts " + all.keySet());
          }
          chosen.put(k, all.get(k));
        }
      }
      this.outputs = chosen;
      this.single = options.yieldSingleExamples();
      this.hooks = List.copyOf(mg.spec.predictionHooks());
      HookContext hookContext =
          new HookContext(mg.graph, mg.tf, mg.globalStep, est.modelDir(), Optional.empty());
      hooks.forEach(h -> h.begin(hookContext));
      // before the first checkpoint, warm-start settings give the starting variables
      this.session =
          SessionStarter.start(
              mg,
              est.config(),
              checkpoint,
              checkpoint == null ? est.warmStartSettings().orElse(null) : null);
      this.runContext = new SessionRunContext(session);
    } catch (RuntimeException e) {
      mg.close();
      throw e;
    }
    try {
      hooks.forEach(h -> h.afterCreateSession(session));
    } catch (RuntimeException e) {
      session.close();
      mg.close();
      throw e;
    }
  }

  @Override
  public boolean hasNext() {
    if (done) {
      return false;
    }
    if (batch != null && index < size) {
      return true;
    }
    if (runContext.stopRequested()) {
      close();
      return false;
    }
    Session.Runner r = session.runner();
    outputs.values().forEach(r::fetch);
    List<SessionRunArgs> args = new ArrayList<>();
    for (SessionRunHook h : hooks) {
      SessionRunArgs a = h.beforeRun(runContext);
      args.add(a);
      a.fetches().values().forEach(r::fetch);
      a.targets().forEach(r::addTarget);
      a.feeds().forEach((placeholder, value) -> r.feed(placeholder, value));
    }
    if (!hooks.isEmpty()) {
      r.fetch(mg.globalStep);
    }
    Map<String, NdArray<?>> copies = new LinkedHashMap<>();
    try (Result result = r.run()) {
      int i = 0;
      for (String k : outputs.keySet()) {
        copies.put(k, Prediction.copyOf(result.get(i++)));
      }
      if (!hooks.isEmpty()) {
        long step = ((org.tensorflow.types.TInt64) result.get(result.size() - 1)).getLong();
        for (int h = 0; h < hooks.size(); h++) {
          Map<String, org.tensorflow.Tensor> values = new LinkedHashMap<>();
          for (String name : args.get(h).fetches().keySet()) {
            values.put(name, result.get(i++));
          }
          hooks.get(h).afterRun(runContext, new SessionRunValues(values, step));
        }
      }
    } catch (TFOutOfRangeException e) {
      close();
      return false;
    }
    batch = new Prediction(copies);
    index = 0;
    size = single ? batch.batchSize() : 1;
    return size > 0 || hasNext();
  }

  @Override
  public Prediction next() {
    if (!hasNext()) {
      throw new NoSuchElementException("No more predictions: the input has ended");
    }
    Prediction next = single ? batch.example(index) : batch;
    index++;
    return next;
  }

  /** Drains the remaining predictions into a list, then closes. */
  public List<Prediction> toList() {
    List<Prediction> out = new ArrayList<>();
    try (this) {
      while (hasNext()) {
        out.add(next());
      }
    }
    return out;
  }

  /** Releases the session and graph; safe to call twice. */
  @Override
  public void close() {
    if (!done) {
      done = true;
      try {
        for (SessionRunHook h : hooks) {
          h.end(session);
        }
      } finally {
        try {
          session.close();
        } finally {
          mg.close();
        }
      }
    }
  }
}
