package io.estimator4j.estimator.impl;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.estimator.config.ClusterConfig;
import io.estimator4j.estimator.config.RunConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterProbeTest {
  @TempDir Path dir;

  @Test
  void aPsThatNeverComesUpFailsWithinTheTimeoutNamingItsAddress() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    String ps = "127.0.0.1:" + port;
    RunConfig config =
        RunConfig.builder()
            .modelDir(dir)
            .cluster(
                new ClusterConfig(
                    Map.of("chief", List.of("127.0.0.1:1"), "ps", List.of(ps)), "chief", 0, ""))
            .sessionCreationTimeoutSecs(1)
            .build();
    assertThatThrownBy(() -> ClusterProbe.awaitParameterServers(config))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("could not reach the ps at " + ps)
        .hasMessageContaining("within 1 s")
        .hasMessageContaining("TF_CONFIG");
  }
}
