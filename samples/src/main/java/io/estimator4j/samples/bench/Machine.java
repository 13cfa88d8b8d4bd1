package io.estimator4j.samples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** A one-line description of the machine and its load, printed with the results. */
public final class Machine {
  private static final Path LOADAVG = Path.of("/proc/loadavg");

  private Machine() {}

  /** Cores, CPU, JVM and the current load average. */
  static String describe() {
    return "Machine: " + hardware() + ". " + loadAverage();
  }

  /** {@code nproc}, the CPU model from /proc/cpuinfo and the JVM, in one line. */
  static String hardware() {
    String cpu = "unknown CPU";
    try {
      cpu =
          Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
              .filter(l -> l.startsWith("model name"))
              .map(l -> l.substring(l.indexOf(':') + 1).strip())
              .findFirst()
              .orElse(cpu);
    } catch (IOException e) {
      // no /proc: keep "unknown CPU"
    }
    return String.format(
        Locale.ROOT,
        "nproc %d, CPU \"%s\", %s %s, max heap %d MiB",
        Runtime.getRuntime().availableProcessors(),
        cpu,
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20);
  }

  /** {@code Load average (1, 5, 15 min): ...} from /proc/loadavg, or empty where there is none. */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(LOADAVG).trim().split("\\s+");
      return "Load average (1, 5, 15 min): " + f[0] + ", " + f[1] + ", " + f[2] + ".";
    } catch (IOException | ArrayIndexOutOfBoundsException e) {
      return "";
    }
  }
}
