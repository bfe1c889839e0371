"""What a build observes, checked against what was declared (the version rule's other half).

The runtime's version hashes only declared inputs (:mod:`tflite_slim.runtime.spec.plan`).
Facts read from a tree or the machine are implied by the declaration, so here
they are checked against it: a mismatch is refused with one line naming both
values, never silently built into a runtime whose version says otherwise.
The facts then go into the build record.
"""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

from tflite_slim.errors import ToolchainError, UsageError
from tflite_slim.runtime.trees.android import AndroidConfig
from tflite_slim.runtime.trees.androidtree import TreeAndroid


def check_release(option: str, declared: str, found: str, where: str) -> None:
    """The downloaded tree must be the release it was asked for."""
    if declared != found:
        raise ToolchainError(f"{option} {declared}: the downloaded tree {where} says it is {found}; "
                             "delete it from the cache (or fix the archive URL) and build again")


def min_api_level(tree: Optional[TreeAndroid], android: Optional[AndroidConfig]) -> Optional[int]:
    """The minimum API level the tree builds the native libraries for (see androidtree), None when unknown."""
    if tree is not None and not tree.needs_configure and tree.workspace_api_level is not None:
        return tree.workspace_api_level
    if android is not None and android.ndk_api_level.isdigit():
        return int(android.ndk_api_level)
    return None


def check_api_level(declared: Optional[int], found: Optional[int], where: str) -> None:
    """``--android-api-level`` against what the tree sets."""
    if declared is not None and found is not None and declared != found:
        raise ToolchainError(f"--android-api-level {declared}: {where} sets API level {found}; declare "
                             f"{found} or build from a tree that sets {declared}")


def ndk_matches(declared: str, found: str) -> bool:
    """``26.3.11579264`` matches ``26``, ``26.3`` and itself (Gradle's ``android.ndkVersion`` is the full form)."""
    return found == declared or found.startswith(declared + ".")


def check_ndk(declared: Optional[str], android: Optional[AndroidConfig]) -> None:
    """``--ndk-version`` against the NDK found (its ``source.properties`` ``Pkg.Revision``)."""
    if declared is None or android is None:
        return
    found = android.ndk_revision
    if found is None:
        raise ToolchainError(f"--ndk-version {declared}: cannot read the revision of the NDK at "
                             f"{android.ndk_home} (no Pkg.Revision in source.properties)")
    if not ndk_matches(declared, found):
        raise ToolchainError(f"--ndk-version {declared}: the NDK at {android.ndk_home} is {found}; "
                             f"set ANDROID_NDK_HOME to NDK {declared} or declare {found}")


def platforms_for(tree: Optional[TreeAndroid], abis: Sequence[str], where: str) -> tuple[tuple[str, str], ...]:
    """ABI -> platform label for ``--android_platforms`` (empty when the tree does not resolve Android toolchains)."""
    if tree is None or not tree.toolchain_resolution:
        return ()
    platforms: Mapping[str, str] = tree.platforms
    missing = [a for a in abis if a not in platforms]
    if missing:
        raise ToolchainError(f"{where}: the tree builds with Android toolchain resolution but names no "
                             f"--platforms label for {', '.join(missing)} (no build:android_* config with "
                             f"--cpu={missing[0]}); build {', '.join(sorted(platforms)) or 'no other ABI'} "
                             "with --target-archs")
    return tuple((a, platforms[a]) for a in abis)


def parse_api_level(value: Optional[str]) -> Optional[int]:
    """``--android-api-level N`` as a number (None when not given)."""
    if value is None:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 1000:
        raise UsageError(f"--android-api-level {value!r}: expected an Android API level such as 21")
    return int(value)
