package io.estimator4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.testing.TestData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Detecting the optimizer flavour of a checkpoint from its variable names. */
class TensorFlowFlavourTest {
  private static final Path TAXI = TestData.path("savedmodels/tfx-chicago-taxi-estimator");

  @Test
  void pythonTf2EstimatorCheckpointIsTf2() throws IOException {
    // written by TensorFlow 2.9's DNNLinearCombinedClassifier: training/Adagrad/..., training/Ftrl/
    try (CheckpointReader r = CheckpointReader.open(TAXI.resolve("model.ckpt-1000").toString())) {
      assertThat(TensorFlowFlavour.detect(r.variables().keySet())).contains(TensorFlowFlavour.TF2);
    }
  }

  @Test
  void exportVariablesHoldNoOptimizerState() throws IOException {
    Path variables = TAXI.resolve("export/chicago-taxi/1646034756/variables/variables");
    try (CheckpointReader r = CheckpointReader.open(variables.toString())) {
      assertThat(TensorFlowFlavour.detect(r.variables().keySet())).isEmpty();
    }
  }

  @Test
  void compatV1SlotNamesAreTf1() {
    assertThat(
            TensorFlowFlavour.detect(
                List.of("global_step", "dnn/logits/bias", "dnn/logits/bias/Adagrad")))
        .contains(TensorFlowFlavour.TF1);
    assertThat(TensorFlowFlavour.detect(List.of("x", "beta1_power", "x/Adam", "x/Adam_1")))
        .contains(TensorFlowFlavour.TF1);
    assertThat(
            TensorFlowFlavour.detect(
                List.of("linear/linear_model/age/weights", "linear/linear_model/age/weights/Ftrl")))
        .contains(TensorFlowFlavour.TF1);
    assertThat(TensorFlowFlavour.detect(List.of("global_step", "w"))).isEmpty();
  }
}
