package io.estimator4j.tfrecord;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Writes records to a TFRecord file, optionally compressed; Java counterpart of {@code
 * tf.io.TFRecordWriter}. Not thread-safe.
 */
public final class TFRecordWriter implements AutoCloseable {

  private final Path file;
  private final OutputStream out;
  private boolean closed;

  /** Creates (or truncates) {@code file}. */
  public TFRecordWriter(Path file, TFRecords.Compression compression) throws IOException {
    this.file = file;
    this.out = TFRecords.openOutput(file, compression);
  }

  /** Appends one record holding {@code data}. */
  public void write(byte[] data) throws IOException {
    checkOpen();
    out.write(TFRecords.frame(data));
  }

  /** Flushes buffered bytes to the file (a compressed file is complete only after close). */
  public void flush() throws IOException {
    checkOpen();
    out.flush();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("TFRecordWriter for " + file + " is closed");
    }
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      out.close();
    }
  }
}
