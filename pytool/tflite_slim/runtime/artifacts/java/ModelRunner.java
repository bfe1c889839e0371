// tflite-slim: runs each model named on the command line through org.tensorflow.lite.Interpreter (the
// trimmed runtime under test) with zero-filled inputs, and prints one line per model:
// "tflite-slim-run <TAB> index <TAB> ok|error|timeout <TAB> message" (message with \n and \t escaped).
// A model that takes longer than the system property tflite.slim.modelSeconds gets a "timeout" line and the
// JVM halts (native code cannot be interrupted); the caller runs the models after it in a fresh JVM.
// With the system property tflite.slim.repeat N > 0, the first invoke is a warm-up and N more are timed; an ok
// model's line is then preceded by "tflite-slim-time <TAB> index <TAB> median ns <TAB> min ns <TAB> N".
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
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
    int repeat = Integer.parseInt(System.getProperty("tflite.slim.repeat", "0"));
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
      long[] times = new long[0];
      try (Interpreter interpreter = new Interpreter(new File(args[index]))) {
        Object[] inputs = new Object[interpreter.getInputTensorCount()];
        for (int i = 0; i < inputs.length; i++) {
          inputs[i] = buffer(interpreter.getInputTensor(i).numBytes());
        }
        Map<Integer, Object> outputs = new HashMap<>();
        for (int i = 0; i < interpreter.getOutputTensorCount(); i++) {
          outputs.put(i, buffer(interpreter.getOutputTensor(i).numBytes()));
        }
        interpreter.runForMultipleInputsOutputs(inputs, outputs);  // the warm-up when timed
        times = new long[repeat];
        for (int r = 0; r < repeat; r++) {
          // The interpreter copies each output into its buffer with a relative put: back to the start.
          rewind(inputs, outputs);
          long start = System.nanoTime();
          interpreter.runForMultipleInputsOutputs(inputs, outputs);
          times[r] = System.nanoTime() - start;
        }
      } catch (Throwable t) {
        status = "error";
        message = t.getClass().getName() + ": " + t.getMessage();
      }
      synchronized (LOCK) {
        if (status.equals("ok") && times.length > 0) {
          Arrays.sort(times);
          System.out.println("tflite-slim-time\t" + index + "\t" + median(times) + "\t" + times[0] + "\t"
              + times.length);
        }
        print(index, status, message);
        current = -1;
      }
    }
  }

  private static void rewind(Object[] inputs, Map<Integer, Object> outputs) {
    for (Object input : inputs) {
      ((ByteBuffer) input).rewind();
    }
    for (Object output : outputs.values()) {
      ((ByteBuffer) output).rewind();
    }
  }

  /** The median of sorted {@code times} (the mean of the middle two for an even count). */
  private static long median(long[] times) {
    int n = times.length;
    return n % 2 == 1 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
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
