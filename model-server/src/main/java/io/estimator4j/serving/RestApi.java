package io.estimator4j.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.estimator4j.savedmodel.JavaArray;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TString;

/**
 * TF Serving's REST API ({@code model_servers/http_rest_api_handler.cc}) over a {@link
 * ModelManager}: status, metadata, predict (row and columnar), classify and regress, errors as
 * {@code { "error": "..." }} with TF Serving's HTTP status codes. Independent of the HTTP server.
 */
public final class RestApi {

  /** An HTTP answer: status and JSON body. */
  public record Reply(int status, String body) {}

  static final String DEFAULT_SIGNATURE = "serving_default";
  static final String CLASSIFY_METHOD = "tensorflow/serving/classify";
  static final String REGRESS_METHOD = "tensorflow/serving/regress";

  private static final Pattern PATH =
      Pattern.compile(
          "(?i)/v1/models(?:/([^/:]+))?(?:(?:/versions/(\\d+))|(?:/labels/([^/:]+)))?"
              + "(?::(classify|regress|predict))?");
  private static final Pattern METADATA_PATH =
      Pattern.compile(
          "(?i)/v1/models/([^/:]+)(?:(?:/versions/(\\d+))|(?:/labels/([^/:]+)))?/metadata");

  private final ModelManager manager;
  private final ServingMetrics metrics;

  RestApi(ModelManager manager, ServingMetrics metrics) {
    this.manager = manager;
    this.metrics = metrics;
  }

  /** Answers one request; never throws. */
  public Reply handle(String method, String path, String body) {
    try {
      return new Reply(200, dispatch(method, path, body));
    } catch (ServingException e) {
      return new Reply(e.code().httpStatus(), Json.error(e.getMessage()));
    } catch (IllegalArgumentException e) {
      return new Reply(400, Json.error(e.getMessage()));
    } catch (RuntimeException | Error e) {
      // INTERNAL: the server keeps serving (an OutOfMemoryError of one huge request included).
      return new Reply(500, Json.error(e.toString()));
    }
  }

  private String dispatch(String method, String path, String body) {
    Matcher meta = METADATA_PATH.matcher(path);
    if (method.equals("GET") && meta.matches()) {
      return metadata(meta.group(1), version(meta.group(2)), meta.group(3));
    }
    Matcher m = PATH.matcher(path);
    if (!m.matches()) {
      throw malformed(method, path);
    }
    String model = m.group(1);
    Long version = version(m.group(2));
    String label = m.group(3);
    String verb = m.group(4);
    if (method.equals("GET") && verb == null) {
      if (model == null) {
        throw ServingException.invalid("Missing model name in request.");
      }
      return status(model, version, label);
    }
    if (!method.equals("POST") || verb == null || model == null) {
      throw malformed(method, path);
    }
    String api = verb.toLowerCase(java.util.Locale.ROOT);
    return ServingMetrics.record(
        metrics,
        model,
        api,
        "REST",
        () -> {
          JsonNode request = parse(body);
          ServableVersion sv = manager.acquire(model, version, label);
          try {
            return switch (api) {
              case "predict" -> predict(sv, request);
              case "classify" -> classify(sv, request);
              default -> regress(sv, request);
            };
          } finally {
            sv.release();
          }
        });
  }

  private static ServingException malformed(String method, String path) {
    return ServingException.invalid("Malformed request: " + method + " " + path);
  }

  private static Long version(String s) {
    if (s == null) {
      return null;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw ServingException.invalid("Failed to convert version: " + s + " to numeric.");
    }
  }

