package io.estimator4j.estimator.hook;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;

/**
 * Extra fetches, targets and feeds a hook adds to the next session run; Java counterpart of
 * tf.estimator.SessionRunArgs.
 *
 * <p>Fetches are named by the hook; the values come back under the same names in {@link
 * SessionRunValues}. Feed tensors are owned by the caller of the hook (the hook closes them in
 * afterRun if it created them).
 */
public final class SessionRunArgs {
  /** No extra fetches. */
  public static final SessionRunArgs NONE = new SessionRunArgs(Map.of(), List.of(), Map.of());

  private final Map<String, Operand<?>> fetches;
  private final List<Op> targets;
  private final Map<Operand<?>, Tensor> feeds;

  private SessionRunArgs(
      Map<String, Operand<?>> fetches, List<Op> targets, Map<Operand<?>, Tensor> feeds) {
    this.fetches = Collections.unmodifiableMap(new LinkedHashMap<>(fetches));
    this.targets = List.copyOf(targets);
    this.feeds = Collections.unmodifiableMap(new LinkedHashMap<>(feeds));
  }

  /** Fetch these tensors, keyed by a name of the hook's choosing. */
  public static SessionRunArgs fetch(Map<String, ? extends Operand<?>> fetches) {
    return new SessionRunArgs(new LinkedHashMap<>(fetches), List.of(), Map.of());
  }

  /** Fetch one tensor under the given name. */
  public static SessionRunArgs fetch(String name, Operand<?> tensor) {
    return new SessionRunArgs(Map.of(name, tensor), List.of(), Map.of());
  }

  /** Also run these ops (no values returned). */
  public SessionRunArgs withTargets(List<? extends Op> more) {
    List<Op> all = new ArrayList<>(targets);
    all.addAll(more);
    return new SessionRunArgs(fetches, all, feeds);
  }

  /** Also feed this tensor to that placeholder. */
  public SessionRunArgs withFeed(Operand<?> placeholder, Tensor value) {
    Map<Operand<?>, Tensor> all = new LinkedHashMap<>(feeds);
    all.put(placeholder, value);
    return new SessionRunArgs(fetches, targets, all);
  }

  public Map<String, Operand<?>> fetches() {
    return fetches;
  }

  public List<Op> targets() {
    return targets;
  }

  public Map<Operand<?>, Tensor> feeds() {
    return feeds;
  }

  public boolean isEmpty() {
    return fetches.isEmpty() && targets.isEmpty() && feeds.isEmpty();
  }
}
