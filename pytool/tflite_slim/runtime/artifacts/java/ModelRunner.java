// tflite-slim: runs each model named on the command line through org.tensorflow.lite.Interpreter (the
// trimmed runtime under test) with zero-filled inputs, and prints one line per model:
// "tflite-slim-run <TAB> index <TAB> ok|error|timeout <TAB> message" (message with \n and \t escaped).
// A model that takes longer than the system property tflite.slim.modelSeconds gets a "timeout" line and the
// JVM halts (native code cannot be interrupted); the caller runs the models after it in a fresh JVM.
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.tensorflow.lite.Interpreter;

public final class ModelRunner {
  private static final Object LOCK = new Object();
  private static int current = -1;
  private static long startedNanos;

  private ModelRunner() {}

  public static void main(String[] args) {
    double seconds = Double.parseDouble(System.getProperty("tflite.slim.modelSeconds", "120"));
    Thread watchdog = new Thread(() -> watch(seconds), "tflite-slim-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    for (int index = 0; index < args.length; index++) {
      synchronized (LOCK) {
        current = index;
        startedNanos = System.nanoTime();
      }
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
      synchronized (LOCK) {
        print(index, status, message);
        current = -1;
      }
    }
  }

  /** Ends the JVM, after a "timeout" line, once one model has run longer than {@code seconds}. */
  private static void watch(double seconds) {
    long limit = (long) (seconds * 1e9);
    while (true) {
      synchronized (LOCK) {
        if (current >= 0 && System.nanoTime() - startedNanos > limit) {
          String shown = seconds == Math.rint(seconds) ? String.valueOf((long) seconds) : String.valueOf(seconds);
          print(current, "timeout", "it did not finish within " + shown + " s (the limit verify --run sets); "
              + "stopped");
          Runtime.getRuntime().halt(3);
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static void print(int index, String status, String message) {
    System.out.println("tflite-slim-run\t" + index + "\t" + status + "\t"
        + message.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t"));
    System.out.flush();
  }

  private static ByteBuffer buffer(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
  }
}
