package io.estimator4j.cli;

import io.estimator4j.npy.Npy;
import io.estimator4j.savedmodel.JavaArray;
import io.estimator4j.savedmodel.SavedModelLoader;
import io.estimator4j.savedmodel.SavedModelPredictor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.Tensor;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code e4j saved-model run}: runs one signature of a SavedModel on inputs from .npy/.npz files,
 * literals or tf.Examples, and saves each output as {@code OUTDIR/<output key>.npy}; the flags mean
 * what they mean to {@code saved_model_cli run}.
 */
@Command(
    name = "run",
    description = {
      "Run a SavedModel signature on inputs and save its outputs as .npy files.",
      "Like saved_model_cli run: the model loads as TF Serving loads it (main op, assets), every"
          + " output is fetched, its shape printed and, with --outdir, saved to"
          + " OUTDIR/<output key>.npy. Give each input once, with --inputs, --input-exprs or"
          + " --input-examples (entries separated by ';'); a key given twice takes the later"
          + " option's value."
    })
final class SavedModelRunCommand extends SavedModelDirCommand {

  /** Values printed per output before "...". */
  static final int PREVIEW_VALUES = 12;

  @Option(
      names = {"--signature", "--signature_def"},
      paramLabel = "KEY",
      required = true,
      description = "Key of the signature to run, e.g. serving_default.")
  private String signature;

  @Option(
      names = {"--tag-set", "--tag_set"},
      paramLabel = "TAGS",
      defaultValue = "serve",
      description = "Tags of the MetaGraph to load, comma-separated (default: ${DEFAULT-VALUE}).")
  private String tagSet;

  @Option(
      names = "--inputs",
      paramLabel = "SPEC",
      description =
          "'<input_key>=<file>[;...]': a .npy file, or an array of a .npz file as"
              + " '<input_key>=<file.npz>[<name>]' (the name may be left out when the .npz holds one"
              + " array).")
  private String inputs;

  @Option(
      names = {"--input-exprs", "--input_exprs"},
      paramLabel = "SPEC",
      description =
          "'<input_key>=<literal>[;...]': a number, string or boolean, or nested lists"
              + " of them (JSON; single quotes allowed), converted to the input's dtype, e.g."
              + " 'x=[[1.0], [2.0]]'. Python expressions (np.ones(...)) are not evaluated.")
  private String inputExprs;

  @Option(
      names = {"--input-examples", "--input_examples"},
      paramLabel = "SPEC",
      description =
          "'<input_key>=[{\"feature\": [values]}, ...][;...]': serialized tf.Examples,"
              + " one per dictionary; float lists become FloatList, integers Int64List, strings"
              + " BytesList, e.g. 'inputs=[{\"x\": [1.0]}, {\"x\": [2.0]}]'.")
  private String inputExamples;

  @Option(
      names = "--outdir",
      paramLabel = "OUTDIR",
      description = "Save each output to OUTDIR/<output key>.npy (the directory is created).")
  private Path outdir;

  @Option(names = "--overwrite", description = "Replace existing output files in OUTDIR.")
  private boolean overwrite;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (inputs == null && inputExprs == null && inputExamples == null) {
      throw new ParameterException(
          spec.commandLine(),
          "At least one of --inputs, --input-exprs or --input-examples is required.");
    }
    MetaGraphDef meta = metaGraph(tagSet);
    SignatureDef sig = signatureToRun(meta);
    Map<String, Path> files = outputFiles(sig);

