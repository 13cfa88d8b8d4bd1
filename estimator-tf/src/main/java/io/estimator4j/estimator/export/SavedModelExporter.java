package io.estimator4j.estimator.export;

import io.estimator4j.checkpoint.FaultPoints;
import io.estimator4j.estimator.impl.ModelDefinition;
import io.estimator4j.estimator.impl.ModelGraph;
import io.estimator4j.estimator.impl.SessionStarter;
import io.estimator4j.estimator.input.Input;
import io.estimator4j.estimator.metrics.Metric;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.graph.GraphCollections;
import io.estimator4j.metagraph.MetaGraphs;
import io.estimator4j.metagraph.OpDefs;
import io.estimator4j.savedmodel.EvalOutput;
import io.estimator4j.savedmodel.ExportOutput;
import io.estimator4j.savedmodel.PredictOutput;
import io.estimator4j.savedmodel.SavedModelWriter;
import io.estimator4j.savedmodel.SignatureConstants;
import io.estimator4j.savedmodel.Signatures;
import io.estimator4j.savedmodel.SupervisedOutput;
import io.estimator4j.savedmodel.TrainOutput;
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
 * restored from a checkpoint, with tf.estimator's signatures, vocabulary assets and a main op that
 * initialises lookup tables; counterpart of Estimator.export_saved_model.
 */
public final class SavedModelExporter {
  private static final Logger LOG = LoggerFactory.getLogger(SavedModelExporter.class);
  static final String MAIN_OP_NAME = "saved_model_main_op";

  private SavedModelExporter() {}

  public static Path export(
      ModelDefinition est,
      Path exportDirBase,
      ServingInputReceiverFn receiverFn,
      Map<String, Path> assetsExtra,
      String checkpointPath)
      throws IOException {
    return export(
        est, exportDirBase, Map.of(ModeKeys.PREDICT, receiverFn), assetsExtra, checkpointPath);
  }

