package io.estimator4j.estimator.impl;

import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.graph.GraphCollections;
import io.estimator4j.metagraph.MetaGraphs;
import io.estimator4j.metagraph.OpDefs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.VariableDef;
import org.tensorflow.types.family.TNumber;

/**
 * The MetaGraphDef of a training graph as Python's Saver writes it to {@code model.ckpt-N.meta}
 * (saver.py {@code export_meta_graph(as_graph_def(add_shapes=True), saver_def)}): the graph with
 * {@code _output_shapes}, meta_info_def with the stripped op list and no tags, the usable
 * saver_def, and the collections variables, trainable_variables, global_step, savers, train_op,
 * losses, summaries, and table_initializer and local_variables when the graph has them.
 */
final class TrainMetaGraph {
  private TrainMetaGraph() {}

  static MetaGraphDef of(ModelGraph mg, RunConfig config) {
    Graph g = mg.graph;
    List<String> summaries = summaryOps(mg);
    GraphDef graphDef = OpDefs.withOutputShapes(g, g.toGraphDef());
    SaverDef saverDef =
        mg.saver.saverDef(config.keepCheckpointMax(), config.keepCheckpointEveryNHours());
    MetaGraphDef.Builder b =
        MetaGraphDef.newBuilder()
            .setMetaInfoDef(MetaGraphs.metaInfo(graphDef, List.of(), false))
            .setGraphDef(graphDef)
            .setSaverDef(saverDef);
    List<String> variables = new ArrayList<>();
    mg.globalVariables.forEach(v -> variables.add(v.op().name()));
    b.putAllCollectionDef(
        MetaGraphs.variableCollections(
            g,
            variables,
            GraphCollections.get(g, GraphCollections.TRAINABLE_VARIABLES),
            mg.globalStep.op().name(),
            mg.saver.saveables()));
    b.putCollectionDef("savers", MetaGraphs.bytesList(List.of(saverDef)));
    if (mg.spec.trainOp() != null) {
      b.putCollectionDef("train_op", MetaGraphs.nodeList(List.of(mg.spec.trainOp().op().name())));
    }
    if (mg.spec.loss() != null) {
      b.putCollectionDef("losses", MetaGraphs.nodeList(List.of(mg.spec.loss().asOutput().name())));
    }
    List<String> tables = GraphCollections.get(g, GraphCollections.TABLE_INITIALIZERS);
    if (!tables.isEmpty()) {
      b.putCollectionDef(GraphCollections.TABLE_INITIALIZERS, MetaGraphs.nodeList(tables));
    }
    List<VariableDef> locals = new ArrayList<>();
    for (String name : GraphCollections.get(g, GraphCollections.LOCAL_VARIABLES)) {
      locals.add(MetaGraphs.variableDef(g, name, false));
    }
    if (!locals.isEmpty()) {
      b.putCollectionDef(GraphCollections.LOCAL_VARIABLES, MetaGraphs.bytesList(locals));
    }
    if (!summaries.isEmpty()) {
      b.putCollectionDef("summaries", MetaGraphs.nodeList(summaries));
    }
    return b.build();
  }

  /**
   * The summary ops Python's graph would hold for the loss and the model function's scalars and
   * histograms (tf.compat.v1.summary.scalar / histogram: string tensors of Summary protos), built
   * once; Java writes its summaries from the values, so these only serve a Python importer ({@code
   * merge_all}).
   */
  private static List<String> summaryOps(ModelGraph mg) {
    List<String> names = new ArrayList<>();
    Ops tf = mg.tf.withSubScope("summaries");
    List<Map.Entry<String, Operand<?>>> scalars = new ArrayList<>();
    if (mg.spec.loss() != null) {
      scalars.add(Map.entry(EstimatorSpec.LOSS_KEY, mg.spec.loss()));
    }
    scalars.addAll(mg.context.scalarSummaries().entrySet());
    for (Map.Entry<String, Operand<?>> e : scalars) {
      if (TNumber.class.isAssignableFrom(e.getValue().type())) {
        @SuppressWarnings("unchecked")
        Operand<? extends TNumber> value = (Operand<? extends TNumber>) e.getValue();
        names.add(tf.summary.scalarSummary(tf.constant(e.getKey()), value).asOutput().name());
      }
    }
    for (Map.Entry<String, Operand<?>> e : mg.context.histogramSummaries().entrySet()) {
      if (TNumber.class.isAssignableFrom(e.getValue().type())) {
        @SuppressWarnings("unchecked")
        Operand<? extends TNumber> values = (Operand<? extends TNumber>) e.getValue();
        names.add(tf.summary.histogramSummary(tf.constant(e.getKey()), values).asOutput().name());
      }
    }
    return names;
  }
}
