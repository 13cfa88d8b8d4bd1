package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.estimator4j.estimator.layers.Initializers;
import io.estimator4j.estimator.layers.Recurrent;
import io.estimator4j.estimator.layers.RecurrentCell;
import io.estimator4j.estimator.layers.RecurrentCells;
import io.estimator4j.estimator.layers.Weights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Keras's recurrent layers (SimpleRNN, LSTM, GRU, ConvLSTM2D and the generic RNN over those
 * cells) at inference, and the wrappers Bidirectional and TimeDistributed. Their {@code dropout}
 * and {@code recurrent_dropout} are not applied in training either (modelToEstimator's TRAIN mode
 * runs these layers as at inference); their weight regularizers do apply.
 */
final class RecurrentMappers {
  private RecurrentMappers() {}

  static void register(Map<String, Function<LayerContext, KerasLayer>> m) {
    for (String cls : List.of("SimpleRNN", "LSTM", "GRU", "ConvLSTM2D", "RNN")) {
      m.put(cls, ctx -> {
        Rnn rnn = Rnn.of(ctx.config());
        return (scope, in, kw) -> rnn.call(scope, in, ctx.weights(), false);
      });
    }
    m.put("Bidirectional", RecurrentMappers::bidirectional);
    m.put("TimeDistributed", RecurrentMappers::timeDistributed);
  }

  /** One recurrent layer's settings. */
  static final class Rnn {
    final LayerConfig c;
    final String cell;
    final boolean returnSequences;
    final boolean returnState;
    final boolean goBackwards;
    final boolean timeMajor;
    final RecurrentCells.Config cellConfig;

    private Rnn(LayerConfig c, String cell, LayerConfig cellSettings) {
      this.c = c;
      this.cell = cell;
      this.returnSequences = c.bool("return_sequences", false);
      this.returnState = c.bool("return_state", false);
      this.goBackwards = c.bool("go_backwards", false);
      this.timeMajor = c.bool("time_major", false);
      LayerConfig s = cellSettings;
      RecurrentCells.Config cc =
          RecurrentCells.Config.units(cell.equals("ConvLSTM2D") ? s.integer("filters", -1)
              : s.integer("units", -1));
      cc.activation(s.has("activation") ? s.activation("activation")
          : io.estimator4j.estimator.layers.Activation.TANH);
      if (!cell.equals("SimpleRNN")) {
        cc.recurrentActivation(s.has("recurrent_activation") ? s.activation("recurrent_activation")
            : io.estimator4j.estimator.layers.Activation.SIGMOID);
      }
      cc.useBias(s.bool("use_bias", true))
          .unitForgetBias(s.bool("unit_forget_bias", true))
          .resetAfter(s.bool("reset_after", false))
          .kernelInitializer(s.initializer("kernel_initializer", Initializers.glorotUniform()))
          .recurrentInitializer(
              s.initializer("recurrent_initializer", Initializers.orthogonal(1f, null)))
          .biasInitializer(s.initializer("bias_initializer", Initializers.zeros()));
      this.cellConfig = cc;
    }

    static Rnn of(LayerConfig c) {
      String cls = c.className();
      if (!cls.equals("RNN")) {
        return new Rnn(c, cls, c);
      }
      JsonNode cellSpec = c.get("cell");
      String cellClass = cellSpec == null ? "" : cellSpec.path("class_name").asText();
      String kind =
          switch (cellClass) {
            case "SimpleRNNCell" -> "SimpleRNN";
            case "LSTMCell" -> "LSTM";
            case "GRUCell" -> "GRU";
            default ->
                throw c.unsupported("RNN over cell '" + cellClass
                    + "' is not supported (SimpleRNNCell, LSTMCell and GRUCell are).");
          };
      LayerConfig cellSettings =
          new LayerConfig(c.name(), cellClass, cellSpec.path("config"), c.keras3(), c.source());
      return new Rnn(c, kind, cellSettings);
    }

    /** Creates the cell (asking for its weights) for an input {@code [batch, time, ...]}. */
    RecurrentCell cell(Ops scope, Operand<TFloat32> x, Weights weights) {
      long[] shape = x.shape().asArray();
      if (cell.equals("ConvLSTM2D")) {
        long[] step = Tensors.known(c, shape, 2);
        return RecurrentCells.convLstm2d(scope, step, c.ints("kernel_size", 2, 3),
            c.ints("strides", 2, 1), c.string("padding", "valid"), c.ints("dilation_rate", 2, 1),
            cellConfig, weights);
      }
      long features = shape[shape.length - 1];
      if (features < 0) {
        throw new IllegalArgumentException(
            c.describe() + " needs a known feature dimension; found input shape " + x.shape());
      }
      return switch (cell) {
        case "SimpleRNN" -> RecurrentCells.simpleRnn(scope, features, cellConfig, weights);
        case "LSTM" -> RecurrentCells.lstm(scope, features, cellConfig, weights);
        default -> RecurrentCells.gru(scope, features, cellConfig, weights);
      };
    }

