package io.estimator4j.cli;

import io.estimator4j.savedmodel.SavedModelLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.tensorflow.proto.MetaGraphDef;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * A {@code e4j saved-model} subcommand: its SavedModel directory argument and the reading of a
 * MetaGraph by its tag set.
 */
abstract class SavedModelDirCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "DIR",
      description = "SavedModel directory (holds saved_model.pb).")
  Path dir;

  /** The MetaGraph of the comma-separated {@code tagSet}, read from {@code dir}. */
  final MetaGraphDef metaGraph(String tagSet) throws IOException {
    return SavedModelLoader.metaGraph(SavedModelLoader.readProto(dir), dir, parseTags(tagSet));
  }

  /** The tags of a comma-separated tag set, stripped, blank ones left out. */
  static Set<String> parseTags(String tagSet) {
    Set<String> tags = new TreeSet<>();
    for (String t : tagSet.split(",")) {
      if (!t.isBlank()) {
        tags.add(t.strip());
      }
    }
    return tags;
  }
}
