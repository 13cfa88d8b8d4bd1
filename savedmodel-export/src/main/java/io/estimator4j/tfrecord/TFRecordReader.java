package io.estimator4j.tfrecord;

import io.estimator4j.io.Dims;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.ZipException;

/**
 * Sequential reader of a TFRecord file that verifies both checksums of every record; Java
 * counterpart of TensorFlow's {@code io::RecordReader} (behind {@code tf.data.TFRecordDataset}).
 *
 * <p>As in TensorFlow ("truncated record at N"), a file that ends inside a record (its header, data
 * or checksum) is an {@link IOException} naming the file and the record's offset, unless the reader
 * was opened to {@linkplain #TFRecordReader(Path, TFRecords.Compression, boolean) tolerate} a
 * partial last record, as TensorBoard does for event files still being written. A checksum
 * mismatch, a length beyond {@link Dims#maxBytes()} and damaged compressed data are IOExceptions
 * naming the file and the record offset (in uncompressed bytes). Not thread-safe.
 */
public final class TFRecordReader implements AutoCloseable {

  private final Path file;
  private final TFRecords.Compression compression;
  private final boolean toleratePartialLastRecord;
  private final InputStream in;
  private final byte[] header = new byte[TFRecords.HEADER_BYTES];
  private final byte[] footer = new byte[TFRecords.FOOTER_BYTES];
  private long offset;
  private boolean done;

  /** Opens {@code file}, decompressing it as {@code compression} says; a partial record fails. */
  public TFRecordReader(Path file, TFRecords.Compression compression) throws IOException {
    this(file, compression, false);
  }

  /**
   * Opens {@code file}, decompressing it as {@code compression} says.
   *
   * @param toleratePartialLastRecord whether a file that ends inside a record simply ends (a file
   *     another process is still writing, such as an event file); otherwise that is an error
   */
  public TFRecordReader(
      Path file, TFRecords.Compression compression, boolean toleratePartialLastRecord)
      throws IOException {
    this(file, compression, toleratePartialLastRecord, 0);
  }

