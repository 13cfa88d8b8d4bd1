package io.estimator4j.estimator.input;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.framework.data.Dataset;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.io.DecodeCsv;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * An input function over CSV files; Java counterpart of tf.data.experimental.make_csv_dataset as
 * used in tf.estimator tutorials. Lines are read with TextLineDataset (header lines skipped in each
 * file), shuffled, repeated, batched and prefetched by tf.data, then decoded with DecodeCSV. Each
 * column becomes a feature of shape [batch]; the label column becomes the labels.
 */
public final class CsvInput implements InputFn {
  public static final int DEFAULT_BATCH_SIZE = 32;
  public static final int DEFAULT_SHUFFLE_BUFFER = 10_000;

  private final List<Path> files;
  private final List<ColumnDef> columns;
  private final String labelColumn;
  private final int skipHeaderLines;
  private final String fieldDelim;
  private final Batching batching;

  /** A column: name, dtype and default (null = required). */
  private record ColumnDef(String name, Class<? extends TType> type, Object defaultValue) {}

  private CsvInput(Builder b) {
    this.files = List.copyOf(b.files);
    this.columns = List.copyOf(b.columns);
    this.labelColumn = b.labelColumn;
    this.skipHeaderLines = b.skipHeaderLines;
    this.fieldDelim = b.fieldDelim;
    this.batching = b.batching();
  }

  public static Builder builder(Path... files) {
    return new Builder(List.of(files));
  }

  public static Builder builder(List<Path> files) {
    return new Builder(files);
  }

  @Override
  public Input build(InputContext ctx) {
    Ops tf = ctx.tf().withSubScope("csv_input");
    Dataset lines = null;
    for (Path f : files) {
      Dataset one = Dataset.textLineDataset(tf, f.toString(), "", 256 * 1024);
      if (skipHeaderLines > 0) {
        one = one.skip(skipHeaderLines);
      }
      lines = lines == null ? one : Datasets.concatenate(lines, one);
    }
    lines = batching.apply(ctx, lines);
    @SuppressWarnings("unchecked")
    Operand<TString> batch = (Operand<TString>) Datasets.iterate(ctx, lines).get(0);
    List<Operand<?>> defaults = new ArrayList<>();
    for (ColumnDef c : columns) {
      defaults.add(defaultTensor(tf, c));
    }
    DecodeCsv decoded = tf.io.decodeCsv(batch, defaults, DecodeCsv.fieldDelim(fieldDelim));
    Map<String, Operand<?>> features = new LinkedHashMap<>();
    Operand<?> labels = null;
    for (int i = 0; i < columns.size(); i++) {
      Operand<?> value = decoded.output().get(i);
      if (columns.get(i).name().equals(labelColumn)) {
        labels = value;
      } else {
        features.put(columns.get(i).name(), value);
      }
    }
    return Input.of(features, labels);
  }

  private static Operand<?> defaultTensor(Ops tf, ColumnDef c) {
    Object d = c.defaultValue();
    if (c.type() == TFloat32.class) {
      return d == null
          ? tf.constant(new float[0])
          : tf.constant(new float[] {((Number) d).floatValue()});
    }
    if (c.type() == TFloat64.class) {
      return d == null
          ? tf.constant(new double[0])
          : tf.constant(new double[] {((Number) d).doubleValue()});
    }
    if (c.type() == TInt32.class) {
      return d == null ? tf.constant(new int[0]) : tf.constant(new int[] {((Number) d).intValue()});
    }
    if (c.type() == TInt64.class) {
      return d == null
          ? tf.constant(new long[0])
          : tf.constant(new long[] {((Number) d).longValue()});
    }
    // An empty string vector marks a required column; NdArrays.vectorOfObjects rejects zero-length
    // input, so stringColumn(name, null) used to fail while the graph was built.
    return d == null
        ? tf.constant(org.tensorflow.ndarray.NdArrays.ofObjects(String.class, Shape.of(0)))
        : tf.constant(org.tensorflow.ndarray.NdArrays.vectorOfObjects(d.toString()));
  }

