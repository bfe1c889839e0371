"""Stage 1, analysis: ``.tflite`` files in; per-model op sets, their union (the op-set
contract every later stage reads), reports and coverage verdicts out. Nothing here builds or publishes."""
