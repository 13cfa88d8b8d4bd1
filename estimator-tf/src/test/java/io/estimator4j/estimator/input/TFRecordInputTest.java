package io.estimator4j.estimator.input;

import static io.estimator4j.estimator.input.InputDriver.floats;
import static io.estimator4j.estimator.input.InputDriver.longs;
import static io.estimator4j.estimator.input.InputDriver.sizes;
import static io.estimator4j.estimator.input.InputDriver.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.estimator4j.estimator.input.InputDriver.Batch;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.featurecolumn.parsing.FixedLenFeature;
import io.estimator4j.featurecolumn.parsing.VarLenFeature;
import io.estimator4j.testing.TestData;
import io.estimator4j.tfrecord.TFRecordWriter;
import io.estimator4j.tfrecord.TFRecords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.Int64List;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/** Runs {@link TFRecordInput} pipelines over TFRecord files of tf.Examples in real sessions. */
class TFRecordInputTest {

  @TempDir Path dir;

  // ---- building tf.Examples --------------------------------------------------------------------

  private static Feature floatFeature(float... values) {
    FloatList.Builder l = FloatList.newBuilder();
    for (float v : values) {
      l.addValue(v);
    }
    return Feature.newBuilder().setFloatList(l).build();
  }

  private static Feature int64Feature(long... values) {
    Int64List.Builder l = Int64List.newBuilder();
    for (long v : values) {
      l.addValue(v);
    }
    return Feature.newBuilder().setInt64List(l).build();
  }

  private static Feature bytesFeature(String... values) {
    BytesList.Builder l = BytesList.newBuilder();
    for (String v : values) {
      l.addValue(ByteString.copyFrom(v, StandardCharsets.UTF_8));
    }
    return Feature.newBuilder().setBytesList(l).build();
  }

  private static byte[] example(Map<String, Feature> features) {
    return Example.newBuilder()
        .setFeatures(Features.newBuilder().putAllFeature(features))
        .build()
        .toByteArray();
  }

  /**
   * Example i (0..4) holds: id=[i], age=[1.5 i], name=["n" i], vec=[i, i+0.5, -i], pair=[i, 10 i],
   * label=[i % 2]; opt=[100+i] only for even i, code=["zero"] only for i=0, optpair=[8, 9] only for
   * i=1; VarLen tags = i % 3 strings "t0", "t1"; nums = 0..i-1; weights = [0.5] for odd i.
   */
  private static byte[] sample(int i) {
    Map<String, Feature> f = new LinkedHashMap<>();
    f.put("id", int64Feature(i));
    f.put("age", floatFeature(1.5f * i));
    f.put("name", bytesFeature("n" + i));
    f.put("vec", floatFeature(i, i + 0.5f, -i));
    f.put("pair", int64Feature(i, 10L * i));
    f.put("label", int64Feature(i % 2));
    if (i % 2 == 0) {
      f.put("opt", floatFeature(100f + i));
    }
    if (i == 0) {
      f.put("code", bytesFeature("zero"));
    }
    if (i == 1) {
      f.put("optpair", int64Feature(8, 9));
    }
    List<String> tags = new ArrayList<>();
    for (int t = 0; t < i % 3; t++) {
      tags.add("t" + t);
    }
    f.put("tags", bytesFeature(tags.toArray(String[]::new)));
    f.put("nums", int64Feature(LongStream.range(0, i).toArray()));
    f.put("weights", i % 2 == 1 ? floatFeature(0.5f) : floatFeature());
    return example(f);
  }

  private Path writeSamples(String name, TFRecords.Compression compression, int from, int to)
      throws IOException {
    Path file = dir.resolve(name);
    try (TFRecordWriter w = new TFRecordWriter(file, compression)) {
      for (int i = from; i < to; i++) {
        w.write(sample(i));
      }
    }
    return file;
  }

  private Path fiveSamples() throws IOException {
    return writeSamples("five.tfrecord", TFRecords.Compression.NONE, 0, 5);
  }

  private static final FixedLenFeature ID = FixedLenFeature.scalar(TInt64.class);

  // ---- tests -----------------------------------------------------------------------------------

  @Nested
  class FixedLen {

