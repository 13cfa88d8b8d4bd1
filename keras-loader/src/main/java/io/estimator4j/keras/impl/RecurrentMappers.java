package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.estimator4j.estimator.layers.Activation;
import io.estimator4j.estimator.layers.DataFormat;
import io.estimator4j.estimator.layers.Recurrent;
import io.estimator4j.estimator.layers.RecurrentCell;
import io.estimator4j.estimator.layers.RecurrentCells;
import io.estimator4j.estimator.layers.Weights;
import io.estimator4j.graph.Initializers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Keras's recurrent layers (SimpleRNN, LSTM, GRU, ConvLSTM1D/2D/3D, Keras 2's CuDNNLSTM and
 * CuDNNGRU, and the generic RNN over SimpleRNNCell, LSTMCell, GRUCell or StackedRNNCells) and the
 * wrappers Bidirectional and TimeDistributed. Called with {@code training=True} (modelToEstimator's
 * TRAIN mode) they apply their {@code dropout} and {@code recurrent_dropout} with one mask per
 * sequence, as Keras does; their weight regularizers apply too.
 *
 * <p>Every config key is checked: a key this mapper does not know is refused naming the layer and
 * the key, rather than ignored. {@code stateful} layers start from zero states (the state of a
 * freshly loaded Keras model); {@code unroll}, {@code implementation} (apart from the dropout masks
 * it selects), {@code use_cudnn} and {@code enable_caching_device} do not change the numbers.
 */
final class RecurrentMappers {
  private RecurrentMappers() {}

  private static final List<String> RECURRENT =
      List.of(
          "SimpleRNN",
          "LSTM",
          "GRU",
          "ConvLSTM1D",
          "ConvLSTM2D",
          "ConvLSTM3D",
          "RNN",
          "CuDNNLSTM",
          "CuDNNGRU");

  /** Keys of the RNN base layer (all Keras versions). */
  private static final Set<String> LAYER_KEYS =
      Set.of(
          "name",
          "trainable",
          "dtype",
          "batch_input_shape",
          "batch_shape",
          "input_shape",
          "input_dim",
          "input_length",
          "batch_size",
          "return_sequences",
          "return_state",
          "go_backwards",
          "stateful",
          "unroll",
          "time_major",
          "zero_output_for_mask",
          "activity_regularizer",
          "cell");

  /** Keys of the cells (and of the layers that carry their cell's settings). */
  private static final Set<String> CELL_KEYS =
      Set.of(
          "name",
          "trainable",
          "dtype",
          "units",
          "activation",
          "recurrent_activation",
          "use_bias",
          "kernel_initializer",
          "recurrent_initializer",
          "bias_initializer",
          "unit_forget_bias",
          "kernel_regularizer",
          "recurrent_regularizer",
          "bias_regularizer",
          "kernel_constraint",
          "recurrent_constraint",
          "bias_constraint",
          "dropout",
          "recurrent_dropout",
          "implementation",
          "reset_after",
          "seed",
          "use_cudnn",
          "enable_caching_device",
          "filters",
          "kernel_size",
          "strides",
          "padding",
          "data_format",
          "dilation_rate");

  static void register(Map<String, Function<LayerContext, KerasLayer>> m) {
    for (String cls : RECURRENT) {
      m.put(
          cls,
          ctx -> {
            Rnn rnn = Rnn.of(ctx.config());
            return (scope, in, kw) ->
                rnn.call(scope, in, ctx.weights(), ctx.build().training(), ctx.build().trainMode());
          });
    }
    m.put("Bidirectional", RecurrentMappers::bidirectional);
    m.put("TimeDistributed", RecurrentMappers::timeDistributed);
  }

  /** One cell's kind (SimpleRNN, LSTM, GRU, CuDNNLSTM, CuDNNGRU, ConvLSTM<n>D) and settings. */
  record CellSpec(String kind, LayerConfig settings, RecurrentCells.Config config) {
    int units() {
      return config.units();
    }
  }

