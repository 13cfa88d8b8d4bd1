package io.estimator4j.estimator.optimizer;

import io.estimator4j.estimator.layers.Names;
import io.estimator4j.graph.Variables;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.op.core.AssignAdd;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * The apply_gradients skeleton shared by the optimizers, as in tf.compat.v1.train.Optimizer:
 * prepare shared state, update each variable under {@code <name>/update_<variable>}, finish, group
 * as {@code <name>/update}, then increment the global step with an op named {@code <name>}.
 *
 * <p>The learning rate is a constant {@code <name>/update_<variable>/learning_rate} per variable,
 * as in Python, or, when the optimizer was given a {@link LearningRateSchedule}, one tensor {@code
 * <name>/learning_rate/...} computed from the global step read before this step's increment.
 *
 * @param <S> the state shared by all updates of one apply_gradients call (Adam's beta powers)
 */
abstract class BaseOptimizer<S> implements Optimizer {
  private final String name;
  private final double learningRate;
  private final LearningRateSchedule schedule;

  /**
   * @param learningRate the constant learning rate, checked unless a schedule is given
   * @param schedule the learning-rate schedule, or null for the constant {@code learningRate}
   * @throws IllegalArgumentException if there is no schedule and the learning rate is not a finite
   *     positive number
   */
  BaseOptimizer(String name, double learningRate, LearningRateSchedule schedule) {
    this.name = name;
    this.learningRate = checkLearningRate(learningRate, schedule);
    this.schedule = schedule;
  }

  /** An optimizer with the learning rate or schedule of {@code builder}. */
  BaseOptimizer(String name, OptimizerBuilder<?> builder) {
    this(name, builder.constantLearningRate(), builder.schedule());
  }

  @Override
  public final String name() {
    return name;
  }

  /** The constant learning rate; NaN when the optimizer follows a {@link #learningRateSchedule}. */
  public final double learningRate() {
    return learningRate;
  }

  /** The learning-rate schedule, when the optimizer was given one instead of a constant. */
  public final Optional<LearningRateSchedule> learningRateSchedule() {
    return Optional.ofNullable(schedule);
  }

  /** The learning rate as toString shows it: the constant or the schedule. */
  final String learningRateText() {
    return schedule == null ? Double.toString(learningRate()) : schedule.toString();
  }

  /**
   * Checks a builder's learning rate: a finite positive constant unless a schedule is given.
   *
   * @return the constant to keep (NaN with a schedule)
   */
  private static double checkLearningRate(double learningRate, LearningRateSchedule schedule) {
    if (schedule != null) {
      return Double.NaN;
    }
    checkPositive("learning_rate", learningRate);
    return learningRate;
  }

  @Override
  public final Op applyGradients(
      Ops tf, List<? extends GradAndVar<?>> gradsAndVars, Variable<TInt64> globalStep) {
    Op update = applyGradientsAtStep(tf, gradsAndVars, globalStep);
    if (globalStep == null) {
      return update;
    }
    String updateName = update.op().name();
    String ownName = updateName.substring(0, updateName.length() - "/update".length());
    Operand<TInt64> one =
        org.tensorflow.op.core.Constant.scalarOf(Names.exact(tf.scope(), ownName + "/value"), 1L);
    Scope increment = Names.exact(tf.scope().withControlDependencies(List.of(update)), ownName);
    return AssignAdd.create(increment, globalStep, one);
  }

  @Override
  public final Op applyGradientsAtStep(
      Ops tf, List<? extends GradAndVar<?>> gradsAndVars, Operand<TInt64> globalStep) {
    check(gradsAndVars);
    S state = prepare(tf, gradsAndVars);
    Ops scope = tf.withSubScope(name);
    Operand<TFloat32> scheduled = scheduledLearningRate(scope, globalStep);
    List<Op> updates = new ArrayList<>();
    for (GradAndVar<?> gv : gradsAndVars) {
      updates.add(applyOne(updateScope(scope, gv.variableName()), gv, scheduled, state));
    }
    List<Op> all = new ArrayList<>(updates);
    all.addAll(finish(scope, updates, state));
    return scope.withControlDependencies(all).withName("update").noOp();
  }

  private <T extends TNumber> Op applyOne(
      Ops tf, GradAndVar<T> gv, Operand<TFloat32> scheduled, S state) {
    Class<T> type = gv.variable().type();
    Operand<T> lr =
        scheduled == null
            ? hyper(tf, "learning_rate", type, learningRate())
            : TypedScalars.as(tf.scope(), scheduled, type);
    if (gv.rowIds() != null) {
      SparseRows<T> rows = SparseRows.of(tf, gv);
      Op sparse = applySparse(tf, gv, rows, lr, state);
      if (sparse != null) {
        return sparse;
      }
    }
    return applyDense(tf, gv, lr, state);
  }

  @Override
  public final Op applyGradientsV2(
      Ops training, List<? extends GradAndVar<?>> gradsAndVars, Variable<TInt64> iterations) {
    check(gradsAndVars);
    Ops scope = training.withSubScope(kerasName());
    Map<String, Double> hypers = new TreeMap<>(kerasHypers());
    hypers.putIfAbsent("decay", 0.0);
    if (schedule == null) {
      hypers.put("learning_rate", learningRate);
    }
    KerasState k = KerasState.create(scope, hypers, iterations, schedule);
    Ops apply = scope.withSubScope(kerasName());
    List<Op> updates = new ArrayList<>();
    for (GradAndVar<?> gv : gradsAndVars) {
      updates.add(applyKerasOne(updateScope(apply, gv.variableName()), gv, k));
    }
    return apply
        .withControlDependencies(updates)
        .withName("AssignAddVariableOp")
        .assignAdd(k.iterations(), apply.constant(1L));
  }

  private <T extends TNumber> Op applyKerasOne(Ops tf, GradAndVar<T> gv, KerasState k) {
    if (gv.rowIds() != null) {
      Op sparse = applyKerasSparse(tf, gv, SparseRows.of(tf, gv), k);
      if (sparse != null) {
        return sparse;
      }
    }
    return applyKeras(tf, gv, k);
  }

  /** Keras's class name of this optimizer, its scope under {@code training}: "Adagrad", "SGD". */
  String kerasName() {
    return name();
  }

  /**
   * Keras's hyper variables of this optimizer other than learning_rate, with their values (e.g.
   * Adam's beta_1 and beta_2); decay is 0 unless given here (Nadam's schedule_decay).
   */
  Map<String, Double> kerasHypers() {
    return Map.of();
  }

  /** Builds the Keras (optimizer_v2) dense update of one variable and creates its slots. */
  abstract <T extends TNumber> Op applyKeras(Ops tf, GradAndVar<T> gradAndVar, KerasState k);

  /**
   * Builds the Keras sparse update of the rows a step looked up, or returns null where it equals
   * the dense update (the default).
   */
  <T extends TNumber> Op applyKerasSparse(
      Ops tf, GradAndVar<T> gradAndVar, SparseRows<T> rows, KerasState k) {
    return null;
  }

  /**
   * Builds the TF1 sparse update (Python's {@code _apply_sparse}) of the rows a step looked up, or
   * returns null where it equals the dense update (the default).
   */
  <T extends TNumber> Op applySparse(
      Ops tf, GradAndVar<T> gradAndVar, SparseRows<T> rows, Operand<T> learningRate, S state) {
    return null;
  }

  /** The schedule's value at the global step (read before its increment), or null for none. */
  private Operand<TFloat32> scheduledLearningRate(Ops scope, Operand<TInt64> globalStep) {
    return schedule == null ? null : schedule.valueAtGlobalStep(scope, globalStep);
  }

  /** Creates the state shared by all updates, e.g. Adam's {@code beta1_power}; none by default. */
  S prepare(Ops tf, List<? extends GradAndVar<?>> gradsAndVars) {
    return null;
  }

  /**
   * Builds the update of one variable (and its slots) in {@code tf}'s scope, with the learning rate
   * {@code learningRate} of the variable's type.
   */
  abstract <T extends TNumber> Op applyDense(
      Ops tf, GradAndVar<T> gradAndVar, Operand<T> learningRate, S state);

  /** Ops to run after all updates (they get those updates as control dependencies). */
  List<Op> finish(Ops tf, List<Op> updates, S state) {
    return List.of();
  }

  /**
   * A slot {@code <variable>/<slotName>} of the variable's shape, filled with {@code initialValue}.
   */
  static <T extends TNumber> Variable<T> slot(
      Ops tf, Variable<T> variable, String slotName, double initialValue) {
    return Slots.create(tf, variable, slotName, initialValue);
  }

  /**
   * A non-slot variable {@code name} (made unique in {@code tf}'s scope: {@code beta1_power_1} for
   * a second optimizer, as Python names it), a scalar of {@code type} starting at {@code initial}.
   */
  static <T extends TNumber> Variable<T> nonSlot(
      Ops tf, String name, Class<T> type, double initial) {
    String fullName = Names.unique(tf, name);
    Operand<T> init =
        TypedScalars.of(
            Names.exact(tf.scope().withInitScope(), fullName + "/initial_value"), type, initial);
    return Variables.globalAt(tf, fullName, init);
  }

  /** {@code variable *= factor} (Adam's and Adamax's β^t accumulators after each step). */
  static <T extends TNumber> Op multiplyBy(Ops tf, Variable<T> variable, double factor) {
    return tf.assign(
        variable, tf.math.mul(variable, TypedScalars.of(tf.scope(), variable.type(), factor)));
  }

  /** Checks a decay rate β in [0, 1). */
  static void checkBeta(String what, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(what + " must be in [0, 1); found " + value + ".");
    }
  }

  /**
   * A hyper-parameter constant of the variable's type, named {@code name} in {@code tf}'s scope.
   */
  static <T extends TNumber> Operand<T> hyper(Ops tf, String name, Class<T> type, double value) {
    return TypedScalars.of(tf.withName(name).scope(), type, value);
  }

  static void checkNonNegative(String what, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          what + " must be a finite value >= 0; found " + shown(value));
    }
  }

  static void checkPositive(String what, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          what + " must be a finite value > 0; found " + shown(value));
    }
  }

  private static String shown(double value) {
    return Double.isNaN(value) ? "NaN (not set)." : value + ".";
  }

  /** Python's {@code name_scope("update_" + var.op.name)}: one sub-scope per path segment. */
  private static Ops updateScope(Ops scope, String variableName) {
    Ops result = scope;
    String[] parts = variableName.split("/");
    for (int i = 0; i < parts.length; i++) {
      result = result.withSubScope(i == 0 ? "update_" + parts[i] : parts[i]);
    }
    return result;
  }

  private static void check(List<? extends GradAndVar<?>> gradsAndVars) {
    if (gradsAndVars == null || gradsAndVars.isEmpty()) {
      throw new IllegalArgumentException(
          "No gradients to apply: pass at least one (gradient, variable) pair.");
    }
    Set<String> seen = new HashSet<>();
    for (GradAndVar<?> gv : gradsAndVars) {
      if (!seen.add(gv.variableName())) {
        throw new IllegalArgumentException(
            "Variable '" + gv.variableName() + "' appears twice; apply one gradient per variable.");
      }
      if (!TypedScalars.isSupported(gv.variable().type())) {
        throw TypedScalars.unsupported(gv.variable().type(), "'" + gv.variableName() + "'");
      }
    }
  }
}
