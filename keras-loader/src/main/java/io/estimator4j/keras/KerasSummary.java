package io.estimator4j.keras;

import io.estimator4j.keras.impl.KTensor;
import io.estimator4j.keras.impl.Network;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;

/**
 * A Keras model's layers, output shapes and parameter counts, printed as Keras 2's {@code
 * model.summary()} prints them; the Java counterpart of tf.keras.Model.summary
 * (keras.utils.layer_utils.print_summary).
 *
 * <p>Sequential models, and functional ones that are a plain chain, get the three columns Layer
 * (type), Output Shape and Param #; other functional models also get Connected to. The batch
 * dimension, and any other the graph leaves unknown, is {@code None}; a layer called more than once
 * has the output shape {@code multiple}. Nested models are one row each, with all their parameters.
 * Weights of a layer whose config says {@code "trainable": false}, and BatchNormalization's moving
 * statistics, count as non-trainable.
 */
public final class KerasSummary {
  /** Line length and column ends of Keras's three-column (sequential-like) table. */
  private static final int SEQUENTIAL_LINE_LENGTH = 65;

  private static final double[] SEQUENTIAL_POSITIONS = {.45, .85, 1.};

  /** Line length and column ends of Keras's four-column table. */
  private static final int FUNCTIONAL_LINE_LENGTH = 98;

  private static final double[] FUNCTIONAL_POSITIONS = {.33, .55, .67, 1.};

  /**
   * One row of the table.
   *
   * @param name the layer name
   * @param className the Keras class name
   * @param outputShape as Keras prints it, e.g. {@code (None, 10)}, {@code [(None, 4)]} for an
   *     InputLayer, {@code multiple} for a shared layer
   * @param params the values in the layer's weights (all of a nested model's layers)
   * @param connectedTo the inbound tensors, {@code layer[node][tensor]} (functional models)
   */
  public record Row(
      String name, String className, String outputShape, long params, List<String> connectedTo) {
    public Row {
      connectedTo = List.copyOf(connectedTo);
    }
  }

  private final String modelName;
  private final boolean sequentialLike;
  private final List<Row> rows;
  private final long trainableParams;
  private final long nonTrainableParams;

  private KerasSummary(
      String modelName,
      boolean sequentialLike,
      List<Row> rows,
      long trainableParams,
      long nonTrainableParams) {
    this.modelName = modelName;
    this.sequentialLike = sequentialLike;
    this.rows = List.copyOf(rows);
    this.trainableParams = trainableParams;
    this.nonTrainableParams = nonTrainableParams;
  }

  /** Reads and builds the model in {@code file} and summarises it. */
  public static KerasSummary of(Path file) throws IOException {
    try (KerasModel model = KerasModel.load(file)) {
      return of(model);
    }
  }

  /** Summarises a built model. */
  public static KerasSummary of(KerasModel model) {
    Objects.requireNonNull(model, "model");
    Network network = model.network();
    List<Row> rows = new ArrayList<>();
    long[] counts = new long[2];
    for (Network.Layer layer : network.layers()) {
      boolean input = layer.className().equals("InputLayer");
      if (input && network.isSequential()) {
        continue; // Sequential.layers leaves its InputLayer out
      }
      long[] params = new long[2];
      count(layer, true, params);
      counts[0] += params[0];
      counts[1] += params[1];
      String shape =
          input ? "[" + shape(model.inputs().get(layer.name())) + "]" : outputShape(layer.calls());
      rows.add(
          new Row(
              layer.name(),
              layer.className(),
              shape,
              params[0] + params[1],
              input ? List.of() : layer.inbound()));
    }
    return new KerasSummary(network.name(), isSequentialLike(network), rows, counts[0], counts[1]);
  }

  /** Adds the layer's trainable and non-trainable counts (a nested model's, recursively). */
  private static void count(Network.Layer layer, boolean trainable, long[] params) {
    boolean t = trainable && layer.trainable();
    if (layer.nested() != null) {
      for (Network.Layer inner : layer.nested().layers()) {
        count(inner, t, params);
      }
      return;
    }
    params[t ? 0 : 1] += layer.trainableParams();
    params[1] += layer.nonTrainableParams();
  }

