package io.estimator4j.cli;

import io.estimator4j.samples.bench.Alternation;
import picocli.CommandLine.Option;

/** The {@code --alternate BLOCK} option of {@code e4j bench train} and {@code bench canned}. */
final class AlternateOption {
  @Option(
      names = "--alternate",
      paramLabel = "BLOCK",
      defaultValue = "0",
      description =
          "Instead of separate runs per side, alternate both sides on one thread every BLOCK"
              + " steps within each run (steps and warm-up: multiples of BLOCK); both sides then"
              + " share the machine's load moment by moment. 0: off (default).")
  private int block;

  /**
   * The block, or 0 when off; refuses one that does not divide {@code warmup} and {@code steps}.
   */
  int block(long warmup, long steps) {
    if (block != 0) {
      Alternation.checkBlocks(warmup, steps, block);
    }
    return block;
  }
}
