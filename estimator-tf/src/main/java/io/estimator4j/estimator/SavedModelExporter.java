package io.estimator4j.estimator;

import io.estimator4j.estimator.export.ServingInputReceiver;
import io.estimator4j.estimator.export.ServingInputReceiverFn;
import io.estimator4j.estimator.input.Input;
import io.estimator4j.export.ExportOutput;
import io.estimator4j.export.PredictOutput;
import io.estimator4j.export.SavedModelWriter;
import io.estimator4j.export.SignatureConstants;
import io.estimator4j.export.Signatures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.proto.AssetFileDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TString;

/**
 * Writes a serving SavedModel of an estimator: a PREDICT graph built with the serving receiver,
 * restored from a checkpoint, with tf.estimator's signatures, vocabulary assets and a main op
 * that initialises lookup tables; counterpart of Estimator.export_saved_model.
 */
final class SavedModelExporter {
  private static final Logger LOG = LoggerFactory.getLogger(SavedModelExporter.class);
  static final String MAIN_OP_NAME = "saved_model_main_op";

  private SavedModelExporter() {}

  static Path export(Estimator est, Path exportDirBase, ServingInputReceiverFn receiverFn,
      Map<String, Path> assetsExtra, String checkpointPath) throws IOException {
    String ckpt = checkpointPath != null ? checkpointPath : est.latestCheckpoint().orElseThrow(
        () -> new IllegalStateException("Couldn't find trained model at " + est.modelDir()
            + ". Fix: train the estimator before exporting, or pass a checkpoint path."));
    if (Files.exists(exportDirBase) && !Files.isDirectory(exportDirBase)) {
      throw new IllegalArgumentException("Export directory base " + exportDirBase
          + " is a file. Fix: pass a directory (it is created if missing).");
    }
    for (Map.Entry<String, Path> e : assetsExtra.entrySet()) {
      if (!Files.isRegularFile(e.getValue())) {
        throw new IllegalArgumentException("assets.extra file " + e.getValue() + " (for "
            + e.getKey() + ") does not exist");
      }
    }
    ServingInputReceiver[] receiver = new ServingInputReceiver[1];
    try (ModelGraph mg = est.buildGraph(ModeKeys.PREDICT, ctx -> {
          receiver[0] = receiverFn.build(ctx.tf());
          return Input.featuresOnly(receiver[0].features());
        });
        Session session = SessionStarter.start(mg, est.config(), ckpt, null)) {
      Map<String, SignatureDef> signatures = signatures(mg.spec, receiver[0]);
      Op mainOp = mainOp(mg);
      Map<String, Path> assets = assets(mg, session);
      List<AssetFileDef> assetDefs = new ArrayList<>();
      assets.forEach((tensor, file) -> assetDefs.add(AssetFileDef.newBuilder()
          .setFilename(file.getFileName().toString())
          .setTensorInfo(TensorInfo.newBuilder().setName(tensor)).build()));
      SavedModelWriter.MetaGraph meta = new SavedModelWriter.MetaGraph(
          Set.of(SignatureConstants.SERVING_TAG), mg.graph.toGraphDef(), mg.saver.saverDef(),
          signatures, assetDefs, mainOp == null ? null : mainOp.op().name(), Map.of());
      Path out = SavedModelWriter.exportAtomically(exportDirBase, tmp -> {
        Path vars = Files.createDirectories(tmp.resolve("variables"));
        mg.saver.save(session, vars.resolve("variables").toString());
        if (!assets.isEmpty()) {
          Path dir = Files.createDirectories(tmp.resolve("assets"));
          for (Path f : assets.values()) {
            Files.copy(f, dir.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
          }
        }
        if (!assetsExtra.isEmpty()) {
          Path dir = Files.createDirectories(tmp.resolve("assets.extra"));
          for (Map.Entry<String, Path> e : assetsExtra.entrySet()) {
            Path dest = dir.resolve(e.getKey()).normalize();
            if (!dest.startsWith(dir)) {
              throw new IllegalArgumentException("assets.extra name " + e.getKey() + " escapes assets.extra/");
            }
            Files.createDirectories(dest.getParent());
            Files.copy(e.getValue(), dest);
          }
        }
        SavedModelWriter.writeProto(tmp, List.of(meta));
      });
      LOG.info("SavedModel written to: {}", out);
      return out;
    }
  }

  /** tf.estimator's signatures: each export output over the receiver and its alternatives. */
  static Map<String, SignatureDef> signatures(EstimatorSpec spec, ServingInputReceiver receiver) {
    Map<String, ExportOutput> outputs = new LinkedHashMap<>();
    spec.exportOutputs().forEach((k, v) -> {
      if (!(v instanceof ExportOutput eo)) {
        throw new IllegalArgumentException("Export output '" + k + "' must be a "
            + "ClassificationOutput, RegressionOutput or PredictOutput, got " + v.getClass());
      }
      outputs.put(k, eo);
    });
    if (outputs.isEmpty()) {
      outputs.put(SignatureConstants.DEFAULT_SERVING_SIGNATURE_DEF_KEY,
          new PredictOutput(spec.predictions()));
    }
    Map<String, SignatureDef> sigs = new LinkedHashMap<>();
    addSignatures(sigs, "", receiver.receiverTensors(), outputs);
    receiver.alternatives().forEach((alt, tensors) -> addSignatures(sigs, alt + ":", tensors, outputs));
    if (sigs.isEmpty()) {
      throw new IllegalStateException("No signature could be exported: see the warnings above. "
          + "Fix: use a parsing serving input receiver, or give the model a PredictOutput.");
    }
    return sigs;
  }

  private static void addSignatures(Map<String, SignatureDef> sigs, String prefix,
      Map<String, Operand<?>> receiverTensors, Map<String, ExportOutput> outputs) {
    outputs.forEach((key, out) -> {
      Signatures.Built b = Signatures.build(receiverTensors, out);
      if (b.signature().isPresent()) {
        sigs.put(prefix + key, b.signature().get());
      } else {
        LOG.warn("Signature '{}' not exported: {}.", prefix + key, b.whyNot());
      }
    });
  }

  /** A NoOp that runs the model's local initialisers (lookup tables), or null if none. */
  private static Op mainOp(ModelGraph mg) {
    List<Op> inits = mg.context.localInitOps();
    if (inits.isEmpty()) {
      return null;
    }
    return mg.tf.withControlDependencies(inits).withName(MAIN_OP_NAME).noOp();
  }

  /**
   * Vocabulary files of the graph's text-file table initialisers: tensor name of the file path
   * constant to the file. They become assets the loader feeds with assets/&lt;file&gt;.
   */
  private static Map<String, Path> assets(ModelGraph mg, Session session) {
    Map<String, Path> assets = new LinkedHashMap<>();
    Map<String, String> byName = new HashMap<>();
    for (Iterator<GraphOperation> it = mg.graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      if (!op.type().startsWith("InitializeTableFromTextFile")) {
        continue;
      }
      Operand<?> filename = op.input(1);
      try (var r = session.runner().fetch(filename).run()) {
        Path file = Path.of(((TString) r.get(0)).getObject());
        String base = file.getFileName().toString();
        String previous = byName.putIfAbsent(base, file.toString());
        if (previous != null && !previous.equals(file.toString())) {
          throw new IllegalStateException("Two vocabulary files share the name " + base + " ("
              + previous + ", " + file + "); rename one so both fit in assets/");
        }
        assets.put(filename.asOutput().name(), file);
      }
    }
    return assets;
  }
}
