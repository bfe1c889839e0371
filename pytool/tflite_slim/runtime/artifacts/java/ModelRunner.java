// tflite-slim: runs each model named on the command line through org.tensorflow.lite.Interpreter (the
// trimmed runtime under test) with zero-filled inputs, and prints one line per model:
// "tflite-slim-run <TAB> index <TAB> ok|error <TAB> message" (message with \n and \t escaped).
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.tensorflow.lite.Interpreter;

public final class ModelRunner {
  private ModelRunner() {}

  public static void main(String[] args) {
    for (int index = 0; index < args.length; index++) {
      String status = "ok";
      String message = "";
      try (Interpreter interpreter = new Interpreter(new File(args[index]))) {
        Object[] inputs = new Object[interpreter.getInputTensorCount()];
        for (int i = 0; i < inputs.length; i++) {
          inputs[i] = buffer(interpreter.getInputTensor(i).numBytes());
        }
        Map<Integer, Object> outputs = new HashMap<>();
        for (int i = 0; i < interpreter.getOutputTensorCount(); i++) {
          outputs.put(i, buffer(interpreter.getOutputTensor(i).numBytes()));
        }
        interpreter.runForMultipleInputsOutputs(inputs, outputs);
      } catch (Throwable t) {
        status = "error";
        message = t.getClass().getName() + ": " + t.getMessage();
      }
      System.out.println("tflite-slim-run\t" + index + "\t" + status + "\t"
          + message.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t"));
      System.out.flush();
    }
  }

  private static ByteBuffer buffer(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
  }
}
