package io.estimator4j.cli;

import io.estimator4j.board.BoardData;
import io.estimator4j.board.BoardServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code e4j board}: serves a local web page of the runs under a log directory (curves,
 * distributions, checkpoints, graph, exports) until stopped; TensorBoard without Python.
 */
@Command(
    name = "board",
    description = {
      "Serve a web page of a model_dir's curves, checkpoints, graph and exports (like TensorBoard).",
      "Every folder under --logdir holding event files is a run (the model_dir, eval/,"
          + " eval_<name>/, several model_dirs side by side); one chart per scalar tag with the runs"
          + " overlaid, TensorBoard's smoothing, distributions of histograms, and a side panel per"
          + " run. The page refreshes as training writes. JSON as TensorBoard's HTTP API:"
          + " /data/plugin/scalars/tags and /data/plugin/scalars/scalars?run=&tag=. Ctrl+C stops"
          + " it."
    })
final class BoardCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = "--logdir",
      required = true,
      paramLabel = "DIR",
      description = "A model_dir, or a folder holding several (it may not exist yet).")
  private Path logDir;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "" + BoardServer.DEFAULT_PORT,
      description = "Port to serve on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  private int port;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      defaultValue = BoardServer.DEFAULT_HOST,
      description =
          "Address to bind (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 serves the"
              + " network, without any authentication).")
  private String host;

  @Option(
      names = "--reload-interval",
      paramLabel = "SECONDS",
      defaultValue = "5",
      description = "How often to read the event files again (default: ${DEFAULT-VALUE}).")
  private double reloadSeconds;

  @Option(
      names = "--samples",
      paramLabel = "N",
      defaultValue = "" + BoardData.DEFAULT_MAX_SCALARS,
      description =
          "Points kept per run and scalar tag, reservoir-sampled as TensorBoard does (default:"
              + " ${DEFAULT-VALUE}; 0 keeps all).")
  private int samples;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (!(reloadSeconds > 0) || reloadSeconds > 86_400) {
      throw new ParameterException(
          spec.commandLine(),
          "--reload-interval must be between 0 and 86400 s, got " + reloadSeconds);
    }
    if (samples < 0) {
      throw new ParameterException(
          spec.commandLine(), "--samples must be >= 0 (0 keeps all), got " + samples);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    BoardData data = new BoardData(logDir, samples, BoardData.DEFAULT_MAX_HISTOGRAMS);
    Duration interval = Duration.ofMillis(Math.max(1, Math.round(reloadSeconds * 1000)));
    BoardServer server = BoardServer.start(data, host, port, interval);
    Thread stop = new Thread(server::close, "e4j-board-stop");
    Runtime.getRuntime().addShutdownHook(stop);
    try {
      data.messages().forEach(m -> err.println("board: " + m));
      if (!InetAddress.getByName(host).isLoopbackAddress()) {
        err.println(
            "board: serving on "
                + host
                + ": anyone who can reach this machine can read the page (it has no login).");
      }
      err.flush();
      out.println(
          "Board of "
              + data.logDir()
              + " ("
              + data.runNames().size()
              + " run(s)) at "
              + server.uri()
              + "  (Ctrl+C stops it)");
      out.flush();
      server.join();
    } finally {
      server.close();
      try {
        Runtime.getRuntime().removeShutdownHook(stop);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down: the hook runs anyway
      }
    }
    return 0;
  }
}
