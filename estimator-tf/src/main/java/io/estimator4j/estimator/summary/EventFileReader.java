package io.estimator4j.estimator.summary;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.estimator4j.tfrecord.TFRecordReader;
import io.estimator4j.tfrecord.TFRecords;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Reads TensorBoard event files back in pure Java; Java counterpart of {@code
 * tf.compat.v1.train.summary_iterator} and of the scalar part of TensorBoard's {@code
 * EventAccumulator}.
 */
public final class EventFileReader {

  /** Marker in the name of every event file ({@code events.out.tfevents.*}). */
  public static final String EVENT_FILE_MARKER = "tfevents";

  private EventFileReader() {}

  /**
   * Reads every event of one file in order. A truncated final record (a file still being written)
   * is ignored; a damaged record is an {@link IOException} naming the file and offset.
   */
  public static List<Event> readEvents(Path file) throws IOException {
    List<Event> events = new ArrayList<>();
    readEventsFrom(file, 0, events::add);
    return events;
  }

  /**
   * Reads the events of one file from byte {@code offset} on, handing each to {@code sink} in
   * order, and returns the offset just past the last complete record: the offset to resume at when
   * the file has grown (TensorBoard follows a run while it trains this way). A record still being
   * written (torn at the end of the file) is not read and not an error: the returned offset is its
   * start. A damaged record, or one that is not an {@code Event}, is an {@link IOException} naming
   * the file and its offset; the events before it have been handed to {@code sink}.
   *
   * @param offset 0, or an offset this method returned for the same file
   */
  public static long readEventsFrom(Path file, long offset, Consumer<Event> sink)
      throws IOException {
    try (TFRecordReader reader =
        new TFRecordReader(file, TFRecords.Compression.NONE, true, offset)) {
      while (true) {
        long start = reader.offset();
        Optional<byte[]> record = reader.next();
        if (record.isEmpty()) {
          return start;
        }
        try {
          sink.accept(Event.parseFrom(record.get()));
        } catch (InvalidProtocolBufferException e) {
          throw new IOException(
              String.format(
                  "Record at offset %d of %s is not a tensorflow.Event proto (%s). Expected an"
                      + " events.out.tfevents.* file written by a summary writer.",
                  start, file, e.getMessage()),
              e);
        }
      }
    }
  }

  /** Returns the event files of {@code dir} (names containing "tfevents"), sorted by name. */
  public static List<Path> eventFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(
          dir.toString(), null, "expected a log directory holding events.out.tfevents.* files");
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .filter(p -> p.getFileName().toString().contains(EVENT_FILE_MARKER))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    }
  }

  /**
   * Reads every event file of {@code dir} and returns scalar values by step, then tag. Accepts the
   * legacy {@code simple_value} form and the TF2 form (a scalar float or double {@code tensor}).
   * When a tag repeats at a step, the value read last wins.
   */
  public static Map<Long, Map<String, Double>> scalarsByStep(Path dir) throws IOException {
    Map<Long, Map<String, Double>> byStep = new TreeMap<>();
    for (Path file : eventFiles(dir)) {
      for (Event event : readEvents(file)) {
        if (!event.hasSummary()) {
          continue;
        }
        for (Summary.Value value : event.getSummary().getValueList()) {
          OptionalDouble scalar = scalarValue(value);
          if (scalar.isPresent()) {
            byStep
                .computeIfAbsent(event.getStep(), s -> new TreeMap<>())
                .put(value.getTag(), scalar.getAsDouble());
          }
        }
      }
    }
    return byStep;
  }

  /**
   * Returns the scalar held by a summary value: its {@code simple_value}, or a one-element float or
   * double {@code tensor}; empty for anything else (histograms, text, images).
   */
  public static OptionalDouble scalarValue(Summary.Value value) {
    return switch (value.getValueCase()) {
      case SIMPLE_VALUE -> OptionalDouble.of(value.getSimpleValue());
      case TENSOR -> tensorScalar(value.getTensor());
      default -> OptionalDouble.empty();
    };
  }

  private static OptionalDouble tensorScalar(TensorProto t) {
    long elements = 1;
    for (TensorShapeProto.Dim dim : t.getTensorShape().getDimList()) {
      elements *= dim.getSize();
    }
    if (elements != 1) {
      return OptionalDouble.empty();
    }
    ByteString content = t.getTensorContent();
    ByteBuffer bytes = content.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    if (t.getDtype() == DataType.DT_FLOAT) {
      if (t.getFloatValCount() > 0) {
        return OptionalDouble.of(t.getFloatVal(0));
      }
      return content.size() == Float.BYTES
          ? OptionalDouble.of(bytes.getFloat(0))
          : OptionalDouble.empty();
    }
    if (t.getDtype() == DataType.DT_DOUBLE) {
      if (t.getDoubleValCount() > 0) {
        return OptionalDouble.of(t.getDoubleVal(0));
      }
      return content.size() == Double.BYTES
          ? OptionalDouble.of(bytes.getDouble(0))
          : OptionalDouble.empty();
    }
    return OptionalDouble.empty();
  }
}
