package io.estimator4j.estimator.optimizer;

import io.estimator4j.estimator.distributed.impl.ReplicaDeviceSetter;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.graph.Variables;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import org.tensorflow.DeviceSpec;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.io.FifoQueue;
import org.tensorflow.op.train.ResourceConditionalAccumulator;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * Synchronous replicas: wraps an optimizer so that each update averages the gradients of {@code
 * replicasToAggregate} workers and drops stale ones; Java counterpart of
 * tf.compat.v1.train.SyncReplicasOptimizer, with the same graph:
 *
 * <ul>
 *   <li>per variable, a {@code ResourceConditionalAccumulator} (shared name {@code
 *       <variable>:0/grad_accum}) on the variable's device; every worker's train op applies its
 *       gradient there with its local step, which the accumulator drops when it is below the
 *       accumulator's global step;
 *   <li>the train op of a worker ({@link #applyGradients}'s result): apply the gradients, then take
 *       a token from the queue {@code sync_token_q} (on the global step's device) and make it the
 *       local step {@code sync_rep_local_step} (a local variable on this task);
 *   <li>{@link #syncOp}, run in a loop by the chief ({@link SyncReplicasRunner}): take the average
 *       of {@code replicasToAggregate} gradients from every accumulator, apply them with the
 *       wrapped optimizer (which increments the global step once), then put {@code
 *       max(totalNumReplicas, replicasToAggregate)} tokens holding the new global step in the
 *       queue;
 *   <li>{@link #chiefInitOp} (local step := global step, and every accumulator's global step :=
 *       global step), {@link #localStepInitOp} for the other workers, and {@link #initTokensOp}
 *       ({@code replicasToAggregate} tokens, Python's {@code get_init_tokens_op(-1)}), which the
 *       chief runs once after creating its session.
 * </ul>
 *
 * <p>One instance per graph: the ops are built by the one call of {@link #applyGradients}.
 */
public final class SyncReplicas implements Optimizer {
  /** Python's default name of the optimizer's scope. */
  public static final String NAME = "sync_replicas";

  private final Optimizer optimizer;
  private final int replicasToAggregate;
  private final int totalNumReplicas;
  private final int tokensPerStep;
  private Built built;

  private record Built(
      Op trainOp,
      Op syncOp,
      Op chiefInitOp,
      Op localStepInitOp,
      Op initTokensOp,
      Op releaseTokensOp,
      Variable<TInt64> localStep,
      Operand<TInt32> tokenQueueSize,
      List<Operand<TInt32>> numAccumulated) {}

  /**
   * @param optimizer the optimizer that applies the averaged gradients
   * @param replicasToAggregate gradients averaged per step (> 0)
   * @param totalNumReplicas workers that train (> 0); the default of Python is {@code
   *     replicasToAggregate}
   */
  public SyncReplicas(Optimizer optimizer, int replicasToAggregate, int totalNumReplicas) {
    this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
    if (replicasToAggregate <= 0 || totalNumReplicas <= 0) {
      throw new IllegalArgumentException(
          "SyncReplicas needs replicasToAggregate > 0 and totalNumReplicas > 0, got "
              + replicasToAggregate
              + " and "
              + totalNumReplicas
              + ". Fix: pass the number of training tasks (chief and workers).");
    }
    this.replicasToAggregate = replicasToAggregate;
    this.totalNumReplicas = totalNumReplicas;
    this.tokensPerStep = Math.max(totalNumReplicas, replicasToAggregate);
  }

  @Override
  public String name() {
    return optimizer.name();
  }

  public int replicasToAggregate() {
    return replicasToAggregate;
  }

  public int totalNumReplicas() {
    return totalNumReplicas;
  }

  @Override
  public Op applyGradients(
      Ops tf, List<? extends GradAndVar<?>> gradsAndVars, Variable<TInt64> globalStep) {
    return build(
        tf, gradsAndVars, globalStep, (t, g) -> optimizer.applyGradients(t, g, globalStep));
  }

  @Override
  public Op applyGradientsV2(
      Ops training, List<? extends GradAndVar<?>> gradsAndVars, Variable<TInt64> iterations) {
    return build(
        training, gradsAndVars, iterations, (t, g) -> optimizer.applyGradientsV2(t, g, iterations));
  }

  /** Not supported: the synchronous update must increment the global step (as in Python). */
  @Override
  public Op applyGradientsAtStep(
      Ops tf, List<? extends GradAndVar<?>> gradsAndVars, Operand<TInt64> globalStep) {
    throw new UnsupportedOperationException(
        "SyncReplicas cannot share a step increment with other optimizers: its update increments"
            + " the global step once per aggregated step. Fix: wrap a single optimizer, or train"
            + " asynchronously.");
  }

  private synchronized Op build(
      Ops tf,
      List<? extends GradAndVar<?>> gradsAndVars,
      Variable<TInt64> globalStep,
      BiFunction<Ops, List<GradAndVar<?>>, Op> update) {
    if (gradsAndVars == null || gradsAndVars.isEmpty()) {
      throw new IllegalArgumentException("SyncReplicas: must supply at least one variable");
    }
    if (globalStep == null) {
      throw new IllegalArgumentException(
          "SyncReplicas: the global step is required to check staleness. Fix: pass global_step.");
    }
    if (built != null) {
      throw new IllegalStateException(
          "SyncReplicas.applyGradients was already called; use one SyncReplicas per graph.");
    }
    Ops root = tf.withControlDependencies(List.of());
    // the anchor is placed on this task; the local step goes with it (Python colocates them)
    Op anchor = root.withName("sync_rep_local_anchor").noOp();
    Ops local = root.withDevice(deviceOf(anchor));
    Variable<TInt64> localStep =
        Variables.local(local, "sync_rep_local_step", Shape.scalar(), TInt64.class);
    Op localStepInit = local.withName("sync_rep_local_step_init").assign(localStep, globalStep);

    Ops sync = root.withSubScope(NAME);
    List<Op> applies = new ArrayList<>();
    List<GradAndVar<?>> aggregated = new ArrayList<>();
    List<Op> chiefInits = new ArrayList<>(List.of(localStepInit));
    List<Operand<TInt32>> numAccumulated = new ArrayList<>();
    for (GradAndVar<?> gv : gradsAndVars) {
      aggregated.add(
          accumulate(sync, gv, localStep, globalStep, applies, chiefInits, numAccumulated));
    }
    Ops onStep = root.withDevice(deviceOf(globalStep));
    Op updateOp = update.apply(tf, aggregated);

    FifoQueue tokenQueue =
        onStep
            .withName("sync_token_q")
            .io
            .fifoQueue(
                List.of(TInt64.class),
                FifoQueue.shapes(Shape.scalar()),
                FifoQueue.capacity(-1L),
                FifoQueue.sharedName("sync_token_q"));
    Operand<TInt64> token =
        onStep
            .withControlDependencies(applies)
            .withName("sync_token_q_Dequeue")
            .io
            .queueDequeue(tokenQueue, List.of(TInt64.class))
            .components()
            .get(0)
            .expect(TInt64.class);
    Op trainOp = local.withName("sync_rep_local_step_update").assign(localStep, token);
    Ops afterUpdate = onStep.withControlDependencies(List.of(updateOp));
    Op syncOp =
        afterUpdate
            .withName("sync_token_q_EnqueueMany")
            .io
            .queueEnqueueMany(
                tokenQueue,
                List.of(
                    afterUpdate.fill(afterUpdate.constant(new int[] {tokensPerStep}), globalStep)));
    Op initTokens =
        onStep
            .withName("sync_token_q_EnqueueMany_init")
            .io
            .queueEnqueueMany(
                tokenQueue,
                List.of(onStep.fill(onStep.constant(new int[] {replicasToAggregate}), globalStep)));
    Op releaseTokens =
        onStep
            .withName("sync_token_q_EnqueueMany_release")
            .io
            .queueEnqueueMany(
                tokenQueue,
                List.of(onStep.fill(onStep.constant(new int[] {totalNumReplicas}), globalStep)));
    Op chiefInit = sync.withName("chief_init").withControlDependencies(chiefInits).noOp();
    Operand<TInt32> queueSize = onStep.withName("sync_token_q_Size").io.queueSize(tokenQueue);
    built =
        new Built(
            trainOp,
            syncOp,
            chiefInit,
            localStepInit,
            initTokens,
            releaseTokens,
            localStep,
            queueSize,
            List.copyOf(numAccumulated));
    return trainOp;
  }

  private <T extends TNumber> GradAndVar<T> accumulate(
      Ops sync,
      GradAndVar<T> gv,
      Variable<TInt64> localStep,
      Variable<TInt64> globalStep,
      List<Op> applies,
      List<Op> chiefInits,
      List<Operand<TInt32>> numAccumulated) {
    Variable<T> var = gv.variable();
    Ops onVar = sync.withDevice(deviceOf(var));
    ResourceConditionalAccumulator accumulator =
        onVar
            .withName("ConditionalAccumulator")
            .train
            .resourceConditionalAccumulator(
                var.type(),
                var.shape(),
                ResourceConditionalAccumulator.sharedName(var.op().name() + ":0/grad_accum"));
    applies.add(
        onVar
            .withName("AccumulatorApplyGradient")
            .train
            .resourceAccumulatorApplyGradient(accumulator, localStep, gv.gradient()));
    Operand<T> average =
        onVar
            .withName("AccumulatorTakeGradient")
            .train
            .resourceAccumulatorTakeGradient(
                accumulator, onVar.constant(replicasToAggregate), var.type());
    chiefInits.add(
        onVar
            .withName("SetGlobalStep")
            .train
            .resourceAccumulatorSetGlobalStep(accumulator, globalStep));
    numAccumulated.add(
        onVar
            .withName("AccumulatorNumAccumulated")
            .train
            .resourceAccumulatorNumAccumulated(accumulator));
    return new GradAndVar<>(average, var);
  }

  /** The device an op was placed on ("" for none). */
  private static DeviceSpec deviceOf(Op op) {
    return ReplicaDeviceSetter.deviceSpec(((GraphOperation) op.op()).device());
  }

  private Built built() {
    if (built == null) {
      throw new IllegalStateException(
          "SyncReplicas: call applyGradients first; it builds the synchronisation ops.");
    }
    return built;
  }

  /**
   * The chief's step, run in a loop (Python's chief queue runner): averages the gradients, updates
   * the variables and the global step, and releases the next tokens.
   */
  public Op syncOp() {
    return built().syncOp();
  }

  /** Run once by the chief after creating its session, before {@link #initTokensOp}. */
  public Op chiefInitOp() {
    return built().chiefInitOp();
  }

  /** Run once by every other worker after creating its session: local step := global step. */
  public Op localStepInitOp() {
    return built().localStepInitOp();
  }

  /** Run once by the chief after {@link #chiefInitOp}: the first step's tokens. */
  public Op initTokensOp() {
    return built().initTokensOp();
  }

  /**
   * Run by the chief when it stops training: one token per replica holding the global step, so a
   * worker blocked on the queue finishes its step (its gradient is then stale and dropped) and sees
   * the final global step, instead of waiting for a chief that is gone. Python has no counterpart
   * (its workers wait); the tokens left in the queue only cost a restarted run one dropped step.
   */
  public Op releaseTokensOp() {
    return built().releaseTokensOp();
  }

  /**
   * The hook of a training task (Python's {@code make_session_run_hook(is_chief)}): after the
   * session is created, the chief runs {@link #chiefInitOp} and {@link #initTokensOp} and starts
   * its {@link SyncReplicasRunner}; another worker runs {@link #localStepInitOp}. At the end the
   * chief stops its loop and runs {@link #releaseTokensOp}. Add it to the model function's training
   * hooks with the train op of {@link #applyGradients}.
   */
  public SessionRunHook hook(boolean isChief) {
    return new SessionRunHook() {
      private SyncReplicasRunner runner;

      @Override
      public void afterCreateSession(Session session) {
        if (isChief) {
          runner = SyncReplicasRunner.startChief(session, SyncReplicas.this);
        } else {
          session.runner().addTarget(localStepInitOp()).run().close();
        }
      }

      @Override
      public void end(Session session) {
        if (runner != null) {
          SyncReplicasRunner r = runner;
          runner = null;
          r.close();
          session.runner().addTarget(releaseTokensOp()).run().close();
        }
      }
    };
  }

  /** This worker's local step (the global step its gradients were computed at). */
  public Variable<TInt64> localStep() {
    return built().localStep();
  }

  /** Tokens waiting in the queue. */
  public Operand<TInt32> tokenQueueSize() {
    return built().tokenQueueSize();
  }

  /** Per variable (in the order given), the gradients accumulated for the current step. */
  public List<Operand<TInt32>> numAccumulated() {
    return built().numAccumulated();
  }
}
