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
  void readerResumesAtTheOffsetOfATornRecordOnceItIsComplete() throws IOException {
    Path file = tmp.resolve("growing.tfrecord");
    byte[] first = TFRecords.frame(new byte[] {1, 2});
    byte[] second = TFRecords.frame(new byte[] {3, 4, 5});
    // A writer has written the first record and 7 of the second's 12 + 3 + 4 bytes.
    byte[] torn = Arrays.copyOf(first, first.length + 7);
    System.arraycopy(second, 0, torn, first.length, 7);
    Files.write(file, torn);
    long resumeAt;
    try (TFRecordReader reader = new TFRecordReader(file, TFRecords.Compression.NONE, true)) {
      assertThat(reader.next()).hasValueSatisfying(r -> assertThat(r).containsExactly(1, 2));
      assertThat(reader.next()).isEmpty(); // the torn record ends the file, no error
      resumeAt = reader.offset();
    }
    assertThat(resumeAt).isEqualTo(first.length); // 12 + 2 + 4
    byte[] whole = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, whole, first.length, second.length);
    Files.write(file, whole);
    try (TFRecordReader reader =
        new TFRecordReader(file, TFRecords.Compression.NONE, true, resumeAt)) {
      assertThat(reader.next()).hasValueSatisfying(r -> assertThat(r).containsExactly(3, 4, 5));
      assertThat(reader.next()).isEmpty();
      assertThat(reader.offset()).isEqualTo(whole.length);
    }
  }

  @Test
  void resumingPastTheEndOfAShorterFileSaysItWasReplaced() throws IOException {
    Path file = tmp.resolve("short.tfrecord");
    Files.write(file, TFRecords.frame(new byte[] {1}));
    assertThatThrownBy(() -> new TFRecordReader(file, TFRecords.Compression.NONE, true, 1000))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("shorter than the offset 1000")
        .hasMessageContaining("truncated or replaced");
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
