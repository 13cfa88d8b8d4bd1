package io.estimator4j.estimator.input;

import io.estimator4j.featurecolumn.parsing.ExampleParser;
import io.estimator4j.featurecolumn.parsing.FeatureSpec;
import io.estimator4j.tfrecord.TFRecords;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.framework.data.Dataset;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TString;

/**
 * An input function over TFRecord files of serialized tf.Example protos, parsed with a feature
 * spec; the tf.estimator pattern {@code TFRecordDataset -> shuffle -> repeat -> batch ->
 * parse_example -> prefetch}. FixedLen features come out dense ([batch] + shape); VarLen features
 * are densified to [batch, max_len], padded with -1 (int64), "" (string) or 0 (float), which
 * categorical feature columns treat as missing values, as TensorFlow does for dense input.
 */
public final class TFRecordInput implements InputFn {
  public static final int DEFAULT_BATCH_SIZE = 32;
  public static final int DEFAULT_SHUFFLE_BUFFER = 10_000;

  private final List<Path> files;
  private final String compression;
  private final Map<String, FeatureSpec> spec;
  private final String labelKey;
  private final Batching batching;

  private TFRecordInput(Builder b) {
    this.files = List.copyOf(b.files);
    this.compression = b.compression;
    this.spec = new LinkedHashMap<>(b.spec);
    this.labelKey = b.labelKey;
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
    Ops tf = ctx.tf().withSubScope("tfrecord_input");
    Operand<TString> names =
        tf.constant(
            org.tensorflow.ndarray.NdArrays.vectorOfObjects(
                files.stream().map(Path::toString).toArray(String[]::new)));
    // The V1 "TFRecordDataset" op, built by name, as Python's tf.data.TFRecordDataset does.
    // tf.data.tfRecordDataset builds TFRecordDatasetV2, whose graph serialization in TensorFlow
    // 2.18 writes 3 of its 4 inputs, so MakeIterator failed with "Failed to build
    // TFRecordDatasetV2 op with error 3 inputs specified of 4 inputs".
    Operand<?> variant =
        tf.scope()
            .opBuilder("TFRecordDataset", "TFRecordDataset")
            .addInput(names.asOutput())
            .addInput(tf.constant(compression).asOutput())
            .addInput(tf.constant(256L * 1024).asOutput())
            .build()
            .output(0);
    Dataset records =
        Datasets.wrap(
            tf, variant, List.of(TString.class), List.of(org.tensorflow.ndarray.Shape.scalar()));
    records = batching.apply(ctx, records);
    @SuppressWarnings("unchecked")
    Operand<TString> serialized = (Operand<TString>) Datasets.iterate(ctx, records).get(0);
    Map<String, Operand<?>> all =
        new LinkedHashMap<>(ExampleParser.parse(tf, serialized, spec).densified(tf));
    Operand<?> labels = labelKey == null ? null : all.remove(labelKey);
    return Input.of(all, labels);
  }

  /** Builder of {@link TFRecordInput}. */
  public static final class Builder extends Batching.Builder<Builder> {
    private final List<Path> files;
    private String compression = "";
    private final Map<String, FeatureSpec> spec = new LinkedHashMap<>();
    private String labelKey;

    private Builder(List<Path> files) {
      super(DEFAULT_BATCH_SIZE, DEFAULT_SHUFFLE_BUFFER);
      this.files = List.copyOf(files);
    }

    /** "" (none), "GZIP" or "ZLIB". */
    public Builder compression(String compression) {
      if (!List.of("", "GZIP", "ZLIB").contains(compression)) {
        throw new IllegalArgumentException(
            "compression must be \"\", \"GZIP\" or \"ZLIB\", got \"" + compression + "\"");
      }
      this.compression = compression;
      return this;
    }

    public Builder feature(String key, FeatureSpec featureSpec) {
      spec.put(key, featureSpec);
      return this;
    }

    public Builder features(Map<String, ? extends FeatureSpec> featureSpecs) {
      spec.putAll(featureSpecs);
      return this;
    }

    /** The parsed feature that holds the labels (it must be in the spec). */
    public Builder labelKey(String key) {
      this.labelKey = key;
      return this;
    }

    /**
     * Builds the input, checking that its files exist, are complete TFRecord files (every record
     * header is read and its length checksum verified; a file that ends inside a record is refused,
     * naming the file and offset) and hold records: when none does the input is refused; empty
     * files among others are named in a warning.
     *
     * @throws IllegalArgumentException for missing, truncated or damaged files, no records, or bad
     *     settings
     */
    public TFRecordInput build() {
      Datasets.checkFiles(files, "TFRecordInput", "TFRecord");
      TFRecords.Compression c =
          switch (compression) {
            case "GZIP" -> TFRecords.Compression.GZIP;
            case "ZLIB" -> TFRecords.Compression.ZLIB;
            default -> TFRecords.Compression.NONE;
          };
      Datasets.checkHasData(
          files, "TFRecordInput", "no records (it is empty)", f -> TFRecords.count(f, c) > 0);
      if (spec.isEmpty()) {
        throw new IllegalArgumentException("TFRecordInput needs a feature spec: call feature(...)");
      }
      if (labelKey != null && !spec.containsKey(labelKey)) {
        throw new IllegalArgumentException(
            "Label key '" + labelKey + "' is not in the feature spec " + spec.keySet());
      }
      // Checked as in ArrayInput and CsvInput: 0 used to yield no data at all and a negative
      // count to repeat forever, both silently.
      batching();
      return new TFRecordInput(this);
    }
  }
}