  /** One recurrent layer's settings. */
  static final class Rnn {
    final LayerConfig c;

    /** The layer's kind; for RNN, that of its (first) cell. */
    final String cell;

    final List<CellSpec> cells;
    final boolean returnSequences;
    final boolean returnState;
    final boolean goBackwards;
    final boolean timeMajor;
    final boolean zeroOutputForMask;

    /** Spatial axes of a ConvLSTM (0 otherwise). */
    final int convRank;

    private Rnn(LayerConfig c, List<CellSpec> cells) {
      this.c = c;
      this.cells = cells;
      this.cell = cells.get(0).kind();
      checkKeys(c, LAYER_KEYS, c.className().equals("RNN") ? Set.of() : CELL_KEYS);
      this.returnSequences = c.bool("return_sequences", false);
      this.returnState = c.bool("return_state", false);
      this.goBackwards = c.bool("go_backwards", false);
      this.timeMajor = c.bool("time_major", false);
      this.zeroOutputForMask = c.bool("zero_output_for_mask", false);
      this.convRank = cell.startsWith("ConvLSTM") ? cell.charAt(8) - '0' : 0;
      if (convRank > 0) {
        String padding = c.string("padding", "valid");
        if (!padding.equals("valid") && !padding.equals("same")) {
          throw c.unsupported("padding '" + padding + "' is not supported (valid and same are).");
        }
      }
    }

    static Rnn of(LayerConfig c) {
      String cls = c.className();
      if (!cls.equals("RNN")) {
        return new Rnn(c, List.of(spec(c, cls, c)));
      }
      JsonNode cellSpec = c.get("cell");
      if (cellSpec == null || cellSpec.isNull()) {
        throw c.unsupported("it has no cell config.");
      }
      List<JsonNode> specs = new ArrayList<>();
      if (cellSpec.isArray()) {
        cellSpec.forEach(specs::add);
      } else if (cellSpec.path("class_name").asText().equals("StackedRNNCells")) {
        JsonNode sc = cellSpec.path("config");
        if (sc.path("reverse_state_order").asBoolean(false)) {
          throw c.unsupported("StackedRNNCells with reverse_state_order is not supported.");
        }
        sc.path("cells").forEach(specs::add);
      } else {
        specs.add(cellSpec);
      }
      if (specs.isEmpty()) {
        throw c.unsupported("its StackedRNNCells holds no cells.");
      }
      List<CellSpec> out = new ArrayList<>();
      for (JsonNode s : specs) {
        String cellClass = s.path("class_name").asText();
        String kind =
            switch (cellClass) {
              case "SimpleRNNCell" -> "SimpleRNN";
              case "LSTMCell" -> "LSTM";
              case "GRUCell" -> "GRU";
              default ->
                  throw c.unsupported(
                      "RNN over cell '"
                          + cellClass
                          + "' is not supported"
                          + " (SimpleRNNCell, LSTMCell, GRUCell and StackedRNNCells of them are;"
                          + " custom cells are Python code, never run here).");
            };
        LayerConfig settings =
            new LayerConfig(
                s.path("config").path("name").asText(c.name()),
                cellClass,
                s.path("config"),
                c.keras3(),
                c.source());
        checkKeys(settings, CELL_KEYS, Set.of());
        out.add(spec(c, kind, settings));
      }
      return new Rnn(c, List.copyOf(out));
    }

