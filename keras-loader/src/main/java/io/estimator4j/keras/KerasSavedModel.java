package io.estimator4j.keras;

import io.estimator4j.checkpoint.GraphSaver;
import io.estimator4j.savedmodel.InitializerPruning;
import io.estimator4j.savedmodel.SavedModelWriter;
import io.estimator4j.savedmodel.SignatureConstants;
import io.estimator4j.savedmodel.Signatures;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.SignatureDef;

/**
 * Converts a Keras model into a SavedModel that TensorFlow Serving, TensorFlow's C++ loader and
 * {@code e4j saved-model run} load; the Java counterpart of loading a model with
 * tf.keras.models.load_model and exporting it with tf.compat.v1.saved_model for serving.
 *
 * <p>The SavedModel has one meta graph tagged {@code serve} with one signature, {@code
 * serving_default} (method {@code tensorflow/serving/predict}): its inputs are keyed by the Keras
 * input layer names, its outputs by the Keras output layer names, with explicit shapes ({@code -1}
 * for the batch and any other unknown dimension). The weights are variables saved to {@code
 * variables/variables} and restored through the recorded SaverDef; the graph keeps no copy of them
 * (the initialisers of the saved variables are pruned), so {@code saved_model.pb} stays small.
 * Nothing else needs to run at load time, so there is no main op unless the graph holds other
 * initialisers.
 *
 * <p>The output directory is the SavedModel itself. TF Serving expects {@code
 * <model_base_path>/<version>/saved_model.pb}: pass the version directory, e.g. {@code
 * models/my_model/1}. It is written atomically by {@link SavedModelWriter#writeAtomically}: into a
 * temporary directory beside it that is renamed at the end, so a failure leaves nothing behind. An
 * output directory that cannot be written (e.g. under a file) fails with a {@link
 * java.nio.file.FileSystemException} naming it, before the model is built.
 */
public final class KerasSavedModel {
  /** The scope of the ops that feed the stored weights into a KerasModel's variables. */
  private static final String LOAD_SCOPE = "keras_weights/";

  /** The sub-directory holding the checkpoint of the variables. */
  public static final String VARIABLES_DIRECTORY = "variables";

  /** The checkpoint prefix inside {@link #VARIABLES_DIRECTORY}. */
  public static final String VARIABLES_PREFIX = "variables";

  private KerasSavedModel() {}

  /**
   * Reads a Keras model (any file {@link KerasModelFile#read(Path)} reads), builds it and writes it
   * as a SavedModel into {@code outDir}.
   *
   * @return {@code outDir}
   * @throws FileAlreadyExistsException if {@code outDir} exists and is not an empty directory
   * @throws UnsupportedKerasLayerException naming a layer that cannot be built
   * @throws IllegalArgumentException if an output has an unknown rank
   */
  public static Path convert(Path model, Path outDir) throws IOException {
    Objects.requireNonNull(model, "model");
    SavedModelWriter.checkOutDir(outDir);
    return convert(KerasModelFile.read(model), outDir);
  }

  /**
   * Builds a Keras model read with {@link KerasModelFile} (e.g. an architecture JSON with its
   * weights file) and writes it as a SavedModel into {@code outDir}.
   *
   * @return {@code outDir}
   * @throws FileAlreadyExistsException if {@code outDir} exists and is not an empty directory
   * @throws UnsupportedKerasLayerException naming a layer that cannot be built
   * @throws IllegalArgumentException if an output has an unknown rank
   */
  public static Path convert(KerasModelFile model, Path outDir) throws IOException {
    Objects.requireNonNull(model, "model");
    SavedModelWriter.checkOutDir(outDir);
    try (KerasModel keras = KerasModel.build(model)) {
      return convert(keras, outDir);
    }
  }

  /**
   * Writes {@code model}, with the current values of its variables, as a SavedModel into {@code
   * outDir}. Adds save ops to the model's graph.
   *
   * @return {@code outDir}
   * @throws FileAlreadyExistsException if {@code outDir} exists and is not an empty directory
   * @throws IllegalArgumentException if an output has an unknown rank
   */
  public static Path convert(KerasModel model, Path outDir) throws IOException {
    Objects.requireNonNull(model, "model");
    SavedModelWriter.checkOutDir(outDir);
    SignatureDef signature = servingSignature(model);
    List<Operand<?>> variables = new ArrayList<>(model.trainableVariables());
    variables.addAll(model.nonTrainableVariables());
    // the session first: it initialises the variables from the stored weights
    var session = model.session();
    GraphSaver saver =
        variables.isEmpty() ? null : new GraphSaver(Ops.create(model.graph()), variables);
    Set<String> saved = new HashSet<>();
    variables.forEach(v -> saved.add(v.op().name()));
    // the ops that fed the stored weights into the variables (keras_weights/...) ran once; the
    // checkpoint carries the values now
    org.tensorflow.proto.GraphDef full = model.graph().toGraphDef();
    org.tensorflow.proto.GraphDef.Builder withoutLoading = full.toBuilder().clearNode();
    for (org.tensorflow.proto.NodeDef n : full.getNodeList()) {
      if (!n.getName().startsWith(LOAD_SCOPE)) {
        withoutLoading.addNode(n);
      }
    }
    InitializerPruning.Pruned graph = InitializerPruning.prune(withoutLoading.build(), saved);
    SavedModelWriter.MetaGraph meta =
        new SavedModelWriter.MetaGraph(
            Set.of(SignatureConstants.SERVING_TAG),
            graph.graphDef(),
            saver == null ? null : saver.saverDef(),
            Map.of(SignatureConstants.DEFAULT_SERVING_SIGNATURE_DEF_KEY, signature),
            List.of(),
            graph.mainOp(),
            Map.of());
    return SavedModelWriter.writeAtomically(
        outDir,
        tmp -> {
          Path vars = Files.createDirectory(tmp.resolve(VARIABLES_DIRECTORY));
          if (saver != null) {
            saver.save(session, vars.resolve(VARIABLES_PREFIX).toString());
          }
          SavedModelWriter.writeProto(tmp, List.of(meta));
        });
  }

  /** serving_default: Keras input names to placeholders, Keras output names to outputs. */
  static SignatureDef servingSignature(KerasModel model) {
    SignatureDef.Builder sig =
        SignatureDef.newBuilder().setMethodName(SignatureConstants.PREDICT_METHOD_NAME);
    model.inputs().forEach((name, in) -> sig.putInputs(name, Signatures.tensorInfo(in)));
    model
        .outputs()
        .forEach(
            (name, out) -> {
              try {
                sig.putOutputs(name, Signatures.tensorInfo(out));
              } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                    "Output '"
                        + name
                        + "' of "
                        + model.source()
                        + " has an unknown rank, which a serving signature cannot describe; TensorFlow's"
                        + " loaders need explicit dimensions.",
                    e);
              }
            });
    return sig.build();
  }
}
