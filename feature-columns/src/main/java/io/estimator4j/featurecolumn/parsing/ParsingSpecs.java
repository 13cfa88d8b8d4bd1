package io.estimator4j.featurecolumn.parsing;

import java.util.List;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

final class ParsingSpecs {
  private ParsingSpecs() {}

  static void checkDtype(Class<? extends TType> dtype) {
    if (!List.of(TFloat32.class, TInt64.class, TString.class).contains(dtype)) {
      throw new IllegalArgumentException(
          "tf.Example features are float32, int64 or string; got "
              + (dtype == null ? "null" : dtype.getSimpleName()));
    }
  }
}
