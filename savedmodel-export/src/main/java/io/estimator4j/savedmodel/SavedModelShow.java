package io.estimator4j.savedmodel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * What a SavedModel holds, as text laid out as {@code saved_model_cli show} prints it: the one
 * rendering behind {@code e4j saved-model show} and the exports panel of {@code e4j board}, so that
 * scripts reading either keep working. Lines end with {@code \n}.
 */
public final class SavedModelShow {

  private SavedModelShow() {}

  /** Every tag set and signature with inputs and outputs: {@code saved_model_cli show --all}. */
  public static String all(SavedModel model) {
    StringBuilder out = new StringBuilder();
    for (MetaGraphDef meta : sortedMetaGraphs(model)) {
      out.append('\n');
      line(
          out,
          "MetaGraphDef with tag-set: '" + tags(meta) + "' contains the following SignatureDefs:");
      new TreeMap<>(meta.getSignatureDefMap())
          .forEach(
              (key, sig) -> {
                out.append('\n');
                line(out, "signature_def['" + key + "']:");
                appendSignature(out, sig, "  ");
              });
    }
    return out.toString();
  }

  /** The tag sets, one a line: {@code saved_model_cli show} without options. */
  public static String tagSets(SavedModel model) {
    StringBuilder out = new StringBuilder();
    line(out, "The given SavedModel contains the following tag-sets:");
    sortedMetaGraphs(model).forEach(m -> line(out, "'" + tags(m) + "'"));
    return out.toString();
  }

  /** The signature keys of one meta graph: {@code saved_model_cli show --tag_set T}. */
  public static String signatureKeys(MetaGraphDef meta) {
    StringBuilder out = new StringBuilder();
    line(out, "The given SavedModel MetaGraphDef contains SignatureDefs with the following keys:");
    new TreeSet<>(meta.getSignatureDefMap().keySet())
        .forEach(k -> line(out, "SignatureDef key: \"" + k + "\""));
    return out.toString();
  }

  /** One signature's inputs, outputs and method: {@code show --tag_set T --signature_def K}. */
  public static String signature(SignatureDef sig) {
    StringBuilder out = new StringBuilder();
    appendSignature(out, sig, "");
    return out.toString();
  }

  /** The tags of a meta graph, sorted and joined by ", " (e.g. {@code "serve"}). */
  public static String tags(MetaGraphDef meta) {
    return String.join(", ", new TreeSet<>(meta.getMetaInfoDef().getTagsList()));
  }

  /** The meta graphs ordered by their {@link #tags} text. */
  public static List<MetaGraphDef> sortedMetaGraphs(SavedModel model) {
    List<MetaGraphDef> metas = new ArrayList<>(model.getMetaGraphsList());
    metas.sort((a, b) -> tags(a).compareTo(tags(b)));
    return metas;
  }

  /** saved_model_cli's shape text: "(-1, 1)", "()" or "unknown_rank". */
  public static String shape(TensorInfo info) {
    if (info.getTensorShape().getUnknownRank()) {
      return "unknown_rank";
    }
    List<String> dims = new ArrayList<>();
    info.getTensorShape().getDimList().forEach(d -> dims.add(Long.toString(d.getSize())));
    return "(" + String.join(", ", dims) + ")";
  }

  private static void appendSignature(StringBuilder out, SignatureDef sig, String indent) {
    line(out, indent + "The given SavedModel SignatureDef contains the following input(s):");
    appendTensors(out, "inputs", sig.getInputsMap(), indent);
    line(out, indent + "The given SavedModel SignatureDef contains the following output(s):");
    appendTensors(out, "outputs", sig.getOutputsMap(), indent);
    line(out, indent + "Method name is: " + sig.getMethodName());
  }

  private static void appendTensors(
      StringBuilder out, String what, Map<String, TensorInfo> tensors, String indent) {
    new TreeMap<>(tensors)
        .forEach(
            (k, info) -> {
              line(out, indent + "  " + what + "['" + k + "'] tensor_info:");
              String in = indent + "      ";
              line(out, in + "dtype: " + info.getDtype());
              line(out, in + "shape: " + shape(info));
              if (info.hasCooSparse()) {
                line(
                    out,
                    in
                        + "sparse: values "
                        + info.getCooSparse().getValuesTensorName()
                        + ", indices "
                        + info.getCooSparse().getIndicesTensorName()
                        + ", dense_shape "
                        + info.getCooSparse().getDenseShapeTensorName());
              } else if (info.hasCompositeTensor()) {
                line(
                    out,
                    in
                        + "composite tensor of "
                        + info.getCompositeTensor().getComponentsCount()
                        + " components");
              } else {
                line(out, in + "name: " + info.getName());
              }
            });
  }

  private static void line(StringBuilder out, String text) {
    out.append(text).append('\n');
  }
}
