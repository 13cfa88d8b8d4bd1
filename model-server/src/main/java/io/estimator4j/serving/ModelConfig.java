package io.estimator4j.serving;

import java.nio.file.Path;
import java.util.Map;

/**
 * One model to serve, as an entry of TF Serving's {@code ModelServerConfig.model_config_list}: its
 * name, base path (numbered version directories below it), version policy and version labels.
 */
public record ModelConfig(
    String name, Path basePath, VersionPolicy versionPolicy, Map<String, Long> versionLabels) {

  public ModelConfig {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("A model needs a name.");
    }
    if (basePath == null) {
      throw new IllegalArgumentException("Model '" + name + "' needs a base_path.");
    }
    versionPolicy = versionPolicy == null ? VersionPolicy.latest(1) : versionPolicy;
    versionLabels = versionLabels == null ? Map.of() : Map.copyOf(versionLabels);
  }

  /**
   * The latest version of {@code basePath}, no labels: what {@code --model_name/--model_base_path}
   * give.
   */
  public static ModelConfig of(String name, Path basePath) {
    return new ModelConfig(name, basePath, VersionPolicy.latest(1), Map.of());
  }
}
