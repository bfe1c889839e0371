"""What TensorFlow's own build files say, read from the tree being built.

The selective build is TensorFlow's, and it changed between releases; to build
what TensorFlow builds for *that* revision we read its files instead of
assuming one release (facts read from TensorFlow's sources, no code copied):

* ``tensorflow/lite/build_def.bzl``: the parameters of the
  ``tflite_custom_android_library`` macro. ``experimental`` appeared with the
  Java API split; releases before it (e.g. 2.8/2.9) have no such parameter but
  do mention ``c_api_experimental.h`` elsewhere in the file (in
  ``tflite_custom_c_library``), so only the macro's own signature counts.
* ``tensorflow/lite/tools/build_aar.sh``: the ``bazel build`` flags it passes
  for ``//tmp:tensorflow-lite`` and ``//tmp:tensorflow-lite-select-tf-ops``.
  Recent ones pass ``-c opt --cxxopt=--std=c++17 --fat_apk_cpu=...
  --define=xnn_enable_arm_fp16=false --host_crosstool_top=...`` for both;
  older ones leave the ``xnn_enable_arm_fp16`` define out of the flex build.
  None passes ``--config=monolithic`` for either custom AAR (only for the
  full, model-less AAR and for the ``list_flex_ops_no_kernel_main`` tool).
* ``tensorflow/lite/tools/build_aar_with_docker.sh``: the answers it pipes
  into ``./configure`` (``configs=(...)`` then ``printf '%s\\n'
  "${configs[@]}" | ./configure``). Older scripts decline clang (``N``);
  recent ones answer ``Y`` and ``/usr/lib/llvm-18/bin/clang``, which the
  ``tensorflow/tensorflow:devel`` image their Dockerfile starts from provides.

Each reader returns None when the file is absent or not shaped as expected;
the caller then uses the newest facts below (:data:`KNOWN_BUILD_FLAGS`,
:data:`KNOWN_CONFIGURE_ANSWERS`) and says so in ``--dry-run``. Parsing is
linear in the file size and never runs anything from the tree.
"""

from __future__ import annotations

import io
import re
import shlex
import tokenize
from pathlib import Path
from typing import Optional

BUILD_DEF = "tensorflow/lite/build_def.bzl"
BUILD_AAR = "tensorflow/lite/tools/build_aar.sh"
BUILD_AAR_WITH_DOCKER = "tensorflow/lite/tools/build_aar_with_docker.sh"

RUNTIME_LABEL = "//tmp:tensorflow-lite"
FLEX_LABEL = "//tmp:tensorflow-lite-select-tf-ops"

#: The ABI flag exactly as build_aar.sh writes it; replaced by the plan's ABIs.
ABIS_FLAG = "--fat_apk_cpu=${TARGET_ARCHS}"

_NEWEST_FLAGS = (
    "-c", "opt", "--cxxopt=--std=c++17", ABIS_FLAG,
    "--define=xnn_enable_arm_fp16=false",
    "--host_crosstool_top=@bazel_tools//tools/cpp:toolchain",
)
#: build_aar.sh's flags per ``//tmp`` label in the newest script we know (TF 2.1x-2.2x).
KNOWN_BUILD_FLAGS: dict[str, tuple[str, ...]] = {RUNTIME_LABEL: _NEWEST_FLAGS, FLEX_LABEL: _NEWEST_FLAGS}

#: build_aar_with_docker.sh's configure answers in the newest script we know: python,
#: its library path, ROCm N, CUDA N, clang Y, clang's path, copts, Android y, SDK path.
KNOWN_CONFIGURE_ANSWERS: tuple[str, ...] = (
    "/usr/bin/python3", "/usr/lib/python3/dist-packages", "N", "N", "Y", "/usr/lib/llvm-18/bin/clang",
    "-Wno-sign-compare -Wno-c++20-designator -Wno-gnu-inline-cpp-without-extern", "y", "/android/sdk",
)

#: Files larger than this are not TensorFlow's scripts; reading stops there.
_MAX_BYTES = 1 << 20