  /**
   * One SavedModel with a meta graph per mode (tags train, eval, serve), as
   * experimental_export_all_saved_models; variables come from the first mode in the order TRAIN,
   * EVAL, PREDICT, whose graph holds them all.
   */
  public static Path export(
      ModelDefinition est,
      Path exportDirBase,
      Map<ModeKeys, ServingInputReceiverFn> receivers,
      Map<String, Path> assetsExtra,
      String checkpointPath)
      throws IOException {
    if (receivers.isEmpty()) {
      throw new IllegalArgumentException("Give at least one mode's input receiver to export");
    }
    String ckpt =
        checkpointPath != null
            ? checkpointPath
            : est.latestCheckpoint()
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            "Couldn't find trained model at "
                                + est.modelDir()
                                + ". Fix: train the estimator before exporting, or pass a checkpoint path."));
    SavedModelWriter.checkExportDirBase(exportDirBase);
    for (Map.Entry<String, Path> e : assetsExtra.entrySet()) {
      if (!Files.isRegularFile(e.getValue())) {
        throw new IllegalArgumentException(
            "assets.extra file " + e.getValue() + " (for " + e.getKey() + ") does not exist");
      }
    }
    List<ModeExport> modes = new ArrayList<>();
    try {
      for (ModeKeys mode : List.of(ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT)) {
        if (receivers.containsKey(mode)) {
          modes.add(ModeExport.build(est, mode, receivers.get(mode), ckpt));
        }
      }
      Map<String, Path> assets = new LinkedHashMap<>();
      for (ModeExport m : modes) {
        for (Path f : m.assets.values()) {
          assets.putIfAbsent(f.getFileName().toString(), f);
        }
      }
      Path out =
          SavedModelWriter.exportAtomically(
              exportDirBase,
              tmp -> {
                Path vars = Files.createDirectories(tmp.resolve("variables"));
                modes
                    .get(0)
                    .mg
                    .saver
                    .save(modes.get(0).session, vars.resolve("variables").toString());
                if (!assets.isEmpty()) {
                  Path dir = Files.createDirectories(tmp.resolve("assets"));
                  for (Path f : assets.values()) {
                    Files.copy(
                        f,
                        dir.resolve(f.getFileName().toString()),
                        StandardCopyOption.REPLACE_EXISTING);
                  }
                }
                if (!assetsExtra.isEmpty()) {
                  Path dir = Files.createDirectories(tmp.resolve("assets.extra"));
                  for (Map.Entry<String, Path> e : assetsExtra.entrySet()) {
                    Path dest = dir.resolve(e.getKey()).normalize();
                    if (!dest.startsWith(dir)) {
                      throw new IllegalArgumentException(
                          "assets.extra name " + e.getKey() + " escapes assets.extra/");
                    }
                    Files.createDirectories(dest.getParent());
                    Files.copy(e.getValue(), dest);
                  }
                }
                FaultPoints.reach(FaultPoints.EXPORT_BEFORE_PROTO);
                SavedModelWriter.writeProto(
                    tmp, modes.stream().map(ModeExport::metaGraph).toList());
              });
      LOG.info("SavedModel written to: {}", out);
      return out;
    } finally {
      modes.forEach(ModeExport::close);
    }
  }

  /** One mode's graph and session, restored, with what its meta graph needs. */
  private static final class ModeExport implements AutoCloseable {
    final ModeKeys mode;
    final ModelGraph mg;
    final Session session;
    final ServingInputReceiver receiver;
    final Map<String, Path> assets;

    private ModeExport(
        ModeKeys mode,
        ModelGraph mg,
        Session session,
        ServingInputReceiver receiver,
        Map<String, Path> assets) {
      this.mode = mode;
      this.mg = mg;
      this.session = session;
      this.receiver = receiver;
      this.assets = assets;
    }

    static ModeExport build(
        ModelDefinition est, ModeKeys mode, ServingInputReceiverFn fn, String ckpt) {
      ServingInputReceiver[] receiver = new ServingInputReceiver[1];
      ModelGraph mg =
          est.buildGraph(
              mode,
              ctx -> {
                receiver[0] = fn.build(ctx.tf());
                if (mode != ModeKeys.PREDICT && receiver[0].labels().isEmpty()) {
                  throw new IllegalArgumentException(
                      "Exporting the "
                          + mode
                          + " graph needs labels: use "
                          + "ServingInputReceivers.rawSupervised(...) for that mode");
                }
                return new Input(receiver[0].features(), receiver[0].labels());
              });
      try {
        Session session = SessionStarter.start(mg, est.config(), ckpt, null);
        return new ModeExport(mode, mg, session, receiver[0], assets(mg, session));
      } catch (RuntimeException e) {
        mg.close();
        throw e;
      }
    }

    SavedModelWriter.MetaGraph metaGraph() {
      Map<String, SignatureDef> sigs =
          mode == ModeKeys.PREDICT ? signatures(mg.spec, receiver) : supervisedSignature();
      Op mainOp = mainOp(mg);
      List<AssetFileDef> assetDefs = new ArrayList<>();
      assets.forEach(
          (tensor, file) ->
              assetDefs.add(
                  AssetFileDef.newBuilder()
                      .setFilename(file.getFileName().toString())
                      .setTensorInfo(TensorInfo.newBuilder().setName(tensor))
                      .build()));
      // the collections Python's export_meta_graph writes: the variables, table_initializer (the
      // lookup tables' init ops), and for TRAIN the train op (train_op, and saved_model_train_op
      // as the builder adds it). TensorFlow's C++ loader ignores table_initializer and runs the
      // main op (saved_model_main_op) with the asset paths fed; tensorflow-java's
      // SavedModelBundle.load runs the collection's ops once more without that feed, which the
      // text-file initialisers survive because they read their file only while the table is
      // empty (VocabularyFileColumn).
      Map<String, org.tensorflow.proto.CollectionDef> collections = new LinkedHashMap<>();
      List<String> variables = new ArrayList<>();
      mg.globalVariables.forEach(v -> variables.add(v.op().name()));
      collections.putAll(
          MetaGraphs.variableCollections(
              mg.graph,
              variables,
              GraphCollections.get(mg.graph, GraphCollections.TRAINABLE_VARIABLES),
              mg.globalStep.op().name(),
              mg.saver.saveables()));
      List<String> tables = GraphCollections.get(mg.graph, GraphCollections.TABLE_INITIALIZERS);
      if (!tables.isEmpty()) {
        collections.put(GraphCollections.TABLE_INITIALIZERS, MetaGraphs.nodeList(tables));
      }
      if (mode == ModeKeys.TRAIN) {
        List<String> trainOp = List.of(mg.spec.trainOp().op().name());
        collections.put("train_op", MetaGraphs.nodeList(trainOp));
        collections.put(SavedModelWriter.TRAIN_OP_COLLECTION, MetaGraphs.nodeList(trainOp));
      }
      String tag =
          switch (mode) {
            case TRAIN -> SignatureConstants.TRAINING_TAG;
            case EVAL -> SignatureConstants.EVAL_TAG;
            case PREDICT -> SignatureConstants.SERVING_TAG;
          };
      return new SavedModelWriter.MetaGraph(
          Set.of(tag),
          OpDefs.withOutputShapes(mg.graph, mg.graph.toGraphDef()),
          mg.saver.saverDef(),
          sigs,
          assetDefs,
          mainOp == null ? null : mainOp.op().name(),
          collections);
    }

    /**
     * The TRAIN or EVAL graph's one signature, as export_outputs_for_mode builds it: a TrainOutput
     * or EvalOutput of the loss, predictions and metrics over every receiver tensor.
     */
    private Map<String, SignatureDef> supervisedSignature() {
      Map<String, SupervisedOutput.MetricTensors> metrics = new LinkedHashMap<>();
      mg.spec.evalMetrics().forEach((k, m) -> metrics.put(k, metricTensors(m)));
      ExportOutput output =
          mode == ModeKeys.TRAIN
              ? new TrainOutput(mg.spec.loss(), mg.spec.predictions(), metrics)
              : new EvalOutput(mg.spec.loss(), mg.spec.predictions(), metrics);
      String key =
          mode == ModeKeys.TRAIN
              ? SignatureConstants.DEFAULT_TRAIN_SIGNATURE_DEF_KEY
              : SignatureConstants.DEFAULT_EVAL_SIGNATURE_DEF_KEY;
      return Map.of(
          key, Signatures.build(receiver.receiverTensors(), output).signature().orElseThrow());
    }

    /**
     * A metric's value and update as tensors; an update that is only an op is wrapped in an empty
     * constant that depends on it, as TensorFlow's _SupervisedOutput does (metric_op_wrapper).
     */
    private SupervisedOutput.MetricTensors metricTensors(Metric m) {
      Operand<?> update =
          m.update() instanceof Operand<?> o
              ? o
              : mg.tf
                  .withControlDependencies(List.of(m.update()))
                  .withName("metric_op_wrapper")
                  .constant(new float[0]);
      return new SupervisedOutput.MetricTensors(m.value(), update);
    }

    @Override
    public void close() {
      try {
        session.close();
      } finally {
        mg.close();
      }
    }
  }

  /** tf.estimator's signatures: each export output over the receiver and its alternatives. */
  static Map<String, SignatureDef> signatures(EstimatorSpec spec, ServingInputReceiver receiver) {
    Map<String, ExportOutput> outputs = new LinkedHashMap<>(spec.exportOutputs());
    if (outputs.isEmpty()) {
      outputs.put(
          SignatureConstants.DEFAULT_SERVING_SIGNATURE_DEF_KEY,
          new PredictOutput(spec.predictions()));
    }
    Map<String, SignatureDef> sigs = new LinkedHashMap<>();
    addSignatures(sigs, "", receiver.receiverTensors(), outputs);
    receiver
        .alternatives()
        .forEach((alt, tensors) -> addSignatures(sigs, alt + ":", tensors, outputs));
    if (sigs.isEmpty()) {
      throw new IllegalStateException(
          "No signature could be exported: see the warnings above. "
              + "Fix: use a parsing serving input receiver, or give the model a PredictOutput.");
    }
    return sigs;
  }

  private static void addSignatures(
      Map<String, SignatureDef> sigs,
      String prefix,
      Map<String, Operand<?>> receiverTensors,
      Map<String, ExportOutput> outputs) {
    outputs.forEach(
        (key, out) -> {
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
    List<Op> inits = new ArrayList<>(mg.context.localInitOps());
    if (mg.mode == ModeKeys.EVAL) {
      mg.spec.evalMetrics().values().forEach(m -> inits.add(m.initializer()));
      inits.add(mg.lossMetric.initializer());
    }
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
      if (filename.op().type().equals("Switch")) {
        // VocabularyFileColumn's read-only-while-empty gate: the asset is the path it passes on
        filename = ((GraphOperation) filename.op()).input(0);
      }
      try (var r = session.runner().fetch(filename).run()) {
        Path file = Path.of(((TString) r.get(0)).getObject());
        String base = file.getFileName().toString();
        String previous = byName.putIfAbsent(base, file.toString());
        if (previous != null && !previous.equals(file.toString())) {
          throw new IllegalStateException(
              "Two vocabulary files share the name "
                  + base
                  + " ("
                  + previous
                  + ", "
                  + file
                  + "); rename one so both fit in assets/");
        }
        assets.put(filename.asOutput().name(), file);
      }
    }
    return assets;
  }
}
