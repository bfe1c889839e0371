"""The Android SDK and NDK as Android Studio installs them: found, not configured.

The SDK: ``--sdk``, else ``$ANDROID_HOME``, else ``$ANDROID_SDK_ROOT``, else
``sdk.dir`` in the project's ``local.properties`` (what Android Studio writes;
Gradle's own order). The NDK: ``--ndk`` (the app's ``android.ndkPath``), else
``$ANDROID_NDK_HOME``/``$ANDROID_NDK_ROOT``, else ``<sdk>/ndk/<--ndk-version>``
(the app's ``android.ndkVersion``), else the newest ``<sdk>/ndk/<revision>``.
Android Studio's SDK Manager names each NDK directory by its revision; a
directory whose ``source.properties`` says otherwise is not trusted (a copied
or half-installed NDK). A declared ``--ndk-version`` is compared with the
revision of the NDK used: another one is refused, naming both.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence

#: Where an NDK keeps CMake's toolchain file (every NDK since r13).
NDK_TOOLCHAIN_FILE = "build/cmake/android.toolchain.cmake"
NDK_ENV = ("ANDROID_NDK_HOME", "ANDROID_NDK_ROOT")
SDK_ENV = ("ANDROID_HOME", "ANDROID_SDK_ROOT")
LOCAL_PROPERTIES = "local.properties"
INSTALL_NDK = "install one with Android Studio's SDK Manager (SDK Tools > NDK (Side by side))"
_REVISION = re.compile(r"^\d+(\.\d+)*$")


@dataclass(frozen=True)
class Found:
    """A path found, and how (``--sdk``, ``$ANDROID_HOME``, ``local.properties sdk.dir`` ...)."""

    path: Path
    how: str


@dataclass(frozen=True)
class Ndk:
    path: Path
    #: ``Pkg.Revision`` of its ``source.properties`` (None: unreadable).
    revision: Optional[str]
    how: str


def parse_properties(text: str) -> dict[str, str]:
    """A ``.properties`` file's keys and values (``key=value`` or ``key: value``, ``#``/``!`` comments,
    backslash escapes as Android Studio writes Windows paths: ``C\\:\\\\Users``); continuation lines
    are not used by ``local.properties`` and end the value."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#!":
            continue
        m = re.match(r"((?:\\.|[^=:\s\\])+)\s*[=:\s]\s*(.*)$", line)
        if m is None:
            out[_unescape(line)] = ""
            continue
        out[_unescape(m.group(1))] = _unescape(m.group(2))
    return out


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(m.group(1), m.group(1)), text)


def find_sdk(option: Optional[str], env: Mapping[str, str], project_dir: Path) -> Optional[Found]:
    """The SDK directory (see the module docstring), None when nothing names one that exists."""
    candidates: list[tuple[str, str]] = []
    if option:
        candidates.append((option, "--sdk"))
    candidates += [(env[v], f"${v}") for v in SDK_ENV if env.get(v)]
    props = project_dir / LOCAL_PROPERTIES
    try:
        sdk_dir = parse_properties(props.read_text(encoding="utf-8", errors="replace")).get("sdk.dir")
    except OSError:
        sdk_dir = None
    if sdk_dir:
        candidates.append((sdk_dir, f"sdk.dir in {props}"))
    for path, how in candidates:
        if os.path.isdir(path):
            return Found(Path(path).absolute(), how)
    return None


def ndk_revision(ndk: Path) -> Optional[str]:
    """``Pkg.Revision`` from the NDK's ``source.properties`` (None when unreadable)."""
    try:
        text = (ndk / "source.properties").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    value = parse_properties(text).get("Pkg.Revision", "").strip()
    return value if _REVISION.match(value) else None


def revision_key(revision: str) -> tuple[int, ...]:
    """``27.0.12077973`` -> (27, 0, 12077973): newest is largest."""
    return tuple(int(p) for p in revision.split("."))


