package io.estimator4j.samples.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;

/**
 * Op-level timings of a training step from TensorFlow's own StepStats ({@code RunOptions}
 * FULL_TRACE, {@code RunMetadata.step_stats}): per op type, the nodes run and their summed
 * microseconds per step. Used by {@code e4j bench canned --trace} to show where a canned step and a
 * hand-written step differ.
 *
 * @param nodesPerStep nodes executed per step
 * @param microsPerStep summed op time per step (all_end_rel_micros; on 2 cores ops overlap)
 * @param byType per op type: {nodes per step, µs per step}
 */
record OpTrace(double nodesPerStep, double microsPerStep, Map<String, double[]> byType) {

  /**
   * The global step's increments in {@code graph} (the op each TF1 train op ends with, with every
   * update as a control input): the targets that run one training step.
   */
  static List<Operation> globalStepIncrements(Graph graph) {
    List<Operation> result = new ArrayList<>();
    graph
        .operations()
        .forEachRemaining(
            op -> {
              if ((op.type().equals("AssignAdd") || op.type().equals("AssignAddVariableOp"))
                  && ((GraphOperation) op).numInputs() > 0
                  && ((GraphOperation) op).input(0).op().name().equals("global_step")) {
                result.add(op);
              }
            });
    if (result.isEmpty()) {
      throw new IllegalStateException("No global-step increment found in the graph");
    }
    return result;
  }

  /** Runs {@code steps} traced training steps on {@code session} and sums their StepStats. */
  static OpTrace trace(Graph graph, Session session, int steps) {
    RunOptions options =
        RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
    List<Operation> targets = globalStepIncrements(graph);
    Map<String, double[]> byType = new HashMap<>();
    double nodes = 0;
    double micros = 0;
    for (int i = 0; i < steps; i++) {
      Session.Runner runner = session.runner().setOptions(options);
      targets.forEach(runner::addTarget);
      try (Result r = runner.runAndFetchMetadata()) {
        RunMetadata md = r.getMetadata().orElseThrow();
        for (DeviceStepStats dev : md.getStepStats().getDevStatsList()) {
          for (NodeExecStats n : dev.getNodeStatsList()) {
            Operation op = graph.operation(n.getNodeName());
            String type = op == null ? "(runtime) " + n.getNodeName() : op.type();
            double[] t = byType.computeIfAbsent(type, k -> new double[2]);
            t[0] += 1.0 / steps;
            t[1] += (double) n.getAllEndRelMicros() / steps;
            nodes += 1.0 / steps;
            micros += (double) n.getAllEndRelMicros() / steps;
          }
        }
      }
    }
    return new OpTrace(nodes, micros, byType);
  }

  /** One line per op type, the most expensive first. */
  String describe(String title, int top) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%s: %.1f nodes/step, %.1f op-µs/step%n",
            title,
            nodesPerStep,
            microsPerStep));
    byType.entrySet().stream()
        .sorted((x, y) -> Double.compare(y.getValue()[1], x.getValue()[1]))
        .limit(top)
        .forEach(
            e ->
                b.append(
                    String.format(
                        Locale.ROOT,
                        "    %-40s %6.1f nodes %8.1f µs%n",
                        e.getKey(),
                        e.getValue()[0],
                        e.getValue()[1])));
    return b.toString();
  }

  /** The op types whose nodes per step differ from {@code base}'s: this minus base. */
  String diff(OpTrace base) {
    StringBuilder b = new StringBuilder("nodes per step, canned minus raw, by op type:");
    java.util.TreeSet<String> types = new java.util.TreeSet<>(byType.keySet());
    types.addAll(base.byType.keySet());
    for (String t : types) {
      double d =
          byType.getOrDefault(t, new double[2])[0] - base.byType.getOrDefault(t, new double[2])[0];
      if (Math.abs(d) > 1e-6) {
        b.append(String.format(Locale.ROOT, " %s %+.0f;", t, d));
      }
    }
    return b.append(System.lineSeparator()).toString();
  }
}
