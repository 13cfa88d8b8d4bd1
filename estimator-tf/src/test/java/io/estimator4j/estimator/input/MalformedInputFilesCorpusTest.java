package io.estimator4j.estimator.input;

import static io.estimator4j.testing.Corpus.fails;
import static io.estimator4j.testing.Corpus.succeeds;
import static io.estimator4j.testing.Corpus.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.TestModels;
import io.estimator4j.estimator.input.InputDriver.Batch;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.featurecolumn.parsing.FixedLenFeature;
import io.estimator4j.testing.Corpus;
import io.estimator4j.tfrecord.TFRecords;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.framework.data.Dataset;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.types.TFloat32;

/**
 * The malformed-input corpus of the file inputs: empty and header-only CSV files, empty, truncated
 * and damaged TFRecord files (plain and GZIP), rows TensorFlow cannot decode, and an evaluation
 * whose input yields no batch. Every case ends in the exact exception kind with a message naming
 * the file, or in the right batches; none is accepted silently.
 */
class MalformedInputFilesCorpusTest {

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void endsInACleanErrorOrTheRightResult(Corpus.Case c) throws Exception {
    Corpus.run(c, dir);
  }

  static Stream<Corpus.Case> cases() {
    List<Corpus.Case> all = new ArrayList<>();
    all.addAll(csv());
    all.addAll(tfRecord());
    all.addAll(evaluation());
    return all.stream();
  }

  // ---------------------------------------------------------------------------------- CSV

  /** Reads {@code x,y} CSV files (one header line) with CsvInput, batches of 10. */
  private static Corpus.Action csv(String... contents) {
    return d -> {
      List<Path> files = new ArrayList<>();
      for (int i = 0; i < contents.length; i++) {
        files.add(write(d, "data" + i + ".csv", contents[i].getBytes(StandardCharsets.UTF_8)));
      }
      InputFn fn =
          CsvInput.builder(files)
              .floatColumn("x")
              .floatColumn("y")
              .labelColumn("y")
              .skipHeaderLines(1)
              .shuffleBuffer(0)
              .batchSize(10)
              .numEpochs(1)
              .build();
      return InputDriver.readAll(fn, ModeKeys.TRAIN);
    };
  }

  static List<Corpus.Case> csv() {
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    return List.of(
        fails(
            "csv",
            "empty file",
            iae,
            csv(""),
            "CsvInput has no data: its file",
            "data0.csv holds no data rows (empty, or only its 1 header line)",
            "Fix: pass files that hold data"),
        fails(
            "csv",
            "header only",
            iae,
            csv("x,y\n"),
            "data0.csv holds no data rows (empty, or only its 1 header line)"),
        fails("csv", "header only, no final newline", iae, csv("x,y"), "holds no data rows"),
        fails(
            "csv",
            "two files, both header only",
            iae,
            csv("x,y\n", "x,y\n"),
            "CsvInput has no data: each of its files [",
            "data1.csv]"),
        succeeds(
            "csv",
            "an empty file beside a good one",
            csv("", "x,y\n1,2\n3,4\n"),
            r -> {
              @SuppressWarnings("unchecked")
              List<Batch> batches = (List<Batch>) r;
              assertThat(batches).hasSize(1);
              assertThat((float[]) batches.get(0).feature("x")).containsExactly(1f, 3f);
              assertThat((float[]) batches.get(0).label()).containsExactly(2f, 4f);
            }),
        fails(
            "csv",
            "a required field left empty",
            TFInvalidArgumentException.class,
            csv("x,y\n,2\n"),
            "Field 0 is required but missing in record 0"),
        fails(
            "csv",
            "text in a float column",
            TFInvalidArgumentException.class,
            csv("x,y\nabc,2\n"),
            "Field 0 in record 0 is not a valid float: abc"),
        fails(
            "csv",
            "a row with three fields",
            TFInvalidArgumentException.class,
            csv("x,y\n1,2,3\n"),
            "Expect 2 fields but have 3 in record 0"),
        fails(
            "csv",
            "a missing file",
            iae,
            d -> CsvInput.builder(d.resolve("nope.csv")).floatColumn("x").build(),
            "CSV file",
            "nope.csv does not exist or is not a file"),
        fails(
            "csv",
            "skipHeaderLines -1",
            iae,
            d ->
                CsvInput.builder(write(d, "a.csv", "1,2\n".getBytes(StandardCharsets.UTF_8)))
                    .floatColumn("x")
                    .floatColumn("y")
                    .skipHeaderLines(-1)
                    .build(),
            "skipHeaderLines must be 0 or more; found -1"));
  }

  // ----------------------------------------------------------------------------- TFRecord

  private static byte[] example(float x) {
    return Example.newBuilder()
        .setFeatures(
            Features.newBuilder()
                .putFeature(
                    "x",
                    Feature.newBuilder().setFloatList(FloatList.newBuilder().addValue(x)).build()))
        .build()
        .toByteArray();
  }