    Map<String, Tensor> feeds =
        RunInputs.load(signature, sig, inputs, inputExprs, inputExamples, err);
    Map<String, Tensor> results = Map.of();
    try (SavedModelPredictor model = SavedModelPredictor.load(dir, parseTags(tagSet))) {
      results = model.predict(signature, feeds);
      for (Map.Entry<String, Tensor> e : new TreeMap<>(results).entrySet()) {
        String key = e.getKey();
        Tensor t = e.getValue();
        out.println(
            "Result for output key "
                + key
                + ": "
                + t.dataType()
                + " shape "
                + shapeText(t.shape().asArray()));
        out.println("  " + preview(t));
        if (files.containsKey(key)) {
          Files.createDirectories(outdir);
          Npy.write(files.get(key), t);
          out.println("Output " + key + " is saved to " + files.get(key));
        }
      }
    } finally {
      closeDistinct(feeds.values());
      closeDistinct(results.values());
    }
    out.flush();
    return 0;
  }

  private SignatureDef signatureToRun(MetaGraphDef meta) {
    Map<String, SignatureDef> sigs = new TreeMap<>(meta.getSignatureDefMap());
    sigs.remove(SavedModelLoader.INIT_OP_SIGNATURE_KEY);
    SignatureDef sig = sigs.get(signature);
    if (sig == null) {
      throw new IllegalArgumentException(
          "No signature '"
              + signature
              + "' in "
              + dir
              + ". Signatures available: "
              + sigs.keySet()
              + ".");
    }
    return sig;
  }

  /**
   * OUTDIR/<key>.npy for every output, checked before anything runs: the dtype must be one .npy can
   * hold, and an existing file needs --overwrite.
   */
  private Map<String, Path> outputFiles(SignatureDef sig) throws IOException {
    Map<String, Path> files = new LinkedHashMap<>();
    if (outdir == null) {
      return files;
    }
    checkOutdir();
    List<String> existing = new ArrayList<>();
    for (Map.Entry<String, TensorInfo> e : new TreeMap<>(sig.getOutputsMap()).entrySet()) {
      if (!Npy.canWrite(e.getValue().getDtype())) {
        throw new IllegalArgumentException(
            "Output '"
                + e.getKey()
                + "' is "
                + e.getValue().getDtype()
                + ", which cannot be saved as .npy; supported dtypes: "
                + Npy.SUPPORTED_DTYPES
                + ". Run without --outdir to print it only.");
      }
      Path file = outdir.resolve(e.getKey() + ".npy");
      if (!file.normalize().startsWith(outdir.normalize())) {
        throw new IllegalArgumentException("Output key '" + e.getKey() + "' is not a file name.");
      }
      if (Files.exists(file) && !overwrite) {
        existing.add(file.toString());
      }
      files.put(e.getKey(), file);
    }
    if (!existing.isEmpty()) {
      throw new FileAlreadyExistsException(
          existing.get(0),
          null,
          "output file already exists"
              + (existing.size() > 1 ? " (and " + (existing.size() - 1) + " more)" : "")
              + ". Add \"--overwrite\" to overwrite the existing output files.");
    }
    return files;
  }

  /**
   * Checks, before the model runs, that --outdir can be a directory: it is one, or can be created
   * (its nearest existing ancestor is a writable directory).
   */
  private void checkOutdir() {
    Path p = outdir.toAbsolutePath();
    if (Files.exists(p) && !Files.isDirectory(p)) {
      throw new IllegalArgumentException(
          "--outdir "
              + outdir
              + " is a file, not a directory."
              + " Fix: give a directory for the output .npy files (it is created if missing).");
    }
    Path existing = p;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing != null && !Files.isDirectory(existing)) {
      throw new IllegalArgumentException(
          "--outdir "
              + outdir
              + " cannot be created: "
              + existing
              + " is a file, not a directory. Fix: give a directory path.");
    }
    if (existing != null && !Files.isWritable(existing)) {
      throw new IllegalArgumentException(
          "--outdir "
              + outdir
              + " cannot be written: "
              + existing
              + " is not writable. Fix: give a directory you may write to.");
    }
  }

  static String shapeText(long[] dims) {
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < dims.length; i++) {
      s.append(dims[i]).append(i == 0 && dims.length == 1 ? "," : i < dims.length - 1 ? ", " : "");
    }
    return s.append(")").toString();
  }

  /** The first values, flat in row-major order: "[2.5, 3.0, ... (100 values)]". */
  static String preview(Tensor t) {
    JavaArray a;
    try {
      a = JavaArray.of(t);
    } catch (IllegalArgumentException e) {
      return "(values of " + t.dataType() + " are not shown)";
    }
    int n = a.size();
    List<String> values = new ArrayList<>();
    for (int i = 0; i < Math.min(n, PREVIEW_VALUES); i++) {
      values.add(
          switch (a.dtype()) {
            case DT_FLOAT -> Float.toString(a.floats()[i]);
            case DT_DOUBLE -> Double.toString(a.doubles()[i]);
            case DT_INT32 -> Integer.toString(a.ints()[i]);
            case DT_INT64 -> Long.toString(a.longs()[i]);
            case DT_UINT8 -> Integer.toString(Byte.toUnsignedInt(a.bytes()[i]));
            case DT_BOOL -> Boolean.toString(a.booleans()[i]);
            default -> quote(a.strings()[i]);
          });
    }
    return "["
        + String.join(", ", values)
        + (n > PREVIEW_VALUES ? ", ... (" + n + " values)" : "")
        + "]";
  }

  private static String quote(byte[] bytes) {
    StringBuilder s = new StringBuilder("b'");
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c == '\'' || c == '\\') {
        s.append('\\').append((char) c);
      } else if (c >= 0x20 && c < 0x7f) {
        s.append((char) c);
      } else {
        s.append(String.format("\\x%02x", c));
      }
    }
    return s.append('\'').toString();
  }

  private static void closeDistinct(Iterable<Tensor> tensors) {
    java.util.Set<Tensor> seen =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (Tensor t : tensors) {
      if (seen.add(t)) {
        t.close();
      }
    }
  }
}
