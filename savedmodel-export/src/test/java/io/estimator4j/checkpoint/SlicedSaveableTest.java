package io.estimator4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.TensorSliceProto;
import org.tensorflow.types.TFloat32;

/** The index a sliced tensor leaves, as tensor_bundle writes it (BundleEntryProto.slices). */
class SlicedSaveableTest {
  @TempDir Path dir;

  @Test
  void theIndexHoldsTheFullTensorWithItsSlicesAndOneEntryPerSlice() throws Exception {
    String prefix = dir.resolve("model.ckpt-0").toString();
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      // w = [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]] in parts of 3 and 2 rows
      Variable<TFloat32> p0 =
          tf.withName("w_part_0").variable(tf.constant(new float[][] {{0, 1}, {2, 3}, {4, 5}}));
      Variable<TFloat32> p1 =
          tf.withName("w_part_1").variable(tf.constant(new float[][] {{6, 7}, {8, 9}}));
      GraphSaver saver =
          new GraphSaver(
              tf,
              List.of(),
              List.of(
                  Saveable.sliced("w", List.of(p0, p1), List.of("5 2 0,3:0,2", "5 2 3,2:0,2"))));
      s.initialize();
      saver.save(s, prefix);
    }
    Path index = Path.of(prefix + ".index");
    List<String> sliceKeys = new ArrayList<>();
    BundleEntryProto full = null;
    for (SsTable.Entry e : SsTable.entries(index, Files.readAllBytes(index))) {
      if (e.key().length == 0) {
        continue;
      }
      if (e.key()[0] == 0) {
        sliceKeys.add(new String(e.key(), StandardCharsets.ISO_8859_1));
      } else {
        assertThat(new String(e.key(), StandardCharsets.UTF_8)).isEqualTo("w");
        full = BundleEntryProto.parseFrom(e.value());
      }
    }
    assertThat(full).isNotNull();
    assertThat(full.getShape().getDimList()).extracting(d -> d.getSize()).containsExactly(5L, 2L);
    assertThat(full.getSlicesCount()).isEqualTo(2);
    List<long[]> rows = new ArrayList<>();
    for (TensorSliceProto slice : full.getSlicesList()) {
      rows.add(new long[] {slice.getExtent(0).getStart(), slice.getExtent(0).getLength()});
    }
    assertThat(rows).containsExactlyInAnyOrder(new long[] {0, 3}, new long[] {3, 2});
    // one data entry per slice, keyed by the 0 byte then the encoded name and slice
    assertThat(sliceKeys).hasSize(2);
    try (CheckpointReader reader = CheckpointReader.open(prefix)) {
      assertThat(reader.readFloats("w")).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }
  }

  @Test
  void aSliceSpecPerPartIsRequired() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> p0 = tf.withName("p").variable(tf.constant(new float[] {1}));
      assertThatThrownBy(() -> Saveable.sliced("w", List.of(p0), List.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("needs one slice spec per part");
    }
  }
}
