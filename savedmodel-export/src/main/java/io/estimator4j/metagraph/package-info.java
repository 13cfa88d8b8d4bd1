/**
 * MetaGraphDefs as Python writes them, shared by the checkpoint {@code .meta} files and the
 * SavedModels: the stripped op list ({@link io.estimator4j.metagraph.OpDefs}), default-valued
 * attributes stripped, {@code _output_shapes}, and the collections (VariableDefs, node and bytes
 * lists) of {@link io.estimator4j.metagraph.MetaGraphs}.
 */
package io.estimator4j.metagraph;
