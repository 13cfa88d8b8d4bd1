package io.estimator4j.board;

import java.util.List;

/**
 * The side panel of one run: its event files, checkpoints, graph, variables and exports.
 *
 * @param run the run's name
 * @param dir the run's directory
 * @param eventFiles the event files read, each as "name (N bytes read)"
 * @param checkpointState the text of the {@code checkpoint} state file, or null when there is none
 * @param checkpoints the checkpoints in the directory (every {@code *.index}), oldest step first
 * @param graph the graph ({@code graph.pbtxt}, else the graph_def of the event files), or null
 * @param variablesSource where {@link #variables} come from (the latest checkpoint, else the
 *     graph), or null when there are none
 * @param variables name, shape, dtype and size of each variable
 * @param variablesBytes the sum of the known variable sizes
 * @param exports the SavedModels under {@code export/}, with their signatures
 * @param problems what could not be read, one sentence each
 */
public record RunDetails(
    String run,
    String dir,
    List<String> eventFiles,
    String checkpointState,
    List<CheckpointRow> checkpoints,
    GraphSummary graph,
    String variablesSource,
    List<VariableRow> variables,
    long variablesBytes,
    List<ExportRow> exports,
    List<String> problems) {

  /** Copies the lists. */
  public RunDetails {
    eventFiles = List.copyOf(eventFiles);
    checkpoints = List.copyOf(checkpoints);
    variables = List.copyOf(variables);
    exports = List.copyOf(exports);
    problems = List.copyOf(problems);
  }

  /**
   * One checkpoint kept in the run's directory.
   *
   * @param prefix its prefix relative to the directory, e.g. {@code model.ckpt-200}
   * @param step the global step in its name, or -1
   * @param time when it was saved (the state file's timestamp, else the index file's modification
   *     time), seconds since the epoch
   * @param bytes the size of its files (index and data shards)
   * @param latest whether the state file names it as the latest
   * @param listed whether the state file lists it among the kept checkpoints
   */
  public record CheckpointRow(
      String prefix, long step, double time, long bytes, boolean latest, boolean listed) {}

  /**
   * One SavedModel under {@code export/}.
   *
   * @param path its directory relative to the run's, e.g. {@code export/latest/1700000000}
   * @param signatures its tag sets and signatures as {@code ./e4j saved-model show --all} prints
   *     them, or why they could not be read
   */
  public record ExportRow(String path, String signatures) {}
}
