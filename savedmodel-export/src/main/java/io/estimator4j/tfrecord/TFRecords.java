package io.estimator4j.tfrecord;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * TFRecord framing helpers: masked CRC32C, record framing and whole-file reading; Java counterpart
 * of TensorFlow's {@code tensorflow/core/lib/io/record_writer.cc} / {@code record_reader.cc}
 * ({@code tf.io.TFRecordWriter}, {@code tf.data.TFRecordDataset}).
 *
 * <p>A record is {@code uint64 length (little-endian) | uint32 masked_crc32c(length) | data |
 * uint32 masked_crc32c(data)}.
 */
public final class TFRecords {

  /** Bytes before the data of a record: length and its checksum. */
  static final int HEADER_BYTES = 12;

  /** Bytes after the data of a record: the data checksum. */
  static final int FOOTER_BYTES = 4;

  private static final int MASK_DELTA = 0xa282ead8;

  /**
   * Compression of a whole TFRecord file; mirrors {@code tf.io.TFRecordCompressionType} (NONE,
   * ZLIB, GZIP).
   */
  public enum Compression {
    /** Plain TFRecord file. */
    NONE,
    /** The whole file is one zlib (RFC 1950) stream. */
    ZLIB,
    /** The whole file is gzip (RFC 1952) compressed. */
    GZIP
  }

  private TFRecords() {}

  /**
   * Returns TensorFlow's masked CRC32C of a byte range: {@code ((crc >>> 15) | (crc << 17)) +
   * 0xa282ead8}.
   */
  public static int maskedCrc32c(byte[] data, int offset, int length) {
    CRC32C crc32c = new CRC32C();
    crc32c.update(data, offset, length);
    int crc = (int) crc32c.getValue();
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  /** Returns one complete TFRecord (header, data, footer) holding {@code data}. */
  public static byte[] frame(byte[] data) {
    if (data == null) {
      throw new IllegalArgumentException("TFRecord data must not be null; pass an empty array.");
    }
    byte[] out = new byte[HEADER_BYTES + data.length + FOOTER_BYTES];
    putLongLE(out, 0, data.length);
    putIntLE(out, 8, maskedCrc32c(out, 0, 8));
    System.arraycopy(data, 0, out, HEADER_BYTES, data.length);
    putIntLE(out, HEADER_BYTES + data.length, maskedCrc32c(data, 0, data.length));
    return out;
  }

  /**
   * Reads every record of a file. A truncated record or a checksum mismatch is an {@link
   * IOException} naming the file and offset; see {@link TFRecordReader}.
   */
  public static List<byte[]> readAll(Path file, Compression compression) throws IOException {
    List<byte[]> records = new ArrayList<>();
    try (TFRecordReader reader = new TFRecordReader(file, compression)) {
      for (Optional<byte[]> r = reader.next(); r.isPresent(); r = reader.next()) {
        records.add(r.get());
      }
    }
    return records;
  }

  /**
   * Counts the records of a file, checking each header (length and its checksum) and that the file
   * holds every record in full; the data is skipped, its checksum not computed. Cheaper than {@link
   * #readAll} for a check that a file is complete and not empty.
   *
   * @throws IOException naming the file and offset for a truncated or damaged record
   */
  public static long count(Path file, Compression compression) throws IOException {
    long n = 0;
    try (TFRecordReader reader = new TFRecordReader(file, compression)) {
      while (reader.skip()) {
        n++;
      }
    }
    return n;
  }

  /** Writes {@code records} to a new (or truncated) TFRecord file. */
  public static void writeAll(Path file, Compression compression, Iterable<byte[]> records)
      throws IOException {
    try (TFRecordWriter writer = new TFRecordWriter(file, compression)) {
      for (byte[] record : records) {
        writer.write(record);
      }
    }
  }

  static InputStream openInput(Path file, Compression compression) throws IOException {
    checkCompression(compression);
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    try {
      if (compression == Compression.NONE || Files.size(file) == 0) {
        return raw; // an empty file holds no records, whatever its compression
      }
      return compression == Compression.ZLIB
          ? new InflaterInputStream(raw)
          : new GZIPInputStream(raw, 1 << 16);
    } catch (java.io.EOFException e) {
      raw.close();
      throw new IOException(
          "Truncated GZIP TFRecord file "
              + file
              + ": it ends inside its gzip"
              + " header. The file is incomplete; restore it or write it again.",
          e);
    } catch (java.util.zip.ZipException e) {
      raw.close();
      throw new IOException(
          file
              + " is not a GZIP file ("
              + e.getMessage()
              + "). Fix: read it"
              + " with the compression it was written with (NONE or ZLIB).",
          e);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  static OutputStream openOutput(Path file, Compression compression) throws IOException {
    OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
    try {
      return switch (checkCompression(compression)) {
        case NONE -> raw;
        case ZLIB -> new DeflaterOutputStream(raw);
        case GZIP -> new GZIPOutputStream(raw);
      };
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  private static Compression checkCompression(Compression compression) {
    if (compression == null) {
      throw new IllegalArgumentException(
          "TFRecord compression must not be null; use TFRecords.Compression.NONE for plain files.");
    }
    return compression;
  }

  static long getLongLE(byte[] b, int off) {
    return (getIntLE(b, off) & 0xffffffffL) | ((long) getIntLE(b, off + 4) << 32);
  }

  static int getIntLE(byte[] b, int off) {
    return (b[off] & 0xff)
        | (b[off + 1] & 0xff) << 8
        | (b[off + 2] & 0xff) << 16
        | (b[off + 3] & 0xff) << 24;
  }

  private static void putLongLE(byte[] b, int off, long v) {
    putIntLE(b, off, (int) v);
    putIntLE(b, off + 4, (int) (v >>> 32));
  }

  private static void putIntLE(byte[] b, int off, int v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >>> 8);
    b[off + 2] = (byte) (v >>> 16);
    b[off + 3] = (byte) (v >>> 24);
  }
}
