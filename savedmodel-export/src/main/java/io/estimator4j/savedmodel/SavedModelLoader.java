package io.estimator4j.savedmodel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.AssetFileDef;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TString;

/**
 * Loads any SavedModel the way TensorFlow's C++ loader (the one TF Serving uses) does: pick the
 * meta graph by tags, import its graph, restore the variables through its SaverDef, feed the asset
 * paths and run the main op (__saved_model_init_op, saved_model_main_op, legacy_init_op, or the
 * table_initializer collection, whose entries may be tensor names like "x:0"). tensorflow-java's
 * SavedModelBundle.load fails on such models (e.g. a tf.estimator + TF Transform export); this one
 * does not.
 */
public final class SavedModelLoader {
  public static final String SAVED_MODEL_PB = "saved_model.pb";
  public static final String INIT_OP_SIGNATURE_KEY = "__saved_model_init_op";
  public static final String MAIN_OP_KEY = "saved_model_main_op";
  public static final String LEGACY_INIT_OP_KEY = "legacy_init_op";
  public static final String TABLE_INITIALIZERS_KEY = "table_initializer";
  public static final String ASSETS_KEY = "saved_model_assets";

  /** Ops that hold a variable's value in a graph. */
  private static final Set<String> VARIABLE_OPS = Set.of("VariableV2", "Variable", "VarHandleOp");

  private SavedModelLoader() {}

