package io.estimator4j.estimator.impl;

import io.estimator4j.estimator.config.ClusterConfig;
import io.estimator4j.estimator.config.RunConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounded waits for the tasks of a cluster before a session is created on it: TensorFlow's
 * CreateSession waits without limit for every task its device filters name.
 */
public final class ClusterProbe {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterProbe.class);

  /** How often a trainer tries to reach a ps that is not up yet. */
  static final long PS_POLL_MILLIS = 500;

  private ClusterProbe() {}

  /**
   * Waits until every ps task of the cluster accepts connections, at most
   * RunConfig.sessionCreationTimeoutSecs: TensorFlow's CreateSession would otherwise wait forever
   * for a ps that never comes up.
   *
   * @throws IllegalStateException naming the address that was not reached and the TF_CONFIG
   */
  public static void awaitParameterServers(RunConfig config) {
    ClusterConfig c = config.cluster();
    List<String> ps = c.clusterSpec().getOrDefault(ClusterConfig.PS, List.of());
    long deadline = System.nanoTime() + config.sessionCreationTimeoutSecs() * 1_000_000_000L;
    for (String address : ps) {
      boolean logged = false;
      while (!reachable(address)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Task "
                  + c.taskType()
                  + "/"
                  + c.taskId()
                  + " could not reach the ps at "
                  + address
                  + " within "
                  + config.sessionCreationTimeoutSecs()
                  + " s (TF_CONFIG "
                  + System.getenv("TF_CONFIG")
                  + ", cluster "
                  + c.clusterSpec()
                  + "). Fix: start the ps task at that address, check the host and port in"
                  + " TF_CONFIG's cluster, or raise RunConfig.sessionCreationTimeoutSecs.");
        }
        if (!logged) {
          LOG.info("Waiting for the ps at {}", address);
          logged = true;
        }
        try {
          Thread.sleep(PS_POLL_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while waiting for the ps at " + address, e);
        }
      }
    }
  }

  private static boolean reachable(String address) {
    int colon = address.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(
          "TF_CONFIG address '" + address + "' has no port. Fix: write it as host:port.");
    }
    String host = address.substring(0, colon);
    int port = Integer.parseInt(address.substring(colon + 1));
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), (int) PS_POLL_MILLIS);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
