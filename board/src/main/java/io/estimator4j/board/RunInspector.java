package io.estimator4j.board;

import com.google.protobuf.TextFormat;
import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.checkpoint.CheckpointState;
import io.estimator4j.checkpoint.VariableInfo;
import io.estimator4j.savedmodel.SavedModelLoader;
import io.estimator4j.savedmodel.SavedModelShow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.tensorflow.proto.GraphDef;

/**
 * Reads what the side panel shows about a run's directory: the checkpoint state file and the
 * checkpoints kept (io.estimator4j.checkpoint), the graph ({@code graph.pbtxt}), the variables of
 * the latest checkpoint and the SavedModels under {@code export/} with their signatures as {@code
 * ./e4j saved-model show --all} prints them (io.estimator4j.savedmodel). Parsed graphs, checkpoint
 * indexes and SavedModels are cached until their file changes. Thread-safe.
 */
final class RunInspector {

  /** Name of the text GraphDef the CheckpointSaverHook writes into model_dir. */
  static final String GRAPH_PBTXT = "graph.pbtxt";

  private static final String INDEX_SUFFIX = ".index";
  private static final String EXPORT_DIR = "export";
  private static final int EXPORT_DEPTH = 4;
  private static final Pattern STEP = Pattern.compile("-(\\d+)$");

  private record Cached<T>(FileTime modified, long size, T value) {}

  private final Map<Path, Cached<GraphSummary>> graphs = new ConcurrentHashMap<>();
  private final Map<Path, Cached<List<VariableRow>>> variables = new ConcurrentHashMap<>();
  private final Map<Path, Cached<String>> exports = new ConcurrentHashMap<>();

  /** The side panel of {@code run}. */
  RunDetails details(RunData run) {
    Path dir = run.dir();
    List<String> problems = new ArrayList<>(run.problems());
    List<String> eventFiles = new ArrayList<>();
    run.fileOffsets().forEach((f, read) -> eventFiles.add(f + " (" + read + " bytes read)"));

    String stateText = null;
    Optional<CheckpointState> state = Optional.empty();
    Path stateFile = dir.resolve(CheckpointState.FILENAME);
    if (Files.isRegularFile(stateFile)) {
      try {
        stateText = Files.readString(stateFile, StandardCharsets.UTF_8);
        state = CheckpointState.read(dir);
      } catch (IOException | RuntimeException e) {
        problems.add(e.getMessage());
      }
    }
    List<RunDetails.CheckpointRow> checkpoints = checkpoints(dir, state, problems);

    GraphSummary graph = null;
    Path pbtxt = dir.resolve(GRAPH_PBTXT);
    if (Files.isRegularFile(pbtxt)) {
      try {
        graph = cached(graphs, pbtxt, () -> parseGraph(pbtxt));
      } catch (IOException | RuntimeException e) {
        problems.add("Cannot read " + pbtxt + " as a text GraphDef: " + e.getMessage());
      }
    }
    if (graph == null) {
      graph = run.eventGraph().orElse(null);
    }

    String variablesSource = null;
    List<VariableRow> vars = List.of();
    Optional<RunDetails.CheckpointRow> latest =
        checkpoints.stream()
            .filter(RunDetails.CheckpointRow::latest)
            .findFirst()
            .or(() -> checkpoints.isEmpty() ? Optional.empty() : Optional.of(last(checkpoints)));
    if (latest.isPresent()) {
      Path index = dir.resolve(latest.get().prefix() + INDEX_SUFFIX);
      try {
        vars = cached(variables, index, () -> checkpointVariables(index));
        variablesSource = "checkpoint " + latest.get().prefix();
      } catch (IOException | RuntimeException e) {
        problems.add(e.getMessage());
      }
    }
    if (variablesSource == null && graph != null && !graph.variables().isEmpty()) {
      vars = graph.variables();
      variablesSource = "graph (" + graph.source() + ")";
    }
    long total = vars.stream().mapToLong(v -> Math.max(0, v.bytes())).sum();

    return new RunDetails(
        run.name(),
        dir.toString(),
        eventFiles,
        stateText,
        checkpoints,
        graph,
        variablesSource,
        vars,
        total,
        exports(dir, problems),
        problems);
  }

  private static RunDetails.CheckpointRow last(List<RunDetails.CheckpointRow> rows) {
    return rows.get(rows.size() - 1);
  }

