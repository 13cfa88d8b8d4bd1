package io.estimator4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.estimator4j.estimator.config.ClusterConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * deploy/kubernetes without a cluster: every manifest passes the schema check of {@link
 * KubernetesSchema} (Kubernetes API types; the TFJob's kubeflow.org/v1 spec), every container runs
 * a command line that e4j accepts, and the StatefulSet's TF_CONFIG script (run by /bin/sh here, as
 * in the pod) gives a TF_CONFIG that ClusterConfig accepts with every pod's DNS name.
 */
class DeployManifestsTest {
  private static final Path DEPLOY = Path.of("..", "deploy", "kubernetes");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static List<JsonNode> documents(String file) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it =
        YAML.readerFor(JsonNode.class).readValues(DEPLOY.resolve(file).toFile())) {
      while (it.hasNext()) {
        docs.add(it.next());
      }
    }
    return docs;
  }

  @Test
  void everyManifestMatchesTheKubernetesApiTypes() throws IOException {
    for (String file : List.of("pvc.yaml", "statefulset.yaml", "tfjob.yaml")) {
      String yaml = Files.readString(DEPLOY.resolve(file));
      assertThat(KubernetesSchema.validate(yaml)).as(file).isEmpty();
      assertThat(KubernetesSchema.documents(yaml)).as(file).isNotEmpty();
    }
  }

  @Test
  void theSchemaCheckFindsPlantedErrors() throws IOException {
    String sets = Files.readString(DEPLOY.resolve("statefulset.yaml"));
    String job = Files.readString(DEPLOY.resolve("tfjob.yaml"));
    String pvc = Files.readString(DEPLOY.resolve("pvc.yaml"));
    // a field name the API does not have (containerPort is the field of a port)
    assertThat(planted(sets, "containerPort: 2222", "contianerPort: 2222"))
        .anyMatch(p -> p.contains("contianerPort") && p.contains("StatefulSet"));
    // a string where an integer goes
    assertThat(planted(sets, "replicas: 1", "replicas: one")).anyMatch(p -> p.contains("replicas"));
    assertThat(planted(sets, "replicas: 1", "replicas: \"1\""))
        .anyMatch(p -> p.contains("replicas"));
    // an object where a list goes
    assertThat(planted(pvc, "    - ReadWriteMany", "      mode: ReadWriteMany"))
        .anyMatch(p -> p.contains("accessModes"));
    // the TFJob: an unknown replica type, an unknown restart policy, a misspelt pod field
    assertThat(planted(job, "    Worker:", "    Workers:")).anyMatch(p -> p.contains("Workers"));
    assertThat(planted(job, "restartPolicy: Always", "restartPolicy: Sometimes"))
        .anyMatch(p -> p.contains("Sometimes"));
    assertThat(planted(job, "volumeMounts:", "volumeMount:"))
        .anyMatch(p -> p.contains("volumeMount") && p.contains("TFJob"));
    assertThat(planted(job, "backoffLimit: 3", "backoffLimit: three"))
        .anyMatch(p -> p.contains("backoffLimit"));
    // a kind without a schema is reported, not passed
    assertThat(KubernetesSchema.validate("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"))
        .anyMatch(p -> p.contains("no schema for this apiVersion/kind"));
  }

  /** The problems found once {@code from} (which must occur) is replaced by {@code to}. */
  private static List<String> planted(String yaml, String from, String to) throws IOException {
    assertThat(yaml).contains(from);
    List<String> problems =
        KubernetesSchema.validate(
            yaml.replaceFirst(
                java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to)));
    assertThat(problems).as("problems after planting %s", to).isNotEmpty();
    return problems;
  }

  @Test
  void tfJobRunsTheCensusSampleInEveryReplica() throws IOException {
    JsonNode job = documents("tfjob.yaml").get(0);
    assertThat(job.path("apiVersion").asText()).isEqualTo("kubeflow.org/v1");
    assertThat(job.path("kind").asText()).isEqualTo("TFJob");
    JsonNode specs = job.path("spec").path("tfReplicaSpecs");
    List<String> types = new ArrayList<>();
    specs.fieldNames().forEachRemaining(types::add);
    // the training operator's replica types; it writes them in lower case into TF_CONFIG
    assertThat(types).containsExactly("Chief", "Worker", "PS", "Evaluator");
    for (String type : types) {
      JsonNode container = specs.path(type).path("template").path("spec").path("containers").get(0);
      // the operator finds the container named tensorflow and its port named tfjob-port
      assertThat(container.path("name").asText()).isEqualTo("tensorflow");
      if (!type.equals("Evaluator")) {
        assertThat(container.path("ports").get(0).path("name").asText()).isEqualTo("tfjob-port");
      }
      assertParses(YAML.convertValue(container.path("args"), String[].class));
      assertThat(container.path("volumeMounts").get(0).path("mountPath").asText())
          .isEqualTo("/model");
    }
  }

  @Test
  void statefulSetsBuildATfConfigThatClusterConfigAccepts() throws Exception {
    List<JsonNode> docs = documents("statefulset.yaml");
    assertThat(docs.get(0).path("kind").asText()).isEqualTo("Service");
    assertThat(docs.get(0).path("spec").path("clusterIP").asText()).isEqualTo("None");
    List<JsonNode> sets = docs.subList(1, docs.size());
    assertThat(sets).extracting(d -> d.path("kind").asText()).containsOnly("StatefulSet");
    for (JsonNode set : sets) {
      assertThat(set.path("spec").path("serviceName").asText())
          .isEqualTo(docs.get(0).path("metadata").path("name").asText());
      JsonNode container = set.path("spec").path("template").path("spec").path("containers").get(0);
      String role =
          set.path("spec")
              .path("template")
              .path("metadata")
              .path("labels")
              .path("app.kubernetes.io/component")
              .asText();
      String script = container.path("args").get(0).asText();
      int ordinal = role.equals("worker") ? 1 : 0; // two workers below, one of each other task
      // run the pod's script with java replaced by echo: it prints TF_CONFIG and the command
      ProcessBuilder pb =
          new ProcessBuilder("/bin/sh", "-c", script.replace("exec java", "echo java"));
      pb.environment()
          .putAll(
              Map.of(
                  "HOSTNAME",
                  "census-" + role + "-" + ordinal,
                  "ROLE",
                  role,
                  "WORKERS",
                  "2",
                  "PS",
                  "1",
                  "NAMESPACE",
                  "ns"));
      Process p = pb.redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      List<String> lines = out.lines().toList();
      ClusterConfig c = ClusterConfig.parse(lines.get(0).substring("TF_CONFIG=".length()));
      assertThat(c.taskType()).isEqualTo(role);
      assertThat(c.taskId()).isEqualTo(ordinal);
      // the evaluator sits outside the cluster: ClusterConfig keeps no cluster for it
      if (!role.equals("evaluator")) {
        assertThat(c.clusterSpec())
            .containsEntry("chief", List.of("census-chief-0.census.ns.svc:2222"))
            .containsEntry(
                "worker",
                List.of("census-worker-0.census.ns.svc:2222", "census-worker-1.census.ns.svc:2222"))
            .containsEntry("ps", List.of("census-ps-0.census.ns.svc:2222"));
      }
      String[] command = lines.get(1).replace("\\", "").trim().split("\\s+");
      int jar = List.of(command).indexOf("/app/e4j.jar");
      assertParses(List.of(command).subList(jar + 1, command.length).toArray(String[]::new));
    }
  }

  @Test
  void dockerfileCopiesTheJarTheCommandsRun() throws IOException {
    String docker = Files.readString(DEPLOY.resolveSibling("Dockerfile"));
    assertThat(docker).contains("samples/target/e4j.jar /app/e4j.jar");
    assertThat(docker).contains("-pl samples -am package");
  }

  private static void assertParses(String[] args) {
    CommandLine.ParseResult r = E4j.commandLine().parseArgs(args);
    assertThat(r.asCommandLineList()).hasSizeGreaterThan(1);
    assertThat(r.asCommandLineList().get(r.asCommandLineList().size() - 1).getCommandName())
        .isEqualTo("census");
  }
}
