"""The Android SDK/NDK a local build uses, and configuring a downloaded TensorFlow tree for them.

``build_aar.sh`` needs a tree that ``./configure`` has set up for Android: its
``configure.py`` writes ``.tf_configure.bazelrc`` with ``build --action_env
ANDROID_NDK_HOME="..."`` (and the NDK API level, the SDK home, API level and
build-tools version). It reads every answer from an environment variable when
one is set (``TF_SET_ANDROID_WORKSPACE``, ``ANDROID_NDK_HOME``,
``ANDROID_NDK_API_LEVEL``, ``ANDROID_SDK_HOME``, ``ANDROID_API_LEVEL``,
``ANDROID_BUILD_TOOLS_VERSION``, ``PYTHON_BIN_PATH``, ``TF_NEED_CUDA``...) and
asks on stdin otherwise; with stdin closed a question takes its default.
We run it that way for trees we downloaded into the cache (never for a
user's own checkout); TensorFlow's Docker script pipes its answers on stdin.
LiteRT's ``configure.py`` asks the same questions and writes the same lines
into ``.litert_configure.bazelrc``; the file name and defaults come from the
tree's :class:`~tflite_slim.runtime.trees.layout.SourceLayout`.

The answers come from the environment (see :func:`resolve`); the SDK API level
and build-tools default to the highest installed, the NDK API level to 21 for
TensorFlow (configure.py's own default, the lowest with arm64) and 26 for
LiteRT (what LiteRT's Android build image sets). They are checked before
``configure.py`` runs, so a wrong path is one clear line, not ten prompts.

Configuring is atomic: ``configure.py --workspace TMP`` writes into a temp dir
and only a run that wrote the Android settings is moved into the tree (the
``.tf_configure.bazelrc`` last), so a failure leaves the tree as it was.
Running again with the same answers does nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Optional

from tflite_slim import process
from tflite_slim.errors import CommandFailed, ToolchainError, ToolMissing
from tflite_slim.runtime.trees.layout import TENSORFLOW, SourceLayout

SDK_VARS = ("ANDROID_SDK_HOME", "ANDROID_HOME", "ANDROID_SDK_ROOT")
NDK_VARS = ("ANDROID_NDK_HOME", "ANDROID_NDK_ROOT")
_ACTION_ENV = re.compile(r'^build --action_env (\w+)="?([^"\n]*)"?\s*$', re.M)
_PLATFORM = re.compile(r"^android-(\d+)$")
_NDK_REVISION = re.compile(r"^Pkg\.Revision\s*=\s*(\S+)", re.M)
_ALTERNATIVE = "or build in TensorFlow's Docker image with --backend docker"


def _alternative(layout: SourceLayout) -> str:
    """What else a user without the SDK/NDK can do: Docker builds TensorFlow only (LiteRT is refused there)."""
    return f"; {_ALTERNATIVE}" if layout is TENSORFLOW else ""

Log = Callable[[str], None]


@dataclass(frozen=True)
class AndroidConfig:
    """The answers to configure.py's Android questions, as written to ``.tf_configure.bazelrc``."""

    sdk_home: str
    ndk_home: str
    sdk_api_level: str
    ndk_api_level: str
    build_tools_version: str
    #: The NDK's ``Pkg.Revision`` (the compiler that builds the .so files), when readable.
    ndk_revision: Optional[str] = None

    def canonical(self) -> dict[str, Optional[str]]:
        """What changes the built files; the locations do not (the same NDK elsewhere builds the same)."""
        return {
            "ndk_api_level": self.ndk_api_level,
            "ndk_revision": self.ndk_revision,
            "sdk_api_level": self.sdk_api_level,
            "build_tools_version": self.build_tools_version,
        }

    def answers(self) -> dict[str, str]:
        """configure.py's environment variables for these settings."""
        return {
            "TF_SET_ANDROID_WORKSPACE": "1",
            "ANDROID_NDK_HOME": self.ndk_home,
            "ANDROID_NDK_API_LEVEL": self.ndk_api_level,
            "ANDROID_SDK_HOME": self.sdk_home,
            "ANDROID_API_LEVEL": self.sdk_api_level,
            "ANDROID_BUILD_TOOLS_VERSION": self.build_tools_version,
        }

    def same_settings(self, other: Optional["AndroidConfig"]) -> bool:
        return other is not None and all(
            getattr(self, f) == getattr(other, f)
            for f in ("sdk_home", "ndk_home", "sdk_api_level", "ndk_api_level", "build_tools_version")
        )


