"""Everything the CMake backend runs, found as Android Studio installs it (see :mod:`.sdk`, :mod:`.cmaketools`).

One call, :func:`find`, at the settings phase: what it finds replaces the
defaults, what it cannot find becomes one problem line each (all of them,
not the first), which a dry run lists and a build refuses before its first
download.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Optional

from tflite_slim.runtime.toolchains import cmaketools, sdk
from tflite_slim.runtime.toolchains.sdk import Found, Ndk, NdkProblem


@dataclass(frozen=True)
class Studio:
    sdk: Optional[Found]
    #: None when no Android ABI is built, or none was found (see :attr:`problems`).
    ndk: Optional[Ndk]
    tools: cmaketools.CmakeTools
    notes: tuple[str, ...]
    problems: tuple[str, ...]


def find(*, cmake: Optional[str], ninja: Optional[str], sdk_option: Optional[str], ndk_option: Optional[str],
         ndk_version: Optional[str], android: bool, env: Mapping[str, str], project_dir: Path,
         need: tuple[int, int], version_of: cmaketools.VersionOf,
         which: Optional[Callable[[str], Optional[str]]] = None) -> Studio:
    """The SDK, the NDK (only when ``android``: an Android ABI is built), CMake and Ninja."""
    found_sdk = sdk.find_sdk(sdk_option, env, project_dir)
    notes = [f"Android SDK: {found_sdk.path} ({found_sdk.how})"] if found_sdk else []
    problems: list[str] = []
    if sdk_option and (found_sdk is None or found_sdk.how != "--sdk"):
        problems.append(f"--sdk {sdk_option}: not a directory; give the Android SDK (Android Studio: "
                        "Settings > Languages & Frameworks > Android SDK > Android SDK Location)")
    ndk = None
    if android:
        try:
            ndk = sdk.find_ndk(ndk_option, ndk_version, env, found_sdk)
            notes.append(f"NDK {ndk.revision or '(unknown revision)'}: {ndk.path} ({ndk.how})")
        except NdkProblem as e:
            problems.append(str(e))
    tools = cmaketools.find(cmake, ninja, found_sdk, need, version_of,
                            **({"which": which} if which is not None else {}))
    return Studio(found_sdk, ndk, tools, tuple(notes) + tools.notes, tuple(problems) + tools.problems)