    /** Input in Keras's layout to [batch, time, steps-last features...]. */
    Operand<TFloat32> prepare(Ops tf, Operand<TFloat32> x) {
      Operand<TFloat32> v = x;
      if (timeMajor) {
        v = transpose(tf, v, swapFirstTwo(v.shape().numDimensions()));
      }
      if (cell.equals("ConvLSTM2D") && c.dataFormat()
          == io.estimator4j.estimator.layers.DataFormat.CHANNELS_FIRST) {
        v = transpose(tf, v, 0, 1, 3, 4, 2);
      }
      return v;
    }

    Operand<TFloat32> restore(Ops tf, Operand<TFloat32> y, boolean sequence) {
      Operand<TFloat32> v = y;
      if (cell.equals("ConvLSTM2D") && c.dataFormat()
          == io.estimator4j.estimator.layers.DataFormat.CHANNELS_FIRST) {
        v = sequence ? transpose(tf, v, 0, 1, 4, 2, 3) : transpose(tf, v, 0, 3, 1, 2);
      }
      if (timeMajor && sequence) {
        v = transpose(tf, v, swapFirstTwo(v.shape().numDimensions()));
      }
      return v;
    }

    Recurrent loop(boolean zeroOutputForMask) {
      return Recurrent.of(returnSequences, goBackwards, zeroOutputForMask);
    }

    List<KTensor> call(Ops scope, List<KTensor> in, Weights weights, boolean zeroOutputForMask) {
      KTensor first = Mappers.single(c, in);
      Operand<TFloat32> x = prepare(scope, Mappers.floats(scope, first));
      RecurrentCell rc = cell(scope, x, weights);
      List<Operand<TFloat32>> initial = null;
      if (in.size() > 1) {
        initial = new ArrayList<>();
        for (int i = 1; i < in.size(); i++) {
          initial.add(prepareState(scope, Mappers.floats(scope, in.get(i))));
        }
        if (initial.size() != rc.stateShapes().size()) {
          throw new IllegalArgumentException(c.describe() + " has " + rc.stateShapes().size()
              + " states but was given " + initial.size() + " initial states.");
        }
      }
      Recurrent.Result r = loop(zeroOutputForMask).run(scope, rc, x, first.mask(), initial);
      List<KTensor> out = new ArrayList<>();
      out.add(new KTensor(restore(scope, r.output(), returnSequences),
          returnSequences ? first.mask() : null));
      if (returnState) {
        for (Operand<TFloat32> s : r.states()) {
          out.add(KTensor.of(restore(scope, s, false)));
        }
      }
      return out;
    }

    private Operand<TFloat32> prepareState(Ops tf, Operand<TFloat32> s) {
      if (cell.equals("ConvLSTM2D") && c.dataFormat()
          == io.estimator4j.estimator.layers.DataFormat.CHANNELS_FIRST) {
        return transpose(tf, s, 0, 2, 3, 1);
      }
      return s;
    }
  }

  private static KerasLayer bidirectional(LayerContext ctx) {
    LayerConfig c = ctx.config();
    JsonNode inner = c.get("layer");
    if (inner == null || !inner.isObject()) {
      throw c.unsupported("it has no wrapped layer config.");
    }
    String innerClass = inner.path("class_name").asText();
    String innerName = inner.path("config").path("name").asText("rnn");
    LayerContext fwdCtx = ctx.wrapped(inner, ctx.scope().withSubScope("forward_" + innerName));
    JsonNode backSpec = c.get("backward_layer");
    if (backSpec == null || !backSpec.isObject()) {
      ObjectNode copy = inner.deepCopy();
      ObjectNode cfg = (ObjectNode) copy.get("config");
      cfg.put("go_backwards", !inner.path("config").path("go_backwards").asBoolean(false));
      backSpec = copy;
    }
    LayerContext bwdCtx = ctx.wrapped(backSpec, ctx.scope().withSubScope("backward_" + innerName));
    if (!List.of("SimpleRNN", "LSTM", "GRU", "ConvLSTM2D", "RNN").contains(innerClass)) {
      throw c.unsupported("Bidirectional over '" + innerClass + "' is not supported (SimpleRNN,"
          + " LSTM, GRU, ConvLSTM2D and RNN are).");
    }
    Rnn fwd = Rnn.of(fwdCtx.config());
    Rnn bwd = Rnn.of(bwdCtx.config());
    JsonNode mm = c.get("merge_mode");
    String mergeMode = mm == null ? "concat" : mm.isNull() ? null : mm.asText();
    return (scope, in, kw) -> {
      KTensor first = Mappers.single(c, in);
      if (in.size() > 1) {
        throw c.unsupported("initial states for Bidirectional are not supported.");
      }
      Operand<TFloat32> x = fwd.prepare(scope, Mappers.floats(scope, first));
      RecurrentCell fc = fwd.cell(fwdCtx.scope(), x, ctx.weights());
      RecurrentCell bc = bwd.cell(bwdCtx.scope(), x, ctx.weights());
      // tf.keras forces zero_output_for_mask = return_sequences on both directions
      List<Operand<TFloat32>> outs =
          Recurrent.bidirectional(scope, fc, fwd.loop(fwd.returnSequences), bc,
              bwd.loop(bwd.returnSequences), x, first.mask(), mergeMode);
      List<KTensor> result = new ArrayList<>();
      Operand<TBool> outMask = fwd.returnSequences ? first.mask() : null;
      int outputs = mergeMode == null ? 2 : 1;
      for (int i = 0; i < outputs; i++) {
        result.add(new KTensor(fwd.restore(scope, outs.get(i), fwd.returnSequences), outMask));
      }
      if (fwd.returnState) {
        for (int i = outputs; i < outs.size(); i++) {
          result.add(KTensor.of(fwd.restore(scope, outs.get(i), false)));
        }
      }
      return result;
    };
  }

