package io.estimator4j.tfrecord;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;
import org.tensorflow.types.TString;

/**
 * Builds serialized tf.Example protos from JSON feature dictionaries, as {@code saved_model_cli run
 * --input_examples} does ({@code _create_example_string}): each feature maps to a list whose first
 * element picks the type: a float gives a FloatList, an integer (or boolean) an Int64List, a string
 * a BytesList (UTF-8). For example {@code [{"x": [1.0]}, {"x": [2.0]}]} gives two examples.
 *
 * <p>Besides strict JSON, single-quoted strings are accepted, so that most Python literals copied
 * from saved_model_cli commands work as they are.
 */
public final class Examples {

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_SINGLE_QUOTES)
          .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_TRAILING_COMMA)
          .build();

  private Examples() {}

  /**
   * Parses a JSON list of feature dictionaries, e.g. {@code [{"x": [1.0], "s": ["a"]}]}, into
   * serialized tf.Examples (in order).
   *
   * @throws IllegalArgumentException when the text is not such a list, naming what is wrong
   */
  public static List<byte[]> fromJson(String json) {
    JsonNode root = parse(json);
    if (!root.isArray()) {
      throw new IllegalArgumentException(
          "tf.Example input must be a list of dictionaries, e.g."
              + " [{\"x\": [1.0]}], but got "
              + abbreviate(json)
              + ".");
    }
    if (root.isEmpty()) {
      throw new IllegalArgumentException(
          "tf.Example input is an empty list, which would run the"
              + " model on no examples. Fix: give at least one dictionary, e.g. [{\"x\": [1.0]}].");
    }
    List<byte[]> out = new ArrayList<>();
    for (JsonNode e : root) {
      if (!e.isObject()) {
        throw new IllegalArgumentException(
            "tf.Example input must be a list of dictionaries, but"
                + " element "
                + out.size()
                + " is "
                + abbreviate(e.toString())
                + ".");
      }
      out.add(example(e).toByteArray());
    }
    return out;
  }

  /** One tf.Example from a JSON object of feature name to value list. */
  public static Example example(JsonNode features) {
    Features.Builder f = Features.newBuilder();
    for (Map.Entry<String, JsonNode> e : features.properties()) {
      f.putFeature(e.getKey(), feature(e.getKey(), e.getValue()));
    }
    return Example.newBuilder().setFeatures(f).build();
  }

  /** A 1-D string tensor of serialized examples, as fed to a classify or regress signature. */
  public static TString tensor(List<byte[]> serialized) {
    return TString.tensorOfBytes(
        Shape.of(serialized.size()), DataBuffers.ofObjects(serialized.toArray(new byte[0][])));
  }

  private static Feature feature(String name, JsonNode values) {
    if (!values.isArray()) {
      throw new IllegalArgumentException(
          "Feature value must be a list, but "
              + name
              + ": "
              + values
              + " is "
              + kind(values)
              + ". Fix: write ["
              + values
              + "].");
    }
    if (values.isEmpty()) {
      throw new IllegalArgumentException(
          "Feature '"
              + name
              + "' has an empty list; its type"
              + " cannot be inferred. Fix: leave the feature out of the example.");
    }
    JsonNode first = values.get(0);
    Feature.Builder f = Feature.newBuilder();
    if (first.isFloatingPointNumber()) {
      FloatList.Builder l = FloatList.newBuilder();
      for (JsonNode v : values) {
        if (!v.isNumber()) {
          throw mixed(name, "float", v);
        }
        if (Float.isInfinite(v.floatValue()) && !Double.isInfinite(v.doubleValue())) {
          throw new IllegalArgumentException(
              "Feature '"
                  + name
                  + "': "
                  + v
                  + " does not fit in"
                  + " a float32 (at most "
                  + Float.MAX_VALUE
                  + "); a FloatList would hold infinity.");
        }
        l.addValue(v.floatValue());
      }
      f.setFloatList(l);
    } else if (first.isIntegralNumber() || first.isBoolean()) {
      Int64List.Builder l = Int64List.newBuilder();
      for (JsonNode v : values) {
        if (v.isBoolean()) {
          l.addValue(v.booleanValue() ? 1 : 0);
        } else if (v.isIntegralNumber() && v.canConvertToLong()) {
          l.addValue(v.longValue());
        } else {
          throw v.isIntegralNumber()
              ? new IllegalArgumentException(
                  "Feature '" + name + "': " + v + " does not fit in an int64.")
              : mixed(name, "integer", v);
        }
      }
      f.setInt64List(l);
    } else if (first.isTextual()) {
      BytesList.Builder l = BytesList.newBuilder();
      for (JsonNode v : values) {
        if (!v.isTextual()) {
          throw mixed(name, "string", v);
        }
        l.addValue(ByteString.copyFrom(v.textValue(), StandardCharsets.UTF_8));
      }
      f.setBytesList(l);
    } else {
      throw new IllegalArgumentException(
          "Type "
              + kind(first)
              + " of value "
              + first
              + " (feature '"
              + name
              + "') is not supported for tf.train.Feature; use floats, integers or strings.");
    }
    return f.build();
  }

  private static IllegalArgumentException mixed(String name, String type, JsonNode v) {
    return new IllegalArgumentException(
        "Feature '"
            + name
            + "' is a list of "
            + type
            + "s (its"
            + " first value says so) but also holds "
            + v
            + " ("
            + kind(v)
            + "). Fix: give every"
            + " value of a feature the same type, e.g. write 2.0 rather than 2 in a float list.");
  }

  private static String kind(JsonNode v) {
    return v.isFloatingPointNumber()
        ? "a float"
        : v.isIntegralNumber()
            ? "an integer"
            : v.isTextual()
                ? "a string"
                : v.isBoolean()
                    ? "a boolean"
                    : v.isNull()
                        ? "null"
                        : v.isObject()
                            ? "a dictionary"
                            : v.isArray() ? "a list" : v.getNodeType().toString();
  }

  static JsonNode parse(String json) {
    String text = json.strip();
    try {
      JsonParser p = JSON.createParser(text);
      JsonNode node = JSON.readTree(p);
      if (node == null || p.nextToken() != null) {
        throw new IllegalArgumentException("Expected one JSON value, got " + abbreviate(json));
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "Not valid JSON: " + abbreviate(json) + " (" + e.getOriginalMessage() + ")", e);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("Cannot read " + abbreviate(json), e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
