// Stand-in for LiteRT org.tensorflow.lite.Tensor (the method our runner calls).
package org.tensorflow.lite;

public interface Tensor {
  int numBytes();
}
