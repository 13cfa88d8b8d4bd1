package io.estimator4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.npy.Npy;
import io.estimator4j.savedmodel.JavaArray;
import io.estimator4j.savedmodel.SavedModelLoader;
import io.estimator4j.testing.TestData;
import io.estimator4j.tfrecord.TFRecordReader;
import io.estimator4j.tfrecord.TFRecords;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TString;
import picocli.CommandLine;
import picocli.CommandLine.Help;

/** {@code e4j saved-model show | run | check} on every SavedModel in ../shared/savedmodels. */
class SavedModelCommandTest {

  static final Path MODELS = TestData.path("savedmodels");
  static final Path TF1 = MODELS.resolve("tf-serving-saved_model_half_plus_two_cpu/00000123");
  static final Path TF2 = MODELS.resolve("tf-serving-saved_model_half_plus_two_tf2_cpu/00000123");
  static final Path THREE = MODELS.resolve("tf-serving-saved_model_half_plus_three/00000123");

  @TempDir Path tmp;

  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();

  private int execute(Object... args) {
    out = new StringWriter();
    err = new StringWriter();
    CommandLine cli = E4j.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
    return cli.execute(Stream.of(args).map(String::valueOf).toArray(String[]::new));
  }

  /** Every SavedModel directory (one holding saved_model.pb) under shared/savedmodels. */
  static List<Path> allSavedModels() throws IOException {
    try (Stream<Path> s = Files.walk(MODELS, 6)) {
      return s.filter(p -> p.getFileName().toString().equals(SavedModelLoader.SAVED_MODEL_PB))
          .map(Path::getParent)
          .sorted()
          .toList();
    }
  }

  static Path taxi() throws IOException {
    return allSavedModels().stream()
        .filter(p -> p.toString().contains("chicago-taxi"))
        .findFirst()
        .orElseThrow();
  }

  private Path npy(String name, Tensor t) throws IOException {
    Path f = tmp.resolve(name);
    Npy.write(f, t);
    return f;
  }

  private static JavaArray readNpy(Path f) throws IOException {
    try (Tensor t = Npy.read(f)) {
      return JavaArray.of(t);
    }
  }

  /** The error output is one line naming the command, with no stack trace. */
  private void assertOneLineError(String... fragments) {
    assertThat(err.toString().lines()).hasSize(1);
    assertThat(err.toString()).startsWith("e4j saved-model ").doesNotContain("\tat ");
    for (String f : fragments) {
      assertThat(err.toString()).contains(f);
    }
  }

