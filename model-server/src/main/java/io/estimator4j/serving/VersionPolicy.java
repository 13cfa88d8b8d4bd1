package io.estimator4j.serving;

import java.util.List;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which versions of a model to serve, as TF Serving's {@code ServableVersionPolicy}: the latest N
 * (default 1), all, or specific versions.
 */
public sealed interface VersionPolicy {

  /** The versions to serve among those on disk. */
  NavigableSet<Long> select(NavigableSet<Long> onDisk);

  /** The latest {@code n} versions (TF Serving's default: 1). */
  static VersionPolicy latest(int n) {
    return new Latest(n);
  }

  /** Every version on disk. */
  static VersionPolicy all() {
    return new All();
  }

  /** Exactly these versions (those of them on disk). */
  static VersionPolicy specific(Long... versions) {
    return new Specific(Set.of(versions));
  }

  /** Exactly these versions (those of them on disk). */
  static VersionPolicy specific(List<Long> versions) {
    return new Specific(Set.copyOf(versions));
  }

  /** The latest {@code numVersions} versions. */
  record Latest(int numVersions) implements VersionPolicy {
    public Latest {
      if (numVersions < 1) {
        throw new IllegalArgumentException(
            "latest.num_versions must be at least 1, got " + numVersions + ".");
      }
    }

    @Override
    public NavigableSet<Long> select(NavigableSet<Long> onDisk) {
      NavigableSet<Long> out = new TreeSet<>();
      for (Long v : onDisk.descendingSet()) {
        if (out.size() == numVersions) {
          break;
        }
        out.add(v);
      }
      return out;
    }
  }

  /** Every version. */
  record All() implements VersionPolicy {
    @Override
    public NavigableSet<Long> select(NavigableSet<Long> onDisk) {
      return new TreeSet<>(onDisk);
    }
  }

  /** Specific versions. */
  record Specific(Set<Long> versions) implements VersionPolicy {
    public Specific {
      if (versions.isEmpty()) {
        throw new IllegalArgumentException("specific.versions must name at least one version.");
      }
      versions = Set.copyOf(versions);
    }

    @Override
    public NavigableSet<Long> select(NavigableSet<Long> onDisk) {
      NavigableSet<Long> out = new TreeSet<>(onDisk);
      out.retainAll(versions);
      return out;
    }
  }
}
