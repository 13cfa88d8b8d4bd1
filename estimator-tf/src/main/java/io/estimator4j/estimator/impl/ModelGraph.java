package io.estimator4j.estimator.impl;

import io.estimator4j.checkpoint.GraphSaver;
import io.estimator4j.checkpoint.Saveable;
import io.estimator4j.checkpoint.TensorFlowFlavour;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.distributed.impl.PlacingScope;
import io.estimator4j.estimator.distributed.impl.ReplicaDeviceSetter;
import io.estimator4j.estimator.input.Input;
import io.estimator4j.estimator.input.InputContext;
import io.estimator4j.estimator.metrics.Metric;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.estimator.modelfn.ModelFnContext;
import io.estimator4j.estimator.modelfn.Params;
import io.estimator4j.graph.GraphCollections;
import io.estimator4j.graph.Variables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TInt64;

/**
 * One mode's graph, built once: input ops, the model function's spec, the global step and a saver
 * over the global variables. Owns the Graph; the Estimator's loops, the Predictor and the export
 * all start from here.
 */
public final class ModelGraph implements AutoCloseable {
  public final Graph graph;
  public final Ops tf;
  public final ModeKeys mode;
  public final Variable<TInt64> globalStep;
  public final EstimatorSpec spec;
  public final ModelFnContext context;
  public final List<InputContext.Initializer> inputInitializers;
  public final GraphSaver saver;

  /**
   * Every global variable of the graph, also the parts of partitioned variables (which the saver
   * saves as slices of one tensor, not one by one).
   */
  public final List<Operand<?>> globalVariables;

  public final Operand<TInt64> stepAfterTrain;

  /** EVAL only: the mean of the per-batch loss, reported as {@link EstimatorSpec#LOSS_KEY}. */
  public final Metric lossMetric;

  private ModelGraph(Builder b) {
    this.graph = b.graph;
    this.tf = b.tf;
    this.mode = b.mode;
    this.globalStep = b.globalStep;
    this.spec = b.spec;
    this.context = b.context;
    this.inputInitializers = b.inputInitializers;
    this.saver = b.saver;
    this.globalVariables = List.copyOf(b.globalVariables);
    this.stepAfterTrain = b.stepAfterTrain;
    this.lossMetric = b.lossMetric;
  }

  /** Builds the graph of {@code mode} from an input (built inside the new graph). */
  public static ModelGraph build(
      ModelFn modelFn,
      ModeKeys mode,
      Params params,
      RunConfig config,
      java.util.function.Function<InputContext, Input> input) {
    return build(modelFn, mode, params, config, input, config.tensorFlowFlavour());
  }

  /**
   * Builds the graph of {@code mode}; the model function sees {@code flavour} as {@link
   * ModelFnContext#tensorFlowFlavour()}.
   */
  public static ModelGraph build(
      ModelFn modelFn,
      ModeKeys mode,
      Params params,
      RunConfig config,
      java.util.function.Function<InputContext, Input> input,
      TensorFlowFlavour flavour) {
    Graph graph = new Graph();
    try {
      Builder b = new Builder();
      b.graph = graph;
      b.mode = mode;
      Ops tf = Ops.create(graph);
      if (mode == ModeKeys.TRAIN) {
        // between-graph replication: variables on the parameter servers, the rest on this task
        RunConfig.DeviceFn deviceFn =
            config
                .deviceFn()
                .or(
                    () ->
                        ReplicaDeviceSetter.forCluster(config.cluster(), config.psStrategy())
                            .map(d -> (RunConfig.DeviceFn) d))
                .orElse(null);
        if (deviceFn != null) {
          tf = PlacingScope.wrap(tf, deviceFn);
        }
      }
      b.tf = tf;
      // Python's create_global_step: global_step, global_step/Initializer/zeros, .../Assign
      b.globalStep =
          Variables.global(
              tf, EstimatorSpec.GLOBAL_STEP_KEY, init -> init.withName("zeros").constant(0L));
      InputContext inputContext = new InputContext(tf, mode, config.randomSeed().orElse(null));
      Input in = input.apply(inputContext);
      b.inputInitializers = inputContext.initializers();
      Map<String, Operand<?>> labels = mode == ModeKeys.PREDICT ? Map.of() : in.labels();
      if (mode != ModeKeys.PREDICT && labels.isEmpty()) {
        throw new IllegalArgumentException(
            "The input function returned no labels, but "
                + mode
                + " needs them. Fix: return "
                + "labels from the input function (e.g. CsvInput.labelColumn(...)).");
      }
      b.context =
          new ModelFnContext(
              tf, in.features(), labels, mode, params, config, b.globalStep, flavour);
      EstimatorSpec spec = modelFn.apply(b.context);
      if (spec == null) {
        throw new IllegalStateException("The model function returned null for mode " + mode);
      }
      if (spec.mode() != mode) {
        throw new IllegalStateException(
            "The model function returned a spec for "
                + spec.mode()
                + " when called for "
                + mode
                + ". Fix: build it with EstimatorSpec.builder(ctx.mode()).");
      }
      b.spec = spec;
      if (mode == ModeKeys.TRAIN) {
        b.stepAfterTrain =
            tf.withSubScope("global_step_after")
                .withControlDependencies(List.of(spec.trainOp()))
                .identity(b.globalStep);
      }
      if (mode == ModeKeys.EVAL) {
        b.lossMetric =
            io.estimator4j.estimator.metrics.Metrics.mean(
                tf.withSubScope("metrics"), EstimatorSpec.LOSS_KEY, spec.loss(), null);
      }
      b.globalVariables = globalVariables(graph, spec, b.lossMetric);
      List<Saveable> saveables = new ArrayList<>(b.context.saveables());
      b.saver = new GraphSaver(tf, withSlicedSlots(b.globalVariables, saveables), saveables);
      return new ModelGraph(b);
    } catch (RuntimeException | Error e) {
      graph.close();
      throw e;
    }
  }