def _version_key(name: str) -> tuple:
    """Order build-tools like ``30.0.3`` < ``34.0.0-rc1`` < ``34.0.0`` (numbers, then releases after rcs)."""
    base, _, suffix = name.partition("-")
    return tuple(int(n) for n in re.findall(r"\d+", base)), not suffix, name


def _installed(sdk: Path) -> tuple[list[str], list[str]]:
    """The SDK's platform API levels and build-tools versions, lowest first."""
    levels = sorted((m.group(1) for p in (sdk / "platforms").iterdir() if (m := _PLATFORM.match(p.name))), key=int)
    tools = sorted((p.name for p in (sdk / "build-tools").iterdir() if p.is_dir()), key=_version_key)
    return levels, tools


def ndk_revision(ndk: Path) -> Optional[str]:
    """``Pkg.Revision`` from the NDK's ``source.properties`` (None when unreadable)."""
    try:
        m = _NDK_REVISION.search((ndk / "source.properties").read_text(errors="replace"))
    except OSError:
        return None
    return m.group(1) if m else None


def _pick(env: Mapping[str, str], names: tuple[str, ...], valid: Callable[[Path], Optional[str]],
          layout: SourceLayout = TENSORFLOW) -> tuple[str, Path]:
    """The first variable of ``names`` naming a valid directory; else an error about the first one set."""
    first_problem = None
    for name in names:
        value = env.get(name)
        if not value:
            continue
        path = Path(value).expanduser()
        problem = f"{name}={value}: no such directory" if not path.is_dir() else valid(path)
        if problem is None:
            return name, path.resolve()
        first_problem = first_problem or problem
    assert first_problem is not None
    raise ToolchainError(f"{first_problem}{_alternative(layout)}")


def _sdk_problem(path: Path) -> Optional[str]:
    missing = [d for d in ("platforms", "build-tools") if not (path / d).is_dir()]
    if missing:
        return (f"{path} is not an Android SDK (no {' or '.join(d + '/' for d in missing)}, which "
                "configure.py requires; install them with sdkmanager \"platforms;android-34\" \"build-tools;34.0.0\")")
    return None


def _ndk_problem(path: Path) -> Optional[str]:
    if not (path / "source.properties").is_file():
        return f"{path} is not an Android NDK (no source.properties, which configure.py reads)"
    return None


def resolve(env: Optional[Mapping[str, str]] = None, existing: Optional[AndroidConfig] = None,
            layout: SourceLayout = TENSORFLOW) -> AndroidConfig:
    """The Android settings from the environment, checked; see the module docstring.

    With no SDK/NDK variable set at all, ``existing`` (the tree's current
    configuration, if any) stands; otherwise every missing or wrong piece is a
    one-line :class:`ToolchainError` naming the variable to set.
    """
    env = os.environ if env is None else env
    if existing is not None and not any(env.get(n) for n in SDK_VARS + NDK_VARS):
        return existing
    if not any(env.get(n) for n in SDK_VARS):
        raise ToolMissing(
            f"the Android SDK is needed to configure {layout.title} for Android: set ANDROID_SDK_HOME (or "
            f"ANDROID_HOME / ANDROID_SDK_ROOT) to the SDK directory and ANDROID_NDK_HOME to an NDK{_alternative(layout)}"
        )
    sdk_var, sdk = _pick(env, SDK_VARS, _sdk_problem, layout)
    if not any(env.get(n) for n in NDK_VARS):
        found = sorted(p.name for p in (sdk / "ndk").iterdir()) if (sdk / "ndk").is_dir() else []
        seen = f" (the SDK has {', '.join(str(sdk / 'ndk' / n) for n in found)})" if found else ""
        raise ToolMissing(f"the Android NDK is needed to configure {layout.title} for Android: set "
                             f"ANDROID_NDK_HOME (or ANDROID_NDK_ROOT) to the NDK directory{seen}{_alternative(layout)}")
    _, ndk = _pick(env, NDK_VARS, _ndk_problem, layout)
    levels, tools = _installed(sdk)
    api = env.get("ANDROID_API_LEVEL") or (levels[-1] if levels else "")
    if not api:
        raise ToolchainError(f"{sdk_var}={sdk}: no platforms/android-<level> installed; install one with "
                             "sdkmanager \"platforms;android-34\"")
    if api not in levels:
        raise ToolchainError(f"ANDROID_API_LEVEL={api}: {sdk}/platforms/android-{api} does not exist "
                             f"(installed: {', '.join(levels) or 'none'})")
    build_tools = env.get("ANDROID_BUILD_TOOLS_VERSION") or (tools[-1] if tools else "")
    if not build_tools:
        raise ToolchainError(f"{sdk_var}={sdk}: no build-tools installed; install them with "
                             "sdkmanager \"build-tools;34.0.0\"")
    if build_tools not in tools:
        raise ToolchainError(f"ANDROID_BUILD_TOOLS_VERSION={build_tools}: {sdk}/build-tools/{build_tools} does "
                             f"not exist (installed: {', '.join(tools) or 'none'})")
    ndk_api = env.get("ANDROID_NDK_API_LEVEL") or layout.default_ndk_api_level
    if not ndk_api.isdigit():
        raise ToolchainError(f"ANDROID_NDK_API_LEVEL={ndk_api}: expected a number such as "
                             f"{layout.default_ndk_api_level}")
    return AndroidConfig(str(sdk), str(ndk), api, ndk_api, build_tools, ndk_revision(ndk))


