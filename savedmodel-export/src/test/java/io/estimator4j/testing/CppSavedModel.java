package io.estimator4j.testing;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetCode;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_LoadSessionFromSavedModel;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_Message;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Objects;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.MetaGraphDef;

/**
 * A SavedModel loaded by TensorFlow's own C++ loader ({@code TF_LoadSessionFromSavedModel}: the
 * loader of TF Serving and of Python's {@code tf.compat.v1.saved_model.load}), not by this
 * project's Java loader: tests use it as an independent reader of the SavedModels we write and to
 * run Python's exports (which tensorflow-java's {@code SavedModelBundle} cannot load).
 *
 * <p>The C++ loader restores the variables, feeds the assets and runs the main op; the session is
 * then wrapped in a tensorflow-java {@link Session} through its package-private constructor.
 */
public final class CppSavedModel implements AutoCloseable {
  private final Graph graph;
  private final Session session;
  private final MetaGraphDef metaGraph;

  private CppSavedModel(Graph graph, Session session, MetaGraphDef metaGraph) {
    this.graph = graph;
    this.session = session;
    this.metaGraph = metaGraph;
  }

  /**
   * Loads the MetaGraph of {@code tags} from {@code exportDir}.
   *
   * @throws IllegalStateException with TensorFlow's message if the C++ loader fails
   */
  public static CppSavedModel load(Path exportDir, String... tags) {
    Objects.requireNonNull(exportDir, "exportDir");
    Graph graph = new Graph();
    try (AutoCloseable graphRef = graphReference(graph);
        TF_Status status = TF_Status.newStatus();
        TF_SessionOptions options = TF_SessionOptions.newSessionOptions();
        TF_Buffer metaGraph = TF_Buffer.newBuffer();
        PointerPointer<BytePointer> tagPointers = new PointerPointer<>(tags);
        BytePointer dir = new BytePointer(exportDir.toString())) {
      TF_Session handle =
          TF_LoadSessionFromSavedModel(
              options,
              null,
              dir,
              tagPointers,
              tags.length,
              nativeHandle(graphRef),
              metaGraph,
              status);
      if (TF_GetCode(status) != 0) {
        throw new IllegalStateException(
            "TensorFlow's SavedModel loader failed on "
                + exportDir
                + ": "
                + TF_Message(status).getString());
      }
      byte[] metaBytes = new byte[(int) metaGraph.length()];
      new BytePointer(metaGraph.data()).capacity(metaBytes.length).get(metaBytes);
      MetaGraphDef meta = MetaGraphDef.parseFrom(metaBytes);
      Constructor<Session> ctor =
          Session.class.getDeclaredConstructor(Graph.class, TF_Session.class);
      ctor.setAccessible(true);
      Session session = ctor.newInstance(graph, handle);
      Method markRan = Session.class.getDeclaredMethod("markAllInitializersAsRan");
      markRan.setAccessible(true);
      markRan.invoke(session);
      return new CppSavedModel(graph, session, meta);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    } catch (Exception e) {
      graph.close();
      throw new IllegalStateException("Cannot wrap TensorFlow's loaded session", e);
    }
  }

  /** Graph.ref(): keeps the graph's native handle alive while the loader fills it. */
  private static AutoCloseable graphReference(Graph graph) throws ReflectiveOperationException {
    Method ref = Graph.class.getDeclaredMethod("ref");
    ref.setAccessible(true);
    return (AutoCloseable) ref.invoke(graph);
  }

  private static TF_Graph nativeHandle(AutoCloseable reference)
      throws ReflectiveOperationException {
    Method handle = reference.getClass().getDeclaredMethod("nativeHandle");
    handle.setAccessible(true);
    return (TF_Graph) handle.invoke(reference);
  }

  /** The graph the loader imported. */
  public Graph graph() {
    return graph;
  }

  /** The session with the restored variables; closed by {@link #close()}. */
  public Session session() {
    return session;
  }

  /** The MetaGraphDef the loader read. */
  public MetaGraphDef metaGraph() {
    return metaGraph;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
