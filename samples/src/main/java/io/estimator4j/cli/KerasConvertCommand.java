package io.estimator4j.cli;

import io.estimator4j.keras.KerasSavedModel;
import io.estimator4j.savedmodel.SavedModelLoader;
import io.estimator4j.savedmodel.SignatureConstants;
import io.estimator4j.savedmodel.TensorInfos;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code e4j keras convert}: writes a Keras model as a SavedModel (tag serve, signature
 * serving_default) that TF Serving and {@code e4j saved-model run} load; see {@link
 * KerasSavedModel}.
 */
@Command(
    name = "convert",
    description = {
      "Convert a Keras model into a SavedModel for TF Serving.",
      "Writes OUT_DIR/saved_model.pb and OUT_DIR/variables: tag serve, signature serving_default"
          + " (tensorflow/serving/predict) with the Keras input and output layer names as keys and"
          + " -1 for the batch. OUT_DIR must be new or empty; for TF Serving it is the version"
          + " directory, e.g. models/my_model/1."
    })
final class KerasConvertCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "MODEL",
      description =
          "Keras model: .h5/.hdf5 (model.save), .keras archive, or architecture .json"
              + " (with --weights, or with the configured initializers).")
  private Path model;

  @Parameters(
      index = "1",
      paramLabel = "OUT_DIR",
      description = "SavedModel directory to create (new or empty).")
  private Path outDir;

  @Option(
      names = "--weights",
      paramLabel = "FILE",
      description = "HDF5 weights (model.save_weights) for an architecture .json MODEL.")
  private Path weights;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    KerasSavedModel.convert(KerasCommand.read(model, weights), outDir);
    SignatureDef sig =
        SavedModelLoader.readProto(outDir)
            .getMetaGraphs(0)
            .getSignatureDefOrThrow(SignatureConstants.DEFAULT_SERVING_SIGNATURE_DEF_KEY);
    out.println("SavedModel written to " + outDir);
    out.println(
        "signature_def['"
            + SignatureConstants.DEFAULT_SERVING_SIGNATURE_DEF_KEY
            + "'] (tag-set 'serve', method "
            + sig.getMethodName()
            + "):");
    print(out, "input ", sig.getInputsMap());
    print(out, "output", sig.getOutputsMap());
    out.flush();
    return 0;
  }

  private static void print(PrintWriter out, String kind, Map<String, TensorInfo> tensors) {
    new TreeMap<>(tensors)
        .forEach(
            (key, info) ->
                out.println(
                    "  "
                        + kind
                        + " "
                        + key
                        + ": "
                        + info.getDtype()
                        + " shape "
                        + TensorInfos.shapeString(info)));
  }
}
