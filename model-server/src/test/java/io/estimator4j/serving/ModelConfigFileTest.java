package io.estimator4j.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelConfigFileTest {

  @Test
  void readsTfServingsConfig() {
    List<ModelConfig> models =
        ModelConfigFile.parse(
            """
            # two models, as in TF Serving's serving_config guide
            model_config_list {
              config {
                name: 'half_plus_two'
                base_path: '/models/half_plus_two'
                model_platform: 'tensorflow'
                model_version_policy { specific { versions: 1 versions: 2 } }
                version_labels { key: 'stable' value: 1 }
                version_labels { key: 'canary' value: 2 }
              }
              config {
                name: "census"
                base_path: "/models/census"
                model_version_policy: { latest: { num_versions: 2 } }
              }
              config { name: "all" base_path: "/m" model_version_policy { all {} } }
            }
            """,
            "models.config");
    assertThat(models).hasSize(3);
    assertThat(models.get(0))
        .isEqualTo(
            new ModelConfig(
                "half_plus_two",
                Path.of("/models/half_plus_two"),
                VersionPolicy.specific(1L, 2L),
                Map.of("stable", 1L, "canary", 2L)));
    assertThat(models.get(1).versionPolicy()).isEqualTo(VersionPolicy.latest(2));
    assertThat(models.get(2).versionPolicy()).isEqualTo(VersionPolicy.all());
  }

  @Test
  void refusesUnknownFieldsAndBadSyntax() {
    assertThatThrownBy(
            () ->
                ModelConfigFile.parse(
                    "model_config_list { config { name: 'a' base_pat: '/x' } }", "m.config"))
        .hasMessageContaining("unknown fields")
        .hasMessageContaining("tensorflow.serving.ModelConfig.base_pat");
    assertThatThrownBy(() -> ModelConfigFile.parse("model_config_list { config {", "m.config"))
        .hasMessageContaining("not a text ModelServerConfig");
    assertThatThrownBy(
            () ->
                ModelConfigFile.parse(
                    "model_config_list { config { name: 'a' base_path: '/x'"
                        + " model_platform: 'pytorch' } }",
                    "m.config"))
        .hasMessageContaining("not supported");
  }
}
