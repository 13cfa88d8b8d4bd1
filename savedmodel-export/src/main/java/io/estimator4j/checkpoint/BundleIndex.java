package io.estimator4j.checkpoint;

import com.google.protobuf.InvalidProtocolBufferException;
import io.estimator4j.io.Dims;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.BundleHeaderProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * The parsed {@code .index} file of a V2 checkpoint: the {@link BundleHeaderProto} stored under the
 * empty key and one {@link BundleEntryProto} per tensor (TensorFlow's {@code BundleReader}).
 */
final class BundleIndex {

  private final BundleHeaderProto header;
  private final Map<String, VariableInfo> variables;
  private final Map<Integer, Long> shardEnds;

  private BundleIndex(
      BundleHeaderProto header, Map<String, VariableInfo> variables, Map<Integer, Long> shardEnds) {
    this.header = header;
    this.variables = variables;
    this.shardEnds = shardEnds;
  }

  /** Parses {@code indexFile}; every failure is an IOException that names the file. */
  static BundleIndex read(Path indexFile) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(indexFile);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(
          indexFile.toString(),
          null,
          "checkpoint index not found; expected the prefix of an existing checkpoint"
              + " (the path without .index), e.g. /dir/model.ckpt-1000");
    }
    BundleHeaderProto header = null;
    Map<String, VariableInfo> variables = new TreeMap<>();
    Map<Integer, Long> shardEnds = new TreeMap<>();
    for (SsTable.Entry entry : SsTable.entries(indexFile, bytes)) {
      byte[] key = entry.key();
      try {
        if (key.length == 0) {
          header = BundleHeaderProto.parseFrom(entry.value());
        } else if (key[0] != 0) { // Keys of tensor slices start with a 0 byte: skip them.
          String name = new String(key, StandardCharsets.UTF_8);
          BundleEntryProto proto = BundleEntryProto.parseFrom(entry.value());
          variables.put(
              name,
              new VariableInfo(
                  name,
                  proto.getDtype(),
                  dims(proto.getShape(), "the shape of '" + name + "' in " + indexFile)));
          shardEnds.merge(proto.getShardId(), proto.getOffset() + proto.getSize(), Math::max);
        }
      } catch (InvalidProtocolBufferException e) {
        throw new IOException(
            "Not a readable TensorFlow checkpoint index: "
                + indexFile
                + ": the value of key '"
                + new String(key, StandardCharsets.UTF_8)
                + "' is not a BundleEntryProto ("
                + e.getMessage()
                + ")",
            e);
      }
    }
    if (header == null) {
      throw new IOException(
          "Not a readable TensorFlow checkpoint index: "
              + indexFile
              + ": it has no BundleHeaderProto under the empty key, which every V2 checkpoint"
              + " index starts with");
    }
    return new BundleIndex(
        header, Collections.unmodifiableMap(variables), Collections.unmodifiableMap(shardEnds));
  }

  /** The dimensions of a stored shape, through the checked reader. */
  private static long[] dims(TensorShapeProto shape, String what) throws IOException {
    long[] dims = new long[shape.getDimCount()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shape.getDim(i).getSize();
    }
    try {
      Dims.checkShape(
          dims,
          false,
          what,
          "Fix: the checkpoint index is damaged; restore the"
              + " checkpoint from a copy or train again.");
    } catch (IllegalArgumentException e) {
      throw new IOException("Not a readable TensorFlow checkpoint index: " + e.getMessage(), e);
    }
    return dims;
  }

  BundleHeaderProto header() {
    return header;
  }

  /**
   * The bytes each data shard must hold at least: the end of its last tensor, by shard id; shards
   * holding no tensor are absent.
   */
  Map<Integer, Long> shardEnds() {
    return shardEnds;
  }

  /** Tensors by name, sorted, unmodifiable. */
  Map<String, VariableInfo> variables() {
    return variables;
  }
}
