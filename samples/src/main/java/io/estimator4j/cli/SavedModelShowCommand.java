package io.estimator4j.cli;

import io.estimator4j.savedmodel.SavedModelLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code e4j saved-model show}: what a SavedModel holds, printed as {@code saved_model_cli show}
 * prints it (so that scripts reading that output keep working).
 */
@Command(
    name = "show",
    description = {
      "Show a SavedModel's tag sets, signatures, inputs and outputs.",
      "Without options: the tag sets. With --tag-set: its signature keys. With --signature too:"
          + " that signature's inputs, outputs and method name. --all: everything. Like"
          + " saved_model_cli show."
    })
final class SavedModelShowCommand extends SavedModelDirCommand {

  @Option(
      names = {"--tag-set", "--tag_set"},
      paramLabel = "TAGS",
      description = "Tags of one MetaGraph, comma-separated (e.g. serve): list its signature keys.")
  private String tagSet;

  @Option(
      names = {"--signature", "--signature_def"},
      paramLabel = "KEY",
      description =
          "Show this signature's inputs, outputs and method name (needs --tag-set when"
              + " the SavedModel has several tag sets).")
  private String signature;

  @Option(
      names = "--all",
      description = "Show every tag set and signature with inputs and outputs.")
  private boolean all;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    SavedModel model = SavedModelLoader.readProto(dir);
    if (all) {
      for (MetaGraphDef meta : sortedMetaGraphs(model)) {
        out.println();
        out.println(
            "MetaGraphDef with tag-set: '"
                + tags(meta)
                + "' contains the following SignatureDefs:");
        new TreeMap<>(meta.getSignatureDefMap())
            .forEach(
                (key, sig) -> {
                  out.println();
                  out.println("signature_def['" + key + "']:");
                  printSignature(out, sig, "  ");
                });
      }
      out.flush();
      return 0;
    }
    if (tagSet == null && signature == null) {
      out.println("The given SavedModel contains the following tag-sets:");
      sortedMetaGraphs(model).forEach(m -> out.println("'" + tags(m) + "'"));
      out.flush();
      return 0;
    }
    MetaGraphDef meta = metaGraph(model, dir, tagSet);
    if (signature == null) {
      out.println(
          "The given SavedModel MetaGraphDef contains SignatureDefs with the following" + " keys:");
      new TreeSet<>(meta.getSignatureDefMap().keySet())
          .forEach(k -> out.println("SignatureDef key: \"" + k + "\""));
    } else {
      printSignature(out, signature(meta, dir, signature), "");
    }
    out.flush();
    return 0;
  }

  /**
   * The meta graph of comma-separated {@code tagSet}; with no tag set, the only meta graph (an
   * error when there are several).
   */
  static MetaGraphDef metaGraph(SavedModel model, Path dir, String tagSet) {
    if (tagSet == null) {
      if (model.getMetaGraphsCount() == 1) {
        return model.getMetaGraphs(0);
      }
      List<String> sets = new ArrayList<>();
      sortedMetaGraphs(model).forEach(m -> sets.add(tags(m)));
      throw new IllegalArgumentException(
          dir + " has several tag sets " + sets + "; choose one with --tag-set.");
    }
    return SavedModelLoader.metaGraph(model, dir, parseTags(tagSet));
  }

  /** The signature of that key, every key of the meta graph (init op included) being valid. */
  static SignatureDef signature(MetaGraphDef meta, Path dir, String key) {
    SignatureDef sig = meta.getSignatureDefMap().get(key);
    if (sig == null) {
      throw new IllegalArgumentException(
          "No signature '"
              + key
              + "' in "
              + dir
              + " (tag set '"
              + tags(meta)
              + "'). Signatures available: "
              + new TreeSet<>(meta.getSignatureDefMap().keySet())
              + ".");
    }
    return sig;
  }

  static String tags(MetaGraphDef meta) {
    return String.join(", ", new TreeSet<>(meta.getMetaInfoDef().getTagsList()));
  }

  private static List<MetaGraphDef> sortedMetaGraphs(SavedModel model) {
    List<MetaGraphDef> metas = new ArrayList<>(model.getMetaGraphsList());
    metas.sort((a, b) -> tags(a).compareTo(tags(b)));
    return metas;
  }

  private static void printSignature(PrintWriter out, SignatureDef sig, String indent) {
    out.println(indent + "The given SavedModel SignatureDef contains the following input(s):");
    printTensors(out, "inputs", sig.getInputsMap(), indent);
    out.println(indent + "The given SavedModel SignatureDef contains the following output(s):");
    printTensors(out, "outputs", sig.getOutputsMap(), indent);
    out.println(indent + "Method name is: " + sig.getMethodName());
  }

  private static void printTensors(
      PrintWriter out, String what, Map<String, TensorInfo> tensors, String indent) {
    new TreeMap<>(tensors)
        .forEach(
            (k, info) -> {
              out.println(indent + "  " + what + "['" + k + "'] tensor_info:");
              String in = indent + "      ";
              out.println(in + "dtype: " + info.getDtype());
              out.println(in + "shape: " + shape(info));
              if (info.hasCooSparse()) {
                out.println(
                    in
                        + "sparse: values "
                        + info.getCooSparse().getValuesTensorName()
                        + ", indices "
                        + info.getCooSparse().getIndicesTensorName()
                        + ", dense_shape "
                        + info.getCooSparse().getDenseShapeTensorName());
              } else if (info.hasCompositeTensor()) {
                out.println(
                    in
                        + "composite tensor of "
                        + info.getCompositeTensor().getComponentsCount()
                        + " components");
              } else {
                out.println(in + "name: " + info.getName());
              }
            });
  }

  /** saved_model_cli's shape text: "(-1, 1)", "()" or "unknown_rank". */
  static String shape(TensorInfo info) {
    if (info.getTensorShape().getUnknownRank()) {
      return "unknown_rank";
    }
    List<String> dims = new ArrayList<>();
    info.getTensorShape().getDimList().forEach(d -> dims.add(Long.toString(d.getSize())));
    return "(" + String.join(", ", dims) + ")";
  }
}
