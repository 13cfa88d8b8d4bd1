package io.estimator4j.io;

import static io.estimator4j.testing.Corpus.fails;
import static io.estimator4j.testing.Corpus.succeeds;
import static io.estimator4j.testing.Corpus.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.npy.Npy;
import io.estimator4j.savedmodel.LoadedSavedModel;
import io.estimator4j.savedmodel.SavedModelLoader;
import io.estimator4j.testing.Corpus;
import io.estimator4j.testing.TestData;
import io.estimator4j.tfrecord.Examples;
import io.estimator4j.tfrecord.TFRecords;
import io.estimator4j.tfrecord.TFRecords.Compression;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.Example;
import org.tensorflow.types.TFloat32;

/**
 * The malformed-input corpus of savedmodel-export's readers: .npy files, TFRecord files (plain,
 * GZIP, ZLIB), tf.Example JSON and SavedModel directories. Every case ends in the exact exception
 * kind with a message that says what is wrong, or in the correct result.
 */
class MalformedInputCorpusTest {

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void endsInACleanErrorOrTheRightResult(Corpus.Case c) throws Exception {
    Corpus.run(c, dir);
  }

  static Stream<Corpus.Case> cases() {
    List<Corpus.Case> all = new ArrayList<>();
    all.addAll(npy());
    all.addAll(tfRecord());
    all.addAll(exampleJson());
    all.addAll(savedModel());
    all.addAll(checkpoint());
    return all.stream();
  }

  // ------------------------------------------------------------------------------------ .npy

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  /** A version 1.0 .npy file with this header dict and data. */
  static byte[] npy(String dict, byte[] data) {
    return npy(1, dict, data);
  }

  static byte[] npy(int major, String dict, byte[] data) {
    byte[] text = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(MAGIC);
    out.write(major);
    out.write(0);
    if (major == 1) {
      out.write(text.length & 0xff);
      out.write(text.length >>> 8);
    } else {
      out.writeBytes(
          ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(text.length).array());
    }
    out.writeBytes(text);
    out.writeBytes(data);
    return out.toByteArray();
  }

  static String dict(String descr, String shape) {
    return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  }

  private static Corpus.Action readNpy(byte[] bytes) {
    return d -> Npy.read(write(d, "x.npy", bytes));
  }

