package io.estimator4j.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads every key/value pair of a LevelDB-style sorted string table, the container format of a
 * checkpoint's {@code .index} file (TensorFlow's {@code tensorflow/core/lib/io/table.cc}).
 *
 * <p>Layout: data blocks, a metaindex block, an index block whose values are handles of the data
 * blocks, then a 48-byte footer (two block handles, padding, 8-byte magic). Each block ends with
 * restart offsets and is followed by a 5-byte trailer: compression type and masked CRC32C.
 */
final class SsTable {

  /** The table magic number, stored little-endian in the last 8 bytes of the file. */
  static final long MAGIC = 0xdb4775248b80fb57L;

  static final int FOOTER_LENGTH = 48;
  private static final int TRAILER_LENGTH = 5;
  private static final int NO_COMPRESSION = 0;
  private static final int CRC_MASK_DELTA = 0xa282ead8;

  /** One key/value pair in table order. */
  record Entry(byte[] key, byte[] value) {}

  private final Path file;
  private final byte[] bytes;

  private SsTable(Path file, byte[] bytes) {
    this.file = file;
    this.bytes = bytes;
  }

  /** Returns every entry of the table held in {@code bytes}, in key order. */
  static List<Entry> entries(Path file, byte[] bytes) throws IOException {
    return new SsTable(file, bytes).readAll();
  }

  private List<Entry> readAll() throws IOException {
    if (bytes.length < FOOTER_LENGTH) {
      throw corrupt(
          "it is truncated: "
              + bytes.length
              + " bytes, but a checkpoint index holds at least the "
              + FOOTER_LENGTH
              + "-byte table footer");
    }
    int footer = bytes.length - FOOTER_LENGTH;
    long magic = fixed64(footer + FOOTER_LENGTH - 8);
    if (magic != MAGIC) {
      throw corrupt(
          String.format(
              "its last 8 bytes are 0x%016x, expected the table magic 0x%016x; the file is"
                  + " truncated or is not a TensorFlow V2 checkpoint index",
              magic, MAGIC));
    }
    Cursor footerCursor = new Cursor(footer, footer + FOOTER_LENGTH - 8);
    footerCursor.varint64(); // metaindex handle offset: TensorFlow writes no meta blocks.
    footerCursor.varint64(); // metaindex handle size.
    long indexOffset = footerCursor.varint64();
    long indexSize = footerCursor.varint64();

    List<Entry> result = new ArrayList<>();
    for (Entry indexEntry : block(indexOffset, indexSize)) {
      Cursor handle = new Cursor(indexEntry.value(), 0, indexEntry.value().length);
      long offset = handle.varint64();
      long size = handle.varint64();
      result.addAll(block(offset, size));
    }
    return result;
  }

  /** Decodes the block at {@code offset} holding {@code size} content bytes. */
  private List<Entry> block(long offset, long size) throws IOException {
    if (offset < 0 || size < 4 || offset + size + TRAILER_LENGTH > bytes.length) {
      throw corrupt(
          "a block at offset "
              + offset
              + " with "
              + size
              + " bytes runs past the end of the file ("
              + bytes.length
              + " bytes); the file is truncated or corrupt");
    }
    int start = (int) offset;
    int end = (int) (offset + size);
    int compression = bytes[end] & 0xff;
    if (compression != NO_COMPRESSION) {
      throw new IOException(
          "Cannot read checkpoint index "
              + file
              + ": block at offset "
              + offset
              + " uses compression type "
              + compression
              + " but only type 0 (uncompressed, what TensorFlow writes) is supported."
              + " Re-save the checkpoint with TensorFlow's default options.");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, start, (int) size + 1);
    int expected = unmask((int) fixed32(end + 1));
    if ((int) crc.getValue() != expected) {
      throw corrupt(
          String.format(
              "checksum mismatch in block at offset %d: stored crc32c 0x%08x, computed 0x%08x",
              offset, expected, (int) crc.getValue()));
    }
    long restarts = fixed32(end - 4);
    long entriesEnd = end - 4 - restarts * 4;
    if (restarts < 1 || entriesEnd < start) {
      throw corrupt("block at offset " + offset + " has an invalid restart count " + restarts);
    }
    List<Entry> entries = new ArrayList<>();
    Cursor cursor = new Cursor(start, (int) entriesEnd);
    byte[] lastKey = new byte[0];
    while (cursor.position < entriesEnd) {
      int shared = (int) cursor.varint64();
      int nonShared = (int) cursor.varint64();
      int valueLength = (int) cursor.varint64();
      if (shared > lastKey.length) {
        throw corrupt("block at offset " + offset + " has a key sharing more than its predecessor");
      }
      byte[] key = Arrays.copyOf(lastKey, shared + nonShared);
      System.arraycopy(cursor.take(nonShared), 0, key, shared, nonShared);
      entries.add(new Entry(key, cursor.take(valueLength)));
      lastKey = key;
    }
    return entries;
  }

  private static int unmask(int masked) {
    int rotated = masked - CRC_MASK_DELTA;
    return (rotated >>> 17) | (rotated << 15);
  }

  private long fixed32(int at) {
    return (bytes[at] & 0xffL)
        | (bytes[at + 1] & 0xffL) << 8
        | (bytes[at + 2] & 0xffL) << 16
        | (bytes[at + 3] & 0xffL) << 24;
  }

  private long fixed64(int at) {
    return fixed32(at) | fixed32(at + 4) << 32;
  }

  private IOException corrupt(String detail) {
    return new IOException(
        "Not a readable TensorFlow checkpoint index: "
            + file
            + ": "
            + detail
            + ". Pass the prefix of a V2 checkpoint (e.g. /dir/model.ckpt-1000, whose files are"
            + " model.ckpt-1000.index and model.ckpt-1000.data-00000-of-00001).");
  }

  /** Bounds-checked reader of varints and byte runs over a region of a byte array. */
  private final class Cursor {
    private final byte[] data;
    private int position;
    private final int limit;

    Cursor(int position, int limit) {
      this(bytes, position, limit);
    }

    Cursor(byte[] data, int position, int limit) {
      this.data = data;
      this.position = position;
      this.limit = limit;
    }

    long varint64() throws IOException {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (position >= limit) {
          throw corrupt("a varint runs past the end of its block");
        }
        byte b = data[position++];
        result |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return result;
        }
      }
      throw corrupt("a varint is longer than 10 bytes");
    }

    byte[] take(int length) throws IOException {
      if (length < 0 || length > limit - position) {
        throw corrupt("an entry of " + length + " bytes runs past the end of its block");
      }
      byte[] out = Arrays.copyOfRange(data, position, position + length);
      position += length;
      return out;
    }
  }
}
