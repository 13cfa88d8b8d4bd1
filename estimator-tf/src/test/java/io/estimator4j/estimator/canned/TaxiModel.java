package io.estimator4j.estimator.canned;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.head.LossReduction;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.featurecolumn.DenseColumn;
import io.estimator4j.featurecolumn.FeatureColumn;
import io.estimator4j.featurecolumn.FeatureColumns;
import io.estimator4j.testing.CppSavedModel;
import io.estimator4j.testing.RawRestore;
import io.estimator4j.testing.TestData;
import io.estimator4j.tfrecord.TFRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * The TFX chicago-taxi estimator of testdata/savedmodels/tfx-chicago-taxi-estimator rebuilt in
 * Java, and its eval data run through the export's own TF Transform graph.
 *
 * <p>The model is TFX's trainer_module.py (tfx/components/testdata/module_file): a
 * DNNLinearCombinedClassifier with numeric dnn columns fare_xf, trip_miles_xf, trip_seconds_xf,
 * hidden units {@code [max(2, int(100 * 0.7**i)) for i in range(4)]} = [100, 70, 48, 34], linear
 * identity columns with {@code default_value=0} (1010 buckets for the two vocabularies: top 1000 +
 * 10 OOV; 10 for the four bucketized coordinates; 24, 31 and 12 for hour, day and month), TF2's
 * default optimizers (Keras Adagrad 0.001 for the dnn, Ftrl min(0.005, 1/sqrt(9)) = 0.005 for the
 * linear part) and loss reduction SUM_OVER_BATCH_SIZE.
 *
 * <p>The features are what the export's transform graph gives for the 424 eval tf.Examples: their
 * serialized bytes fed to {@code input_example_tensor:0} of the SavedModel loaded by TensorFlow's
 * C++ loader, the 17 outputs {@code transform_features_layer/StatefulPartitionedCall_6:k} fetched
 * (sorted by name; the model uses 12 of them, and 11 is the label tips_xf, computed from the raw
 * {@code tips} fed as the sparse tensor the label placeholders stand for).
 */
final class TaxiModel {
  static final Path DIR = TestData.path("savedmodels/tfx-chicago-taxi-estimator");
  static final Path EXPORT = DIR.resolve("export/chicago-taxi/1646034756");
  static final Path EVAL = DIR.resolve("eval-examples/data_tfrecord-00000-of-00012.gz");

  static final List<String> DNN = List.of("fare_xf", "trip_miles_xf", "trip_seconds_xf");
  static final Map<String, Long> LINEAR = new LinkedHashMap<>();

  static {
    LINEAR.put("company_xf", 1010L);
    LINEAR.put("dropoff_latitude_xf", 10L);
    LINEAR.put("dropoff_longitude_xf", 10L);
    LINEAR.put("payment_type_xf", 1010L);
    LINEAR.put("pickup_latitude_xf", 10L);
    LINEAR.put("pickup_longitude_xf", 10L);
    LINEAR.put("trip_start_day_xf", 31L);
    LINEAR.put("trip_start_hour_xf", 24L);
    LINEAR.put("trip_start_month_xf", 12L);
  }

  /** The transform outputs in name order, as StatefulPartitionedCall_6:k. */
  private static final List<String> OUTPUTS =
      List.of(
          "company_xf",
          "dropoff_census_tract_xf",
          "dropoff_community_area_xf",
          "dropoff_latitude_xf",
          "dropoff_longitude_xf",
          "fare_xf",
          "payment_type_xf",
          "pickup_census_tract_xf",
          "pickup_community_area_xf",
          "pickup_latitude_xf",
          "pickup_longitude_xf",
          "tips_xf",
          "trip_miles_xf",
          "trip_seconds_xf",
          "trip_start_day_xf",
          "trip_start_hour_xf",
          "trip_start_month_xf");

  /** The transformed eval data and what Python's export predicts for it. */
  record Data(
      Map<String, float[]> dense,
      Map<String, long[]> ids,
      int[] labels,
      float[] pythonLogits,
      float[] pythonLogistic,
      float[][] pythonProbabilities,
      long[] pythonClassIds) {
    int size() {
      return labels.length;
    }

    /** The rows as an input: one pass in order, or endless with shuffling for training. */
    ArrayInput input(int batchSize, boolean train) {
      ArrayInput.Builder b =
          ArrayInput.builder()
              .batchSize(batchSize)
              .numEpochs(train ? null : 1)
              .shuffle(train)
              .seed(7)
              .labels(labels);
      dense.forEach(b::feature);
      ids.forEach(b::feature);
      return b.build();
    }
  }

  private TaxiModel() {}

  /** The Java estimator of TFX's trainer_module.py on {@code config}. */
  static Estimator estimator(RunConfig config) {
    List<DenseColumn> dnn = new ArrayList<>();
    DNN.forEach(k -> dnn.add(FeatureColumns.numericColumn(k)));
    List<FeatureColumn> linear = new ArrayList<>();
    LINEAR.forEach((k, n) -> linear.add(FeatureColumns.categoricalColumnWithIdentity(k, n, 0L)));
    return DNNLinearCombinedClassifier.builder()
        .linearFeatureColumns(linear)
        .dnnFeatureColumns(dnn)
        .dnnHiddenUnits(100, 70, 48, 34)
        .lossReduction(LossReduction.SUM_OVER_BATCH_SIZE)
        .config(config)
        .build();
  }

