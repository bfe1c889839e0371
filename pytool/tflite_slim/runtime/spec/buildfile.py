"""The Bazel package tflite-slim generates inside the TensorFlow (or LiteRT) workspace.

It holds copies of the models (under ``models/``) and custom-op sources (under
``custom_ops/``) and a BUILD file calling
TensorFlow's own macros, as ``tensorflow/lite/tools/build_aar.sh`` does:
``tflite_custom_android_library`` + ``aar_with_jni(name = "tensorflow-lite")``
and, only when a model has Flex ops, ``tflite_flex_android_library`` +
``aar_with_jni(name = "tensorflow-lite-select-tf-ops")``. In a LiteRT tree the
same macros are loaded from ``//tflite/...`` (:mod:`tflite_slim.runtime.trees.layout`).
Everything here is pure: names and text from data; copying happens in the backend.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Sequence

from tflite_slim.errors import UsageError
from tflite_slim.runtime.trees.layout import TENSORFLOW, SourceLayout

RUNTIME_TARGET = "tensorflow-lite"
FLEX_TARGET = "tensorflow-lite-select-tf-ops"
RUNTIME_LIBRARY = "custom_tensorflowlite"
FLEX_LIBRARY = "custom_tensorflowlite_flex"

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


#: Where each kind of input goes inside the package. Separate folders keep a model and a
#: custom-op source with one basename apart, and keep both away from the package's own
#: files (``BUILD``) and the macros' generated names (``libtensorflowlite_jni.so``,
#: ``tensorflow-lite.aar``, ``<name>_registration.cc``...). Both macros take their
#: ``models``/``srcs`` as labels relative to the package, so ``models/a.tflite`` works.
MODELS_DIR = "models"
SOURCES_DIR = "custom_ops"

#: Names Bazel gives a meaning to in any directory: a ``BUILD`` file makes its folder a
#: package of its own (the label ``models/BUILD`` would then cross a package boundary),
#: and the others mark repository or workspace boundaries. Compared ignoring case, as a
#: case-insensitive file system would.
RESERVED_NAMES = frozenset(
    n.lower() for n in ("BUILD", "BUILD.bazel", "WORKSPACE", "WORKSPACE.bazel", "WORKSPACE.bzlmod",
                        "MODULE.bazel", "REPO.bazel")
)


def package_file_names(paths: Sequence[str]) -> dict[str, str]:
    """A collision-free name inside the package (``models/<name>``) for each model path.

    ``build_aar.sh`` copies models by basename, so ``a/model.tflite`` and
    ``b/model.tflite`` silently overwrite each other and one model's ops are
    lost. Here every distinct path keeps its basename when it is unique
    (ignoring case, for case-insensitive file systems) and not one of Bazel's
    :data:`RESERVED_NAMES`, and otherwise gets a ``_2``, ``_3``... suffix, in
    sorted path order so names are stable. Characters Bazel labels dislike
    become ``_``.
    """
    names: dict[str, str] = {}
    taken: set[str] = set(RESERVED_NAMES)
    for path in sorted(set(paths)):
        base = _UNSAFE.sub("_", os.path.basename(path)) or "model"
        if base.startswith("."):
            base = "_" + base[1:]
        stem, ext = os.path.splitext(base)
        candidate, n = base, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{stem}_{n}{ext}"
        taken.add(candidate.lower())
        names[path] = f"{MODELS_DIR}/{candidate}"
    return names


def source_file_names(paths: Sequence[str]) -> dict[str, str]:
    """Package names for custom-op sources: ``custom_ops/<basename>``, basenames unique.

    Sources ``#include`` each other by name (found next to the including file,
    as they all share one folder), so renaming one would break the compile;
    two sources with one basename, or a source named like a Bazel file, are
    refused instead.
    """
    names: dict[str, str] = {}
    seen: dict[str, str] = {}
    for path in sorted(set(paths)):
        base = os.path.basename(path)
        if base.lower() in RESERVED_NAMES:
            raise UsageError(
                f"--custom-ops-srcs: '{path}' is named like a Bazel file ({base}), which Bazel would read "
                "as a package or workspace boundary; rename it"
            )
        if base.lower() in seen:
            raise UsageError(
                f"--custom-ops-srcs: '{seen[base.lower()]}' and '{path}' have the same file name; "
                "the sources are copied into one Bazel package, rename one of them"
            )
        seen[base.lower()] = path
        names[path] = f"{SOURCES_DIR}/{base}"
    return names


@dataclass(frozen=True)
class BuildFileSpec:
    """What goes into the generated BUILD file (names inside the package)."""

    models: tuple[str, ...]
    flex_models: tuple[str, ...] = ()
    srcs: tuple[str, ...] = ()
    deps: tuple[str, ...] = ()
    #: None leaves the attribute out, for TensorFlow releases whose macro predates it
    #: (their AAR always carries the full Java API).
    experimental_api: Optional[bool] = True
    include_xnnpack_delegate: bool = True
    include_nnapi_delegate: bool = True
    #: The parameters the tree's ``tflite_custom_android_library`` declares (None: not known,
    #: assume all). An optional attribute it lacks is left out when ours is its value anyway.
    runtime_parameters: Optional[frozenset[str]] = None

    def accepts(self, attribute: str) -> bool:
        p = self.runtime_parameters
        return p is None or attribute in p or "**kwargs" in p


def _runtime_attributes(spec: BuildFileSpec) -> str:
    """The optional attributes of the runtime library call, as far as the macro takes them."""
    wanted = [
        ("srcs", _list(spec.srcs), not spec.srcs),
        ("deps", _list(spec.deps), not spec.deps),
        ("custom_package", '"org.tensorflow.lite"', True),
        ("include_xnnpack_delegate", _bool(spec.include_xnnpack_delegate), spec.include_xnnpack_delegate),
        ("include_nnapi_delegate", _bool(spec.include_nnapi_delegate), spec.include_nnapi_delegate),
    ]
    if spec.experimental_api is not None:
        wanted.append(("experimental", _bool(spec.experimental_api), False))
    out = []
    for attribute, value, omittable in wanted:
        if spec.accepts(attribute):
            out.append(f"    {attribute} = {value},\n")
        elif not omittable:
            raise UsageError(f"this TensorFlow's tflite_custom_android_library has no '{attribute}' parameter "
                             f"(see tensorflow/lite/build_def.bzl); build with a release that has it")
    return "".join(out)


def _list(items: Iterable[str]) -> str:
    items = list(items)
    if not items:
        return "[]"
    return "[\n" + "".join(f"        {_string(i)},\n" for i in items) + "    ]"


def _string(s: str) -> str:
    # Starlark string literal; names are already restricted, this guards deps labels.
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _bool(b: bool) -> str:
    return "True" if b else "False"


def render_build_file(spec: BuildFileSpec, layout: SourceLayout = TENSORFLOW) -> str:
    """The BUILD file text for ``spec`` in a ``layout`` tree (Starlark, stable for equal input)."""
    if not spec.models:
        raise UsageError("no models to build for: give at least one .tflite file")
    loads = [f'load("{layout.build_def}", "tflite_custom_android_library")']
    if spec.flex_models:
        loads.append(f'load("{layout.flex_build_def}", "tflite_flex_android_library")')
    loads.append(f'load("{layout.aar_with_jni}", "aar_with_jni")')
    parts = [
        "# Generated by tflite-slim; do not edit. Rebuilt from the models on every build.\n",
        "\n".join(loads) + "\n",
        "\n",
        "tflite_custom_android_library(\n"
        f'    name = "{RUNTIME_LIBRARY}",\n'
        f"    models = {_list(spec.models)},\n"
        + _runtime_attributes(spec)
        + ")\n",
        "\n",
        "aar_with_jni(\n"
        f'    name = "{RUNTIME_TARGET}",\n'
        f'    android_library = ":{RUNTIME_LIBRARY}",\n'
        ")\n",
    ]
    if spec.flex_models:
        parts += [
            "\n",
            "tflite_flex_android_library(\n"
            f'    name = "{FLEX_LIBRARY}",\n'
            f"    models = {_list(spec.flex_models)},\n"
            '    custom_package = "org.tensorflow.lite.flex",\n'
            ")\n",
            "\n",
            "aar_with_jni(\n"
            f'    name = "{FLEX_TARGET}",\n'
            f'    android_library = ":{FLEX_LIBRARY}",\n'
            ")\n",
        ]
    return "".join(parts)


def flex_model_names(names: Mapping[str, str], has_flex: Mapping[str, bool]) -> tuple[str, ...]:
    """Package names of the models that use Flex ops (the flex library's ``models``)."""
    return tuple(sorted(names[p] for p in names if has_flex.get(p)))