  @Test
  void helpListsTheSavedModelCommands() {
    assertThat(execute("saved-model", "--help")).isZero();
    assertThat(out.toString()).contains("show").contains("run").contains("check");
    assertThat(execute("saved-model")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing command: expected one of show, run, check");
  }

  @Test
  void showListsEveryTagSetAndSignatureOfEverySharedModel() throws IOException {
    List<Path> models = allSavedModels();
    assertThat(models).hasSize(6);
    for (Path dir : models) {
      SavedModel proto = SavedModelLoader.readProto(dir);
      assertThat(execute("saved-model", "show", dir)).as(dir.toString()).isZero();
      assertThat(out.toString())
          .startsWith("The given SavedModel contains the following tag-sets:")
          .contains("'serve'");
      assertThat(execute("saved-model", "show", dir, "--tag-set", "serve")).isZero();
      assertThat(execute("saved-model", "show", dir, "--all")).isZero();
      String all = out.toString();
      for (MetaGraphDef meta : proto.getMetaGraphsList()) {
        assertThat(all)
            .contains(
                "MetaGraphDef with tag-set: '"
                    + String.join(", ", meta.getMetaInfoDef().getTagsList())
                    + "'");
        for (String key : meta.getSignatureDefMap().keySet()) {
          assertThat(all).contains("signature_def['" + key + "']:");
        }
      }
      int signatures = proto.getMetaGraphs(0).getSignatureDefCount();
      assertThat(all.lines().filter(l -> l.contains("Method name is:"))).hasSize(signatures);
      assertThat(execute("saved-model", "show", dir, "--tag-set", "serve")).isZero();
      String keys = out.toString();
      for (String key : proto.getMetaGraphs(0).getSignatureDefMap().keySet()) {
        assertThat(keys).contains("SignatureDef key: \"" + key + "\"");
        assertThat(execute("saved-model", "show", dir, "--tag-set", "serve", "--signature", key))
            .isZero();
        assertThat(out.toString()).contains("Method name is: ");
      }
    }
  }

  @Test
  void showSignaturePrintsWhatSavedModelCliPrints() {
    assertThat(
            execute(
                "saved-model", "show", TF1, "--tag-set", "serve", "--signature", "regress_x_to_y"))
        .isZero();
    assertThat(out.toString())
        .isEqualToNormalizingNewlines(
            """
        The given SavedModel SignatureDef contains the following input(s):
          inputs['inputs'] tensor_info:
              dtype: DT_STRING
              shape: unknown_rank
              name: tf_example:0
        The given SavedModel SignatureDef contains the following output(s):
          outputs['outputs'] tensor_info:
              dtype: DT_FLOAT
              shape: (-1, 1)
              name: y:0
        Method name is: tensorflow/serving/regress
        """);
    // one tag set: --signature alone is enough
    assertThat(execute("saved-model", "show", TF2, "--signature", "serving_default")).isZero();
    assertThat(out.toString()).contains("shape: (1)").contains("name: serving_default_x:0");
  }

  @Test
  void runsServingDefaultOfEveryHalfPlusModelOnNpyInputs() throws IOException {
    Path x3;
    try (TFloat32 t = TFloat32.tensorOf(Shape.of(3, 1), DataBuffers.of(1f, 2f, 5f))) {
      x3 = npy("x3.npy", t);
    }
    List<Path> tf1 =
        List.of(
            TF1,
            MODELS.resolve("tf-serving-saved_model_half_plus_two_2_versions/00000123"),
            MODELS.resolve("tf-serving-saved_model_half_plus_two_2_versions/00000124"));
    for (Path dir : tf1) {
      Path outdir = tmp.resolve("out-" + dir.getParent().getFileName() + dir.getFileName());
      assertThat(
              execute(
                  "saved-model",
                  "run",
                  dir,
                  "--signature",
                  "serving_default",
                  "--inputs",
                  "x=" + x3,
                  "--outdir",
                  outdir))
          .as(err.toString())
          .isZero();
      assertThat(out.toString())
          .contains("Result for output key y: DT_FLOAT shape (3, 1)")
          .contains("[2.5, 3.0, 4.5]")
          .contains("Output y is saved to " + outdir.resolve("y.npy"));
      JavaArray y = readNpy(outdir.resolve("y.npy"));
      assertThat(y.shape()).containsExactly(3, 1);
      // y = 0.5 x + 2: 2.5, 3, 4.5
      assertThat(y.floats()).containsExactly(2.5f, 3f, 4.5f);
    }

    // The TF2 export declares x of shape (1).
    Path x1;
    try (TFloat32 t = TFloat32.vectorOf(4f)) {
      x1 = npy("x1.npy", t);
    }
    assertThat(
            execute(
                "saved-model",
                "run",
                TF2,
                "--signature",
                "serving_default",
                "--inputs",
                "x=" + x1,
                "--outdir",
                tmp.resolve("tf2")))
        .as(err.toString())
        .isZero();
    assertThat(out.toString()).contains("Result for output key y: DT_FLOAT shape (1,)");
    assertThat(readNpy(tmp.resolve("tf2/y.npy")).floats()).containsExactly(4f); // 0.5 * 4 + 2

    // half_plus_three records no shapes: y = 0.5 x + 3 = 3.5, 4, 5.5
    assertThat(
            execute(
                "saved-model",
                "run",
                THREE,
                "--signature",
                "serving_default",
                "--inputs",
                "x=" + x3,
                "--outdir",
                tmp.resolve("three")))
        .as(err.toString())
        .isZero();
    assertThat(readNpy(tmp.resolve("three/y.npy")).floats()).containsExactly(3.5f, 4f, 5.5f);
  }

  @Test
  void runsTheRegressSignatureOnInputExamples() throws IOException {
    Path outdir = tmp.resolve("out");
    assertThat(
            execute(
                "saved-model",
                "run",
                TF1,
                "--signature",
                "regress_x_to_y",
                "--input-examples",
                "inputs=[{\"x\": [1.0]}, {\"x\": [2.0]}, {\"x\": [10.0]}]",
                "--outdir",
                outdir))
        .as(err.toString())
        .isZero();
    // 0.5 * [1, 2, 10] + 2 = [2.5, 3, 7]
    JavaArray y = readNpy(outdir.resolve("outputs.npy"));
    assertThat(y.shape()).containsExactly(3, 1);
    assertThat(y.floats()).containsExactly(2.5f, 3f, 7f);
    // regress_x_to_y2 computes y2 = 0.5 x + 3 in this model (TF Serving's test graph)
    assertThat(
            execute(
                "saved-model",
                "run",
                TF1,
                "--signature",
                "regress_x_to_y2",
                "--input-examples",
                "inputs=[{'x': [1.0]}]"))
        .isZero();
    assertThat(out.toString()).contains("[3.5]");
  }

  @Test
  void runsWithInputExprsAndNpzFiles() throws IOException {
    assertThat(
            execute(
                "saved-model",
                "run",
                TF1,
                "--signature",
                "serving_default",
                "--input-exprs",
                "x=[[1], [3]]"))
        .as(err.toString())
        .isZero();
    assertThat(out.toString()).contains("shape (2, 1)").contains("[2.5, 3.5]");

    // numpy.savez(f, a=[[3.0]], b=[[4.0]]) stores a.npy and b.npy in a zip
    Path npz = tmp.resolve("xs.npz");
    try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(npz));
        TFloat32 a = TFloat32.tensorOf(Shape.of(1, 1), DataBuffers.of(3f));
        TFloat32 b = TFloat32.tensorOf(Shape.of(1, 1), DataBuffers.of(4f))) {
      zip.putNextEntry(new java.util.zip.ZipEntry("a.npy"));
      Npy.write(zip, a);
      zip.putNextEntry(new java.util.zip.ZipEntry("b.npy"));
      Npy.write(zip, b);
    }
    assertThat(
            execute(
                "saved-model",
                "run",
                TF1,
                "--signature",
                "serving_default",
                "--inputs",
                "x=" + npz + "[b]"))
        .as(err.toString())
        .isZero();
    assertThat(out.toString()).contains("[4.0]"); // 0.5 * 4 + 2
    assertThat(
            execute(
                "saved-model",
                "run",
                TF1,
                "--signature",
                "serving_default",
                "--inputs",
                "x=" + npz))
        .isEqualTo(1);
    assertOneLineError("contains more than one ndarray [a, b]", "[a]");
  }

  @Test
  void runsTheChicagoTaxiClassifierOnSerializedExamplesFromNpy() throws IOException {
    List<byte[]> records = new ArrayList<>();
    Path gz =
        MODELS.resolve("tfx-chicago-taxi-estimator/eval-examples/data_tfrecord-00000-of-00012.gz");
    try (TFRecordReader r = new TFRecordReader(gz, TFRecords.Compression.GZIP)) {
      for (Optional<byte[]> rec = r.next();
          rec.isPresent() && records.size() < 20;
          rec = r.next()) {
        records.add(rec.get());
      }
    }
    Path examples;
    try (TString t =
        TString.tensorOfBytes(
            Shape.of(records.size()), DataBuffers.ofObjects(records.toArray(new byte[0][])))) {
      examples = npy("examples.npy", t);
    }
    Path outdir = tmp.resolve("taxi");
    assertThat(
            execute(
                "saved-model",
                "run",
                taxi(),
                "--signature",
                "serving_default",
                "--inputs",
                "inputs=" + examples,
                "--outdir",
                outdir))
        .as(err.toString())
        .isZero();
    assertThat(out.toString())
        .contains("Result for output key classes: DT_STRING shape (20, 2)")
        .contains("[b'0', b'1', b'0', b'1',")
        .contains("Result for output key scores: DT_FLOAT shape (20, 2)");
    JavaArray scores = readNpy(outdir.resolve("scores.npy"));
    assertThat(scores.shape()).containsExactly(20, 2);
    for (int i = 0; i < 20; i++) {
      assertThat(scores.floats()[2 * i] + scores.floats()[2 * i + 1]).isCloseTo(1f, within(1e-5f));
    }
    JavaArray classes = readNpy(outdir.resolve("classes.npy"));
    assertThat(new String(classes.strings()[1], StandardCharsets.UTF_8)).isEqualTo("1");
  }

  @Test
  void runErrorsAreOneLineWithTheChoices() throws IOException {
    Path x;
    try (TFloat32 t = TFloat32.tensorOf(Shape.of(2, 1))) {
      x = npy("x.npy", t);
    }
    assertThat(execute("saved-model", "run", TF1, "--signature", "nope", "--inputs", "x=" + x))
        .isEqualTo(1);
    assertOneLineError(
        "No signature 'nope'",
        "Signatures available: [classify_x_to_y,"
            + " regress_x2_to_y3, regress_x_to_y, regress_x_to_y2, serving_default]");

    assertThat(
            execute(
                "saved-model", "run", TF1, "--signature", "serving_default", "--inputs", "z=" + x))
        .isEqualTo(1);
    assertOneLineError(
        "\"z\" is not a valid input key of signature 'serving_default'. Please"
            + " choose from \"x\" (DT_FLOAT (-1, 1)).");

    Path doubles;
    try (TFloat64 t = TFloat64.tensorOf(Shape.of(2, 1))) {
      doubles = npy("x64.npy", t);
    }
    assertThat(
            execute(
                "saved-model",
                "run",
                TF1,
                "--signature",
                "serving_default",
                "--inputs",
                "x=" + doubles))
        .isEqualTo(1);
    assertOneLineError(
        "Input 'x' of signature 'serving_default' must be DT_FLOAT, got DT_DOUBLE",
        "x64.npy",
        "np.save(f, a.astype(np.float32))");

    Path row;
    try (TFloat32 t = TFloat32.tensorOf(Shape.of(1, 2))) {
      row = npy("row.npy", t);
    }
    assertThat(
            execute(
                "saved-model",
                "run",
                TF1,
                "--signature",
                "serving_default",
                "--inputs",
                "x=" + row))
        .isEqualTo(1);
    assertOneLineError("must have shape (-1, 1) (-1 = any), got [1, 2]");

    // np.save(f, np.array([1j], np.complex64))
    Path complex = tmp.resolve("c.npy");
    String dict = "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }";
    String header = dict + " ".repeat(118 - dict.length() - 1) + "\n";
    byte[] file = new byte[128 + 8];
    System.arraycopy(
        new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0}, 0, file, 0, 10);
    System.arraycopy(header.getBytes(StandardCharsets.ISO_8859_1), 0, file, 10, 118);
    Files.write(complex, file);
    assertThat(
            execute(
                "saved-model",
                "run",
                TF1,
                "--signature",
                "serving_default",
                "--inputs",
                "x=" + complex))
        .isEqualTo(1);
    assertOneLineError(
        "c.npy holds dtype '<c8' (complex64), which is not supported. Supported"
            + " dtypes: float32 ('<f4')");

    assertThat(
            execute(
                "saved-model",
                "run",
                TF1,
                "--signature",
                "serving_default",
                "--inputs",
                "x=" + tmp.resolve("missing.npy")))
        .isEqualTo(1);
    assertOneLineError("missing.npy: input file not found");

    assertThat(
            execute(
                "saved-model",
                "run",
                tmp.resolve("nowhere"),
                "--signature",
                "s",
                "--inputs",
                "x=" + x))
        .isEqualTo(1);
    assertOneLineError("SavedModel directory does not exist");

    assertThat(execute("saved-model", "run", TF1, "--signature", "serving_default")).isEqualTo(2);
    assertThat(err.toString())
        .contains("At least one of --inputs, --input-exprs or --input-examples is required.");
  }

  @Test
  void existingOutputsNeedOverwrite() throws IOException {
    Path x;
    try (TFloat32 t = TFloat32.tensorOf(Shape.of(1, 1), DataBuffers.of(2f))) {
      x = npy("x.npy", t);
    }
    Path outdir = tmp.resolve("out");
    Files.createDirectories(outdir);
    Files.writeString(outdir.resolve("y.npy"), "old");
    assertThat(
            execute(
                "saved-model",
                "run",
                TF1,
                "--signature",
                "serving_default",
                "--inputs",
                "x=" + x,
                "--outdir",
                outdir))
        .isEqualTo(1);
    assertOneLineError(
        outdir.resolve("y.npy")
            + ": output file already exists. Add"
            + " \"--overwrite\" to overwrite the existing output files.");
    assertThat(Files.readString(outdir.resolve("y.npy"))).isEqualTo("old");

    assertThat(
            execute(
                "saved-model",
                "run",
                TF1,
                "--signature",
                "serving_default",
                "--inputs",
                "x=" + x,
                "--outdir",
                outdir,
                "--overwrite"))
        .isZero();
    assertThat(readNpy(outdir.resolve("y.npy")).floats()).containsExactly(3f); // 0.5 * 2 + 2
  }

  @Test
  void verbosePrintsTheStackTrace() {
    assertThat(
            execute(
                "saved-model",
                "run",
                TF1,
                "--signature",
                "nope",
                "--input-exprs",
                "x=[[1.0]]",
                "--verbose"))
        .isEqualTo(1);
    assertThat(err.toString())
        .startsWith("e4j saved-model run: No signature 'nope'")
        .contains("java.lang.IllegalArgumentException")
        .contains("\tat io.estimator4j.cli.");
  }

  @Test
  void checkPrintsOneLinePerSignatureAndApi() throws IOException {
    assertThat(execute("saved-model", "check", TF1)).as(err.toString()).isZero();
    List<String> lines = out.toString().lines().toList();
    assertThat(lines).hasSize(5 * 3);
    assertThat(lines)
        .contains(
            "classify_x_to_y   Classify  OK",
            "regress_x_to_y    Regress   OK",
            "serving_default   Predict   OK",
            "regress_x_to_y    Predict   OK (note: input \"inputs\" has unknown rank)",
            "regress_x2_to_y3  Regress   NOT OK: input \"inputs\" is DT_FLOAT, not DT_STRING; input"
                + " \"inputs\" has shape (-1, 1), not [batch_size] (a vector of serialized"
                + " tf.Examples)");

    assertThat(execute("saved-model", "check", TF2)).isZero();
    assertThat(out.toString().lines())
        .hasSize(6 * 3)
        .contains(
            "regress_x_to_y     Regress   NOT OK: method name is"
                + " \"tensorflow/serving/predict\", not tensorflow/serving/regress");

    assertThat(execute("saved-model", "check", TF2, "--no-method-name-check")).isZero();
    assertThat(out.toString().lines())
        .contains(
            "regress_x_to_y     Regress   OK (note: method"
                + " name is \"tensorflow/serving/predict\", not tensorflow/serving/regress (accepted:"
                + " method names are not checked))");

    assertThat(execute("saved-model", "check", THREE)).isZero();
    assertThat(out.toString())
        .contains(
            "tensorflow/serving/regress  Regress   NOT OK: input"
                + " \"inputs\" is DT_FLOAT, not DT_STRING");

    assertThat(execute("saved-model", "check", taxi())).isZero();
    assertThat(out.toString().lines())
        .hasSize(4 * 3)
        .contains(
            "classification   Classify  OK", "regression       Regress   OK",
            "serving_default  Classify  OK", "predict          Predict   OK");

    assertThat(execute("saved-model", "check", TF1, "--tag-set", "train")).isEqualTo(1);
    assertOneLineError("No meta graph with tags [train]", "Tag sets present: [serve]");
  }
}
