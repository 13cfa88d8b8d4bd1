package io.estimator4j.savedmodel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * A SavedModel meta graph loaded into a graph and session, run by signature; the counterpart of a
 * SavedModelBundle. Thread-safe for concurrent {@link #run} calls; close it when done.
 */
public final class LoadedSavedModel implements AutoCloseable {
  private final Path dir;
  private final MetaGraphDef metaGraph;
  private final Graph graph;
  private final Session session;
  // Computed once: every run used to copy the signature map and sort the outputs per call.
  private final Map<String, SignatureDef> sortedSignatures;
  private final Map<String, List<Map.Entry<String, TensorInfo>>> sortedOutputs = new HashMap<>();

  LoadedSavedModel(Path dir, MetaGraphDef metaGraph, Graph graph, Session session) {
    this.dir = dir;
    this.metaGraph = metaGraph;
    Map<String, SignatureDef> sigs = new TreeMap<>(metaGraph.getSignatureDefMap());
    sigs.remove(SavedModelLoader.INIT_OP_SIGNATURE_KEY);
    this.sortedSignatures = Collections.unmodifiableMap(sigs);
    sigs.forEach(
        (k, sig) ->
            sortedOutputs.put(k, List.copyOf(new TreeMap<>(sig.getOutputsMap()).entrySet())));
    this.graph = graph;
    this.session = session;
  }

  public Path directory() {
    return dir;
  }

  public MetaGraphDef metaGraph() {
    return metaGraph;
  }

  public Graph graph() {
    return graph;
  }

  public Session session() {
    return session;
  }

  /** Signatures by key, sorted, without the internal init-op signature. */
  public Map<String, SignatureDef> signatures() {
    return new TreeMap<>(sortedSignatures);
  }

  /** The signature of that key; an unknown key fails with the keys available. */
  public SignatureDef signature(String key) {
    SignatureDef s = sortedSignatures.get(key);
    if (s == null) {
      throw new IllegalArgumentException(
          "No signature '"
              + key
              + "' in "
              + dir
              + ". Signatures available: "
              + signatures().keySet());
    }
    return s;
  }

  /**
   * Runs a signature: feeds the inputs by input key (tensors stay owned by the caller) and returns
   * the outputs by output key (the caller closes them).
   */
  public Map<String, Tensor> run(String signatureKey, Map<String, ? extends Tensor> inputs) {
    return run(signatureKey, inputs, null);
  }

  /** Like {@link #run(String, Map)}, fetching only {@code outputKeys} (null = all). */
  public Map<String, Tensor> run(
      String signatureKey, Map<String, ? extends Tensor> inputs, List<String> outputKeys) {
    return run(signatureKey, inputs, outputKeys, true);
  }

  /**
   * Like {@link #run(String, Map, List)}; {@code checkShapes} false checks only dtypes and leaves
   * shapes to the graph, as TF Serving does (a signature's shapes document, the placeholders
   * decide).
   */
  public Map<String, Tensor> run(
      String signatureKey,
      Map<String, ? extends Tensor> inputs,
      List<String> outputKeys,
      boolean checkShapes) {
    return run(signatureKey, inputs, outputKeys, checkShapes, null);
  }

  /**
   * Like {@link #run(String, Map, List, boolean)}, with TensorFlow's per-run {@code options} (null:
   * none), e.g. {@link SavedModelPredictor#IN_CALLER_THREAD}.
   */
  public Map<String, Tensor> run(
      String signatureKey,
      Map<String, ? extends Tensor> inputs,
      List<String> outputKeys,
      boolean checkShapes,
      RunOptions options) {
    SignatureDef sig = signature(signatureKey);
    for (String k : inputs.keySet()) {
      if (!sig.getInputsMap().containsKey(k)) {
        throw new IllegalArgumentException(
            "Signature '"
                + signatureKey
                + "' has no input '"
                + k
                + "'. Its inputs are "
                + new TreeMap<>(sig.getInputsMap()).keySet()
                + ".");
      }
    }
    for (String k : sig.getInputsMap().keySet()) {
      if (!inputs.containsKey(k)) {
        throw new IllegalArgumentException(
            "Signature '"
                + signatureKey
                + "' needs input '"
                + k
                + "' ("
                + describe(sig.getInputsMap().get(k))
                + "); got "
                + inputs.keySet()
                + ".");
      }
    }
    Session.Runner r = session.runner();
    inputs.forEach(
        (k, t) -> {
          TensorInfo info = sig.getInputsMap().get(k);
          if (checkShapes) {
            TensorInfos.checkCompatible(signatureKey, k, info, t);
          } else {
            TensorInfos.checkDtype(signatureKey, k, info, t);
          }
          r.feed(info.getName(), t);
        });
    // Result rejects a tensor fetched twice: fetch each name once.
    List<String> keys = new ArrayList<>();
    Map<String, Integer> slot = new LinkedHashMap<>();
    for (Map.Entry<String, TensorInfo> e : sortedOutputs.get(signatureKey)) {
      if (outputKeys == null || outputKeys.contains(e.getKey())) {
        keys.add(e.getKey());
        if (!slot.containsKey(e.getValue().getName())) {
          slot.put(e.getValue().getName(), slot.size());
          r.fetch(e.getValue().getName());
        }
      }
    }
    if (outputKeys != null) {
      for (String k : outputKeys) {
        if (!sig.getOutputsMap().containsKey(k)) {
          throw new IllegalArgumentException(
              "Signature '"
                  + signatureKey
                  + "' has no output '"
                  + k
                  + "'. Its outputs are "
                  + new TreeMap<>(sig.getOutputsMap()).keySet()
                  + ".");
        }
      }
    }
    if (options != null) {
      r.setOptions(options);
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    Result result = r.run();
    for (String k : keys) {
      out.put(k, result.get(slot.get(sig.getOutputsMap().get(k).getName())));
    }
    return out;
  }

  static String describe(TensorInfo info) {
    return info.getDtype() + " " + TensorInfos.shapeString(info);
  }

  @Override
  public void close() {
    try {
      session.close();
    } finally {
      graph.close();
    }
  }
}
