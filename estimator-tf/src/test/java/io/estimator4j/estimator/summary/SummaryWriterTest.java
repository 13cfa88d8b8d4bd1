package io.estimator4j.estimator.summary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.HistogramProto;
import org.tensorflow.proto.Summary;

class SummaryWriterTest {

  @TempDir Path tmp;

  @Test
  void writesScalarsHistogramTextAndGraphThatReadBack() throws Exception {
    Path dir = tmp.resolve("train");
    GraphDef graphDef = smallGraphDef();
    try (SummaryWriter writer = new SummaryWriter(dir)) {
      assertThat(writer.logDir()).isEqualTo(dir.toAbsolutePath().normalize());
      assertThat(dir).isDirectory();
      writer.graph(0, graphDef);
      writer.scalar("loss", 1, 0.5);
      writer.scalar("loss", 2, 0.25);
      writer.scalar("accuracy", 2, 0.875);
      writer.scalar("loss", 10, 0.1); // 0.1 is not exact in float32.
      writer.histogram("weights", 3, new float[] {1f, 2f, 3.5f, -4f, 0.25f});
      writer.text("notes", 4, "hello **world**");
    }

    List<Path> files = EventFileReader.eventFiles(dir);
    assertThat(files).hasSize(1);
    assertThat(files.get(0).getFileName().toString())
        .startsWith("events.out.tfevents.")
        .endsWith(SummaryWriter.Options.DEFAULT_FILENAME_SUFFIX);

    List<Event> events = EventFileReader.readEvents(files.get(0));
    // file_version, graph, 4 scalars, histogram, text.
    assertThat(events).hasSize(8);
    assertThat(events.get(0).getFileVersion()).isEqualTo("brain.Event:2");

    Event graph = events.get(1);
    assertThat(graph.getStep()).isZero();
    assertThat(GraphDef.parseFrom(graph.getGraphDef())).isEqualTo(graphDef);

    assertThat(stepTagValue(events.get(2))).isEqualTo("1 loss");
    assertThat(events.get(2).getSummary().getValue(0).getSimpleValue()).isEqualTo(0.5f);
    assertThat(stepTagValue(events.get(3))).isEqualTo("2 loss");
    assertThat(stepTagValue(events.get(4))).isEqualTo("2 accuracy");
    assertThat(stepTagValue(events.get(5))).isEqualTo("10 loss");
    assertThat(events.get(5).getSummary().getValue(0).getSimpleValue()).isEqualTo(0.1f);

    Event histogramEvent = events.get(6);
    assertThat(stepTagValue(histogramEvent)).isEqualTo("3 weights");
    HistogramProto histo = histogramEvent.getSummary().getValue(0).getHisto();
    // values {1, 2, 3.5, -4, 0.25}: num = 5, min = -4, max = 3.5,
    // sum = 1 + 2 + 3.5 - 4 + 0.25 = 2.75, sum_squares = 1 + 4 + 12.25 + 16 + 0.0625 = 33.3125
    assertThat(histo.getNum()).isEqualTo(5.0);
    assertThat(histo.getMin()).isEqualTo(-4.0);
    assertThat(histo.getMax()).isEqualTo(3.5);
    assertThat(histo.getSum()).isEqualTo(2.75);
    assertThat(histo.getSumSquares()).isEqualTo(33.3125);
    assertThat(histo.getBucketList().stream().mapToDouble(Double::doubleValue).sum())
        .isEqualTo(5.0);

    Event textEvent = events.get(7);
    assertThat(stepTagValue(textEvent)).isEqualTo("4 notes");
    Summary.Value text = textEvent.getSummary().getValue(0);
    assertThat(text.getMetadata().getPluginData().getPluginName()).isEqualTo("text");
    assertThat(text.getTensor().getDtype()).isEqualTo(DataType.DT_STRING);
    assertThat(text.getTensor().getStringVal(0).toStringUtf8()).isEqualTo("hello **world**");

    Map<Long, Map<String, Double>> scalars = EventFileReader.scalarsByStep(dir);
    assertThat(scalars).containsOnlyKeys(1L, 2L, 10L);
    assertThat(scalars.get(1L)).containsOnlyKeys("loss");
    assertThat(scalars.get(1L).get("loss")).isEqualTo(0.5);
    assertThat(scalars.get(2L)).containsOnlyKeys("loss", "accuracy");
    assertThat(scalars.get(2L).get("loss")).isEqualTo(0.25);
    assertThat(scalars.get(2L).get("accuracy")).isEqualTo(0.875);
    assertThat(scalars.get(10L).get("loss")).isCloseTo(0.1, within(1e-7));
  }