  static List<Corpus.Case> npy() {
    byte[] twoFloats =
        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).array();
    return List.of(
        fails(
            "npy",
            "empty file",
            IOException.class,
            readNpy(new byte[0]),
            "is not a NumPy .npy file",
            "Fix: write it with numpy.save"),
        fails(
            "npy",
            "wrong magic",
            IOException.class,
            readNpy("NOTNUMPY\u0001\u0000".getBytes(StandardCharsets.ISO_8859_1)),
            "is not a NumPy .npy file"),
        fails(
            "npy",
            "magic only, then the file ends",
            IOException.class,
            readNpy(MAGIC),
            "is truncated: its .npy header is incomplete"),
        fails(
            "npy",
            "format version 4.0",
            IOException.class,
            readNpy(npy(4, dict("<f4", "(2,)"), twoFloats)),
            "format version 4.0",
            "versions 1.0, 2.0 and 3.0"),
        fails(
            "npy",
            "header length beyond the file",
            IOException.class,
            readNpy(Arrays.copyOf(npy(dict("<f4", "(2,)"), twoFloats), 30)),
            "is truncated: its .npy header is incomplete"),
        fails(
            "npy",
            "version 2 header of 4 GB",
            IOException.class,
            readNpy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, -16, -1, -1, -1}),
            "declares a header of 4294967280 bytes"),
        fails(
            "npy",
            "shape whose element count overflows",
            IOException.class,
            readNpy(npy(dict("<f4", "(4611686018427387904, 4)"), twoFloats)),
            "has shape [4611686018427387904, 4], whose element count overflows 64 bits",
            "write the array again with numpy.save"),
        fails(
            "npy",
            "dimension beyond 64 bits",
            IOException.class,
            readNpy(npy(dict("<f4", "(99999999999999999999999,)"), twoFloats)),
            "the dimension 99999999999999999999999, beyond the 64-bit range"),
        fails(
            "npy",
            "negative dimension",
            IOException.class,
            readNpy(npy(dict("<f4", "(-2,)"), twoFloats)),
            "where a dimension was expected"),
        fails(
            "npy",
            "shape declaring 2.4 GB",
            IOException.class,
            d ->
                Corpus.withProperty(
                    Dims.MAX_BYTES_PROPERTY,
                    "100g",
                    readNpy(npy(dict("<f4", "(600000000,)"), twoFloats)),
                    d),
            "holds 2400000000 bytes of data; arrays of more than 2 GiB are not supported"),
        fails(
            "npy",
            "shape beyond the byte limit",
            IOException.class,
            d ->
                Corpus.withProperty(
                    Dims.MAX_BYTES_PROPERTY,
                    "1m",
                    readNpy(npy(dict("<f8", "(1000, 1000)"), twoFloats)),
                    d),
            "takes 1000000 elements of 8 bytes (7.6 MiB), more than the limit of 1.0 MiB",
            "-De4j.maxBytes=1m"),
        fails(
            "npy",
            "data shorter than the shape",
            IOException.class,
            readNpy(npy(dict("<f4", "(10,)"), twoFloats)),
            "is truncated",
            "40 bytes of data) but only 8 bytes follow"),
        fails(
            "npy",
            "float16 dtype",
            IOException.class,
            readNpy(npy(dict("<f2", "(2,)"), twoFloats)),
            "'<f2' (float16)",
            "not supported"),
        fails(
            "npy",
            "string length beyond any int",
            IOException.class,
            readNpy(npy(dict("<U99999999999", "(1,)"), twoFloats)),
            "'<U99999999999'",
            "not supported"),
        fails(
            "npy",
            "strings of length 0",
            IOException.class,
            readNpy(npy(dict("|S0", "(5,)"), new byte[0])),
            "strings of length 0"),
        fails(
            "npy",
            "Fortran order",
            IOException.class,
            readNpy(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", twoFloats)),
            "Fortran-ordered"),
        fails(
            "npy",
            "header without shape",
            IOException.class,
            readNpy(npy("{'descr': '<f4', 'fortran_order': False, }", twoFloats)),
            "incomplete .npy header"),
        fails(
            "npy",
            "header that is a list",
            IOException.class,
            readNpy(npy("[1, 2]", twoFloats)),
            "malformed .npy header"),
        fails(
            "npy",
            "unicode data that is no code point",
            IOException.class,
            readNpy(npy(dict("<U1", "(1,)"), new byte[] {-1, -1, -1, 127})),
            "is not a Unicode code point"),
        succeeds(
            "npy",
            "good float32 vector",
            readNpy(npy(dict("<f4", "(2,)"), twoFloats)),
            r -> {
              TFloat32 t = (TFloat32) r;
              assertThat(t.shape()).isEqualTo(Shape.of(2));
              assertThat(t.getFloat(0)).isEqualTo(1.5f);
              assertThat(t.getFloat(1)).isEqualTo(-2f);
            }));
  }

  // ------------------------------------------------------------------------------------ TFRecord

  private static Corpus.Action readRecords(byte[] bytes, Compression compression) {
    return d -> TFRecords.readAll(write(d, "data.tfrecord", bytes), compression);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** A record header declaring {@code length}, with a correct length checksum. */
  static byte[] header(long length) {
    byte[] h = new byte[12];
    ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN).putLong(length);
    ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN).putInt(8, TFRecords.maskedCrc32c(h, 0, 8));
    return h;
  }

  static byte[] gzip(byte[] bytes) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream z = new GZIPOutputStream(out)) {
        z.write(bytes);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] zlib(byte[] bytes) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater())) {
        z.write(bytes);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Corpus.Case> tfRecord() {
    byte[] one = TFRecords.frame("a".getBytes(StandardCharsets.UTF_8)); // 17 bytes
    byte[] big = TFRecords.frame(new byte[3000]);
    byte[] badLengthCrc = one.clone();
    badLengthCrc[8] ^= 1;
    byte[] badDataCrc = one.clone();
    badDataCrc[16] ^= 1;
    byte[] gzipped = gzip(concat(one, big));
    return List.of(
        succeeds(
            "tfrecord",
            "empty file (no records)",
            readRecords(new byte[0], Compression.NONE),
            r -> assertThat((List<?>) r).isEmpty()),
        fails(
            "tfrecord",
            "file ends inside the first header",
            IOException.class,
            readRecords(Arrays.copyOf(one, 5), Compression.NONE),
            "Truncated TFRecord file",
            "data.tfrecord: it ends inside the header of a record (5 of 12 bytes) at byte"
                + " offset 0"),
        fails(
            "tfrecord",
            "file ends inside the second header",
            IOException.class,
            readRecords(concat(one, Arrays.copyOf(one, 7)), Compression.NONE),
            "ends inside the header of a record (7 of 12 bytes) at byte offset 17"),
        fails(
            "tfrecord",
            "file ends inside the data",
            IOException.class,
            readRecords(concat(one, Arrays.copyOf(big, 100)), Compression.NONE),
            "ends inside the data of a record (88 of 3000 bytes) at byte offset 17"),
        fails(
            "tfrecord",
            "file ends inside the data checksum",
            IOException.class,
            readRecords(Arrays.copyOf(one, 15), Compression.NONE),
            "ends inside the data checksum of a record (2 of 4 bytes) at byte offset 0"),
        fails(
            "tfrecord",
            "length checksum mismatch",
            IOException.class,
            readRecords(badLengthCrc, Compression.NONE),
            "at offset 0: length checksum mismatch"),
        fails(
            "tfrecord",
            "data checksum mismatch",
            IOException.class,
            readRecords(badDataCrc, Compression.NONE),
            "at offset 0: data checksum mismatch"),
        fails(
            "tfrecord",
            "record length of 2^62 bytes",
            IOException.class,
            readRecords(header(1L << 62), Compression.NONE),
            "record length 4611686018427387904 is larger than Java can hold"),
        fails(
            "tfrecord",
            "record length beyond the byte limit",
            IOException.class,
            d ->
                Corpus.withProperty(
                    Dims.MAX_BYTES_PROPERTY,
                    "1k",
                    readRecords(concat(header(1_000_000), new byte[10]), Compression.NONE),
                    d),
            "Record at offset 0 of",
            "takes 1000000 bytes",
            "more than the limit of 1.0 KiB"),
        fails(
            "tfrecord",
            "a GZIP file read as plain",
            IOException.class,
            readRecords(gzipped, Compression.NONE),
            "length checksum mismatch"),
        succeeds(
            "tfrecord",
            "GZIP: two records",
            readRecords(gzipped, Compression.GZIP),
            r -> assertThat((List<?>) r).hasSize(2)),
        succeeds(
            "tfrecord",
            "GZIP: empty file",
            readRecords(new byte[0], Compression.GZIP),
            r -> assertThat((List<?>) r).isEmpty()),
        fails(
            "tfrecord",
            "GZIP: ends inside a record header",
            IOException.class,
            readRecords(gzip(concat(one, Arrays.copyOf(one, 5))), Compression.GZIP),
            "ends inside the header of a record (5 of 12 bytes) at uncompressed offset 17"),
        fails(
            "tfrecord",
            "GZIP: compressed stream cut short",
            IOException.class,
            readRecords(Arrays.copyOf(gzipped, gzipped.length - 20), Compression.GZIP),
            "Truncated TFRecord file",
            "at uncompressed offset 17"),
        fails(
            "tfrecord",
            "GZIP: file ends inside the gzip header",
            IOException.class,
            readRecords(Arrays.copyOf(gzipped, 5), Compression.GZIP),
            "ends inside its gzip header"),
        fails(
            "tfrecord",
            "GZIP: not gzip at all",
            IOException.class,
            readRecords(one, Compression.GZIP),
            "is not a GZIP file (Not in GZIP format)"),
        fails(
            "tfrecord",
            "ZLIB: damaged compressed data",
            IOException.class,
            readRecords(new byte[] {0x78, (byte) 0x9c, -1, -1, -1, -1, -1, -1}, Compression.ZLIB),
            "Corrupt ZLIB-compressed TFRecord file",
            "near uncompressed offset 0"),
        succeeds(
            "tfrecord",
            "count: GZIP, two records",
            d -> TFRecords.count(write(d, "data.tfrecord", gzipped), Compression.GZIP),
            r -> assertThat((Long) r).isEqualTo(2L)),
        fails(
            "tfrecord",
            "count: file ends inside the data",
            IOException.class,
            d ->
                TFRecords.count(
                    write(d, "data.tfrecord", concat(one, Arrays.copyOf(big, 100))),
                    Compression.NONE),
            "ends inside the data of a record (88 of 3000 bytes) at byte offset 17"),
        fails(
            "tfrecord",
            "count: file ends inside the data checksum",
            IOException.class,
            d ->
                TFRecords.count(
                    write(d, "data.tfrecord", Arrays.copyOf(one, 14)), Compression.NONE),
            "ends inside the data checksum of a record (1 of 4 bytes) at byte offset 0"),
        fails(
            "tfrecord",
            "ZLIB: ends inside a record header",
            IOException.class,
            readRecords(zlib(Arrays.copyOf(one, 3)), Compression.ZLIB),
            "ends inside the header of a record (3 of 12 bytes) at uncompressed offset 0"));
  }

  // ------------------------------------------------------------------------- tf.Example JSON

  private static Corpus.Action examples(String json) {
    return d -> Examples.fromJson(json);
  }

  static List<Corpus.Case> exampleJson() {
    Class<IllegalArgumentException> iae = IllegalArgumentException.class;
    return List.of(
        fails("example-json", "empty text", iae, examples(""), "Expected one JSON value"),
        fails("example-json", "not JSON", iae, examples("{x: [1.0]"), "Not valid JSON"),
        fails(
            "example-json",
            "a dictionary, not a list",
            iae,
            examples("{\"x\": [1.0]}"),
            "must be a list of dictionaries"),
        fails("example-json", "a list of numbers", iae, examples("[1, 2]"), "element 0 is 1"),
        fails(
            "example-json",
            "an empty list",
            iae,
            examples("[]"),
            "is an empty list",
            "give at least one dictionary"),
        fails(
            "example-json",
            "a value that is not a list",
            iae,
            examples("[{\"x\": 1.0}]"),
            "Feature value must be a list",
            "Fix: write [1.0]"),
        fails(
            "example-json",
            "an empty feature list",
            iae,
            examples("[{\"x\": []}]"),
            "Feature 'x' has an empty list"),
        fails(
            "example-json",
            "mixed types",
            iae,
            examples("[{\"x\": [1.0, \"a\"]}]"),
            "Feature 'x' is a list of floats",
            "\"a\" (a string)"),
        fails(
            "example-json",
            "an integer beyond int64",
            iae,
            examples("[{\"x\": [99999999999999999999]}]"),
            "does not fit in an int64"),
        fails(
            "example-json",
            "a float beyond float32",
            iae,
            examples("[{\"x\": [1e39]}]"),
            "1.0E39 does not fit in a float32"),
        fails(
            "example-json",
            "null values",
            iae,
            examples("[{\"x\": [null]}]"),
            "Type null of value null (feature 'x') is not supported"),
        fails(
            "example-json",
            "nested lists",
            iae,
            examples("[{\"x\": [[1.0]]}]"),
            "Type a list of value [1.0]"),
        fails(
            "example-json",
            "nesting 2000 deep",
            iae,
            examples("[".repeat(2000) + "]".repeat(2000)),
            "Not valid JSON",
            "nesting depth"),
        fails(
            "example-json",
            "trailing text",
            iae,
            examples("[{\"x\": [1.0]}] extra"),
            "Not valid JSON",
            "Unrecognized token 'extra'"),
        succeeds(
            "example-json",
            "two good examples",
            examples("[{\"x\": [1.0], \"n\": [3], \"s\": ['a']}, {'x': [2.5]}]"),
            r -> {
              @SuppressWarnings("unchecked")
              List<byte[]> out = (List<byte[]>) r;
              assertThat(out).hasSize(2);
              try {
                Example e = Example.parseFrom(out.get(1));
                assertThat(e.getFeatures().getFeatureMap().get("x").getFloatList().getValue(0))
                    .isEqualTo(2.5f);
              } catch (IOException e) {
                throw new AssertionError(e);
              }
            }));
  }

  // --------------------------------------------------------------------------------- checkpoint

  /** The TFX taxi model's model.ckpt-1000 (a V2 checkpoint) copied to {@code d}, damaged. */
  private static Corpus.Action openCheckpoint(Damage damage) {
    return d -> {
      Path source = TestData.path("savedmodels/tfx-chicago-taxi-estimator");
      for (String ext : List.of(".index", ".data-00000-of-00001")) {
        Files.copy(source.resolve("model.ckpt-1000" + ext), d.resolve("model.ckpt-1000" + ext));
      }
      damage.apply(d.resolve("model.ckpt-1000.index"));
      return CheckpointReader.open(d.resolve("model.ckpt-1000").toString());
    };
  }

  /** half_plus_two's variables bundle, whose index TensorFlow 1.x compressed with snappy. */
  private static Corpus.Action openSnappyCheckpoint() {
    return d ->
        CheckpointReader.open(
            TestData.path(HALF_PLUS_TWO).resolve("variables/variables").toString());
  }

  static List<Corpus.Case> checkpoint() {
    return List.of(
        fails(
            "checkpoint",
            "index of garbage",
            IOException.class,
            openCheckpoint(index -> Files.write(index, new byte[100])),
            "Not a readable TensorFlow checkpoint index"),
        fails(
            "checkpoint",
            "empty index",
            IOException.class,
            openCheckpoint(index -> Files.write(index, new byte[0])),
            "Not a readable TensorFlow checkpoint index"),
        fails(
            "checkpoint",
            "index cut short",
            IOException.class,
            openCheckpoint(index -> truncate(index, 100)),
            "Not a readable TensorFlow checkpoint index"),
        fails(
            "checkpoint",
            "snappy-compressed index (TensorFlow 1.x)",
            IOException.class,
            openSnappyCheckpoint(),
            "uses compression type 1 but only type 0"),
        succeeds(
            "checkpoint",
            "the undamaged checkpoint",
            openCheckpoint(index -> {}),
            r -> {
              CheckpointReader c = (CheckpointReader) r;
              assertThat(c.variables()).hasSize(60);
              assertThat(c.readLongs("global_step")).containsExactly(1000L);
            }));
  }

  // --------------------------------------------------------------------------------- SavedModel

  private static final String HALF_PLUS_TWO =
      "savedmodels/tf-serving-saved_model_half_plus_two_cpu/00000123";

  /** Copies half_plus_two into {@code dir/model}, damages it, and loads it. */
  private static Corpus.Action loadDamaged(Damage damage) {
    return d -> {
      Path model = Corpus.copyTree(TestData.path(HALF_PLUS_TWO), d.resolve("model"));
      damage.apply(model);
      return SavedModelLoader.load(model, Set.of("serve"), null);
    };
  }

  @FunctionalInterface
  interface Damage {
    void apply(Path model) throws IOException;
  }

  private static void truncate(Path file, int keep) throws IOException {
    Files.write(file, Arrays.copyOf(Files.readAllBytes(file), keep));
  }

  private static void deleteTree(Path p) throws IOException {
    try (var s = Files.walk(p)) {
      for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  static List<Corpus.Case> savedModel() {
    String data = "variables/variables.data-00000-of-00001";
    return List.of(
        fails(
            "savedmodel",
            "directory that does not exist",
            NoSuchFileException.class,
            d -> SavedModelLoader.load(d.resolve("nope"), Set.of("serve"), null),
            "SavedModel directory does not exist"),
        fails(
            "savedmodel",
            "no saved_model.pb",
            NoSuchFileException.class,
            loadDamaged(m -> Files.delete(m.resolve("saved_model.pb"))),
            "no saved_model.pb in",
            "versioned directory"),
        fails(
            "savedmodel",
            "saved_model.pb of garbage",
            IOException.class,
            loadDamaged(m -> Files.write(m.resolve("saved_model.pb"), new byte[] {-1, -1, 7})),
            "is not a valid SavedModel protocol buffer",
            "export the model again"),
        fails(
            "savedmodel",
            "empty saved_model.pb",
            IOException.class,
            loadDamaged(m -> Files.write(m.resolve("saved_model.pb"), new byte[0])),
            "is not a SavedModel: it holds no meta graph"),
        fails(
            "savedmodel",
            "truncated saved_model.pb",
            IOException.class,
            loadDamaged(m -> truncate(m.resolve("saved_model.pb"), 5000)),
            "is not a valid SavedModel protocol buffer"),
        fails(
            "savedmodel",
            "no variables/ directory",
            IOException.class,
            loadDamaged(m -> deleteTree(m.resolve("variables"))),
            "has no variables/ directory",
            "holds 6 variable(s) ('a', 'b', 'c', ...)",
            "Fix: copy the whole SavedModel directory, variables/ included"),
        fails(
            "savedmodel",
            "no variables.index",
            IOException.class,
            loadDamaged(m -> Files.delete(m.resolve("variables/variables.index"))),
            "has no variables/variables.index"),
        fails(
            "savedmodel",
            "truncated variables data",
            IOException.class,
            loadDamaged(m -> truncate(m.resolve(data), 6)),
            "Could not restore the variables of the SavedModel",
            "damaged or incomplete"),
        fails(
            "savedmodel",
            "missing variables data",
            IOException.class,
            loadDamaged(m -> Files.delete(m.resolve(data))),
            "Could not restore the variables of the SavedModel"),
        fails(
            "savedmodel",
            "variables.index of garbage",
            IOException.class,
            loadDamaged(m -> Files.write(m.resolve("variables/variables.index"), new byte[40])),
            "Could not restore the variables of the SavedModel"),
        fails(
            "savedmodel",
            "wrong tag set",
            IllegalArgumentException.class,
            d -> SavedModelLoader.load(TestData.path(HALF_PLUS_TWO), Set.of("gpu"), null),
            "No meta graph with tags [gpu]",
            "Tag sets present: [serve]"),
        succeeds(
            "savedmodel",
            "the undamaged model",
            loadDamaged(m -> {}),
            r -> {
              LoadedSavedModel m = (LoadedSavedModel) r;
              try (TFloat32 x = TFloat32.tensorOf(Shape.of(1, 1))) {
                x.setFloat(3f, 0, 0);
                Map<String, Tensor> out = m.run("serving_default", Map.of("x", x));
                try (TFloat32 y = (TFloat32) out.get("y")) {
                  // y = 0.5 * 3 + 2 = 3.5
                  assertThat(y.getFloat(0, 0)).isCloseTo(3.5f, within(1e-6f));
                }
              }
            }));
  }
}
