"""One module per ``tflite-slim`` subcommand (argument parsing into settings, then a library call), and
``options``, the options several of them share."""
