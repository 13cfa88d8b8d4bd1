package io.estimator4j.board;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.estimator.summary.EventFileReader;
import io.estimator4j.estimator.summary.SummaryWriter;
import io.estimator4j.tfrecord.TFRecordReader;
import io.estimator4j.tfrecord.TFRecords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.HistogramProto;
import org.tensorflow.proto.Summary;

/** BoardData on the event files of a real training run, and on damaged and growing files. */
class BoardDataTest {

  @TempDir Path tmp;

  /** tag -> step -> value, from EventFileReader (the model_dir's own reader). */
  static Map<Long, Double> eventValues(Path dir, String tag) throws Exception {
    Map<Long, Double> out = new TreeMap<>();
    EventFileReader.scalarsByStep(dir)
        .forEach(
            (step, tags) -> {
              if (tags.containsKey(tag)) {
                out.put(step, tags.get(tag));
              }
            });
    return out;
  }

  static Map<Long, Double> boardValues(BoardData data, String run, String tag) {
    Map<Long, Double> out = new TreeMap<>();
    data.scalars(run, tag).orElseThrow().forEach(p -> out.put(p.step(), p.value()));
    return out;
  }

  @Test
  void runsTagsAndValuesOfARealTrainingRun() throws Exception {
    Path dir = TrainedRun.modelDir();
    BoardData data = new BoardData(dir);
    assertThat(data.reload()).isTrue();
    assertThat(data.runNames()).containsExactly(".", "eval", "eval_holdout");
    assertThat(data.messages()).isEmpty();
    RunData train = data.run(".").orElseThrow();
    assertThat(train.scalarTags()).contains("loss", "global_step/sec", "average_loss");
    assertThat(train.histogramTags())
        .containsExactly(
            "dnn/hiddenlayer_0/activation",
            "dnn/hiddenlayer_1/activation",
            "dnn/logits/activation");
    assertThat(data.run("eval").orElseThrow().scalarTags())
        .contains("accuracy", "auc", "loss", "precision", "recall");
    for (String tag : train.scalarTags()) {
      assertThat(boardValues(data, ".", tag)).as(tag).isEqualTo(eventValues(dir, tag));
    }
    for (String tag : List.of("accuracy", "loss", "auc")) {
      assertThat(boardValues(data, "eval", tag)).isEqualTo(eventValues(dir.resolve("eval"), tag));
    }
    // a summary every 10 steps from step 1: 1, 11, ..., 291
    assertThat(boardValues(data, ".", "loss")).hasSize(TrainedRun.STEPS / TrainedRun.SUMMARY_STEPS);
    assertThat(boardValues(data, "eval", "accuracy").keySet()).containsExactly(150L, 300L);
    List<ScalarEvent> loss = data.scalars(".", "loss").orElseThrow();
    for (int i = 1; i < loss.size(); i++) {
      assertThat(loss.get(i).wallTime()).isGreaterThanOrEqualTo(loss.get(i - 1).wallTime());
    }
    // nothing new: a second reload changes nothing
    long generation = data.generation();
    assertThat(data.reload()).isFalse();
    assertThat(data.generation()).isEqualTo(generation);
  }

  @Test
  void severalModelDirsSideBySideAreRunsNamedByTheirPaths() throws Exception {
    TrainedRun.copyTree(TrainedRun.modelDir(), tmp.resolve("wide"));
    TrainedRun.copyTree(TrainedRun.modelDir(), tmp.resolve("runs/deep"));
    Files.createDirectories(tmp.resolve("empty"));
    BoardData data = new BoardData(tmp);
    data.reload();
    assertThat(data.runNames())
        .containsExactly(
            "runs/deep",
            "runs/deep/eval",
            "runs/deep/eval_holdout",
            "wide",
            "wide/eval",
            "wide/eval_holdout");
    assertThat(data.messages()).isEmpty();
    assertThat(boardValues(data, "runs/deep", "loss")).isEqualTo(boardValues(data, "wide", "loss"));
    // a run that goes away (its folder deleted) leaves the list at the next reload
    TrainedRun.deleteTree(tmp.resolve("wide"));
    assertThat(data.reload()).isTrue();
    assertThat(data.runNames())
        .containsExactly("runs/deep", "runs/deep/eval", "runs/deep/eval_holdout");
  }

