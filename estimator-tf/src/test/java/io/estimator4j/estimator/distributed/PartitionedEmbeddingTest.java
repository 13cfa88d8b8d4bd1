package io.estimator4j.estimator.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.checkpoint.GraphSaver;
import io.estimator4j.checkpoint.Saveable;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.distributed.impl.PlacingScope;
import io.estimator4j.estimator.distributed.impl.ReplicaDeviceSetter;
import io.estimator4j.estimator.optimizer.GradientDescent;
import io.estimator4j.featurecolumn.impl.EmbeddingLookup;
import io.estimator4j.graph.PartitionedVariable;
import io.estimator4j.graph.PartitionedVariable.Strategy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.framework.utils.SparseTensor;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A [10, 3] embedding partitioned in parts: placement on the ps tasks, lookups that gather across
 * the parts ('div' and 'mod'), training, and a checkpoint in TensorFlow's sliced format read back
 * joined by TensorFlow's RestoreV2 and by our reader, and restored into another partitioning.
 */
class PartitionedEmbeddingTest {
  private static final Shape FULL = Shape.of(10, 3);

  @TempDir Path dir;

  /** Initial value of row r, column c of the full variable: 10 r + c. */
  private static float initial(long row, long col) {
    return 10f * row + col;
  }

  /** Part initialisers that fill each part with its rows of {@link #initial}. */
  private static io.estimator4j.graph.Initializer rowsFrom(long[] offsets) {
    AtomicInteger part = new AtomicInteger();
    return (init, shape) -> {
      long first = offsets[part.getAndIncrement()];
      float[][] rows = new float[(int) shape.get(0)][(int) shape.get(1)];
      for (int r = 0; r < rows.length; r++) {
        for (int c = 0; c < rows[r].length; c++) {
          rows[r][c] = initial(first + r, c);
        }
      }
      return init.constant(rows);
    };
  }