def read_configured(root: Path, layout: SourceLayout = TENSORFLOW,
                    rc_name: Optional[str] = None) -> Optional[AndroidConfig]:
    """The Android settings ``./configure`` left in ``root/.tf_configure.bazelrc`` (None: not configured)."""
    rc = Path(root) / (rc_name or layout.configure_rc)
    try:
        values = dict(_ACTION_ENV.findall(rc.read_text(errors="replace")))
    except OSError:
        return None
    if "ANDROID_SDK_HOME" not in values:
        return None
    ndk = values.get("ANDROID_NDK_HOME", "")
    return AndroidConfig(
        sdk_home=values["ANDROID_SDK_HOME"],
        ndk_home=ndk,
        sdk_api_level=values.get("ANDROID_SDK_API_LEVEL", ""),
        ndk_api_level=values.get("ANDROID_NDK_API_LEVEL", ""),
        build_tools_version=values.get("ANDROID_BUILD_TOOLS_VERSION", ""),
        # Newer configure.py records the NDK's major version; the NDK itself knows the full revision.
        ndk_revision=(ndk_revision(Path(ndk)) if ndk else None) or values.get("ANDROID_NDK_VERSION"),
    )


def action_env_flags(android: AndroidConfig) -> tuple[str, ...]:
    """The SDK/NDK for a tree whose WORKSPACE reads them from the environment, passed as LiteRT's
    Android CI does (``--action_env ANDROID_NDK_HOME=...``; Bazel's repository rules see ``--action_env``)."""
    return (f"--action_env=ANDROID_HOME={android.sdk_home}", f"--action_env=ANDROID_NDK_HOME={android.ndk_home}")


