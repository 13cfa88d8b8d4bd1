package io.estimator4j.keras.impl;

import io.estimator4j.estimator.layers.Weights;
import io.estimator4j.graph.Initializer;
import io.estimator4j.io.Dims;
import io.estimator4j.keras.file.WeightArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The {@link Weights} of one Keras layer: serves the file's weights for that layer by position, in
 * the order the layer asks for them (Keras's own loading order), checking each shape; the weights
 * made by the first call are reused by later calls of a shared layer.
 */
public final class LoadedWeights implements Weights {
  private final BuildContext build;
  private final LayerConfig layer;
  private final List<WeightArray> stored;
  private final List<Operand<TFloat32>> created = new ArrayList<>();
  private final List<Request> requests = new ArrayList<>();

  /**
   * A weight the layer created, in creation order: its name, shape and whether the layer made it
   * trainable (BatchNormalization's moving statistics are not), before any freezing.
   */
  public record Request(String name, Shape shape, boolean trainable) {}

  private int cursor;
  private long trainableParams;
  private long nonTrainableParams;

  /**
   * @param stored the layer's weights in the file, or null when the file holds no weights at all
   *     (the configured initializers are used)
   */
  public LoadedWeights(BuildContext build, LayerConfig layer, List<WeightArray> stored) {
    this.build = build;
    this.layer = layer;
    this.stored = stored;
  }

  /** Starts serving from the first weight again (before each call of the layer). */
  public void beginCall() {
    cursor = 0;
  }

  /**
   * After each call: adds the layer's activity regularisation of {@code outputs} to the build's
   * losses (when it collects them); after the first call, checks that the layer used every stored
   * weight.
   *
   * @throws IllegalArgumentException naming the layer if the file holds more weights, or an
   *     activity regularizer that is not L1, L2 or L1L2
   */
  public void endCall(Ops callScope, List<KTensor> outputs) {
    if (build.collectsLosses()) {
      Regularizers.Regularizer r = Regularizers.activity(layer);
      if (r != null && !r.isZero()) {
        Ops tf = callScope.withSubScope("ActivityRegularizer");
        for (KTensor out : outputs) {
          build.addLoss(Regularizers.activityLoss(tf, r, Mappers.floats(tf, out), build.keras3()));
        }
      }
    }
    if (stored != null && cursor < stored.size() && cursor == created.size()) {
      throw new IllegalArgumentException(
          "The file holds "
              + stored.size()
              + " weights for "
              + layer.describe()
              + " "
              + stored
              + ", but the layer uses "
              + cursor
              + ". The weights do not belong to this"
              + " architecture.");
    }
  }

  @Override
  public Operand<TFloat32> get(
      Ops layerScope, String name, Shape shape, Initializer initializer, boolean trainable) {
    if (cursor < created.size()) {
      Operand<TFloat32> existing = created.get(cursor++);
      if (!existing.shape().equals(shape)) {
        throw new IllegalArgumentException(
            "Shared "
                + layer.describe()
                + " is called on inputs of different shapes: weight '"
                + name
                + "' was built as "
                + existing.shape()
                + ", now needs "
                + shape
                + ".");
      }
      return existing;
    }
    // the checked reader: an overflowing shape or a size beyond the limit is refused here,
    // before TensorFlow is asked for the variable
    String what = "weight '" + name + "' of " + layer.describe();
    long size = Dims.checkShape(shape.asArray(), true, what, LayerConfig.FIX);
    build.countParameters(size, what);
    WeightArray w = null;
    if (stored != null) {
      if (cursor >= stored.size()) {
        throw new IllegalArgumentException(
            "Weight '"
                + name
                + "' of "
                + layer.describe()
                + " is missing: the file holds "
                + stored.size()
                + " weights for this layer "
                + stored
                + ", the layer needs more.");
      }
      w = stored.get(cursor);
      if (!w.shape().equals(shape)) {
        throw new IllegalArgumentException(
            "Weight '"
                + name
                + "' (stored as '"
                + w.name()
                + "') of "
                + layer.describe()
                + " has shape "
                + Arrays.toString(w.shape().asArray())
                + ", but the layer needs "
                + Arrays.toString(shape.asArray())
                + " for its input. The weights do not match"
                + " the architecture.");
      }
    }
    Operand<TFloat32> op = build.createWeight(layerScope, name, shape, initializer, trainable, w);
    created.add(op);
    requests.add(new Request(name, shape, trainable));
    addRegularization(layerScope, name, op);
    if (trainable) {
      trainableParams += size;
    } else {
      nonTrainableParams += size;
    }
    cursor++;
    return op;
  }

  @Override
  public Op assign(Ops scope, Operand<TFloat32> weight, Operand<TFloat32> value) {
    return build.assign(scope, weight, value);
  }

  /** Adds the weight's regularizer (kernel_regularizer, ...) to the losses, as add_weight does. */
  private void addRegularization(Ops layerScope, String name, Operand<TFloat32> weight) {
    String key = Regularizers.keyOf(name);
    if (!build.collectsLosses() || key == null) {
      return;
    }
    Regularizers.Regularizer r = Regularizers.of(layer, key);
    if (r != null && !r.isZero()) {
      build.addLoss(r.penalty(layerScope.withSubScope(name + "_Regularizer"), weight));
    }
  }

  /** The weights the layer created, in creation order (a shared layer's once). */
  public List<Request> requests() {
    return java.util.Collections.unmodifiableList(requests);
  }

  /** The number of trainable values in the weights this layer created (shared weights once). */
  public long trainableParams() {
    return trainableParams;
  }

  /** The number of non-trainable values (e.g. BatchNormalization's moving statistics). */
  public long nonTrainableParams() {
    return nonTrainableParams;
  }
}
