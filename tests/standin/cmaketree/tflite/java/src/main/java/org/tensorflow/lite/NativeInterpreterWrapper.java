// Stand-in for LiteRT org.tensorflow.lite.NativeInterpreterWrapper: the natives of the stand-in glue.
package org.tensorflow.lite;

final class NativeInterpreterWrapper {
  private NativeInterpreterWrapper() {}

  static native long createInterpreter(byte[] model);

  static native float run(long handle, float input);

  static native void delete(long handle);
}
