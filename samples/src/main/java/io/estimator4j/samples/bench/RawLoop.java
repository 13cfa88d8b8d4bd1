package io.estimator4j.samples.bench;

import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/** A hand-written training loop's graph, its open session and one step; closes both. */
final class RawLoop implements AutoCloseable {
  private final Graph graph;
  private final Session session;
  private final Runnable step;

  private RawLoop(Graph graph, Session session, Runnable step) {
    this.graph = graph;
    this.session = session;
    this.step = step;
  }

  /**
   * Builds a graph with {@code build}, which returns a function from the open session to one step
   * (having initialised it), and opens the session; closes everything if any part fails.
   */
  static RawLoop open(
      Function<Graph, Function<Session, Runnable>> build, org.tensorflow.proto.ConfigProto config) {
    Graph graph = new Graph();
    Session session = null;
    try {
      Function<Session, Runnable> starter = build.apply(graph);
      session = new Session(graph, false, config);
      return new RawLoop(graph, session, starter.apply(session));
    } catch (RuntimeException | Error e) {
      if (session != null) {
        session.close();
      }
      graph.close();
      throw e;
    }
  }

  /** Runs one training step. */
  void step() {
    step.run();
  }

  /** Runs {@code n} steps. */
  void steps(long n) {
    for (long i = 0; i < n; i++) {
      step.run();
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } finally {
      graph.close();
    }
  }
}
