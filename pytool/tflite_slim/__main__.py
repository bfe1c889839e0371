"""``python -m tflite_slim``: the same entry point as the ``tflite-slim`` script."""

from __future__ import annotations

import sys

from tflite_slim.cli import main

if __name__ == "__main__":
    sys.exit(main())