  @Test
  void partitionersFollowPython() {
    // fixed_size_partitioner: min(num_shards, rows)
    assertThat(PartitionedVariable.fixedSize(3).partitions(FULL, 4)).isEqualTo(3);
    assertThat(PartitionedVariable.fixedSize(20).partitions(FULL, 4)).isEqualTo(10);
    // min_max_variable_partitioner: max(1, min(rows, max_partitions, ceil(bytes / min_slice)))
    // [10, 3] float32 = 120 bytes: 120 / 16 = 7.5 -> 8, capped by max_partitions 4
    assertThat(PartitionedVariable.minMax(4, 16).partitions(FULL, 4)).isEqualTo(4);
    // 120 / 40 = 3
    assertThat(PartitionedVariable.minMax(8, 40).partitions(FULL, 4)).isEqualTo(3);
    // Python's default min_slice_size 256 KiB: one part
    assertThat(PartitionedVariable.minMax(8, 256 << 10).partitions(FULL, 4)).isEqualTo(1);
    // 120 / 1 = 120, capped by the 10 rows
    assertThat(PartitionedVariable.minMax(1000, 1).partitions(FULL, 4)).isEqualTo(10);
    try (Graph g = new Graph()) {
      assertThatThrownBy(
              () ->
                  PartitionedVariable.create(
                      Ops.create(g), "e", Shape.of(-1, 3), PartitionedVariable.fixedSize(2), null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("needs a fully defined shape")
          .hasMessageContaining("Fix:");
    }
  }

  @Test
  void partsAreSpreadOverThePsTasksByBytes() {
    try (Graph g = new Graph()) {
      ReplicaDeviceSetter setter =
          new ReplicaDeviceSetter(
              2, "ps", "/job:worker/task:0", RunConfig.PsStrategy.GREEDY_BY_BYTES);
      Ops tf = PlacingScope.wrap(Ops.create(g), setter);
      PartitionedVariable emb =
          PartitionedVariable.create(
              tf,
              "embedding_weights",
              FULL,
              PartitionedVariable.fixedSize(3),
              (i, s) -> i.zeros(i.constant(s), TFloat32.class));
      // parts of 4, 3, 3 rows of 3 float32: 48, 36, 36 bytes; loads [ps0, ps1]:
      // part_0 -> ps0 [48, 0]; part_1 -> ps1 [48, 36]; part_2 -> ps1 (36 < 48) [48, 72]
      assertThat(g.operation("embedding_weights/part_0").device()).isEqualTo("/job:ps/task:0");
      assertThat(g.operation("embedding_weights/part_1").device()).isEqualTo("/job:ps/task:1");
      assertThat(g.operation("embedding_weights/part_2").device()).isEqualTo("/job:ps/task:1");
      assertThat(setter.psBytes()).containsExactly(48L, 72L);
      assertThat(emb.sliceSpec(0)).isEqualTo("10 3 0,4:0,3");
      assertThat(emb.sliceSpec(1)).isEqualTo("10 3 4,3:0,3");
      assertThat(emb.sliceSpec(2)).isEqualTo("10 3 7,3:0,3");
    }
  }

  @Test
  void lookupsGatherAcrossPartsTrainEachPartAndTheCheckpointIsSliced() throws Exception {
    String prefix = dir.resolve("model.ckpt-1").toString();
    float[][] trained = new float[10][3];
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      PartitionedVariable emb =
          PartitionedVariable.create(
              tf,
              "embedding_weights",
              FULL,
              PartitionedVariable.fixedSize(3),
              rowsFrom(new long[] {0, 4, 7}));
      Operand<TInt64> ids = tf.constant(new long[] {9, 0, 4, 3, 7, 6});
      Operand<TFloat32> div = emb.gather(tf, ids, Strategy.DIV);
      Operand<TFloat32> mod = emb.gather(tf, ids, Strategy.MOD);
      // example 0 has ids 9 and 4, example 1 has id 0; "sum" combiner
      SparseTensor<TInt64> sparse =
          new SparseTensor<>(
              tf.constant(new long[][] {{0, 0}, {0, 1}, {1, 0}}),
              tf.constant(new long[] {9, 4, 0}),
              tf.constant(new long[] {2, 2}));
      Operand<TFloat32> combined = EmbeddingLookup.combine(tf, emb, sparse, null, "sum", null);
      Operand<TFloat32> loss = tf.reduceSum(combined, tf.constant(new int[] {0, 1}));
      GradientDescent sgd = GradientDescent.of(0.5);
      Op train = sgd.applyGradients(tf, sgd.computeGradients(tf, loss, emb.parts()), null);
      GraphSaver saver =
          new GraphSaver(
              tf, List.of(), List.of(Saveable.sliced(emb.name(), emb.parts(), specs(emb))));
      try (Session s = new Session(g)) {
        s.initialize();
        // div: part = max(id // 4, (id - 1) // 3) over parts of 4, 3, 3 rows: the full row id
        assertThat(rows(s, div)).isEqualTo(expectedRows(new long[] {9, 0, 4, 3, 7, 6}));
        // mod: part id % 3, row id / 3 of that part: full row offset(part) + id / 3;
        // 9 -> part 0 row 3 = 3; 0 -> 0; 4 -> part 1 row 1 = 5; 3 -> part 0 row 1 = 1;
        // 7 -> part 1 row 2 = 6; 6 -> part 0 row 2 = 2
        assertThat(rows(s, mod)).isEqualTo(expectedRows(new long[] {3, 0, 5, 1, 6, 2}));
        // sum combiner: [row 9 + row 4, row 0]
        assertThat(rows(s, combined))
            .isEqualTo(
                new float[][] {
                  {
                    initial(9, 0) + initial(4, 0),
                    initial(9, 1) + initial(4, 1),
                    initial(9, 2) + initial(4, 2)
                  },
                  {initial(0, 0), initial(0, 1), initial(0, 2)}
                });
        s.runner().addTarget(train).run().close();
        // d loss / d row = 1 per column for rows 9, 4 and 0; lr 0.5: those rows lose 0.5
        for (int r = 0; r < 10; r++) {
          for (int c = 0; c < 3; c++) {
            trained[r][c] = initial(r, c) - (r == 9 || r == 4 || r == 0 ? 0.5f : 0f);
          }
        }
        float[][] now = new float[10][3];
        for (int p = 0; p < 3; p++) {
          float[][] part = rows(s, emb.parts().get(p));
          for (int r = 0; r < part.length; r++) {
            now[(int) emb.offset(p) + r] = part[r];
          }
        }
        assertThat(now).isEqualTo(trained);
        saver.save(s, prefix);
      }
    }

    // TensorFlow's own RestoreV2 reads the joined variable, with "" and with the full slice
    for (String spec : new String[] {"", "10 3 0,10:0,3"}) {
      try (Graph g = new Graph();
          Session s = new Session(g)) {
        Ops tf = Ops.create(g);
        Restore restore =
            tf.train.restore(
                tf.constant(prefix),
                tf.constant(NdArrays.vectorOfObjects("embedding_weights")),
                tf.constant(NdArrays.vectorOfObjects(spec)),
                List.of(TFloat32.class));
        assertThat(rows(s, restore.tensors().get(0).expect(TFloat32.class)))
            .as("RestoreV2 with '%s'", spec)
            .isEqualTo(trained);
      }
    }

    // our reader lists the full variable (not its parts) and reads it joined
    try (CheckpointReader reader = CheckpointReader.open(prefix)) {
      assertThat(reader.variables()).containsOnlyKeys("embedding_weights");
      assertThat(reader.variable("embedding_weights").shape()).containsExactly(10L, 3L);
      float[] flat = reader.readFloats("embedding_weights");
      for (int r = 0; r < 10; r++) {
        for (int c = 0; c < 3; c++) {
          assertThat(flat[r * 3 + c]).isEqualTo(trained[r][c]);
        }
      }
    }

    // restored into 2 parts of 5 rows (another partitioning) by our saver's restore op
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      PartitionedVariable emb =
          PartitionedVariable.create(
              tf,
              "embedding_weights",
              FULL,
              PartitionedVariable.fixedSize(2),
              (i, s) -> i.zeros(i.constant(s), TFloat32.class));
      GraphSaver saver =
          new GraphSaver(
              tf, List.of(), List.of(Saveable.sliced(emb.name(), emb.parts(), specs(emb))));
      try (Session s = new Session(g)) {
        s.initialize();
        saver.restore(s, prefix);
        float[][] first = rows(s, emb.parts().get(0));
        float[][] second = rows(s, emb.parts().get(1));
        for (int r = 0; r < 5; r++) {
          assertThat(first[r]).isEqualTo(trained[r]);
          assertThat(second[r]).isEqualTo(trained[5 + r]);
        }
      }
    }
  }

  private static List<String> specs(PartitionedVariable v) {
    List<String> specs = new ArrayList<>();
    for (int i = 0; i < v.parts().size(); i++) {
      specs.add(v.sliceSpec(i));
    }
    return specs;
  }

  private static float[][] expectedRows(long[] rows) {
    float[][] out = new float[rows.length][3];
    for (int i = 0; i < rows.length; i++) {
      for (int c = 0; c < 3; c++) {
        out[i][c] = initial(rows[i], c);
      }
    }
    return out;
  }

  private static float[][] rows(Session s, Operand<TFloat32> value) {
    try (Result r = s.runner().fetch(value).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[][] out = new float[(int) t.shape().get(0)][(int) t.shape().get(1)];
      for (int i = 0; i < out.length; i++) {
        for (int j = 0; j < out[i].length; j++) {
          out[i][j] = t.getFloat(i, j);
        }
      }
      return out;
    }
  }
}
