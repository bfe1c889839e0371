"""tflite-slim: a TensorFlow Lite Android runtime trimmed to the operators your models use."""

# The one version of the tool, its wheel and the Gradle plugin (pyproject.toml and gradle-plugin/build.gradle read it).
__version__ = "0.1.0"
