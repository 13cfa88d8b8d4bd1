package io.estimator4j.board;

import com.google.protobuf.InvalidProtocolBufferException;
import io.estimator4j.estimator.summary.EventFileReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.SessionLog;
import org.tensorflow.proto.Summary;
import org.tensorflow.proto.TensorProto;

/**
 * The data of one run (one directory holding event files), read incrementally: TensorBoard's {@code
 * EventAccumulator}. Each {@link #reload} reads what the run's event files gained since the last
 * one, in file name order; the torn last record of a file being written is read once it is
 * complete. Scalars and histograms are kept per tag in a {@link Reservoir}.
 *
 * <p>As TensorBoard does ({@code purge_orphaned_data}), a summary whose step is lower than the
 * latest step of its tag means the job restarted from an older checkpoint: the tag's points at and
 * after that step, written by the lost run, are dropped; a {@code SessionLog.START} drops every
 * tag's points from its step on.
 *
 * <p>A damaged record or a file that is not an event file ends the reading of that file (what came
 * before it stays) and becomes a {@link #problems() problem} the page shows. Thread-safe.
 */
final class RunData {

  /** Plugin name of TF2 histogram summaries ({@code tf.summary.histogram}). */
  private static final String HISTOGRAMS_PLUGIN = "histograms";

  private final String name;
  private final Path dir;
  private final int maxScalars;
  private final int maxHistograms;
  private final Map<Path, FileState> files = new HashMap<>();
  private final Map<String, Reservoir<ScalarEvent>> scalars = new TreeMap<>();
  private final Map<String, Reservoir<DistributionEvent>> distributions = new TreeMap<>();
  private final Map<String, String> displayNames = new HashMap<>();
  private final Map<String, String> pluginOfTag = new HashMap<>();
  private final Map<String, Long> latestStep = new HashMap<>();
  private final Map<Path, String> problems = new LinkedHashMap<>();
  private GraphSummary eventGraph;
  private double firstWallTime = Double.NaN;

  RunData(String name, Path dir, int maxScalars, int maxHistograms) {
    this.name = name;
    this.dir = dir;
    this.maxScalars = maxScalars;
    this.maxHistograms = maxHistograms;
  }

  private static final class FileState {
    long offset;
    long size = -1;
  }

  /** The run's name: its directory relative to the log directory, "." for the log directory. */
  String name() {
    return name;
  }

  /** The run's directory. */
  Path dir() {
    return dir;
  }

  /**
   * Reads what the run's event files gained since the last call.
   *
   * @return whether anything new was read
   */
  synchronized boolean reload() {
    List<Path> eventFiles;
    try {
      eventFiles = EventFileReader.eventFiles(dir);
    } catch (NoSuchFileException e) {
      return false; // the directory went away: BoardData drops the run
    } catch (IOException e) {
      problems.put(dir, "Cannot list " + dir + ": " + e.getMessage());
      return false;
    }
    boolean changed = false;
    for (Path file : eventFiles) {
      if (problems.containsKey(file)) {
        continue; // damaged: nothing after the damage can be read
      }
      FileState state = files.computeIfAbsent(file, f -> new FileState());
      long size;
      try {
        size = Files.size(file);
      } catch (IOException e) {
        continue; // removed between the listing and now
      }
      if (size == state.size) {
        continue;
      }
      if (size < state.offset) {
        problems.put(
            file,
            file.getFileName()
                + " shrank from "
                + state.offset
                + " to "
                + size
                + " bytes since it was read: it was truncated or replaced. Its events read"
                + " before stay; restart the board to read it again.");
        continue;
      }
      long before = state.offset;
      try {
        state.offset = EventFileReader.readEventsFrom(file, state.offset, this::add);
        state.size = size;
      } catch (IOException | RuntimeException e) {
        problems.put(
            file,
            e.getMessage()
                + " The events before that record are shown; the rest of "
                + file.getFileName()
                + " is skipped.");
        changed = true;
      }
      changed |= state.offset != before;
    }
    return changed;
  }

  private void add(Event event) {
    if (Double.isNaN(firstWallTime) && event.getWallTime() > 0) {
      firstWallTime = event.getWallTime();
    }
    if (event.hasSessionLog()
        && event.getSessionLog().getStatus() == SessionLog.SessionStatus.START) {
      long step = event.getStep();
      scalars.values().forEach(r -> r.filter(p -> p.step() < step));
      distributions.values().forEach(r -> r.filter(p -> p.step() < step));
      latestStep.replaceAll((t, s) -> Math.min(s, step));
    }
    if (event.hasGraphDef()) {
      try {
        eventGraph =
            GraphSummary.of(GraphDef.parseFrom(event.getGraphDef()), "graph_def of an event file");
      } catch (InvalidProtocolBufferException e) {
        problems.put(dir, "A graph_def in the event files of " + dir + " is not a GraphDef.");
      }
    }
    if (!event.hasSummary()) {
      return;
    }
    for (Summary.Value value : event.getSummary().getValueList()) {
      String tag = value.getTag();
      if (value.hasMetadata()) {
        if (!value.getMetadata().getDisplayName().isEmpty()) {
          displayNames.putIfAbsent(tag, value.getMetadata().getDisplayName());
        }
        String plugin = value.getMetadata().getPluginData().getPluginName();
        if (!plugin.isEmpty()) {
          pluginOfTag.putIfAbsent(tag, plugin);
        }
      }
      if (value.hasHisto()) {
        purgeIfOutOfOrder(tag, event.getStep());
        distributions
            .computeIfAbsent(tag, t -> new Reservoir<>(maxHistograms, 0))
            .add(
                new DistributionEvent(
                    event.getWallTime(),
                    event.getStep(),
                    boxed(HistogramCompression.compress(value.getHisto()))));
        continue;
      }
      if (value.hasTensor() && HISTOGRAMS_PLUGIN.equals(pluginOfTag.get(tag))) {
        double[][] buckets = histogramBuckets(value.getTensor());
        if (buckets != null) {
          purgeIfOutOfOrder(tag, event.getStep());
          distributions
              .computeIfAbsent(tag, t -> new Reservoir<>(maxHistograms, 0))
              .add(
                  new DistributionEvent(
                      event.getWallTime(),
                      event.getStep(),
                      boxed(HistogramCompression.compress(buckets))));
        }
        continue;
      }
      OptionalDouble scalar = EventFileReader.scalarValue(value);
      if (scalar.isPresent()) {
        purgeIfOutOfOrder(tag, event.getStep());
        scalars
            .computeIfAbsent(tag, t -> new Reservoir<>(maxScalars, 0))
            .add(new ScalarEvent(event.getWallTime(), event.getStep(), scalar.getAsDouble()));
      }
    }
  }