def ndk_matches(declared: str, found: str) -> bool:
    """``26.3.11579264`` matches ``26``, ``26.3`` and itself (Gradle's ``android.ndkVersion`` is the full form)."""
    return found == declared or found.startswith(declared + ".")


def installed_ndks(sdk: Path) -> list[tuple[str, Path]]:
    """``<sdk>/ndk/<revision>`` directories whose ``source.properties`` says that revision, newest first."""
    root = sdk / "ndk"
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return []
    found = [(n, root / n) for n in names if _REVISION.match(n) and ndk_revision(root / n) == n
             and (root / n / NDK_TOOLCHAIN_FILE).is_file()]
    return sorted(found, key=lambda item: revision_key(item[0]), reverse=True)


class NdkProblem(Exception):
    """Why no usable NDK was found: one line naming the setting that fixes it."""


def find_ndk(option: Optional[str], declared: Optional[str], env: Mapping[str, str],
             sdk: Optional[Found]) -> Ndk:
    """The NDK to build with (see the module docstring), or :class:`NdkProblem`."""
    named = [(option, "--ndk")] if option else []
    named += [(env[v], f"${v}") for v in NDK_ENV if env.get(v)]
    for path, how in named[:1]:  # the first one named is the one meant: a wrong one is said, not skipped
        ndk = Path(path).absolute()
        if not (ndk / NDK_TOOLCHAIN_FILE).is_file():
            raise NdkProblem(f"{how} {path}: not an NDK (no {NDK_TOOLCHAIN_FILE}); {INSTALL_NDK}")
        found = Ndk(ndk, ndk_revision(ndk), how)
        _check_declared(declared, found)
        return found
    if sdk is None:
        raise NdkProblem("the Android NDK was not found: no --ndk or $ANDROID_NDK_HOME, and no Android SDK "
                         "(--sdk DIR, $ANDROID_HOME, or sdk.dir in local.properties) to look in; " + INSTALL_NDK)
    installed = installed_ndks(sdk.path)
    if declared is not None:
        matching = [(rev, path) for rev, path in installed if ndk_matches(declared, rev)]
        if not matching:
            have = ", ".join(rev for rev, _ in installed) or "none"
            raise NdkProblem(f"--ndk-version {declared}: not installed in {sdk.path / 'ndk'} (installed: {have}); "
                             f"install NDK {declared} with Android Studio's SDK Manager, or declare an installed one")
        rev, path = matching[0]
        return Ndk(path, rev, f"--ndk-version in {sdk.how}'s ndk/")
    if not installed:
        raise NdkProblem(f"no NDK in {sdk.path / 'ndk'} (from {sdk.how}); {INSTALL_NDK}, or pass --ndk DIR")
    rev, path = installed[0]
    return Ndk(path, rev, f"the newest in {sdk.how}'s ndk/")


def _check_declared(declared: Optional[str], found: Ndk) -> None:
    if declared is None:
        return
    if found.revision is None:
        raise NdkProblem(f"--ndk-version {declared}: cannot read the revision of the NDK at {found.path} "
                         "(no Pkg.Revision in source.properties)")
    if not ndk_matches(declared, found.revision):
        raise NdkProblem(f"--ndk-version {declared}: the NDK from {found.how} ({found.path}) is {found.revision}; "
                         f"point it at NDK {declared} or declare {found.revision}")


def sdk_tool_dirs(sdk: Optional[Found], sub: str) -> Sequence[tuple[str, Path]]:
    """``<sdk>/<sub>/<version>`` directories (``cmake/3.22.1``), newest first, as (version, dir)."""
    if sdk is None:
        return []
    root = sdk.path / sub
    try:
        names = os.listdir(root)
    except OSError:
        return []
    versions = [n for n in names if _REVISION.match(n)]
    return [(v, root / v) for v in sorted(versions, key=revision_key, reverse=True)]
