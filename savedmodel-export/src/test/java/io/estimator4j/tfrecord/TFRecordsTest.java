package io.estimator4j.tfrecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TFRecordsTest {

  @TempDir Path tmp;

  @Test
  void maskedCrc32cMatchesTheHandComputedValue() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    // crc32c("123456789") = 0xE3069283 (the standard check value).
    // (crc >>> 15) = 0x0001C60D; (crc << 17) = 0x25060000; or = 0x2507C60D;
    // + 0xA282EAD8 = 0xC78AB0E5 (mod 2^32).
    assertThat(TFRecords.maskedCrc32c(check, 0, check.length)).isEqualTo(0xC78AB0E5);
  }

  @Test
  void frameLaysOutLengthChecksumsAndData() {
    byte[] framed = TFRecords.frame(new byte[] {7, 8, 9});
    assertThat(framed).hasSize(12 + 3 + 4);
    assertThat(Arrays.copyOfRange(framed, 0, 8)).containsExactly(3, 0, 0, 0, 0, 0, 0, 0);
    assertThat(TFRecords.getIntLE(framed, 8)).isEqualTo(TFRecords.maskedCrc32c(framed, 0, 8));
    assertThat(Arrays.copyOfRange(framed, 12, 15)).containsExactly(7, 8, 9);
    assertThat(TFRecords.getIntLE(framed, 15))
        .isEqualTo(TFRecords.maskedCrc32c(new byte[] {7, 8, 9}, 0, 3));
  }

  @ParameterizedTest
  @EnumSource(TFRecords.Compression.class)
  void roundTripsEveryCompression(TFRecords.Compression compression) throws IOException {
    List<byte[]> records =
        List.of(new byte[0], "a".getBytes(StandardCharsets.UTF_8), new byte[100_000]);
    Path file = tmp.resolve("data.tfrecord");
    TFRecords.writeAll(file, compression, records);
    assertThat(TFRecords.readAll(file, compression)).containsExactlyElementsOf(records);
  }

  @Test
  void truncatedGzipFileIsAnErrorNamingTheFileAndOffset() throws IOException {
    Path file = tmp.resolve("data.tfrecord.gz");
    List<byte[]> records = List.of(new byte[] {1}, new byte[] {2}, new byte[5000]);
    TFRecords.writeAll(file, TFRecords.Compression.GZIP, records);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 12)); // drops the gzip trailer and more
    // records 0 and 1 take 12 + 1 + 4 = 17 bytes each, so the third starts at 34
    assertThatThrownBy(() -> TFRecords.readAll(file, TFRecords.Compression.GZIP))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("Truncated TFRecord file " + file)
        .hasMessageContaining("at uncompressed offset 34");
  }

  @Test
  void aTolerantReaderEndsAtThePartialLastRecord() throws IOException {
    Path file = tmp.resolve("data.tfrecord.gz");
    List<byte[]> records = List.of(new byte[] {1}, new byte[] {2}, new byte[5000]);
    TFRecords.writeAll(file, TFRecords.Compression.GZIP, records);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 12));
    List<byte[]> read = new java.util.ArrayList<>();
    try (TFRecordReader r = new TFRecordReader(file, TFRecords.Compression.GZIP, true)) {
      for (var next = r.next(); next.isPresent(); next = r.next()) {
        read.add(next.get());
      }
    }
    assertThat(read).containsExactlyElementsOf(records.subList(0, 2));
  }

  @Test
  void closedWriterSaysSo() throws IOException {
    Path file = tmp.resolve("x.tfrecord");
    TFRecordWriter writer = new TFRecordWriter(file, TFRecords.Compression.NONE);
    writer.close();
    assertThatThrownBy(() -> writer.write(new byte[1]))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("TFRecordWriter for " + file + " is closed");
  }
}