  @Test
  void flushMakesRecordsVisibleWhileOpen() throws Exception {
    try (SummaryWriter writer = new SummaryWriter(tmp)) {
      writer.scalar("loss", 7, 1.5);
      writer.flush();
      assertThat(EventFileReader.scalarsByStep(tmp)).isEqualTo(Map.of(7L, Map.of("loss", 1.5)));
    }
  }

  @Test
  void useAfterCloseSaysWhichWriterIsClosed() {
    SummaryWriter writer = new SummaryWriter(tmp);
    writer.close();
    writer.close(); // idempotent
    String expected = "SummaryWriter for " + writer.logDir() + " is closed";
    assertThatThrownBy(() -> writer.scalar("loss", 1, 1.0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(expected);
    assertThatThrownBy(writer::flush)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(expected);
  }

  @Test
  void logDirUnderARegularFileIsAClearError() throws Exception {
    Path file = Files.writeString(tmp.resolve("model.txt"), "not a directory");
    Path logDir = file.resolve("eval");
    assertThatThrownBy(() -> new SummaryWriter(logDir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Cannot create summary log directory " + logDir)
        .hasMessageContaining(file + " is a regular file")
        .hasMessageContaining("Fix:");
  }

  @Test
  void badArgumentsAreRejectedWithTheFix() {
    try (SummaryWriter writer = new SummaryWriter(tmp)) {
      assertThatThrownBy(() -> writer.scalar("", 1, 1.0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("non-empty");
      assertThatThrownBy(() -> writer.histogram("w", 1, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("new float[0]");
    }
    assertThatThrownBy(() -> SummaryWriter.Options.builder().maxQueue(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxQueue must be at least 1; found 0. The default is 10.");
  }

  @Test
  void writesTenThousandScalars() throws Exception {
    try (SummaryWriter writer = new SummaryWriter(tmp)) {
      for (int step = 0; step < 10_000; step++) {
        writer.scalar("loss", step, step / 4.0); // multiples of 0.25 below 2^22: exact in float32
      }
    }
    Map<Long, Map<String, Double>> scalars = EventFileReader.scalarsByStep(tmp);
    assertThat(scalars).hasSize(10_000);
    assertThat(scalars.get(9_999L).get("loss")).isEqualTo(2499.75);
  }

  @Test
  void twoWritersInTwoDirectoriesWorkAtOnceFromManyThreads() throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (SummaryWriter wa = new SummaryWriter(a);
        SummaryWriter wb = new SummaryWriter(b)) {
      List<Future<?>> futures =
          List.of(
              pool.submit(() -> writeSteps(wa, "x", 1.0)),
              pool.submit(() -> writeSteps(wa, "y", 2.0)),
              pool.submit(() -> writeSteps(wb, "x", 3.0)),
              pool.submit(() -> writeSteps(wb, "y", 4.0)));
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdown();
    }
    Map<Long, Map<String, Double>> sa = EventFileReader.scalarsByStep(a);
    Map<Long, Map<String, Double>> sb = EventFileReader.scalarsByStep(b);
    assertThat(sa).hasSize(500);
    assertThat(sb).hasSize(500);
    assertThat(sa.get(499L)).isEqualTo(Map.of("x", 1.0, "y", 2.0));
    assertThat(sb.get(0L)).isEqualTo(Map.of("x", 3.0, "y", 4.0));
  }

  private static void writeSteps(SummaryWriter writer, String tag, double value) {
    for (int step = 0; step < 500; step++) {
      writer.scalar(tag, step, value);
    }
  }

  private static String stepTagValue(Event event) {
    return event.getStep() + " " + event.getSummary().getValue(0).getTag();
  }

  private static GraphDef smallGraphDef() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      tf.withName("sum").math.add(tf.constant(1f), tf.constant(2f));
      return g.toGraphDef();
    }
  }
}