    /** The cell settings of {@code s} (the layer's own config, or its cell's). */
    private static CellSpec spec(LayerConfig layer, String kind, LayerConfig s) {
      boolean convolutional = kind.startsWith("ConvLSTM");
      RecurrentCells.Config cc =
          RecurrentCells.Config.units(convolutional ? s.count("filters", 1) : s.count("units", 1));
      boolean cudnn = kind.startsWith("CuDNN");
      cc.activation(s.has("activation") ? s.activation("activation") : Activation.TANH);
      if (!kind.equals("SimpleRNN") && !cudnn) {
        cc.recurrentActivation(
            s.has("recurrent_activation")
                ? s.activation("recurrent_activation")
                : Activation.SIGMOID);
      }
      if (cudnn) {
        // cuDNN's fixed functions: sigmoid gates, tanh; bias always; GRU with reset after
        cc.activation(Activation.TANH).recurrentActivation(Activation.SIGMOID);
      }
      double dropout = s.number("dropout", 0.0);
      double recurrentDropout = s.number("recurrent_dropout", 0.0);
      int implementation = s.integer("implementation", layer.keras3() ? 2 : 1);
      // tf.keras 2 switches LSTM and GRU to implementation 1 when recurrent_dropout is set; there,
      // and in ConvLSTM2D, each gate has its own dropout mask. Keras 3 shares one mask.
      boolean perGate =
          !layer.keras3()
              && (convolutional
                  || ((kind.equals("LSTM") || kind.equals("GRU"))
                      && (implementation == 1 || recurrentDropout != 0)));
      JsonNode seed = s.get("seed");
      cc.useBias(cudnn || s.bool("use_bias", true))
          .unitForgetBias(s.bool("unit_forget_bias", true))
          .resetAfter(kind.equals("CuDNNGRU") || s.bool("reset_after", false))
          .kernelInitializer(s.initializer("kernel_initializer", Initializers.glorotUniform()))
          .recurrentInitializer(
              s.initializer("recurrent_initializer", Initializers.orthogonal(1f, null)))
          .biasInitializer(s.initializer("bias_initializer", Initializers.zeros()))
          .dropout(dropout)
          .recurrentDropout(recurrentDropout)
          .dropoutSeed(seed == null || seed.isNull() ? null : seed.asLong())
          .dropoutMaskPerGate(perGate);
      return new CellSpec(kind, s, cc);
    }

    /** Creates the cell (asking for its weights) for an input {@code [batch, time, ...]}. */
    RecurrentCell cell(Ops scope, Operand<TFloat32> x, Weights weights, boolean training) {
      long[] shape = x.shape().asArray();
      Operand<TFloat32> t = training ? x : null;
      if (convRank > 0) {
        long[] step = Tensors.known(c, shape, 2);
        return RecurrentCells.convLstm(
            scope,
            step,
            c.ints("kernel_size", convRank, 3),
            c.ints("strides", convRank, 1),
            c.string("padding", "valid"),
            c.ints("dilation_rate", convRank, 1),
            cells.get(0).config(),
            weights,
            t);
      }
      long features = shape[shape.length - 1];
      if (features < 0) {
        throw new IllegalArgumentException(
            c.describe() + " needs a known feature dimension; found input shape " + x.shape());
      }
      if (cells.size() == 1) {
        return single(scope, cells.get(0), features, weights, t);
      }
      List<RecurrentCell> stack = new ArrayList<>();
      long in = features;
      Operand<TFloat32> seq = t;
      for (CellSpec spec : cells) {
        stack.add(single(scope.withSubScope(spec.settings().name()), spec, in, weights, seq));
        in = spec.units();
        if (t != null) {
          // the next cell's dropout masks take the shape of this cell's output
          Operand<org.tensorflow.types.TInt32> batch =
              scope.slice(
                  scope.shape(x), scope.constant(new int[] {0}), scope.constant(new int[] {1}));
          seq =
              scope.fill(
                  scope.concat(
                      List.of(batch, scope.constant(new int[] {1, (int) in})), scope.constant(0)),
                  scope.constant(0f));
        }
      }
      return RecurrentCells.stacked(stack);
    }

    private static RecurrentCell single(
        Ops scope, CellSpec spec, long features, Weights weights, Operand<TFloat32> training) {
      return switch (spec.kind()) {
        case "SimpleRNN" ->
            RecurrentCells.simpleRnn(scope, features, spec.config(), weights, training);
        case "LSTM" -> RecurrentCells.lstm(scope, features, spec.config(), weights, training);
        case "GRU" -> RecurrentCells.gru(scope, features, spec.config(), weights, training);
        case "CuDNNLSTM" ->
            RecurrentCells.cudnnLstm(scope, features, spec.config(), weights, training);
        case "CuDNNGRU" ->
            RecurrentCells.cudnnGru(scope, features, spec.config(), weights, training);
        default -> throw new IllegalStateException("Unknown cell kind " + spec.kind());
      };
    }

