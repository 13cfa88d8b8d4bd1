package io.estimator4j.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.FingerprintDef;

/** fingerprint.pb against one TensorFlow wrote. */
class FingerprintsTest {
  @Test
  void farmhashReferenceValues() {
    // FarmHash Fingerprint64 reference values (farmhash's self-test: "" and "hello")
    assertThat(Fingerprints.fingerprint64(List.of(new byte[0], "hello".getBytes())))
        .containsExactly(0x9ae16a3b2f90404fL, 0xb48be5a931380ce8L);
  }

  @Test
  void reproducesTheHashesTensorFlowWrote() throws Exception {
    // TF Serving's half_plus_two TF2 SavedModel (tf.saved_model.save by TensorFlow 2.14), with
    // TensorFlow's own fingerprint.pb; its object-graph hash needs the object graph's functions,
    // which TF1-style
    // exports like ours do not have (0)
    Path dir = TestData.path("savedmodels/tf-serving-saved_model_half_plus_two_tf2_cpu/00000123");
    FingerprintDef written =
        FingerprintDef.parseFrom(Files.readAllBytes(dir.resolve("fingerprint.pb")));
    FingerprintDef ours = Fingerprints.of(dir, Files.readAllBytes(dir.resolve("saved_model.pb")));
    assertThat(ours.getSavedModelChecksum()).isEqualTo(written.getSavedModelChecksum());
    // graph: Fingerprint64 of the deterministic GraphDef after SimpleDelete (its 8
    // StatefulPartitionedCalls' "f" without the UID suffix, e.g.
    // __inference_signature_wrapper_predict_245 -> __inference_signature_wrapper_predict_, and an
    // empty config_proto; the string Const's value cleared; library and versions present but
    // empty, as C++'s mutable_library()->Clear() leaves them)
    assertThat(Long.toUnsignedString(ours.getGraphDefProgramHash()))
        .isEqualTo(Long.toUnsignedString(written.getGraphDefProgramHash()))
        .isEqualTo("13265581747292989307");
    // signatures: Fingerprint64 of each key and each deterministic SignatureDef, chained with
    // FingerprintCat64 in key order
    assertThat(ours.getSignatureDefHash()).isEqualTo(written.getSignatureDefHash());
    assertThat(ours.getCheckpointHash()).isEqualTo(written.getCheckpointHash());
    assertThat(ours.getVersion()).isEqualTo(written.getVersion());
  }
}
