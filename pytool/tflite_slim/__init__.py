"""tflite-slim: a TensorFlow Lite Android runtime trimmed to the operators your models use."""

__version__ = "0.1.0"
