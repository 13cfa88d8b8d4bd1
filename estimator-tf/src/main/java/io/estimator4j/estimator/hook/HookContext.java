package io.estimator4j.estimator.hook;

import io.estimator4j.estimator.summary.SummaryWriter;
import java.nio.file.Path;
import java.util.Optional;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt64;

/**
 * What a hook sees in {@link SessionRunHook#begin}: the graph, its global step and the loop's
 * output locations; the counterpart of the default graph and training_util.get_global_step().
 *
 * @param graph the graph being run (hooks may add ops to it in begin only)
 * @param tf an Ops bound to the graph's root scope
 * @param globalStep the global step variable
 * @param modelDir the model directory
 * @param summaryWriter the writer of this loop's event files, if the loop writes summaries
 */
public record HookContext(
    Graph graph,
    Ops tf,
    Operand<TInt64> globalStep,
    Path modelDir,
    Optional<SummaryWriter> summaryWriter) {}
