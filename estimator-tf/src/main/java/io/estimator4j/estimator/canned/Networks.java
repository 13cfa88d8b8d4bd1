package io.estimator4j.estimator.canned;

import io.estimator4j.checkpoint.Saveable;
import io.estimator4j.estimator.layers.Activation;
import io.estimator4j.estimator.layers.BatchNormalization;
import io.estimator4j.estimator.layers.Dense;
import io.estimator4j.estimator.layers.DenseLayer;
import io.estimator4j.estimator.layers.Dropout;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.modelfn.ModelFnContext;
import io.estimator4j.featurecolumn.DefaultStateManager;
import io.estimator4j.featurecolumn.DenseColumn;
import io.estimator4j.featurecolumn.FeatureColumn;
import io.estimator4j.featurecolumn.InputLayer;
import io.estimator4j.featurecolumn.LinearModel;
import io.estimator4j.featurecolumn.LinearModelOutput;
import io.estimator4j.featurecolumn.TransformContext;
import io.estimator4j.graph.PartitionedVariable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * The logits builders of the canned estimators, with tf.estimator's variable names: the DNN
 * (dnn/input_from_feature_columns/input_layer, dnn/hiddenlayer_N, dnn/logits) and the linear model
 * (linear/linear_model/&lt;column&gt;/weights, bias_weights).
 */
final class Networks {
  private Networks() {}

  /**
   * Logits with the variables to train, the ops to run with the train op and, by variable name, the
   * rows each sparsely updated variable looked up.
   */
  record Logits(
      Operand<TFloat32> logits,
      List<Variable<? extends TNumber>> trainable,
      List<Op> updates,
      Map<String, Operand<TInt64>> lookedUpRows) {
    Logits(
        Operand<TFloat32> logits, List<Variable<? extends TNumber>> trainable, List<Op> updates) {
      this(logits, trainable, updates, Map.of());
    }
  }

  static Logits dnn(
      ModelFnContext ctx,
      Ops tf,
      List<? extends DenseColumn> columns,
      int[] hiddenUnits,
      Activation activation,
      Double dropout,
      boolean batchNorm,
      int units,
      PartitionedVariable.Partitioner inputLayerPartitioner) {
    Ops dnn = tf.withSubScope("dnn");
    DefaultStateManager state = new DefaultStateManager(inputLayerPartitioner);
    TransformContext tc = new TransformContext(tf, ctx.features(), state);
    Operand<TFloat32> net =
        InputLayer.build(
                dnn.withSubScope("input_from_feature_columns").withSubScope("input_layer"),
                tc,
                columns)
            .output();
    state.tableInitializers().forEach(ctx::addLocalInitOp);
    addSliced(ctx, state);
    List<Variable<? extends TNumber>> trainable = new ArrayList<>(state.trainableVariables());
    List<Op> updates = new ArrayList<>();
    boolean training = ctx.mode() == ModeKeys.TRAIN;
    // dnn.py's order per hidden layer: dense with the activation, dropout (training only), batch
    // normalization (momentum 0.999, epsilon 0.001), then the summaries
    for (int i = 0; i < hiddenUnits.length; i++) {
      Ops layerScope = dnn.withSubScope("hiddenlayer_" + i);
      Dense.Builder b = Dense.builder(hiddenUnits[i]).activation(activation);
      ctx.nextSeed().ifPresent(b::seed);
      DenseLayer layer = b.build().apply(layerScope, net);
      trainable.addAll(layer.trainableVariables());
      net = layer.output();
      if (dropout != null && training) {
        net = Dropout.of(dropout, ctx.nextSeed().orElse(null)).apply(layerScope, net, true);
      }
      if (batchNorm) {
        BatchNormalization.Result bn =
            BatchNormalization.of(0.999, 0.001)
                .apply(layerScope.withSubScope("batchnorm_" + i), net, training);
        trainable.addAll(bn.trainableVariables());
        updates.addAll(bn.updates());
        net = bn.output();
      }
      addHiddenLayerSummary(ctx, tf, net, "dnn/hiddenlayer_" + i);
    }
    Dense.Builder lb = Dense.builder(units);
    ctx.nextSeed().ifPresent(lb::seed);
    DenseLayer logits = lb.build().apply(dnn.withSubScope("logits"), net);
    trainable.addAll(logits.trainableVariables());
    addHiddenLayerSummary(ctx, tf, logits.output(), "dnn/logits");
    // embedding variables get Python's IndexedSlices update: only the rows looked up
    return new Logits(logits.output(), trainable, updates, training ? tc.lookedUpRows() : Map.of());
  }

  /**
   * Saves each partitioned variable as one sliced checkpoint tensor under its full name, as
   * Python's Saver does with SaveSliceInfo (the default saver then leaves its parts out).
   */
  private static void addSliced(ModelFnContext ctx, DefaultStateManager state) {
    for (PartitionedVariable v : state.partitionedVariables()) {
      ctx.addSaveable(Saveable.sliced(v.name(), v.parts(), v.sliceSpecs()));
    }
  }

  /** dnn.py's _add_hidden_layer_summary: fraction_of_zero_values and the activation histogram. */
  private static void addHiddenLayerSummary(
      ModelFnContext ctx, Ops tf, Operand<TFloat32> value, String tag) {
    ctx.scalarSummary(
        tag + "/fraction_of_zero_values",
        tf.math.mean(
            tf.dtypes.cast(tf.math.equal(value, tf.constant(0f)), TFloat32.class),
            tf.constant(new int[] {0, 1})));
    ctx.histogramSummary(tag + "/activation", value);
  }

  static Logits linear(
      ModelFnContext ctx,
      Ops tf,
      List<? extends FeatureColumn> columns,
      int units,
      String sparseCombiner,
      PartitionedVariable.Partitioner partitioner) {
    DefaultStateManager state = new DefaultStateManager(partitioner);
    TransformContext tc = new TransformContext(tf, ctx.features(), state);
    LinearModelOutput out =
        LinearModel.build(
            tf.withSubScope("linear").withSubScope("linear_model"),
            tc,
            columns,
            units,
            sparseCombiner);
    Operand<TFloat32> logits = out.logits();
    Map<String, Operand<TInt64>> rows = new HashMap<>();
    out.lookedUpRows()
        .forEach((column, ids) -> rows.put(out.columnWeights().get(column).op().name(), ids));
    if (partitioner != null) {
      // the parts' rows (categorical weights and embeddings in parts)
      rows.putAll(tc.lookedUpRows());
    }
    state.tableInitializers().forEach(ctx::addLocalInitOp);
    addSliced(ctx, state);
    // lookups through tables can lose the static shape; heads check it: restore [batch, units]
    logits = tf.reshape(logits, tf.constant(new long[] {-1, units}));
    return new Logits(logits, new ArrayList<>(state.trainableVariables()), List.of(), rows);
  }
}
