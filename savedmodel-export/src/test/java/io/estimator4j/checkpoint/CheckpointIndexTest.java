package io.estimator4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Error paths of the .index parser, on damaged copies of a real checkpoint index. */
class CheckpointIndexTest {

  @TempDir Path dir;
  private Path prefix;
  private Path index;
  private byte[] bytes;

  @BeforeEach
  void save() throws IOException {
    prefix = dir.resolve("model.ckpt-1");
    TestCheckpoints.save(prefix);
    index = Path.of(prefix + ".index");
    bytes = Files.readAllBytes(index);
  }

  @Test
  void theUndamagedIndexEndsInTheTableMagic() throws IOException {
    // Last 8 bytes, little-endian: 0xdb4775248b80fb57.
    assertThat(Arrays.copyOfRange(bytes, bytes.length - 8, bytes.length))
        .containsExactly(0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb);
    try (CheckpointReader reader = CheckpointReader.open(prefix.toString())) {
      assertThat(reader.variables()).hasSize(5);
    }
  }

  @Test
  void truncatedIndexNamesTheFile() throws IOException {
    Files.write(index, Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> CheckpointReader.open(prefix.toString()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(index.toString())
        .hasMessageContaining("expected the table magic 0xdb4775248b80fb57")
        .hasMessageContaining("truncated");

    Files.write(index, Arrays.copyOf(bytes, 10));
    assertThatThrownBy(() -> CheckpointReader.open(prefix.toString()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(index.toString())
        .hasMessageContaining("truncated: 10 bytes");
  }

  @Test
  void fileThatIsNotAnIndexNamesTheFile() throws IOException {
    Files.writeString(index, "model_checkpoint_path: \"model.ckpt-1\"\n# not an index at all\n");
    assertThatThrownBy(() -> CheckpointReader.open(prefix.toString()))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("Not a readable TensorFlow checkpoint index: " + index)
        .hasMessageContaining("is not a TensorFlow V2 checkpoint index")
        .hasMessageContaining("Pass the prefix of a V2 checkpoint");
  }

  @Test
  void missingIndexNamesTheFile() throws IOException {
    Files.delete(index);
    assertThatThrownBy(() -> CheckpointReader.open(prefix.toString()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(index.toString())
        .hasMessageContaining("checkpoint index not found");
  }

  @Test
  void corruptedBlockFailsItsChecksum() throws IOException {
    bytes[3] ^= 0x40; // Inside the first data block, which starts at offset 0.
    Files.write(index, bytes);
    assertThatThrownBy(() -> CheckpointReader.open(prefix.toString()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(index.toString())
        .hasMessageContaining("checksum mismatch in block at offset 0");
  }

  @Test
  void compressedBlockIsRejectedWithTheFileName() throws IOException {
    // The footer starts with the metaindex and index block handles (varint offset, varint size);
    // the index block's trailer starts with its compression type. 1 = Snappy.
    int[] cursor = {bytes.length - SsTable.FOOTER_LENGTH};
    varint(cursor);
    varint(cursor);
    long offset = varint(cursor);
    long size = varint(cursor);
    bytes[(int) (offset + size)] = 1;
    Files.write(index, bytes);
    assertThatThrownBy(() -> CheckpointReader.open(prefix.toString()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(index.toString())
        .hasMessageContaining("uses compression type 1 but only type 0");
  }

  private long varint(int[] cursor) {
    long value = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = bytes[cursor[0]++];
      value |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return value;
      }
    }
  }
}