    private boolean channelsFirst() {
      return convRank > 0 && c.dataFormat() == DataFormat.CHANNELS_FIRST;
    }

    /** Input in Keras's layout to [batch, time, steps-last features...]. */
    Operand<TFloat32> prepare(Ops tf, Operand<TFloat32> x) {
      Operand<TFloat32> v = x;
      if (timeMajor) {
        v = transpose(tf, v, swapFirstTwo(v.shape().numDimensions()));
      }
      if (channelsFirst()) {
        // [b, t, C, s...] -> [b, t, s..., C]
        int[] p = new int[convRank + 3];
        p[0] = 0;
        p[1] = 1;
        for (int i = 0; i < convRank; i++) {
          p[2 + i] = 3 + i;
        }
        p[convRank + 2] = 2;
        v = transpose(tf, v, p);
      }
      return v;
    }

    Operand<TFloat32> restore(Ops tf, Operand<TFloat32> y, boolean sequence) {
      Operand<TFloat32> v = y;
      if (channelsFirst()) {
        int lead = sequence ? 2 : 1;
        // [lead..., s..., C] -> [lead..., C, s...]
        int[] p = new int[lead + convRank + 1];
        for (int i = 0; i < lead; i++) {
          p[i] = i;
        }
        p[lead] = lead + convRank;
        for (int i = 0; i < convRank; i++) {
          p[lead + 1 + i] = lead + i;
        }
        v = transpose(tf, v, p);
      }
      if (timeMajor && sequence) {
        v = transpose(tf, v, swapFirstTwo(v.shape().numDimensions()));
      }
      return v;
    }

    Recurrent loop(boolean zeroOutputForMask) {
      return Recurrent.of(returnSequences, goBackwards, zeroOutputForMask);
    }

    /** Refuses a mask for Keras's CuDNN layers, which raise "Masking is not supported". */
    void checkMask(Operand<TBool> mask) {
      if (mask != null && cell.startsWith("CuDNN")) {
        throw c.unsupported(
            "it receives a mask, and Keras's CuDNN layers do not support masking"
                + " (Keras raises 'Masking is not supported for CuDNN RNNs').");
      }
    }

    List<KTensor> call(
        Ops scope, List<KTensor> in, Weights weights, boolean training, boolean trainMode) {
      KTensor first = Mappers.single(c, in);
      checkMask(first.mask());
      Operand<TFloat32> x = prepare(scope, Mappers.floats(scope, first));
      RecurrentCell rc = cell(scope, x, weights, training);
      List<Operand<TFloat32>> initial = null;
      if (in.size() > 1) {
        initial = new ArrayList<>();
        for (int i = 1; i < in.size(); i++) {
          initial.add(prepareState(scope, Mappers.floats(scope, in.get(i))));
        }
        if (initial.size() != rc.stateShapes().size()) {
          throw new IllegalArgumentException(
              c.describe()
                  + " has "
                  + rc.stateShapes().size()
                  + " states but was given "
                  + initial.size()
                  + " initial states.");
        }
      }
      requireKnownStepsToTrain(c, trainMode, x);
      Recurrent.Result r = loop(zeroOutputForMask).run(scope, rc, x, first.mask(), initial);
      List<KTensor> out = new ArrayList<>();
      out.add(
          new KTensor(
              restore(scope, r.output(), returnSequences), returnSequences ? first.mask() : null));
      if (returnState) {
        for (Operand<TFloat32> s : r.states()) {
          out.add(KTensor.of(restore(scope, s, false)));
        }
      }
      return out;
    }