  private static List<RunDetails.CheckpointRow> checkpoints(
      Path dir, Optional<CheckpointState> state, List<String> problems) {
    List<String> listed = new ArrayList<>();
    List<Double> times = new ArrayList<>();
    String latest = null;
    if (state.isPresent()) {
      for (String p : state.get().allModelCheckpointPaths()) {
        listed.add(relativeName(dir, p));
      }
      times.addAll(state.get().allModelCheckpointTimestamps());
      latest = relativeName(dir, state.get().modelCheckpointPath());
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(Files::isRegularFile).toList();
    } catch (IOException e) {
      problems.add("Cannot list " + dir + ": " + e);
      return List.of();
    }
    List<RunDetails.CheckpointRow> rows = new ArrayList<>();
    for (Path f : files) {
      String name = f.getFileName().toString();
      if (!name.endsWith(INDEX_SUFFIX)) {
        continue;
      }
      String prefix = name.substring(0, name.length() - INDEX_SUFFIX.length());
      long bytes = 0;
      for (Path other : files) {
        if (other.getFileName().toString().startsWith(prefix + ".")) {
          bytes += sizeOf(other);
        }
      }
      int at = listed.indexOf(prefix);
      double time = at >= 0 && at < times.size() ? times.get(at) : modifiedSeconds(f);
      Matcher m = STEP.matcher(prefix);
      long step = m.find() ? Long.parseLong(m.group(1)) : -1;
      rows.add(
          new RunDetails.CheckpointRow(prefix, step, time, bytes, prefix.equals(latest), at >= 0));
    }
    rows.sort(
        Comparator.comparingLong(RunDetails.CheckpointRow::step)
            .thenComparing(RunDetails.CheckpointRow::prefix));
    return rows;
  }

  /** A path of the state file as a name inside {@code dir} (it may be absolute). */
  private static String relativeName(Path dir, String path) {
    Path p = Path.of(path);
    if (p.isAbsolute() && p.getParent() != null && p.getParent().equals(dir)) {
      return p.getFileName().toString();
    }
    return path;
  }

  private static long sizeOf(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      return 0;
    }
  }

  private static double modifiedSeconds(Path f) {
    try {
      return Files.getLastModifiedTime(f).toMillis() / 1000.0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static GraphSummary parseGraph(Path pbtxt) throws IOException {
    GraphDef.Builder graph = GraphDef.newBuilder();
    TextFormat.getParser().merge(Files.readString(pbtxt, StandardCharsets.UTF_8), graph);
    return GraphSummary.of(graph.build(), GRAPH_PBTXT);
  }

  private static List<VariableRow> checkpointVariables(Path index) throws IOException {
    String name = index.getFileName().toString();
    String prefix = index.resolveSibling(name.substring(0, name.length() - 6)).toString();
    try (CheckpointReader reader = CheckpointReader.open(prefix)) {
      List<VariableRow> rows = new ArrayList<>();
      for (VariableInfo v : reader.variables().values()) {
        rows.add(VariableRow.of(v.name(), v.dtype(), v.shape()));
      }
      return rows;
    }
  }

  private List<RunDetails.ExportRow> exports(Path dir, List<String> problems) {
    Path base = dir.resolve(EXPORT_DIR);
    if (!Files.isDirectory(base)) {
      return List.of();
    }
    List<Path> models;
    try (Stream<Path> s = Files.walk(base, EXPORT_DEPTH)) {
      models =
          s.filter(p -> p.getFileName().toString().equals(SavedModelLoader.SAVED_MODEL_PB))
              .map(Path::getParent)
              .sorted()
              .toList();
    } catch (IOException | RuntimeException e) {
      problems.add("Cannot list " + base + ": " + e);
      return List.of();
    }
    List<RunDetails.ExportRow> rows = new ArrayList<>();
    for (Path model : models) {
      Path pb = model.resolve(SavedModelLoader.SAVED_MODEL_PB);
      String text;
      try {
        text = cached(exports, pb, () -> SavedModelShow.all(SavedModelLoader.readProto(model)));
      } catch (IOException | RuntimeException e) {
        text = "Cannot read this SavedModel: " + e.getMessage();
      }
      rows.add(new RunDetails.ExportRow(dir.relativize(model).toString(), text));
    }
    return rows;
  }

  private interface Reader<T> {
    T read() throws IOException;
  }

  /** The value cached for {@code file}, read again when its time or size changed. */
  private static <T> T cached(Map<Path, Cached<T>> cache, Path file, Reader<T> reader)
      throws IOException {
    FileTime modified = Files.getLastModifiedTime(file);
    long size = Files.size(file);
    Cached<T> c = cache.get(file);
    if (c != null && c.modified().equals(modified) && c.size() == size) {
      return c.value();
    }
    T value = reader.read();
    cache.put(file, new Cached<>(modified, size, value));
    return value;
  }
}
