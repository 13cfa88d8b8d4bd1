package io.estimator4j.metagraph;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.estimator4j.checkpoint.Saveable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SaveSliceInfoDef;
import org.tensorflow.proto.VariableDef;

/**
 * The parts of a MetaGraphDef as Python's {@code export_meta_graph} writes them (meta_graph.py
 * {@code create_meta_graph_def} and {@code add_collection_def}): meta_info_def with the stripped op
 * list, VariableDefs of ref variables, and node, bytes and any lists.
 */
public final class MetaGraphs {
  /** What meta_info_def.tensorflow_git_version says for graphs this project writes. */
  public static final String GIT_VERSION = "estimator4j (tensorflow-java 1.1.0)";

  private MetaGraphs() {}

  /**
   * meta_info_def: {@code stripped_op_list} of {@code graph}, the runtime's version, {@code tags}
   * (none for a checkpoint's .meta) and whether default-valued attributes were stripped.
   */
  public static MetaGraphDef.MetaInfoDef metaInfo(
      GraphDef graph, Collection<String> tags, boolean strippedDefaultAttrs) {
    return MetaGraphDef.MetaInfoDef.newBuilder()
        .setStrippedOpList(OpDefs.strippedOpList(graph))
        .setTensorflowVersion(TensorFlow.version())
        .setTensorflowGitVersion(GIT_VERSION)
        .addAllTags(tags)
        .setStrippedDefaultAttrs(strippedDefaultAttrs)
        .build();
  }

  /**
   * The VariableDef Python writes for a ref variable ({@code RefVariable.to_proto}): {@code
   * variable_name "x:0"}, {@code initializer_name "x/Assign"}, {@code snapshot_name "x/read:0"} (or
   * "x:0" without a read), {@code initial_value_name} = the Assign's value input, {@code
   * is_resource false}.
   *
   * @throws IllegalArgumentException if {@code variable} is not an op of {@code graph}
   */
  public static VariableDef variableDef(Graph graph, String variable, boolean trainable) {
    GraphOperation op = graph.operation(variable);
    if (op == null) {
      throw new IllegalArgumentException("No variable " + variable + " in the graph");
    }
    VariableDef.Builder b =
        VariableDef.newBuilder()
            .setVariableName(variable + ":0")
            .setIsResource(false)
            .setTrainable(trainable);
    GraphOperation assign = graph.operation(variable + "/Assign");
    if (assign != null) {
      b.setInitializerName(assign.name());
      if (assign.numInputs() > 1) {
        b.setInitialValueName(assign.input(1).name());
      }
    }
    b.setSnapshotName(
        graph.operation(variable + "/read") != null ? variable + "/read:0" : variable + ":0");
    return b.build();
  }

  /**
   * The variable collections Python exports: {@code variables} (a VariableDef per saved variable),
   * {@code trainable_variables} (those of them in {@code trainable}, in that order) and {@code
   * global_step}; empty collections are left out, as Python leaves them out.
   *
   * @param variables the saved variables' op names
   * @param trainable the trainable variables' op names (others are ignored)
   * @param globalStep the global step's op name, or null
   */
  public static java.util.Map<String, CollectionDef> variableCollections(
      Graph graph, Collection<String> variables, Collection<String> trainable, String globalStep) {
    return variableCollections(graph, variables, trainable, globalStep, java.util.List.of());
  }

  /**
   * {@link #variableCollections(Graph, Collection, Collection, String)}, with each VariableDef of a
   * variable that {@code saveables} save as a slice (the parts of partitioned variables and their
   * optimizer slots) carrying its {@code save_slice_info_def}, as Python's {@code
   * RefVariable.to_proto} writes it, so Python's {@code import_meta_graph} rebuilds the partitioned
   * variables.
   */
  public static java.util.Map<String, CollectionDef> variableCollections(
      Graph graph,
      Collection<String> variables,
      Collection<String> trainable,
      String globalStep,
      Collection<Saveable> saveables) {
    java.util.Map<String, SaveSliceInfoDef> slices = saveSliceInfos(saveables);
    java.util.Set<String> saved = new java.util.LinkedHashSet<>(variables);
    java.util.List<String> trainableSaved = new java.util.ArrayList<>();
    for (String name : trainable) {
      if (saved.contains(name) && !trainableSaved.contains(name)) {
        trainableSaved.add(name);
      }
    }
    java.util.Set<String> trainableSet = new java.util.HashSet<>(trainableSaved);
    java.util.Map<String, CollectionDef> out = new java.util.LinkedHashMap<>();
    java.util.List<VariableDef> all = new java.util.ArrayList<>();
    for (String name : saved) {
      all.add(withSlice(variableDef(graph, name, trainableSet.contains(name)), slices.get(name)));
    }
    if (!all.isEmpty()) {
      out.put("variables", bytesList(all));
    }
    java.util.List<VariableDef> train = new java.util.ArrayList<>();
    trainableSaved.forEach(n -> train.add(withSlice(variableDef(graph, n, true), slices.get(n))));
    if (!train.isEmpty()) {
      out.put("trainable_variables", bytesList(train));
    }
    if (globalStep != null && saved.contains(globalStep)) {
      out.put("global_step", bytesList(java.util.List.of(variableDef(graph, globalStep, false))));
    }
    return out;
  }

