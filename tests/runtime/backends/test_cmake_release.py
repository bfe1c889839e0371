"""Issue 25 end to end: a LiteRT release built with no backend, toolchain or source flags.

What an Android Studio machine has, built here: an SDK directory (``ANDROID_HOME``) whose
``cmake/3.25.1/bin`` holds the machine's real CMake and Ninja (symlinks) while ``PATH`` has only a
CMake too old for the build; and the in-test server standing for GitHub, GitLab and TensorFlow's
mirror: the release archive (our CMake stand-in tree as LiteRT v1.4.1), each dependency at the
commit the tree's ``tools/cmake/modules`` pin, and TensorFlow at the ``third_party/tensorflow``
commit LiteRT 1.4.1 pins. The build is for this machine's desktop ABI (``--target-archs host``:
the stand-in's kernels need a C++ library no Android sysroot here has).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from modelmaker import ADD, Op, builtin, make_model
from realtools import require
from repo_server import RepoServer
from standin.deps import TENSORFLOW_EXTRA, serve_dependencies, tensorflow_tarball
from standin.tffiles import POST_SPLIT_BUILD_DEF
from tflite_slim.runtime.trees import cmakedeps

STANDIN = Path(__file__).resolve().parents[2] / "standin" / "cmaketree"
SHA = "1f0dc1d8c5f3cda39df2e2fe11b6d6a8d0c4ab3e"  # the release archive's commit (pax header)
MUL = 18
TF_COMMIT = cmakedeps.TENSORFLOW_SUBMODULE["1.4.1"]


@pytest.fixture(scope="module")
def tools() -> None:
    for name, package in (("cmake", "cmake"), ("ninja", "ninja-build"), ("g++", "g++"),
                          ("javac", "default-jdk-headless")):
        require(name, package)


def _release(tmp: Path) -> tuple[bytes, Path]:
    """The stand-in tree as LiteRT v1.4.1's GitHub archive (LiteRT-1.4.1/...), and the tree itself."""
    tree = tmp / "LiteRT-1.4.1"
    shutil.copytree(STANDIN, tree)
    (tree / "tflite" / "build_def.bzl").write_text(POST_SPLIT_BUILD_DEF)
    (tree / "litert" / "version.bzl").write_text('LITERT_FULL_VERSION = "1.4.1"\n')
    return tree, tree


def _tar(tree: Path) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT, pax_headers={"comment": SHA}) as tar:
        tar.add(tree, arcname=tree.name)
    return buf.getvalue()


