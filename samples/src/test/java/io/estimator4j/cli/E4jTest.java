package io.estimator4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.savedmodel.SavedModelWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.ParseResult;

class E4jTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int execute(String... args) {
    CommandLine cli = E4j.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
    return cli.execute(args);
  }

  @Test
  void helpListsEveryCommandIncludingNestedOnes() {
    assertThat(execute("--help")).isZero();
    assertThat(out.toString())
        .contains("Estimator4J's command line")
        .contains("sample")
        .contains("iris-custom")
        .contains("saved-model")
        .contains("keras");
    assertThat(out.toString()).containsPattern("(?s)\n  saved-model .*\n    show .*\n    run ");
    // iris-custom sits under sample, train and predict under bench, one level deeper.
    assertThat(out.toString()).containsPattern("\n  sample .*\n    iris-custom ");
    assertThat(out.toString()).containsPattern("\n  bench .*\n    train .*\n    predict ");
    assertThat(out.toString())
        .containsPattern("\n  keras .*\n(.*\n)?    convert .*\n(.*\n)?    show ");
  }

  @Test
  void everyCommandsHelpFormatsWithoutPicocliWarnings() throws Exception {
    // a description with a lone '%' is a format string picocli cannot format: it warns on stderr
    // and prints the text raw (%n unreplaced), as `e4j bench --help` once did for soak's "10%"
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream saved = System.err;
    List<String> usages = new java.util.ArrayList<>();
    System.setErr(new java.io.PrintStream(captured, true, "UTF-8"));
    try {
      java.util.ArrayDeque<CommandLine> todo =
          new java.util.ArrayDeque<>(List.of(E4j.commandLine()));
      while (!todo.isEmpty()) {
        CommandLine c = todo.pop();
        usages.add(c.getUsageMessage(Help.Ansi.OFF));
        todo.addAll(c.getSubcommands().values());
      }
    } finally {
      System.setErr(saved);
    }
    assertThat(captured.toString("UTF-8")).doesNotContain("picocli WARN");
    assertThat(usages).hasSizeGreaterThan(20);
    assertThat(String.join("\n", usages))
        .contains("RSS every 10% of SavedModelPredictor")
        .doesNotContain("%n");
  }

  @Test
  void versionIsPrintedByEveryCommand() {
    assertThat(execute("--version")).isZero();
    assertThat(execute("sample", "iris-custom", "-V")).isZero();
    assertThat(out.toString().lines()).containsExactly("0.1.0", "0.1.0");
  }

  @Test
  void unknownCommandIsAUsageError() {
    assertThat(execute("no-such-command")).isEqualTo(2);
    assertThat(err.toString()).contains("Unmatched argument").contains("'no-such-command'");
  }

  @Test
  void parentCommandWithoutSubcommandNamesTheChoices() {
    assertThat(execute("sample")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing command: expected one of iris-custom");
  }

  @Test
  void benchWithoutSubcommandNamesTheBenchmarks() {
    assertThat(execute("bench")).isEqualTo(2);
    assertThat(err.toString())
        .contains("Missing command: expected one of train, predict")
        .contains("canned, scale, all");
  }

  @Test
  void benchAllRefusesAnUnknownBenchmark() {
    assertThat(execute("bench", "all", "--only", "canned,nope")).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "Unknown benchmark 'nope'; choose from [train, train-tiny, train-alternating,"
                + " train-tiny-alternating, canned, canned-alternating, scale, predict, serve,"
                + " serve-inline, soak, keras-load]");
  }

  @Test
  void benchAlternateRefusesABlockThatDoesNotDivideTheSteps() {
    assertThat(execute("bench", "canned", "--alternate", "30", "--steps", "100")).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "warmup and steps must be positive multiples of the block, got warmup=200, steps=100,"
                + " block=30");
    assertThat(execute("bench", "train", "--alternate", "-1")).isEqualTo(2);
    assertThat(err.toString()).contains("block=-1");
    assertThat(execute("bench", "keras-apps", "--fresh-jvm", "-1")).isEqualTo(2);
    assertThat(err.toString()).contains("--fresh-jvm must be >= 0, got -1");
  }

  @Test
  void benchServeRejectsBadOptionsBeforeRunning() {
    assertThat(execute("bench", "serve", "--seconds", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--seconds must be in (0, 60], got 0.0");
    assertThat(execute("bench", "serve", "--half-plus-two", "/no/such/dir")).isEqualTo(2);
    assertThat(err.toString()).contains("No directory /no/such/dir: give --half-plus-two");
    assertThat(execute("bench", "serve", "--batch-timeout-micros", "-1")).isEqualTo(2);
    assertThat(err.toString()).contains("--batch-timeout-micros must be >= 0, got -1");
    assertThat(execute("bench", "serve", "--alternate", "-1")).isEqualTo(2);
    assertThat(err.toString()).contains("--alternate must be in [0, 1000], got -1");
    assertThat(execute("bench", "serve", "--verdict-round-seconds", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--verdict-round-seconds must be in (0, 10], got 0.0");
  }

  @Test
  void serveRefusesAllThreeParallelismFlagsAsTfServing() {
    assertThat(
            execute(
                "serve",
                "--model_base_path",
                "/no/such/dir",
                "--tensorflow_session_parallelism",
                "2",
                "--tensorflow_intra_op_parallelism",
                "2",
                "--tensorflow_inter_op_parallelism",
                "2"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "Either configure --tensorflow_session_parallelism or"
                + " (--tensorflow_intra_op_parallelism, --tensorflow_inter_op_parallelism)"
                + " separately. You cannot configure all.");
  }

  @Test
  void benchTrainOptionsParse() {
    ParseResult top =
        E4j.commandLine()
            .parseArgs("bench", "train", "--steps", "50", "--repeats", "5", "--model", "small");
    ParseResult train = top.subcommand().subcommand();
    assertThat(train.commandSpec().name()).isEqualTo("train");
    assertThat(train.matchedOptionValue("--steps", 0L)).isEqualTo(50L);
    assertThat(train.matchedOptionValue("--repeats", 0)).isEqualTo(5);
    assertThat(train.matchedOptionValue("--model", List.of())).containsExactly("small");
  }

  @Test
  void benchTrainRejectsBadOptionsBeforeRunning() {
    assertThat(execute("bench", "train", "--steps", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("steps, repeats and warmup must be > 0, got steps=0");
    assertThat(execute("bench", "train", "--model", "large")).isEqualTo(2);
    assertThat(err.toString())
        .contains("Unknown benchmark model 'large'; expected tiny, small or medium.");
  }

  @Test
  void kerasWithoutSubcommandNamesItsCommands() {
    assertThat(execute("keras")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing command: expected one of convert, show");
  }

  @Test
  void irisCustomHelpShowsOptionsAndDefaults() {
    assertThat(execute("sample", "iris-custom", "--help")).isZero();
    assertThat(out.toString())
        .contains("--model-dir=DIR")
        .contains("--steps=N")
        .contains("(default: 1000)")
        .contains("--seed=S")
        .contains("(default: 42)");
  }

  /** The path the sample names in its "e4j: ... temporary model_dir PATH" line. */
  private Path temporaryModelDir() {
    Matcher m = Pattern.compile("temporary model_dir (\\S+)").matcher(err.toString());
    assertThat(m.find()).as("stderr: %s", err).isTrue();
    return Path.of(m.group(1));
  }

  @Test
  void sampleWithoutModelDirRemovesItsTemporaryModelDir() {
    assertThat(execute("sample", "iris-custom", "--steps", "2")).isZero();
    Path dir = temporaryModelDir();
    assertThat(err.toString()).contains("removed the temporary model_dir");
    assertThat(dir).doesNotExist();
  }

  @Test
  void sampleKeepsItsTemporaryModelDirWithKeep() throws Exception {
    assertThat(execute("sample", "iris-custom", "--steps", "2", "--keep")).isZero();
    Path dir = temporaryModelDir();
    try {
      assertThat(err.toString()).contains("kept the temporary model_dir");
      assertThat(dir.resolve("checkpoint")).isRegularFile();
    } finally {
      SavedModelWriter.deleteRecursively(dir);
    }
  }

  @Test
  void sampleLeavesAGivenModelDirInPlace(@TempDir Path tmp) {
    Path dir = tmp.resolve("model");
    assertThat(execute("sample", "iris-custom", "--steps", "2", "--model-dir", dir.toString()))
        .isZero();
    assertThat(dir.resolve("checkpoint")).isRegularFile();
    assertThat(err.toString()).doesNotContain("temporary model_dir");
  }

  @Test
  void kerasEstimatorTrainsLongerByDefault() {
    assertThat(execute("sample", "keras-estimator", "--help")).isZero();
    assertThat(out.toString()).contains("--steps=N").contains("(default: 20000)");
    ParseResult top = E4j.commandLine().parseArgs("sample", "keras-estimator");
    // the default provider sets the value the command reads
    assertThat((Long) top.subcommand().subcommand().commandSpec().findOption("--steps").getValue())
        .isEqualTo(20000L);
  }

  @Test
  void irisCustomOptionsParse() {
    ParseResult top =
        E4j.commandLine().parseArgs("sample", "iris-custom", "--steps", "5", "--seed", "7");
    ParseResult iris = top.subcommand().subcommand();
    assertThat(iris.commandSpec().name()).isEqualTo("iris-custom");
    assertThat(iris.matchedOptionValue("--steps", 0L)).isEqualTo(5L);
    assertThat(iris.matchedOptionValue("--seed", 0L)).isEqualTo(7L);
    assertThat(iris.hasMatchedOption("--model-dir")).isFalse();
  }

  @Test
  void irisCustomRejectsNonPositiveSteps() {
    assertThat(execute("sample", "iris-custom", "--steps", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--steps must be positive, got 0.");
  }

  @Test
  void kerasEstimatorOptionsParse() {
    ParseResult top =
        E4j.commandLine()
            .parseArgs("sample", "keras-estimator", "--steps", "5", "--model-dir", "/tmp/k");
    ParseResult keras = top.subcommand().subcommand();
    assertThat(keras.commandSpec().name()).isEqualTo("keras-estimator");
    assertThat(keras.matchedOptionValue("--steps", 0L)).isEqualTo(5L);
    assertThat(keras.hasMatchedOption("--model-dir")).isTrue();
  }

  @Test
  void kerasEstimatorRejectsNonPositiveSteps() {
    assertThat(execute("sample", "keras-estimator", "--steps", "-1")).isEqualTo(2);
    assertThat(err.toString()).contains("--steps must be positive, got -1.");
  }
}
