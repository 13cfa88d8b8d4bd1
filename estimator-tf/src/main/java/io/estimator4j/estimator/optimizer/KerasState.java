package io.estimator4j.estimator.optimizer;

import io.estimator4j.graph.Variables;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * The state of one Keras optimizer (optimizer_v2) in a graph, named as tf.estimator's V2 canned
 * estimators name it: the hyper-parameters as float32 scalar variables {@code
 * training/<Name>/<hyper>} (learning_rate, decay, ...), the step counter (global_step, or the
 * optimizer's own {@code training/<Name>/iter}) and slots {@code
 * training/<Name>/<variable>/<slot>}.
 *
 * <p>The hyper-parameters are read from their variables each step, as Keras does: after a restore
 * the optimizer trains with the checkpoint's learning rate.
 */
final class KerasState {
  private final String prefix;
  private final Map<String, Variable<TFloat32>> hypers;
  private final Variable<TInt64> iterations;
  private final Operand<TFloat32> scheduledLearningRate;
  private final Ops scope;
  private final Map<String, Object> shared = new HashMap<>();

  private KerasState(
      Ops scope,
      String prefix,
      Map<String, Variable<TFloat32>> hypers,
      Variable<TInt64> iterations,
      Operand<TFloat32> scheduledLearningRate) {
    this.scope = scope;
    this.prefix = prefix;
    this.hypers = hypers;
    this.iterations = iterations;
    this.scheduledLearningRate = scheduledLearningRate;
  }

  /**
   * Creates the hyper variables (in sorted order, as Keras's {@code _create_hypers}) and, without
   * {@code iterations}, the variable {@code iter}.
   *
   * @param scope the optimizer's scope, e.g. {@code training/Adagrad}
   * @param hyperValues the hyper-parameters and their initial values (decay included; without
   *     learning_rate when a schedule gives it)
   * @param iterations the counter to increment after the updates, or null for an own {@code iter}
   * @param schedule the learning-rate schedule, or null for the {@code learning_rate} variable
   */
  static KerasState create(
      Ops scope,
      Map<String, Double> hyperValues,
      Variable<TInt64> iterations,
      LearningRateSchedule schedule) {
    Map<String, Variable<TFloat32>> hypers = new TreeMap<>();
    String prefix = null;
    for (Map.Entry<String, Double> e : new TreeMap<>(hyperValues).entrySet()) {
      float value = e.getValue().floatValue();
      Variable<TFloat32> v =
          Variables.global(scope, e.getKey(), init -> init.withName("Const").constant(value));
      hypers.put(e.getKey(), v);
      String name = v.op().name();
      prefix = name.substring(0, name.length() - e.getKey().length() - 1);
    }
    if (prefix == null) {
      throw new IllegalStateException("A Keras optimizer has at least its decay hyper variable");
    }
    Variable<TInt64> iter =
        iterations != null
            ? iterations
            : Variables.global(scope, "iter", init -> init.withName("zeros").constant(0L));
    Operand<TFloat32> scheduled =
        schedule == null ? null : schedule.valueAtGlobalStep(scope, Variables.read(scope, iter));
    return new KerasState(scope, prefix, hypers, iter, scheduled);
  }

  /** The optimizer's scope name, e.g. {@code training/Adagrad}. */
  String prefix() {
    return prefix;
  }

  /**
   * A value shared by every variable's update of one step (Keras's {@code _prepare_local}, e.g.
   * Nadam's momentum cache), built once by {@code build} in the optimizer's scope.
   */
  @SuppressWarnings("unchecked")
  <V> V shared(String key, Function<Ops, V> build) {
    return (V) shared.computeIfAbsent(key, x -> build.apply(scope));
  }

  /** The step counter the optimizer increments after its updates. */
  Variable<TInt64> iterations() {
    return iterations;
  }

  /** The hyper variable {@code name} read as {@code type}. */
  <T extends TNumber> Operand<T> hyper(Ops tf, String name, Class<T> type) {
    Variable<TFloat32> v = hypers.get(name);
    if (v == null) {
      throw new IllegalStateException("No hyper variable " + name + " under " + prefix);
    }
    return TypedScalars.as(tf.scope(), Variables.read(tf, v), type);
  }

  /** The learning rate of this step: the variable's value or the schedule's. */
  <T extends TNumber> Operand<T> learningRate(Ops tf, Class<T> type) {
    return scheduledLearningRate != null
        ? TypedScalars.as(tf.scope(), scheduledLearningRate, type)
        : hyper(tf, "learning_rate", type);
  }

  /** Keras's {@code local_step}: the step counter + 1, as {@code type}. */
  <T extends TNumber> Operand<T> localStep(Ops tf, Class<T> type) {
    Operand<TInt64> next = tf.math.add(Variables.read(tf, iterations), tf.constant(1L));
    return TypedScalars.as(tf.scope(), next, type);
  }

  /** The slot {@code <prefix>/<variable>/<slotName>}, every value {@code initialValue}. */
  <T extends TNumber> Variable<T> slot(
      Ops tf, Variable<T> variable, String slotName, double initialValue) {
    return Slots.createAt(
        tf, prefix + "/" + variable.op().name() + "/" + slotName, variable, initialValue);
  }
}
