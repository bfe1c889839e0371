"""``tflite-slim build`` with real Bazel binaries, in a TensorFlow-shaped workspace of genrules.

Two real Bazels install offline here (``.ci/run``): Debian's ``bazel-bootstrap``
(4.2.3, prints ``bazel no_version``; built without Android support, so it
refuses ``--fat_apk_cpu`` and runs everything else) and npm's
``@bazel/bazel-linux_x64`` 2.1.0 (an official release binary, the whole build). The workspace
(``tests/realbazel/``) has TensorFlow's macro signatures and AAR layout; only
the compiler and Android packaging are stood in for (no NDK/SDK here). Its
``.tf_configure.bazelrc`` is written by the configure.py stand-in with the real
Bazel on PATH, as ``./configure`` writes it.

Cost: one Bazel server per binary (shut down at the end), one batch-mode Bazel
for the Ctrl-C test, one output root for the session; about 30 s in all.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

import modelmaker as mm
from standin.workspace import CONFIGURE_PY, make_android_ndk, make_android_sdk
from tflite_slim.runtime.backends import bazelversion
from tflite_slim.runtime.builder import BuildSettings, prepare
from tflite_slim.runtime.spec.buildfile import FLEX_LIBRARY, FLEX_TARGET, RUNTIME_LIBRARY, RUNTIME_TARGET
from tflite_slim.analysis.reader import read_model

REPO_ROOT = Path(__file__).resolve().parents[3]
WORKSPACE_FILES = Path(__file__).resolve().parents[2] / "realbazel"
NPM_BAZEL_DIR = REPO_ROOT / ".ci" / "tools" / "node_modules" / "@bazel" / "bazel-linux_x64"
#: bazel-bootstrap's client; /usr/bin/bazel is Bazel's wrapper script, which picks a binary by .bazelversion.
DEBIAN_BAZEL = Path("/usr/bin/bazel-4")
DEBIAN_WRAPPER = Path("/usr/bin/bazel")
ABIS = ("arm64-v8a", "x86_64")
#: (ELF class, e_machine) per ABI, to check the .so headers that reached the AAR.
ELF_KINDS = {"arm64-v8a": (2, 183), "armeabi-v7a": (1, 40), "x86": (1, 3), "x86_64": (2, 62)}


@dataclass(frozen=True)
class RealBazel:
    """One real Bazel binary and what its ``--version`` prints."""

    path: str
    version_line: str


def _absent(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; .ci/run installs it")
    pytest.skip(reason)


def _version_line(path: str) -> str:
    return subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()


@pytest.fixture(scope="session")
def bazel_bootstrap() -> RealBazel:
    """Debian's bazel-bootstrap: skipped when absent, except under CI."""
    if not DEBIAN_BAZEL.is_file():
        _absent("Debian's bazel-bootstrap is not installed (apt-get install bazel-bootstrap)")
    line = _version_line(str(DEBIAN_BAZEL))
    if line != "bazel no_version":
        _absent(f"{DEBIAN_BAZEL} is not Debian's bazel-bootstrap (its --version printed {line!r})")
    return RealBazel(str(DEBIAN_BAZEL), line)


@pytest.fixture(scope="session")
def bazel2() -> RealBazel:
    """npm's Bazel 2.1.0 release binary under .ci/tools: skipped when absent, except under CI."""
    found = sorted(NPM_BAZEL_DIR.glob("bazel-*-linux-x86_64"))
    if not found:
        _absent("npm's @bazel/bazel-linux_x64 is not installed "
                "(npm install --prefix .ci/tools @bazel/bazel-linux_x64@2.1.0)")
    return RealBazel(str(found[-1]), _version_line(str(found[-1])))


@pytest.fixture(scope="session")
def bazel_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """HOME for every Bazel run: its output_user_root, shared by the session, never the user's.

    Removed at the end (after the servers are shut down): Bazel's install bases are ~140 MB each.
    """
    home = tmp_path_factory.mktemp("bazel-home")
    yield home

    def writable(function, path, _exc_info) -> None:  # Bazel makes its install base read-only
        os.chmod(os.path.dirname(path), 0o755)
        os.chmod(path, 0o755)
        function(path)

    shutil.rmtree(home, onerror=writable)


def _env(home: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "HOME": str(home), **extra}


