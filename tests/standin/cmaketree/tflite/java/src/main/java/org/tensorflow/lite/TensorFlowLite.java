// Stand-in for LiteRT org.tensorflow.lite.TensorFlowLite: loads libtensorflowlite_jni.
package org.tensorflow.lite;

public final class TensorFlowLite {
  private static boolean loaded;

  private TensorFlowLite() {}

  public static synchronized void init() {
    if (!loaded) {
      System.loadLibrary("tensorflowlite_jni");
      loaded = true;
    }
  }
}
