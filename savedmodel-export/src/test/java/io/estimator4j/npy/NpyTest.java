package io.estimator4j.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.testing.TestData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

class NpyTest {

  @TempDir Path tmp;

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
  }

  private static byte[] bytes(Tensor t) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Npy.write(out, t);
    return out.toByteArray();
  }

  private static Tensor read(byte[] file) throws IOException {
    return Npy.read(new ByteArrayInputStream(file), "test.npy");
  }

  /** A version 1.0 file with this header dict (padded as NumPy does) and data. */
  private static byte[] file(String dict, byte[] data) {
    int hlen = dict.length() + 1;
    int pad = 64 - (10 + hlen) % 64;
    byte[] text = (dict + " ".repeat(pad) + "\n").getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = new byte[10 + text.length + data.length];
    System.arraycopy(Npy.MAGIC, 0, out, 0, 6);
    out[6] = 1;
    out[8] = (byte) text.length;
    out[9] = (byte) (text.length >> 8);
    System.arraycopy(text, 0, out, 10, text.length);
    System.arraycopy(data, 0, out, 10 + text.length, data.length);
    return out;
  }

  @Test
  void writesExactlyTheBytesNumpySaveWrites() throws IOException {
    // python3 -c "import numpy as np; np.save('g.npy', np.array([[1.0, -2.5, 0.25]], 'f4'))"
    // (NumPy 2.4): magic, version 1.0, header length 0x76 = 118, so that 10 + 118 = 128 = 2 * 64;
    // the dict is followed by 21 - len('1') = 20 spare spaces for growth, then padding and '\n'.
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }";
    byte[] expected = new byte[140];
    System.arraycopy(hex("934e554d505901007600"), 0, expected, 0, 10);
    byte[] text =
        (dict + " ".repeat(118 - dict.length() - 1) + "\n").getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(text, 0, expected, 10, 118);
    // 1.0f = 0x3f800000, -2.5f = 0xc0200000, 0.25f = 0x3e800000, little-endian
    System.arraycopy(hex("0000803f 000020c0 0000803e"), 0, expected, 128, 12);

    try (TFloat32 t = TFloat32.tensorOf(StdArrays.ndCopyOf(new float[][] {{1f, -2.5f, 0.25f}}))) {
      assertThat(bytes(t)).isEqualTo(expected);
      Npy.write(tmp.resolve("g.npy"), t);
      assertThat(Files.readAllBytes(tmp.resolve("g.npy"))).isEqualTo(expected);
    }
  }

  @Test
  void writesScalarsAndStringsAsNumpyDoes() throws IOException {
    // np.save of np.float32(2.5): shape () gets no growth spaces; header is still 118 bytes long.
    try (TFloat32 t = TFloat32.scalarOf(2.5f)) {
      byte[] b = bytes(t);
      assertThat(b).hasSize(132);
      assertThat(new String(b, 10, 118, StandardCharsets.ISO_8859_1))
          .startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (), }   ")
          .endsWith(" \n");
    }
    // np.save of np.array([b'ab', b'']): '|S2', two bytes per element, NUL padded.
    try (TString t =
        TString.tensorOfBytes(
            Shape.of(2),
            DataBuffers.ofObjects("ab".getBytes(StandardCharsets.UTF_8), new byte[0]))) {
      byte[] b = bytes(t);
      assertThat(new String(b, 10, 118, StandardCharsets.ISO_8859_1))
          .startsWith("{'descr': '|S2', 'fortran_order': False, 'shape': (2,), }");
      assertThat(b).hasSize(132);
      assertThat(java.util.Arrays.copyOfRange(b, 128, 132)).isEqualTo(hex("61620000"));
    }
  }

  @Test
  void roundTripsEverySupportedType() throws IOException {
    Path f = tmp.resolve("a.npy");
    float[][] matrix = {{1.5f, -2f}, {3f, 4f}};
    try (TFloat32 t = TFloat32.tensorOf(StdArrays.ndCopyOf(matrix))) {
      Npy.write(f, t);
      try (TFloat32 r = (TFloat32) Npy.read(f)) {
        assertThat(r.shape()).isEqualTo(Shape.of(2, 2));
        assertThat(StdArrays.array2dCopyOf(r)).isEqualTo(matrix);
      }
    }
    try (TFloat64 t = TFloat64.vectorOf(1e300, -0.5)) {
      Npy.write(f, t);
      try (TFloat64 r = (TFloat64) Npy.read(f)) {
        assertThat(StdArrays.array1dCopyOf(r)).containsExactly(1e300, -0.5);
      }
    }
    try (TInt32 t = TInt32.tensorOf(StdArrays.ndCopyOf(new int[][][] {{{1, -2, 3}}}))) {
      Npy.write(f, t);
      try (TInt32 r = (TInt32) Npy.read(f)) {
        assertThat(r.shape()).isEqualTo(Shape.of(1, 1, 3));
        assertThat(r.getInt(0, 0, 1)).isEqualTo(-2);
      }
    }
    try (TInt64 t = TInt64.vectorOf(Long.MIN_VALUE, 7)) {
      Npy.write(f, t);
      try (TInt64 r = (TInt64) Npy.read(f)) {
        assertThat(StdArrays.array1dCopyOf(r)).containsExactly(Long.MIN_VALUE, 7L);
      }
    }
    try (TUint8 t = TUint8.vectorOf((byte) 0, (byte) 255)) {
      Npy.write(f, t);
      assertThat(Npy.readHeader(f).descr()).isEqualTo("|u1");
      try (TUint8 r = (TUint8) Npy.read(f)) {
        assertThat(Byte.toUnsignedInt(r.getByte(1))).isEqualTo(255);
      }
    }
    try (TBool t = TBool.vectorOf(true, false, true)) {
      Npy.write(f, t);
      assertThat(Npy.readHeader(f).descr()).isEqualTo("|b1");
      try (TBool r = (TBool) Npy.read(f)) {
        assertThat(StdArrays.array1dCopyOf(r)).containsExactly(true, false, true);
      }
    }
    try (TString t = TString.vectorOf("héllo", "", "x")) {
      Npy.write(f, t);
      assertThat(Npy.readHeader(f).descr()).isEqualTo("|S6"); // "héllo" is 6 bytes of UTF-8
      try (TString r = (TString) Npy.read(f)) {
        assertThat(r.getObject(0)).isEqualTo("héllo");
        assertThat(r.getObject(1)).isEmpty();
        assertThat(r.getObject(2)).isEqualTo("x");
      }
    }
    try (TFloat32 t = TFloat32.tensorOf(Shape.of(0, 3))) {
      Npy.write(f, t);
      try (Tensor r = Npy.read(f)) {
        assertThat(r.shape()).isEqualTo(Shape.of(0, 3));
      }
    }
  }

  @Test
  void readsBigEndianAndVersions2And3() throws IOException {
    // np.save(f, np.array([1.0, 2.0], '>f8')): 1.0 = 3ff0000000000000, 2.0 = 4000000000000000
    byte[] bigEndian =
        file(
            "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }" + " ".repeat(20),
            hex("3ff0000000000000 4000000000000000"));
    try (TFloat64 t = (TFloat64) read(bigEndian)) {
      assertThat(StdArrays.array1dCopyOf(t)).containsExactly(1.0, 2.0);
    }
    // np.lib.format.write_array(f, np.array([7, 8], '<i8'), version=(3, 0)): a 4-byte length
    byte[] v3 = hex("934e554d5059030074000000").clone();
    String dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }" + " ".repeat(20);
    byte[] text =
        (dict + " ".repeat(0x74 - dict.length() - 1) + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] data = hex("0700000000000000 0800000000000000");
    byte[] file = new byte[v3.length + text.length + data.length];
    System.arraycopy(v3, 0, file, 0, v3.length);
    System.arraycopy(text, 0, file, v3.length, text.length);
    System.arraycopy(data, 0, file, v3.length + text.length, data.length);
    assertThat((v3.length + text.length) % 64).isZero();
    try (TInt64 t = (TInt64) read(file)) {
      assertThat(StdArrays.array1dCopyOf(t)).containsExactly(7L, 8L);
    }
    file[6] = 2; // version 2.0 has the same layout, latin-1 header
    try (TInt64 t = (TInt64) read(file)) {
      assertThat(StdArrays.array1dCopyOf(t)).containsExactly(7L, 8L);
    }
  }

  @Test
  void readsUnicodeStringsInBothByteOrders() throws IOException {
    // np.save(f, np.array(['hé', 'x'])): '<U2', two UCS-4 code points per element, NUL padded
    byte[] little =
        file(
            "{'descr': '<U2', 'fortran_order': False, 'shape': (2,), }",
            hex("68000000 e9000000 78000000 00000000"));
    byte[] big =
        file(
            "{'descr': '>U2', 'fortran_order': False, 'shape': (2,), }",
            hex("00000068 000000e9 00000078 00000000"));
    for (byte[] f : new byte[][] {little, big}) {
      try (TString t = (TString) read(f)) {
        assertThat(t.shape()).isEqualTo(Shape.of(2));
        assertThat(t.getObject(0)).isEqualTo("hé");
        assertThat(t.getObject(1)).isEqualTo("x");
      }
    }
  }

  @Test
  void readsNumpyFilesFromTheSharedKerasCases() throws IOException {
    // Values printed by numpy: np.load(f).ravel()[:3] and [-1]; dtype float32, shape (2, 16).
    Path f = TestData.path("keras/cases/dl4j-ReLU_0/inputs/0_dense_input.npy");
    try (TFloat32 t = (TFloat32) Npy.read(f)) {
      assertThat(t.shape()).isEqualTo(Shape.of(2, 16));
      assertThat(t.getFloat(0, 0)).isEqualTo(0.7169471383094788f);
      assertThat(t.getFloat(0, 2)).isEqualTo(0.4143510162830353f);
      assertThat(t.getFloat(1, 15)).isEqualTo(0.6039072275161743f);
    }
    // float64 (5, 10, 10, 3); numpy: a.sum() = 766.4963300914035,
    // a.ravel()[-1] = 0.5181752431585356
    Path d = TestData.path("keras/cases/dl4j-cnn_batch_norm/inputs/0_conv2d_1_input.npy");
    try (TFloat64 t = (TFloat64) Npy.read(d)) {
      assertThat(t.shape()).isEqualTo(Shape.of(5, 10, 10, 3));
      assertThat(t.getDouble(4, 9, 9, 2)).isEqualTo(0.5181752431585356);
      double[] sum = {0};
      t.scalars().forEach(s -> sum[0] += s.getDouble());
      assertThat(sum[0]).isCloseTo(766.4963300914035, within(1e-9));
    }
  }

  @Test
  void unsupportedDtypesNameTheFileTheDtypeAndTheSupportedOnes() {
    for (String descr : new String[] {"<c8", "|O", "<f2", "|i1"}) {
      byte[] f =
          file("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (1,), }", new byte[16]);
      assertThatThrownBy(() -> read(f))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("test.npy")
          .hasMessageContaining("dtype '" + descr + "'")
          .hasMessageContaining("Supported dtypes: float32 ('<f4'), float64 ('<f8')");
    }
    byte[] complex = file("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new byte[8]);
    assertThatThrownBy(() -> read(complex)).hasMessageContaining("(complex64)");
    byte[] structured =
        file("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new byte[4]);
    assertThatThrownBy(() -> read(structured))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("a structured dtype");
  }

  @Test
  void fortranOrderIsRefusedWithTheFix() {
    byte[] f = file("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 2), }", new byte[16]);
    assertThatThrownBy(() -> read(f))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("test.npy holds a Fortran-ordered (column-major) array")
        .hasMessageContaining("np.ascontiguousarray");
  }

  @Test
  void damagedFilesAreExplained() {
    assertThatThrownBy(() -> read("not numpy at all".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("test.npy is not a NumPy .npy file");
    byte[] truncated =
        file("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", new byte[10]);
    assertThatThrownBy(() -> read(truncated))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("test.npy is truncated")
        .hasMessageContaining("(16 bytes of data) but only 10 bytes follow");
    byte[] version = file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]);
    version[6] = 4;
    assertThatThrownBy(() -> read(version)).hasMessageContaining("format version 4.0");
  }

  @Test
  void writingAnUnsupportedTypeIsRefusedBeforeTheFileIsCreated() {
    Path f = tmp.resolve("h.npy");
    try (var t = org.tensorflow.types.TFloat16.scalarOf(1f)) {
      assertThatThrownBy(() -> Npy.write(f, t))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Cannot write a DT_HALF tensor as .npy");
    }
    assertThat(f).doesNotExist();
    assertThat(Npy.canWrite(DataType.DT_FLOAT)).isTrue();
    assertThat(Npy.canWrite(DataType.DT_HALF)).isFalse();
  }
}