def make_workspace(directory: Path, bazel: RealBazel, home: Path) -> Path:
    """Copy the test workspace to ``directory``, pin Bazel 2.1.0 and configure it for Android as ./configure does."""
    shutil.copytree(WORKSPACE_FILES, directory)
    (directory / "configure.py").write_text(CONFIGURE_PY.read_text())
    (directory / "tools").mkdir()
    (directory / ".bazelversion").write_text("2.1.0\n")
    sdk = make_android_sdk(directory.parent / f"{directory.name}-sdk")
    ndk = make_android_ndk(directory.parent / f"{directory.name}-ndk")
    path_dir = directory.parent / f"{directory.name}-path"
    path_dir.mkdir()
    (path_dir / "bazel").symlink_to(bazel.path)  # configure.py finds bazel on PATH
    answers = {
        "PATH": f"{path_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHON_BIN_PATH": sys.executable,  # the genrules' python (--action_env), as configure records it
        "USE_DEFAULT_PYTHON_LIB_PATH": "1",
        "TF_NEED_ROCM": "0", "TF_NEED_CUDA": "0", "TF_NEED_CLANG": "0",
        "TF_SET_ANDROID_WORKSPACE": "1", "ANDROID_SDK_HOME": str(sdk), "ANDROID_NDK_HOME": str(ndk),
    }
    done = subprocess.run([sys.executable, "configure.py"], cwd=directory, env=_env(home, **answers),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ANDROID_SDK_HOME" in (directory / ".tf_configure.bazelrc").read_text()
    return directory


def _shutdown(bazel: RealBazel, workspace: Path, home: Path) -> None:
    subprocess.run([bazel.path, "shutdown"], cwd=workspace, env=_env(home), capture_output=True, timeout=120)


@pytest.fixture(scope="session")
def workspace2(bazel2: RealBazel, bazel_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The workspace Bazel 2.1.0 builds in: one server for the session, shut down after."""
    ws = make_workspace(tmp_path_factory.mktemp("ws2") / "tensorflow", bazel2, bazel_home)
    yield ws
    _shutdown(bazel2, ws, bazel_home)


@pytest.fixture(scope="session")
def real_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A builtin-only model and a Flex model, using only ops in the workspace's builtin_op_kernels.h."""
    d = tmp_path_factory.mktemp("realbazel-models")
    plain, flex = d / "plain.tflite", d / "flex.tflite"
    plain.write_bytes(mm.make_model([mm.builtin(mm.CONV_2D, 3), mm.builtin(mm.ADD)], [[mm.Op(0), mm.Op(1)]]))
    flex.write_bytes(mm.make_model(
        [mm.builtin(mm.ADD), mm.custom("FlexAddV2")],
        [[mm.Op(0), mm.Op(1, mm.flex_options("AddV2", {"T": mm.DT_FLOAT}))]],
    ))
    # The tree's kernel list must cover them, as TensorFlow's builtin_op_kernels.h covers real models.
    header = (WORKSPACE_FILES / "tensorflow/lite/kernels/builtin_op_kernels.h").read_text()
    declared = set(re.findall(r"TfLiteRegistration\* Register_(\w+)\(\);", header))
    for path in (plain, flex):
        assert set(read_model(str(path)).ops.builtin_ops) <= declared
    return {"plain": plain, "flex": flex}


def tool_argv(workspace: Path, bazel: str, out: Path, models: list[Path], *extra: str) -> list[str]:
    return [sys.executable, "-m", "tflite_slim", "build", *map(str, models), "--tensorflow-src", str(workspace),
            "--backend", "local", "--bazel", bazel, "--target-archs", ",".join(ABIS), "--out", str(out),
            "--cache-dir", str(out.parent / "cache"), "--bazel-arg=--jobs=2", *extra]


def run_tool(argv: list[str], home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(argv, env=_env(home), capture_output=True, text=True, timeout=600)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def processes_mentioning(*needles: str) -> list[str]:
    """Live processes whose command line (or working directory) contains one of ``needles``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if any(n in cmdline or n in cwd for n in needles):
            found.append(f"{proc.name}: {cmdline[:200]} (in {cwd})")
    return found


def leftovers(workspace: Path, out: Path) -> list[str]:
    """What a failed or interrupted build must not leave: temp dirs, the package, an OUT."""
    found = [str(p) for p in out.parent.glob(f".{out.name}*")]
    found += [str(p) for p in (workspace / "tflite_slim_build").glob("*")]
    builds = out.parent / "cache" / "builds"  # staging dirs (.tmp-*) and entries: none when nothing was built
    if builds.is_dir():
        found += [str(p) for p in builds.iterdir()]
    if out.exists():
        found.append(str(out))
    return found


# --- the version check against what real binaries print ---------------------------------------------


@pytest.mark.parametrize("which", ["bazel_bootstrap", "bazel2"])
def test_version_check_reads_real_output(which: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    bazel: RealBazel = request.getfixturevalue(which)
    (tmp_path / ".bazelversion").write_text("6.5.0\n")
    check = bazelversion.check(bazel.path, tmp_path)
    assert check is not None and check.wanted == "6.5.0"
    if bazel.version_line == "bazel no_version":
        # Cannot be verified: say so, name the pin, and let the build go on.
        assert check.actual is None and check.matches is None
        assert "bazel no_version" in check.message and "wants Bazel 6.5.0" in check.message
    else:
        assert check.actual == bazel.version_line.split()[1] == "2.1.0"
        assert check.matches is False
        assert "is Bazel 2.1.0 but this tree's .bazelversion wants Bazel 6.5.0" in check.message
        (tmp_path / ".bazelversion").write_text("2.1.0\n")
        assert bazelversion.check(bazel.path, tmp_path).message is None


# --- Debian's bazel-bootstrap: no Android support -----------------------------------------------------


def test_bootstrap_bazel_takes_the_flags_but_refuses_android_clearly(
    bazel_bootstrap: RealBazel, bazel_home: Path, real_models: dict[str, Path], tmp_path: Path
) -> None:
    ws = make_workspace(tmp_path / "tensorflow", bazel_bootstrap, bazel_home)
    (ws / ".bazelversion").write_text("6.5.0\n")  # as TensorFlow 2.16.1 pins it
    out = tmp_path / "out"

    # /usr/bin/bazel, Bazel's wrapper, runs only the pinned version, which Debian does not have.
    if DEBIAN_WRAPPER.is_file():
        done = run_tool(tool_argv(ws, str(DEBIAN_WRAPPER), out, [real_models["plain"]]), bazel_home)
        assert done.returncode == 2, done.stderr
        assert (f"tflite-slim: warning: '{DEBIAN_WRAPPER} --version' failed with exit status 1 (ERROR: The project "
                "you're trying to build requires Bazel 6.5.0") in done.stderr
        [error] = error_lines(done.stderr)
        assert error.startswith("error: bazel build :tensorflow-lite failed with exit status 1: ")
        assert "sudo apt install bazel-6.5.0" in done.stderr  # the wrapper's advice, in the tail
        assert not out.exists()

    # bazel-bootstrap's own client runs, but has no Android support.
    try:
        done = run_tool(tool_argv(ws, bazel_bootstrap.path, out, [real_models["plain"]]), bazel_home)
        libraries = _build_libraries_without_fat_apk_cpu(bazel_bootstrap, ws, bazel_home, real_models)
    finally:
        _shutdown(bazel_bootstrap, ws, bazel_home)
    assert [library.name for library in libraries] == ["custom_tensorflowlite.aar", "custom_tensorflowlite_flex.aar"]
    assert done.returncode == 2, done.stderr
    assert "tflite-slim: warning: cannot tell which Bazel" in done.stderr  # before Bazel ran
    [error] = error_lines(done.stderr)
    # Bazel's own exit status for an unknown option, then its words, then what to do.
    assert error.startswith("error: bazel build :tensorflow-lite failed with exit status 2: ")
    assert "Unrecognized option: --fat_apk_cpu=arm64-v8a,x86_64" in done.stderr
    assert "has no Android support (Debian's bazel-bootstrap is built without it)" in done.stderr
    assert "note: cannot tell which Bazel" in done.stderr and "wants Bazel 6.5.0" in done.stderr
    assert not out.exists()


def _build_libraries_without_fat_apk_cpu(
    bazel: RealBazel, ws: Path, home: Path, real_models: dict[str, Path]
) -> list[Path]:
    """Everything of the tool's command lines that a Bazel without Android can take.

    The generated package, and each exact command line with only --fat_apk_cpu
    dropped and the android_library as target (aar_with_jni needs the flag):
    the other flags, .bazelrc configs and .tf_configure.bazelrc are accepted and
    the macros load and build with this Bazel's Starlark.
    """
    prepared = prepare(BuildSettings(models=(str(real_models["plain"]), str(real_models["flex"])),
                                     tensorflow_src=str(ws), bazel=bazel.path, abis=ABIS, dry_run=True,
                                     bazel_args=("--jobs=2",)))
    prepared.package.write(ws / prepared.package.path)
    libraries = {RUNTIME_TARGET: RUNTIME_LIBRARY, FLEX_TARGET: FLEX_LIBRARY}
    built = []
    for argv in prepared.commands:
        package, target = argv[-1].rsplit(":", 1)
        command = [a for a in argv[:-1] if not a.startswith("--fat_apk_cpu=")] + [f"{package}:{libraries[target]}"]
        done = subprocess.run(command, cwd=ws, env=_env(home), capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        built.append(ws / "bazel-bin" / package.lstrip("/") / f"{libraries[target]}.aar")
        assert zipfile.ZipFile(built[-1]).namelist() == ["AndroidManifest.xml", "R.txt", "classes.jar"]
    return built


# --- Bazel 2.1.0: the whole build ----------------------------------------------------------------------


def _so_header(data: bytes) -> tuple[int, int]:
    assert data[:4] == b"\x7fELF"
    return data[4], struct.unpack_from("<H", data, 18)[0]


def test_real_bazel_builds_both_aars(
    bazel2: RealBazel, workspace2: Path, bazel_home: Path, real_models: dict[str, Path], tmp_path: Path
) -> None:
    note = f"note-{uuid.uuid4().hex}"
    out = tmp_path / "out"
    done = run_tool(tool_argv(workspace2, bazel2.path, out, [real_models["plain"], real_models["flex"]],
                              f"--bazel-arg=--define=tflite_slim_test_note={note}"), bazel_home)
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr  # the tree's pin (2.1.0) is what runs
    # The exact command lines ran with the real flags (and --config=monolithic from .bazelrc for Flex).
    assert "--fat_apk_cpu=arm64-v8a,x86_64" in done.stderr and "--define=xnn_enable_arm_fp16=false" in done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        ".tflite-slim-build", "ops.json", "tensorflow-lite-select-tf-ops.aar", "tensorflow-lite.aar"]
    for aar_name, so_name, package in [("tensorflow-lite.aar", "libtensorflowlite_jni.so", "org.tensorflow.lite"),
                                       ("tensorflow-lite-select-tf-ops.aar", "libtensorflowlite_flex_jni.so",
                                        "org.tensorflow.lite.flex")]:
        with zipfile.ZipFile(out / aar_name) as z:
            names = set(z.namelist())
            # One library per --fat_apk_cpu ABI, each of that ABI's machine type: the flag reached the genrules.
            assert {n for n in names if n.startswith("jni/")} == {f"jni/{abi}/{so_name}" for abi in ABIS}
            for abi in ABIS:
                assert _so_header(z.read(f"jni/{abi}/{so_name}")) == ELF_KINDS[abi]
            assert f'package="{package}"' in z.read("AndroidManifest.xml").decode()
            assert {"classes.jar", "LICENSE", "proguard.txt"} <= names
            # --bazel-arg reached Bazel: the --define's value is in what the genrule wrote.
            assert z.read("tflite-slim-test-note.txt").decode() == note
    # Found under bazel-bin, copied out; the generated package is removed after success.
    assert not (workspace2 / "tflite_slim_build").exists()
    assert (workspace2 / "bazel-bin").is_symlink()


def test_real_bazel_failure_is_surfaced(
    bazel2: RealBazel, workspace2: Path, bazel_home: Path, real_models: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    pin = workspace2 / ".bazelversion"
    pin.write_text("6.5.0\n")
    try:
        done = run_tool(tool_argv(workspace2, bazel2.path, out, [real_models["plain"]],
                                  "--bazel-arg=--define=tflite_slim_test_action=fail"), bazel_home)
    finally:
        pin.write_text("2.1.0\n")
    assert done.returncode == 2, done.stderr
    assert f"warning: '{bazel2.path}' is Bazel 2.1.0 but this tree's .bazelversion wants Bazel 6.5.0" in done.stderr
    [error] = error_lines(done.stderr)
    # Bazel exits 1 for a failed action; the tail shows the genrule's own message.
    assert error.startswith("error: bazel build :tensorflow-lite failed with exit status 1: ")
    assert "failing as asked by --define=tflite_slim_test_action=fail" in done.stderr
    assert "note: '" in done.stderr and "wants Bazel 6.5.0" in done.stderr.split(error, 1)[1]
    assert not out.exists()
    kept = list((workspace2 / "tflite_slim_build").glob("p*"))
    assert len(kept) == 1 and (kept[0] / "BUILD").is_file()  # kept for inspection, as documented
    shutil.rmtree(workspace2 / "tflite_slim_build")


def test_real_bazel_aar_without_a_requested_abi_is_refused(
    bazel2: RealBazel, workspace2: Path, bazel_home: Path, real_models: dict[str, Path], tmp_path: Path
) -> None:
    # A later --fat_apk_cpu wins in Bazel: the AAR then lacks an ABI that --target-archs asked for.
    out = tmp_path / "out"
    done = run_tool(tool_argv(workspace2, bazel2.path, out, [real_models["plain"]],
                              "--bazel-arg=--fat_apk_cpu=x86_64"), bazel_home)
    assert done.returncode == 2, done.stderr
    [error] = error_lines(done.stderr)
    assert "tensorflow-lite.aar: the built AAR lacks jni/arm64-v8a/libtensorflowlite_jni.so" in error
    assert leftovers(workspace2, out) == []


@pytest.mark.parametrize(
    "mode, signum",
    [
        ("server", signal.SIGINT),
        ("batch", signal.SIGINT),
        ("server", signal.SIGTERM),  # how Gradle cancels the plugin's task (Process.destroy)
    ],
)
def test_ctrl_c_stops_bazel_and_leaves_nothing(
    mode: str, signum: int, bazel2: RealBazel, workspace2: Path, bazel_home: Path, real_models: dict[str, Path], tmp_path: Path
) -> None:
    home = bazel_home
    if mode == "server":
        # A Bazel server outlives its client: a client killed outright leaves the action running.
        ws = workspace2
    else:
        # Batch mode (TensorFlow's .bazelrc imports .bazelrc.user): no server outlives the client,
        # so after Ctrl-C no Bazel process of this workspace may remain.
        ws = make_workspace(tmp_path / "tensorflow", bazel2, home)
        (ws / ".bazelrc.user").write_text("startup --batch\n")
    note = f"hang-{uuid.uuid4().hex}"
    out = tmp_path / "out"
    argv = tool_argv(ws, bazel2.path, out, [real_models["plain"]], "--bazel-arg=--define=tflite_slim_test_action=sleep",
                     f"--bazel-arg=--define=tflite_slim_test_note={note}")
    tool = subprocess.Popen(argv, env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        # Wait for the genrule's action (not the tool or the client, whose argv has the note too).
        while not [p for p in processes_mentioning(note) if "android_stand_in.py aar" in p]:
            assert tool.poll() is None, tool.communicate()
            assert time.monotonic() < deadline, "the build never reached the genrule"
            time.sleep(0.2)
        tool.send_signal(signum)  # to the tool only, not its process group
        _, stderr = tool.communicate(timeout=90)
    finally:
        if tool.poll() is None:
            tool.kill()
            tool.wait()
    assert tool.returncode == 130, stderr
    assert error_lines(stderr) == ["error: interrupted"]
    # The action and the client are gone (their argv has the note); in batch mode the JVM too
    # (its argv names its output base, which Bazel names by the md5 of the workspace path).
    output_base = hashlib.md5(str(ws).encode()).hexdigest()
    assert processes_mentioning(note, *([output_base, str(ws)] if mode == "batch" else [])) == []
    assert leftovers(ws, out) == []
    # Bazel removed the interrupted action's partial output.
    package = re.search(r"//(tflite_slim_build/p[0-9a-f]+):tensorflow-lite", stderr).group(1)
    assert not (ws / "bazel-bin" / package / "tensorflow-lite.aar").exists()
