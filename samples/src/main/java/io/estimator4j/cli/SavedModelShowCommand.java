package io.estimator4j.cli;

import io.estimator4j.savedmodel.SavedModelLoader;
import io.estimator4j.savedmodel.SavedModelShow;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
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
      out.print(SavedModelShow.all(model));
    } else if (tagSet == null && signature == null) {
      out.print(SavedModelShow.tagSets(model));
    } else {
      MetaGraphDef meta = metaGraph(model, dir, tagSet);
      out.print(
          signature == null
              ? SavedModelShow.signatureKeys(meta)
              : SavedModelShow.signature(signature(meta, dir, signature)));
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
      SavedModelShow.sortedMetaGraphs(model).forEach(m -> sets.add(tags(m)));
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
    return SavedModelShow.tags(meta);
  }
}
