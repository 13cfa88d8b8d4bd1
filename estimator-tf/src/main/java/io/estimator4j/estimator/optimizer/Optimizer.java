package io.estimator4j.estimator.optimizer;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * Builds the training op that updates variables from the gradients of a loss; Java counterpart of
 * tf.compat.v1.train.Optimizer.
 *
 * <p>Variables are always passed explicitly (the graph is never scanned), so metric accumulators,
 * {@code global_step} and frozen variables are left alone. Slot variables get Python's names
 * ({@code <variable>/Adagrad}, {@code <variable>/Adam_1}, ...) so checkpoints read in both
 * directions.
 *
 * <p>Read variables through {@link io.estimator4j.graph.Variables#read} (Python's {@code
 * <variable>/read}) when building the loss: TensorFlow's C++ gradient of some ops fed directly by a
 * ref variable crashes ({@code Square}) or fails ({@code Pow}); {@link #computeGradients} rejects
 * the crashing case.
 */
public interface Optimizer {
  /** Python's default name of this optimizer: its name scope and slot suffix, e.g. "Adagrad". */
  String name();

  /**
   * Computes the gradients of {@code loss} with respect to exactly {@code variables}, under the
   * name scope {@code gradients}; Java counterpart of {@code compute_gradients}.
   *
   * @throws IllegalArgumentException if the list is empty or has duplicates, or a variable has no
   *     gradient path to the loss (the message names it)
   */
  default List<GradAndVar<?>> computeGradients(
      Ops tf, Operand<TFloat32> loss, List<? extends Variable<? extends TNumber>> variables) {
    return GradientComputation.compute(tf, loss, variables);
  }

  /**
   * Builds the update of every variable from its gradient and, when {@code globalStep} is given, an
   * increment of {@code globalStep} by 1 that runs after all the updates; Java counterpart of
   * {@code apply_gradients}.
   *
   * @param tf the scope; the ops go in its sub-scope {@link #name()}
   * @param gradsAndVars the gradients and variables (float32 or float64), each variable once
   * @param globalStep the step counter to increment, or null for none
   * @return the op to run once per training step (with a global step, Python's {@code AssignAdd}
   *     named after the optimizer; without, the group {@code <name>/update})
   * @throws IllegalArgumentException if the list is empty, has duplicates or unsupported types
   */
  Op applyGradients(
      Ops tf, List<? extends GradAndVar<?>> gradsAndVars, Variable<TInt64> globalStep);

  /**
   * {@link #applyGradients} without incrementing the global step: the learning-rate schedule, if
   * any, is read at {@code globalStep}; for several optimizers that share one step increment, as
   * dnn_linear_combined's do.
   *
   * @param globalStep the step a schedule is evaluated at (may be null without a schedule)
   * @return the group of updates
   */
  Op applyGradientsAtStep(
      Ops tf, List<? extends GradAndVar<?>> gradsAndVars, Operand<TInt64> globalStep);

  /**
   * Builds the update that tf.estimator's V2 (TensorFlow 2) canned estimators run: this optimizer
   * as a Keras optimizer (optimizer_v2) with Keras's state names and maths. Its hyper-parameters
   * become float32 variables {@code training/<Name>/learning_rate}, {@code .../decay}, ...; its
   * slots {@code training/<Name>/<variable>/<slot>} ({@code accumulator}, {@code linear}, {@code
   * m}, {@code v}, {@code rms}, {@code momentum}); after all updates it increments {@code
   * iterations}, or its own {@code training/<Name>/iter} when {@code iterations} is null. Pairs
   * with {@link GradAndVar#rowIds()} get Keras's sparse update.
   *
   * <p>The default, for optimizers without a Keras form, is {@link #applyGradients} in {@code
   * training}'s scope.
   *
   * @param training the scope {@code training} (Python's {@code name_scope('training')}); the ops
   *     go in its sub-scope of Keras's optimizer name ({@code Adagrad}, {@code Ftrl}, {@code Adam},
   *     {@code RMSprop}, {@code SGD}), made unique as Python's name scopes are
   * @param iterations the step counter to increment (global_step for a single-optimizer model), or
   *     null for the optimizer's own {@code iter} variable
   * @return the op to run once per training step: the increment of the step counter
   * @throws IllegalArgumentException as {@link #applyGradients}
   */
  default Op applyGradientsV2(
      Ops training, List<? extends GradAndVar<?>> gradsAndVars, Variable<TInt64> iterations) {
    return applyGradients(training, gradsAndVars, iterations);
  }

  /**
   * Computes gradients over {@code trainable} and applies them: {@link #computeGradients} then
   * {@link #applyGradients}; Java counterpart of {@code minimize}.
   *
   * @throws IllegalArgumentException if a variable has no gradient path to the loss, or as {@link
   *     #applyGradients}
   */
  default Op minimize(
      Ops tf,
      Operand<TFloat32> loss,
      List<? extends Variable<? extends TNumber>> trainable,
      Variable<TInt64> globalStep) {
    return applyGradients(tf, computeGradients(tf, loss, trainable), globalStep);
  }
}
