package io.estimator4j.samples;

import io.estimator4j.estimator.input.CsvInput;
import io.estimator4j.estimator.input.Input;
import io.estimator4j.estimator.input.InputFn;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;

/**
 * The UCI Adult (census income) data as TensorFlow's official wide_deep sample reads it
 * (census_dataset.py): raw UCI files cleaned line by line, then a CSV input whose label is {@code
 * income_bracket == ">50K"}.
 */
public final class CensusData {
  /** CSV columns in file order. */
  public static final List<String> COLUMNS =
      List.of(
          "age",
          "workclass",
          "fnlwgt",
          "education",
          "education_num",
          "marital_status",
          "occupation",
          "relationship",
          "race",
          "gender",
          "capital_gain",
          "capital_loss",
          "hours_per_week",
          "native_country",
          "income_bracket");

  public static final int TRAIN_EXAMPLES = 32561;
  public static final int EVAL_EXAMPLES = 16281;
  static final String LABEL = "income_bracket";
  private static final List<String> INT_COLUMNS =
      List.of("age", "fnlwgt", "education_num", "capital_gain", "capital_loss", "hours_per_week");

  private CensusData() {}

  /** The cleaned training file (adult.data). */
  public static Path trainFile() {
    return cleaned("adult.data");
  }

  /** The cleaned evaluation file (adult.test). */
  public static Path testFile() {
    return cleaned("adult.test");
  }

  private static synchronized Path cleaned(String name) {
    Path raw = SampleData.file("census/" + name);
    Path out = raw.resolveSibling(name + ".tf_cleaned.csv");
    if (!Files.isRegularFile(out)) {
      clean(raw, out);
    }
    return out;
  }

  /**
   * TensorFlow's _download_and_clean_file: strip each line, replace ", " with ",", drop lines
   * without a comma (the "|1x3 Cross validator" line, empty lines) and one trailing ".".
   */
  public static void clean(Path raw, Path out) {
    try {
      Path tmp = Files.createTempFile(out.getParent(), ".clean", ".tmp");
      try (BufferedReader in = Files.newBufferedReader(raw, StandardCharsets.UTF_8);
          BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        String line;
        while ((line = in.readLine()) != null) {
          line = line.strip().replace(", ", ",");
          if (line.isEmpty() || !line.contains(",")) {
            continue;
          }
          if (line.endsWith(".")) {
            line = line.substring(0, line.length() - 1);
          }
          w.write(line);
          w.write('\n');
        }
      }
      Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot clean census file " + raw, e);
    }
  }

  /**
   * The census input: int32 numeric columns (default 0), string categorical columns (default ""),
   * label 1 for ">50K" else 0. Training shuffles with a buffer of the whole training set.
   */
  public static InputFn input(
      Path file, boolean training, Integer epochs, int batchSize, long seed) {
    CsvInput.Builder b =
        CsvInput.builder(file).batchSize(batchSize).numEpochs(epochs).labelColumn(LABEL);
    for (String c : COLUMNS) {
      if (INT_COLUMNS.contains(c)) {
        b.intColumn(c, 0);
      } else {
        b.stringColumn(c, "");
      }
    }
    if (training) {
      b.shuffleBuffer(TRAIN_EXAMPLES).seed(seed);
    } else {
      b.shuffleBuffer(0);
    }
    CsvInput csv = b.build();
    return ctx -> {
      Input in = csv.build(ctx);
      Ops tf = ctx.tf();
      @SuppressWarnings("unchecked")
      Operand<TString> bracket = (Operand<TString>) in.labels().get(Input.LABELS_KEY);
      Operand<TInt32> label =
          tf.dtypes.cast(tf.math.equal(bracket, tf.constant(">50K")), TInt32.class);
      return Input.of(in.features(), label);
    };
  }
}