  @Test
  void distributionsRunFromEachHistogramsMinToItsMax() throws Exception {
    Path dir = TrainedRun.modelDir();
    BoardData data = new BoardData(dir);
    data.reload();
    List<HistogramProto> histos = new ArrayList<>();
    for (Path file : EventFileReader.eventFiles(dir)) {
      for (Event e : EventFileReader.readEvents(file)) {
        for (Summary.Value v : e.getSummary().getValueList()) {
          if (v.getTag().equals("dnn/hiddenlayer_0/activation") && v.hasHisto()) {
            histos.add(v.getHisto());
          }
        }
      }
    }
    List<DistributionEvent> dist =
        data.distributions(".", "dnn/hiddenlayer_0/activation").orElseThrow();
    assertThat(dist).hasSize(histos.size()).hasSize(30);
    for (int i = 0; i < dist.size(); i++) {
      List<Double> v = dist.get(i).values();
      assertThat(v).hasSize(9).isSorted();
      // basis point 0 is the histogram's min, 10000 its max (ReLU activations: min 0)
      assertThat(v.get(0)).isEqualTo(histos.get(i).getMin());
      assertThat(v.get(8)).isEqualTo(histos.get(i).getMax());
      assertThat(v.get(0)).isGreaterThanOrEqualTo(0.0);
    }
  }

  @Test
  void tf2HistogramTensorsAreDistributionsToo() throws Exception {
    // tf.summary.histogram in TF2 writes a [k, 3] tensor of (left, right, count) rows, with the
    // plugin name "histograms" in the metadata of the tag's first value only.
    Path dir = Files.createDirectories(tmp.resolve("tf2"));
    List<byte[]> records = new ArrayList<>();
    records.add(
        Event.newBuilder().setWallTime(1).setFileVersion("brain.Event:2").build().toByteArray());
    for (int step = 0; step < 3; step++) {
      org.tensorflow.proto.TensorProto.Builder t =
          org.tensorflow.proto.TensorProto.newBuilder()
              .setDtype(org.tensorflow.proto.DataType.DT_DOUBLE)
              .setTensorShape(
                  org.tensorflow.proto.TensorShapeProto.newBuilder()
                      .addDim(org.tensorflow.proto.TensorShapeProto.Dim.newBuilder().setSize(2))
                      .addDim(org.tensorflow.proto.TensorShapeProto.Dim.newBuilder().setSize(3)));
      // rows [0, 1, 1] and [1, 3 + step, 3]
      for (double v : new double[] {0, 1, 1, 1, 3 + step, 3}) {
        t.addDoubleVal(v);
      }
      Summary.Value.Builder value = Summary.Value.newBuilder().setTag("w").setTensor(t);
      if (step == 0) {
        value.setMetadata(
            org.tensorflow.proto.SummaryMetadata.newBuilder()
                .setPluginData(
                    org.tensorflow.proto.SummaryMetadata.PluginData.newBuilder()
                        .setPluginName("histograms")));
      }
      records.add(
          Event.newBuilder()
              .setWallTime(2 + step)
              .setStep(step)
              .setSummary(Summary.newBuilder().addValue(value))
              .build()
              .toByteArray());
    }
    io.estimator4j.tfrecord.TFRecords.writeAll(
        dir.resolve("events.out.tfevents.1.host.v2"),
        io.estimator4j.tfrecord.TFRecords.Compression.NONE,
        records);
    BoardData data = new BoardData(dir);
    data.reload();
    assertThat(data.messages()).isEmpty();
    assertThat(data.scalarTags()).isEmpty();
    List<DistributionEvent> w = data.distributions(".", "w").orElseThrow();
    assertThat(w).extracting(DistributionEvent::step).containsExactly(0L, 1L, 2L);
    // weights [2500, 10000]; the median lerps over [1, 3 + step]: 1 + (2 + step) * 2500 / 7500
    for (int step = 0; step < 3; step++) {
      assertThat(w.get(step).values().get(4))
          .isCloseTo(1 + (2 + step) * 2500 / 7500.0, org.assertj.core.api.Assertions.within(1e-12));
      assertThat(w.get(step).values().get(8)).isEqualTo(3.0 + step);
    }
  }

