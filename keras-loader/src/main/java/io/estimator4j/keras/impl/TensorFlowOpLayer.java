package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.estimator4j.io.Dims;
import io.estimator4j.keras.file.UnsupportedKerasLayerException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorShapeProto;

/**
 * tf.keras's TensorFlowOpLayer: a raw TensorFlow NodeDef (as JSON) that tf.keras 2.0-2.3 wrapped
 * around TensorFlow ops applied to Keras tensors. The node is added to the graph as it is, its
 * non-tensor inputs taken from the layer's {@code constants}; no Python is involved.
 */
final class TensorFlowOpLayer {
  private static final List<String> INDEX_TYPE_ATTRS =
      List.of(
          "Tshape",
          "Tidx",
          "Tpaddings",
          "Tperm",
          "Tmultiples",
          "Taxis",
          "Tindices",
          "Index",
          "Tlen",
          "Tblock_shape",
          "Tcrops");

  private TensorFlowOpLayer() {}

  static KerasLayer create(LayerContext ctx) {
    LayerConfig c = ctx.config();
    JsonNode nodeDef = c.get("node_def");
    if (nodeDef == null || !nodeDef.path("op").isTextual()) {
      throw c.unsupported("its node_def is missing or has no op.");
    }
    String op = nodeDef.path("op").asText();
    String nodeName = nodeDef.path("name").asText(op).replaceAll("[^A-Za-z0-9_.\\-]", "_");
    JsonNode attrs = nodeDef.path("attr");
    JsonNode constants = c.get("constants");
    int declaredInputs = nodeDef.path("input").size();
    return (scope, in, kw) -> {
      List<Output<?>> args = new ArrayList<>();
      int next = 0;
      for (int i = 0; i < declaredInputs; i++) {
        JsonNode constant = constants == null ? null : constants.get(Integer.toString(i));
        if (constant != null) {
          args.add(constant(scope, constant, attrs, i).asOutput());
        } else {
          if (next >= in.size()) {
            throw new IllegalArgumentException(
                c.describe()
                    + ": node "
                    + op
                    + " needs input "
                    + i
                    + " but the layer received "
                    + in.size()
                    + " tensors.");
          }
          args.add(in.get(next++).value().asOutput());
        }
      }
      OperationBuilder b = scope.scope().opBuilder(op, nodeName);
      for (Output<?> a : args) {
        b.addInput(a);
      }
      for (Map.Entry<String, JsonNode> a : attrs.properties()) {
        b.setAttr(a.getKey(), attr(c, a.getKey(), a.getValue()));
      }
      GraphOperation built;
      try {
        built = (GraphOperation) b.build();
      } catch (RuntimeException e) {
        throw new UnsupportedKerasLayerException(
            c.name(),
            c.className(),
            c.describe() + ": TensorFlow rejected its node " + op + ": " + e.getMessage());
      }
      List<KTensor> out = new ArrayList<>();
      for (int i = 0; i < built.numOutputs(); i++) {
        out.add(KTensor.of(built.output(i)));
      }
      return out;
    };
  }

  private static Operand<?> constant(Ops tf, JsonNode value, JsonNode attrs, int index) {
    DataType type = null;
    if (index > 0) {
      for (String a : INDEX_TYPE_ATTRS) {
        if (attrs.path(a).path("type").isTextual()) {
          type = DataType.valueOf(attrs.path(a).path("type").asText());
          break;
        }
      }
    }
    boolean integral = allIntegral(value);
    if (type == null) {
      type = integral ? DataType.DT_INT32 : DataType.DT_FLOAT;
    }
    List<Double> flat = new ArrayList<>();
    List<Long> dims = new ArrayList<>();
    shape(value, dims, 0);
    flatten(value, flat);
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    org.tensorflow.ndarray.Shape s = org.tensorflow.ndarray.Shape.of(shape);
    switch (type) {
      case DT_INT64 -> {
        long[] v = flat.stream().mapToLong(Double::longValue).toArray();
        return tf.constant(s, org.tensorflow.ndarray.buffer.DataBuffers.of(v, true, false));
      }
      case DT_INT32 -> {
        int[] v = flat.stream().mapToInt(Double::intValue).toArray();
        return tf.constant(s, org.tensorflow.ndarray.buffer.DataBuffers.of(v, true, false));
      }
      default -> {
        float[] v = new float[flat.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = flat.get(i).floatValue();
        }
        return tf.constant(s, org.tensorflow.ndarray.buffer.DataBuffers.of(v, true, false));
      }
    }
  }

