// Runs models through org.tensorflow.lite.Interpreter on a desktop JVM (the LiteRT 2.x AAR's Interpreter API,
// which loads libLiteRt.so: TensorFlowLite.java's System.loadLibrary("LiteRt")) and writes each output's bytes
// to OUT_DIR/<n>/out<i>.bin, n being the model's place in the arguments. Our own test helper.
//
//   java -Djava.library.path=<dir of libLiteRt.so> -cp <api classes>:. InterpreterRunner OUT_DIR MODEL...
//
// Inputs are filled as compiled_model_runner.c fills them: float32 with i % 255 / 127.5 - 1, int32/int64 with
// i % 4, anything else byte by byte with i * 31 + 7. One line per model: "ran <n> <outputs>" or "failed <n> <why>".

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.tensorflow.lite.DataType;
import org.tensorflow.lite.Interpreter;
import org.tensorflow.lite.Tensor;

public final class InterpreterRunner {
  private InterpreterRunner() {}

  public static void main(String[] args) throws IOException {
    File out = new File(args[0]);
    for (int n = 1; n < args.length; n++) {
      try (Interpreter interpreter = new Interpreter(new File(args[n]))) {
        Object[] inputs = new Object[interpreter.getInputTensorCount()];
        for (int i = 0; i < inputs.length; i++) {
          Tensor tensor = interpreter.getInputTensor(i);
          inputs[i] = filled(tensor.numBytes(), tensor.dataType());
        }
        Map<Integer, Object> outputs = new HashMap<>();
        for (int i = 0; i < interpreter.getOutputTensorCount(); i++) {
          outputs.put(i, direct(interpreter.getOutputTensor(i).numBytes()));
        }
        interpreter.runForMultipleInputsOutputs(inputs, outputs);
        File dir = new File(out, Integer.toString(n - 1));
        if (!dir.mkdirs() && !dir.isDirectory()) {
          throw new IOException("cannot create " + dir);
        }
        for (Map.Entry<Integer, Object> e : outputs.entrySet()) {
          ByteBuffer buffer = (ByteBuffer) e.getValue();
          byte[] bytes = new byte[buffer.capacity()];
          buffer.rewind();
          buffer.get(bytes);
          try (FileOutputStream f = new FileOutputStream(new File(dir, "out" + e.getKey() + ".bin"))) {
            f.write(bytes);
          }
        }
        System.out.println("ran " + (n - 1) + " " + outputs.size());
      } catch (RuntimeException e) {
        System.out.println("failed " + (n - 1) + " " + String.valueOf(e.getMessage()).replace('\n', ' '));
      }
    }
  }

  private static ByteBuffer direct(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
  }

  private static ByteBuffer filled(int bytes, DataType type) {
    ByteBuffer buffer = direct(bytes);
    if (type == DataType.FLOAT32) {
      for (int i = 0; i < bytes / 4; i++) {
        buffer.putFloat((float) (i % 255) / 127.5f - 1.0f);
      }
    } else if (type == DataType.INT32 || type == DataType.INT64) {
      int width = type == DataType.INT32 ? 4 : 8;
      for (int i = 0; i < bytes / width; i++) {
        buffer.put((byte) (i % 4));
        for (int k = 1; k < width; k++) {
          buffer.put((byte) 0);
        }
      }
    } else {
      for (int i = 0; i < bytes; i++) {
        buffer.put((byte) (i * 31 + 7));
      }
    }
    buffer.rewind();
    return buffer;
  }
}
