package io.estimator4j.metagraph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.SaveSliceInfoDef;

/**
 * {@link MetaGraphs#saveSliceInfo}: SaveV2's slice spec turned into Python's SaveSliceInfoDef
 * (variables.py {@code SaveSliceInfo.to_proto}); the spec format is TensorSlice's {@code "<full
 * shape> <offset>,<length>:..."} with "-" for a whole dimension.
 */
class SaveSliceInfoTest {
  @Test
  void specBecomesFullShapeOffsetAndShape() {
    // part 1 of 3 of a [7, 2] variable: rows 3-4 (offset 3, length 2), both columns
    SaveSliceInfoDef info = MetaGraphs.saveSliceInfo("emb", "7 2 3,2:0,2");
    assertThat(info.getFullName()).isEqualTo("emb");
    assertThat(info.getFullShapeList()).containsExactly(7L, 2L);
    assertThat(info.getVarOffsetList()).containsExactly(3L, 0L);
    assertThat(info.getVarShapeList()).containsExactly(2L, 2L);
    // "-" is the whole dimension: offset 0, the full length
    SaveSliceInfoDef whole = MetaGraphs.saveSliceInfo("w", "7 1 4,3:-");
    assertThat(whole.getVarOffsetList()).containsExactly(4L, 0L);
    assertThat(whole.getVarShapeList()).containsExactly(3L, 1L);
  }

  @Test
  void malformedSpecIsRefusedWithAFix() {
    for (String bad : new String[] {"", "7 2", "7 2 0,3", "7 x 0,3:0,2", "7 2 0:0,2"}) {
      assertThatThrownBy(() -> MetaGraphs.saveSliceInfo("emb", bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("emb")
          .hasMessageContaining("Fix:");
    }
  }
}
