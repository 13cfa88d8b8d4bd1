package io.estimator4j.estimator.impl;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.checkpoint.VariableInfo;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.config.WarmStartSettings;
import io.estimator4j.estimator.distributed.impl.TensorFlowInternals;
import io.estimator4j.estimator.modelfn.ModeKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;

/**
 * Creates a session for a {@link ModelGraph} and brings its variables to life: initialise, then
 * restore a checkpoint (checked against the graph first) or warm-start, then run the local
 * initialisers. The counterpart of tf.compat.v1.train.SessionManager with a Scaffold. In a cluster
 * the training session runs on this task's server (grpc://): the chief initialises or restores the
 * shared variables, the other workers wait for it.
 */
public final class SessionStarter {
  private static final Logger LOG = LoggerFactory.getLogger(SessionStarter.class);

  /** How often a non-chief worker checks whether the chief has initialised the variables. */
  static final long READY_POLL_MILLIS = 500;

  private SessionStarter() {}

  /**
   * @param checkpoint prefix to restore, or null for fresh variables (then warm start applies)
   */
  public static Session start(
      ModelGraph mg, RunConfig config, String checkpoint, WarmStartSettings ws) {
    boolean remote = mg.mode == ModeKeys.TRAIN && !config.master().isEmpty();
    if (remote && !config.isChief()) {
      return startNonChief(mg, config);
    }
    Session session =
        remote
            ? TensorFlowInternals.remoteSession(
                mg.graph, config.master(), config.effectiveSessionConfig())
            : new Session(mg.graph, false, config.sessionConfig());
    try {
      session.initialize();
      if (checkpoint != null) {
        checkCompatible(mg, checkpoint);
        mg.saver.restore(session, checkpoint);
      } else if (ws != null) {
        WarmStarter.warmStart(mg, session, ws);
      }
      mg.runLocalInitializers(session);
      return session;
    } catch (RuntimeException | Error e) {
      session.close();
      throw e;
    }
  }

  /**
   * A non-chief worker's session (WorkerSessionCreator): it never initialises or restores the
   * shared variables, it waits until the chief has (up to session_creation_timeout_secs), then runs
   * only its local initialisers.
   */
  private static Session startNonChief(ModelGraph mg, RunConfig config) {
    Ops tf = mg.tf.withSubScope("report_uninitialized_variables");
    List<Operand<TBool>> ready = new ArrayList<>();
    for (Operand<?> v : mg.globalVariables) {
      ready.add(tf.isVariableInitialized(v));
    }
    Session session =
        TensorFlowInternals.remoteSession(
            mg.graph, config.master(), config.effectiveSessionConfig());
    try {
      // tensorflow-java refuses to run a session whose initialisers have not run; the chief runs
      // them on the shared variables, this task must not
      TensorFlowInternals.markInitialized(session);
      long deadline = System.nanoTime() + config.sessionCreationTimeoutSecs() * 1_000_000_000L;
      boolean logged = false;
      while (!allTrue(session, ready)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "The chief did not initialise the variables within "
                  + config.sessionCreationTimeoutSecs()
                  + " s (task "
                  + config.cluster().taskType()
                  + "/"
                  + config.cluster().taskId()
                  + ", target "
                  + config.master()
                  + "). Fix: start"
                  + " the chief and ps tasks of TF_CONFIG's cluster, or raise "
                  + "RunConfig.sessionCreationTimeoutSecs.");
        }
        if (!logged) {
          LOG.info("Waiting for the chief to initialise the model variables.");
          logged = true;
        }
        try {
          Thread.sleep(READY_POLL_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while waiting for the chief", e);
        }
      }
      mg.runLocalInitializers(session);
      return session;
    } catch (RuntimeException | Error e) {
      session.close();
      throw e;
    }
  }

  private static boolean allTrue(Session session, List<Operand<TBool>> flags) {
    if (flags.isEmpty()) {
      return true;
    }
    Session.Runner r = session.runner();
    flags.forEach(r::fetch);
    try (Result result = r.run()) {
      for (int i = 0; i < flags.size(); i++) {
        if (!((TBool) result.get(i)).getBoolean()) {
          return false;
        }
      }
      return true;
    }
  }

  /** Fails with a message naming every missing or mismatched variable. */
  public static void checkCompatible(ModelGraph mg, String checkpoint) {
    Map<String, VariableInfo> saved;
    try (CheckpointReader reader = CheckpointReader.open(checkpoint)) {
      saved = reader.variables();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read checkpoint " + checkpoint, e);
    }
    List<String> problems = new ArrayList<>();
    for (Operand<?> v : mg.saver.variables()) {
      String name = v.op().name();
      VariableInfo info = saved.get(name);
      if (info == null) {
        problems.add(name + " is not in the checkpoint");
        continue;
      }
      long[] dims = v.shape().asArray();
      org.tensorflow.proto.DataType dtype = baseType(v.asOutput().dataType());
      if (!Arrays.equals(dims, info.shape()) || info.dtype() != dtype) {
        problems.add(
            name
                + ": graph has "
                + dtype
                + Arrays.toString(dims)
                + ", checkpoint has "
                + info.dtype()
                + Arrays.toString(info.shape()));
      }
    }
    for (io.estimator4j.checkpoint.Saveable s : mg.saver.saveables()) {
      for (io.estimator4j.checkpoint.Saveable.Spec spec : s.specs()) {
        if (!saved.containsKey(spec.name())) {
          problems.add(spec.name() + " is not in the checkpoint");
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "Checkpoint "
              + checkpoint
              + " was written by a different graph: "
              + String.join("; ", problems.subList(0, Math.min(10, problems.size())))
              + (problems.size() > 10 ? "; and " + (problems.size() - 10) + " more" : "")
              + ". Fix: use a new model_dir for this model, or load only the matching variables "
              + "with WarmStartSettings.");
    }
  }

  /** DT_FLOAT_REF -> DT_FLOAT: variables read as reference types. */
  public static org.tensorflow.proto.DataType baseType(org.tensorflow.proto.DataType t) {
    return t.getNumber() > 100 ? org.tensorflow.proto.DataType.forNumber(t.getNumber() - 100) : t;
  }
}
