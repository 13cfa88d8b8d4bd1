package io.estimator4j.graph;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.DeviceSpec;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Operation;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;

/**
 * Ops whose {@code withSubScope} costs the number of ops directly in the new scope instead of the
 * number of ops in the whole graph, with tensorflow-java's naming unchanged.
 *
 * <p>tensorflow-java 1.1's {@code NameScope.withSubScope} reads the name of every operation of the
 * graph (one JNI call and a JavaCPP allocation each) to learn which names are taken directly under
 * the new scope. Building a model calls it for every layer, weight and initializer, so a graph of n
 * ops costs O(n²) such calls: seconds for a MobileNetV2, far more for an InceptionV3. The scopes
 * made here compute the same names from an index of the graph's op names that is brought up to date
 * incrementally (each op is read once), and are otherwise tensorflow-java's own {@code OpScope}s.
 * It reaches tensorflow-java internals (the private constructors of {@code Ops}, {@code OpScope}
 * and {@code NameScope}, {@code Graph.nextOperation}) by reflection; when they are not there
 * (another tensorflow-java version) or the scope is not a plain {@code OpScope} (e.g. one that
 * places ops on devices), {@link #wrap} returns its argument unchanged.
 */
public final class FastSubScopes {
  private static final Pattern NAME_PATTERN = Pattern.compile("(.+)_(\\d+)", Pattern.DOTALL);
  private static final Pattern NAME_REGEX = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-]*");

  private static final Reflection R = Reflection.load();
  private static final Map<Graph, Index> INDEXES = Collections.synchronizedMap(new WeakHashMap<>());

  private FastSubScopes() {}

  /**
   * {@code tf} with fast sub-scopes (and every Ops derived from it), or {@code tf} itself when its
   * scope is not a plain tensorflow-java graph scope.
   */
  public static Ops wrap(Ops tf) {
    Scope s = tf.scope();
    if (R == null
        || s instanceof Fast
        || !s.getClass().equals(R.opScope)
        || !(s.env() instanceof Graph)) {
      return tf;
    }
    try {
      return (Ops) R.opsCtor.newInstance(new Fast(s));
    } catch (ReflectiveOperationException e) {
      return tf;
    }
  }

  /** Whether {@link #wrap} can speed up scopes with this tensorflow-java. */
  public static boolean available() {
    return R != null;
  }

  /** An OpScope whose sub-scopes are built from the index. */
  private static final class Fast implements Scope {
    private final Scope delegate;

    Fast(Scope delegate) {
      this.delegate = delegate;
    }

    private static Scope wrapped(Scope s) {
      return s.getClass().equals(R.opScope) ? new Fast(s) : s;
    }

    @Override
    public ExecutionEnvironment env() {
      return delegate.env();
    }

    @Override
    public Scope withSubScope(String childScopeName) {
      try {
        return new Fast(R.subScope(delegate, childScopeName));
      } catch (ReflectiveOperationException e) {
        return wrapped(delegate.withSubScope(childScopeName));
      }
    }

    @Override
    public Scope withName(String opName) {
      return wrapped(delegate.withName(opName));
    }

    @Override
    public Scope withNameAsSubScope(String defaultName) {
      return wrapped(delegate.withNameAsSubScope(defaultName));
    }

    @Override
    public Scope withDevice(DeviceSpec newDevice) {
      return wrapped(delegate.withDevice(newDevice));
    }

    @Override
    public Scope withInitScope() {
      return wrapped(delegate.withInitScope());
    }

    @Override
    public String makeOpName(String defaultName) {
      return delegate.makeOpName(defaultName);
    }

    @Override
    public String makeUnique(String id) {
      return delegate.makeUnique(id);
    }

    @Override
    public void refreshNames() {
      delegate.refreshNames();
    }

    @Override
    public Scope withControlDependencyOps(Iterable<Operation> controls) {
      return wrapped(delegate.withControlDependencyOps(controls));
    }

    @Override
    public OperationBuilder apply(OperationBuilder builder) {
      return delegate.apply(builder);
    }

    @Override
    public String getDeviceString() {
      return delegate.getDeviceString();
    }

    @Override
    public boolean isInit() {
      return delegate.isInit();
    }
  }

  /** The names of a graph's ops by parent scope, read once each, in graph order. */
  private static final class Index {
    private int position;
    private final Map<String, List<String>> children = new HashMap<>();

    synchronized List<String> children(Graph graph, String parent)
        throws ReflectiveOperationException {
      Object ref = R.ref.invoke(graph);
      try {
        TF_Graph handle = (TF_Graph) R.nativeHandle.invoke(ref);
        while (true) {
          Object[] next = (Object[]) R.nextOperation.invoke(null, handle, position);
          if (next == null || next[0] == null || ((TF_Operation) next[0]).isNull()) {
            break;
          }
          String name =
              org.tensorflow.internal.c_api.global.tensorflow.TF_OperationName(
                      (TF_Operation) next[0])
                  .getString();
          int slash = name.lastIndexOf('/');
          String p = slash < 0 ? "" : name.substring(0, slash);
          children.computeIfAbsent(p, k -> new ArrayList<>()).add(name.substring(slash + 1));
          position = (Integer) next[1];
        }
      } finally {
        R.closeRef.invoke(ref);
      }
      return new ArrayList<>(children.getOrDefault(parent, List.of()));
    }
  }

  /** tensorflow-java's private members this class uses; null when any is missing. */
  private static final class Reflection {
    final Class<?> opScope;
    final Constructor<?> opsCtor;
    final Constructor<?> opScopeCtor;
    final Constructor<?> nameScopeCtor;
    final Field env;
    final Field nameScope;
    final Field controls;
    final Field device;
    final Field init;
    final Field prefix;
    final Field opName;
    final Field ids;
    final Method makeUnique;
    final Method ref;
    final Method nativeHandle;
    final Method closeRef;
    final Method nextOperation;

    private Reflection() throws ReflectiveOperationException {
      opScope = Class.forName("org.tensorflow.op.OpScope");
      Class<?> ns = Class.forName("org.tensorflow.op.NameScope");
      opsCtor = access(Ops.class.getDeclaredConstructor(Scope.class));
      opScopeCtor =
          access(
              opScope.getDeclaredConstructor(
                  ExecutionEnvironment.class, ns, List.class, DeviceSpec.class, boolean.class));
      nameScopeCtor = access(ns.getDeclaredConstructor(String.class, String.class, Map.class));
      env = access(opScope.getDeclaredField("env"));
      nameScope = access(opScope.getDeclaredField("nameScope"));
      controls = access(opScope.getDeclaredField("controlDependencies"));
      device = access(opScope.getDeclaredField("deviceSpec"));
      init = access(opScope.getDeclaredField("isInit"));
      prefix = access(ns.getDeclaredField("opPrefix"));
      opName = access(ns.getDeclaredField("opName"));
      ids = access(ns.getDeclaredField("ids"));
      makeUnique = access(ns.getDeclaredMethod("makeUnique", String.class));
      ref = access(Graph.class.getDeclaredMethod("ref"));
      Class<?> reference = Class.forName("org.tensorflow.Graph$Reference");
      nativeHandle = access(reference.getDeclaredMethod("nativeHandle"));
      closeRef = access(reference.getDeclaredMethod("close"));
      nextOperation =
          access(Graph.class.getDeclaredMethod("nextOperation", TF_Graph.class, int.class));
    }

    static Reflection load() {
      try {
        return new Reflection();
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }

    private static <T extends java.lang.reflect.AccessibleObject> T access(T member) {
      member.setAccessible(true);
      return member;
    }

    /**
     * What {@code OpScope.withSubScope} builds (NameScope.withSubScope: the parent makes the name
     * unique, the child scope starts with the ids of the ops directly under it), with those ops
     * taken from the index.
     */
    @SuppressWarnings("unchecked")
    Scope subScope(Scope parent, String childScopeName) throws ReflectiveOperationException {
      if (childScopeName == null) {
        throw new IllegalArgumentException("Names cannot be null");
      }
      if (!NAME_REGEX.matcher(childScopeName).matches()) {
        throw new IllegalArgumentException(
            String.format(
                "invalid name: '%s' does not match the regular expression %s",
                childScopeName, NAME_REGEX));
      }
      Object parentNames = nameScope.get(parent);
      String fixed = (String) opName.get(parentNames);
      String unique =
          (String) makeUnique.invoke(parentNames, fixed != null ? fixed : childScopeName);
      String parentPrefix = (String) prefix.get(parentNames);
      String full = parentPrefix != null ? parentPrefix + "/" + unique : unique;
      Object childNames = nameScopeCtor.newInstance(full, null, null);
      Map<String, Integer> childIds = (Map<String, Integer>) ids.get(childNames);
      Graph graph = (Graph) parent.env();
      for (String leaf : INDEXES.computeIfAbsent(graph, g -> new Index()).children(graph, full)) {
        importId(childIds, leaf);
      }
      return (Scope)
          opScopeCtor.newInstance(
              env.get(parent),
              childNames,
              controls.get(parent),
              device.get(parent),
              init.get(parent));
    }

    /** NameScope.importIdsFrom for one op directly under the scope. */
    private static void importId(Map<String, Integer> ids, String name) {
      Matcher m = NAME_PATTERN.matcher(name);
      if (m.find()) {
        String base = m.group(1);
        int next;
        try {
          next = Integer.parseInt(m.group(2)) + 1;
        } catch (NumberFormatException e) {
          return;
        }
        Integer known = ids.get(base);
        if (known == null || known <= next) {
          ids.put(base, next);
        }
      } else {
        ids.merge(name, 1, Integer::sum);
      }
    }
  }
}