  /**
   * A model_dir holding a copy of Python's model.ckpt-{@code step} (index, data and meta graph) and
   * a {@code checkpoint} state file that names only it.
   */
  static Path copyModelDir(Path target, long step) throws IOException {
    Files.createDirectories(target);
    String base = "model.ckpt-" + step;
    for (String suffix : List.of(".index", ".data-00000-of-00001", ".meta")) {
      Files.copy(DIR.resolve(base + suffix), target.resolve(base + suffix));
    }
    Files.writeString(
        target.resolve("checkpoint"),
        "model_checkpoint_path: \"" + base + "\"\nall_model_checkpoint_paths: \"" + base + "\"\n");
    return target;
  }

  /** The checkpoint's variables with TensorFlow's RestoreV2 (float32 except the int64 counters). */
  static Map<String, Object> pythonValues(String prefix, Iterable<String> names) {
    Map<String, Class<? extends org.tensorflow.types.family.TType>> types = new LinkedHashMap<>();
    for (String n : names) {
      types.put(n, n.equals("global_step") || n.endsWith("/iter") ? TInt64.class : TFloat32.class);
    }
    return RawRestore.read(prefix, types);
  }

  /** Runs the eval tf.Examples through the Python export (C++ loader). */
  static Data data() throws IOException {
    List<byte[]> records = TFRecords.readAll(EVAL, TFRecords.Compression.GZIP);
    int n = records.size();
    // the raw label `tips`, as the VarLen SparseTensor the transform's label placeholders replace
    List<long[]> tipIndices = new ArrayList<>();
    List<Float> tipValues = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Feature tips = Example.parseFrom(records.get(i)).getFeatures().getFeatureMap().get("tips");
      if (tips != null && tips.getFloatList().getValueCount() > 0) {
        tipIndices.add(new long[] {i, 0});
        tipValues.add(tips.getFloatList().getValue(0));
      }
    }
    long[][] indices = tipIndices.toArray(new long[0][]);
    float[] values = new float[tipValues.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = tipValues.get(i);
    }
    Map<String, float[]> dense = new LinkedHashMap<>();
    Map<String, long[]> ids = new LinkedHashMap<>();
    int[] labels = new int[n];
    float[] logits = new float[n];
    float[] logistic = new float[n];
    float[][] probabilities = new float[n][2];
    long[] classIds = new long[n];
    try (CppSavedModel model = CppSavedModel.load(EXPORT, "serve");
        TString examples =
            TString.tensorOfBytes(NdArrays.vectorOfObjects(records.toArray(new byte[0][])));
        TInt64 tipIdx =
            TInt64.tensorOf(
                Shape.of(indices.length, 2),
                d -> {
                  for (int i = 0; i < indices.length; i++) {
                    d.setLong(indices[i][0], i, 0);
                    d.setLong(indices[i][1], i, 1);
                  }
                });
        TFloat32 tipVal = TFloat32.vectorOf(values);
        TInt64 tipShape = TInt64.vectorOf(n, 1)) {
      Session.Runner r =
          model
              .session()
              .runner()
              .feed("input_example_tensor:0", examples)
              .feed("transform_features_layer/PlaceholderWithDefault:0", tipIdx)
              .feed("transform_features_layer/PlaceholderWithDefault_1:0", tipVal)
              .feed("transform_features_layer/PlaceholderWithDefault_2:0", tipShape);
      for (int k = 0; k < OUTPUTS.size(); k++) {
        r.fetch("transform_features_layer/StatefulPartitionedCall_6:" + k);
      }
      r.fetch("add:0")
          .fetch("head/predictions/logistic:0")
          .fetch("head/predictions/probabilities:0")
          .fetch("head/predictions/ExpandDims:0");
      try (Result result = r.run()) {
        for (int k = 0; k < OUTPUTS.size(); k++) {
          String name = OUTPUTS.get(k);
          Object v = RawRestore.values(result.get(k));
          if (name.equals("tips_xf")) {
            long[] l = (long[]) v;
            for (int i = 0; i < n; i++) {
              labels[i] = (int) l[i];
            }
          } else if (DNN.contains(name)) {
            dense.put(name, (float[]) v);
          } else if (LINEAR.containsKey(name)) {
            ids.put(name, (long[]) v);
          }
        }
        int p = OUTPUTS.size();
        TFloat32 lg = (TFloat32) result.get(p);
        TFloat32 ls = (TFloat32) result.get(p + 1);
        TFloat32 pr = (TFloat32) result.get(p + 2);
        TInt64 ci = (TInt64) result.get(p + 3);
        for (int i = 0; i < n; i++) {
          logits[i] = lg.getFloat(i, 0);
          logistic[i] = ls.getFloat(i, 0);
          probabilities[i][0] = pr.getFloat(i, 0);
          probabilities[i][1] = pr.getFloat(i, 1);
          classIds[i] = ci.getLong(i, 0);
        }
      }
    }
    return new Data(dense, ids, labels, logits, logistic, probabilities, classIds);
  }
}
