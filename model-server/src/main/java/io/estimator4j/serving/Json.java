package io.estimator4j.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** JSON reading and writing in the layouts TF Serving's REST API uses. */
final class Json {
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .build();

  /** protobuf's C++ JSON printer layout (one space per level, {@code "key": value}). */
  private static final DefaultPrettyPrinter PROTO_LAYOUT =
      new DefaultPrettyPrinter()
          .withObjectIndenter(new DefaultIndenter(" ", "\n"))
          .withArrayIndenter(new DefaultIndenter(" ", "\n"))
          .withSeparators(
              Separators.createDefaultInstance()
                  .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                  .withArrayEmptySeparator("")
                  .withObjectEmptySeparator(""));

  private Json() {}

  static String quote(String s) {
    try {
      return MAPPER.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** As protobuf's C++ {@code MessageToJsonString} with whitespace prints it. */
  static String protoLayout(JsonNode node) {
    try {
      return MAPPER.writer(PROTO_LAYOUT).writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** TF Serving's error body. */
  static String error(String message) {
    return "{ \"error\": " + quote(message) + " }";
  }
}
