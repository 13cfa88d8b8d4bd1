package io.estimator4j.savedmodel;

/**
 * Splits the names a GraphDef and a SavedModel use for tensors and ops: {@code "x:1"} (output 1 of
 * op x), {@code "^x"} (a control input on op x) and {@code "x"}; the Java counterpart of the name
 * parsing in TensorFlow's graph_util ({@code _node_name}) and the C++ {@code ParseTensorName}.
 */
public final class TensorNames {
  private TensorNames() {}

  /**
   * The op (node) name: {@code "x:1"}, {@code "^x"} and {@code "x"} all name op {@code x}. Only a
   * numeric suffix after the last colon is an output index; op names cannot hold a colon.
   */
  public static String opName(String tensorOrOpName) {
    String n = tensorOrOpName.startsWith("^") ? tensorOrOpName.substring(1) : tensorOrOpName;
    int colon = n.lastIndexOf(':');
    return colon > 0 && colon < n.length() - 1 && isDigits(n.substring(colon + 1))
        ? n.substring(0, colon)
        : n;
  }

  private static boolean isDigits(String s) {
    return s.chars().allMatch(c -> c >= '0' && c <= '9');
  }
}