    @Test
    void scalarsAndVectors() throws IOException {
      InputFn fn =
          TFRecordInput.builder(fiveSamples())
              .feature("id", ID)
              .feature("age", FixedLenFeature.scalar(TFloat32.class))
              .feature("name", FixedLenFeature.scalar(TString.class))
              .feature("vec", new FixedLenFeature(TFloat32.class, new long[] {3}, null))
              .feature("pair", new FixedLenFeature(TInt64.class, new long[] {2}, null))
              .shuffleBuffer(0)
              .batchSize(5)
              .build();

      List<Batch> batches = InputDriver.readAll(fn, ModeKeys.PREDICT);

      assertThat(batches).hasSize(1);
      Batch b = batches.get(0);
      assertThat(b.features()).containsOnlyKeys("id", "age", "name", "vec", "pair");
      assertThat(b.labels()).isEmpty();
      assertThat((long[]) b.feature("id")).containsExactly(0, 1, 2, 3, 4);
      assertThat((float[]) b.feature("age")).containsExactly(0f, 1.5f, 3f, 4.5f, 6f);
      assertThat((String[]) b.feature("name")).containsExactly("n0", "n1", "n2", "n3", "n4");
      // FixedLen [3] -> float32 [batch, 3]; FixedLen [2] int64 -> int64 [batch, 2].
      assertThat((float[][]) b.feature("vec"))
          .isDeepEqualTo(
              new float[][] {
                {0f, 0.5f, -0f}, {1f, 1.5f, -1f}, {2f, 2.5f, -2f}, {3f, 3.5f, -3f}, {4f, 4.5f, -4f}
              });
      assertThat((long[][]) b.feature("pair"))
          .isDeepEqualTo(new long[][] {{0, 0}, {1, 10}, {2, 20}, {3, 30}, {4, 40}});
    }

    @Test
    void missingFeaturesTakeTheirDefaults() throws IOException {
      InputFn fn =
          TFRecordInput.builder(fiveSamples())
              .feature("opt", FixedLenFeature.scalar(-1f))
              .feature("code", FixedLenFeature.scalar("none"))
              .feature("optpair", new FixedLenFeature(TInt64.class, new long[] {2}, 7L))
              .feature("absent", FixedLenFeature.scalar(42L))
              .shuffleBuffer(0)
              .batchSize(5)
              .build();

      Batch b = InputDriver.readAll(fn, ModeKeys.PREDICT).get(0);

      // opt only in even examples, code only in example 0, optpair only in example 1.
      assertThat((float[]) b.feature("opt")).containsExactly(100f, -1f, 102f, -1f, 104f);
      assertThat((String[]) b.feature("code"))
          .containsExactly("zero", "none", "none", "none", "none");
      assertThat((long[][]) b.feature("optpair"))
          .isDeepEqualTo(new long[][] {{7, 7}, {8, 9}, {7, 7}, {7, 7}, {7, 7}});
      assertThat((long[]) b.feature("absent")).containsExactly(42, 42, 42, 42, 42);
    }

    @Test
    void missingRequiredFeatureIsATensorFlowError() throws IOException {
      InputFn fn =
          TFRecordInput.builder(fiveSamples())
              .feature("opt", FixedLenFeature.scalar(TFloat32.class))
              .shuffleBuffer(0)
              .build();

      assertThatThrownBy(() -> InputDriver.readAll(fn, ModeKeys.TRAIN))
          .isInstanceOf(TFInvalidArgumentException.class)
          .hasMessageContaining(
              "Feature: opt (data type: float) is required but could not be found");
    }

    @Test
    void wrongDtypeIsATensorFlowError() throws IOException {
      InputFn fn =
          TFRecordInput.builder(fiveSamples())
              .feature("id", FixedLenFeature.scalar(TFloat32.class))
              .shuffleBuffer(0)
              .build();

      assertThatThrownBy(() -> InputDriver.readAll(fn, ModeKeys.TRAIN))
          .isInstanceOf(TFInvalidArgumentException.class)
          .hasMessageContaining("Key: id")
          .hasMessageContaining(
              "Data types don't match. Data type: int64 but expected type: float");
    }
  }