def configure_env(android: AndroidConfig, env: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """Every variable configure.py asks about for an Android-only build.

    The Android answers and "no CUDA/ROCm/iOS" are fixed; the rest take the
    user's value when set (they affect only host tools, not the .so files,
    which the NDK's clang compiles): the Python running tflite-slim, its
    default library path, the host's GCC for host tools, configure.py's
    default copts. GCC because a clang answer needs the path of an installed
    clang, which a host need not have; TensorFlow's recent
    ``build_aar_with_docker.sh`` answers clang (``/usr/lib/llvm-18/bin/clang``)
    because its image ships LLVM 18; ``TF_NEED_CLANG=1`` with
    ``CLANG_COMPILER_PATH`` (passed through from the environment) does the same here.
    """
    env = os.environ if env is None else env
    answers = {
        "PYTHON_BIN_PATH": sys.executable,
        "USE_DEFAULT_PYTHON_LIB_PATH": "1",
        "TF_NEED_CLANG": "0",
        "TF_DOWNLOAD_CLANG": "0",
        "CC_OPT_FLAGS": "-Wno-sign-compare",
    }
    answers.update({k: env[k] for k in answers if env.get(k)})
    answers.update({"TF_NEED_CUDA": "0", "TF_NEED_ROCM": "0", "TF_CONFIGURE_IOS": "0"})
    answers.update(android.answers())
    return answers


def configure_argv(root: Path, workspace: str, env: Mapping[str, str]) -> list[str]:
    """``./configure`` minus its shell wrapper: TensorFlow's configure.py under ``PYTHON_BIN_PATH``."""
    return [env["PYTHON_BIN_PATH"], str(Path(root) / "configure.py"), "--workspace", workspace]


def configure_hint(root: Path, env: Optional[Mapping[str, str]] = None, layout: SourceLayout = TENSORFLOW) -> str:
    """How a user configures their own checkout: interactively, or with the answers in the environment."""
    try:
        a = resolve(env)
        values = f"ANDROID_SDK_HOME={a.sdk_home} ANDROID_NDK_HOME={a.ndk_home}"
    except ToolchainError:
        values = "ANDROID_SDK_HOME=<sdk> ANDROID_NDK_HOME=<ndk>"
    run = layout.configure_command
    return (f"run {run} in {root} and answer 'y' to \"interactively configure ./WORKSPACE for Android "
            f"builds\" (needs the Android SDK and NDK), or non-interactively: cd {root} && "
            f"TF_SET_ANDROID_WORKSPACE=1 {values} {run}")


def ensure_configured(root: Path, android: AndroidConfig, *, bazel: str = "bazel", log: Log = print,
                      layout: SourceLayout = TENSORFLOW, rc_name: Optional[str] = None) -> bool:
    """Configure the tree at ``root`` for ``android`` unless it already is; True if configure.py ran."""
    root = Path(root)
    rc_name = rc_name or layout.configure_rc
    if android.same_settings(read_configured(root, layout, rc_name)):
        return False
    if not (root / "configure.py").is_file():
        raise ToolchainError(f"{root}/configure.py is missing: this {layout.title} tree cannot be configured; "
                             "download it again (delete it from the cache) or use --source")
    found = shutil.which(bazel)
    if found is None:
        # configure.py looks for bazel (or bazelisk) on PATH and stops without it.
        raise ToolchainError(f"configuring {layout.title} needs Bazel: '{bazel}' was not found; "
                             "install Bazel (bazelisk) or pass --bazel PATH")
    env = configure_env(android)
    python = env["PYTHON_BIN_PATH"]
    if not (os.path.isfile(python) and os.access(python, os.X_OK)):
        raise ToolchainError(f"PYTHON_BIN_PATH={python}: not an executable Python (configure.py runs with it); "
                             "fix it or unset it to use the Python running tflite-slim")
    tmp = Path(tempfile.mkdtemp(prefix=".configure-", dir=root.parent))
    try:
        (tmp / "tools").mkdir()  # configure.py writes tools/python_bin_path.sh there
        (tmp / "bin").mkdir()
        os.symlink(os.path.abspath(found), tmp / "bin" / "bazel")
        env["PATH"] = str(tmp / "bin") + os.pathsep + os.environ.get("PATH", "")
        argv = configure_argv(root, str(tmp), env)
        log(f"tflite-slim: configuring {root} for Android (NDK API {android.ndk_api_level}, "
            f"SDK API {android.sdk_api_level}, build-tools {android.build_tools_version})")
        try:
            process.run(argv, cwd=str(root), env=env, stream=True, on_line=lambda line: log(f"  {line}"),
                        what=f"{layout.title}'s configure.py")
        except CommandFailed as e:
            raise ToolchainError(f"{layout.title}'s configure.py failed (exit status {e.returncode}, output above); "
                                 f"{root} was left unconfigured") from e
        written = read_configured(tmp, layout, rc_name)
        if not android.same_settings(written):
            raise ToolchainError(f"{layout.title}'s configure.py did not write the Android settings asked for "
                                 f"(output above); {root} was left unconfigured")
        shim = tmp / "tools" / "python_bin_path.sh"
        if shim.is_file():
            (root / "tools").mkdir(exist_ok=True)
            os.replace(shim, root / "tools" / "python_bin_path.sh")
        os.replace(tmp / rc_name, root / rc_name)  # last: this makes the tree configured
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return True
