package io.estimator4j.estimator;

import io.estimator4j.estimator.impl.ModelGraph;
import io.estimator4j.estimator.impl.SessionStarter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.ndarray.NdArray;

/**
 * A lazy iterator over predictions, one example (or one batch) at a time; the generator returned by
 * tf.estimator.Estimator.predict. It holds a graph and a session: close it (try-with-resources)
 * when stopping early; it closes itself when the input ends.
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
      // before the first checkpoint, warm-start settings give the starting variables
      this.session =
          SessionStarter.start(
              mg,
              est.config(),
              checkpoint,
              checkpoint == null ? est.warmStartSettings().orElse(null) : null);
    } catch (RuntimeException e) {
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
    Session.Runner r = session.runner();
    outputs.values().forEach(r::fetch);
    Map<String, NdArray<?>> copies = new LinkedHashMap<>();
    try (Result result = r.run()) {
      int i = 0;
      for (String k : outputs.keySet()) {
        copies.put(k, Prediction.copyOf(result.get(i++)));
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
        session.close();
      } finally {
        mg.close();
      }
    }
  }
}
