package io.estimator4j.cli;

import static io.estimator4j.testing.Corpus.fails;
import static io.estimator4j.testing.Corpus.succeeds;
import static io.estimator4j.testing.Corpus.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.io.Dims;
import io.estimator4j.npy.Npy;
import io.estimator4j.testing.Corpus;
import io.estimator4j.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;

/**
 * The malformed-input corpus of the {@code e4j} command line: .npz inputs (a member that declares 2
 * GB, damaged and empty archives), damaged SavedModels under {@code saved-model check}, a file
 * given as {@code --outdir}, Keras files with absurd sizes, and JVM errors inside a command. Each
 * failing case exits with 1 and prints one line naming what is wrong (a {@link Failure} here); none
 * prints a stack trace, runs the model first, or aborts the JVM.
 */
class MalformedCliCorpusTest {

  static final Path TF1 =
      TestData.path("savedmodels/tf-serving-saved_model_half_plus_two_cpu/00000123");

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void endsInACleanErrorOrTheRightResult(Corpus.Case c) throws Exception {
    Corpus.run(c, dir);
  }

  static Stream<Corpus.Case> cases() {
    List<Corpus.Case> all = new ArrayList<>();
    all.addAll(npz());
    all.addAll(savedModel());
    all.addAll(keras());
    all.addAll(jvmErrors());
    return all.stream();
  }

