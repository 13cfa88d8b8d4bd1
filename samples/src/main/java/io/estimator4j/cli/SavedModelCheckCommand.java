package io.estimator4j.cli;

import io.estimator4j.savedmodel.LoadedSavedModel;
import io.estimator4j.savedmodel.SavedModelLoader;
import io.estimator4j.savedmodel.ServingCheck;
import io.estimator4j.savedmodel.ServingCheck.Outcome;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.proto.MetaGraphDef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code e4j saved-model check}: which TF Serving API accepts each signature, and why not. */
@Command(
    name = "check",
    description = {
      "Check each signature against TF Serving's Predict, Classify and Regress APIs.",
      "Loads the model first, as TF Serving does (variables restored, main op run): a model that"
          + " does not load fails the check.",
      "Prints one line per signature and API: OK, or NOT OK with the reasons. Method names are"
          + " checked as tensorflow_model_server --enable_signature_method_name_check=true does,"
          + " so an OK holds under either setting. Exits with 1 when some signature is accepted"
          + " by no API."
    })
final class SavedModelCheckCommand extends SavedModelDirCommand {

  @Option(
      names = {"--tag-set", "--tag_set"},
      paramLabel = "TAGS",
      defaultValue = "serve",
      description = "Tags of the MetaGraph to check, comma-separated (default: ${DEFAULT-VALUE}).")
  private String tagSet;

  @Option(
      names = "--no-method-name-check",
      description =
          "Check as tensorflow_model_server does by default"
              + " (--enable_signature_method_name_check=false): a method name that does not match the"
              + " API is noted, not refused. TF2 exports record every signature as predict.")
  private boolean noMethodNameCheck;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    MetaGraphDef meta = metaGraph(tagSet);
    // A signature is only OK if the model behind it loads: truncated variables, a missing
    // variables/ directory or a failing main op fail the check here, as they fail TF Serving.
    try (LoadedSavedModel model = SavedModelLoader.load(dir, parseTags(tagSet), null)) {
      // loaded: the checks below are about the signatures
    }
    List<Outcome> outcomes = ServingCheck.check(meta, !noMethodNameCheck);
    int width = outcomes.stream().mapToInt(o -> o.signature().length()).max().orElse(0);
    Set<String> served = new TreeSet<>();
    Set<String> all = new TreeSet<>();
    for (Outcome o : outcomes) {
      all.add(o.signature());
      if (o.ok()) {
        served.add(o.signature());
      }
      out.println(
          String.format(
              "%-" + width + "s  %-8s  %s", o.signature(), o.api().displayName(), line(o)));
    }
    out.flush();
    all.removeAll(served);
    if (!all.isEmpty()) {
      spec.commandLine()
          .getErr()
          .println(
              spec.qualifiedName() + ": no TF Serving API accepts" + " signature(s) " + all + ".");
      return 1;
    }
    return 0;
  }

  static String line(Outcome o) {
    if (o.ok()) {
      return o.notes().isEmpty() ? "OK" : "OK (note: " + String.join("; ", o.notes()) + ")";
    }
    return "NOT OK: " + String.join("; ", o.reasons());
  }
}
