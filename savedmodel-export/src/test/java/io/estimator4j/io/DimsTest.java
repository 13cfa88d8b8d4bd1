package io.estimator4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DimsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @AfterEach
  void clearLimit() {
    System.clearProperty(Dims.MAX_BYTES_PROPERTY);
  }

  @Test
  void integersAreReadExactlyOrRefused() throws Exception {
    assertThat(Dims.integer(json("64"), "n", null)).isEqualTo(64);
    assertThat(Dims.integer(json("64.0"), "n", null)).isEqualTo(64);
    assertThat(Dims.integer(json("-3"), "n", null)).isEqualTo(-3);
    assertThat(Dims.integer(json("9223372036854775807"), "n", null)).isEqualTo(Long.MAX_VALUE);
    assertThatThrownBy(() -> Dims.integer(json("9223372036854775808"), "n", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("N is 9223372036854775808, beyond the 64-bit range. Fix:");
    assertThatThrownBy(() -> Dims.integer(json("1e19"), "n", null))
        .hasMessageStartingWith("N is 1.0E19, beyond the 64-bit range");
    assertThatThrownBy(() -> Dims.integer(json("2.5"), "n", null))
        .hasMessageStartingWith("N should be an integer; found 2.5");
    assertThatThrownBy(() -> Dims.integer(json("null"), "n", null))
        .hasMessageStartingWith("N is missing (null)");
    assertThatThrownBy(() -> Dims.integer(json("[1]"), "n", null))
        .hasMessageStartingWith("N should be an integer; found [1]");
  }

  @Test
  void intsNeverWrap() throws Exception {
    // 4294967299 = 2^32 + 3 would be the int 3
    assertThatThrownBy(() -> Dims.intValue(json("4294967299"), "units", "Fix: this."))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Units is 4294967299, which does not fit in a 32-bit int (at most 2147483647;"
                + " it would wrap to 3). Fix: this.");
    assertThat(Dims.intValue(json("-2147483648"), "axis", null)).isEqualTo(Integer.MIN_VALUE);
    assertThat(Dims.count(json("1"), 1, "units", null)).isEqualTo(1);
    assertThatThrownBy(() -> Dims.count(json("0"), 1, "units", null))
        .hasMessageStartingWith("Units is 0; it must be a positive integer");
    assertThatThrownBy(() -> Dims.count(json("-1"), 0, "padding", null))
        .hasMessageStartingWith("Padding is -1; it must be at least 0");
  }

  @Test
  void shapesTakeNoneAsUnknownAndRefuseOverflow() throws Exception {
    assertThat(Dims.shape(json("[null, 3, 0]"), "s", null)).containsExactly(-1, 3, 0);
    assertThatThrownBy(() -> Dims.shape(json("[null, -2]"), "s", null))
        .hasMessageStartingWith("Dimension 1 of s [null,-2] is -2; a dimension cannot be negative");
    // 2^32 * 2^32 = 2^64 does not fit in a long
    assertThatThrownBy(() -> Dims.shape(json("[4294967296, 4294967296]"), "s", null))
        .hasMessageStartingWith(
            "S has shape [4294967296, 4294967296], whose element count" + " overflows 64 bits");
    assertThat(Dims.elementCount(new long[] {-1, 4, 5}, "s", null)).isEqualTo(20);
    assertThatThrownBy(() -> Dims.checkShape(new long[] {-1, 4}, false, "s", null))
        .hasMessageStartingWith("Dimension 0 of s [None, 4] is -1");
  }

  @Test
  void theByteLimitComesFromThePropertyOrTheHeap() {
    assertThat(Dims.maxBytes()).isEqualTo(Runtime.getRuntime().maxMemory());
    System.setProperty(Dims.MAX_BYTES_PROPERTY, "2k");
    assertThat(Dims.maxBytes()).isEqualTo(2048);
    assertThat(Dims.checkBytes(512, 4, "a", null)).isEqualTo(2048);
    // 513 * 4 = 2052 > 2048
    assertThatThrownBy(() -> Dims.checkBytes(513, 4, "the array", null))
        .hasMessage(
            "The array takes 513 elements of 4 bytes (2.0 KiB), more than the limit of"
                + " 2.0 KiB (-De4j.maxBytes=2k). Fix: if the file is right, raise the limit with -Xmx"
                + " or -De4j.maxBytes=<bytes>.");
    // 512 parameters of 4 bytes fit in 2 KiB, 513 do not
    assertThat(Dims.checkParameters(512, "layer 'd'")).isEqualTo(512);
    assertThatThrownBy(() -> Dims.checkParameters(513, "layer 'd'"))
        .hasMessageStartingWith(
            "Layer 'd' would hold 513 parameters (2.0 KiB as float32), more"
                + " than the limit of 512 parameters (2.0 KiB, -De4j.maxBytes=2k)");
    System.setProperty(Dims.MAX_BYTES_PROPERTY, "lots");
    assertThatThrownBy(Dims::maxBytes)
        .hasMessage(
            "-De4j.maxBytes=lots is not a positive number of bytes. Fix: give e.g."
                + " 2000000000 or 2g.");
  }
}
