package io.estimator4j.tfrecord;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Sequential reader of a TFRecord file that verifies both checksums of every record; Java
 * counterpart of TensorFlow's {@code io::RecordReader} (behind {@code tf.data.TFRecordDataset}).
 *
 * <p>A truncated final record, as left by a writer that is still running, ends the file without
 * error. A checksum mismatch is an {@link IOException} that names the file and the record offset
 * (in uncompressed bytes). Not thread-safe.
 */
public final class TFRecordReader implements AutoCloseable {

  private final Path file;
  private final InputStream in;
  private final byte[] header = new byte[TFRecords.HEADER_BYTES];
  private final byte[] footer = new byte[TFRecords.FOOTER_BYTES];
  private long offset;
  private boolean done;

  /** Opens {@code file}, decompressing it as {@code compression} says. */
  public TFRecordReader(Path file, TFRecords.Compression compression) throws IOException {
    this.file = file;
    this.in = TFRecords.openInput(file, compression);
  }

  /** Offset, in uncompressed bytes, of the next record to read. */
  public long offset() {
    return offset;
  }

  /** Returns the next record's data, or empty at the end of the file or a truncated record. */
  public Optional<byte[]> next() throws IOException {
    if (done) {
      return Optional.empty();
    }
    try {
      if (!readFully(header)) {
        return end();
      }
      long length = TFRecords.getLongLE(header, 0);
      int lengthCrc = TFRecords.maskedCrc32c(header, 0, 8);
      checkCrc("length", TFRecords.getIntLE(header, 8), lengthCrc);
      if (length < 0 || length > Integer.MAX_VALUE - 16) {
        throw new IOException(
            String.format(
                "Corrupt TFRecord in %s at offset %d: record length %d is larger than Java can"
                    + " hold in one array (at most %d bytes). The file is damaged or is not a"
                    + " TFRecord file.",
                file, offset, length, Integer.MAX_VALUE - 16));
      }
      byte[] data = in.readNBytes((int) length);
      if (data.length < length || !readFully(footer)) {
        return end();
      }
      checkCrc("data", TFRecords.getIntLE(footer, 0), TFRecords.maskedCrc32c(data, 0, data.length));
      offset += TFRecords.HEADER_BYTES + length + TFRecords.FOOTER_BYTES;
      return Optional.of(data);
    } catch (EOFException e) {
      // A compressed stream that ends early: the writer has not finished the file yet.
      return end();
    }
  }

  private Optional<byte[]> end() {
    done = true;
    return Optional.empty();
  }

  /** Reads {@code buffer} completely; false if the stream ended first (a truncated record). */
  private boolean readFully(byte[] buffer) throws IOException {
    return in.readNBytes(buffer, 0, buffer.length) == buffer.length;
  }

  private void checkCrc(String what, int stored, int computed) throws IOException {
    if (stored != computed) {
      throw new IOException(
          String.format(
              "Corrupt TFRecord in %s at offset %d: %s checksum mismatch (expected masked crc32c"
                  + " 0x%08x, found 0x%08x). The file is damaged; restore it from a copy or"
                  + " delete it.",
              file, offset, what, computed, stored));
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
