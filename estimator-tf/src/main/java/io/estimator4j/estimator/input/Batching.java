package io.estimator4j.estimator.input;

import org.tensorflow.framework.data.Dataset;

/**
 * The shuffle, repeat, batch and prefetch steps every input function ends its tf.data pipeline
 * with: {@code ds.shuffle(buffer, seed).repeat(epochs).batch(size).prefetch(1)}.
 *
 * @param batchSize examples per batch
 * @param numEpochs passes over the data, or null to repeat forever
 * @param shuffleBuffer shuffle buffer in examples; 0 disables shuffling
 * @param seed shuffle seed, or null to use the run's seed
 */
public record Batching(int batchSize, Long numEpochs, int shuffleBuffer, Long seed) {
  public Batching {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
    }
    if (numEpochs != null && numEpochs <= 0) {
      throw new IllegalArgumentException("numEpochs must be > 0 or null, got " + numEpochs);
    }
    if (shuffleBuffer < 0) {
      throw new IllegalArgumentException(
          "shuffleBuffer must be >= 0 (0 disables shuffling), got " + shuffleBuffer);
    }
  }

  /** Applies the steps to a dataset of single examples. */
  public Dataset apply(InputContext ctx, Dataset ds) {
    if (shuffleBuffer > 0) {
      ds = Datasets.shuffle(ds, shuffleBuffer, seed != null ? seed : ctx.seed().orElse(null));
    }
    ds = Datasets.repeat(ds, numEpochs);
    ds = ds.batch(batchSize, false);
    return Datasets.prefetch(ds, 1);
  }

  /** The setters shared by every input builder. */
  public abstract static class Builder<B extends Builder<B>> {
    private int batchSize;
    private Long numEpochs = 1L;
    private int shuffleBuffer;
    private Long seed;

    protected Builder(int defaultBatchSize, int defaultShuffleBuffer) {
      this.batchSize = defaultBatchSize;
      this.shuffleBuffer = defaultShuffleBuffer;
    }

    @SuppressWarnings("unchecked")
    private B self() {
      return (B) this;
    }

    public B batchSize(int batchSize) {
      this.batchSize = batchSize;
      return self();
    }

    /** Passes over the data (default 1); null repeats forever (then train needs a step limit). */
    public B numEpochs(Integer epochs) {
      this.numEpochs = epochs == null ? null : epochs.longValue();
      return self();
    }

    /** Shuffle buffer in examples; 0 disables shuffling (e.g. for evaluation). */
    public B shuffleBuffer(int size) {
      this.shuffleBuffer = size;
      return self();
    }

    public B seed(long seed) {
      this.seed = seed;
      return self();
    }

    /** The validated batching settings. */
    protected Batching batching() {
      return new Batching(batchSize, numEpochs, shuffleBuffer, seed);
    }
  }
}
