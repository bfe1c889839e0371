"""The backends ``--backend NAME`` chooses from: name -> factory (see :mod:`tflite_slim.runtime.backend`).

A new backend is its own module (a :class:`~tflite_slim.runtime.backend.Backend`
subclass and a ``create(settings)`` factory) plus one line here.
"""

from __future__ import annotations

from tflite_slim.runtime import bazel_docker, bazel_local, cmake_backend
from tflite_slim.runtime.settings import Factory

#: The first is the default.
BACKENDS: dict[str, Factory] = {
    "local": bazel_local.create,
    "docker": bazel_docker.create,
    "cmake": cmake_backend.create,
}
