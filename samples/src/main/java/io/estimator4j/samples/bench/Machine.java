package io.estimator4j.samples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** A one-line description of the machine and its load, printed with the results. */
final class Machine {
  private static final Path LOADAVG = Path.of("/proc/loadavg");

  private Machine() {}

  /** Cores, JVM and the current load average. */
  static String describe() {
    return String.format(
        Locale.ROOT,
        "Machine: %d cores visible to the JVM, max heap %d MiB, %s %s. %s",
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20,
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        loadAverage());
  }

  /** {@code Load average (1, 5, 15 min): ...} from /proc/loadavg, or empty where there is none. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(LOADAVG).trim().split("\\s+");
      return "Load average (1, 5, 15 min): " + f[0] + ", " + f[1] + ", " + f[2] + ".";
    } catch (IOException | ArrayIndexOutOfBoundsException e) {
      return "";
    }
  }
}