  /**
   * Every VariableV2 of the graph except local variables: the metrics' and those of the
   * local_variables collection (such as SyncReplicas' local step), as Python saves only globals.
   */
  private static List<Operand<?>> globalVariables(
      Graph graph, EstimatorSpec spec, Metric lossMetric) {
    Set<String> local =
        new HashSet<>(GraphCollections.get(graph, GraphCollections.LOCAL_VARIABLES));
    for (Metric m : spec.evalMetrics().values()) {
      m.localVariables().forEach(v -> local.add(v.op().name()));
    }
    if (lossMetric != null) {
      lossMetric.localVariables().forEach(v -> local.add(v.op().name()));
    }
    List<Operand<?>> vars = new ArrayList<>();
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      if (op.type().equals("VariableV2") && !local.contains(op.name())) {
        vars.add(op.output(0));
      }
    }
    return vars;
  }

  /**
   * The variables the saver saves whole: {@code vars} less the parts of partitioned variables
   * (sliced {@link Saveable}s save those), and less their optimizer slots (a variable of the part's
   * shape named {@code <full>/part_i/<slot>} (TF1) or {@code <prefix>/<full>/part_i/<slot>} (TF2's
   * {@code training/<Optimizer>/...})), which are added to {@code saveables} as sliced tensors
   * under the name with {@code <full>/part_i} replaced by {@code <full>} (Python's slot_creator
   * gives a partitioned variable's slots its SaveSliceInfo), so an unpartitioned model reads them
   * joined.
   */
  private static List<Operand<?>> withSlicedSlots(List<Operand<?>> vars, List<Saveable> saveables) {
    Map<String, Saveable.Spec> slices = new HashMap<>();
    for (Saveable s : saveables) {
      for (Saveable.Spec spec : s.specs()) {
        if (!spec.shapeAndSlice().isEmpty()) {
          slices.put(spec.tensor().op().name(), spec);
        }
      }
    }
    if (slices.isEmpty()) {
      return vars;
    }
    List<Operand<?>> whole = new ArrayList<>();
    Map<String, List<Operand<?>>> slotParts = new LinkedHashMap<>();
    Map<String, List<String>> slotSpecs = new HashMap<>();
    for (Operand<?> v : vars) {
      String name = v.op().name();
      if (slices.containsKey(name)) {
        continue;
      }
      Saveable.Spec part = null;
      String key = null;
      for (Map.Entry<String, Saveable.Spec> e : slices.entrySet()) {
        String partName = e.getKey();
        int inside = name.indexOf("/" + partName + "/");
        int at = name.startsWith(partName + "/") ? 0 : inside < 0 ? -1 : inside + 1;
        if (at >= 0 && e.getValue().tensor().shape().equals(v.shape())) {
          part = e.getValue();
          key = name.substring(0, at) + part.name() + name.substring(at + partName.length());
          break;
        }
      }
      if (part == null) {
        whole.add(v);
        continue;
      }
      slotParts.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
      slotSpecs.computeIfAbsent(key, k -> new ArrayList<>()).add(part.shapeAndSlice());
    }
    slotParts.forEach(
        (key, parts) -> saveables.add(Saveable.sliced(key, parts, slotSpecs.get(key))));
    return whole;
  }

  /** Runs the input pipeline's and model's local initialisers (iterators, tables, metrics). */
  public void runLocalInitializers(Session session) {
    for (InputContext.Initializer init : inputInitializers) {
      init.run(session);
    }
    Session.Runner r = session.runner();
    boolean any = false;
    for (Op op : context.localInitOps()) {
      r.addTarget(op);
      any = true;
    }
    for (Metric m : spec.evalMetrics().values()) {
      r.addTarget(m.initializer());
      any = true;
    }
    if (lossMetric != null) {
      r.addTarget(lossMetric.initializer());
      any = true;
    }
    if (any) {
      r.run();
    }
  }

  /** The global step's current value. */
  public long globalStepValue(Session session) {
    try (var r = session.runner().fetch(globalStep).run()) {
      return ((TInt64) r.get(0)).getLong();
    }
  }

  @Override
  public void close() {
    graph.close();
  }

  private static final class Builder {
    Graph graph;
    Ops tf;
    ModeKeys mode;
    Variable<TInt64> globalStep;
    EstimatorSpec spec;
    ModelFnContext context;
    List<InputContext.Initializer> inputInitializers;
    GraphSaver saver;
    List<Operand<?>> globalVariables;
    Operand<TInt64> stepAfterTrain;
    Metric lossMetric;
  }
}
