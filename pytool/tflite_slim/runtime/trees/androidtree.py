"""What a source tree's own Bazel files say about its Android build (pure readers, cited facts).

Three questions decide how a tree is built for Android, and each is answered
from the tree (never assumed per project), so every LiteRT tag and TensorFlow
release is built the way its own CI builds it:

* **Does it need ``./configure``?** TensorFlow's ``build_aar.sh`` always does.
  A LiteRT tree does when its ``.bazelrc`` *imports* (not try-imports) the
  configure file (v2.0.2 fails without it), or when its ``WORKSPACE`` does not
  declare the Android SDK/NDK repositories itself (v1.x and v2.0.x take them
  from TensorFlow's ``android_configure``, which reads the answers configure
  writes). From v2.1 the ``WORKSPACE`` declares ``android_sdk_repository``
  (reads ``ANDROID_HOME``) and rules_android_ndk's ``android_ndk_repository``
  (reads ``ANDROID_NDK_HOME``), and LiteRT's Android CI
  (``.github/workflows/linux_android.yml``) builds with no configure, passing
  ``--action_env ANDROID_NDK_HOME=...``: so do we.
* **Which ABIs does a build select?** Bazel 7's ``AndroidSplitTransition``
  under Android toolchain resolution splits over ``--android_platforms`` and,
  when that is unset, over *only the first* ``--platforms`` value;
  ``--fat_apk_cpu`` is read only without toolchain resolution. LiteRT's
  ``build:android_arm64`` turns resolution on and sets
  ``--platforms=@org_tensorflow//tensorflow/tools/toolchains/android:arm64-v8a``,
  so the other ABIs need ``--android_platforms`` with the labels the tree's
  own ``build:android_<abi>`` configs name (:func:`android_platforms`).
* **What sets the native libraries' minimum API level?** For a configured tree,
  the ``ANDROID_NDK_API_LEVEL`` its configure file passes to TensorFlow's
  ``android_configure``; for a tree that declares rules_android_ndk's
  ``android_ndk_repository``, its ``api_level`` attribute (the rule reads no
  environment variable for it; 31, rules_android_ndk's ``DEFAULT_API_LEVEL``,
  when the attribute is absent, as at LiteRT v2.1.6).

Parsing is linear in the file size and never runs anything from the tree.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence

from tflite_slim.runtime.trees import tfscripts

#: rules_android_ndk's ``DEFAULT_API_LEVEL`` (``rules.bzl``), used when ``api_level`` is not given.
RULES_ANDROID_NDK_DEFAULT_API_LEVEL = 31
#: The Android ABIs (other configs, e.g. ``ios_arm64`` or ``elinux_aarch64``, pair a cpu with a platform too).
ANDROID_ABIS = ("arm64-v8a", "armeabi-v7a", "x86", "x86_64")

_IMPORT = re.compile(r"^[ \t]*(try-import|import)[ \t]+%workspace%/(\.[\w.-]*configure\.bazelrc)[ \t]*$", re.M)
_RC_LINE = re.compile(r"^[ \t]*(build|common)(?::([\w.-]+))?[ \t]+(.+)$")
_NDK_REPO = re.compile(r"^[ \t]*android_ndk_repository\([^)]*\)", re.M | re.S)
_API_LEVEL = re.compile(r"\bapi_level\s*=\s*(\d+)")


@dataclass(frozen=True)
class ConfigureImport:
    """The configure file ``.bazelrc`` reads, and whether Bazel fails without it."""

    name: str
    required: bool


def configure_import(bazelrc: str) -> Optional[ConfigureImport]:
    """The ``(try-)import %workspace%/.<x>configure.bazelrc`` line of a ``.bazelrc`` (None: none)."""
    m = _IMPORT.search(bazelrc)
    return ConfigureImport(m.group(2), m.group(1) == "import") if m else None


def _options(bazelrc: str) -> list[tuple[Optional[str], list[str]]]:
    """(config or None, options) per ``build``/``common`` line, comments dropped, in file order."""
    lines = []
    for raw in re.sub(r"\\\r?\n", " ", bazelrc).splitlines():
        m = _RC_LINE.match(raw)
        if not m:
            continue
        try:
            words = shlex.split(m.group(3), comments=True)
        except ValueError:
            continue
        lines.append((m.group(2), words))
    return lines


def expanded_options(bazelrc: str, configs: Sequence[str]) -> list[str]:
    """The options Bazel applies for a build with ``--config=`` each of ``configs``, in order.

    Unconditional ``build``/``common`` lines first, then each config's lines
    with nested ``--config=`` expanded in place (each config once, so a cycle ends).
    """
    lines = _options(bazelrc)
    out = [w for c, ws in lines if c is None for w in ws]
    seen: set[str] = set()

    def expand(config: str) -> None:
        if config in seen:
            return
        seen.add(config)
        for c, words in lines:
            if c != config:
                continue
            for w in words:
                if w.startswith("--config="):
                    expand(w.split("=", 1)[1])
                else:
                    out.append(w)

    for config in configs:
        expand(config)
    return out


def android_toolchain_resolution(bazelrc: str, configs: Sequence[str]) -> Optional[bool]:
    """Whether the options turn Android toolchain resolution on or off (the last one wins); None: unsaid."""
    state = None
    for w in expanded_options(bazelrc, configs):
        if w == "--incompatible_enable_android_toolchain_resolution":
            state = True
        elif w == "--noincompatible_enable_android_toolchain_resolution":
            state = False
        elif w.startswith("--incompatible_enable_android_toolchain_resolution="):
            state = w.split("=", 1)[1] in ("1", "true", "yes")
    return state


def android_platforms(bazelrc: str) -> dict[str, str]:
    """ABI -> platform label from the ``.bazelrc``'s per-ABI configs.

    A config that sets one ABI (``--cpu=<abi>`` or ``--fat_apk_cpu=<abi>``) and
    one ``--platforms=<label>``, as LiteRT's ``build:android_arm64`` does, names that ABI's platform.
    """
    by_config: dict[str, list[str]] = {}
    for c, words in _options(bazelrc):
        if c is not None:
            by_config.setdefault(c, []).extend(words)
    found: dict[str, str] = {}
    for words in by_config.values():
        abis = {w.split("=", 1)[1] for w in words if w.startswith(("--cpu=", "--fat_apk_cpu="))}
        labels = [w.split("=", 1)[1].strip('"') for w in words if w.startswith("--platforms=")]
        if len(abis) == 1 and len(set(labels)) == 1 and "," not in labels[0] and next(iter(abis)) in ANDROID_ABIS:
            found.setdefault(abis.pop(), labels[0])
    return found


def _code(text: str) -> str:
    """Starlark without its ``#`` comments (good enough for the calls read here: no ``#`` in their strings)."""
    return re.sub(r"#[^\n]*", "", text)


