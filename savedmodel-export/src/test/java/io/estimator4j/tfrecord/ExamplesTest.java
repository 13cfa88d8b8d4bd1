package io.estimator4j.tfrecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.types.TString;

class ExamplesTest {

  private static Feature feature(byte[] example, String name) throws Exception {
    return Example.parseFrom(example).getFeatures().getFeatureOrThrow(name);
  }

  @Test
  void floatsIntsAndStringsMapToTheirListsAsSavedModelCliDoes() throws Exception {
    List<byte[]> examples =
        Examples.fromJson(
            "[{\"x\": [1.0, 2], \"n\": [3, -4], \"s\": [\"a\", \"é\"], \"b\": [true]},"
                + " {\"x\": [2.5]}]");
    assertThat(examples).hasSize(2);
    // the first value picks the type; 2 joins a float list as 2.0 (Python's protobuf does this too)
    assertThat(feature(examples.get(0), "x").getFloatList().getValueList()).containsExactly(1f, 2f);
    assertThat(feature(examples.get(0), "n").getInt64List().getValueList())
        .containsExactly(3L, -4L);
    assertThat(feature(examples.get(0), "s").getBytesList().getValueList())
        .extracting(v -> v.toStringUtf8())
        .containsExactly("a", "é");
    // Python's bool is an int: True becomes Int64List [1]
    assertThat(feature(examples.get(0), "b").getInt64List().getValueList()).containsExactly(1L);
    assertThat(feature(examples.get(1), "x").getFloatList().getValueList()).containsExactly(2.5f);
  }

  @Test
  void pythonStyleSingleQuotesAreAccepted() throws Exception {
    List<byte[]> examples = Examples.fromJson("[{'s': ['v']}]");
    assertThat(feature(examples.get(0), "s").getBytesList().getValue(0).toStringUtf8())
        .isEqualTo("v");
  }

  @Test
  void tensorIsAVectorOfSerializedExamples() {
    List<byte[]> examples = Examples.fromJson("[{\"x\": [1.0]}, {\"x\": [2.0]}, {\"x\": [3.0]}]");
    try (TString t = Examples.tensor(examples)) {
      assertThat(t.shape()).isEqualTo(Shape.of(3));
      assertThat(t.asBytes().getObject(1)).isEqualTo(examples.get(1));
    }
  }

  @Test
  void badInputIsExplained() {
    assertThatThrownBy(() -> Examples.fromJson("{\"x\": [1.0]}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be a list of dictionaries");
    assertThatThrownBy(() -> Examples.fromJson("[{\"x\": 1.0}]"))
        .hasMessageContaining("Feature value must be a list, but x: 1.0 is a float")
        .hasMessageContaining("Fix: write [1.0]");
    assertThatThrownBy(() -> Examples.fromJson("[{\"x\": [1, 2.5]}]"))
        .hasMessageContaining("Feature 'x' is a list of integers")
        .hasMessageContaining("2.5 (a float)");
    assertThatThrownBy(() -> Examples.fromJson("[{\"x\": [\"a\", 1]}]"))
        .hasMessageContaining("Feature 'x' is a list of strings");
    assertThatThrownBy(() -> Examples.fromJson("[{\"x\": []}]"))
        .hasMessageContaining("Feature 'x' has an empty list");
    assertThatThrownBy(() -> Examples.fromJson("[{\"x\": [null]}]"))
        .hasMessageContaining("Type null of value null (feature 'x') is not supported");
    assertThatThrownBy(() -> Examples.fromJson("[{\"x\": [1.0]"))
        .hasMessageContaining("Not valid JSON");
    assertThatThrownBy(() -> Examples.fromJson("[{\"x\": [99999999999999999999]}]"))
        .hasMessageContaining("does not fit in an int64");
  }
}