  @Test
  void aFileBeingWrittenIsReadUpToItsLastCompleteRecord() throws Exception {
    Path source = EventFileReader.eventFiles(TrainedRun.modelDir()).get(0);
    byte[] bytes = Files.readAllBytes(source);
    Path run = Files.createDirectories(tmp.resolve("live"));
    Path file = run.resolve(source.getFileName());
    // The writer is in the middle of its last record.
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 7));
    BoardData data = new BoardData(tmp);
    data.reload();
    assertThat(data.messages()).isEmpty(); // a torn record is not an error
    Map<Long, Double> expectedAll = eventValues(source.getParent(), "loss");
    int partial = data.scalars("live", "loss").orElseThrow().size();
    // The writer finishes the record and writes nothing more: everything is read, once.
    Files.write(file, bytes);
    assertThat(data.reload()).isTrue();
    assertThat(data.messages()).isEmpty();
    Map<Long, Double> all = boardValues(data, "live", "loss");
    assertThat(all.size()).isGreaterThanOrEqualTo(partial);
    // the first event file of the run holds the first train call's steps 1..141
    assertThat(all).isEqualTo(new TreeMap<>(expectedAll).headMap(151L));
  }

  /** The offset of the last record of {@code file} whose event holds a "loss" value. */
  private static long lastLossRecordOffset(Path file) throws IOException {
    long last = -1;
    try (TFRecordReader reader = new TFRecordReader(file, TFRecords.Compression.NONE, true)) {
      while (true) {
        long offset = reader.offset();
        Optional<byte[]> record = reader.next();
        if (record.isEmpty()) {
          break;
        }
        Event e = Event.parseFrom(record.get());
        if (e.getSummary().getValueList().stream().anyMatch(v -> v.getTag().equals("loss"))) {
          last = offset;
        }
      }
    }
    assertThat(last).as("a loss event in %s", file).isGreaterThan(0);
    return last;
  }

  @Test
  void damagedAndForeignFilesAreMessagesNotCrashes() throws Exception {
    Path source = EventFileReader.eventFiles(TrainedRun.modelDir()).get(0);
    byte[] bytes = Files.readAllBytes(source);
    Files.createDirectories(tmp.resolve("good"));
    Files.write(tmp.resolve("good").resolve(source.getFileName()), bytes);
    byte[] damaged = bytes.clone();
    // damage the data of the last record holding a loss value, so that some loss points come
    // before the damage and at least one after (a byte inside its data, past the 12-byte header)
    damaged[(int) lastLossRecordOffset(source) + 14] ^= 0x10;
    Files.createDirectories(tmp.resolve("corrupt"));
    Files.write(tmp.resolve("corrupt").resolve(source.getFileName()), damaged);
    Files.createDirectories(tmp.resolve("foreign"));
    Files.writeString(
        tmp.resolve("foreign").resolve("events.out.tfevents.123.notes"),
        "These are my notes, not an event file.\n",
        StandardCharsets.UTF_8);
    Files.writeString(tmp.resolve("good").resolve("README.txt"), "ignored", StandardCharsets.UTF_8);

    BoardData data = new BoardData(tmp);
    data.reload();
    assertThat(data.runNames()).containsExactly("corrupt", "foreign", "good");
    List<String> messages = data.messages();
    assertThat(messages).hasSize(2);
    assertThat(messages.get(0))
        .startsWith("Run corrupt: Corrupt TFRecord in")
        .contains("checksum mismatch")
        .contains("The events before that record are shown");
    assertThat(messages.get(1))
        .startsWith("Run foreign: Corrupt TFRecord in")
        .contains("events.out.tfevents.123.notes");
    int good = data.scalars("good", "loss").orElseThrow().size();
    int corrupt = data.scalars("corrupt", "loss").orElseThrow().size();
    assertThat(corrupt).isGreaterThan(0).isLessThan(good);
    assertThat(data.scalars("foreign", "loss")).isEmpty();
    // reloading again neither repeats the messages nor reads past the damage
    data.reload();
    assertThat(data.messages()).isEqualTo(messages);
    assertThat(data.scalars("corrupt", "loss").orElseThrow()).hasSize(corrupt);
  }

  @Test
  void missingEmptyAndFileLogDirsAreMessages() throws Exception {
    Path dir = tmp.resolve("later");
    BoardData data = new BoardData(dir);
    data.reload();
    assertThat(data.runNames()).isEmpty();
    assertThat(data.messages())
        .singleElement()
        .asString()
        .contains("Log directory " + dir + " does not exist (yet)");
    Files.createDirectories(dir);
    assertThat(data.reload()).isTrue();
    assertThat(data.messages())
        .singleElement()
        .asString()
        .startsWith("No event files under " + dir);
    Path file = Files.writeString(tmp.resolve("file"), "x");
    BoardData onFile = new BoardData(file);
    onFile.reload();
    assertThat(onFile.messages()).singleElement().asString().contains("is a file, not a directory");
  }

  @Test
  void thousandsOfPointsAreReservoirSampledPerTagKeepingTheLast() throws Exception {
    Path dir = tmp.resolve("long");
    try (SummaryWriter writer = new SummaryWriter(dir)) {
      for (int step = 0; step < 5000; step++) {
        writer.scalar("x", step, step / 8.0); // exact in float32
        if (step % 100 == 0) {
          writer.scalar("rare", step, 1.0);
        }
      }
    }
    BoardData sampled = new BoardData(dir);
    sampled.reload();
    List<ScalarEvent> x = sampled.scalars(".", "x").orElseThrow();
    assertThat(x).hasSize(BoardData.DEFAULT_MAX_SCALARS);
    assertThat(x.get(x.size() - 1).step()).isEqualTo(4999);
    assertThat(x.stream().mapToLong(ScalarEvent::step).toArray()).isSorted();
    x.forEach(p -> assertThat(p.value()).isEqualTo(p.step() / 8.0)); // real points, not averages
    assertThat(sampled.scalars(".", "rare").orElseThrow()).hasSize(50); // per tag
    BoardData all = new BoardData(dir, 0, 0);
    all.reload();
    assertThat(all.scalars(".", "x").orElseThrow()).hasSize(5000);
  }

  @Test
  void aRestartFromAnOlderCheckpointDropsTheLostRunsPoints() throws Exception {
    Path dir = tmp.resolve("restarted");
    try (SummaryWriter first = new SummaryWriter(dir)) {
      for (int step = 0; step < 100; step++) {
        first.scalar("loss", step, 1.0);
      }
    }
    Thread.sleep(1100); // the second writer's file name (its time in seconds) sorts after
    try (SummaryWriter second = new SummaryWriter(dir)) {
      for (int step = 50; step < 60; step++) {
        second.scalar("loss", step, 2.0);
      }
    }
    BoardData data = new BoardData(dir);
    data.reload();
    Map<Long, Double> loss = boardValues(data, ".", "loss");
    // steps 50..99 of the first writer were lost with its process: TensorBoard drops them
    assertThat(loss).hasSize(60);
    assertThat(loss.get(49L)).isEqualTo(1.0);
    assertThat(loss.get(50L)).isEqualTo(2.0);
    assertThat(loss.keySet()).allMatch(s -> s < 60);
  }
}
