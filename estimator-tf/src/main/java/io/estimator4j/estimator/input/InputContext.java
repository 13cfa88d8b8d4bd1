package io.estimator4j.estimator.input;

import io.estimator4j.estimator.modelfn.ModeKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;

/**
 * What an {@link InputFn} may use: the graph, the mode, a seed, and a place to register ops that
 * must run once the session exists (iterator and table initialisers, with feeds).
 */
public final class InputContext {
  private final Ops tf;
  private final ModeKeys mode;
  private final Long seed;
  private final List<Initializer> initializers = new ArrayList<>();

  /** An op run once per session start, with tensors fed to placeholders (created lazily). */
  public record Initializer(Op op, Map<Operand<?>, Supplier<Tensor>> feeds) {
    /** Runs the op in {@code session} with freshly made feeds, and closes them. */
    public void run(org.tensorflow.Session session) {
      List<Tensor> fed = new ArrayList<>();
      try {
        org.tensorflow.Session.Runner r = session.runner().addTarget(op);
        for (Map.Entry<Operand<?>, Supplier<Tensor>> f : feeds.entrySet()) {
          Tensor t = f.getValue().get();
          fed.add(t);
          r.feed(f.getKey(), t);
        }
        r.run().close();
      } finally {
        fed.forEach(Tensor::close);
      }
    }
  }

  public InputContext(Ops tf, ModeKeys mode, Long seed) {
    this.tf = tf;
    this.mode = mode;
    this.seed = seed;
  }

  public Ops tf() {
    return tf;
  }

  public ModeKeys mode() {
    return mode;
  }

  /** The run's random seed, if configured. */
  public Optional<Long> seed() {
    return Optional.ofNullable(seed);
  }

  /** Registers an op to run after variables are ready. */
  public void addInitializer(Op op) {
    addInitializer(op, Map.of());
  }

  /** Registers an op to run after variables are ready, feeding the given placeholders. */
  public void addInitializer(Op op, Map<? extends Operand<?>, Supplier<Tensor>> feeds) {
    initializers.add(new Initializer(op, new LinkedHashMap<>(feeds)));
  }

  /** The registered initialisers, in order. */
  public List<Initializer> initializers() {
    return List.copyOf(initializers);
  }
}