  /** Reads and parses {@code dir/saved_model.pb}; clear IOExceptions when missing or corrupt. */
  public static SavedModel readProto(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(
          dir.toString(),
          null,
          "SavedModel directory does not exist. Fix: pass a directory that holds saved_model.pb");
    }
    Path pb = dir.resolve(SAVED_MODEL_PB);
    if (!Files.isRegularFile(pb)) {
      throw new NoSuchFileException(
          pb.toString(),
          null,
          "no saved_model.pb in "
              + dir
              + "; is this the versioned directory (e.g. "
              + dir
              + "/<version>)?");
    }
    try (InputStream in = Files.newInputStream(pb)) {
      SavedModel model = SavedModel.parseFrom(in);
      if (model.getMetaGraphsCount() == 0) {
        throw new IOException(pb + " is not a SavedModel: it holds no meta graph");
      }
      return model;
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IOException(
          pb
              + " is not a valid SavedModel protocol buffer ("
              + e.getMessage()
              + "). The file is corrupt or truncated: export the model again.",
          e);
    }
  }

  /** The meta graph whose tag set equals {@code tags}; the message lists the tag sets present. */
  public static MetaGraphDef metaGraph(SavedModel model, Path dir, Set<String> tags) {
    List<String> available = new ArrayList<>();
    for (MetaGraphDef m : model.getMetaGraphsList()) {
      Set<String> t = new TreeSet<>(m.getMetaInfoDef().getTagsList());
      if (t.equals(new TreeSet<>(tags))) {
        return m;
      }
      available.add(String.join(",", t));
    }
    throw new IllegalArgumentException(
        "No meta graph with tags "
            + new TreeSet<>(tags)
            + " in "
            + dir
            + ". Tag sets present: "
            + available
            + ".");
  }

  /** Loads the meta graph with these tags into a new graph and session. */
  public static LoadedSavedModel load(Path dir, Set<String> tags, ConfigProto config)
      throws IOException {
    SavedModel model = readProto(dir);
    MetaGraphDef meta = metaGraph(model, dir, tags);
    Graph graph = new Graph();
    Session session = null;
    try {
      graph.importGraphDef(meta.getGraphDef());
      session = config == null ? new Session(graph, false) : new Session(graph, false, config);
      // Graphs written by tensorflow-java carry an "Init" op that importGraphDef registers as
      // an initializer; run it first so the session is usable, then restore over it.
      session.initialize();
      restoreVariables(dir, meta, session);
      runMainOp(dir, meta, session, graph);
      return new LoadedSavedModel(dir, meta, graph, session);
    } catch (RuntimeException | IOException e) {
      if (session != null) {
        session.close();
      }
      graph.close();
      throw e;
    }
  }

  private static void restoreVariables(Path dir, MetaGraphDef meta, Session session)
      throws IOException {
    Path variables = dir.resolve("variables");
    Path index = variables.resolve("variables.index");
    if (!meta.hasSaverDef()) {
      return;
    }
    if (!Files.isRegularFile(index)) {
      List<String> names = variableNames(meta);
      if (names.isEmpty()) {
        return; // nothing to restore: TensorFlow writes no variables/ for such graphs
      }
      throw new IOException(
          "The SavedModel "
              + dir
              + " has no "
              + (Files.isDirectory(variables)
                  ? "variables/variables.index"
                  : "variables/ directory")
              + ", but its graph holds "
              + names.size()
              + " variable(s) ("
              + preview(names)
              + ") whose values are saved there, so it cannot run. Fix: copy the whole SavedModel"
              + " directory, variables/ included, or export the model again.");
    }
    String prefix = variables.resolve("variables").toString();
    try (TString p = TString.scalarOf(prefix)) {
      session
          .runner()
          .feed(meta.getSaverDef().getFilenameTensorName(), p)
          .addTarget(TensorNames.opName(meta.getSaverDef().getRestoreOpName()))
          .run();
    } catch (TensorFlowException e) {
      String why =
          e.getMessage() == null
              ? e.getClass().getSimpleName()
              : e.getMessage().strip().lines().findFirst().orElse("");
      throw new IOException(
          "Could not restore the variables of the SavedModel "
              + dir
              + " from "
              + variables
              + ": "
              + why
              + ". The variables files are damaged or incomplete (e.g. a"
              + " truncated variables.data-*); copy or export the model again.",
          e);
    }
  }

  /** The variables of a meta graph's graph (ref and resource variables). */
  private static List<String> variableNames(MetaGraphDef meta) {
    List<String> out = new ArrayList<>();
    for (NodeDef n : meta.getGraphDef().getNodeList()) {
      if (VARIABLE_OPS.contains(n.getOp())) {
        out.add(n.getName());
      }
    }
    return out;
  }

  private static String preview(List<String> names) {
    List<String> shown = names.subList(0, Math.min(3, names.size()));
    return "'" + String.join("', '", shown) + "'" + (names.size() > 3 ? ", ..." : "");
  }

  private static void runMainOp(Path dir, MetaGraphDef meta, Session session, Graph graph) {
    List<String> targets = new ArrayList<>();
    SignatureDef init = meta.getSignatureDefMap().get(INIT_OP_SIGNATURE_KEY);
    if (init != null && init.getOutputsMap().containsKey(INIT_OP_SIGNATURE_KEY)) {
      targets.add(TensorNames.opName(init.getOutputsMap().get(INIT_OP_SIGNATURE_KEY).getName()));
    } else if (meta.getCollectionDefMap().containsKey(MAIN_OP_KEY)) {
      targets.addAll(nodeList(meta, MAIN_OP_KEY));
    } else if (meta.getCollectionDefMap().containsKey(LEGACY_INIT_OP_KEY)) {
      targets.addAll(nodeList(meta, LEGACY_INIT_OP_KEY));
    } else if (meta.getCollectionDefMap().containsKey(TABLE_INITIALIZERS_KEY)) {
      targets.addAll(nodeList(meta, TABLE_INITIALIZERS_KEY));
    }
    if (targets.isEmpty()) {
      return;
    }
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    try {
      for (AssetFileDef asset : assets(meta)) {
        Path file = dir.resolve("assets").resolve(asset.getFilename());
        feeds.put(asset.getTensorInfo().getName(), TString.scalarOf(file.toString()));
      }
      Session.Runner r = session.runner();
      feeds.forEach(r::feed);
      for (String t : targets) {
        if (graph.operation(t) == null) {
          throw new IllegalStateException(
              "The SavedModel's init op '"
                  + t
                  + "' is not in its graph; the export is inconsistent.");
        }
        r.addTarget(t);
      }
      r.run();
    } finally {
      feeds.values().forEach(Tensor::close);
    }
  }

  /** Asset files of a meta graph: asset_file_def, or the TF1 saved_model_assets collection. */
  public static List<AssetFileDef> assets(MetaGraphDef meta) {
    if (meta.getAssetFileDefCount() > 0) {
      return meta.getAssetFileDefList();
    }
    CollectionDef c = meta.getCollectionDefMap().get(ASSETS_KEY);
    List<AssetFileDef> out = new ArrayList<>();
    if (c != null && c.hasAnyList()) {
      for (com.google.protobuf.Any any : c.getAnyList().getValueList()) {
        try {
          out.add(any.unpack(AssetFileDef.class));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          throw new IllegalStateException("Corrupt saved_model_assets collection", e);
        }
      }
    }
    return out;
  }

  private static List<String> nodeList(MetaGraphDef meta, String key) {
    CollectionDef c = meta.getCollectionDefMap().get(key);
    List<String> out = new ArrayList<>();
    if (c.hasNodeList()) {
      c.getNodeList().getValueList().forEach(n -> out.add(TensorNames.opName(n)));
    }
    return out;
  }
}
