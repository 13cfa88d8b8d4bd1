package io.estimator4j.estimator.summary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.estimator4j.tfrecord.TFRecords;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

class EventFileReaderTest {

  @TempDir Path tmp;

  /** Writes 20 scalar steps with TensorFlow and returns the event file. */
  private Path writtenByTensorFlow(Path dir) throws IOException {
    try (SummaryWriter writer = new SummaryWriter(dir)) {
      for (int step = 0; step < 20; step++) {
        writer.scalar("loss", step, step);
      }
    }
    return EventFileReader.eventFiles(dir).get(0);
  }

  @Test
  void truncatedFileReadsUpToTheLastFullRecord() throws Exception {
    Path file = writtenByTensorFlow(tmp.resolve("run"));
    List<Event> all = EventFileReader.readEvents(file);
    assertThat(all).hasSize(21); // file_version + 20 scalars

    byte[] bytes = Files.readAllBytes(file);
    Path cut = tmp.resolve("events.out.tfevents.cut");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length - 5)); // inside the last record's data
    assertThat(EventFileReader.readEvents(cut)).isEqualTo(all.subList(0, 20));

    Files.write(cut, Arrays.copyOf(bytes, bytes.length - 1)); // inside the last footer
    assertThat(EventFileReader.readEvents(cut)).isEqualTo(all.subList(0, 20));
  }

  @Test
  void readingFromAnOffsetFollowsAFileAsItGrows() throws Exception {
    Path file = writtenByTensorFlow(tmp.resolve("run"));
    List<Event> all = EventFileReader.readEvents(file);
    byte[] bytes = Files.readAllBytes(file);
    Path growing = tmp.resolve("events.out.tfevents.growing");
    // The writer has written up to the middle of the last record: 20 complete events.
    Files.write(growing, Arrays.copyOf(bytes, bytes.length - 5));
    List<Event> seen = new java.util.ArrayList<>();
    long offset = EventFileReader.readEventsFrom(growing, 0, seen::add);
    assertThat(seen).isEqualTo(all.subList(0, 20));
    // The torn record is not read: reading again from the returned offset finds nothing new.
    assertThat(EventFileReader.readEventsFrom(growing, offset, seen::add)).isEqualTo(offset);
    assertThat(seen).hasSize(20);
    // The writer completes the record: it is read from the offset, and the end is the file size.
    Files.write(growing, bytes);
    assertThat(EventFileReader.readEventsFrom(growing, offset, seen::add)).isEqualTo(bytes.length);
    assertThat(seen).isEqualTo(all);
  }

  @Test
  void flippedByteInTheMiddleIsAnIOExceptionNamingFileAndOffset() throws Exception {
    Path file = writtenByTensorFlow(tmp.resolve("run"));
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x40;
    Path bad = tmp.resolve("events.out.tfevents.bad");
    Files.write(bad, bytes);
    assertThatThrownBy(() -> EventFileReader.readEvents(bad))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(bad.toString())
        .hasMessageContaining("checksum mismatch")
        .hasMessageMatching("(?s).* at offset \\d+: .*");
  }

  @Test
  void scalarsByStepAcceptsTheTf2TensorForms() throws Exception {
    float f = 0.75f;
    byte[] doubleBytes =
        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(-2.5).array();
    List<byte[]> records =
        List.of(
            Event.newBuilder().setFileVersion("brain.Event:2").build().toByteArray(),
            scalarEvent(5, "simple", Summary.Value.newBuilder().setSimpleValue(1.5f)),
            scalarEvent(
                5,
                "float_val",
                tensor(TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).addFloatVal(f))),
            scalarEvent(
                6,
                "double_content",
                tensor(
                    TensorProto.newBuilder()
                        .setDtype(DataType.DT_DOUBLE)
                        .setTensorContent(ByteString.copyFrom(doubleBytes)))),
            scalarEvent(
                6,
                "double_val_shape_1",
                tensor(
                    TensorProto.newBuilder()
                        .setDtype(DataType.DT_DOUBLE)
                        .setTensorShape(
                            TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
                        .addDoubleVal(4.25))),
            scalarEvent(
                6,
                "text_is_skipped",
                tensor(
                    TensorProto.newBuilder()
                        .setDtype(DataType.DT_STRING)
                        .addStringVal(ByteString.copyFromUtf8("hi")))),
            scalarEvent(
                7,
                "vector_is_skipped",
                tensor(
                    TensorProto.newBuilder()
                        .setDtype(DataType.DT_FLOAT)
                        .setTensorShape(
                            TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dim.newBuilder().setSize(2)))
                        .addFloatVal(1f)
                        .addFloatVal(2f))));
    TFRecords.writeAll(
        tmp.resolve("events.out.tfevents.1.host"), TFRecords.Compression.NONE, records);
    Files.writeString(tmp.resolve("checkpoint"), "not an event file");

    assertThat(EventFileReader.scalarsByStep(tmp))
        .isEqualTo(
            Map.of(
                5L, Map.of("simple", 1.5, "float_val", 0.75),
                6L, Map.of("double_content", -2.5, "double_val_shape_1", 4.25)));
  }

  @Test
  void eventFilesAreSortedAndMissingDirectoryIsNamed() throws Exception {
    Files.write(tmp.resolve("events.out.tfevents.2.b"), new byte[0]);
    Files.write(tmp.resolve("events.out.tfevents.1.a"), new byte[0]);
    Files.write(tmp.resolve("graph.pbtxt"), new byte[0]);
    assertThat(EventFileReader.eventFiles(tmp))
        .containsExactly(
            tmp.resolve("events.out.tfevents.1.a"), tmp.resolve("events.out.tfevents.2.b"));
    Path missing = tmp.resolve("nope");
    assertThatThrownBy(() -> EventFileReader.eventFiles(missing))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(missing.toString());
  }

  private static Summary.Value.Builder tensor(TensorProto.Builder t) {
    return Summary.Value.newBuilder().setTensor(t);
  }

  private static byte[] scalarEvent(long step, String tag, Summary.Value.Builder value) {
    return Event.newBuilder()
        .setStep(step)
        .setSummary(Summary.newBuilder().addValue(value.setTag(tag)))
        .build()
        .toByteArray();
  }
}
