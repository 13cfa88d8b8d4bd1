package io.estimator4j.serving;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads TF Serving's {@code --model_config_file}: a {@code ModelServerConfig} in protobuf text
 * format, the fields of {@code model_config_list} this server uses:
 *
 * <pre>
 * model_config_list {
 *   config {
 *     name: "half_plus_two"
 *     base_path: "/models/half_plus_two"
 *     model_platform: "tensorflow"
 *     model_version_policy { specific { versions: 1 versions: 2 } }   # or latest { num_versions: 2 }, all {}
 *     version_labels { key: "stable" value: 1 }
 *   }
 * }
 * </pre>
 *
 * Any other field is an error naming it (TF Serving's parser also refuses unknown fields). Relative
 * base paths are resolved against the working directory, as TF Serving does.
 */
public final class ModelConfigFile {
  private ModelConfigFile() {}

  /** The models of the config file at {@code file}. */
  public static List<ModelConfig> read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /** The models of config text {@code text} ({@code source} names it in errors). */
  public static List<ModelConfig> parse(String text, String source) {
    Message root = new Parser(text, source).message(true);
    root.only(source, "ModelServerConfig", Set.of("model_config_list"));
    List<ModelConfig> out = new ArrayList<>();
    for (Message list : root.messages("model_config_list")) {
      list.only(source, "ModelConfigList", Set.of("config"));
      for (Message c : list.messages("config")) {
        c.only(
            source,
            "ModelConfig",
            Set.of(
                "name", "base_path", "model_platform", "model_version_policy", "version_labels"));
        String platform = c.string("model_platform", "tensorflow");
        if (!platform.equals("tensorflow")) {
          throw new IllegalArgumentException(
              source + ": model_platform \"" + platform + "\" is not supported (only tensorflow).");
        }
        VersionPolicy policy = VersionPolicy.latest(1);
        for (Message p : c.messages("model_version_policy")) {
          p.only(source, "ServableVersionPolicy", Set.of("latest", "all", "specific"));
          if (!p.messages("latest").isEmpty()) {
            Message l = p.messages("latest").get(0);
            l.only(source, "Latest", Set.of("num_versions"));
            policy = VersionPolicy.latest((int) l.number("num_versions", 1));
          } else if (!p.messages("all").isEmpty()) {
            policy = VersionPolicy.all();
          } else if (!p.messages("specific").isEmpty()) {
            Message s = p.messages("specific").get(0);
            s.only(source, "Specific", Set.of("versions"));
            policy = VersionPolicy.specific(s.numbers("versions"));
          }
        }
        Map<String, Long> labels = new LinkedHashMap<>();
        for (Message l : c.messages("version_labels")) {
          l.only(source, "version_labels entry", Set.of("key", "value"));
          labels.put(l.string("key", ""), l.number("value", 0));
        }
        String name = c.string("name", "");
        String base = c.string("base_path", "");
        if (base.isEmpty()) {
          throw new IllegalArgumentException(source + ": model '" + name + "' has no base_path.");
        }
        out.add(new ModelConfig(name, Path.of(base), policy, labels));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(source + ": no model in model_config_list.");
    }
    return out;
  }

  /** A parsed text-format message: field name to values (String, Long or Message), in order. */
  private static final class Message {
    final Map<String, List<Object>> fields = new LinkedHashMap<>();

    void only(String source, String type, Set<String> allowed) {
      for (String f : fields.keySet()) {
        if (!allowed.contains(f)) {
          throw new IllegalArgumentException(
              source + ": message " + type + " has no field named \"" + f + "\".");
        }
      }
    }

    List<Message> messages(String name) {
      List<Message> out = new ArrayList<>();
      for (Object o : fields.getOrDefault(name, List.of())) {
        if (!(o instanceof Message m)) {
          throw new IllegalArgumentException("Field " + name + " must be a message { ... }.");
        }
        out.add(m);
      }
      return out;
    }

    String string(String name, String dflt) {
      List<Object> v = fields.get(name);
      if (v == null) {
        return dflt;
      }
      if (!(v.get(v.size() - 1) instanceof String s)) {
        throw new IllegalArgumentException("Field " + name + " must be a quoted string.");
      }
      return s;
    }

    long number(String name, long dflt) {
      List<Long> n = numbers(name);
      return n.isEmpty() ? dflt : n.get(n.size() - 1);
    }

    List<Long> numbers(String name) {
      List<Long> out = new ArrayList<>();
      for (Object o : fields.getOrDefault(name, List.of())) {
        if (!(o instanceof Long l)) {
          throw new IllegalArgumentException("Field " + name + " must be an integer.");
        }
        out.add(l);
      }
      return out;
    }
  }

  /** Protobuf text format: fields, nested messages, strings, integers and comments. */
  private static final class Parser {
    private final String s;
    private final String source;
    private int pos;

    Parser(String s, String source) {
      this.s = s;
      this.source = source;
    }

    private IllegalArgumentException error(String what) {
      int line = 1;
      for (int i = 0; i < pos && i < s.length(); i++) {
        if (s.charAt(i) == '\n') {
          line++;
        }
      }
      return new IllegalArgumentException(source + ":" + line + ": " + what);
    }

    private void skip() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == '#') {
          while (pos < s.length() && s.charAt(pos) != '\n') {
            pos++;
          }
        } else if (Character.isWhitespace(c) || c == ',' || c == ';') {
          pos++;
        } else {
          return;
        }
      }
    }

    Message message(boolean top) {
      Message m = new Message();
      while (true) {
        skip();
        if (pos >= s.length()) {
          if (!top) {
            throw error("missing '}'");
          }
          return m;
        }
        char c = s.charAt(pos);
        if (c == '}' || c == '>') {
          if (top) {
            throw error("unexpected '" + c + "'");
          }
          pos++;
          return m;
        }
        int start = pos;
        while (pos < s.length()
            && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
          pos++;
        }
        if (start == pos) {
          throw error("expected a field name, got '" + c + "'");
        }
        String name = s.substring(start, pos);
        skip();
        boolean colon = pos < s.length() && s.charAt(pos) == ':';
        if (colon) {
          pos++;
          skip();
        }
        if (pos >= s.length()) {
          throw error("missing value of " + name);
        }
        char v = s.charAt(pos);
        Object value;
        if (v == '{' || v == '<') {
          pos++;
          value = message(false);
        } else if (!colon) {
          throw error("expected ':' or '{' after " + name);
        } else if (v == '"' || v == '\'') {
          value = string(v);
        } else {
          int st = pos;
          while (pos < s.length()
              && (Character.isLetterOrDigit(s.charAt(pos)) || "-+._".indexOf(s.charAt(pos)) >= 0)) {
            pos++;
          }
          String tok = s.substring(st, pos);
          try {
            value = Long.parseLong(tok);
          } catch (NumberFormatException e) {
            throw error(
                "expected an integer or a quoted string for " + name + ", got '" + tok + "'");
          }
        }
        m.fields.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      }
    }

    private String string(char quote) {
      StringBuilder b = new StringBuilder();
      pos++;
      while (pos < s.length() && s.charAt(pos) != quote) {
        char c = s.charAt(pos++);
        if (c == '\\' && pos < s.length()) {
          char e = s.charAt(pos++);
          b.append(
              switch (e) {
                case 'n' -> '\n';
                case 't' -> '\t';
                default -> e;
              });
        } else {
          b.append(c);
        }
      }
      if (pos >= s.length()) {
        throw error("unterminated string");
      }
      pos++;
      return b.toString();
    }
  }
}
