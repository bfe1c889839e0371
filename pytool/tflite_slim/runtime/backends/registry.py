"""The backends ``--backend NAME`` chooses from: name -> factory (see :mod:`tflite_slim.runtime.backends.base`).

A new backend is its own module (a :class:`~tflite_slim.runtime.backends.base.Backend`
subclass and a ``create(asked: BackendAsked)`` factory) plus one line here.
"""

from __future__ import annotations

from tflite_slim.runtime.backends import bazel_docker, bazel_local
from tflite_slim.runtime.backends.cmake import backend as cmake
from tflite_slim.runtime.backends.base import Factory

#: The first is the default.
BACKENDS: dict[str, Factory] = {
    "local": bazel_local.create,
    "docker": bazel_docker.create,
    "cmake": cmake.create,
}