  /**
   * Opens {@code file} and starts reading at {@code startOffset} (in uncompressed bytes), an offset
   * that {@link #offset()} returned earlier: a reader that follows a file being written resumes
   * where the last complete record ended.
   *
   * @param toleratePartialLastRecord whether a file that ends inside a record simply ends
   * @throws IOException if the file cannot be opened or is shorter than {@code startOffset} (it was
   *     replaced or truncated since the offset was taken)
   */
  public TFRecordReader(
      Path file,
      TFRecords.Compression compression,
      boolean toleratePartialLastRecord,
      long startOffset)
      throws IOException {
    if (startOffset < 0) {
      throw new IllegalArgumentException(
          "startOffset must be 0 or an offset returned by offset(); found " + startOffset);
    }
    this.file = file;
    this.compression = compression;
    this.toleratePartialLastRecord = toleratePartialLastRecord;
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

  /**
   * Returns the next record's data, or empty at the end of the file (or at a partial last record
   * when tolerated).
   *
   * @throws IOException naming the file and offset for a truncated or damaged record
   */
  public Optional<byte[]> next() throws IOException {
    if (done) {
      return Optional.empty();
    }
    try {
      long length = readHeader();
      if (length < 0) {
        return Optional.empty();
      }
      byte[] data = in.readNBytes((int) length);
      if (data.length < length) {
        return truncated(
            "inside the data of a record (" + data.length + " of " + length + " bytes)");
      }
      int got = in.readNBytes(footer, 0, footer.length);
      if (got < footer.length) {
        return truncated(
            "inside the data checksum of a record (" + got + " of " + footer.length + " bytes)");
      }
      checkCrc("data", TFRecords.getIntLE(footer, 0), TFRecords.maskedCrc32c(data, 0, data.length));
      offset += TFRecords.HEADER_BYTES + length + TFRecords.FOOTER_BYTES;
      return Optional.of(data);
    } catch (EOFException e) {
      return truncatedStream(e);
    } catch (ZipException e) {
      throw corrupt(e);
    }
  }

  /**
   * Skips the next record, checking its header (length and length checksum) and that the file holds
   * all of it, without reading its data into memory or checking the data checksum.
   *
   * @return false at the end of the file (or at a partial last record when tolerated)
   * @throws IOException naming the file and offset for a truncated or damaged record
   */
  public boolean skip() throws IOException {
    if (done) {
      return false;
    }
    try {
      long length = readHeader();
      if (length < 0) {
        return false;
      }
      long toSkip = length + TFRecords.FOOTER_BYTES;
      long skipped = 0;
      while (skipped < toSkip) {
        long n = in.skip(toSkip - skipped);
        if (n <= 0) {
          if (in.read() < 0) {
            break;
          }
          n = 1;
        }
        skipped += n;
      }
      if (skipped < length) {
        return truncated("inside the data of a record (" + skipped + " of " + length + " bytes)")
            .isPresent();
      }
      if (skipped < toSkip) {
        return truncated(
                "inside the data checksum of a record ("
                    + (skipped - length)
                    + " of "
                    + TFRecords.FOOTER_BYTES
                    + " bytes)")
            .isPresent();
      }
      offset += TFRecords.HEADER_BYTES + toSkip;
      return true;
    } catch (EOFException e) {
      return truncatedStream(e).isPresent();
    } catch (ZipException e) {
      throw corrupt(e);
    }
  }

  /**
   * Reads and checks the next record header: its length, or -1 at the end of the file (or at a
   * partial header when tolerated).
   */
  private long readHeader() throws IOException {
    int got = in.readNBytes(header, 0, header.length);
    if (got == 0) {
      end();
      return -1;
    }
    if (got < header.length) {
      truncated("inside the header of a record (" + got + " of " + header.length + " bytes)");
      return -1;
    }
    long length = TFRecords.getLongLE(header, 0);
    checkCrc("length", TFRecords.getIntLE(header, 8), TFRecords.maskedCrc32c(header, 0, 8));
    if (length < 0 || length > Integer.MAX_VALUE - 16) {
      throw new IOException(
          String.format(
              "Corrupt TFRecord in %s at offset %d: record length %s is larger than Java can"
                  + " hold in one array (at most %d bytes). The file is damaged or is not a"
                  + " TFRecord file.",
              file, offset, Long.toUnsignedString(length), Integer.MAX_VALUE - 16));
    }
    try {
      Dims.checkBytes(length, 1, "Record at offset " + offset + " of " + file, null);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    return length;
  }

  /** A compressed stream that ends before its end marker (InflaterInputStream's EOFException). */
  private Optional<byte[]> truncatedStream(EOFException e) throws IOException {
    return truncated("inside its " + compression + " stream (" + e.getMessage() + ")");
  }

  /** Damaged compressed data. */
  private IOException corrupt(ZipException e) {
    done = true;
    return new IOException(
        String.format(
            "Corrupt %s-compressed TFRecord file %s near uncompressed offset %d: %s. The file"
                + " is damaged, or it is not %s-compressed (check the compression setting).",
            compression, file, offset, e.getMessage(), compression),
        e);
  }

  private Optional<byte[]> end() {
    done = true;
    return Optional.empty();
  }

  private Optional<byte[]> truncated(String where) throws IOException {
    if (toleratePartialLastRecord) {
      return end();
    }
    done = true;
    throw new IOException(
        String.format(
            "Truncated TFRecord file %s: it ends %s at %soffset %d. The file is incomplete"
                + " (a copy or download cut short, or a writer that did not finish); restore it"
                + " or write it again.",
            file,
            where,
            compression == TFRecords.Compression.NONE ? "byte " : "uncompressed ",
            offset));
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
