package io.estimator4j.estimator.distributed.impl;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetTarget;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.proto.ConfigProto;

/**
 * The one adapter over tensorflow-java internals that distributed training needs, checked against
 * tensorflow-java 1.1.0: a {@link Session} on a {@code grpc://} target (created through the C API
 * and wrapped in Session's package-private {@code (Graph, TF_Session)} constructor, since Session
 * has no public way to name a target), marking a session's initialisers as run (a non-chief worker
 * must not run them: they would reset the variables the chief initialised on the parameter
 * servers), and an {@link Ops} over a custom {@link Scope} (its constructor is package-private).
 */
public final class TensorFlowInternals {
  private static final Constructor<Session> SESSION;
  private static final Method MARK_INITIALIZERS_RAN;
  private static final Constructor<Ops> OPS;
  private static final Method GRAPH_REF;
  private static final Method REF_HANDLE;
  private static final ReflectiveOperationException FAILURE;

  static {
    Constructor<Session> session = null;
    Method markRan = null;
    Constructor<Ops> ops = null;
    Method graphRef = null;
    Method refHandle = null;
    ReflectiveOperationException failure = null;
    try {
      session = Session.class.getDeclaredConstructor(Graph.class, TF_Session.class);
      session.setAccessible(true);
      markRan = Session.class.getDeclaredMethod("markAllInitializersAsRan");
      markRan.setAccessible(true);
      ops = Ops.class.getDeclaredConstructor(Scope.class);
      ops.setAccessible(true);
      graphRef = Graph.class.getDeclaredMethod("ref");
      graphRef.setAccessible(true);
      refHandle = graphRef.getReturnType().getDeclaredMethod("nativeHandle");
      refHandle.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      failure =
          e instanceof ReflectiveOperationException r
              ? r
              : new ReflectiveOperationException(e.toString(), e);
    }
    SESSION = session;
    MARK_INITIALIZERS_RAN = markRan;
    OPS = ops;
    GRAPH_REF = graphRef;
    REF_HANDLE = refHandle;
    FAILURE = failure;
  }

  private TensorFlowInternals() {}

  /** An Ops that builds every op through {@code scope}. */
  public static Ops ops(Scope scope) {
    return invoke(() -> OPS.newInstance(scope));
  }

  /**
   * Opens a session of {@code graph} on a TensorFlow server, e.g. {@code grpc://localhost:2222};
   * the caller owns (closes) it. Its initialisers are not run.
   */
  public static Session remoteSession(Graph graph, String target, ConfigProto config) {
    check();
    try (PointerScope scope = new PointerScope()) {
      TF_Status status = TF_Status.newStatus();
      TF_SessionOptions opts = TF_SessionOptions.newSessionOptions();
      BytePointer configBytes = new BytePointer(config.toByteArray());
      TF_SetConfig(opts, configBytes, configBytes.capacity(), status);
      status.throwExceptionIfNotOK();
      TF_SetTarget(opts, target);
      TF_Session handle;
      try (AutoCloseable ref = (AutoCloseable) invoke(() -> GRAPH_REF.invoke(graph))) {
        TF_Graph graphHandle = (TF_Graph) REF_HANDLE.invoke(ref);
        handle = TF_Session.newSession(graphHandle, opts, status);
        status.throwExceptionIfNotOK();
      } catch (ReflectiveOperationException e) {
        throw unsupported(e);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("Cannot release the graph reference: " + e, e);
      }
      handle.retainReference();
      try {
        return SESSION.newInstance(graph, handle);
      } catch (InvocationTargetException e) {
        throw new IllegalStateException("Session wrapper failed: " + e.getCause(), e.getCause());
      } catch (ReflectiveOperationException e) {
        throw unsupported(e);
      }
    }
  }

  /** Marks the graph's initialisers as run in {@code session} without running them. */
  public static void markInitialized(Session session) {
    invoke(() -> MARK_INITIALIZERS_RAN.invoke(session));
  }

  private interface Reflective<T> {
    T call() throws ReflectiveOperationException;
  }

  @SuppressWarnings("unchecked")
  private static <T> T invoke(Reflective<?> call) {
    check();
    try {
      return (T) call.call();
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause().toString(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw unsupported(e);
    }
  }

  private static void check() {
    if (FAILURE != null) {
      throw unsupported(FAILURE);
    }
  }

  private static IllegalStateException unsupported(Exception e) {
    return new IllegalStateException(
        "Distributed training needs tensorflow-java 1.1.0 internals (Session(Graph, TF_Session), "
            + "Session.markAllInitializersAsRan, Ops(Scope), Graph.ref) that this version lacks: "
            + e
            + ". Fix: use tensorflow-java 1.1.0, or train locally without TF_CONFIG.",
        e);
  }
}
