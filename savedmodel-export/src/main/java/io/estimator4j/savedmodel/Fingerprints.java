package io.estimator4j.savedmodel;

import io.estimator4j.metagraph.MetaGraphs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FingerprintDef;
import org.tensorflow.proto.FunctionDefLibrary;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.VersionDef;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * {@code fingerprint.pb} as TensorFlow 2.12+ writes it
 * (tensorflow/cc/saved_model/fingerprinting.cc, {@code CreateFingerprintDef}): FarmHash
 * Fingerprint64 of the SavedModel, of the regularized graph (graph_def_program_hash, checked
 * against a file TensorFlow 2.14 wrote), of the signatures, of the checkpoint index; the
 * object-graph hash is 0 for a SavedModel without one (as the TF1 builder writes).
 */
public final class Fingerprints {
  /** The file name TensorFlow reads. */
  public static final String FILENAME = "fingerprint.pb";

  private static final long K_MUL = 0xc6a4a7935bd1e995L;

  private Fingerprints() {}

  /**
   * The fingerprint of the SavedModel in {@code dir} whose saved_model.pb holds {@code
   * savedModelPb}.
   *
   * @throws IOException if variables/variables.index exists but cannot be read, or the bytes are no
   *     SavedModel
   */
  public static FingerprintDef of(Path dir, byte[] savedModelPb) throws IOException {
    SavedModel model = SavedModel.parseFrom(savedModelPb);
    Path index = dir.resolve("variables").resolve("variables.index");
    byte[] indexBytes = Files.isRegularFile(index) ? Files.readAllBytes(index) : null;
    List<byte[]> inputs = new ArrayList<>();
    // the checksum of the file's bytes, as TensorFlow 2.14 computed it (measured on a TF file)
    inputs.add(savedModelPb);
    GraphDef graph =
        model.getMetaGraphsCount() == 0
            ? GraphDef.getDefaultInstance()
            : model.getMetaGraphs(0).getGraphDef();
    inputs.add(MetaGraphs.deterministic(regularize(graph)));
    Map<String, SignatureDef> signatures =
        new TreeMap<>(
            model.getMetaGraphsCount() == 0
                ? Map.of()
                : model.getMetaGraphs(0).getSignatureDefMap());
    for (Map.Entry<String, SignatureDef> e : signatures.entrySet()) {
      inputs.add(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      inputs.add(MetaGraphs.deterministic(e.getValue()));
    }
    if (indexBytes != null) {
      inputs.add(indexBytes);
    }
    long[] h = fingerprint64(inputs);
    long signatureHash = 0;
    for (int i = 0; i < signatures.size(); i++) {
      signatureHash = fingerprintCat64(signatureHash, h[2 + 2 * i]);
      signatureHash = fingerprintCat64(signatureHash, h[3 + 2 * i]);
    }
    return FingerprintDef.newBuilder()
        .setSavedModelChecksum(h[0])
        .setGraphDefProgramHash(h[1])
        .setSignatureDefHash(signatureHash)
        .setSavedObjectGraphHash(0)
        .setCheckpointHash(indexBytes == null ? 0 : h[h.length - 1])
        .setVersion(VersionDef.newBuilder().setProducer(1))
        .build();
  }

  /** Writes {@code dir/fingerprint.pb} for the saved_model.pb bytes written there. */
  public static void write(Path dir, byte[] savedModelPb) throws IOException {
    Files.write(dir.resolve(FILENAME), MetaGraphs.deterministic(of(dir, savedModelPb)));
  }

  /**
   * graph_regularization::SimpleDelete (tensorflow/core/graph/regularization/simple_delete.cc): the
   * UID suffix of (Stateful)PartitionedCall functions and their config_proto dropped, string
   * constants' values cleared, library and versions cleared. The C++ code clears those two through
   * {@code mutable_library()->Clear()} and {@code mutable_versions()->Clear()}, which leaves both
   * fields present but empty, so the hashed bytes hold an empty field 2 and field 4 after the nodes
   * (Java's clearLibrary() would drop them and change the hash).
   */
  static GraphDef regularize(GraphDef graph) {
    GraphDef.Builder b =
        graph.toBuilder()
            .setLibrary(FunctionDefLibrary.getDefaultInstance())
            .setVersions(VersionDef.getDefaultInstance())
            .clearNode();
    for (NodeDef n : graph.getNodeList()) {
      NodeDef.Builder nb = n.toBuilder();
      if (n.getOp().equals("PartitionedCall") || n.getOp().equals("StatefulPartitionedCall")) {
        AttrValue f = n.getAttrMap().get("f");
        if (f != null && f.hasFunc()) {
          String name = f.getFunc().getName();
          int us = name.lastIndexOf('_');
          if (us >= 0 && name.substring(us + 1).matches("-?\\d+")) {
            name = name.substring(0, us + 1);
          }
          nb.putAttr("f", f.toBuilder().setFunc(f.getFunc().toBuilder().setName(name)).build());
        }
        if (n.getAttrMap().containsKey("config_proto")) {
          nb.putAttr(
              "config_proto",
              n.getAttrMap().get("config_proto").toBuilder()
                  .setS(com.google.protobuf.ByteString.EMPTY)
                  .build());
        }
      }
      if (n.getOp().equals("Const")
          && n.getAttrMap().containsKey("dtype")
          && n.getAttrMap().get("dtype").getType() == DataType.DT_STRING
          && n.getAttrMap().containsKey("value")) {
        nb.putAttr("value", AttrValue.getDefaultInstance());
      }
      b.addNode(nb);
    }
    return b.build();
  }

  /**
   * FarmHash Fingerprint64 of each input, computed by TensorFlow's own Fingerprint op
   * ("farmhash64"; its 8 bytes per row are the little-endian value).
   */
  public static long[] fingerprint64(List<byte[]> inputs) {
    if (inputs.isEmpty()) {
      return new long[0];
    }
    try (Graph g = new Graph();
        Session s = new Session(g);
        TString values =
            TString.tensorOfBytes(NdArrays.vectorOfObjects(inputs.toArray(new byte[0][])))) {
      Ops tf = Ops.create(g);
      var in = tf.placeholder(TString.class);
      var fp = tf.fingerprint(in, tf.constant("farmhash64"));
      try (Result r = s.runner().feed(in, values).fetch(fp).run()) {
        TUint8 bytes = (TUint8) r.get(0);
        long[] out = new long[inputs.size()];
        for (int i = 0; i < out.length; i++) {
          long v = 0;
          for (int k = 7; k >= 0; k--) {
            v = (v << 8) | (bytes.getByte(i, k) & 0xffL);
          }
          out[i] = v;
        }
        return out;
      }
    }
  }

  /** tensorflow/core/platform/fingerprint.h FingerprintCat64. */
  public static long fingerprintCat64(long a, long b) {
    long result = a ^ K_MUL;
    result ^= shiftMix(b * K_MUL) * K_MUL;
    result *= K_MUL;
    result = shiftMix(result) * K_MUL;
    result = shiftMix(result);
    return result;
  }

  private static long shiftMix(long v) {
    return v ^ (v >>> 47);
  }
}
