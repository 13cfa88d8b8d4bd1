package io.estimator4j.savedmodel;

import io.estimator4j.metagraph.MetaGraphs;
import io.estimator4j.metagraph.OpDefs;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import org.tensorflow.proto.AssetFileDef;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SignatureDef;

/**
 * Writes SavedModel directories: saved_model.pb with one or more meta graphs (tags, graph, saver,
 * signatures, assets, main op), next to variables/ and assets/ that the caller fills. Writes are
 * atomic: everything is written into a temporary directory that is renamed to its final name at the
 * end, so a failure leaves no half-written SavedModel. Two targets: a versioned export under an
 * export base ({@link #exportAtomically}, as tf.estimator exports) and an explicit new or empty
 * directory ({@link #writeAtomically}, e.g. a TF Serving version directory). Java counterpart of
 * tf.compat.v1.saved_model.Builder.
 */
public final class SavedModelWriter {
  /** The collection TensorFlow's loaders run after restoring variables. */
  public static final String MAIN_OP_COLLECTION = SavedModelLoader.MAIN_OP_KEY;

  /** Python's {@code constants.ASSETS_KEY}: AssetFileDefs packed in Any. */
  public static final String ASSETS_COLLECTION = "saved_model_assets";

  /** Python's {@code GraphKeys.ASSET_FILEPATHS}: the asset path tensors. */
  public static final String ASSET_FILEPATHS_COLLECTION = "asset_filepaths";

  /** Python's {@code constants.TRAIN_OP_KEY}: the train op of a TRAIN meta graph. */
  public static final String TRAIN_OP_COLLECTION = "saved_model_train_op";

  private SavedModelWriter() {}

  /**
   * One meta graph of a SavedModel.
   *
   * @param tags e.g. {"serve"}
   * @param graphDef the graph
   * @param saverDef how to restore variables/variables (filename tensor, restore op)
   * @param signatures signatures by key
   * @param assets asset files the loader feeds into the graph (files must be in assets/)
   * @param mainOp name of an op run after restoring (table initialisers), or null
   * @param collections extra collections (e.g. the train op for TRAIN graphs)
   */
  public record MetaGraph(
      Set<String> tags,
      GraphDef graphDef,
      SaverDef saverDef,
      Map<String, SignatureDef> signatures,
      List<AssetFileDef> assets,
      String mainOp,
      Map<String, CollectionDef> collections) {

    /**
     * The MetaGraphDef as Python's SavedModelBuilder writes it ({@code
     * add_meta_graph_and_variables(..., strip_default_attrs=True)}): meta_info_def with the tags,
     * the stripped op list and {@code stripped_default_attrs}, the graph without default-valued
     * attributes, the saver_def, the signatures, the assets both as {@code asset_file_def} (which
     * TensorFlow 2's loader reads) and as the collections {@code saved_model_assets} (Any of
     * AssetFileDef) and {@code asset_filepaths} (TF1's loaders), the main op as {@code
     * saved_model_main_op}, and the given collections.
     */
    MetaGraphDef toProto() {
      GraphDef stripped = OpDefs.stripDefaultAttrs(graphDef);
      MetaGraphDef.Builder b = MetaGraphDef.newBuilder();
      b.setMetaInfoDef(MetaGraphs.metaInfo(graphDef, tags, true));
      b.setGraphDef(stripped);
      if (saverDef != null) {
        b.setSaverDef(saverDef);
      }
      b.putAllSignatureDef(signatures);
      b.addAllAssetFileDef(assets);
      b.putAllCollectionDef(collections);
      if (!assets.isEmpty()) {
        List<String> tensors = new java.util.ArrayList<>();
        List<com.google.protobuf.Any> packed = new java.util.ArrayList<>();
        for (AssetFileDef a : assets) {
          tensors.add(a.getTensorInfo().getName());
          packed.add(com.google.protobuf.Any.pack(a));
        }
        b.putCollectionDef(ASSET_FILEPATHS_COLLECTION, MetaGraphs.nodeList(tensors));
        b.putCollectionDef(ASSETS_COLLECTION, MetaGraphs.anyList(packed));
      }
      if (mainOp != null) {
        b.putCollectionDef(
            MAIN_OP_COLLECTION,
            CollectionDef.newBuilder()
                .setNodeList(CollectionDef.NodeList.newBuilder().addValue(mainOp))
                .build());
      }
      return b.build();
    }
  }

