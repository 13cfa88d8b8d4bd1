package io.estimator4j.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import org.tensorflow.exceptions.TensorFlowException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExecutionException;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.RunLast;
import picocli.CommandLine.ScopeType;

/**
 * Estimator4J's command line, {@code e4j}: runs the samples, the SavedModel tools and, with later
 * issues, Keras tools. Results go to standard output, logs to standard error. A failing command
 * prints one line, {@code "<command>: <what went wrong>"}, on standard error and exits with 1
 * ({@code --verbose} adds the stack trace); usage errors exit with 2. JVM errors ({@link
 * OutOfMemoryError}, {@link StackOverflowError}, ...) are reported the same way, with the cause.
 */
@Command(
    name = "e4j",
    // Subcommands inherit --help, --version and the version string.
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    version = "0.1.0",
    description = "Estimator4J's command line: tf.estimator for Java on tensorflow-java.",
    subcommands = {
      SampleCommand.class,
      BenchCommand.class,
      SavedModelCommand.class,
      KerasCommand.class,
      BoardCommand.class,
      PlotCommand.class,
      ServeCommand.class,
      ClusterCommand.class
    })
public final class E4j extends ParentCommand {

  /** Width of the command-name column in the command tree of {@code e4j --help}. */
  private static final int MAX_NAME_COLUMN_WIDTH = 30;

  /** Exit code of a command that failed (usage errors exit with 2). */
  static final int EXIT_FAILURE = 1;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "On errors, print the stack trace as well as the message.")
  private boolean verbose;

  /** Runs the command line and exits with its exit code (0 ok, 1 failure, 2 usage error). */
  public static void main(String[] args) {
    int code;
    try {
      code = commandLine().execute(args);
    } catch (Throwable t) { // an Error outside a command (parsing, help): still one line
      System.err.println("e4j: " + oneLine(t));
      code = EXIT_FAILURE;
    }
    System.exit(code);
  }

  /**
   * The {@code e4j} command line, ready to execute. Its help lists the whole command tree, not only
   * the top-level commands, so that {@code e4j --help} shows every command.
   */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new E4j());
    cli.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, E4j::commandTree);
    cli.setExecutionExceptionHandler(E4j::handleError);
    // picocli lets Errors through execute(); turn them into failures handled like exceptions
    IExecutionStrategy run = new RunLast();
    cli.setExecutionStrategy(
        parsed -> {
          try {
            return run.execute(parsed);
          } catch (Error e) {
            List<CommandLine> chain = parsed.asCommandLineList();
            throw new ExecutionException(chain.get(chain.size() - 1), oneLine(e), e);
          }
        });
    return cli;
  }

  /** Prints a failed command's error as one line (plus the stack trace with --verbose). */
  private static int handleError(Exception ex, CommandLine command, ParseResult parsed) {
    PrintWriter err = command.getErr();
    Throwable cause = ex instanceof ExecutionException && ex.getCause() instanceof Error e ? e : ex;
    err.println(command.getCommandSpec().qualifiedName() + ": " + oneLine(cause));
    if (verbose(parsed)) {
      cause.printStackTrace(err);
    }
    err.flush();
    return EXIT_FAILURE;
  }

  private static boolean verbose(ParseResult parsed) {
    for (ParseResult r = parsed; r != null; r = r.hasSubcommand() ? r.subcommand() : null) {
      if (r.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  /** The first line of an exception's message, saying what kind of problem it is if needed. */
  static String oneLine(Throwable ex) {
    Throwable e = ex instanceof UncheckedIOException && ex.getCause() != null ? ex.getCause() : ex;
    String message;
    if (e instanceof OutOfMemoryError) {
      message =
          "Out of memory ("
              + (e.getMessage() == null ? "OutOfMemoryError" : e.getMessage())
              + ", maximum heap "
              + Runtime.getRuntime().maxMemory() / (1 << 20)
              + " MiB): the input"
              + " needs more memory than the JVM may use. Fix: check the input's sizes, or raise the"
              + " heap, e.g. E4J_JAVA_OPTS=-Xmx8g.";
    } else if (e instanceof StackOverflowError) {
      message =
          "Stack overflow (StackOverflowError): the input is nested too deeply. Fix: check"
              + " the input, or raise the stack size, e.g. E4J_JAVA_OPTS=-Xss16m.";
    } else if (e instanceof Error) {
      message =
          "JVM error "
              + e.getClass().getName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage());
    } else if (e instanceof FileSystemException f && f.getReason() == null) {
      String what =
          e instanceof NoSuchFileException
              ? "No such file or directory"
              : e instanceof AccessDeniedException
                  ? "Permission denied"
                  : e.getClass().getSimpleName();
      message = what + ": " + f.getFile();
    } else if (e instanceof TensorFlowException) {
      message = "TensorFlow " + e.getClass().getSimpleName() + ": " + e.getMessage();
    } else {
      message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
    return message.strip().lines().findFirst().orElse(e.getClass().getSimpleName());
  }

  /** Renders the subcommands of {@code help} and their subcommands, indented by depth. */
  private static String commandTree(Help help) {
    if (help.subcommands().isEmpty()) {
      return "";
    }
    int nameWidth = Math.min(MAX_NAME_COLUMN_WIDTH, longestName(help.subcommands(), 0) + 2);
    int width = help.commandSpec().usageMessage().width();
    TextTable table =
        TextTable.forColumns(
            help.colorScheme(),
            new Column(nameWidth + 2, 2, Column.Overflow.SPAN),
            new Column(width - nameWidth - 2, 2, Column.Overflow.WRAP));
    addRows(table, help, help.subcommands(), 0);
    return table.toString();
  }

  private static int longestName(Map<String, Help> commands, int depth) {
    int longest = 0;
    for (Map.Entry<String, Help> entry : commands.entrySet()) {
      longest = Math.max(longest, 2 * depth + entry.getKey().length());
      longest = Math.max(longest, longestName(entry.getValue().subcommands(), depth + 1));
    }
    return longest;
  }

  private static void addRows(TextTable table, Help root, Map<String, Help> commands, int depth) {
    for (Map.Entry<String, Help> entry : commands.entrySet()) {
      Help sub = entry.getValue();
      if (sub.commandSpec().usageMessage().hidden()) {
        continue;
      }
      String[] description = sub.commandSpec().usageMessage().description();
      Text name = root.colorScheme().commandText("  ".repeat(depth) + entry.getKey());
      Text text = root.colorScheme().text(description.length > 0 ? description[0] : "");
      table.addRowValues(name, text);
      addRows(table, root, sub.subcommands(), depth + 1);
    }
  }
}
