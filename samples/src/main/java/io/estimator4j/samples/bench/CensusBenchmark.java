package io.estimator4j.samples.bench;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.featurecolumn.DefaultStateManager;
import io.estimator4j.featurecolumn.FeatureColumn;
import io.estimator4j.featurecolumn.FeatureColumns;
import io.estimator4j.featurecolumn.InputLayer;
import io.estimator4j.featurecolumn.LinearModel;
import io.estimator4j.featurecolumn.TransformContext;
import io.estimator4j.featurecolumn.parsing.ExampleParser;
import io.estimator4j.samples.Census;
import io.estimator4j.samples.CensusData;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.BytesList;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * Census throughput: training examples per second of the wide, deep and wide_deep estimators (batch
 * 40, as the sample), and rows per second of tf.Example parsing plus the feature-column
 * transformation (input layer and linear model) on batches of serialized census rows.
 */
public final class CensusBenchmark {
  private CensusBenchmark() {}

  public static void main(String[] args) throws IOException {
    run(System.out, args.length > 0 ? Integer.parseInt(args[0]) : 1);
  }

  /** Runs both measurements and prints one Markdown table row per result. */
  public static void run(PrintStream out, int epochs) throws IOException {
    out.println("| measurement | result |");
    out.println("|---|---|");
    for (Census.Model model : Census.Model.values()) {
      out.printf(
          Locale.ROOT,
          "| train %s, batch %d, %d epoch(s) | %.0f examples/s |%n",
          model.name().toLowerCase(Locale.ROOT),
          Census.BATCH_SIZE,
          epochs,
          train(model, epochs));
    }
    for (int batch : new int[] {40, 1000}) {
      out.printf(
          Locale.ROOT,
          "| parse tf.Example + transform, batch %d | %.0f rows/s |%n",
          batch,
          parseAndTransform(batch));
    }
  }

  /** Examples per second of Estimator.train after a 200-step warm-up. */
  static double train(Census.Model model, int epochs) throws IOException {
    Path dir = Files.createTempDirectory("e4j-bench-census-");
    // quiet loop: no periodic checkpoints, summaries or log lines
    Estimator quiet =
        Census.estimator(
            model,
            RunConfig.builder()
                .modelDir(dir)
                .randomSeed(42)
                .noPeriodicCheckpoints()
                .saveSummarySteps(0)
                .logStepCountSteps(0)
                .build());
    quiet.train(
        CensusData.input(CensusData.trainFile(), true, null, Census.BATCH_SIZE, 1),
        StepLimit.steps(200));
    long steps = (long) Math.ceil(CensusData.TRAIN_EXAMPLES * (double) epochs / Census.BATCH_SIZE);
    long t0 = System.nanoTime();
    quiet.train(
        CensusData.input(CensusData.trainFile(), true, null, Census.BATCH_SIZE, 2),
        StepLimit.steps(steps));
    double secs = (System.nanoTime() - t0) / 1e9;
    return steps * Census.BATCH_SIZE / secs;
  }

  /** Rows per second of ParseExampleV2 plus input layer and linear model on census rows. */
  static double parseAndTransform(int batch) throws IOException {
    List<String> lines = Files.readAllLines(CensusData.trainFile());
    byte[][] serialized = new byte[batch][];
    for (int i = 0; i < batch; i++) {
      serialized[i] = toExample(lines.get(i).split(",", -1)).toByteArray();
    }
    Census.Columns c = Census.columns();
    List<FeatureColumn> all = new ArrayList<>(c.wide());
    all.addAll(c.deep());
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TString> in = tf.placeholder(TString.class, Placeholder.shape(Shape.of(-1)));
      Map<String, Operand<?>> features =
          ExampleParser.parse(tf, in, FeatureColumns.makeParseExampleSpec(all)).densified(tf);
      DefaultStateManager state = new DefaultStateManager();
      TransformContext ctx = new TransformContext(tf, features, state);
      Operand<TFloat32> dense =
          InputLayer.build(tf.withSubScope("input_layer"), ctx, c.deep()).output();
      Operand<TFloat32> logits =
          LinearModel.build(tf.withSubScope("linear_model"), ctx, c.wide(), 1, "sum").logits();
      try (Session s = new Session(g, false);
          TString t = TString.tensorOfBytes(NdArrays.vectorOfObjects(serialized))) {
        s.initialize();
        state.tableInitializers().forEach(op -> s.runner().addTarget(op).run());
        int rounds = Math.max(20, 200_000 / batch);
        for (int i = 0; i < rounds / 10; i++) {
          s.runner().feed(in, t).fetch(dense).fetch(logits).run().close();
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
          s.runner().feed(in, t).fetch(dense).fetch(logits).run().close();
        }
        return (double) rounds * batch / ((System.nanoTime() - t0) / 1e9);
      }
    }
  }

  static Example toExample(String[] f) {
    Features.Builder b = Features.newBuilder();
    for (int i = 0; i < CensusData.COLUMNS.size() - 1; i++) {
      String name = CensusData.COLUMNS.get(i);
      Feature feature;
      try {
        feature =
            Feature.newBuilder()
                .setFloatList(FloatList.newBuilder().addValue(Float.parseFloat(f[i])))
                .build();
      } catch (NumberFormatException e) {
        feature =
            Feature.newBuilder()
                .setBytesList(
                    BytesList.newBuilder()
                        .addValue(com.google.protobuf.ByteString.copyFromUtf8(f[i])))
                .build();
      }
      b.putFeature(name, feature);
    }
    return Example.newBuilder().setFeatures(b).build();
  }
}