  @Nested
  class VarLen {

    private InputFn varLen(int batchSize) throws IOException {
      return TFRecordInput.builder(fiveSamples())
          .feature("tags", new VarLenFeature(TString.class))
          .feature("nums", new VarLenFeature(TInt64.class))
          .feature("weights", new VarLenFeature(TFloat32.class))
          .shuffleBuffer(0)
          .batchSize(batchSize)
          .build();
    }

    @Test
    void densifiedAndPaddedByDtype() throws IOException {
      Batch b = InputDriver.readAll(varLen(5), ModeKeys.PREDICT).get(0);

      // [batch, longest list in the batch], padded with "" (string), -1 (int64), 0 (float).
      assertThat((String[][]) b.feature("tags"))
          .isDeepEqualTo(new String[][] {{"", ""}, {"t0", ""}, {"t0", "t1"}, {"", ""}, {"t0", ""}});
      assertThat((long[][]) b.feature("nums"))
          .isDeepEqualTo(
              new long[][] {
                {-1, -1, -1, -1}, {0, -1, -1, -1}, {0, 1, -1, -1}, {0, 1, 2, -1}, {0, 1, 2, 3}
              });
      assertThat((float[][]) b.feature("weights"))
          .isDeepEqualTo(new float[][] {{0f}, {0.5f}, {0f}, {0.5f}, {0f}});
    }

    @Test
    void widthIsTheLongestListOfEachBatch() throws IOException {
      List<Batch> batches = InputDriver.readAll(varLen(2), ModeKeys.PREDICT);

      assertThat(sizes(batches)).containsExactly(2, 2, 1);
      // Batch 0 = examples 0, 1 (nums lengths 0, 1); batch 1 = 2, 3 (2, 3); batch 2 = 4 (4).
      assertThat((long[][]) batches.get(0).feature("nums")).isDeepEqualTo(new long[][] {{-1}, {0}});
      assertThat((long[][]) batches.get(1).feature("nums"))
          .isDeepEqualTo(new long[][] {{0, 1, -1}, {0, 1, 2}});
      assertThat((long[][]) batches.get(2).feature("nums"))
          .isDeepEqualTo(new long[][] {{0, 1, 2, 3}});
      // Example 3 has no tags and example 2 two: {{"t0","t1"}, {"",""}}.
      assertThat((String[][]) batches.get(1).feature("tags"))
          .isDeepEqualTo(new String[][] {{"t0", "t1"}, {"", ""}});
    }

    @Test
    void mixedWithFixedLenAndLabels() throws IOException {
      InputFn fn =
          TFRecordInput.builder(fiveSamples())
              .feature("id", ID)
              .feature("tags", new VarLenFeature(TString.class))
              .feature("label", FixedLenFeature.scalar(TInt64.class))
              .labelKey("label")
              .shuffleBuffer(0)
              .batchSize(5)
              .build();

      Batch b = InputDriver.readAll(fn, ModeKeys.TRAIN).get(0);

      assertThat(b.features()).containsOnlyKeys("id", "tags");
      assertThat((long[]) b.label()).containsExactly(0, 1, 0, 1, 0);
      assertThat(((String[][]) b.feature("tags"))[2]).containsExactly("t0", "t1");
    }
  }

  @Nested
  class Labels {

    @Test
    void labelKeyBecomesTheLabelsNotAFeature() throws IOException {
      InputFn fn =
          TFRecordInput.builder(fiveSamples())
              .feature("id", ID)
              .feature("age", FixedLenFeature.scalar(TFloat32.class))
              .labelKey("age")
              .shuffleBuffer(0)
              .build();

      List<Batch> batches = InputDriver.readAll(fn, ModeKeys.TRAIN);

      assertThat(batches.get(0).features()).containsOnlyKeys("id");
      assertThat(batches.get(0).labels()).containsOnlyKeys(Input.LABELS_KEY);
      assertThat(floats(batches, null)).containsExactly(0f, 1.5f, 3f, 4.5f, 6f);
    }