    Operand<TFloat32> prepareState(Ops tf, Operand<TFloat32> s) {
      if (channelsFirst()) {
        // [b, C, s...] -> [b, s..., C]
        int[] p = new int[convRank + 2];
        p[0] = 0;
        for (int i = 0; i < convRank; i++) {
          p[1 + i] = 2 + i;
        }
        p[convRank + 1] = 1;
        return transpose(tf, s, p);
      }
      return s;
    }
  }

  /** Refuses a config key outside {@code known} (and {@code more}), naming it. */
  private static void checkKeys(LayerConfig c, Set<String> known, Set<String> more) {
    java.util.Iterator<String> names = c.json().fieldNames();
    while (names.hasNext()) {
      String k = names.next();
      if (known.contains(k) || more.contains(k)) {
        continue;
      }
      throw c.unsupported(
          "the setting '"
              + k
              + "' is not supported (it is not a setting of"
              + " Keras's recurrent layers that this loader knows; ignoring it could change the"
              + " numbers).");
    }
  }

  /**
   * A recurrent layer over an unknown number of time steps runs as a graph while loop, which has no
   * gradient in tensorflow-java: refused in TRAIN mode, naming the layer and the fix. Known steps
   * (declared by the Input, or given by the input function's fixed-length tensors, such as
   * ArrayInput's) are unrolled and train.
   */
  private static void requireKnownStepsToTrain(
      LayerConfig c, boolean trainMode, Operand<TFloat32> x) {
    if (trainMode && x.shape().numDimensions() >= 2 && x.shape().get(1) < 0) {
      throw c.unsupported(
          "it runs over an unknown number of time steps (input shape "
              + x.shape()
              + "), which trains only when unrolled over a fixed length (tensorflow-java has no"
              + " gradient for while loops). Fix: set the Input's time dimension (e.g."
              + " KerasModelFile.withInputShape(name, steps, features)) or feed fixed-length"
              + " sequences whose time dimension the input function knows.");
    }
  }

