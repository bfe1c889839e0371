// Stand-in for LiteRT org.tensorflow.lite.Interpreter: the real signatures of the methods our runner calls;
// one float32 input and output.
package org.tensorflow.lite;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.Map;

public final class Interpreter implements AutoCloseable {
  private static final Tensor FLOAT32 = () -> 4;
  private long handle;

  public Interpreter(File modelFile) {
    TensorFlowLite.init();
    byte[] model;
    try {
      model = Files.readAllBytes(modelFile.toPath());
    } catch (IOException e) {
      throw new IllegalArgumentException("Contents of " + modelFile + " cannot be read", e);
    }
    handle = NativeInterpreterWrapper.createInterpreter(model);
  }

  public int getInputTensorCount() {
    return 1;
  }

  public int getOutputTensorCount() {
    return 1;
  }

  public Tensor getInputTensor(int index) {
    return FLOAT32;
  }

  public Tensor getOutputTensor(int index) {
    return FLOAT32;
  }

  public void runForMultipleInputsOutputs(Object[] inputs, Map<Integer, Object> outputs) {
    ByteBuffer in = ((ByteBuffer) inputs[0]).duplicate().order(ByteOrder.nativeOrder());
    // As TensorImpl.copyTo (LiteRT v1.4.1): a relative put, so the output buffer's position advances and a
    // second run into the same buffer without rewinding it throws BufferOverflowException.
    ByteBuffer out = (ByteBuffer) outputs.get(0);
    out.order(ByteOrder.nativeOrder()).putFloat(NativeInterpreterWrapper.run(handle, in.getFloat(0)));
  }

  @Override
  public void close() {
    if (handle != 0) {
      NativeInterpreterWrapper.delete(handle);
      handle = 0;
    }
  }
}
