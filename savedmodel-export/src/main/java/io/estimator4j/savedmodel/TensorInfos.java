package io.estimator4j.savedmodel;

import java.util.StringJoiner;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/** Helpers over signature TensorInfos: shapes as text, and checks of fed tensors. */
public final class TensorInfos {
  private TensorInfos() {}

  /** "(-1, 3)" style, "unknown rank" when the rank is unknown. */
  public static String shapeString(TensorInfo info) {
    TensorShapeProto s = info.getTensorShape();
    if (s.getUnknownRank()) {
      return "unknown rank";
    }
    StringJoiner j = new StringJoiner(", ", "(", ")");
    s.getDimList().forEach(d -> j.add(Long.toString(d.getSize())));
    return j.toString();
  }

  /** Throws IllegalArgumentException when {@code t}'s dtype or shape cannot feed {@code info}. */
  public static void checkCompatible(String signature, String key, TensorInfo info, Tensor t) {
    checkDtype(signature, key, info, t);
    TensorShapeProto s = info.getTensorShape();
    if (s.getUnknownRank() || info.getTensorShape().getDimCount() == 0 && !info.hasTensorShape()) {
      return;
    }
    checkShape(signature, key, info, t);
  }

  /** Throws IllegalArgumentException when {@code t}'s dtype cannot feed {@code info}. */
  public static void checkDtype(String signature, String key, TensorInfo info, Tensor t) {
    DataType want = info.getDtype();
    if (want != DataType.DT_INVALID && want != t.dataType()) {
      throw new IllegalArgumentException(
          "Input '"
              + key
              + "' of signature '"
              + signature
              + "' must be "
              + want
              + ", got "
              + t.dataType()
              + ".");
    }
  }

  private static void checkShape(String signature, String key, TensorInfo info, Tensor t) {
    TensorShapeProto s = info.getTensorShape();
    Shape got = t.shape();
    boolean ok = got.numDimensions() == s.getDimCount();
    for (int i = 0; ok && i < s.getDimCount(); i++) {
      long d = s.getDim(i).getSize();
      ok = d < 0 || d == got.size(i);
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "Input '"
              + key
              + "' of signature '"
              + signature
              + "' must have shape "
              + shapeString(info)
              + " (-1 = any), got "
              + got
              + ".");
    }
  }
}