  static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      throw ServingException.invalid("JSON Parse error: The document is empty");
    }
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      long offset = e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getCharOffset());
      throw ServingException.invalid("JSON Parse error: Invalid value. at offset: " + offset);
    }
    if (n == null || n.isMissingNode()) {
      throw ServingException.invalid("JSON Parse error: The document is empty");
    }
    if (!n.isObject()) {
      throw ServingException.invalid("JSON Parse error: The document root must be an object.");
    }
    return n;
  }

  // ---- status and metadata ----

  private String status(String name, Long version, String label) {
    try {
      // TF Serving prints the GetModelStatusResponse proto as JSON, field names as in the .proto
      return Json.protoLayout(
              Json.MAPPER.readTree(
                  JsonFormat.printer()
                      .preservingProtoFieldNames()
                      .includingDefaultValueFields()
                      .print(manager.status(name, version, label))))
          + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private String metadata(String name, Long version, String label) {
    ServableVersion sv = manager.acquire(name, version, label);
    try {
      ObjectNode spec = JsonNodeFactory.instance.objectNode();
      spec.put("name", name);
      spec.put("signature_name", "");
      spec.put("version", Long.toString(sv.version));
      ObjectNode defs = JsonNodeFactory.instance.objectNode();
      ObjectNode map = defs.putObject("signature_def");
      JsonFormat.Printer printer =
          JsonFormat.printer().preservingProtoFieldNames().includingDefaultValueFields();
      for (Map.Entry<String, SignatureDef> e :
          new TreeMap<>(sv.metaGraph().getSignatureDefMap()).entrySet()) {
        map.set(e.getKey(), Json.MAPPER.readTree(printer.print(e.getValue())));
      }
      return "{\n\"model_spec\":"
          + Json.protoLayout(spec)
          + "\n,\n\"metadata\": {\"signature_def\": "
          + Json.protoLayout(defs)
          + "\n}\n}\n";
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new ServingException(ServingException.Code.INTERNAL, e.getMessage());
    } finally {
      sv.release();
    }
  }

  // ---- predict ----

  private static SignatureDef signature(ServableVersion sv, JsonNode request) {
    JsonNode n = request.get("signature_name");
    return signature(sv, n == null || n.isNull() ? DEFAULT_SIGNATURE : n.asText());
  }

  /** The signature {@code key} ("" for serving_default) of a version, or TF Serving's error. */
  static SignatureDef signature(ServableVersion sv, String key) {
    key = key.isEmpty() ? DEFAULT_SIGNATURE : key;
    SignatureDef sig = sv.metaGraph().getSignatureDefMap().get(key);
    if (sig == null || key.equals("__saved_model_init_op")) {
      throw ServingException.invalid(
          "Serving signature name: \"" + key + "\" not found in signature def");
    }
    return sig;
  }

  private static String signatureKey(JsonNode request) {
    JsonNode n = request.get("signature_name");
    return n == null || n.isNull() ? DEFAULT_SIGNATURE : n.asText();
  }

  private String predict(ServableVersion sv, JsonNode request) {
    SignatureDef sig = signature(sv, request);
    String key = signatureKey(request);
    JsonNode instances = request.get("instances");
    JsonNode inputs = request.get("inputs");
    if ((instances == null) == (inputs == null)) {
      throw ServingException.invalid(
          instances == null
              ? "Missing 'inputs' or 'instances' key"
              : "Not formatted correctly expecting only one of 'inputs' or 'instances' keys"
                  + " exists");
    }
    Map<String, TensorInfo> infos = new TreeMap<>(sig.getInputsMap());
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    try {
      boolean row = instances != null;
      if (row) {
        rowInputs(instances, infos, feeds);
      } else {
        columnarInputs(inputs, infos, feeds);
      }
      Map<String, JavaArray> arrays = sv.run(key, feeds, null);
      return row ? rowOutputs(arrays) : columnarOutputs(arrays);
    } finally {
      feeds.values().forEach(Tensor::close);
    }
  }

  private static void rowInputs(
      JsonNode instances, Map<String, TensorInfo> infos, Map<String, Tensor> feeds) {
    if (!instances.isArray()) {
      throw ServingException.invalid("Expecting 'instances' to be an list/array");
    }
    if (instances.isEmpty()) {
      throw ServingException.invalid("No instances in request");
    }
    boolean named = instances.get(0).isObject() && !JsonTensors.isB64(instances.get(0));
    if (!named && infos.size() != 1) {
      throw ServingException.invalid(
          "Expecting object but got list at item 0 of input list (the signature has "
              + infos.size()
              + " inputs: "
              + infos.keySet()
              + ")");
    }
    for (Map.Entry<String, TensorInfo> e : infos.entrySet()) {
      String name = e.getKey();
      List<JsonNode> leaves = new ArrayList<>();
      long[] inst = null;
      for (int i = 0; i < instances.size(); i++) {
        JsonNode item = instances.get(i);
        JsonNode v;
        if (named) {
          if (!item.isObject() || JsonTensors.isB64(item)) {
            throw ServingException.invalid(
                "Expecting object but got list at item " + i + " of input list");
          }
          v = item.get(name);
          if (v == null) {
            throw ServingException.invalid(
                "Failed to process element: "
                    + i
                    + " key: "
                    + name
                    + " of 'instances' list. Error: JSON object: does not have named input: "
                    + name);
          }
        } else {
          if (item.isObject() && !JsonTensors.isB64(item)) {
            throw ServingException.invalid(
                "Expecting value/list but got object at item " + i + " of input list");
          }
          v = item;
        }
        long[] s = JsonTensors.shapeOf(v, name);
        if (inst == null) {
          inst = s;
        } else if (!java.util.Arrays.equals(inst, s)) {
          throw ServingException.invalid(
              "Expecting tensor size: "
                  + java.util.Arrays.toString(inst)
                  + " but got: "
                  + java.util.Arrays.toString(s)
                  + " at item "
                  + i
                  + " of input '"
                  + name
                  + "' (all instances must have the same shape)");
        }
        JsonTensors.leaves(v, leaves);
      }
      if (named) {
        for (int i = 0; i < instances.size(); i++) {
          instances
              .get(i)
              .fieldNames()
              .forEachRemaining(
                  k -> {
                    if (!infos.containsKey(k)) {
                      throw ServingException.invalid(
                          "JSON object: does not have named input: " + k);
                    }
                  });
        }
      }
      long[] shape = new long[inst.length + 1];
      shape[0] = instances.size();
      System.arraycopy(inst, 0, shape, 1, inst.length);
      feeds.put(name, JsonTensors.tensor(e.getValue().getDtype(), shape, leaves));
    }
  }

  private static void columnarInputs(
      JsonNode inputs, Map<String, TensorInfo> infos, Map<String, Tensor> feeds) {
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    if (inputs.isObject() && !JsonTensors.isB64(inputs)) {
      inputs.fields().forEachRemaining(e -> byName.put(e.getKey(), e.getValue()));
      for (String k : byName.keySet()) {
        if (!infos.containsKey(k)) {
          throw ServingException.invalid("JSON object: does not have named input: " + k);
        }
      }
      for (String k : infos.keySet()) {
        if (!byName.containsKey(k)) {
          throw ServingException.invalid("JSON object: 'inputs' does not have named input: " + k);
        }
      }
    } else {
      if (infos.size() != 1) {
        throw ServingException.invalid(
            "Expecting 'inputs' to be an object keyed by the signature's "
                + infos.size()
                + " inputs: "
                + infos.keySet());
      }
      byName.put(infos.keySet().iterator().next(), inputs);
    }
    for (Map.Entry<String, JsonNode> e : byName.entrySet()) {
      List<JsonNode> leaves = new ArrayList<>();
      long[] shape = JsonTensors.shapeOf(e.getValue(), e.getKey());
      JsonTensors.leaves(e.getValue(), leaves);
      feeds.put(e.getKey(), JsonTensors.tensor(infos.get(e.getKey()).getDtype(), shape, leaves));
    }
  }

  private static boolean binary(String outputName) {
    return outputName.endsWith("_bytes");
  }

  private static String rowOutputs(Map<String, JavaArray> arrays) {
    long batch = -1;
    String first = null;
    for (Map.Entry<String, JavaArray> e : arrays.entrySet()) {
      long[] s = e.getValue().shape();
      if (s.length == 0) {
        throw ServingException.invalid("Tensor name: " + e.getKey() + " has no shape information ");
      }
      if (batch < 0) {
        batch = s[0];
        first = e.getKey();
      } else if (s[0] != batch) {
        throw ServingException.invalid(
            "Tensor name: "
                + e.getKey()
                + " has inconsistent batch size: "
                + s[0]
                + " expecting: "
                + batch
                + " (the batch size of "
                + first
                + ")");
      }
    }
    StringBuilder b = new StringBuilder("{\n    \"predictions\": [");
    for (int i = 0; i < batch; i++) {
      if (i > 0) {
        b.append(", ");
      }
      if (arrays.size() == 1) {
        Map.Entry<String, JavaArray> e = arrays.entrySet().iterator().next();
        JsonTensors.write(b, e.getValue(), i, binary(e.getKey()));
      } else {
        b.append('{');
        boolean sep = false;
        for (Map.Entry<String, JavaArray> e : arrays.entrySet()) {
          b.append(sep ? ", " : "").append(Json.quote(e.getKey())).append(": ");
          JsonTensors.write(b, e.getValue(), i, binary(e.getKey()));
          sep = true;
        }
        b.append('}');
      }
    }
    return b.append("\n    ]\n}").toString();
  }

  private static String columnarOutputs(Map<String, JavaArray> arrays) {
    StringBuilder b = new StringBuilder("{\n    \"outputs\": ");
    if (arrays.size() == 1) {
      Map.Entry<String, JavaArray> e = arrays.entrySet().iterator().next();
      JsonTensors.write(b, e.getValue(), -1, binary(e.getKey()));
    } else {
      b.append("{\n");
      boolean sep = false;
      for (Map.Entry<String, JavaArray> e : arrays.entrySet()) {
        b.append(sep ? ",\n" : "").append("        ").append(Json.quote(e.getKey())).append(": ");
        JsonTensors.write(b, e.getValue(), -1, binary(e.getKey()));
        sep = true;
      }
      b.append("\n    }");
    }
    return b.append("\n}").toString();
  }

  // ---- classify and regress ----

  private Map<String, JavaArray> runExamples(
      ServableVersion sv, JsonNode request, String method, String what) {
    String key = signatureKey(request);
    signature(sv, key);
    return runExamples(sv, key, method, what, ExamplesJson.serialize(request));
  }

  /** Runs a classify or regress signature on serialized tf.Examples; outputs by key. */
  static Map<String, JavaArray> runExamples(
      ServableVersion sv, String key, String method, String what, List<byte[]> serialized) {
    return BatchScheduler.await(runExamplesAsync(sv, key, method, what, serialized));
  }

  /**
   * Like {@link #runExamples}, without waiting for a batch ({@link ServableVersion#runAsync}); a
   * request the signature cannot take fails here.
   */
  static CompletableFuture<Map<String, JavaArray>> runExamplesAsync(
      ServableVersion sv, String key, String method, String what, List<byte[]> serialized) {
    key = key.isEmpty() ? DEFAULT_SIGNATURE : key;
    SignatureDef sig = signature(sv, key);
    if (!sig.getMethodName().equals(method)) {
      throw ServingException.invalid(
          "Expected "
              + what
              + " signature method_name to be "
              + method
              + ". Was: "
              + sig.getMethodName());
    }
    TensorInfo in = sig.getInputsMap().get("inputs");
    if (in == null || sig.getInputsCount() != 1 || in.getDtype() != DataType.DT_STRING) {
      throw ServingException.invalid(
          "Expected one input Tensor 'inputs' of type string in signature " + key);
    }
    try (TString t =
        TString.tensorOfBytes(
            Shape.of(serialized.size()),
            DataBuffers.ofObjects(serialized.toArray(new byte[0][])))) {
      return sv.runAsync(key, Map.of("inputs", t), null);
    }
  }

  private String classify(ServableVersion sv, JsonNode request) {
    Map<String, JavaArray> out = runExamples(sv, request, CLASSIFY_METHOD, "classification");
    JavaArray classes = out.get("classes");
    JavaArray scores = out.get("scores");
    if (classes == null && scores == null) {
      throw ServingException.invalid(
          "Expected classification signature outputs to contain at least one of 'classes'"
              + " or 'scores'");
    }
    JavaArray ref = scores != null ? scores : classes;
    long n = ref.shape().length == 0 ? 1 : ref.shape()[0];
    long k = ref.shape().length < 2 ? 1 : ref.shape()[1];
    StringBuilder b = new StringBuilder("{\n    \"results\": [");
    for (int i = 0; i < n; i++) {
      b.append(i > 0 ? ", " : "").append('[');
      for (int j = 0; j < k; j++) {
        int idx = (int) (i * k + j);
        String label =
            classes == null
                ? ""
                : new String(classes.strings()[idx], java.nio.charset.StandardCharsets.UTF_8);
        b.append(j > 0 ? ", " : "").append('[').append(Json.quote(label)).append(", ");
        b.append(scores == null ? "0.0" : JsonTensors.formatFloat(scores.floats()[idx]));
        b.append(']');
      }
      b.append(']');
    }
    return b.append("\n    ]\n}").toString();
  }

  private String regress(ServableVersion sv, JsonNode request) {
    Map<String, JavaArray> out = runExamples(sv, request, REGRESS_METHOD, "regression");
    JavaArray y = out.get("outputs");
    if (y == null || y.dtype() != DataType.DT_FLOAT) {
      throw ServingException.invalid(
          "Expected regression signature output 'outputs' of type float");
    }
    float[] v = y.floats();
    StringBuilder b = new StringBuilder("{\n    \"results\": [");
    for (int i = 0; i < v.length; i++) {
      b.append(i > 0 ? ", " : "").append(JsonTensors.formatFloat(v[i]));
    }
    return b.append("\n    ]\n}").toString();
  }

  /** TF Serving's JSON examples ({@code FillClassificationRequestFromJson}) to tf.Examples. */
  static final class ExamplesJson {
    private ExamplesJson() {}

    static List<byte[]> serialize(JsonNode request) {
      JsonNode examples = request.get("examples");
      if (examples == null) {
        throw ServingException.invalid("Missing 'examples' key");
      }
      if (!examples.isArray() || examples.isEmpty()) {
        throw ServingException.invalid("Expecting 'examples' to be a non-empty list/array");
      }
      Features context = null;
      JsonNode ctx = request.get("context");
      if (ctx != null) {
        if (!ctx.isObject()) {
          throw ServingException.invalid("Expecting 'context' to be an object");
        }
        context = features(ctx);
      }
      List<byte[]> out = new ArrayList<>();
      for (int i = 0; i < examples.size(); i++) {
        JsonNode e = examples.get(i);
        if (!e.isObject()) {
          throw ServingException.invalid("Expecting 'examples' element " + i + " to be an object");
        }
        Features.Builder f = Features.newBuilder();
        if (context != null) {
          f.mergeFrom(context);
        }
        f.putAllFeature(features(e).getFeatureMap());
        out.add(Example.newBuilder().setFeatures(f).build().toByteArray());
      }
      return out;
    }

    private static Features features(JsonNode obj) {
      Features.Builder f = Features.newBuilder();
      obj.fields()
          .forEachRemaining(
              e -> {
                Feature feature = feature(e.getKey(), e.getValue());
                if (feature != null) {
                  f.putFeature(e.getKey(), feature);
                }
              });
      return f.build();
    }

    private static Feature feature(String name, JsonNode v) {
      List<JsonNode> values = new ArrayList<>();
      if (v.isArray()) {
        v.forEach(values::add);
      } else {
        values.add(v);
      }
      if (values.isEmpty()) {
        return null;
      }
      boolean anyFloat = values.stream().anyMatch(JsonNode::isFloatingPointNumber);
      JsonNode first = values.get(0);
      if (first.isNumber()) {
        if (anyFloat) {
          FloatList.Builder l = FloatList.newBuilder();
          for (JsonNode x : values) {
            if (!x.isNumber()) {
              throw JsonTensors.typeError(x, DataType.DT_FLOAT);
            }
            l.addValue(x.floatValue());
          }
          return Feature.newBuilder().setFloatList(l).build();
        }
        Int64List.Builder l = Int64List.newBuilder();
        for (JsonNode x : values) {
          if (!x.isIntegralNumber() || !x.canConvertToLong()) {
            throw JsonTensors.typeError(x, DataType.DT_INT64);
          }
          l.addValue(x.longValue());
        }
        return Feature.newBuilder().setInt64List(l).build();
      }
      BytesList.Builder l = BytesList.newBuilder();
      for (JsonNode x : values) {
        l.addValue(
            com.google.protobuf.ByteString.copyFrom(JsonTensors.bytes(x, DataType.DT_STRING)));
      }
      return Feature.newBuilder().setBytesList(l).build();
    }
  }
}
