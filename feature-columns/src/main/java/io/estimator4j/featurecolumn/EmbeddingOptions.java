package io.estimator4j.featurecolumn;

import io.estimator4j.featurecolumn.impl.EmbeddingLookup;
import io.estimator4j.graph.Initializer;
import io.estimator4j.graph.Initializers;

/**
 * The optional settings of an embedding column; the keyword arguments of
 * tf.feature_column.embedding_column / shared_embeddings. Immutable; build with {@link #builder()}.
 */
public final class EmbeddingOptions {
  /** Python's default combiner. */
  public static final String DEFAULT_COMBINER = "mean";

  private static final EmbeddingOptions DEFAULTS = builder().build();

  private final String combiner;
  private final Initializer initializer;
  private final Float maxNorm;
  private final boolean trainable;

  private EmbeddingOptions(Builder b) {
    this.combiner = b.combiner;
    this.initializer = b.initializer;
    this.maxNorm = b.maxNorm;
    this.trainable = b.trainable;
  }

  /** Combiner "mean", no max norm, trainable, truncated_normal(0, 1/sqrt(dimension)). */
  public static EmbeddingOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** "mean", "sqrtn" or "sum". */
  public String combiner() {
    return combiner;
  }

  /** The initializer, or null for truncated_normal(mean 0, stddev 1/sqrt(dimension)). */
  public Initializer initializer() {
    return initializer;
  }

  /** The initializer for an embedding of {@code dimension} (the default if none was set). */
  Initializer initializerFor(int dimension) {
    return initializer != null
        ? initializer
        : Initializers.truncatedNormal(0f, (float) (1.0 / Math.sqrt(dimension)), null);
  }

  /** The L2 norm each embedding row is clipped to before combining, or null. */
  public Float maxNorm() {
    return maxNorm;
  }

  public boolean trainable() {
    return trainable;
  }

  /** Builder of {@link EmbeddingOptions}. */
  public static final class Builder {
    private String combiner = DEFAULT_COMBINER;
    private Initializer initializer;
    private Float maxNorm;
    private boolean trainable = true;

    private Builder() {}

    public Builder combiner(String combiner) {
      this.combiner = combiner;
      return this;
    }

    public Builder initializer(Initializer initializer) {
      this.initializer = initializer;
      return this;
    }

    public Builder maxNorm(Float maxNorm) {
      this.maxNorm = maxNorm;
      return this;
    }

    public Builder trainable(boolean trainable) {
      this.trainable = trainable;
      return this;
    }

    /** Validates and builds. */
    public EmbeddingOptions build() {
      EmbeddingLookup.checkCombiner(combiner);
      if (maxNorm != null && !(maxNorm > 0)) {
        throw new IllegalArgumentException("max_norm must be > 0, got " + maxNorm);
      }
      return new EmbeddingOptions(this);
    }
  }
}
