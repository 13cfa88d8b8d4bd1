package io.estimator4j.featurecolumn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.types.TInt64;

class VocabularyFileColumnTest {
  @TempDir Path dir;

  private Path wire() throws IOException {
    // TF's wire_vocabulary.txt: omar, stringer, marlo (ids 0, 1, 2)
    return Files.writeString(dir.resolve("wire_vocabulary.txt"), "omar\nstringer\nmarlo\n");
  }

  @Test
  void sizeIsCountedAndOovBucketsMatchPython() throws IOException {
    try (Harness h = new Harness()) {
      Path file = wire();
      // test_get_sparse_tensors_with_oov_buckets (vocabulary file): -> (2, 33, 0, 62)
      h.strings("aaa", new String[][] {{"marlo", "", ""}, {"skywalker", "omar", "heisenberg"}});
      VocabularyFileColumn c =
          FeatureColumns.categoricalColumnWithVocabularyFile("aaa", file, null, 100, null);
      assertThat(c.vocabularySize()).isEqualTo(3);
      assertThat(c.numBuckets()).isEqualTo(103);
      TransformContext ctx = h.ctx();
      assertThat(h.sparse(c.sparseIds(ctx).ids()).values()).containsExactly(2, 33, 0, 62);
      assertThat(c.vocabularyFile()).isEqualTo(file);
      assertThat(c.vocabularyFileTensor(ctx).op().name()).isEqualTo("aaa_lookup/vocabulary_file");
      assertThat(c.vocabularyFileTensor(ctx).op().type()).isEqualTo("Const");
      assertThat(ctx.vocabularyFiles()).containsEntry("aaa_lookup/vocabulary_file", file);
      assertThat(h.state.tableInitializers()).hasSize(1);
      assertThat(h.state.tableInitializers().get(0).op().type())
          .isEqualTo("InitializeTableFromTextFileV2");
    }
  }

  @Test
  void initializerReadsTheFileOnlyWhileTheTableIsEmpty() throws IOException {
    try (Harness h = new Harness()) {
      Path file = wire();
      h.strings("aaa", new String[][] {{"marlo", "omar"}});
      VocabularyFileColumn c =
          FeatureColumns.categoricalColumnWithVocabularyFile("aaa", file, null, 0, null);
      var ids = c.sparseIds(h.ctx()).ids();
      assertThat(h.sparse(ids).values()).containsExactly(2, 0); // filled from the file
      Files.delete(file);
      // run again without the file (as tensorflow-java's SavedModelBundle.load re-runs the
      // table_initializer collection): the filled table skips its read, no NotFound error
      var init = h.state.tableInitializers().get(0);
      h.session().runner().addTarget(init).run().close();
      assertThat(h.sparse(ids).values()).containsExactly(2, 0);
      // the file path still reaches the initialiser only through the gate's true branch
      assertThat(((org.tensorflow.GraphOperation) init.op()).input(1).op().type())
          .isEqualTo("Switch");
    }
    try (Harness h = new Harness()) {
      // a fresh (empty) table whose file is gone fails with TensorFlow's NotFound, as Python's
      h.strings("aaa", new String[][] {{"marlo"}});
      Path file = wire();
      VocabularyFileColumn c =
          FeatureColumns.categoricalColumnWithVocabularyFile("aaa", file, null, 0, null);
      var ids = c.sparseIds(h.ctx()).ids();
      Files.delete(file);
      assertThatThrownBy(() -> h.sparse(ids))
          .isInstanceOf(org.tensorflow.exceptions.TensorFlowException.class)
          .hasMessageContaining("wire_vocabulary.txt");
    }
  }

  @Test
  void smallerVocabularySizeUsesTheFirstLines() throws IOException {
    try (Harness h = new Harness()) {
      // test_get_sparse_tensors_small_vocabulary_size: size 2 takes 'marlo' out -> dropped
      h.strings("aaa", new String[][] {{"marlo"}, {"stringer"}});
      VocabularyFileColumn c =
          FeatureColumns.categoricalColumnWithVocabularyFile("aaa", wire(), 2L, 0, null);
      Harness.Sparse ids = h.sparse(c.sparseIds(h.ctx()).ids());
      assertThat(ids.values()).containsExactly(1);
      assertThat(ids.indices()).containsExactly(1, 0);
    }
  }

  @Test
  void integerVocabularyFileWithDefault() throws IOException {
    try (Harness h = new Harness()) {
      // warriors_vocabulary.txt: 30 35 11 23 22; (11, 100, 30, 22) with default 4 -> (2, 4, 0, 4)
      Path file = Files.writeString(dir.resolve("warriors.txt"), "30\n35\n11\n23\n22");
      h.feature("aaa", h.tf.constant(new long[][] {{11, 100}, {30, 22}}));
      VocabularyFileColumn c =
          FeatureColumns.categoricalColumnWithVocabularyFile(
              "aaa", file, null, 0, 4L, TInt64.class);
      assertThat(c.vocabularySize()).isEqualTo(5);
      assertThat(h.sparse(c.sparseIds(h.ctx()).ids()).values()).containsExactly(2, 4, 0, 4);
    }
  }

  @Test
  void missingFileAndBadOptionsAreRejected() throws IOException {
    assertThatThrownBy(
            () ->
                FeatureColumns.categoricalColumnWithVocabularyFile("aaa", dir.resolve("none.txt")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vocabulary_file in aaa does not exist");
    Path file = wire();
    assertThatThrownBy(
            () -> FeatureColumns.categoricalColumnWithVocabularyFile("aaa", file, null, 10, 1L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("both num_oov_buckets and default_value");
    Path empty = Files.writeString(dir.resolve("empty.txt"), "");
    assertThatThrownBy(() -> FeatureColumns.categoricalColumnWithVocabularyFile("aaa", empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid vocabulary_size in aaa");
  }

  @Test
  void linesAreCountedLikePython() throws IOException {
    assertThat(VocabularyFileColumn.countLines(Files.writeString(dir.resolve("a"), "a\nb")))
        .isEqualTo(2);
    assertThat(VocabularyFileColumn.countLines(Files.writeString(dir.resolve("b"), "a\n\nb\n")))
        .isEqualTo(3);
    assertThat(VocabularyFileColumn.countLines(Files.writeString(dir.resolve("c"), ""))).isZero();
  }
}