  /**
   * Writes {@code dir/saved_model.pb} (deterministic serialization, as TensorFlow's C++ writer) and
   * {@code dir/fingerprint.pb} (see {@link Fingerprints}); the variables, if any, must already be
   * in {@code dir/variables}.
   */
  public static void writeProto(Path dir, List<MetaGraph> metaGraphs) throws IOException {
    SavedModel.Builder builder = SavedModel.newBuilder().setSavedModelSchemaVersion(1);
    metaGraphs.forEach(m -> builder.addMetaGraphs(m.toProto()));
    byte[] pb = MetaGraphs.deterministic(builder.build());
    try (OutputStream out = Files.newOutputStream(dir.resolve(SavedModelLoader.SAVED_MODEL_PB))) {
      out.write(pb);
    }
    Fingerprints.write(dir, pb);
  }

  /** Fills a temporary export directory. */
  @FunctionalInterface
  public interface Contents {
    void writeTo(Path tmpDir) throws IOException;
  }

  /**
   * Refuses an export directory base that is a file, or under a file, or not writable, before any
   * work is done; {@link #exportAtomically} checks it again.
   *
   * @throws java.nio.file.FileSystemException naming {@code exportDirBase} and the fix
   */
  public static void checkExportDirBase(Path exportDirBase) throws IOException {
    AtomicDirectories.checkExportDirBase(Objects.requireNonNull(exportDirBase, "exportDirBase"));
  }

  /**
   * Refuses an output directory that exists and is not an empty directory, or whose parent is a
   * file or not writable, before any work is done; {@link #writeAtomically} checks it again.
   *
   * @throws FileAlreadyExistsException if {@code outDir} exists and is not an empty directory
   * @throws java.nio.file.FileSystemException naming {@code outDir} and the fix
   */
  public static void checkOutDir(Path outDir) throws IOException {
    AtomicDirectories.checkOutDir(Objects.requireNonNull(outDir, "outDir"));
  }

  /**
   * Creates the versioned export {@code exportDirBase/<unix seconds>} atomically, as
   * Estimator.export_saved_model does: {@code contents} writes into {@code
   * exportDirBase/temp-<seconds>-<pid>-<random>}, which is renamed at the end; on failure it is
   * deleted. The version is the clock's second at the rename, never ahead of it: when that
   * directory exists (an export in the same second), the writer waits for the next second, up to
   * ten times, then fails. Temporary directories a killed process left in the base are removed
   * first (only those older than this JVM whose process is gone).
   *
   * @return the final export directory, {@code exportDirBase} resolved against the version
   * @throws java.nio.file.FileSystemException naming {@code exportDirBase} and the fix when it
   *     cannot be written
   */
  public static Path exportAtomically(Path exportDirBase, Contents contents) throws IOException {
    return exportAtomically(exportDirBase, contents, System::currentTimeMillis, Thread::sleep);
  }

  /** {@link #exportAtomically(Path, Contents)} on this clock, pausing with this sleeper. */
  static Path exportAtomically(
      Path exportDirBase,
      Contents contents,
      LongSupplier clockMillis,
      AtomicDirectories.Sleeper sleeper)
      throws IOException {
    Objects.requireNonNull(exportDirBase, "exportDirBase");
    return AtomicDirectories.exportVersioned(exportDirBase, contents, clockMillis, sleeper);
  }

  /**
   * Creates the SavedModel directory {@code outDir}, which must be new or empty, atomically: {@code
   * contents} writes into a temporary sibling {@code .<name>.tmp-<pid>-<random>}, which is renamed
   * to {@code outDir} at the end; on failure it is deleted. Temporary siblings a killed process
   * left beside {@code outDir} are removed first, as for {@link #exportAtomically}.
   *
   * @return {@code outDir}
   * @throws FileAlreadyExistsException if {@code outDir} exists and is not an empty directory
   * @throws java.nio.file.FileSystemException naming {@code outDir} and the fix when it cannot be
   *     written
   */
  public static Path writeAtomically(Path outDir, Contents contents) throws IOException {
    return AtomicDirectories.writeTo(Objects.requireNonNull(outDir, "outDir"), contents);
  }

  /** Deletes a directory tree; missing is fine. */
  public static void deleteRecursively(Path dir) throws IOException {
    AtomicDirectories.deleteRecursively(dir);
  }
}
