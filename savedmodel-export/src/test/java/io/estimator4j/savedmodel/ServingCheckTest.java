package io.estimator4j.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.savedmodel.ServingCheck.Api;
import io.estimator4j.savedmodel.ServingCheck.Outcome;
import io.estimator4j.testing.TestData;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

class ServingCheckTest {

  private static Path model(String name) {
    return TestData.path("savedmodels/" + name);
  }

  /** signature -> the APIs that accept it. */
  private static Map<String, Set<Api>> accepted(List<Outcome> outcomes) {
    return outcomes.stream()
        .collect(
            Collectors.groupingBy(
                Outcome::signature,
                java.util.TreeMap::new,
                Collectors.filtering(
                    Outcome::ok, Collectors.mapping(Outcome::api, Collectors.toSet()))));
  }

  private static Outcome outcome(List<Outcome> outcomes, String sig, Api api) {
    return outcomes.stream()
        .filter(o -> o.signature().equals(sig) && o.api() == api)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void tf1HalfPlusTwo() throws Exception {
    for (String name :
        new String[] {
          "tf-serving-saved_model_half_plus_two_cpu/00000123",
          "tf-serving-saved_model_half_plus_two_2_versions/00000123",
          "tf-serving-saved_model_half_plus_two_2_versions/00000124"
        }) {
      List<Outcome> o = ServingCheck.check(model(name), Set.of("serve"));
      Map<String, Set<Api>> ok = accepted(o);
      assertThat(ok.get("serving_default")).containsExactly(Api.PREDICT);
      assertThat(ok.get("classify_x_to_y")).containsExactlyInAnyOrder(Api.PREDICT, Api.CLASSIFY);
      assertThat(ok.get("regress_x_to_y")).containsExactlyInAnyOrder(Api.PREDICT, Api.REGRESS);
      assertThat(ok.get("regress_x_to_y2")).containsExactlyInAnyOrder(Api.PREDICT, Api.REGRESS);
      // x2 is a float placeholder, not serialized tf.Examples: only Predict can feed it
      assertThat(ok.get("regress_x2_to_y3")).containsExactly(Api.PREDICT);
      assertThat(outcome(o, "regress_x2_to_y3", Api.REGRESS).reasons())
          .containsExactly(
              "input \"inputs\" is DT_FLOAT, not DT_STRING",
              "input \"inputs\" has shape (-1, 1), not [batch_size] (a vector of serialized"
                  + " tf.Examples)");
      // the tf.Example input has unknown rank: Predict notes it
      assertThat(outcome(o, "regress_x_to_y", Api.PREDICT).notes())
          .containsExactly("input \"inputs\" has unknown rank");
      assertThat(outcome(o, "serving_default", Api.CLASSIFY).reasons())
          .containsExactly(
              "method name is \"tensorflow/serving/predict\", not tensorflow/serving/classify",
              "inputs are [x], not exactly one \"inputs\" (serialized tf.Examples)",
              "outputs are [y], with neither \"classes\" nor \"scores\"");
    }
    List<Outcome> v124 =
        ServingCheck.check(
            model("tf-serving-saved_model_half_plus_two_2_versions/00000124"), Set.of("serve"));
    assertThat(accepted(v124).get("classify_x2_to_y3")).containsExactly(Api.PREDICT);
  }

  @Test
  void tf2HalfPlusTwoHasOnlyPredictSignatures() throws Exception {
    List<Outcome> o =
        ServingCheck.check(
            model("tf-serving-saved_model_half_plus_two_tf2_cpu/00000123"), Set.of("serve"));
    // the TF2 export wrote every signature with method name predict; the init op is not listed
    assertThat(accepted(o))
        .containsOnlyKeys(
            "classify_x2_to_y3",
            "classify_x_to_y",
            "regress_x2_to_y3",
            "regress_x_to_y",
            "regress_x_to_y2",
            "serving_default");
    accepted(o).values().forEach(apis -> assertThat(apis).containsExactly(Api.PREDICT));
    assertThat(outcome(o, "regress_x_to_y", Api.REGRESS).reasons())
        .containsExactly(
            "method name is \"tensorflow/serving/predict\", not tensorflow/serving/regress");

    // tensorflow_model_server's default (--enable_signature_method_name_check=false) serves the
    // tf.Example signatures through Classify and Regress despite their predict method name.
    List<Outcome> lenient =
        ServingCheck.check(
            model("tf-serving-saved_model_half_plus_two_tf2_cpu/00000123"), Set.of("serve"), false);
    Map<String, Set<Api>> ok = accepted(lenient);
    assertThat(ok.get("classify_x_to_y")).containsExactlyInAnyOrder(Api.PREDICT, Api.CLASSIFY);
    assertThat(ok.get("regress_x_to_y")).containsExactlyInAnyOrder(Api.PREDICT, Api.REGRESS);
    assertThat(ok.get("regress_x2_to_y3")).containsExactly(Api.PREDICT);
    assertThat(outcome(lenient, "regress_x_to_y", Api.REGRESS).notes())
        .containsExactly(
            "method name is \"tensorflow/serving/predict\", not tensorflow/serving/regress (accepted:"
                + " method names are not checked)");
  }

  @Test
  void halfPlusThreeRegressSignatureTakesFloatsSoRegressRefusesIt() throws Exception {
    List<Outcome> o =
        ServingCheck.check(
            model("tf-serving-saved_model_half_plus_three/00000123"), Set.of("serve"));
    assertThat(accepted(o).get("tensorflow/serving/regress")).containsExactly(Api.PREDICT);
    assertThat(outcome(o, "tensorflow/serving/regress", Api.REGRESS).reasons())
        .containsExactly("input \"inputs\" is DT_FLOAT, not DT_STRING");
    // its tensors carry no shape at all
    assertThat(outcome(o, "serving_default", Api.PREDICT).notes())
        .containsExactly("input \"x\" has no shape recorded", "output \"y\" has no shape recorded");
  }

  @Test
  void chicagoTaxiEstimatorExport() throws Exception {
    List<Outcome> o = ServingCheck.check(ChicagoTaxiModelTest.exportDir(), Set.of("serve"));
    Map<String, Set<Api>> ok = accepted(o);
    assertThat(ok.get("serving_default")).containsExactlyInAnyOrder(Api.PREDICT, Api.CLASSIFY);
    assertThat(ok.get("classification")).containsExactlyInAnyOrder(Api.PREDICT, Api.CLASSIFY);
    assertThat(ok.get("regression")).containsExactlyInAnyOrder(Api.PREDICT, Api.REGRESS);
    assertThat(ok.get("predict")).containsExactly(Api.PREDICT);
    assertThat(outcome(o, "predict", Api.CLASSIFY).reasons())
        .contains("inputs are [examples], not exactly one \"inputs\" (serialized tf.Examples)");
    o.stream().filter(x -> x.api() == Api.PREDICT).forEach(x -> assertThat(x.notes()).isEmpty());
  }

  private static TensorInfo info(DataType dtype, long... dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : dims) {
      s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return TensorInfo.newBuilder().setName("t:0").setDtype(dtype).setTensorShape(s).build();
  }

  @Test
  void classifyAndRegressOutputRulesFollowTfServing() {
    TensorInfo examples = info(DataType.DT_STRING, -1);
    SignatureDef extra =
        SignatureDef.newBuilder()
            .setMethodName("tensorflow/serving/classify")
            .putInputs("inputs", examples)
            .putOutputs("classes", info(DataType.DT_STRING, -1, 3))
            .putOutputs("logits", info(DataType.DT_FLOAT, -1, 3))
            .build();
    // TFRT's classifier refuses a second output that is not "scores"
    assertThat(ServingCheck.classify("s", extra, true).reasons())
        .containsExactly(
            "outputs [logits] are neither \"classes\" nor \"scores\" (Classify allows only those two)");

    SignatureDef mismatched =
        SignatureDef.newBuilder()
            .setMethodName("tensorflow/serving/classify")
            .putInputs("inputs", examples)
            .putOutputs("classes", info(DataType.DT_STRING, -1, 3))
            .putOutputs("scores", info(DataType.DT_DOUBLE, -1, 2))
            .build();
    assertThat(ServingCheck.classify("s", mismatched, true).reasons())
        .containsExactly(
            "output \"scores\" is DT_DOUBLE, not DT_FLOAT",
            "\"classes\" has 3 columns but \"scores\" has 2 (they must agree)");

    SignatureDef wide =
        SignatureDef.newBuilder()
            .setMethodName("tensorflow/serving/regress")
            .putInputs("inputs", info(DataType.DT_STRING, -1, 1))
            .putOutputs("outputs", info(DataType.DT_FLOAT, -1, 2))
            .build();
    assertThat(ServingCheck.regress("s", wide, true).reasons())
        .containsExactly(
            "input \"inputs\" has shape (-1, 1), not [batch_size] (a vector of serialized"
                + " tf.Examples)",
            "output \"outputs\" has shape (-1, 2), not [batch_size] or [batch_size, 1]");

    SignatureDef custom =
        SignatureDef.newBuilder()
            .setMethodName("my/method")
            .putInputs("x", info(DataType.DT_FLOAT, -1))
            .build();
    Outcome predict = ServingCheck.predict("s", custom, true);
    assertThat(predict.ok()).isFalse();
    assertThat(predict.reasons())
        .containsExactly(
            "method name is \"my/method\", not"
                + " tensorflow/serving/predict, tensorflow/serving/classify or tensorflow/serving/regress");
  }
}