  private static KerasLayer bidirectional(LayerContext ctx) {
    LayerConfig c = ctx.config();
    checkKeys(
        c,
        Set.of(
            "name",
            "trainable",
            "dtype",
            "batch_input_shape",
            "batch_shape",
            "input_shape",
            "layer",
            "merge_mode",
            "backward_layer"),
        Set.of());
    JsonNode inner = c.get("layer");
    if (inner == null || !inner.isObject()) {
      throw c.unsupported("it has no wrapped layer config.");
    }
    String innerClass = inner.path("class_name").asText();
    if (!RECURRENT.contains(innerClass)) {
      throw c.unsupported(
          "Bidirectional over '"
              + innerClass
              + "' is not supported ("
              + String.join(", ", RECURRENT)
              + " are).");
    }
    String innerName = inner.path("config").path("name").asText("rnn");
    LayerContext fwdCtx = ctx.wrapped(inner, ctx.scope().withSubScope("forward_" + innerName));
    JsonNode backSpec = c.get("backward_layer");
    if (backSpec == null || !backSpec.isObject()) {
      ObjectNode copy = inner.deepCopy();
      ObjectNode cfg = (ObjectNode) copy.get("config");
      cfg.put("go_backwards", !inner.path("config").path("go_backwards").asBoolean(false));
      backSpec = copy;
    } else if (!RECURRENT.contains(backSpec.path("class_name").asText())) {
      throw c.unsupported(
          "backward_layer '"
              + backSpec.path("class_name").asText()
              + "' is not supported ("
              + String.join(", ", RECURRENT)
              + " are).");
    }
    LayerContext bwdCtx = ctx.wrapped(backSpec, ctx.scope().withSubScope("backward_" + innerName));
    Rnn fwd = Rnn.of(fwdCtx.config());
    Rnn bwd = Rnn.of(bwdCtx.config());
    if (fwd.returnSequences != bwd.returnSequences || fwd.returnState != bwd.returnState) {
      throw c.unsupported(
          "its forward and backward layers differ in return_sequences or"
              + " return_state (Keras requires them to match).");
    }
    JsonNode mm = c.get("merge_mode");
    String mergeMode = mm == null ? "concat" : mm.isNull() ? null : mm.asText();
    if (mergeMode != null && !List.of("concat", "sum", "ave", "mul").contains(mergeMode)) {
      throw c.unsupported(
          "merge_mode '"
              + mergeMode
              + "' is not supported (concat, sum, ave,"
              + " mul and None are).");
    }
    return (scope, in, kw) -> {
      KTensor first = Mappers.single(c, in);
      fwd.checkMask(first.mask());
      bwd.checkMask(first.mask());
      boolean training = ctx.build().training();
      Operand<TFloat32> x = fwd.prepare(scope, Mappers.floats(scope, first));
      RecurrentCell fc = fwd.cell(fwdCtx.scope(), x, ctx.weights(), training);
      RecurrentCell bc = bwd.cell(bwdCtx.scope(), x, ctx.weights(), training);
      List<Operand<TFloat32>> fInit = null;
      List<Operand<TFloat32>> bInit = null;
      if (in.size() > 1) {
        // Keras: the first half of initial_state is the forward layer's, the rest the backward's
        int n = in.size() - 1;
        int nf = fc.stateShapes().size();
        if (n != nf + bc.stateShapes().size()) {
          throw new IllegalArgumentException(
              c.describe()
                  + " has "
                  + nf
                  + " + "
                  + bc.stateShapes().size()
                  + " states but was given "
                  + n
                  + " initial states.");
        }
        fInit = new ArrayList<>();
        bInit = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          Operand<TFloat32> s = fwd.prepareState(scope, Mappers.floats(scope, in.get(i + 1)));
          (i < nf ? fInit : bInit).add(s);
        }
      }
      requireKnownStepsToTrain(c, ctx.build().trainMode(), x);
      // Keras concatenates on the last axis of each direction's output in its own layout: for a
      // channels_first ConvLSTM that is the last spatial axis, not the channels the loop works
      // in, so both outputs are restored to Keras's layout first and merged there
      boolean concatAfterRestore = "concat".equals(mergeMode) && fwd.channelsFirst();
      // tf.keras forces zero_output_for_mask = return_sequences on both directions
      List<Operand<TFloat32>> outs =
          Recurrent.bidirectional(
              scope,
              fc,
              fwd.loop(fwd.returnSequences),
              bc,
              bwd.loop(bwd.returnSequences),
              x,
              first.mask(),
              concatAfterRestore ? null : mergeMode,
              fInit,
              bInit);
      List<KTensor> result = new ArrayList<>();
      Operand<TBool> outMask = fwd.returnSequences ? first.mask() : null;
      int outputs = mergeMode == null || concatAfterRestore ? 2 : 1;
      if (concatAfterRestore) {
        Operand<TFloat32> y = fwd.restore(scope, outs.get(0), fwd.returnSequences);
        Operand<TFloat32> yRev = fwd.restore(scope, outs.get(1), fwd.returnSequences);
        result.add(new KTensor(scope.concat(List.of(y, yRev), scope.constant(-1)), outMask));
      } else {
        for (int i = 0; i < outputs; i++) {
          result.add(new KTensor(fwd.restore(scope, outs.get(i), fwd.returnSequences), outMask));
        }
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
              scope.slice(
                  scope.shape(x), scope.constant(new int[] {0}), scope.constant(new int[] {2}));
          int[] r = new int[yRest.length];
          for (int i = 0; i < r.length; i++) {
            r[i] = (int) yRest[i];
          }
          back =
              scope.reshape(
                  y.value(), scope.concat(List.of(bt, scope.constant(r)), scope.constant(0)));
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
              c.describe()
                  + " needs the dimensions after axis "
                  + (from - 1)
                  + " to be known; found shape "
                  + java.util.Arrays.toString(shape)
                  + ".");
        }
        out[i - from] = shape[i];
      }
      return out;
    }
  }
}
