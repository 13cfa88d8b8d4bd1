package io.estimator4j.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.testing.TestData;
import io.estimator4j.tfrecord.Examples;
import io.estimator4j.tfrecord.TFRecordReader;
import io.estimator4j.tfrecord.TFRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.Example;
import org.tensorflow.types.TString;

/**
 * The TFX chicago-taxi export (a Python tf.estimator DNNLinearCombinedClassifier with a TF
 * Transform graph and vocabulary assets) runs on its own evaluation tf.Examples.
 */
class ChicagoTaxiModelTest {

  static final Path TAXI = TestData.path("savedmodels/tfx-chicago-taxi-estimator");
  static final int N = 20;
  static List<byte[]> examples;

  static Path exportDir() throws IOException {
    try (var s = Files.list(TAXI.resolve("export/chicago-taxi"))) {
      return s.filter(Files::isDirectory).sorted().reduce((a, b) -> b).orElseThrow();
    }
  }

  /** The first {@code n} records of the GZIP TFRecord file of evaluation examples. */
  static List<byte[]> firstExamples(int n) throws IOException {
    Path file = TAXI.resolve("eval-examples/data_tfrecord-00000-of-00012.gz");
    List<byte[]> out = new ArrayList<>();
    try (TFRecordReader r = new TFRecordReader(file, TFRecords.Compression.GZIP)) {
      for (Optional<byte[]> rec = r.next(); rec.isPresent() && out.size() < n; rec = r.next()) {
        out.add(rec.get());
      }
    }
    return out;
  }

  @BeforeAll
  static void readExamples() throws IOException {
    examples = firstExamples(N);
  }

  @Test
  void evalRecordsAreTfExamples() throws Exception {
    assertThat(examples).hasSize(N);
    Example first = Example.parseFrom(examples.get(0));
    assertThat(first.getFeatures().getFeatureMap()).containsKeys("trip_miles", "payment_type");
  }

  @Test
  void classificationGivesTwoClassProbabilitiesPerExample() throws Exception {
    try (SavedModelPredictor p = SavedModelPredictor.load(exportDir(), Set.of("serve"));
        TString in = Examples.tensor(examples)) {
      Map<String, JavaArray> c = p.predictArrays("classification", Map.of("inputs", in));
      JavaArray scores = c.get("scores");
      JavaArray classes = c.get("classes");
      assertThat(scores.shape()).containsExactly(N, 2);
      assertThat(classes.shape()).containsExactly(N, 2);
      float[] s = scores.floats();
      String[] labels = classes.utf8Strings();
      for (int i = 0; i < N; i++) {
        // softmax over [no tip, tip]: each row is a probability distribution
        assertThat(s[2 * i] + s[2 * i + 1]).isCloseTo(1f, within(1e-5f));
        assertThat(s[2 * i]).isBetween(0f, 1f);
        // a binary head without a label vocabulary names its classes "0" and "1"
        assertThat(labels[2 * i]).isEqualTo("0");
        assertThat(labels[2 * i + 1]).isEqualTo("1");
      }

      // The other signatures agree: predict's probabilities are the scores, its logistic is the
      // probability of class 1, and regression returns that logistic.
      try (TString again = Examples.tensor(examples)) {
        Map<String, JavaArray> pr = p.predictArrays("predict", Map.of("examples", again));
        assertThat(pr.get("probabilities").floats()).containsExactly(s);
        float[] logistic = pr.get("logistic").floats();
        long[] classIds = pr.get("class_ids").longs();
        JavaArray reg = p.predictArrays("regression", Map.of("inputs", again)).get("outputs");
        assertThat(reg.floats()).containsExactly(logistic);
        for (int i = 0; i < N; i++) {
          assertThat(logistic[i]).isCloseTo(s[2 * i + 1], within(1e-6f));
          assertThat(classIds[i]).isEqualTo(s[2 * i + 1] > s[2 * i] ? 1 : 0);
        }
      }
    }
  }
}
