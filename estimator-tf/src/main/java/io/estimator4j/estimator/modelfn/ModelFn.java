package io.estimator4j.estimator.modelfn;

/**
 * Builds the model graph for one mode; Java counterpart of the {@code model_fn} of
 * tf.estimator.Estimator.
 *
 * <pre>{@code
 * ModelFn modelFn = ctx -> {
 *   Ops tf = ctx.tf();
 *   Operand<TFloat32> x = ctx.feature("x", TFloat32.class);
 *   ...
 *   return EstimatorSpec.builder(ctx.mode()).predictions(...).loss(loss).trainOp(train).build();
 * };
 * }</pre>
 */
@FunctionalInterface
public interface ModelFn {
  /** Builds the graph for {@code context.mode()} and returns what the loop should run. */
  EstimatorSpec apply(ModelFnContext context);
}