  private static KerasLayer timeDistributed(LayerContext ctx) {
    LayerConfig c = ctx.config();
    JsonNode inner = c.get("layer");
    if (inner == null || !inner.isObject()) {
      throw c.unsupported("it has no wrapped layer config.");
    }
    String innerName = inner.path("config").path("name").asText("inner");
    LayerContext innerCtx = ctx.wrapped(inner, ctx.scope().withSubScope(innerName));
    KerasLayer layer =
        Network.isModel(inner.path("class_name").asText())
            ? Network.create(ctx.build(), inner, ctx.nestedWeights(), innerCtx.scope())
            : LayerRegistry.create(innerCtx);
    return (scope, in, kw) -> {
      KTensor first = Mappers.single(c, in);
      Operand<?> x = first.value();
      long[] shape = x.shape().asArray();
      if (shape.length < 3) {
        throw new IllegalArgumentException(
            c.describe() + " expects [batch, time, ...]; found " + x.shape());
      }
      long[] rest = Tensors.known(c, shape, 2);
      long[] flat = new long[rest.length + 1];
      flat[0] = -1;
      System.arraycopy(rest, 0, flat, 1, rest.length);
      Operand<?> merged = scope.reshape(x, scope.constant(flat));
      List<KTensor> ys = layer.call(innerCtx.scope(), List.of(KTensor.of(merged)), kw);
      List<KTensor> out = new ArrayList<>();
      for (KTensor y : ys) {
        long[] yRest = Tensors.known(c, y.value().shape().asArray(), 1);
        Operand<?> back;
        if (shape[1] >= 0) {
          long[] target = new long[yRest.length + 2];
          target[0] = -1;
          target[1] = shape[1];
          System.arraycopy(yRest, 0, target, 2, yRest.length);
          back = scope.reshape(y.value(), scope.constant(target));
        } else {
          Operand<TInt32> bt =
              scope.slice(scope.shape(x), scope.constant(new int[] {0}),
                  scope.constant(new int[] {2}));
          int[] r = new int[yRest.length];
          for (int i = 0; i < r.length; i++) {
            r[i] = (int) yRest[i];
          }
          back = scope.reshape(y.value(), scope.concat(List.of(bt, scope.constant(r)),
              scope.constant(0)));
        }
        out.add(new KTensor(back, first.mask()));
      }
      return out;
    };
  }

  private static int[] swapFirstTwo(int rank) {
    int[] p = new int[rank];
    for (int i = 0; i < rank; i++) {
      p[i] = i;
    }
    p[0] = 1;
    p[1] = 0;
    return p;
  }

  private static Operand<TFloat32> transpose(Ops tf, Operand<TFloat32> x, int... perm) {
    return tf.linalg.transpose(x, tf.constant(perm));
  }

  /** Shape helpers with messages naming the layer. */
  static final class Tensors {
    private Tensors() {}

    static long[] known(LayerConfig c, long[] shape, int from) {
      long[] out = new long[shape.length - from];
      for (int i = from; i < shape.length; i++) {
        if (shape[i] < 0) {
          throw new IllegalArgumentException(
              c.describe() + " needs the dimensions after axis " + (from - 1)
                  + " to be known; found shape " + java.util.Arrays.toString(shape) + ".");
        }
        out[i - from] = shape[i];
      }
      return out;
    }
  }
}
