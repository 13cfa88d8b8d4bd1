package io.estimator4j.featurecolumn.parsing;

import java.util.Arrays;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * A feature with a fixed number of values per example; Java counterpart of tf.io.FixedLenFeature.
 *
 * @param dtype TFloat32, TInt64 or TString
 * @param shape per-example shape, e.g. {@code {}} for a scalar or {@code {3}}
 * @param defaultValue value used when the feature is missing (a Number or String), or null to make
 *     the feature required
 */
public record FixedLenFeature(Class<? extends TType> dtype, long[] shape, Object defaultValue)
    implements FeatureSpec {

  public FixedLenFeature {
    ParsingSpecs.checkDtype(dtype);
    shape = shape.clone();
    for (long d : shape) {
      if (d <= 0) {
        throw new IllegalArgumentException(
            "FixedLenFeature dimensions must be > 0, got " + Arrays.toString(shape));
      }
    }
    if (defaultValue != null) {
      boolean ok =
          dtype == TString.class ? defaultValue instanceof String : defaultValue instanceof Number;
      if (!ok) {
        throw new IllegalArgumentException(
            "FixedLenFeature default "
                + defaultValue
                + " does not match dtype "
                + dtype.getSimpleName());
      }
    }
  }

  /** A required scalar feature. */
  public static FixedLenFeature scalar(Class<? extends TType> dtype) {
    return new FixedLenFeature(dtype, new long[0], null);
  }

  /** A scalar float feature with a default. */
  public static FixedLenFeature scalar(float defaultValue) {
    return new FixedLenFeature(TFloat32.class, new long[0], defaultValue);
  }

  /** A scalar int64 feature with a default. */
  public static FixedLenFeature scalar(long defaultValue) {
    return new FixedLenFeature(TInt64.class, new long[0], defaultValue);
  }

  /** A scalar string feature with a default. */
  public static FixedLenFeature scalar(String defaultValue) {
    return new FixedLenFeature(TString.class, new long[0], defaultValue);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FixedLenFeature f
        && f.dtype == dtype
        && Arrays.equals(f.shape, shape)
        && java.util.Objects.equals(f.defaultValue, defaultValue);
  }

  @Override
  public int hashCode() {
    return dtype.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return "FixedLenFeature("
        + dtype.getSimpleName()
        + ", "
        + Arrays.toString(shape)
        + (defaultValue == null ? "" : ", default=" + defaultValue)
        + ")";
  }
}
