package io.estimator4j.featurecolumn;

import io.estimator4j.graph.GraphNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.Operand;
import org.tensorflow.framework.utils.SparseTensor;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.HashTable;
import org.tensorflow.op.core.InitializeTableFromTextFile;
import org.tensorflow.op.core.SwitchCond;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Ids from a vocabulary file, one entry per line, id = line number; Java counterpart of
 * tf.feature_column.categorical_column_with_vocabulary_file.
 *
 * <p>The table is a HashTable filled by InitializeTableFromTextFileV2 (registered with {@link
 * StateManager#addTableInitializer}) from a string constant named {@code <key>_lookup/
 * vocabulary_file}: a SavedModel exporter can point an {@code asset_file_def} at that tensor
 * ({@link TransformContext#vocabularyFiles()} lists them) so the loader feeds the asset's path.
 */
public final class VocabularyFileColumn extends KeyedCategoricalColumn {
  /** The name of the file-path constant inside the column's {@code <key>_lookup} scope. */
  public static final String VOCABULARY_FILE_OP = "vocabulary_file";

  private final Path file;
  private final long vocabularySize;
  private final int numOovBuckets;
  private final long defaultValue;

  VocabularyFileColumn(
      String key,
      Path file,
      Long vocabularySize,
      int numOovBuckets,
      Long defaultValue,
      Class<? extends TType> dtype) {
    super(key, dtype);
    if (file == null || file.toString().isEmpty()) {
      throw new IllegalArgumentException("Missing vocabulary_file in " + key + ".");
    }
    checkStringOrInteger(key, dtype);
    long size;
    if (vocabularySize == null) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException(
            "vocabulary_file in "
                + key
                + " does not exist: "
                + file
                + ". Give an existing file, or its vocabulary_size.");
      }
      size = countLines(file);
    } else {
      size = vocabularySize;
    }
    if (size < 1) {
      throw new IllegalArgumentException(
          "Invalid vocabulary_size in "
              + key
              + ": "
              + size
              + " (the vocabulary must have at least one entry).");
    }
    long dv = defaultValue == null ? -1L : defaultValue;
    VocabularyLookup.checkOptions(key, dv, numOovBuckets, size);
    this.file = file;
    this.vocabularySize = size;
    this.numOovBuckets = numOovBuckets;
    this.defaultValue = dv;
  }

  /** The vocabulary file as given. */
  public Path vocabularyFile() {
    return file;
  }

  /** The number of vocabulary entries used (the first lines of the file). */
  public long vocabularySize() {
    return vocabularySize;
  }

  public int numOovBuckets() {
    return numOovBuckets;
  }

  /** The id of unknown values (-1: dropped). */
  public long defaultValue() {
    return defaultValue;
  }

  /** TString or TInt64. */
  public Class<? extends TType> dtype() {
    return dtype;
  }

  @Override
  public long numBuckets() {
    return vocabularySize + numOovBuckets;
  }

  /**
   * The string constant holding the file path (op {@code <key>_lookup/vocabulary_file}), built once
   * per context; the table initializer reads the file named by this tensor.
   */
  public Operand<TString> vocabularyFileTensor(TransformContext ctx) {
    return ctx.cached(
        this,
        "vocabulary_file",
        () -> {
          Operand<TString> path =
              lookupScope(ctx).withName(VOCABULARY_FILE_OP).constant(file.toString());
          ctx.registerVocabularyFile(path.op().name(), file);
          return path;
        });
  }

  @Override
  SparseTensor<TInt64> transformIds(TransformContext ctx) {
    SparseTensor<?> input = ctx.categoricalInput(key);
    VocabularyLookup.checkInputType(key, dtype, input.getValues().type());
    Operand<TString> path = vocabularyFileTensor(ctx);
    Ops tf = lookupScope(ctx);
    HashTable table = tf.withName("hash_table").hashTable(dtype, TInt64.class);
    // The file is read only while the table is empty: the path reaches table_init through a
    // Switch on LookupTableSizeV2 == 0. Loaders run the initializer with the path fed to
    // assets/<file> (TensorFlow's C++ loader through the main op); a second run without that feed
    // (tensorflow-java's SavedModelBundle.load re-runs the table_initializer collection) then
    // leaves table_init dead instead of opening the original file, which may be gone.
    Operand<TBool> empty =
        tf.withName("table_is_empty").math.equal(tf.lookupTableSize(table), tf.constant(0L));
    SwitchCond<TString> gate = tf.withName("read_if_empty").switchCond(path, empty);
    // key: the whole line (-2), value: the line number (-1), as TextFileIndex does.
    ctx.state()
        .addTableInitializer(
            tf.withName("table_init")
                .initializeTableFromTextFile(
                    table,
                    gate.outputTrue(),
                    -2L,
                    -1L,
                    InitializeTableFromTextFile.vocabSize(vocabularySize),
                    InitializeTableFromTextFile.delimiter("\t")));
    return VocabularyLookup.lookup(tf, table, input, defaultValue, vocabularySize, numOovBuckets);
  }

  private Ops lookupScope(TransformContext ctx) {
    return ctx.cached(
        this, "lookup_scope", () -> ctx.tf().withSubScope(GraphNames.scopeName(key + "_lookup")));
  }

  /** Counts lines as Python's {@code sum(1 for _ in f)} does (a last line without '\n' counts). */
  static long countLines(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      long lines = 0;
      boolean empty = true;
      byte last = '\n';
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            lines++;
          }
        }
        empty = false;
        last = buf[n - 1];
      }
      return empty || last == '\n' ? lines : lines + 1;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read vocabulary file " + file, e);
    }
  }
}
