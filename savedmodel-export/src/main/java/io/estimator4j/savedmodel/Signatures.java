package io.estimator4j.savedmodel;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TString;

/**
 * Builds SignatureDefs as tf.estimator's export does (export_output.py): classify and regress
 * signatures take exactly one string tensor of serialized tf.Examples under the key "inputs";
 * predict, training and eval signatures take every receiver tensor and return every output.
 */
public final class Signatures {
  private Signatures() {}

  /** A signature, or why it cannot be built from these receiver tensors. */
  public record Built(Optional<SignatureDef> signature, String whyNot) {}

  /** TensorInfo with explicit dimensions (-1 unknown); an unknown rank is refused. */
  public static TensorInfo tensorInfo(Operand<?> operand) {
    Output<?> out = operand.asOutput();
    Shape shape = out.shape();
    if (shape.isUnknown()) {
      throw new IllegalArgumentException(
          "Tensor "
              + out.name()
              + " has an unknown rank; a "
              + "signature needs explicit dimensions (TensorFlow's loaders misread unknown ranks). "
              + "Fix: give it a static rank, e.g. with tf.ensureShape or reshape.");
    }
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (int i = 0; i < shape.numDimensions(); i++) {
      s.addDim(TensorShapeProto.Dim.newBuilder().setSize(shape.get(i)));
    }
    DataType dt = out.dataType();
    if (dt.getNumber() > 100) {
      dt = DataType.forNumber(dt.getNumber() - 100);
    }
    return TensorInfo.newBuilder().setName(out.name()).setDtype(dt).setTensorShape(s).build();
  }

  /** The signature of one export output over these receiver tensors. */
  public static Built build(
      Map<String, ? extends Operand<?>> receiverTensors, ExportOutput output) {
    SignatureDef.Builder sig = SignatureDef.newBuilder().setMethodName(output.methodName());
    if (output instanceof PredictOutput || output instanceof SupervisedOutput) {
      receiverTensors.forEach((k, t) -> sig.putInputs(k, tensorInfo(t)));
    } else {
      if (receiverTensors.size() != 1
          || !TString.class.equals(receiverTensors.values().iterator().next().type())) {
        return new Built(
            Optional.empty(),
            output.methodName()
                + " needs exactly one string "
                + "tensor of serialized tf.Example as input, but the receiver has "
                + describe(receiverTensors)
                + "; use a parsing serving input receiver to get it");
      }
      sig.putInputs(
          SignatureConstants.CLASSIFY_INPUTS,
          tensorInfo(receiverTensors.values().iterator().next()));
    }
    output.outputs().forEach((k, t) -> sig.putOutputs(k, tensorInfo(t)));
    return new Built(Optional.of(sig.build()), null);
  }

  private static String describe(Map<String, ? extends Operand<?>> tensors) {
    Map<String, String> d = new LinkedHashMap<>();
    tensors.forEach((k, t) -> d.put(k, t.type().getSimpleName() + t.shape()));
    return d.toString();
  }
}
