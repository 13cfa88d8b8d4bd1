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
    this(file, compression, 0);
  }

  /**
   * Opens {@code file} and starts reading at {@code startOffset} (in uncompressed bytes), an offset
   * that {@link #offset()} returned earlier: a reader that follows a file being written resumes
   * where the last complete record ended.
   *
   * @throws IOException if the file cannot be opened or is shorter than {@code startOffset} (it was
   *     replaced or truncated since the offset was taken)
   */
  public TFRecordReader(Path file, TFRecords.Compression compression, long startOffset)
      throws IOException {
    if (startOffset < 0) {
      throw new IllegalArgumentException(
          "startOffset must be 0 or an offset returned by offset(); found " + startOffset);
    }
    this.file = file;
    this.in = TFRecords.openInput(file, compression);
    try {
      in.skipNBytes(startOffset);
    } catch (EOFException e) {
      in.close();
      throw new IOException(
          String.format(
              "%s is shorter than the offset %d to resume reading at: the file was truncated or"
                  + " replaced since it was last read. Read it again from the start.",
              file, startOffset),
          e);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
    this.offset = startOffset;
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