    @Test
    void varLenLabelsAreDensified() throws IOException {
      InputFn fn =
          TFRecordInput.builder(fiveSamples())
              .feature("id", ID)
              .feature("weights", new VarLenFeature(TFloat32.class))
              .labelKey("weights")
              .shuffleBuffer(0)
              .build();

      Batch b = InputDriver.readAll(fn, ModeKeys.TRAIN).get(0);

      assertThat((float[][]) b.label())
          .isDeepEqualTo(new float[][] {{0f}, {0.5f}, {0f}, {0.5f}, {0f}});
    }
  }

  @Nested
  class FilesAndEpochs {

    @Test
    void gzipFiles() throws IOException {
      Path f = writeSamples("five.tfrecord.gz", TFRecords.Compression.GZIP, 0, 5);
      InputFn fn =
          TFRecordInput.builder(f)
              .compression("GZIP")
              .feature("id", ID)
              .feature("nums", new VarLenFeature(TInt64.class))
              .shuffleBuffer(0)
              .batchSize(5)
              .build();

      Batch b = InputDriver.readAll(fn, ModeKeys.EVAL).get(0);

      assertThat((long[]) b.feature("id")).containsExactly(0, 1, 2, 3, 4);
      assertThat(((long[][]) b.feature("nums"))[4]).containsExactly(0, 1, 2, 3);
    }

