package io.estimator4j.serving;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tensorflow.serving.FileSystemStoragePathSource.FileSystemStoragePathSourceConfig.ServableVersionPolicy;
import tensorflow.serving.ModelServerConfigOuterClass.ModelServerConfig;

/**
 * Reads TF Serving's {@code --model_config_file}: a {@code ModelServerConfig} (TF Serving's own
 * message, generated from its {@code config/model_server_config.proto}) in protobuf text format,
 * parsed by protobuf's {@link TextFormat}:
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
 * The same conversion serves gRPC's {@code ModelService.HandleReloadConfigRequest}. Relative base
 * paths are resolved against the working directory, as TF Serving does.
 */
public final class ModelConfigFile {
  private ModelConfigFile() {}

  /** The models of the config file at {@code file}. */
  public static List<ModelConfig> read(Path file) throws IOException {
    return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /** The models of config text {@code text} ({@code source} names it in errors). */
  public static List<ModelConfig> parse(String text, String source) {
    ModelServerConfig.Builder b = ModelServerConfig.newBuilder();
    try {
      TextFormat.merge(text, b);
    } catch (TextFormat.ParseException e) {
      throw new IllegalArgumentException(
          source + ": not a text ModelServerConfig: " + e.getMessage(), e);
    }
    List<ModelConfig> out;
    try {
      out = models(b.build(), source);
    } catch (ServingException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(source + ": no model in model_config_list.");
    }
    return out;
  }

  /**
   * The models of a {@code ModelServerConfig}, checked as TF Serving's ServerCore checks them; an
   * {@link ServingException} with TF Serving's code and message when it refuses the config.
   */
  static List<ModelConfig> models(ModelServerConfig config, String source) {
    if (config.getConfigCase() == ModelServerConfig.ConfigCase.CUSTOM_MODEL_CONFIG) {
      throw ServingException.invalid(
          source + ": custom_model_config is not supported; use model_config_list.");
    }
    List<ModelConfig> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (tensorflow.serving.ModelServerConfigOuterClass.ModelConfig c :
        config.getModelConfigList().getConfigList()) {
      String platform = c.getModelPlatform().isEmpty() ? "tensorflow" : c.getModelPlatform();
      if (!platform.equals("tensorflow")) {
        throw ServingException.invalid(
            source
                + ": model_platform \""
                + platform
                + "\" of model '"
                + c.getName()
                + "' is not supported (only tensorflow).");
      }
      if (!names.add(c.getName())) {
        throw ServingException.invalid(
            "Illegal to list model " + c.getName() + " multiple times in config list");
      }
      if (c.getBasePath().isEmpty()) {
        throw ServingException.invalid(source + ": model '" + c.getName() + "' has no base_path.");
      }
      try {
        out.add(
            new ModelConfig(
                c.getName(),
                Path.of(c.getBasePath()),
                policy(c.getModelVersionPolicy()),
                c.getVersionLabelsMap()));
      } catch (IllegalArgumentException e) {
        throw ServingException.invalid(source + ": " + e.getMessage());
      }
    }
    return out;
  }

  private static VersionPolicy policy(ServableVersionPolicy p) {
    return switch (p.getPolicyChoiceCase()) {
      case LATEST ->
          VersionPolicy.latest(
              p.getLatest().getNumVersions() == 0 ? 1 : p.getLatest().getNumVersions());
      case ALL -> VersionPolicy.all();
      case SPECIFIC -> VersionPolicy.specific(p.getSpecific().getVersionsList());
      case POLICYCHOICE_NOT_SET -> VersionPolicy.latest(1);
    };
  }
}