  private static byte[] records(byte[]... payloads) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : payloads) {
      out.writeBytes(TFRecords.frame(p));
    }
    return out.toByteArray();
  }

  private static byte[] gzip(byte[] bytes) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream z = new GZIPOutputStream(out)) {
        z.write(bytes);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads TFRecord files of tf.Examples {x: float} with TFRecordInput, batches of 10. */
  private static Corpus.Action tfRecords(String compression, byte[]... contents) {
    return d -> {
      List<Path> files = new ArrayList<>();
      for (int i = 0; i < contents.length; i++) {
        files.add(write(d, "data" + i + ".tfrecord", contents[i]));
      }
      InputFn fn =
          TFRecordInput.builder(files)
              .compression(compression)
              .feature("x", FixedLenFeature.scalar(TFloat32.class))
              .shuffleBuffer(0)
              .batchSize(10)
              .numEpochs(1)
              .build();
      return InputDriver.readAll(fn, ModeKeys.TRAIN);
    };
  }

  static List<Corpus.Case> tfRecord() {
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    byte[] two = records(example(1.5f), example(-2f)); // 2 x (12 + 19 + 4) bytes
    byte[] badDataCrc = two.clone();
    badDataCrc[two.length - 1] ^= 1;
    byte[] badLengthCrc = two.clone();
    badLengthCrc[8] ^= 1;
    return List.of(
        fails(
            "tfrecord-input",
            "empty file",
            iae,
            tfRecords("", new byte[0]),
            "TFRecordInput has no data: its file",
            "data0.tfrecord holds no records (it is" + " empty)"),
        fails(
            "tfrecord-input",
            "GZIP: empty stream",
            iae,
            tfRecords("GZIP", gzip(new byte[0])),
            "TFRecordInput has no data"),
        fails(
            "tfrecord-input",
            "ends inside a record header",
            iae,
            tfRecords("", Arrays.copyOf(two, two.length / 2 + 5)),
            "TFRecordInput cannot read its input: Truncated TFRecord file",
            "data0.tfrecord: it ends inside the header of a record (5 of 12 bytes) at byte offset"
                + " "
                + two.length / 2),
        fails(
            "tfrecord-input",
            "GZIP: ends inside a record header",
            iae,
            tfRecords("GZIP", gzip(Arrays.copyOf(two, two.length / 2 + 5))),
            "at uncompressed offset " + two.length / 2),
        fails(
            "tfrecord-input",
            "GZIP: compressed stream cut short",
            iae,
            tfRecords("GZIP", Arrays.copyOf(gzip(two), 25)),
            "Truncated TFRecord file"),
        fails(
            "tfrecord-input",
            "GZIP set on a plain file",
            iae,
            tfRecords("GZIP", two),
            "is not a GZIP file"),
        fails(
            "tfrecord-input",
            "length checksum mismatch",
            iae,
            tfRecords("", badLengthCrc),
            "at offset 0: length checksum mismatch"),
        fails(
            "tfrecord-input",
            "data checksum mismatch (found by TensorFlow)",
            TensorFlowException.class,
            tfRecords("", badDataCrc),
            "corrupted record at"),
        fails(
            "tfrecord-input",
            "records that are not tf.Examples",
            TFInvalidArgumentException.class,
            tfRecords("", records("hello".getBytes(StandardCharsets.UTF_8))),
            "Could not parse example input"),
        succeeds(
            "tfrecord-input",
            "an empty file beside a good one",
            tfRecords("", new byte[0], two),
            r -> {
              @SuppressWarnings("unchecked")
              List<Batch> batches = (List<Batch>) r;
              assertThat(batches).hasSize(1);
              assertThat((float[]) batches.get(0).feature("x")).containsExactly(1.5f, -2f);
            }));
  }

  // ---------------------------------------------------------------------------- evaluation

  /** An input of (x, y) pairs whose dataset skips all 64 rows: it yields no batch. */
  private static InputFn noBatches() {
    return ctx -> {
      Ops tf = ctx.tf();
      Dataset ds =
          Dataset.fromTensorSlices(
                  tf,
                  List.of(tf.constant(TestModels.X), tf.constant(TestModels.Y)),
                  List.of(TFloat32.class, TFloat32.class))
              .skip(64)
              .batch(8);
      List<Operand<?>> next = Datasets.iterate(ctx, ds);
      return Input.of(Map.of("x", next.get(0)), next.get(1));
    };
  }

  static List<Corpus.Case> evaluation() {
    return List.of(
        fails(
            "evaluate",
            "an input that yields no batch",
            IllegalArgumentException.class,
            d -> {
              Estimator est = TestModels.linear(d.resolve("model"), TestModels.quietConfig());
              est.train(TestModels.trainInput(1), io.estimator4j.estimator.StepLimit.steps(5));
              return est.evaluate(noBatches());
            },
            "Evaluation read no batch: its input ended before the first one, so there are no"
                + " metrics"),
        succeeds(
            "evaluate",
            "a good input",
            d -> {
              Estimator est = TestModels.linear(d.resolve("model"), TestModels.quietConfig());
              est.train(TestModels.trainInput(1), io.estimator4j.estimator.StepLimit.steps(5));
              return est.evaluate(TestModels.evalInput());
            },
            r -> {
              @SuppressWarnings("unchecked")
              Map<String, Double> m = (Map<String, Double>) r;
              assertThat(m).containsKeys("loss", "mse", "global_step");
              assertThat(m.get("global_step")).isEqualTo(5.0);
            }));
  }
}
