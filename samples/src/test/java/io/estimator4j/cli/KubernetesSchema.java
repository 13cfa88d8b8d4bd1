package io.estimator4j.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks Kubernetes manifests against the Kubernetes API types, without a cluster: every document
 * is read into the typed classes of the fabric8 kubernetes-model (generated from the Kubernetes
 * OpenAPI schema) with a strict mapper, so a field name the API does not have, a value of the wrong
 * type (a string where an integer goes, a list where an object goes) or an unknown enum value is an
 * error naming the document and the field path. The TFJob custom resource is read the same way: its
 * spec by the records below, which follow the Kubeflow training operator's kubeflow.org/v1 Go types
 * (TFJobSpec, ReplicaSpec, RunPolicy), and each replica's pod template by fabric8's {@link
 * PodTemplateSpec}.
 */
final class KubernetesSchema {
  private KubernetesSchema() {}

  /**
   * fabric8's classes keep unknown fields in an "additionalProperties" map (a JsonAnySetter); this
   * mapper ignores that map so that an unknown field fails, as kubectl's strict field validation
   * does, and it converts no scalar into another type.
   */
  private static final ObjectMapper STRICT =
      JsonMapper.builder(new YAMLFactory())
          .annotationIntrospector(
              new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated a) {
                  return Boolean.FALSE;
                }
              })
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  /** The kinds checked, by apiVersion/kind. */
  private static final Map<String, Class<?>> TYPES =
      Map.of(
          "v1/Service", Service.class,
          "v1/PersistentVolumeClaim", PersistentVolumeClaim.class,
          "apps/v1/StatefulSet", StatefulSet.class,
          "kubeflow.org/v1/TFJob", TfJob.class);

  /** Reads every YAML document of {@code yaml}. */
  static List<JsonNode> documents(String yaml) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = STRICT.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNext()) {
        docs.add(it.next());
      }
    }
    return docs;
  }

  /** The problems of every document of {@code yaml}, one line each; empty when it is valid. */
  static List<String> validate(String yaml) throws IOException {
    List<String> problems = new ArrayList<>();
    List<JsonNode> docs = documents(yaml);
    for (int i = 0; i < docs.size(); i++) {
      JsonNode doc = docs.get(i);
      String type = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
      String where = "document " + (i + 1) + " (" + type + " " + doc.path("metadata").path("name");
      Class<?> cls = TYPES.get(type);
      if (cls == null) {
        problems.add(where + "): no schema for this apiVersion/kind; known: " + TYPES.keySet());
        continue;
      }
      try {
        STRICT.treeToValue(doc, cls);
      } catch (IOException e) {
        problems.add(
            where + ") at " + path(e) + ": " + e.getMessage().lines().findFirst().orElse(""));
      }
    }
    return problems;
  }

  /** The field path of a mapping error, like spec.template.spec.containers[0].ports[0]. */
  private static String path(IOException e) {
    if (!(e instanceof JsonMappingException m)) {
      return "?";
    }
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference r : m.getPath()) {
      if (r.getIndex() >= 0) {
        out.append('[').append(r.getIndex()).append(']');
      } else {
        out.append(out.isEmpty() ? "" : ".").append(r.getFieldName());
      }
    }
    return out.toString();
  }

  /** A kubeflow.org/v1 TFJob (training operator, pkg/apis/kubeflow.org/v1/tensorflow_types.go). */
  record TfJob(String apiVersion, String kind, ObjectMeta metadata, TfJobSpec spec) {}

  /** TFJobSpec: the run policy, the success policy and one ReplicaSpec per replica type. */
  record TfJobSpec(
      RunPolicy runPolicy,
      SuccessPolicy successPolicy,
      Map<ReplicaType, ReplicaSpec> tfReplicaSpecs,
      Boolean enableDynamicWorker) {}

  /** The TFJob replica types (TFJobReplicaType*). */
  enum ReplicaType {
    PS,
    Worker,
    Chief,
    Master,
    Evaluator
  }

  /** SuccessPolicy of a TFJob: the default (empty) or AllWorkers. */
  enum SuccessPolicy {
    @com.fasterxml.jackson.annotation.JsonProperty("")
    DEFAULT,
    AllWorkers
  }

  /** ReplicaSpec (common_types.go): replicas, the pod template and the restart policy. */
  record ReplicaSpec(Integer replicas, PodTemplateSpec template, RestartPolicy restartPolicy) {}

  /** RestartPolicy of a replica (common_types.go). */
  enum RestartPolicy {
    Always,
    OnFailure,
    Never,
    ExitCode
  }

  /** RunPolicy (common_types.go). */
  record RunPolicy(
      CleanPodPolicy cleanPodPolicy,
      Integer ttlSecondsAfterFinished,
      Long activeDeadlineSeconds,
      Integer backoffLimit,
      SchedulingPolicy schedulingPolicy,
      Boolean suspend,
      String managedBy) {}

  /** CleanPodPolicy (common_types.go). */
  enum CleanPodPolicy {
    All,
    Running,
    None
  }

  /** SchedulingPolicy for gang schedulers (common_types.go). */
  record SchedulingPolicy(
      Integer minAvailable,
      String queue,
      Map<String, io.fabric8.kubernetes.api.model.Quantity> minResources,
      String priorityClass,
      Integer scheduleTimeoutSeconds) {}
}
