package io.estimator4j.estimator.input;

import static io.estimator4j.estimator.input.InputDriver.floats;
import static io.estimator4j.estimator.input.InputDriver.ints;
import static io.estimator4j.estimator.input.InputDriver.sizes;
import static io.estimator4j.estimator.input.InputDriver.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.estimator.input.InputDriver.Batch;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.testing.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.exceptions.TFInvalidArgumentException;

/** Runs {@link CsvInput} pipelines over CSV files in real TensorFlow sessions. */
class CsvInputTest {

  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }

  /** Columns of the mixed file below, in file order. */
  private static CsvInput.Builder mixedColumns(CsvInput.Builder b) {
    return b.floatColumn("x", -1f)
        .intColumn("n", 7)
        .stringColumn("name", "?")
        .doubleColumn("d", 0.5)
        .longColumn("big", -2L)
        .intColumn("label");
  }

  private static final String MIXED =
      """
      x,n,name,d,big,label
      1.5,2,foo,3.25,10000000000,0
      ,3,bar,,,1
      -4,,,1e-3,7,2
      """;

  @Nested
  class Columns {

    @Test
    void dtypesValuesAndDefaultsForEmptyFields() throws IOException {
      Path f = write("mixed.csv", MIXED);
      InputFn fn =
          mixedColumns(CsvInput.builder(f))
              .labelColumn("label")
              .skipHeaderLines(1)
              .shuffleBuffer(0)
              .batchSize(10)
              .build();

      List<Batch> batches = InputDriver.readAll(fn, ModeKeys.TRAIN);

      assertThat(batches).hasSize(1);
      Batch b = batches.get(0);
      // The label column is not a feature; the others keep file order.
      assertThat(b.features().keySet()).containsExactly("x", "n", "name", "d", "big");
      // Empty fields take the column's default: x=-1 (row 2), n=7 and name="?" (row 3),
      // d=0.5 and big=-2 (row 2).
      assertThat((float[]) b.feature("x")).containsExactly(1.5f, -1f, -4f);
      assertThat((int[]) b.feature("n")).containsExactly(2, 3, 7);
      assertThat((String[]) b.feature("name")).containsExactly("foo", "bar", "?");
      assertThat((double[]) b.feature("d")).containsExactly(3.25, 0.5, 1e-3);
      assertThat((long[]) b.feature("big")).containsExactly(10_000_000_000L, -2L, 7L);
      assertThat((int[]) b.label()).containsExactly(0, 1, 2);
    }

    @Test
    void withoutLabelColumnEverythingIsAFeature() throws IOException {
      Path f = write("mixed.csv", MIXED);
      InputFn fn = mixedColumns(CsvInput.builder(f)).skipHeaderLines(1).shuffleBuffer(0).build();

      Batch b = InputDriver.readAll(fn, ModeKeys.PREDICT).get(0);

      assertThat(b.labels()).isEmpty();
      assertThat(b.features().keySet()).containsExactly("x", "n", "name", "d", "big", "label");
      assertThat((int[]) b.feature("label")).containsExactly(0, 1, 2);
    }

    @Test
    void floatLabelColumnAndOtherDelimiter() throws IOException {
      Path f = write("semi.csv", "a;y\n1;0.25\n2;0.75\n");
      InputFn fn =
          CsvInput.builder(f)
              .intColumn("a")
              .floatColumn("y")
              .labelColumn("y")
              .fieldDelim(";")
              .skipHeaderLines(1)
              .shuffleBuffer(0)
              .build();

      Batch b = InputDriver.readAll(fn, ModeKeys.EVAL).get(0);

      assertThat((int[]) b.feature("a")).containsExactly(1, 2);
      assertThat((float[]) b.label()).containsExactly(0.25f, 0.75f);
    }

    @Test
    void windowsLineEndingsAreStripped() throws IOException {
      // TextLineDataset drops the '\r' of "\r\n", so the last (numeric) column still parses.
      Path f = write("crlf.csv", "a,b\r\n1,2\r\n3,4\r\n");
      InputFn fn =
          CsvInput.builder(f)
              .intColumn("a")
              .intColumn("b")
              .labelColumn("b")
              .skipHeaderLines(1)
              .shuffleBuffer(0)
              .build();

      List<Batch> batches = InputDriver.readAll(fn, ModeKeys.TRAIN);

      assertThat(ints(batches, "a")).containsExactly(1, 3);
      assertThat(ints(batches, null)).containsExactly(2, 4);
    }

    @Test
    void stringColumnWithoutDefaultIsRequired() throws IOException {
      // Regression: a null default built a zero-length string vector with
      // NdArrays.vectorOfObjects, which throws while the graph is built.
      Path ok = write("ok.csv", "a,1\nb,2\n");
      Path gap = write("gap.csv", "a,1\n,2\n");

      assertThat(
              strings(
                  InputDriver.readAll(
                      CsvInput.builder(ok)
                          .stringColumn("s", null)
                          .intColumn("n")
                          .shuffleBuffer(0)
                          .build(),
                      ModeKeys.PREDICT),
                  "s"))
          .containsExactly("a", "b");
      InputFn withGap =
          CsvInput.builder(gap).stringColumn("s", null).intColumn("n").shuffleBuffer(0).build();
      assertThatThrownBy(() -> InputDriver.readAll(withGap, ModeKeys.PREDICT))
          .isInstanceOf(TFInvalidArgumentException.class)
          .hasMessageContaining("Field 0 is required but missing in record");
    }

    @Test
    void noHeaderSkipReadsTheFirstLine() throws IOException {
      Path f = write("nohdr.csv", "1,a\n2,b\n");
      InputFn fn =
          CsvInput.builder(f).intColumn("n").stringColumn("s", "").shuffleBuffer(0).build();

      List<Batch> batches = InputDriver.readAll(fn, ModeKeys.PREDICT);

      assertThat(ints(batches, "n")).containsExactly(1, 2);
      assertThat(strings(batches, "s")).containsExactly("a", "b");
    }
  }

  @Nested
  class FilesAndEpochs {

    @Test
    void twoFilesAreConcatenatedEachSkippingItsHeader() throws IOException {
      Path a = write("a.csv", "id,label\n1,10\n2,20\n3,30\n");
      Path b = write("b.csv", "id,label\n4,40\n5,50\n");
      InputFn fn =
          CsvInput.builder(a, b)
              .intColumn("id")
              .intColumn("label")
              .labelColumn("label")
              .skipHeaderLines(1)
              .shuffleBuffer(0)
              .batchSize(2)
              .build();

      List<Batch> batches = InputDriver.readAll(fn, ModeKeys.TRAIN);

      // 3 + 2 rows (headers skipped in both files) in batches of 2, file order kept.
      assertThat(sizes(batches)).containsExactly(2, 2, 1);
      assertThat(ints(batches, "id")).containsExactly(1, 2, 3, 4, 5);
      assertThat(ints(batches, null)).containsExactly(10, 20, 30, 40, 50);
    }

    @Test
    void listOfFilesBuilder() throws IOException {
      Path a = write("a.csv", "1\n");
      Path b = write("b.csv", "2\n");
      InputFn fn = CsvInput.builder(List.of(b, a)).intColumn("id").shuffleBuffer(0).build();

      assertThat(ints(InputDriver.readAll(fn, ModeKeys.PREDICT), "id")).containsExactly(2, 1);
    }

    @Test
    void endsAfterNumEpochs() throws IOException {
      Path f = write("three.csv", "h\n1\n2\n3\n");
      InputFn fn =
          CsvInput.builder(f)
              .intColumn("id")
              .skipHeaderLines(1)
              .shuffleBuffer(0)
              .batchSize(4)
              .numEpochs(2)
              .build();

      List<Batch> batches = InputDriver.readAll(fn, ModeKeys.TRAIN);

      // 2 epochs x 3 rows = 6 = 4 + 2, then end of input.
      assertThat(sizes(batches)).containsExactly(4, 2);
      assertThat(ints(batches, "id")).containsExactly(1, 2, 3, 1, 2, 3);
    }

    @Test
    void defaultIsOneEpochInBatchesOf32() throws IOException {
      StringBuilder sb = new StringBuilder();
      IntStream.range(0, 40).forEach(i -> sb.append(i).append('\n'));
      Path f = write("forty.csv", sb.toString());
      InputFn fn = CsvInput.builder(f).intColumn("id").build();

      List<Batch> batches = InputDriver.readAll(fn, ModeKeys.TRAIN);

      assertThat(CsvInput.DEFAULT_BATCH_SIZE).isEqualTo(32);
      assertThat(sizes(batches)).containsExactly(32, 8);
      assertThat(ints(batches, "id")).containsExactlyInAnyOrder(IntStream.range(0, 40).toArray());
    }

    @Test
    void nullEpochsRepeatForever() throws IOException {
      Path f = write("two.csv", "1\n2\n");
      InputFn fn =
          CsvInput.builder(f).intColumn("id").shuffleBuffer(0).batchSize(3).numEpochs(null).build();

      List<Batch> batches = InputDriver.readFirst(fn, ModeKeys.TRAIN, 5);

      assertThat(ints(batches, "id")).containsExactly(1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1);
    }

    @Test
    void shuffleWithSeedIsRepeatableAndKeepsEveryRow() throws IOException {
      StringBuilder sb = new StringBuilder("id\n");
      IntStream.range(0, 30).forEach(i -> sb.append(i).append('\n'));
      Path f = write("thirty.csv", sb.toString());
      InputFn fn =
          CsvInput.builder(f).intColumn("id").skipHeaderLines(1).seed(11).batchSize(8).build();

      int[] first = ints(InputDriver.readAll(fn, ModeKeys.TRAIN), "id");
      int[] second = ints(InputDriver.readAll(fn, ModeKeys.TRAIN), "id");

      assertThat(first).containsExactly(second);
      assertThat(first).containsExactlyInAnyOrder(IntStream.range(0, 30).toArray());
      assertThat(first).isNotEqualTo(IntStream.range(0, 30).toArray());
    }
  }

  @Nested
  class Iris {

    private final Path iris = TestData.path("datasets/iris/iris_training.csv");

    private InputFn irisInput(int batchSize) {
      // Header "120,4,setosa,versicolor,virginica" (rows, features, class names) is skipped.
      return CsvInput.builder(iris)
          .floatColumn("SepalLength")
          .floatColumn("SepalWidth")
          .floatColumn("PetalLength")
          .floatColumn("PetalWidth")
          .intColumn("Species")
          .labelColumn("Species")
          .skipHeaderLines(1)
          .shuffleBuffer(0)
          .batchSize(batchSize)
          .build();
    }

    @Test
    void reads120RowsWithTheFileValues() {
      List<Batch> batches = InputDriver.readAll(irisInput(32), ModeKeys.EVAL);

      assertThat(sizes(batches)).containsExactly(32, 32, 32, 24);
      Batch first = batches.get(0);
      assertThat(first.features().keySet())
          .containsExactly("SepalLength", "SepalWidth", "PetalLength", "PetalWidth");
      // First data line: 6.4,2.8,5.6,2.2,2
      assertThat(((float[]) first.feature("SepalLength"))[0]).isEqualTo(6.4f);
      assertThat(((float[]) first.feature("SepalWidth"))[0]).isEqualTo(2.8f);
      assertThat(((float[]) first.feature("PetalLength"))[0]).isEqualTo(5.6f);
      assertThat(((float[]) first.feature("PetalWidth"))[0]).isEqualTo(2.2f);
      assertThat(((int[]) first.label())[0]).isEqualTo(2);
      // Second line: 5.0,2.3,3.3,1.0,1
      assertThat(((float[]) first.feature("SepalLength"))[1]).isEqualTo(5.0f);
      assertThat(((int[]) first.label())[1]).isEqualTo(1);
      // Last line: 5.5,2.4,3.7,1.0,1
      float[] petalLength = floats(batches, "PetalLength");
      assertThat(petalLength[119]).isEqualTo(3.7f);
      assertThat(ints(batches, null)[119]).isEqualTo(1);
    }

    @Test
    void labelCountsAndColumnSumMatchTheFile() {
      List<Batch> batches = InputDriver.readAll(irisInput(50), ModeKeys.EVAL);

      int[] labels = ints(batches, null);
      // Counted in the file (cut -f5 | sort | uniq -c): 42 x 0, 36 x 1, 42 x 2.
      assertThat(IntStream.of(labels).filter(l -> l == 0).count()).isEqualTo(42);
      assertThat(IntStream.of(labels).filter(l -> l == 1).count()).isEqualTo(36);
      assertThat(IntStream.of(labels).filter(l -> l == 2).count()).isEqualTo(42);
      // Sum of SepalLength over the file (awk): 701.4.
      double sum = 0;
      for (float v : floats(batches, "SepalLength")) {
        sum += v;
      }
      assertThat(sum).isCloseTo(701.4, org.assertj.core.data.Offset.offset(1e-3));
    }
  }

  @Nested
  class Errors {

    @Test
    void missingFileNamesThePath() {
      Path missing = dir.resolve("nope.csv");

      assertThatThrownBy(() -> CsvInput.builder(missing).intColumn("a").build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("CSV file " + missing.toAbsolutePath() + " does not exist");
    }

    @Test
    void directoryIsNotAFile() {
      assertThatThrownBy(() -> CsvInput.builder(dir).intColumn("a").build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(dir.toAbsolutePath() + " does not exist or is not a file");
    }

    @Test
    void undeclaredLabelColumn() throws IOException {
      Path f = write("a.csv", "1,2\n");

      assertThatThrownBy(
              () -> CsvInput.builder(f).intColumn("a").intColumn("b").labelColumn("target").build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Label column 'target' is not among the columns [a, b]");
    }

    @Test
    void builderValidation() throws IOException {
      Path f = write("a.csv", "1\n");

      assertThatThrownBy(() -> CsvInput.builder().intColumn("a").build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("CsvInput needs at least one file");
      assertThatThrownBy(() -> CsvInput.builder(f).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("needs its columns in file order");
      assertThatThrownBy(() -> CsvInput.builder(f).intColumn("a").floatColumn("a"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("CSV column 'a' was declared twice");
      assertThatThrownBy(() -> CsvInput.builder(f).intColumn("a").batchSize(0).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("batchSize must be > 0, got 0");
      assertThatThrownBy(() -> CsvInput.builder(f).intColumn("a").numEpochs(0).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("numEpochs must be > 0 or null, got 0");
    }

    @Test
    void lineWithTooFewFieldsIsATensorFlowError() throws IOException {
      Path f = write("short.csv", "a,b,c\n1,2,3\n4,5\n");
      InputFn fn =
          CsvInput.builder(f)
              .intColumn("a")
              .intColumn("b")
              .intColumn("c")
              .skipHeaderLines(1)
              .shuffleBuffer(0)
              .build();

      // DecodeCSV checks each record; the batch holding the bad line fails as a Java exception
      // (the session and graph are closed by the driver), not a JVM crash. In tensorflow-java
      // 1.1.0 TFInvalidArgumentException extends IllegalArgumentException, not
      // TensorFlowException.
      assertThatThrownBy(() -> InputDriver.readAll(fn, ModeKeys.TRAIN))
          .isInstanceOf(TFInvalidArgumentException.class)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Expect 3 fields but have 2 in record");
      // TensorFlow is still usable afterwards.
      Path good = write("good.csv", "1\n");
      assertThat(
              ints(
                  InputDriver.readAll(
                      CsvInput.builder(good).intColumn("a").build(), ModeKeys.TRAIN),
                  "a"))
          .containsExactly(1);
    }

    @Test
    void lineWithTooManyFieldsIsATensorFlowError() throws IOException {
      Path f = write("long.csv", "1,2\n3,4,5\n");
      InputFn fn = CsvInput.builder(f).intColumn("a").intColumn("b").shuffleBuffer(0).build();

      assertThatThrownBy(() -> InputDriver.readAll(fn, ModeKeys.TRAIN))
          .isInstanceOf(TFInvalidArgumentException.class)
          .hasMessageContaining("Expect 2 fields but have 3 in record");
    }

    @Test
    void emptyRequiredFieldIsATensorFlowError() throws IOException {
      Path f = write("gap.csv", "1,2\n,4\n");
      InputFn fn = CsvInput.builder(f).floatColumn("a").intColumn("b").shuffleBuffer(0).build();

      assertThatThrownBy(() -> InputDriver.readAll(fn, ModeKeys.TRAIN))
          .isInstanceOf(TFInvalidArgumentException.class)
          .hasMessageContaining("Field 0 is required but missing in record");
    }

    @Test
    void unparsableNumberIsATensorFlowError() throws IOException {
      Path f = write("nan.csv", "1\nabc\n");
      InputFn fn = CsvInput.builder(f).intColumn("a").shuffleBuffer(0).build();

      assertThatThrownBy(() -> InputDriver.readAll(fn, ModeKeys.TRAIN))
          .isInstanceOf(TFInvalidArgumentException.class)
          .hasMessageContaining("Field 0 in record 1 is not a valid int32: abc");
    }
  }
}