def declares_android_repositories(workspace: str) -> bool:
    """Whether a ``WORKSPACE`` declares the SDK and NDK repositories itself (reading the environment)."""
    code = _code(workspace)
    return "android_sdk_repository" in code and _NDK_REPO.search(code) is not None


def workspace_ndk_api_level(workspace: str) -> Optional[int]:
    """The ``api_level`` of the ``WORKSPACE``'s ``android_ndk_repository(...)`` (its default when absent; None: no call)."""
    m = _NDK_REPO.search(_code(workspace))
    if m is None:
        return None
    level = _API_LEVEL.search(m.group(0))
    return int(level.group(1)) if level else RULES_ANDROID_NDK_DEFAULT_API_LEVEL


@dataclass(frozen=True)
class TreeAndroid:
    """The answers for one tree (see the module docstring)."""

    #: The configure file the tree's ``.bazelrc`` reads (None: it reads none).
    configure_rc: Optional[str]
    #: The build cannot run until ``./configure`` wrote the Android settings.
    needs_configure: bool
    #: ABI -> platform label from the ``.bazelrc``.
    platforms: Mapping[str, str]
    #: The tree turns Android toolchain resolution on for the configs we build with.
    toolchain_resolution: bool
    #: The API level the WORKSPACE's NDK repository sets (None: configure's answer sets it).
    workspace_api_level: Optional[int]


def read_tree(root: Path, *, always_configure: bool, configs: Sequence[str] = (),
              default_rc: Optional[str] = None) -> TreeAndroid:
    """Read :class:`TreeAndroid` from ``root``'s ``.bazelrc`` and ``WORKSPACE``.

    ``always_configure``: the project's own script demands configure (TensorFlow's build_aar.sh).
    ``configs``: the ``--config=`` values the build passes.
    """
    bazelrc = tfscripts.read_text(root, ".bazelrc") or ""
    workspace = tfscripts.read_text(root, "WORKSPACE") or tfscripts.read_text(root, "WORKSPACE.bazel") or ""
    imp = configure_import(bazelrc)
    declared = declares_android_repositories(workspace)
    needs = always_configure or (imp is not None and imp.required) or not declared
    return TreeAndroid(
        configure_rc=imp.name if imp else default_rc,
        needs_configure=needs,
        platforms=android_platforms(bazelrc),
        toolchain_resolution=bool(android_toolchain_resolution(bazelrc, configs)),
        workspace_api_level=workspace_ndk_api_level(workspace) if declared else None,
    )


def configs_in(flags: Sequence[str]) -> tuple[str, ...]:
    """The ``--config=`` values among ``flags``."""
    return tuple(f.split("=", 1)[1] for f in flags if f.startswith("--config="))