  /** Builder of {@link CsvInput}. Columns are declared in file order. */
  public static final class Builder extends Batching.Builder<Builder> {
    private final List<Path> files;
    private final List<ColumnDef> columns = new ArrayList<>();
    private String labelColumn;
    private int skipHeaderLines;
    private String fieldDelim = ",";

    private Builder(List<Path> files) {
      super(DEFAULT_BATCH_SIZE, DEFAULT_SHUFFLE_BUFFER);
      this.files = List.copyOf(files);
    }

    /** A float32 column with a default for empty fields. */
    public Builder floatColumn(String name, float defaultValue) {
      return add(new ColumnDef(name, TFloat32.class, defaultValue));
    }

    /** A float32 column that must be present in every line. */
    public Builder floatColumn(String name) {
      return add(new ColumnDef(name, TFloat32.class, null));
    }

    public Builder doubleColumn(String name, double defaultValue) {
      return add(new ColumnDef(name, TFloat64.class, defaultValue));
    }

    public Builder intColumn(String name, int defaultValue) {
      return add(new ColumnDef(name, TInt32.class, defaultValue));
    }

    /** An int32 column that must be present in every line. */
    public Builder intColumn(String name) {
      return add(new ColumnDef(name, TInt32.class, null));
    }

    public Builder longColumn(String name, long defaultValue) {
      return add(new ColumnDef(name, TInt64.class, defaultValue));
    }

    public Builder stringColumn(String name, String defaultValue) {
      return add(new ColumnDef(name, TString.class, defaultValue));
    }

    /** The column holding the labels (it is not returned as a feature). */
    public Builder labelColumn(String name) {
      this.labelColumn = name;
      return this;
    }

    public Builder skipHeaderLines(int lines) {
      this.skipHeaderLines = lines;
      return this;
    }

    public Builder fieldDelim(String delim) {
      this.fieldDelim = delim;
      return this;
    }

    /**
     * Builds the input, checking that its files exist and hold data rows: when none does the input
     * is refused; files that hold none among others are named in a warning.
     *
     * @throws IllegalArgumentException for missing files, no data, or bad settings
     */
    public CsvInput build() {
      Datasets.checkFiles(files, "CsvInput", "CSV");
      if (skipHeaderLines < 0) {
        throw new IllegalArgumentException(
            "skipHeaderLines must be 0 or more; found " + skipHeaderLines + ".");
      }
      int skip = skipHeaderLines;
      Datasets.checkHasData(
          files,
          "CsvInput",
          "no data rows (empty, or only its "
              + skip
              + " header line"
              + (skip == 1 ? "" : "s")
              + ")",
          f -> hasDataLine(f, skip));
      if (columns.isEmpty()) {
        throw new IllegalArgumentException(
            "CsvInput needs its columns in file order: call floatColumn/intColumn/stringColumn");
      }
      if (labelColumn != null && columns.stream().noneMatch(c -> c.name().equals(labelColumn))) {
        throw new IllegalArgumentException(
            "Label column '"
                + labelColumn
                + "' is not among the columns "
                + columns.stream().map(ColumnDef::name).toList());
      }
      batching();
      return new CsvInput(this);
    }

    /** Whether {@code file} holds a line after its {@code skip} header lines. */
    private static boolean hasDataLine(Path file, int skip) throws IOException {
      // ISO-8859-1 maps every byte, so any encoding reads as lines here
      try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
        for (int i = 0; i < skip; i++) {
          if (r.readLine() == null) {
            return false;
          }
        }
        return r.readLine() != null;
      }
    }

    private Builder add(ColumnDef c) {
      if (columns.stream().anyMatch(x -> x.name().equals(c.name()))) {
        throw new IllegalArgumentException("CSV column '" + c.name() + "' was declared twice");
      }
      columns.add(c);
      return this;
    }
  }
}