  /**
   * Keras prints a functional model like a Sequential one when it is a chain: one input, every
   * layer called once on one tensor, no tensor consumed twice.
   */
  private static boolean isSequentialLike(Network network) {
    if (network.isSequential()) {
      return true;
    }
    if (network.inputs().size() != 1) {
      return false;
    }
    Map<String, Integer> consumers = new HashMap<>();
    for (Network.Layer layer : network.layers()) {
      if (layer.className().equals("InputLayer")) {
        continue;
      }
      if (layer.inbound().size() != 1) {
        return false;
      }
      if (consumers.merge(layer.inbound().get(0), 1, Integer::sum) > 1) {
        return false;
      }
    }
    return true;
  }

  private static String outputShape(List<List<KTensor>> calls) {
    if (calls.size() != 1) {
      return "multiple";
    }
    List<KTensor> outs = calls.get(0);
    if (outs.size() == 1) {
      return shape(outs.get(0).value());
    }
    StringJoiner j = new StringJoiner(", ", "[", "]");
    outs.forEach(t -> j.add(shape(t.value())));
    return j.toString();
  }

  /** Python's tuple syntax: {@code (None, 3)}, {@code (None,)}; unknown dimensions are None. */
  private static String shape(Operand<?> operand) {
    Shape s = operand.shape();
    if (s.isUnknown()) {
      return "(unknown rank)";
    }
    StringJoiner j = new StringJoiner(", ", "(", s.numDimensions() == 1 ? ",)" : ")");
    for (int i = 0; i < s.numDimensions(); i++) {
      j.add(i == 0 || s.get(i) < 0 ? "None" : Long.toString(s.get(i)));
    }
    return j.toString();
  }

  /** The model's name, e.g. {@code sequential}. */
  public String modelName() {
    return modelName;
  }

  /** The rows, in layer order. */
  public List<Row> rows() {
    return rows;
  }

  public long totalParams() {
    return trainableParams + nonTrainableParams;
  }

  public long trainableParams() {
    return trainableParams;
  }

  public long nonTrainableParams() {
    return nonTrainableParams;
  }

  /** Whether the table has no Connected to column (Sequential models and plain chains). */
  public boolean isSequentialLike() {
    return sequentialLike;
  }

  /** The summary as Keras prints it (without the trailing spaces of its padded columns). */
  public String text() {
    int width = sequentialLike ? SEQUENTIAL_LINE_LENGTH : FUNCTIONAL_LINE_LENGTH;
    double[] fractions = sequentialLike ? SEQUENTIAL_POSITIONS : FUNCTIONAL_POSITIONS;
    int[] positions = new int[fractions.length];
    for (int i = 0; i < positions.length; i++) {
      positions[i] = (int) (width * fractions[i]);
    }
    StringBuilder out = new StringBuilder();
    line(out, "Model: \"" + modelName + "\"");
    line(out, "_".repeat(width));
    List<String> header = new ArrayList<>(List.of("Layer (type)", "Output Shape", "Param #"));
    if (!sequentialLike) {
      header.add("Connected to");
    }
    row(out, header, positions);
    line(out, "=".repeat(width));
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      List<String> fields =
          new ArrayList<>(
              List.of(
                  r.name() + " (" + r.className() + ")",
                  r.outputShape(),
                  Long.toString(r.params())));
      if (!sequentialLike) {
        fields.add(r.connectedTo().isEmpty() ? "" : r.connectedTo().get(0));
      }
      row(out, fields, positions);
      for (int c = 1; !sequentialLike && c < r.connectedTo().size(); c++) {
        row(out, List.of("", "", "", r.connectedTo().get(c)), positions);
      }
      line(out, (i == rows.size() - 1 ? "=" : "_").repeat(width));
    }
    if (rows.isEmpty()) {
      line(out, "=".repeat(width));
    }
    line(out, String.format(Locale.ROOT, "Total params: %,d", totalParams()));
    line(out, String.format(Locale.ROOT, "Trainable params: %,d", trainableParams));
    line(out, String.format(Locale.ROOT, "Non-trainable params: %,d", nonTrainableParams));
    line(out, "_".repeat(width));
    return out.toString();
  }

  /** Keras's print_row: each field cut or padded to end at its column's position. */
  private static void row(StringBuilder out, List<String> fields, int[] positions) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        line.setLength(line.length() - 1);
        line.append(' ');
      }
      line.append(fields.get(i));
      line.setLength(Math.min(line.length(), positions[i]));
      while (line.length() < positions[i]) {
        line.append(' ');
      }
    }
    line(out, line.toString());
  }

  private static void line(StringBuilder out, String text) {
    out.append(text.stripTrailing()).append('\n');
  }

  @Override
  public String toString() {
    return text();
  }
}
