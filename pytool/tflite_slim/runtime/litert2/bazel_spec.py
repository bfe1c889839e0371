"""The Bazel path of a LiteRT 2.x tree, as a checked spec: what would be changed and built (pure but for reading
the tree's files). tflite-slim does not run it yet (no Bazel build of the 2.x tree has been run here).

``//litert/kotlin:LiteRt`` (``litert/kotlin/BUILD`` at v2.1.6 and v2.2.0) is the AAR's ``libLiteRt.so``::

    tflite_jni_binary(
        name = "LiteRt",
        linkopts = tflite_jni_linkopts() + tflite_linkopts_no_undefined() + litert_android_linkopts(),
        linkscript = ":litert_version_script.lds",
        ...
        deps = [
            "//litert/c:litert_tflite_runtime_c_api_so_shim",  # runtime
            "//tflite/java/src/main/native",  # TFLite JNI
        ],
    )

Its version script already exports what the AAR's library does, and Bazel links with ``--gc-sections``
(``tflite_jni_linkopts``), so replacing the bodies of the two all-ops resolvers
(``tflite/core/kernels/register.cc``, ``tflite/kernels/register_ref.cc``) by the generated ones
(:mod:`tflite_slim.runtime.spec.resolverbody`) is the whole change: every route into the kernels ends there.
The command is ``ci/build_android_package.sh``'s for ``litert-aar`` at those tags (``-c opt
--cxxopt=--std=c++17 --config=android_<abi> --repo_env=HERMETIC_PYTHON_VERSION=3.11 --action_env
ANDROID_NDK_API_LEVEL=<level>``), for the one target. Only a tree tflite-slim owns (a downloaded tag) would
have its two files replaced; a user's checkout is never changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from tflite_slim.analysis.opset import OpSet
from tflite_slim.errors import UsageError
from tflite_slim.runtime.spec import resolverbody
from tflite_slim.runtime.trees.litert2 import KOTLIN_BUILD, ReleaseLine
from tflite_slim.runtime.trees.tfscripts import read_text

TARGET = "//litert/kotlin:LiteRt"
OUTPUT = "bazel-bin/litert/kotlin/libLiteRt.so"
#: ``.bazelrc``'s Android configs at v2.1.6 and v2.2.0 (``build:android_<x> --config=android``).
CONFIGS = {"arm64-v8a": "android_arm64", "armeabi-v7a": "android_arm", "x86": "android_x86",
           "x86_64": "android_x86_64"}
#: What the ``LiteRt`` target must say for the spec to hold (read at v2.1.6 and v2.2.0).
REQUIRED = ('linkscript = ":litert_version_script.lds"', '"//litert/c:litert_tflite_runtime_c_api_so_shim"',
            '"//tflite/java/src/main/native"')
_TARGET_BLOCK = re.compile(r'tflite_jni_binary\(\s*name\s*=\s*"LiteRt",(?P<body>[^()]*(?:\([^()]*\)[^()]*)*)\)')


@dataclass(frozen=True)
class BazelSpec:
    """The change and the commands of a Bazel build of the trimmed ``libLiteRt.so``."""

    line: str
    #: The tree's path -> its generated text (register.cc, register_ref.cc).
    replaced: tuple[tuple[str, str], ...]
    #: ABI -> the ``bazel build`` argv.
    commands: tuple[tuple[str, tuple[str, ...]], ...]
    #: The tree's path -> the registrations its generated text keeps (builtin and custom names).
    kept: tuple[tuple[str, tuple[str, ...]], ...] = ()
    target: str = TARGET
    output: str = OUTPUT


def check_target(build_file: str, where: str) -> None:
    """Refuse a ``litert/kotlin/BUILD`` whose ``LiteRt`` target is not as read at v2.1.6/v2.2.0."""
    m = _TARGET_BLOCK.search(build_file)
    if m is None:
        raise UsageError(f"{where}: has no tflite_jni_binary(name = \"LiteRt\", ...); the Bazel path builds that "
                         "target of LiteRT 2.1.6+ and 2.2.0")
    body = " ".join(m.group("body").split())
    lacking = [r for r in REQUIRED if " ".join(r.split()) not in body]
    if lacking:
        raise UsageError(f"{where}: the LiteRt target does not say {lacking[0]} as at v2.1.6 and v2.2.0; "
                         "tflite-slim does not build a target it has not read")


def bazel_argv(bazel: str, abi: str, api_level: Optional[int]) -> tuple[str, ...]:
    """``bazel build`` of :data:`TARGET` for ``abi``, with ``ci/build_android_package.sh``'s flags."""
    if abi not in CONFIGS:
        raise UsageError(f"--target-archs {abi}: the Bazel path builds the Android ABIs ({', '.join(CONFIGS)})")
    return (bazel, "build", "-c", "opt", "--cxxopt=--std=c++17", f"--config={CONFIGS[abi]}",
            "--repo_env=HERMETIC_PYTHON_VERSION=3.11",
            f"--action_env=ANDROID_NDK_API_LEVEL={api_level if api_level is not None else 23}", TARGET)


def spec_for(root: Path, line: ReleaseLine, ops: OpSet, abis: Sequence[str], api_level: Optional[int],
             bazel: str = "bazel") -> BazelSpec:
    """The spec for the tree at ``root`` (checked: its resolvers by :func:`resolverbody.select_in_tree`, its
    ``LiteRt`` target by :func:`check_target`)."""
    if not line.trimmed:
        raise UsageError(line.refusal("--backend local", "<version>"))
    build = read_text(root, KOTLIN_BUILD, max_bytes=1 << 20)
    if build is None:
        raise UsageError(f"{root / KOTLIN_BUILD}: missing; a LiteRT 2.x tree has it")
    check_target(build, str(root / KOTLIN_BUILD))
    selected, reference = resolverbody.select_in_tree(root, ops)
    return BazelSpec(line.name, ((selected.path, selected.text), (reference.path, reference.text)),
                     tuple((abi, bazel_argv(bazel, abi, api_level)) for abi in sorted(set(abis))),
                     tuple((r.path, r.kept_builtins + r.kept_customs) for r in (selected, reference)))


def render(spec: BazelSpec) -> str:
    """The spec for a person: the files replaced (with the registrations kept), the commands, the output."""
    lines = [f"LiteRT {spec.line}: Bazel path (a spec: tflite-slim does not run it yet)",
             f"  target: {spec.target} -> {spec.output}",
             "  replaced in a tree tflite-slim owns (the tree's own file, only the constructor's registrations kept):"]
    for path, kept in spec.kept:
        lines.append(f"    {path}: keeps {', '.join(kept) or 'no registration'}")
    lines.append("  commands:")
    lines += [f"    {abi}: {' '.join(argv)}" for abi, argv in spec.commands]
    return "\n".join(lines) + "\n"
