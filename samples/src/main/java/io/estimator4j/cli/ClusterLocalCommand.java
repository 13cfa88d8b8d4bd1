package io.estimator4j.cli;

import io.estimator4j.savedmodel.SavedModelWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code e4j cluster local --ps N --workers M [--evaluator] -- <e4j command>}: runs the command as
 * a cluster of local JVMs on free loopback ports (see {@link LocalCluster}) sharing one model_dir,
 * and prints the chief's final metrics as JSON on the last line.
 */
@Command(
    name = "local",
    description = {
      "Run an e4j sample as a cluster of local processes, one JVM per task with its TF_CONFIG,",
      "e.g. cluster local --ps 1 --workers 2 --evaluator -- sample census --model wide --epochs 2"
    })
final class ClusterLocalCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--ps",
      paramLabel = "N",
      defaultValue = "1",
      description = "Parameter server tasks (default: ${DEFAULT-VALUE}).")
  private int ps;

  @Option(
      names = "--workers",
      paramLabel = "M",
      defaultValue = "2",
      description =
          "Training tasks, the chief included: chief:0 and worker:0..M-2 (default: ${DEFAULT-VALUE}).")
  private int workers;

  @Option(names = "--evaluator", description = "Also run an evaluator task.")
  private boolean evaluator;

  @Option(
      names = "--max-restarts",
      paramLabel = "R",
      defaultValue = "0",
      description = "Restart a failed task up to R times before the cluster fails (default: 0).")
  private int maxRestarts;

  @Option(
      names = "--timeout-secs",
      paramLabel = "S",
      defaultValue = "3600",
      description = "Fail (and stop every task) if the cluster runs longer (default: 3600).")
  private int timeoutSecs;

  @Option(
      names = "--keep",
      description = "Keep the temporary model_dir (no effect when the command has --model-dir).")
  private boolean keep;

  @Parameters(
      paramLabel = "COMMAND",
      arity = "1..*",
      description = "The e4j command every task runs, after --, e.g. sample census --model wide.")
  private List<String> command;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (maxRestarts < 0 || timeoutSecs <= 0) {
      throw new ParameterException(
          spec.commandLine(), "--max-restarts must be >= 0 and --timeout-secs > 0.");
    }
    List<String> cmd = new ArrayList<>(command);
    Path tmp = null;
    if (!cmd.contains("--model-dir")) {
      tmp = Files.createTempDirectory("e4j-cluster-");
      cmd.add("--model-dir");
      cmd.add(tmp.toString());
    }
    try (LocalCluster cluster =
        new LocalCluster(ps, workers, evaluator, cmd, System.out, System.err)) {
      System.err.println("e4j cluster: " + cluster.clusterSpec() + ", tasks " + cluster.tasks());
      String metrics = cluster.runAll(maxRestarts, Duration.ofSeconds(timeoutSecs));
      System.out.flush();
      System.out.println(metrics);
      return 0;
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    } finally {
      if (tmp != null) {
        if (keep) {
          System.err.println("e4j cluster: kept the temporary model_dir " + tmp);
        } else {
          SavedModelWriter.deleteRecursively(tmp);
        }
      }
    }
  }
}