    @Test
    void zlibFiles() throws IOException {
      Path f = writeSamples("five.tfrecord.zz", TFRecords.Compression.ZLIB, 0, 5);
      InputFn fn =
          TFRecordInput.builder(f).compression("ZLIB").feature("id", ID).shuffleBuffer(0).build();

      assertThat(longs(InputDriver.readAll(fn, ModeKeys.EVAL), "id"))
          .containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void gzipFileReadWithTheWrongCompressionFails() throws IOException {
      Path f = writeSamples("five.tfrecord.gz", TFRecords.Compression.GZIP, 0, 5);

      // The gzip bytes do not frame as TFRecords (nor inflate as zlib): the input's check of its
      // files refuses them when it is built, naming the file, rather than yielding garbage.
      assertThatThrownBy(() -> TFRecordInput.builder(f).feature("id", ID).shuffleBuffer(0).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(
              "Corrupt TFRecord in " + f + " at offset 0: length checksum" + " mismatch");
      assertThatThrownBy(
              () ->
                  TFRecordInput.builder(f)
                      .compression("ZLIB")
                      .feature("id", ID)
                      .shuffleBuffer(0)
                      .build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Corrupt ZLIB-compressed TFRecord file " + f)
          .hasMessageContaining("incorrect header check");
    }

    @Test
    void filesAreReadInOrder() throws IOException {
      Path a = writeSamples("a.tfrecord", TFRecords.Compression.NONE, 0, 3);
      Path b = writeSamples("b.tfrecord", TFRecords.Compression.NONE, 3, 5);
      InputFn fn = TFRecordInput.builder(List.of(b, a)).feature("id", ID).shuffleBuffer(0).build();

      assertThat(longs(InputDriver.readAll(fn, ModeKeys.EVAL), "id"))
          .containsExactly(3, 4, 0, 1, 2);
    }

    @Test
    void endsAfterNumEpochs() throws IOException {
      InputFn fn =
          TFRecordInput.builder(fiveSamples())
              .feature("id", ID)
              .shuffleBuffer(0)
              .batchSize(3)
              .numEpochs(2)
              .build();

      List<Batch> batches = InputDriver.readAll(fn, ModeKeys.TRAIN);

      // 2 epochs x 5 records = 10 = 3 + 3 + 3 + 1, then end of input.
      assertThat(sizes(batches)).containsExactly(3, 3, 3, 1);
      assertThat(longs(batches, "id")).containsExactly(0, 1, 2, 3, 4, 0, 1, 2, 3, 4);
    }

    @Test
    void nullEpochsRepeatForever() throws IOException {
      InputFn fn =
          TFRecordInput.builder(fiveSamples())
              .feature("id", ID)
              .shuffleBuffer(0)
              .batchSize(4)
              .numEpochs(null)
              .build();

      List<Batch> batches = InputDriver.readFirst(fn, ModeKeys.TRAIN, 4);

      assertThat(sizes(batches)).containsExactly(4, 4, 4, 4);
      assertThat(longs(batches, "id"))
          .containsExactly(0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0);
    }

    @Test
    void shuffleWithSeedIsRepeatableAndKeepsEveryRecord() throws IOException {
      Path f = writeSamples("many.tfrecord", TFRecords.Compression.NONE, 0, 30);
      InputFn fn = TFRecordInput.builder(f).feature("id", ID).seed(5).batchSize(8).build();

      long[] first = longs(InputDriver.readAll(fn, ModeKeys.TRAIN), "id");
      long[] second = longs(InputDriver.readAll(fn, ModeKeys.TRAIN), "id");

      long[] all = LongStream.range(0, 30).toArray();
      assertThat(first).containsExactly(second).containsExactlyInAnyOrder(all);
      assertThat(first).isNotEqualTo(all);
    }
  }

  @Nested
  class Errors {

    @Test
    void labelKeyNotInSpec() throws IOException {
      Path f = fiveSamples();

      assertThatThrownBy(() -> TFRecordInput.builder(f).feature("id", ID).labelKey("label").build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Label key 'label' is not in the feature spec [id]");
    }

    @Test
    void missingFileNamesThePath() {
      Path missing = dir.resolve("missing.tfrecord");

      assertThatThrownBy(() -> TFRecordInput.builder(missing).feature("id", ID).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("TFRecord file " + missing.toAbsolutePath() + " does not exist");
    }

    @Test
    void builderValidation() throws IOException {
      Path f = fiveSamples();

      assertThatThrownBy(() -> TFRecordInput.builder().feature("id", ID).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("TFRecordInput needs at least one file");
      assertThatThrownBy(() -> TFRecordInput.builder(f).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("needs a feature spec");
      assertThatThrownBy(() -> TFRecordInput.builder(f).compression("gzip"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("compression must be \"\", \"GZIP\" or \"ZLIB\", got \"gzip\"");
      assertThatThrownBy(() -> TFRecordInput.builder(f).feature("id", ID).batchSize(-1).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("batchSize must be > 0, got -1");
    }

    @Test
    void zeroEpochsIsRejected() throws IOException {
      // Regression: numEpochs(0) used to build a pipeline that silently yielded nothing (and a
      // negative count repeated forever); ArrayInput and CsvInput already rejected it.
      Path f = fiveSamples();

      assertThatThrownBy(() -> TFRecordInput.builder(f).feature("id", ID).numEpochs(0).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("numEpochs must be > 0 or null, got 0");
      assertThatThrownBy(() -> TFRecordInput.builder(f).feature("id", ID).numEpochs(-1).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("numEpochs must be > 0 or null, got -1");
    }
  }

  /**
   * The TFX Chicago taxi eval examples (gzip TFRecord of tf.Examples written by Python): decoded in
   * Java first, then parsed by TensorFlow through TFRecordInput; both must agree.
   */
  @Nested
  class ChicagoTaxi {

    private final Path file =
        TestData.path(
            "savedmodels/tfx-chicago-taxi-estimator/eval-examples/data_tfrecord-00000-of-00012.gz");

    private List<Example> javaDecoded() throws IOException {
      List<Example> out = new ArrayList<>();
      for (byte[] r : TFRecords.readAll(file, TFRecords.Compression.GZIP)) {
        out.add(Example.parseFrom(r));
      }
      return out;
    }

    private static Feature get(Example e, String name) {
      return e.getFeatures().getFeatureOrDefault(name, Feature.getDefaultInstance());
    }

    @Test
    void javaDecodingFindsTheTaxiFeatures() throws IOException {
      List<Example> examples = javaDecoded();

      // Observed by decoding the file: 424 examples with 18 features each.
      assertThat(examples).hasSize(424);
      Example first = examples.get(0);
      assertThat(first.getFeatures().getFeatureMap().keySet())
          .contains(
              "fare",
              "tips",
              "trip_seconds",
              "trip_start_hour",
              "payment_type",
              "company",
              "dropoff_latitude",
              "pickup_census_tract")
          .hasSize(18);
      assertThat(get(first, "fare").getKindCase()).isEqualTo(Feature.KindCase.FLOAT_LIST);
      assertThat(get(first, "fare").getFloatList().getValue(0)).isEqualTo(12.25f);
      assertThat(get(first, "tips").getFloatList().getValue(0)).isEqualTo(2.65f);
      assertThat(get(first, "trip_seconds").getInt64List().getValue(0)).isEqualTo(840L);
      assertThat(get(first, "trip_start_hour").getInt64List().getValue(0)).isEqualTo(22L);
      assertThat(get(first, "payment_type").getBytesList().getValue(0).toStringUtf8())
          .isEqualTo("Credit Card");
      // Missing values are written as features with no list at all.
      assertThat(get(first, "company").getKindCase()).isEqualTo(Feature.KindCase.KIND_NOT_SET);
      assertThat(get(examples.get(1), "company").getBytesList().getValue(0).toStringUtf8())
          .isEqualTo("Taxi Affiliation Services");
    }

    @Test
    void tensorFlowParsingAgreesWithJavaDecoding() throws IOException {
      List<Example> examples = javaDecoded();
      InputFn fn =
          TFRecordInput.builder(file)
              .compression("GZIP")
              .feature("fare", FixedLenFeature.scalar(TFloat32.class))
              .feature("trip_seconds", FixedLenFeature.scalar(TInt64.class))
              .feature("trip_start_hour", FixedLenFeature.scalar(TInt64.class))
              .feature("payment_type", FixedLenFeature.scalar(TString.class))
              .feature("dropoff_latitude", FixedLenFeature.scalar(-999f))
              .feature("company", new VarLenFeature(TString.class))
              .feature("tips", FixedLenFeature.scalar(TFloat32.class))
              .labelKey("tips")
              .shuffleBuffer(0)
              .batchSize(100)
              .build();

      List<Batch> batches = InputDriver.readAll(fn, ModeKeys.EVAL);

      assertThat(sizes(batches)).containsExactly(100, 100, 100, 100, 24);
      float[] fare = floats(batches, "fare");
      long[] seconds = longs(batches, "trip_seconds");
      long[] hour = longs(batches, "trip_start_hour");
      List<String> payment = strings(batches, "payment_type");
      float[] dropoffLat = floats(batches, "dropoff_latitude");
      float[] tips = floats(batches, null);
      List<String> company = new ArrayList<>();
      for (Batch b : batches) {
        for (String[] row : (String[][]) b.feature("company")) {
          // At most one company per trip; a missing one is all padding ("").
          assertThat(row.length).isLessThanOrEqualTo(1);
          company.add(row.length == 0 ? "" : row[0]);
        }
      }
      int missingLat = 0;
      for (int i = 0; i < examples.size(); i++) {
        Example e = examples.get(i);
        assertThat(fare[i]).as("fare %d", i).isEqualTo(get(e, "fare").getFloatList().getValue(0));
        assertThat(tips[i]).as("tips %d", i).isEqualTo(get(e, "tips").getFloatList().getValue(0));
        assertThat(seconds[i]).isEqualTo(get(e, "trip_seconds").getInt64List().getValue(0));
        assertThat(hour[i]).isEqualTo(get(e, "trip_start_hour").getInt64List().getValue(0));
        assertThat(payment.get(i))
            .isEqualTo(get(e, "payment_type").getBytesList().getValue(0).toStringUtf8());
        FloatList lat = get(e, "dropoff_latitude").getFloatList();
        if (lat.getValueCount() == 0) {
          missingLat++;
          assertThat(dropoffLat[i]).as("default for missing dropoff_latitude").isEqualTo(-999f);
        } else {
          assertThat(dropoffLat[i]).isEqualTo(lat.getValue(0));
        }
        BytesList c = get(e, "company").getBytesList();
        assertThat(company.get(i))
            .as("company %d", i)
            .isEqualTo(c.getValueCount() == 0 ? "" : c.getValue(0).toStringUtf8());
      }
      // Counted in Java: 13 trips have no dropoff latitude, 131 no company.
      assertThat(missingLat).isEqualTo(13);
      assertThat(company.stream().filter(String::isEmpty).count()).isEqualTo(131);
    }
  }
}