  /** A failed command: exit code 1, its one line on standard error is the message. */
  static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message);
    }
  }

  /** What a successful command printed on standard output. */
  record Output(String out) {}

  /** Runs {@code e4j args} in-process; a failure (exit 1, one error line) becomes a Failure. */
  static Output e4j(CommandLine cli, Object... args) throws Failure {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
    int rc = cli.execute(Stream.of(args).map(String::valueOf).toArray(String[]::new));
    if (rc == 0) {
      return new Output(out.toString());
    }
    assertThat(rc).as("exit code; stderr: " + err).isEqualTo(1);
    assertThat(err.toString().lines()).as("one line on stderr").hasSize(1);
    assertThat(err.toString()).doesNotContain("\tat ");
    assertThat(out.toString())
        .as("no result printed before the failure")
        .doesNotContain("Result for output key");
    throw new Failure(err.toString().strip());
  }

  static Output e4j(Object... args) throws Failure {
    return e4j(E4j.commandLine(), args);
  }

  // ---------------------------------------------------------------------------------- .npz

  static byte[] npyHeader(String descr, String shape) {
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }\n";
    byte[] text = dict.getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(10 + text.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0})
        .putShort((short) text.length)
        .put(text);
    return b.array();
  }

  static byte[] goodNpy(float value) {
    try (TFloat32 t = TFloat32.tensorOf(Shape.of(1, 1), DataBuffers.of(value))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Npy.write(out, t);
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** numpy.savez: a zip of name.npy members. */
  static byte[] zipOf(Object... namesAndBytes) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ZipOutputStream z = new ZipOutputStream(out)) {
        for (int i = 0; i < namesAndBytes.length; i += 2) {
          z.putNextEntry(new ZipEntry((String) namesAndBytes[i]));
          z.write((byte[]) namesAndBytes[i + 1]);
        }
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** saved-model run of half_plus_two on {@code --inputs x=<file><suffix>}. */
  private static Corpus.Action run(byte[] file, String suffix) {
    return d ->
        e4j(
            "saved-model",
            "run",
            TF1,
            "--signature",
            "serving_default",
            "--inputs",
            "x=" + write(d, "in.npz", file) + suffix);
  }

  static List<Corpus.Case> npz() {
    byte[] twoGb = zipOf("x.npy", concat(npyHeader("<f4", "(600000000,)"), new byte[64]));
    byte[] good = zipOf("x.npy", goodNpy(3f));
    byte[] damaged = zipOf("x.npy", concat(goodNpy(3f), new byte[2000]));
    // the member is deflated: flip bytes of its compressed data (after the 35-byte local header)
    for (int i = 40; i < 60; i++) {
      damaged[i] ^= 0x5a;
    }
    return List.of(
        fails(
            "npz",
            "a member that declares 2.4 GB",
            Failure.class,
            d -> Corpus.withProperty(Dims.MAX_BYTES_PROPERTY, "1g", run(twoGb, ""), d),
            "e4j saved-model run: The data of ",
            "in.npz[x] (shape [600000000] of <f4) takes"
                + " 600000000 elements of 4 bytes (2.2 GiB), more than the limit of 1.0 GiB"),
        fails(
            "npz",
            "a member that declares 2.4 GB, under a large limit",
            Failure.class,
            d -> Corpus.withProperty(Dims.MAX_BYTES_PROPERTY, "100g", run(twoGb, ""), d),
            "holds 2400000000 bytes of data; arrays of more than 2 GiB are not supported"),
        fails(
            "npz",
            "cut short (no zip directory)",
            Failure.class,
            run(Arrays.copyOf(good, good.length - 30), ""),
            "in.npz is not a readable .npz file (zip END header not found)"),
        fails(
            "npz",
            "damaged compressed member",
            Failure.class,
            run(damaged, ""),
            "in.npz[x] could not be read (",
            "the .npz file is damaged"),
        fails(
            "npz",
            "no arrays",
            Failure.class,
            run(zipOf(), ""),
            "is an .npz file that holds no arrays"),
        fails(
            "npz",
            "a name it does not hold",
            Failure.class,
            run(good, "[y]"),
            "does not contain variable with name \"y\". It holds [x]"),
        fails(
            "npz",
            "two arrays and no name",
            Failure.class,
            run(zipOf("a.npy", goodNpy(1f), "b.npy", goodNpy(2f)), ""),
            "contains more than one ndarray [a, b]"),
        fails(
            "npz",
            "a member that is not .npy",
            Failure.class,
            run(zipOf("x.npy", "hello".getBytes(StandardCharsets.UTF_8)), ""),
            "in.npz[x] is not a NumPy .npy file"),
        fails(
            "npz",
            "an empty input file",
            Failure.class,
            run(new byte[0], ""),
            "is neither a .npy nor a .npz file"),
        succeeds(
            "npz",
            "a good archive",
            run(good, ""),
            // y = 0.5 * 3 + 2
            r -> assertThat(((Output) r).out()).contains("[3.5]")));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  // ---------------------------------------------------------------------------- SavedModel

  /** half_plus_two copied to {@code d/model} and damaged. */
  private static Path damaged(Path d, String what) throws IOException {
    Path model = Corpus.copyTree(TF1, d.resolve("model"));
    Path data = model.resolve("variables/variables.data-00000-of-00001");
    switch (what) {
      case "truncated" -> Files.write(data, Arrays.copyOf(Files.readAllBytes(data), 6));
      case "no variables" -> {
        Files.delete(data);
        Files.delete(model.resolve("variables/variables.index"));
        Files.delete(model.resolve("variables"));
      }
      default -> {
        // undamaged
      }
    }
    return model;
  }

  static List<Corpus.Case> savedModel() {
    return List.of(
        fails(
            "saved-model",
            "check: truncated variables",
            Failure.class,
            d -> e4j("saved-model", "check", damaged(d, "truncated")),
            "e4j saved-model check: Could not restore the variables of the SavedModel",
            "damaged or incomplete"),
        fails(
            "saved-model",
            "check: no variables/",
            Failure.class,
            d -> e4j("saved-model", "check", damaged(d, "no variables")),
            "e4j saved-model check: The SavedModel",
            "has no variables/ directory",
            "Fix: copy the whole SavedModel directory"),
        fails(
            "saved-model",
            "run: no variables/",
            Failure.class,
            d ->
                e4j(
                    "saved-model",
                    "run",
                    damaged(d, "no variables"),
                    "--signature",
                    "serving_default",
                    "--input-exprs",
                    "x=[[1.0]]"),
            "has no variables/ directory"),
        succeeds(
            "saved-model",
            "check: the undamaged model",
            d -> e4j("saved-model", "check", damaged(d, "none")),
            r -> assertThat(((Output) r).out()).contains("serving_default   Predict   OK")),
        fails(
            "saved-model",
            "run --outdir that is a file",
            Failure.class,
            d ->
                e4j(
                    "saved-model",
                    "run",
                    TF1,
                    "--signature",
                    "serving_default",
                    "--input-exprs",
                    "x=[[1.0]]",
                    "--outdir",
                    write(d, "file.txt", new byte[1])),
            "file.txt is a file, not a directory",
            "Fix: give a directory"),
        fails(
            "saved-model",
            "run --outdir below a file",
            Failure.class,
            d ->
                e4j(
                    "saved-model",
                    "run",
                    TF1,
                    "--signature",
                    "serving_default",
                    "--input-exprs",
                    "x=[[1.0]]",
                    "--outdir",
                    write(d, "file.txt", new byte[1]).resolve("out")),
            "cannot be created:",
            "file.txt is a file, not a directory"),
        fails(
            "saved-model",
            "run --input-examples of an empty list",
            Failure.class,
            d ->
                e4j(
                    "saved-model",
                    "run",
                    TF1,
                    "--signature",
                    "regress_x_to_y",
                    "--input-examples",
                    "inputs=[]"),
            "tf.Example input is an empty list"));
  }

  // -------------------------------------------------------------------------------- Keras

  private static byte[] denseJson(String units) {
    return ("{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
            + "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": "
            + units
            + ", \"batch_input_shape\": [null, 4]}}]}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  static List<Corpus.Case> keras() {
    return List.of(
        fails(
            "keras",
            "show: units 4294967299",
            Failure.class,
            d -> e4j("keras", "show", write(d, "m.json", denseJson("4294967299"))),
            "e4j keras show: Setting 'units' of layer 'd' (Dense) in m.json is 4294967299, which"
                + " does not fit in a 32-bit int"),
        fails(
            "keras",
            "show: units null",
            Failure.class,
            d -> e4j("keras", "show", write(d, "m.json", denseJson("null"))),
            "Setting 'units' of layer 'd' (Dense) in m.json is null; Keras requires a positive"
                + " integer"),
        fails(
            "keras",
            "convert: parameters beyond the limit",
            Failure.class,
            d ->
                e4j(
                    "keras",
                    "convert",
                    write(d, "m.json", denseJson("2147483647")),
                    d.resolve("out")),
            "e4j keras convert: Weight 'kernel' of layer 'd' (Dense) in m.json would hold"
                + " 8589934588 parameters"),
        fails(
            "keras",
            "convert: a text file named .keras",
            Failure.class,
            d ->
                e4j(
                    "keras",
                    "convert",
                    write(d, "m.keras", "not a zip\n".getBytes(StandardCharsets.UTF_8)),
                    d.resolve("out")),
            "m.keras: is not a .keras archive (it is not a zip file)"),
        succeeds(
            "keras",
            "show: a good model",
            d -> e4j("keras", "show", write(d, "m.json", denseJson("3"))),
            r -> assertThat(((Output) r).out()).contains("Total params: 15")));
  }

  // ---------------------------------------------------------------------------- JVM errors

  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    private final Error error;

    Boom(Error error) {
      this.error = error;
    }

    @Override
    public Integer call() {
      throw error;
    }
  }

  private static Corpus.Action boom(Error error) {
    return d -> {
      CommandLine cli = E4j.commandLine();
      cli.addSubcommand("boom", new Boom(error));
      return e4j(cli, "boom");
    };
  }

  static List<Corpus.Case> jvmErrors() {
    return List.of(
        fails(
            "jvm-error",
            "OutOfMemoryError in a command",
            Failure.class,
            boom(new OutOfMemoryError("Java heap space")),
            "e4j boom: Out of memory (Java heap space, maximum heap",
            "Fix: check the input's sizes, or raise the heap, e.g. E4J_JAVA_OPTS=-Xmx8g"),
        fails(
            "jvm-error",
            "StackOverflowError in a command",
            Failure.class,
            boom(new StackOverflowError()),
            "e4j boom: Stack overflow (StackOverflowError)"),
        fails(
            "jvm-error",
            "another Error in a command",
            Failure.class,
            boom(new InternalError("native crash")),
            "e4j boom: JVM error java.lang.InternalError: native crash"));
  }
}
