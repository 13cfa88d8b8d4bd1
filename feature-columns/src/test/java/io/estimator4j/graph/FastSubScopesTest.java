package io.estimator4j.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.op.Ops;

/**
 * Fast sub-scopes name every op exactly as tensorflow-java's own scopes do: the same random
 * sequence of sub-scopes, names, init scopes and ops (also ops made by other Ops objects, and names
 * that look numbered, such as {@code a_1}) builds the same op names in both graphs.
 */
class FastSubScopesTest {
  /**
   * Scope names. None ends in {@code _<n>}: tensorflow-java's makeUnique turns a second "a" into
   * "a_1" without checking that "a_1" was taken, so such names make duplicates in either case.
   */
  private static final String[] NAMES = {"a", "b", "dense", "x.y"};

  /**
   * Op names, apart from the scope names: an op named as a scope at its level makes
   * tensorflow-java's own withSubScope fail (StringIndexOutOfBoundsException in importIdsFrom).
   */
  private static final String[] OP_NAMES = {"Const", "kernel", "k_3", "bias_10"};

  @Test
  void namesEveryOpAsTensorFlowJavaDoes() {
    assertThat(FastSubScopes.available()).isTrue();
    for (long seed = 0; seed < 40; seed++) {
      assertThat(build(seed, true)).as("seed %d", seed).isEqualTo(build(seed, false));
    }
  }

  @Test
  void wrapsOnlyPlainGraphScopesAndOnce() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Ops fast = FastSubScopes.wrap(tf);
      assertThat(fast.scope()).isNotSameAs(tf.scope());
      assertThat(FastSubScopes.wrap(fast)).isSameAs(fast);
      Ops sub = fast.withSubScope("layer");
      sub.withName("kernel").constant(1f);
      assertThat(g.operation("layer/kernel")).isNotNull();
    }
  }

  private static List<String> build(long seed, boolean fast) {
    Random r = new Random(seed);
    try (Graph g = new Graph()) {
      Ops root = Ops.create(g);
      Ops tf = fast ? FastSubScopes.wrap(root) : root;
      List<Ops> scopes = new ArrayList<>(List.of(tf));
      for (int step = 0; step < 120; step++) {
        Ops s = scopes.get(r.nextInt(scopes.size()));
        String name = NAMES[r.nextInt(NAMES.length)];
        switch (r.nextInt(6)) {
          case 0, 1 -> scopes.add(s.withSubScope(name));
          case 2 -> s.withName(OP_NAMES[r.nextInt(OP_NAMES.length)]).constant(step);
          case 3 -> s.constant(step);
          case 4 -> scopes.add(s.withInitScope());
          default -> {
            // an op made by another Ops of the graph, which the fast scopes never saw
            Ops other = Ops.create(g);
            for (int depth = r.nextInt(3); depth > 0; depth--) {
              other = other.withSubScope(NAMES[r.nextInt(NAMES.length)]);
            }
            // (not a numbered name: importIdsFrom does not register "k_3" itself, so a second
            // explicit "k_3" at one level is a duplicate in tensorflow-java too)
            other.withName(r.nextBoolean() ? "kernel" : "Const").constant(-step);
          }
        }
      }
      List<String> names = new ArrayList<>();
      var it = g.operations();
      while (it.hasNext()) {
        GraphOperation op = it.next();
        names.add(op.name());
      }
      return names;
    }
  }
}
