package io.estimator4j.estimator.impl;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.checkpoint.TensorFlowFlavour;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optimizer flavour of a training run: the checkpoint's when it shows one, else the config's.
 */
final class Flavours {
  private static final Logger LOG = LoggerFactory.getLogger(Flavours.class);

  private Flavours() {}

  /**
   * @param checkpoint the prefix training resumes from, or null
   * @param configured the flavour RunConfig asks for
   */
  static TensorFlowFlavour of(String checkpoint, TensorFlowFlavour configured) {
    if (checkpoint == null) {
      return configured;
    }
    Optional<TensorFlowFlavour> found;
    try (CheckpointReader reader = CheckpointReader.open(checkpoint)) {
      found = TensorFlowFlavour.detect(reader.variables().keySet());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read checkpoint " + checkpoint, e);
    }
    if (found.isPresent() && found.get() != configured) {
      LOG.info(
          "Checkpoint {} holds {} optimizer state; resuming with {} names and maths although"
              + " RunConfig asks for {} (that applies to new model_dirs).",
          checkpoint,
          found.get(),
          found.get(),
          configured);
    }
    return found.orElse(configured);
  }
}
