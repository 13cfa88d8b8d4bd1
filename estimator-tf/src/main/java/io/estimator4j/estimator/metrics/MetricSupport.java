package io.estimator4j.estimator.metrics;

import io.estimator4j.graph.Variables;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/** Shape fixes, weights and accumulators shared by the metrics (tf.compat.v1.metrics internals). */
final class MetricSupport {
  private MetricSupport() {}

  /**
   * The metric's scope: {@code name} may be a path such as {@code prediction/mean} (a head's metric
   * key), which becomes nested sub-scopes as Python's variable_scope makes it.
   */
  static Ops scope(Ops tf, String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("A metric needs a name, e.g. \"accuracy\".");
    }
    Ops scope = tf;
    for (String part : name.split("/", -1)) {
      scope = scope.withSubScope(part);
    }
    return scope;
  }

  /**
   * A float32 scalar accumulator named {@code name} in {@code scope}, uninitialised, not global.
   */
  static Variable<TFloat32> accumulator(Ops scope, String name) {
    return Variables.local(scope, name, Shape.scalar(), TFloat32.class);
  }

  /**
   * A float32 accumulator of {@code size} elements named {@code name}, like {@link #accumulator}.
   */
  static Variable<TFloat32> vectorAccumulator(Ops scope, String name, int size) {
    return Variables.local(scope, name, Shape.of(size), TFloat32.class);
  }

  /** Python's {@code metric_variable} reset: one op assigning zeros to every accumulator. */
  static Op initializer(Ops scope, List<Variable<TFloat32>> accumulators) {
    List<Op> zeroes = new ArrayList<>();
    for (Variable<TFloat32> v : accumulators) {
      Operand<TFloat32> zero =
          v.shape().numDimensions() == 0
              ? scope.constant(0f)
              : scope.zeros(scope.constant(v.shape()), TFloat32.class);
      zeroes.add(scope.assign(v, zero));
    }
    return scope.withControlDependencies(zeroes).withName("initializer").noOp();
  }

  /** The sum of every element, whatever the rank. */
  static Operand<TFloat32> sumAll(Ops tf, Operand<TFloat32> x) {
    return tf.reduceSum(tf.reshape(x, tf.constant(new int[] {-1})), tf.constant(0));
  }

  /**
   * Python's {@code remove_squeezable_dimensions}: when the static ranks differ by one and the
   * extra last dimension can be 1, squeezes it from {@code a} ({@code [n, 1]} against {@code [n]}).
   */
  static <T extends TType> Operand<T> squeezeLastIfExtra(Ops tf, Operand<T> a, Operand<?> b) {
    Shape sa = a.shape();
    Shape sb = b.shape();
    if (sa.isUnknown() || sb.isUnknown() || sa.numDimensions() != sb.numDimensions() + 1) {
      return a;
    }
    long last = sa.get(sa.numDimensions() - 1);
    return last == 1 || last == Shape.UNKNOWN_SIZE ? tf.squeeze(a, Squeeze.axis(-1L)) : a;
  }

  /** Labels and predictions of one shape, as {@link #align} returns them. */
  record Aligned<L extends TType, P extends TType>(Operand<L> labels, Operand<P> predictions) {}

  /**
   * Python's {@code remove_squeezable_dimensions} on both, predictions first, then {@link
   * #checkCompatible}.
   */
  static <L extends TType, P extends TType> Aligned<L, P> align(
      Ops tf, String metric, Operand<L> labels, Operand<P> predictions) {
    Operand<P> p = squeezeLastIfExtra(tf, predictions, labels);
    Operand<L> l = squeezeLastIfExtra(tf, labels, p);
    checkCompatible(metric, l.shape(), p.shape());
    return new Aligned<>(l, p);
  }

  /** A metric whose local variables are {@code accumulators}, reset by {@link #initializer}. */
  static Metric metric(
      Ops scope, Operand<TFloat32> value, Op update, List<Variable<TFloat32>> accumulators) {
    return new Metric(value, update, initializer(scope, accumulators), List.copyOf(accumulators));
  }

  /** Both squeezed against each other, then required to have compatible static shapes. */
  static void checkCompatible(String metric, Shape labels, Shape predictions) {
    if (!labels.isCompatibleWith(predictions)) {
      throw new IllegalArgumentException(
          metric
              + ": labels shape "
              + labels
              + " is not compatible with predictions shape "
              + predictions
              + ". Give both the same shape (a trailing dimension of 1 is squeezed).");
    }
  }

  /**
   * Python's weight handling in {@code mean}: squeeze or expand the weights' last dimension to the
   * values' rank, cast to float32, then broadcast to the values' shape.
   */
  static Operand<TFloat32> broadcastWeights(
      Ops tf, Operand<? extends TType> weights, Operand<TFloat32> values) {
    Operand<TFloat32> w = tf.dtypes.cast(weights, TFloat32.class);
    Shape sw = w.shape();
    Shape sv = values.shape();
    if (!sw.isUnknown() && !sv.isUnknown() && sw.numDimensions() > 0) {
      if (sw.numDimensions() == sv.numDimensions() + 1) {
        w = tf.squeeze(w, Squeeze.axis(-1L));
      } else if (sv.numDimensions() == sw.numDimensions() + 1) {
        w = tf.expandDims(w, tf.constant(-1));
      }
    }
    return tf.math.mul(w, tf.onesLike(values));
  }
}
