package io.estimator4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.LookupTableExport;
import org.tensorflow.op.core.MutableHashTable;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * A resource saved through a {@link Saveable}: a MutableHashTable, saved as its exported keys and
 * values (the keys {@code table-keys} and {@code table-values}, as tf.lookup's saveable names them)
 * and rebuilt by LookupTableImport in a fresh session.
 */
class GraphSaverSaveableTest {
  @TempDir Path dir;

  /** One graph: a variable {@code v} = 7 and a string-to-int64 table with its saveable. */
  private static final class Model {
    final Ops tf;
    final MutableHashTable table;
    final GraphSaver saver;

    Model(Graph g) {
      tf = Ops.create(g);
      tf.withName("v").variable(tf.constant(7L));
      table = tf.withName("table").mutableHashTable(TString.class, TInt64.class);
      LookupTableExport<TString, TInt64> exported =
          tf.lookupTableExport(table, TString.class, TInt64.class);
      Saveable saveable =
          new Saveable() {
            @Override
            public List<Spec> specs() {
              return List.of(
                  new Spec("table-keys", exported.keys()),
                  new Spec("table-values", exported.values()));
            }

            @Override
            public Op restore(Ops restoreOps, List<Operand<?>> restored) {
              return restoreOps.lookupTableImport(table, restored.get(0), restored.get(1));
            }
          };
      saver = new GraphSaver(tf, List.of(g.operation("v").output(0)), List.of(saveable));
    }

    long lookup(Session s, String key) {
      try (Result r =
          s.runner()
              .fetch(
                  tf.lookupTableFind(
                      table,
                      tf.constant(StandardCharsets.UTF_8, new String[] {key}),
                      tf.constant(-1L)))
              .run()) {
        return ((TInt64) r.get(0)).getLong(0);
      }
    }
  }

  @Test
  void aResourceIsSavedUnderItsKeysAndRestoredByItsRestoreOp() throws Exception {
    String prefix = dir.resolve("model.ckpt-1").toString();
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Model m = new Model(g);
      s.initialize();
      s.runner()
          .addTarget(
              m.tf.lookupTableInsert(
                  m.table,
                  m.tf.constant(StandardCharsets.UTF_8, new String[] {"a", "b"}),
                  m.tf.constant(new long[] {1L, 2L})))
          .run();
      m.saver.save(s, prefix);
    }
    try (CheckpointReader reader = CheckpointReader.open(prefix)) {
      assertThat(reader.variables()).containsOnlyKeys("v", "table-keys", "table-values");
      assertThat(reader.readLongs("table-values")).containsExactlyInAnyOrder(1L, 2L);
    }
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Model m = new Model(g);
      s.initialize();
      assertThat(m.lookup(s, "b")).as("a new table is empty").isEqualTo(-1L);
      m.saver.restore(s, prefix);
      assertThat(m.lookup(s, "a")).isEqualTo(1L);
      assertThat(m.lookup(s, "b")).isEqualTo(2L);
    }
  }

  @Test
  void twoTensorsUnderOneKeyAreRefused() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<?> v = tf.withName("v").variable(tf.constant(1L));
      Saveable clash =
          new Saveable() {
            @Override
            public List<Spec> specs() {
              return List.of(new Spec("v", tf.constant(2L)));
            }

            @Override
            public Op restore(Ops restoreOps, List<Operand<?>> restored) {
              return restoreOps.noOp();
            }
          };
      assertThatThrownBy(() -> new GraphSaver(tf, List.of(v), List.of(clash)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("share a checkpoint key")
          .hasMessageContaining("Fix:");
    }
  }
}