  /** TensorBoard's out-of-order purge, per tag: a step going back drops the tag's later points. */
  private void purgeIfOutOfOrder(String tag, long step) {
    Long latest = latestStep.get(tag);
    if (latest != null && step < latest) {
      Reservoir<ScalarEvent> s = scalars.get(tag);
      if (s != null) {
        s.filter(p -> p.step() < step);
      }
      Reservoir<DistributionEvent> d = distributions.get(tag);
      if (d != null) {
        d.filter(p -> p.step() < step);
      }
    }
    latestStep.put(tag, step);
  }

  /** The {@code [k, 3]} float or double tensor of a TF2 histogram, or null for another shape. */
  private static double[][] histogramBuckets(TensorProto t) {
    if (t.getTensorShape().getDimCount() != 2 || t.getTensorShape().getDim(1).getSize() != 3) {
      return null;
    }
    int rows = (int) t.getTensorShape().getDim(0).getSize();
    double[] flat = new double[rows * 3];
    ByteBuffer bytes = t.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    if (t.getDtype() == DataType.DT_DOUBLE) {
      if (t.getDoubleValCount() == flat.length) {
        for (int i = 0; i < flat.length; i++) {
          flat[i] = t.getDoubleVal(i);
        }
      } else if (bytes.remaining() == flat.length * Double.BYTES) {
        bytes.asDoubleBuffer().get(flat);
      } else {
        return null;
      }
    } else if (t.getDtype() == DataType.DT_FLOAT) {
      if (t.getFloatValCount() == flat.length) {
        for (int i = 0; i < flat.length; i++) {
          flat[i] = t.getFloatVal(i);
        }
      } else if (bytes.remaining() == flat.length * Float.BYTES) {
        for (int i = 0; i < flat.length; i++) {
          flat[i] = bytes.getFloat(i * Float.BYTES);
        }
      } else {
        return null;
      }
    } else {
      return null;
    }
    double[][] out = new double[rows][];
    for (int r = 0; r < rows; r++) {
      out[r] = new double[] {flat[3 * r], flat[3 * r + 1], flat[3 * r + 2]};
    }
    return out;
  }

  private static List<Double> boxed(double[] values) {
    List<Double> out = new ArrayList<>(values.length);
    for (double v : values) {
      out.add(v);
    }
    return out;
  }

  /** The scalar tags, sorted. */
  synchronized Set<String> scalarTags() {
    return new TreeSet<>(scalars.keySet());
  }

  /** The histogram tags, sorted. */
  synchronized Set<String> histogramTags() {
    return new TreeSet<>(distributions.keySet());
  }

  /** The kept points of a scalar tag in step order (as read), or empty for an unknown tag. */
  synchronized Optional<List<ScalarEvent>> scalars(String tag) {
    Reservoir<ScalarEvent> r = scalars.get(tag);
    return r == null ? Optional.empty() : Optional.of(r.items());
  }

  /** The kept steps of a histogram tag, or empty for an unknown tag. */
  synchronized Optional<List<DistributionEvent>> distributions(String tag) {
    Reservoir<DistributionEvent> r = distributions.get(tag);
    return r == null ? Optional.empty() : Optional.of(r.items());
  }

  /** The display name a summary's metadata gave {@code tag}, or "". */
  synchronized String displayName(String tag) {
    return displayNames.getOrDefault(tag, "");
  }

  /** The graph found in the run's event files, if any. */
  synchronized Optional<GraphSummary> eventGraph() {
    return Optional.ofNullable(eventGraph);
  }

  /** Wall time of the run's first event, or NaN before any. */
  synchronized double firstWallTime() {
    return firstWallTime;
  }

  /** What could not be read, one sentence per file, in the order found. */
  synchronized List<String> problems() {
    return List.copyOf(problems.values());
  }

  /** The event files read so far, with the offset read up to; for the side panel. */
  synchronized Map<String, Long> fileOffsets() {
    Map<String, Long> out = new TreeMap<>();
    files.forEach((f, s) -> out.put(f.getFileName().toString(), s.offset));
    return out;
  }
}