  private static boolean allIntegral(JsonNode v) {
    if (v.isArray()) {
      for (JsonNode e : v) {
        if (!allIntegral(e)) {
          return false;
        }
      }
      return true;
    }
    return v.isIntegralNumber();
  }

  private static void shape(JsonNode v, List<Long> dims, int depth) {
    if (v.isArray()) {
      dims.add((long) v.size());
      if (v.size() > 0) {
        shape(v.get(0), dims, depth + 1);
      }
    }
  }

  private static void flatten(JsonNode v, List<Double> out) {
    if (v.isArray()) {
      for (JsonNode e : v) {
        flatten(e, out);
      }
    } else {
      out.add(v.asDouble());
    }
  }

  /** An AttrValue from its JSON form (json_format.MessageToDict of a NodeDef). */
  private static AttrValue attr(LayerConfig c, String name, JsonNode v) {
    AttrValue.Builder b = AttrValue.newBuilder();
    if (v.has("type")) {
      b.setType(DataType.valueOf(v.get("type").asText()));
    } else if (v.has("i")) {
      b.setI(int64(c, v.get("i"), "attribute '" + name + "'"));
    } else if (v.has("f")) {
      b.setF((float) v.get("f").asDouble());
    } else if (v.has("b")) {
      b.setB(v.get("b").asBoolean());
    } else if (v.has("s")) {
      b.setS(ByteString.copyFrom(Base64.getDecoder().decode(v.get("s").asText())));
    } else if (v.has("shape")) {
      b.setShape(shape(c, v.get("shape"), "attribute '" + name + "'"));
    } else if (v.has("list")) {
      JsonNode l = v.get("list");
      AttrValue.ListValue.Builder lb = AttrValue.ListValue.newBuilder();
      for (JsonNode e : l.path("i")) {
        lb.addI(int64(c, e, "a value of attribute '" + name + "'"));
      }
      for (JsonNode e : l.path("f")) {
        lb.addF((float) e.asDouble());
      }
      for (JsonNode e : l.path("b")) {
        lb.addB(e.asBoolean());
      }
      for (JsonNode e : l.path("s")) {
        lb.addS(ByteString.copyFrom(Base64.getDecoder().decode(e.asText())));
      }
      for (JsonNode e : l.path("type")) {
        lb.addType(DataType.valueOf(e.asText()));
      }
      for (JsonNode e : l.path("shape")) {
        lb.addShape(shape(c, e, "a shape of attribute '" + name + "'"));
      }
      b.setList(lb);
    } else if (v.size() == 0) {
      b.setList(AttrValue.ListValue.newBuilder());
    } else {
      throw c.unsupported(
          "attribute '" + name + "' of its node_def has an unsupported form " + v + ".");
    }
    return b.build();
  }

  private static TensorShapeProto shape(LayerConfig c, JsonNode s, String what) {
    TensorShapeProto.Builder b = TensorShapeProto.newBuilder();
    if (s.path("unknownRank").asBoolean(false)) {
      b.setUnknownRank(true);
    }
    int i = 0;
    for (JsonNode d : s.path("dim")) {
      String dim = "dimension " + i++ + " of " + what;
      // proto3 JSON leaves out a size of 0
      long size = d.has("size") ? int64(c, d.get("size"), dim) : 0;
      if (size < -1) {
        throw new IllegalArgumentException(
            "The "
                + dim
                + " of the node_def of "
                + c.describe()
                + " is "
                + size
                + "; a dimension is at least 0, or -1 when unknown. "
                + LayerConfig.FIX);
      }
      b.addDim(TensorShapeProto.Dim.newBuilder().setSize(size));
    }
    return b.build();
  }

  /**
   * An int64 of a node_def in its JSON form: a number, or the decimal string proto3's JSON mapping
   * writes; through the checked reader.
   */
  private static long int64(LayerConfig c, JsonNode v, String what) {
    String full = what + " of the node_def of " + c.describe();
    if (v != null && v.isTextual()) {
      try {
        return Long.parseLong(v.asText().strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "The "
                + full
                + " is \""
                + v.asText()
                + "\", not a"
                + " 64-bit integer. "
                + LayerConfig.FIX,
            e);
      }
    }
    return Dims.integer(v, full, LayerConfig.FIX);
  }
}