  /**
   * The SaveSliceInfoDef of every variable that {@code saveables} save as a slice, by the
   * variable's op name: {@code full_name} the checkpoint key, {@code full_shape}, {@code
   * var_offset} and {@code var_shape} from SaveV2's {@code shape_and_slices} entry ({@code "<full
   * shape> <offset>,<length>:..."}, "-" for a whole dimension), as Python's {@code
   * SaveSliceInfo.to_proto} writes them.
   */
  public static java.util.Map<String, SaveSliceInfoDef> saveSliceInfos(
      Collection<Saveable> saveables) {
    java.util.Map<String, SaveSliceInfoDef> out = new java.util.HashMap<>();
    for (Saveable s : saveables) {
      for (Saveable.Spec spec : s.specs()) {
        if (!spec.shapeAndSlice().isEmpty() && spec.tensor().op().type().startsWith("Variable")) {
          out.put(spec.tensor().op().name(), saveSliceInfo(spec.name(), spec.shapeAndSlice()));
        }
      }
    }
    return out;
  }

  /**
   * The SaveSliceInfoDef of the slice {@code shapeAndSlice} (e.g. {@code "10 3 4,3:0,3"}: full
   * shape [10, 3], offset [4, 0], shape [3, 3]) of the tensor {@code fullName}.
   *
   * @throws IllegalArgumentException if {@code shapeAndSlice} is not of that form
   */
  public static SaveSliceInfoDef saveSliceInfo(String fullName, String shapeAndSlice) {
    String[] words = shapeAndSlice.trim().split(" ");
    int rank = words.length - 1;
    String[] dims = rank < 1 ? new String[0] : words[rank].split(":");
    if (rank < 1 || dims.length != rank) {
      throw new IllegalArgumentException(
          "Slice spec '"
              + shapeAndSlice
              + "' of '"
              + fullName
              + "' is not '<full shape> <offset>,<length>:...' with one slice per dimension."
              + " Fix: write it as PartitionedVariable.sliceSpec does.");
    }
    SaveSliceInfoDef.Builder b = SaveSliceInfoDef.newBuilder().setFullName(fullName);
    try {
      for (int d = 0; d < rank; d++) {
        long full = Long.parseLong(words[d]);
        b.addFullShape(full);
        if (dims[d].equals("-")) {
          b.addVarOffset(0).addVarShape(full);
        } else {
          String[] ol = dims[d].split(",");
          b.addVarOffset(Long.parseLong(ol[0])).addVarShape(Long.parseLong(ol[1]));
        }
      }
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw new IllegalArgumentException(
          "Slice spec '"
              + shapeAndSlice
              + "' of '"
              + fullName
              + "' has a malformed number. Fix: write it as PartitionedVariable.sliceSpec does.",
          e);
    }
    return b.build();
  }

  private static VariableDef withSlice(VariableDef def, SaveSliceInfoDef slice) {
    return slice == null ? def : def.toBuilder().setSaveSliceInfoDef(slice).build();
  }

  /** A node_list collection (tensor names "x:0" or op names). */
  public static CollectionDef nodeList(Collection<String> names) {
    return CollectionDef.newBuilder()
        .setNodeList(CollectionDef.NodeList.newBuilder().addAllValue(names))
        .build();
  }

  /** A bytes_list collection of serialized protos (VariableDefs, SaverDefs). */
  public static CollectionDef bytesList(Collection<? extends MessageLite> protos) {
    CollectionDef.BytesList.Builder b = CollectionDef.BytesList.newBuilder();
    protos.forEach(p -> b.addValue(ByteString.copyFrom(deterministic(p))));
    return CollectionDef.newBuilder().setBytesList(b).build();
  }

  /** An any_list collection ({@code saved_model_assets}' AssetFileDefs). */
  public static CollectionDef anyList(Collection<Any> values) {
    return CollectionDef.newBuilder()
        .setAnyList(CollectionDef.AnyList.newBuilder().addAllValue(values))
        .build();
  }

  /** Serializes with sorted map keys, as C++'s SerializeToStringDeterministic. */
  public static byte[] deterministic(MessageLite message) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(message.getSerializedSize());
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.useDeterministicSerialization();
      message.writeTo(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
