package io.estimator4j.savedmodel;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.AssetFileDef;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;

/**
 * Writes SavedModel directories: saved_model.pb with one or more meta graphs (tags, graph, saver,
 * signatures, assets, main op), next to variables/ and assets/ that the caller fills. Exports are
 * atomic: everything is written into a temporary directory that is renamed to its final name at
 * the end, so a failure leaves no half-written export. Java counterpart of
 * tf.compat.v1.saved_model.Builder.
 */
public final class SavedModelWriter {
  /** The collection TensorFlow's loaders run after restoring variables. */
  public static final String MAIN_OP_COLLECTION = SavedModelLoader.MAIN_OP_KEY;

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

    MetaGraphDef toProto() {
      MetaGraphDef.Builder b = MetaGraphDef.newBuilder();
      b.getMetaInfoDefBuilder().addAllTags(tags).setTensorflowVersion(TensorFlow.version())
          .setTensorflowGitVersion("tensorflow-java");
      b.setGraphDef(graphDef);
      if (saverDef != null) {
        b.setSaverDef(saverDef);
      }
      b.putAllSignatureDef(signatures);
      b.addAllAssetFileDef(assets);
      b.putAllCollectionDef(collections);
      if (mainOp != null) {
        b.putCollectionDef(MAIN_OP_COLLECTION, CollectionDef.newBuilder()
            .setNodeList(CollectionDef.NodeList.newBuilder().addValue(mainOp)).build());
      }
      return b.build();
    }
  }

  /** Writes {@code dir/saved_model.pb}. */
  public static void writeProto(Path dir, List<MetaGraph> metaGraphs) throws IOException {
    SavedModel.Builder model = SavedModel.newBuilder().setSavedModelSchemaVersion(1);
    metaGraphs.forEach(m -> model.addMetaGraphs(m.toProto()));
    try (OutputStream out = Files.newOutputStream(dir.resolve(SavedModelLoader.SAVED_MODEL_PB))) {
      model.build().writeTo(out);
    }
  }

  /** Fills a temporary export directory. */
  @FunctionalInterface
  public interface Contents {
    void writeTo(Path tmpDir) throws IOException;
  }

  /**
   * Creates {@code exportDirBase/<unix seconds>} atomically: {@code contents} writes into
   * {@code exportDirBase/temp-<seconds>}, which is renamed at the end; on failure it is deleted.
   *
   * @return the final export directory
   */
  public static Path exportAtomically(Path exportDirBase, Contents contents) throws IOException {
    if (Files.exists(exportDirBase) && !Files.isDirectory(exportDirBase)) {
      throw new IOException("Export directory base " + exportDirBase
          + " is a file. Fix: pass a directory (it is created if missing).");
    }
    Files.createDirectories(exportDirBase);
    if (!Files.isWritable(exportDirBase)) {
      throw new IOException("Export directory base " + exportDirBase + " is not writable.");
    }
    long seconds = System.currentTimeMillis() / 1000;
    while (Files.exists(exportDirBase.resolve(Long.toString(seconds)))) {
      seconds++;
    }
    Path tmp = exportDirBase.resolve("temp-" + seconds + "-" + System.nanoTime());
    Files.createDirectory(tmp);
    try {
      contents.writeTo(tmp);
      while (true) {
        Path target = exportDirBase.resolve(Long.toString(seconds));
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
          return target;
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
          if (e instanceof AtomicMoveNotSupportedException) {
            throw e;
          }
          seconds++;
        } catch (java.nio.file.DirectoryNotEmptyException e) {
          seconds++;
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      deleteRecursively(tmp);
      throw e;
    }
  }

  /** Deletes a directory tree; missing is fine. */
  public static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
