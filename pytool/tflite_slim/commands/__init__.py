"""One module per ``tflite-slim`` subcommand: argument parsing into settings, then a library call."""