def read_text(root: Path, rel: str, *, max_bytes: int = _MAX_BYTES) -> Optional[str]:
    """``root/rel`` as text (None when absent, unreadable or larger than ``max_bytes``)."""
    path = Path(root) / rel
    try:
        if not path.is_file() or path.stat().st_size > max_bytes:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def macro_parameters(text: str, name: str) -> Optional[tuple[str, ...]]:
    """The parameter names of Starlark ``def name(...)`` in ``text``, ``*args``/``**kwargs`` with stars.

    Only the signature up to its closing parenthesis is read (defaults,
    comments and strings included, as Python's tokenizer sees them, which
    Starlark's syntax shares). None when there is no such ``def`` or it does
    not tokenize.
    """
    m = re.search(rf"^def[ \t]+{re.escape(name)}[ \t]*\(", text, re.M)
    if m is None:
        return None
    params: list[str] = []
    depth, expect_name, stars = 0, False, ""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text[m.start():]).readline):
            if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                continue
            if tok.type == tokenize.OP and tok.string in "([{":
                depth += 1
                expect_name = depth == 1
                continue
            if tok.type == tokenize.OP and tok.string in ")]}":
                depth -= 1
                if depth == 0:
                    return tuple(params)
                continue
            if depth != 1:
                continue
            if tok.type == tokenize.OP and tok.string == ",":
                expect_name, stars = True, ""
            elif tok.type == tokenize.OP and tok.string in ("*", "**") and expect_name:
                stars = tok.string
            elif tok.type == tokenize.NAME and expect_name:
                params.append(stars + tok.string)
                expect_name, stars = False, ""
            else:
                expect_name = False
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    return None


def runtime_macro_parameters(root: Path, build_def: str = BUILD_DEF) -> Optional[tuple[str, ...]]:
    """The parameters of the tree's ``tflite_custom_android_library`` (None: cannot tell).

    ``build_def``: the macro file's path in the tree (LiteRT's is ``tflite/build_def.bzl``).
    """
    text = read_text(root, build_def)
    return macro_parameters(text, "tflite_custom_android_library") if text is not None else None


def has_experimental_parameter(root: Path) -> Optional[bool]:
    """Whether the tree's ``tflite_custom_android_library`` takes ``experimental`` (None: cannot tell)."""
    params = runtime_macro_parameters(root)
    return None if params is None else "experimental" in params


def _logical_lines(text: str) -> list[str]:
    """Shell lines with backslash-newline continuations joined."""
    return re.sub(r"\\\r?\n", " ", text).splitlines()


def bazel_flags(script: str, label: str) -> Optional[tuple[str, ...]]:
    """The options build_aar.sh passes to ``bazel build`` for ``label`` (None when not found or not literal).

    ``${CACHE_DIR_FLAG}`` (a startup option for the Bazel cache) is not a
    build option and is left out; the ABI flag stays as :data:`ABIS_FLAG`.
    Any other shell expansion makes the result unknowable here: None.
    """
    for line in _logical_lines(script):
        if label not in line or "bazel" not in line:
            continue
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            continue
        if not words or words[0] != "bazel" or "build" not in words or words[-1] != label:
            continue
        options = words[words.index("build") + 1:-1]
        if ABIS_FLAG not in options or any("$" in w for w in options if w != ABIS_FLAG):
            return None
        return tuple(options)
    return None


def read_build_flags(root: Path) -> Optional[dict[str, tuple[str, ...]]]:
    """build_aar.sh's flags per ``//tmp`` label in the tree, or None when the script is absent or unreadable."""
    text = read_text(root, BUILD_AAR)
    if text is None:
        return None
    flags = {label: bazel_flags(text, label) for label in (RUNTIME_LABEL, FLEX_LABEL)}
    if any(v is None for v in flags.values()):
        return None
    return {k: v for k, v in flags.items() if v is not None}


_CONFIGS = re.compile(r"^[ \t]*configs=\((.*?)^[ \t]*\)[ \t]*$", re.M | re.S)
_PIPED = re.compile(r"""^[ \t]*printf[ \t]+'%s\\n'[ \t]+"\$\{configs\[@\]\}"[ \t]*\|[ \t]*\./configure[ \t]*$""", re.M)


def configure_answers(script: str) -> Optional[tuple[str, ...]]:
    """The literal answers a ``build_aar_with_docker.sh`` pipes into ``./configure`` (None: not found)."""
    m = _CONFIGS.search(script)
    if m is None or _PIPED.search(script, m.end()) is None:
        return None
    try:
        answers = tuple(shlex.split(m.group(1), comments=True))
    except ValueError:
        return None
    if not answers or any("$" in a or "\n" in a or "`" in a for a in answers):
        return None
    return answers


def read_configure_answers(root: Path) -> Optional[tuple[str, ...]]:
    """The tree's Docker configure answers, or None when its script is absent or unreadable."""
    text = read_text(root, BUILD_AAR_WITH_DOCKER)
    return configure_answers(text) if text is not None else None