@pytest.fixture(scope="module")
def world(tools, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("studio")
    with RepoServer(tmp / "served", credentials=None) as server:
        tree, _ = _release(tmp)
        serve_dependencies(server, tree / "tflite")  # pins the URL dependency's hash in the tree first
        server.serve("v1.4.1.tar.gz", _tar(tree))
        server.serve(f"tensorflow/{TF_COMMIT}.tar.gz", tensorflow_tarball(TF_COMMIT))
        # Android Studio's SDK: the machine's CMake and Ninja under cmake/<version>/bin.
        sdk_bin = tmp / "Android/Sdk/cmake/3.25.1/bin"
        sdk_bin.mkdir(parents=True)
        for name in ("cmake", "ninja"):
            (sdk_bin / name).symlink_to(shutil.which(name))
        # PATH's CMake is one the build cannot use (3.16 has no cmake_language(DEFER)).
        old = tmp / "old-bin"
        old.mkdir()
        (old / "cmake").write_text("#!/bin/sh\necho 'cmake version 3.16.3'\nexit 1\n")
        (old / "cmake").chmod(0o755)
        models = tmp / "models"
        models.mkdir()
        (models / "add.tflite").write_bytes(make_model([builtin(ADD)], [[Op(0)]]))
        (tmp / "mul.tflite").write_bytes(make_model([builtin(MUL)], [[Op(0)]]))
        env = {"TFLITE_SLIM_LITERT_ARCHIVE_URL": server.url, "TFLITE_SLIM_DEP_MIRROR": server.url,
               "ANDROID_HOME": str(tmp / "Android/Sdk"), "ANDROID_SDK_ROOT": "", "ANDROID_NDK_HOME": "",
               "ANDROID_NDK_ROOT": "", "PATH": f"{old}{os.pathsep}{os.environ['PATH']}"}
        yield tmp, server, env


def tool(tmp: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tflite_slim", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, cwd=tmp)


def test_a_release_builds_with_nothing_but_the_models_and_the_release(world):
    tmp, server, env = world
    done = tool(tmp, env, "build", "models", "--litert-version", "1.4.1", "--target-archs", "host",
                "--out", "out", "--cache-dir", "cache")
    assert done.returncode == 0, done.stderr
    err = done.stderr
    assert "tflite-slim: backend cmake (no --backend given)" in err
    sdk_cmake = tmp / "Android/Sdk/cmake/3.25.1/bin"
    assert f"tflite-slim: cmake 3.25: {sdk_cmake}/cmake ($ANDROID_HOME's cmake/3.25.1)" in err
    assert f"tflite-slim: ninja: {sdk_cmake}/ninja (beside {sdk_cmake}/cmake)" in err
    pins = cmakedeps.read_pins(tmp / "LiteRT-1.4.1/tflite")
    assert server.paths() == ["/maven/v1.4.1.tar.gz", f"/maven/eigen/{pins['eigen'].revision}.tar.gz",
                              f"/maven/fft2d/{pins['fft2d'].revision}.tar.gz", f"/maven/tensorflow/{TF_COMMIT}.tar.gz"]
    # Progress on every download, and TensorFlow's files limited to what the build reads.
    assert "tflite-slim: downloading tensorflow 2adc36c677a5:" in err and " of " in err
    tf = tmp / "cache/cmake-deps/tensorflow" / TF_COMMIT
    assert all((tf / "src" / p).is_dir() for p in cmakedeps.TENSORFLOW_PATHS)
    assert not (tf / "src" / TENSORFLOW_EXTRA).exists()
    record = json.loads((tf / ".tflite-slim-dep.json").read_text())
    assert record["commit"] == TF_COMMIT and record["size"] > 0 and len(record["sha256"]) == 64
    ops = json.loads((tmp / "out/ops.json").read_text())
    assert ops["backend"] == {"backend": "cmake", "opt_level": "Os"} and ops["tensorflow"]["version"] == "1.4.1"

    # Offline with a warm cache: another op set (its one kernel file compiled, then the link), nothing requested,
    # the server down or not.
    before = len(server.requests)
    again = tool(tmp, {**env, "TFLITE_SLIM_LITERT_ARCHIVE_URL": "http://127.0.0.1:9",
                       "TFLITE_SLIM_DEP_MIRROR": "http://127.0.0.1:9"},
                 "build", "mul.tflite", "--litert-version", "1.4.1", "--target-archs", "host",
                 "--out", "out2", "--cache-dir", "cache")
    assert again.returncode == 0, again.stderr
    assert len(server.requests) == before and "downloading" not in again.stderr
    assert "build steps (compiled 1 TFLite file)" in again.stderr, again.stderr


def test_the_pins_are_read_from_the_tree(world, tmp_path):
    """Another eigen commit in the tree's eigen.cmake: that archive is requested (nothing is hard-coded)."""
    _, server, env = world
    tree = tmp_path / "LiteRT"
    shutil.copytree(STANDIN, tree)
    (tree / "tflite" / "build_def.bzl").write_text(POST_SPLIT_BUILD_DEF)
    module = tree / "tflite/tools/cmake/modules/eigen.cmake"
    other = "0123456789abcdef0123456789abcdef01234567"
    module.write_text(module.read_text().replace("4c38131a16803130b66266a912029504f2cf23cd", other))
    serve_dependencies(server, tree / "tflite")
    (tmp_path / "m.tflite").write_bytes(make_model([builtin(ADD)], [[Op(0)]]))
    tf = tmp_path / "tf"
    for p in cmakedeps.TENSORFLOW_PATHS:
        (tf / p).mkdir(parents=True)
    done = tool(tmp_path, env, "build", "m.tflite", "--source", str(tree), "--target-archs", "host",
                "--tensorflow-source-dir", str(tf), "--out", "out", "--cache-dir", "cache")
    assert done.returncode == 0, done.stderr
    assert f"/maven/eigen/{other}.tar.gz" in server.paths()
    assert (tmp_path / "cache/cmake-deps/eigen" / other / "src/standin_eigen.h").is_file()


@pytest.mark.parametrize("args, env, message", [
    # The default ABIs are Android's: no API level declared, and no NDK anywhere.
    ([], {"ANDROID_HOME": ""}, "error: --target-archs arm64-v8a,armeabi-v7a with --backend cmake: declare the "
                               "Android API level (--min-sdk N, the app's minSdk, or --android-api-level N); and the "
                               "Android NDK was not found: no --ndk or $ANDROID_NDK_HOME, and no Android SDK"),
    (["--min-sdk", "23"], {}, "error: no NDK in {tmp}/Android/Sdk/ndk (from $ANDROID_HOME); install one with Android "
                              "Studio's SDK Manager"),
    (["--min-sdk", "23", "--ndk-version", "27.0.12077973"], {},
     "error: --ndk-version 27.0.12077973: not installed in {tmp}/Android/Sdk/ndk (installed: none)"),
    (["--target-archs", "host"], {"TFLITE_SLIM_MIN_FREE_BYTES": str(1 << 60)}, "error: "),
    (["--target-archs", "host", "--cmake", "{tmp}/old-bin/cmake"], {},
     "error: --cmake {tmp}/old-bin/cmake is an unknown version; the build needs CMake 3.19+"),
])
def test_every_refusal_comes_before_the_first_byte(world, args, env, message):
    """Toolchain, NDK, API level, disk space: refused with no request to the server (the release included)."""
    tmp, server, base_env = world
    before = len(server.requests)
    done = tool(tmp, {**base_env, **env}, "build", "models", "--litert-version", "1.4.1", "--out", "refused",
                "--cache-dir", "fresh-cache", *[a.format(tmp=tmp) for a in args])
    assert done.returncode != 0
    assert done.stderr.splitlines()[-1].startswith(message.format(tmp=tmp)), done.stderr
    assert len(server.requests) == before
    assert not (tmp / "fresh-cache/litert").exists() and not (tmp / "refused").exists()
    if "TFLITE_SLIM_MIN_FREE_BYTES" in env:
        assert "GiB free; a release build needs about" in done.stderr and "--cache-dir" in done.stderr


def test_docker_with_its_daemon_down_refuses_before_the_download(world, tmp_path):
    """A Docker client whose daemon does not answer (a stand-in client that fails `info` as the real one does)."""
    _, server, env = world
    docker = tmp_path / "docker"
    docker.write_text("#!/bin/sh\necho 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. "
                      "Is the docker daemon running?' >&2\nexit 1\n")
    docker.chmod(0o755)
    (tmp_path / "m.tflite").write_bytes(make_model([builtin(ADD)], [[Op(0)]]))
    before = len(server.requests)
    done = tool(tmp_path, {**env, "TFLITE_SLIM_TF_ARCHIVE_URL": server.url}, "build", "m.tflite",
                "--tensorflow-version", "2.16.1", "--backend", "docker", "--docker", str(docker), "--out", "o",
                "--cache-dir", "c")
    assert done.returncode != 0 and len(server.requests) == before
    assert done.stderr.splitlines()[-1].startswith(
        f"error: --backend docker: the Docker daemon does not answer `{docker} info` (Cannot connect to the Docker "
        "daemon at unix:///var/run/docker.sock. Is the docker daemon running?); start it")


def test_the_sample_apps_abis_build_with_the_ndk_found_in_the_sdk(world, tmp_path):
    """What the Gradle plugin passes for the sample app (its minSdk and abiFilters) and nothing else: the NDK is
    the SDK's newest ndk/<revision>, driving clang for arm64-v8a and x86_64 (tests/standin/ndk.py)."""
    from standin.ndk import make_clang_ndk, missing
    from tflite_slim.runtime.artifacts import elf, hostjar

    lacking = missing(("arm64-v8a", "x86_64"))
    if lacking:
        if os.environ.get("CI") == "true":
            pytest.fail(f"apt-get install {lacking}")
        pytest.skip(f"needs {lacking} (apt-get install {lacking})")
    tmp, server, env = world
    sdk = tmp_path / "Sdk"
    shutil.copytree(tmp / "Android/Sdk", sdk, symlinks=True)
    make_clang_ndk(sdk / "ndk/27.0.12077973", "27.0.12077973", [26],
                   hostjar.jni_include_dirs(hostjar.find_javac()))
    (sdk / "ndk/26.1.10909125").mkdir(parents=True)  # half installed (no source.properties): passed over
    done = tool(tmp, {**env, "ANDROID_HOME": str(sdk)}, "build", "models", "--litert-version", "1.4.1",
                "--min-sdk", "26", "--target-archs", "arm64-v8a,x86_64", "--out", str(tmp_path / "out"),
                "--cache-dir", str(tmp_path / "cache"))
    assert done.returncode == 0, done.stderr
    assert (f"tflite-slim: NDK 27.0.12077973: {sdk}/ndk/27.0.12077973 (the newest in $ANDROID_HOME's ndk/)"
            in done.stderr)
    import zipfile
    with zipfile.ZipFile(tmp_path / "out/tensorflow-lite.aar") as z:
        libs = {abi: z.read(f"jni/{abi}/libtensorflowlite_jni.so") for abi in ("arm64-v8a", "x86_64")}
    assert elf.read_elf(libs["arm64-v8a"]).header.machine == elf.EM_AARCH64
    assert elf.read_elf(libs["x86_64"]).header.machine == elf.EM_X86_64
    assert all(b"tflite-slim-standin-kernel:ADD" in so and b"tflite-slim-standin-kernel:MUL" not in so
               for so in libs.values())
    record = json.loads((tmp_path / "out/ops.json").read_text())
    assert record["declared"]["android_api_level"] == 26 and record["declared"]["ndk_version"] is None
    # Observed per ABI (recorded and in the cache key, never the version): the NDK found, and the host tools'
    # compiler (the NDK's toolchain file makes the build a cross build: TFLite asks for a host flatc).
    toolchain = record["observed"]["toolchain"]
    assert sorted(toolchain) == ["arm64-v8a", "x86_64"]
    for abi in toolchain:
        assert toolchain[abi]["ndk"] == os.path.realpath(f"{sdk}/ndk/27.0.12077973")
        assert toolchain[abi]["ndk_revision"] == "27.0.12077973"
        assert toolchain[abi]["host_tools_cxx"] == os.path.realpath(shutil.which("c++"))
    assert record["observed"]["min_api_level"] == 26

    # A developer with no SDK, NDK or CMake computes the same version with the same options (the choice of
    # backend, and what was found, are not machine facts in the version).
    bare = {**env, "ANDROID_HOME": "", "PATH": "/nonexistent"}
    planned = subprocess.run([sys.executable, "-m", "tflite_slim", "plan", "models", "--litert-version", "1.4.1",
                              "--min-sdk", "26", "--target-archs", "arm64-v8a,x86_64", "--format", "json",
                              "--cache-dir", str(tmp_path / "dev-cache")],
                             capture_output=True, text=True, env={**os.environ, **bare}, cwd=tmp)
    assert planned.returncode == 0, planned.stderr
    assert json.loads(planned.stdout)["plan_fingerprint"] == record["plan_fingerprint"]
    # A declared NDK revision: compared with the one found, both in the record.
    dry = tool(tmp, {**env, "ANDROID_HOME": str(sdk)}, "build", "models", "--litert-version", "1.4.1",
               "--min-sdk", "26", "--target-archs", "arm64-v8a,x86_64", "--ndk-version", "27", "--dry-run",
               "--format", "json", "--cache-dir", str(tmp_path / "cache"))
    plan = json.loads(dry.stdout)["plan"]
    assert plan["declared"]["ndk_version"] == "27" and plan["observed"]["toolchain"]["arm64-v8a"]["ndk_revision"] == "27.0.12077973"
    wrong = tool(tmp, {**env, "ANDROID_HOME": str(sdk)}, "build", "models", "--litert-version", "1.4.1",
                 "--min-sdk", "26", "--target-archs", "arm64-v8a", "--ndk-version", "26.3.11579264", "--out",
                 str(tmp_path / "o2"), "--cache-dir", str(tmp_path / "cache"))
    assert wrong.returncode != 0 and wrong.stderr.splitlines()[-1].startswith(
        f"error: --ndk-version 26.3.11579264: not installed in {sdk}/ndk (installed: 27.0.12077973)")


def test_no_jdk_is_said_before_the_download(world, tmp_path):
    """javac (classes.jar) is needed for every ABI: without a JDK on PATH or JAVA_HOME, nothing is fetched."""
    tmp, server, env = world
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("cmake", "ninja", "c++", "g++"):  # everything else the build runs, but no javac
        (bin_dir / name).symlink_to(shutil.which(name))
    before = len(server.requests)
    done = tool(tmp, {**env, "PATH": str(bin_dir), "JAVA_HOME": ""}, "build", "models", "--litert-version", "1.4.1",
                "--target-archs", "host", "--out", str(tmp_path / "o"), "--cache-dir", str(tmp_path / "c"))
    assert done.returncode != 0 and len(server.requests) == before
    assert "the host build needs javac and jni.h from a JDK" in done.stderr.splitlines()[-1]
