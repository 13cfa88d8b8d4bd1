package io.estimator4j.metagraph;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.OpList;
import org.tensorflow.proto.TensorShapeProto;

/**
 * TensorFlow's op registry as Python's meta_graph.py uses it: {@code stripped_op_list_for_graph},
 * {@code strip_graph_default_valued_attrs} and the {@code _output_shapes} of {@code
 * as_graph_def(add_shapes=True)}.
 */
public final class OpDefs {
  private static volatile Map<String, OpDef> registry;

  private OpDefs() {}

  /** Every op the runtime registers, by name, without documentation. */
  public static Map<String, OpDef> registry() {
    Map<String, OpDef> r = registry;
    if (r == null) {
      synchronized (OpDefs.class) {
        r = registry;
        if (r == null) {
          Map<String, OpDef> m = new HashMap<>();
          OpList all = TensorFlow.registeredOpList();
          for (OpDef op : all.getOpList()) {
            m.put(op.getName(), withoutDocs(op));
          }
          registry = r = Map.copyOf(m);
        }
      }
    }
    return r;
  }

  private static OpDef withoutDocs(OpDef op) {
    OpDef.Builder b = op.toBuilder().clearSummary().clearDescription();
    for (int i = 0; i < b.getInputArgCount(); i++) {
      b.setInputArg(i, b.getInputArg(i).toBuilder().clearDescription());
    }
    for (int i = 0; i < b.getOutputArgCount(); i++) {
      b.setOutputArg(i, b.getOutputArg(i).toBuilder().clearDescription());
    }
    for (int i = 0; i < b.getAttrCount(); i++) {
      b.setAttr(i, b.getAttr(i).toBuilder().clearDescription());
    }
    return b.build();
  }

  /**
   * Python's {@code stripped_op_list_for_graph}: the OpDefs of the ops the graph's nodes and its
   * library functions' nodes use, functions excluded, sorted by name.
   *
   * @throws IllegalArgumentException for an op the runtime does not register
   */
  public static OpList strippedOpList(GraphDef graph) {
    Set<String> functions = new TreeSet<>();
    for (FunctionDef f : graph.getLibrary().getFunctionList()) {
      functions.add(f.getSignature().getName());
    }
    Set<String> used = new TreeSet<>();
    graph.getNodeList().forEach(n -> used.add(n.getOp()));
    for (FunctionDef f : graph.getLibrary().getFunctionList()) {
      f.getNodeDefList().forEach(n -> used.add(n.getOp()));
    }
    used.removeAll(functions);
    OpList.Builder out = OpList.newBuilder();
    for (String op : used) {
      OpDef def = registry().get(op);
      if (def == null) {
        throw new IllegalArgumentException(
            "Op "
                + op
                + " is not registered in this TensorFlow runtime ("
                + TensorFlow.version()
                + ")");
      }
      out.addOp(def);
    }
    return out.build();
  }

  /**
   * Python's {@code strip_graph_default_valued_attrs}: removes from every node (and every library
   * function's node) the attributes whose value is the op's default.
   */
  public static GraphDef stripDefaultAttrs(GraphDef graph) {
    Set<String> functions = new TreeSet<>();
    for (FunctionDef f : graph.getLibrary().getFunctionList()) {
      functions.add(f.getSignature().getName());
    }
    GraphDef.Builder b = graph.toBuilder();
    for (int i = 0; i < b.getNodeCount(); i++) {
      b.setNode(i, strip(b.getNode(i), functions));
    }
    for (int f = 0; f < b.getLibraryBuilder().getFunctionCount(); f++) {
      FunctionDef.Builder fb = b.getLibraryBuilder().getFunctionBuilder(f);
      for (int i = 0; i < fb.getNodeDefCount(); i++) {
        fb.setNodeDef(i, strip(fb.getNodeDef(i), functions));
      }
    }
    return b.build();
  }

  private static NodeDef strip(NodeDef node, Set<String> functions) {
    OpDef def = functions.contains(node.getOp()) ? null : registry().get(node.getOp());
    if (def == null) {
      return node;
    }
    NodeDef.Builder nb = node.toBuilder();
    for (OpDef.AttrDef attr : def.getAttrList()) {
      AttrValue value = node.getAttrMap().get(attr.getName());
      if (attr.hasDefaultValue() && value != null && value.equals(attr.getDefaultValue())) {
        nb.removeAttr(attr.getName());
      }
    }
    return nb.build();
  }

  /**
   * {@code as_graph_def(add_shapes=True)}: every node of {@code graph} gets {@code _output_shapes},
   * the static shapes of its outputs in {@code source}. Nodes tensorflow-java keeps to itself (the
   * NoOp its {@code Session.initialize()} adds, named {@code Init} or {@code [Init]}, which
   * TensorFlow's importer would refuse) are left out.
   */
  public static GraphDef withOutputShapes(Graph source, GraphDef graph) {
    GraphDef.Builder b = graph.toBuilder().clearNode();
    for (NodeDef n : graph.getNodeList()) {
      GraphOperation op = source.operation(n.getName());
      if (op == null) {
        continue;
      }
      AttrValue.ListValue.Builder shapes = AttrValue.ListValue.newBuilder();
      for (int k = 0; k < op.numOutputs(); k++) {
        shapes.addShape(shapeProto(op.output(k).shape()));
      }
      b.addNode(
          n.toBuilder().putAttr("_output_shapes", AttrValue.newBuilder().setList(shapes).build()));
    }
    return b.build();
  }

  /** A TensorShapeProto: unknown rank, or dimensions with -1 for the unknown ones. */
  public static TensorShapeProto shapeProto(Shape shape) {
    TensorShapeProto.Builder b = TensorShapeProto.newBuilder();
    if (shape.isUnknown()) {
      return b.setUnknownRank(true).build();
    }
    for (long d : shape.asArray()) {
      b.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return b.build();
  }
}
