"""The CMake backend with real CMake, Ninja, g++ and a JDK, against our TFLite-shaped stand-in tree.

The stand-in (tests/standin/cmaketree, see its README) has LiteRT's target and
file names, its resolver shape and its link-order trap; its kernels carry
marker strings, so the linked library shows which kernels it holds.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from modelmaker import Op, builtin, custom, flex_options, make_model
from realtools import link_so, require  # noqa: F401  (fixture)
from repo_server import RepoServer
from standin.deps import HEADERS, make_tensorflow_dir, serve_dependencies
from standin.tffiles import POST_SPLIT_BUILD_DEF
from standin.workspace import LITERT_BAZELRC, LITERT_WORKSPACE_ANDROID
from tflite_slim.errors import BuildError
from tflite_slim.runtime import builder
from tflite_slim.runtime.artifacts import aar, elf
from tflite_slim.runtime.backends import cmake as cmake_backend
from tflite_slim.runtime.backends.cmake_project import CmakeSettings
from tflite_slim.runtime.settings import BuildSettings

STANDIN = Path(__file__).resolve().parents[2] / "standin" / "cmaketree"
ADD, MUL, RELU, TRANSPOSE = 0, 18, 19, 39
MARKER = b"tflite-slim-standin-kernel:"
#: A configure command in a dry run's output (CMake as found: a path).
CONFIGURE = re.compile(r"^\S*cmake -G Ninja ")
#: No SDK or NDK named by the environment (the finder's other source, local.properties, is in the cwd).
NO_ANDROID = {"ANDROID_NDK_HOME": "", "ANDROID_NDK_ROOT": "", "ANDROID_HOME": "", "ANDROID_SDK_ROOT": ""}


@pytest.fixture(scope="module")
def tools() -> None:
    tools = (("cmake", "cmake"), ("ninja", "ninja-build"), ("g++", "g++"), ("javac", "default-jdk-headless"))
    for name, package in tools:
        require(name, package)


@pytest.fixture(scope="module")
def deps_server(tmp_path_factory):
    """The stand-in's CMake dependencies served at <name>/<revision>.tar.gz (what --dep-mirror names)."""
    with RepoServer(tmp_path_factory.mktemp("served"), credentials=None) as server:
        yield server


@pytest.fixture(scope="module")
def tree(tmp_path_factory, deps_server) -> Path:
    """A copy of the stand-in (builds never write into the repository), a TENSORFLOW_SOURCE_DIR with what the
    build reads, and the stand-in's dependencies served at their pins."""
    root = tmp_path_factory.mktemp("tree")
    shutil.copytree(STANDIN, root / "litert")
    # The marker tflite-slim finds a LiteRT tree by, with the macro signature it reads (experimental = False).
    (root / "litert" / "tflite" / "build_def.bzl").write_text(POST_SPLIT_BUILD_DEF)
    make_tensorflow_dir(root / "tensorflow")
    serve_dependencies(deps_server, root / "litert" / "tflite")
    (root / "mirror.url").write_text(deps_server.url)
    return root


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, str]:
    d = tmp_path_factory.mktemp("models")
    out = {}
    for name, codes in {"add": [builtin(ADD)], "mul": [builtin(MUL)], "relu": [builtin(RELU)],
                        "add_mul": [builtin(ADD), builtin(MUL)], "transpose": [builtin(TRANSPOSE, 2)]}.items():
        (d / f"{name}.tflite").write_bytes(make_model(codes, [[Op(i) for i in range(len(codes))]]))
        out[name] = str(d / f"{name}.tflite")
    return out


def tool(*args: str, env: "dict | None" = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tflite_slim", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def build(tree: Path, cache: Path, out: Path, *models: str, extra=()) -> subprocess.CompletedProcess:
    return tool("build", *models, "--backend", "cmake", "--target-archs", "host", "--source", str(tree / "litert"),
                "--tensorflow-source-dir", str(tree / "tensorflow"), "--cache-dir", str(cache), "--out", str(out),
                *extra, env={"TFLITE_SLIM_DEP_MIRROR": mirror(tree)})


def mirror(tree: Path) -> str:
    """The deps server's URL (kept beside the tree by the fixture)."""
    return (tree / "mirror.url").read_text()


def library(out: Path) -> bytes:
    with zipfile.ZipFile(out / "tensorflow-lite.aar") as z:
        return z.read("jni/linux-x86_64/libtensorflowlite_jni.so")


def kernels(so: bytes) -> set[str]:
    return {m.decode() for m in re.findall(re.escape(MARKER) + rb"([A-Z_]+)", so)}


def seconds(stderr: str) -> float:
    m = re.search(r"cmake linux-x86_64: \d+ build steps \([^)]*\) in ([\d.]+) s", stderr)
    assert m, stderr
    return float(m.group(1))


@pytest.fixture(scope="module")
def first(tools, tree, models, tmp_path_factory):
    """One full build (ADD only): the cache every other test in this module starts from."""
    cache, out = tmp_path_factory.mktemp("cache"), tmp_path_factory.mktemp("o") / "out"
    done = build(tree, cache, out, models["add"])
    assert done.returncode == 0, done.stderr
    return cache, out, done


def test_host_build_links_only_the_selected_kernels_and_exports_only_jni(first):
    _, out, done = first
    so = library(out)
    assert kernels(so) == {"ADD"}
    info = elf.read_elf(so)
    assert info.header.machine == elf.EM_X86_64 and info.min_load_align == 16384
    dynsyms = _defined_dynamic_symbols(out)
    assert dynsyms and all(s.startswith("Java_") for s in dynsyms)
    assert "compiled" in done.stderr and "[" in done.stderr  # progress lines from Ninja
    with zipfile.ZipFile(out / "tensorflow-lite.aar") as z:
        assert sorted(z.namelist()) == ["AndroidManifest.xml", "R.txt", "classes.jar",
                                        "jni/linux-x86_64/libtensorflowlite_jni.so", "proguard.txt"]


def _defined_dynamic_symbols(out: Path) -> list[str]:
    so = out.parent / "lib.so"
    so.write_bytes(library(out))
    nm = subprocess.run(["nm", "-D", "--defined-only", str(so)], capture_output=True, text=True, check=True).stdout
    return [line.split()[-1] for line in nm.splitlines() if line.strip()]


def test_a_second_op_set_is_a_relink_and_a_third_run_a_cache_hit(first, tree, models, tmp_path):
    cache, _, done = first
    out = tmp_path / "out"
    again = build(tree, cache, out, models["add_mul"])
    assert again.returncode == 0, again.stderr
    # The registration recompiled and the library relinked: nothing of TFLite or the glue.
    assert re.search(r"cmake linux-x86_64: 2 build steps \(relink: library and glue reused\)", again.stderr)
    assert seconds(again.stderr) < seconds(done.stderr)
    assert kernels(library(out)) == {"ADD", "MUL"}
    third = build(tree, cache, tmp_path / "out3", models["add_mul"])
    assert third.returncode == 0 and "reusing" in third.stderr and "build steps" not in third.stderr
    assert "CMake not run" in third.stderr and "Bazel" not in third.stderr  # the backend that would have run


def test_link_order_trap_negative_control(first, tmp_path):
    """The same objects with the resolver in an archive after libtensorflow-lite.a: the linker takes the
    library's all-ops CreateOpResolver() silently. Ours (objects first) does not."""
    cache, out, _ = first
    (build_dir,) = [d for d in (cache / "cmake").iterdir() if d.is_dir()]
    ops = sorted((build_dir / "CMakeFiles" / "tflite_slim_ops.dir").rglob("*.o"))
    glue = sorted((build_dir / "CMakeFiles" / "tflite_slim_glue.dir").rglob("*.o"))
    assert len(ops) == 2 and len(glue) == 3  # two jni_utils.cc objects, kept apart
    subprocess.run(["ar", "rcs", str(tmp_path / "libops.a"), *map(str, ops)], check=True)
    wrong = tmp_path / "wrong.so"
    subprocess.run(["g++", "-shared", "-o", str(wrong), *map(str, glue), str(build_dir / "libtensorflow-lite.a"),
                    str(tmp_path / "libops.a"), "-Wl,--gc-sections"], check=True)
    assert kernels(wrong.read_bytes()) == {"ADD", "MUL", "RELU"}
    assert kernels(library(out)) == {"ADD"}


def test_the_host_jvm_runs_models_through_the_trimmed_library(first, models):
    _, out, _ = first
    done = tool("verify", "--run", "--runtime", str(out), models["add"], models["relu"])
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == f"ok: {models['add']}"
    assert (f"missing op: {models['relu']}: java.lang.IllegalArgumentException: Internal error: Cannot create "
            "interpreter: Didn't find op for builtin opcode 'RELU' version '1'.") in done.stderr
    ok = tool("verify", "--run", "--runtime", str(out), models["add"])
    assert ok.returncode == 0 and ok.stdout.startswith(f"ok: {models['add']}\n")


def test_cancel_stops_the_compilers_and_leaves_no_object(tools, tree, models, tmp_path):
    """stop() from another thread: Ninja interrupts the compiler (a wrapper that hangs on relu.cc)."""
    mark = tmp_path / "pid"
    slow = tmp_path / "slow-cxx"
    slow.write_text(f'#!/bin/sh\ncase "$*" in *relu.cc*) echo $$ > {mark}; exec sleep 300;; esac\nexec g++ "$@"\n')
    slow.chmod(0o755)
    settings = BuildSettings(models=(models["add"],), out=str(tmp_path / "out"), tensorflow_src=str(tree / "litert"),
                             abis=("linux-x86_64",), backend="cmake", cache_dir=str(tmp_path / "cache"),
                             cmake=CmakeSettings(cxx=str(slow), tensorflow_dir=str(tree / "tensorflow"),
                                                 dep_mirror=mirror(tree)))
    p = builder.prepare(settings, log=lambda _: None)
    job = dataclasses.replace(p.job, work=tmp_path / "work")
    p.backend.prepare(job)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            p.backend.build(job)
        except BaseException as e:  # noqa: BLE001  (the assertion below reads it)
            failure.append(e)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 120
    while not mark.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert mark.exists(), "the compile of relu.cc never started"
    pid = int(mark.read_text())
    p.backend.stop()
    thread.join(60)
    assert not thread.is_alive()
    assert len(failure) == 1 and isinstance(failure[0], BuildError) and "cancelled" in str(failure[0])
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)
    assert not list((tmp_path / "cache").rglob("relu.cc.o"))


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


def test_flex_models_need_bazel_in_one_line(tools, tree, tmp_path):
    flex = tmp_path / "flex.tflite"
    flex.write_bytes(make_model([custom("FlexAddV2")], [[Op(0, custom_options=flex_options("AddV2"))]]))
    done = build(tree, tmp_path / "cache", tmp_path / "out", str(flex))
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [f"error: {cmake_backend.FLEX_NEEDS_BAZEL}"]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--cmake", "/nonexistent/cmake"], "error: --cmake /nonexistent/cmake: not found; install CMake 3.19+ and "
                                            "Ninja (Android Studio's SDK Manager: SDK Tools > CMake;"),
        (["--ninja", "/nonexistent/ninja"], "error: --ninja /nonexistent/ninja: not found; install CMake 3.19+"),
        (["--cxx", "/nonexistent/g++"], "error: --backend cmake: the C++ compiler '/nonexistent/g++' was not found"),
        (["--cmake-dep-source", "eigen"], "error: --cmake-dep-source eigen: give NAME=DIR"),
        (["--cmake-dep-source", "eigen=/nonexistent"], "error: --cmake-dep-source eigen=/nonexistent: not a directory"),
    ],
)
def test_missing_tools_are_one_line(tools, tree, models, tmp_path, extra, message):
    done = build(tree, tmp_path / "cache", tmp_path / "out", models["add"], extra=extra)
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith(message), done.stderr
    assert not (tmp_path / "out").exists()


def test_android_without_ndk_is_one_line(tools, tree, models, tmp_path):
    done = tool("build", models["add"], "--backend", "cmake", "--target-archs", "arm64-v8a", "--source",
                str(tree / "litert"), "--cache-dir", str(tmp_path), "--out", str(tmp_path / "out"),
                "--android-api-level", "23", env=NO_ANDROID)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "error: the Android NDK was not found: no --ndk or $ANDROID_NDK_HOME, and no Android SDK (--sdk DIR, "
        "$ANDROID_HOME, or sdk.dir in local.properties) to look in; install one with Android Studio's SDK Manager "
        "(SDK Tools > NDK (Side by side))"]


def test_host_abi_needs_the_cmake_backend(tree, models, tmp_path):
    done = tool("build", models["add"], "--target-archs", "host", "--source", str(tree / "litert"),
                "--out", str(tmp_path / "out"), "--backend", "local")
    assert done.stderr.strip().splitlines() == ["error: --target-archs linux-x86_64: desktop builds need "
                                                "--backend cmake"]


def test_android_dry_run_shows_the_ndk_toolchain_wiring(tools, tree, models, tmp_path):
    ndk = tmp_path / "ndk"
    (ndk / "build" / "cmake").mkdir(parents=True)
    (ndk / cmake_backend.NDK_TOOLCHAIN_FILE).write_text("# stand-in NDK toolchain file\n")
    (ndk / "source.properties").write_text("Pkg.Desc = Android NDK\nPkg.Revision = 27.0.12077973\n")
    done = tool("build", models["add"], "--backend", "cmake", "--target-archs", "arm64-v8a,armeabi-v7a",
                "--source", str(tree / "litert"), "--android-api-level", "23", "--dry-run",
                "--cmake-dep-source", f"eigen={tmp_path}", env={"ANDROID_NDK_HOME": str(ndk)})
    assert done.returncode == 0, done.stderr
    configure = [line for line in done.stdout.splitlines() if CONFIGURE.match(line)]
    assert len(configure) == 2
    for line, abi in zip(configure, ("arm64-v8a", "armeabi-v7a")):
        assert f"-DCMAKE_TOOLCHAIN_FILE={ndk}/build/cmake/android.toolchain.cmake" in line
        assert f"-DANDROID_ABI={abi} -DANDROID_PLATFORM=android-23" in line
        assert f"-DFETCHCONTENT_SOURCE_DIR_EIGEN={tmp_path}" in line
    plan = json.loads(done.stdout.split("# Build plan\n", 1)[1].split("\n# BUILD file", 1)[0])
    assert plan["declared"]["android_api_level"] == 23 and plan["backend"] == {"backend": "cmake"}
    # The one declared level: in the version, and the level the AAR check reads from every library.
    assert plan["observed"]["min_api_level"] == 23


def test_android_aar_has_bazels_layout_and_passes_the_checks(link_so, tree, tmp_path):  # noqa: F811
    """The AAR around NDK-shaped libraries (real clang/lld Android .so files): the same checks as Bazel's."""
    libs = {}
    for abi in ("arm64-v8a", "armeabi-v7a"):
        libs[abi] = tmp_path / f"{abi}.so"
        libs[abi].write_bytes(link_so(abi, True, 23))  # as the NDK links for ANDROID_PLATFORM=android-23
    jar = tmp_path / "classes.jar"
    jar.write_bytes(b"PK\x05\x06" + bytes(18))
    raw = tmp_path / "raw.aar"
    cmake_backend.package_aar(raw, tree / "litert" / "tflite", jar, libs)
    report = aar.check_aar(str(raw), ("arm64-v8a", "armeabi-v7a"), aar.RUNTIME_SO, min_api=23)
    assert dict(report.so_load_align)["arm64-v8a"] == 16384
    with zipfile.ZipFile(raw) as z:
        assert sorted(z.namelist()) == ["AndroidManifest.xml", "R.txt", "classes.jar",
                                        "jni/arm64-v8a/libtensorflowlite_jni.so",
                                        "jni/armeabi-v7a/libtensorflowlite_jni.so"]
    again = tmp_path / "again.aar"
    cmake_backend.package_aar(again, tree / "litert" / "tflite", jar, libs)
    assert again.read_bytes() == raw.read_bytes()


def test_the_trees_bazel_android_settings_do_not_apply_to_a_cmake_build(tools, tree, models, tmp_path):
    """A LiteRT HEAD-shaped tree: its WORKSPACE's NDK repository sets API level 26 and its .bazelrc resolves
    Android toolchains (platform labels for Android ABIs only). CMake builds the declared level with the NDK's
    toolchain file, so neither refuses the declaration nor asks a platform label for the desktop ABI."""
    root = tmp_path / "tree"
    shutil.copytree(tree, root)
    (root / "litert" / ".bazelrc").write_text(LITERT_BAZELRC)
    with open(root / "litert" / "WORKSPACE", "a") as f:
        f.write(LITERT_WORKSPACE_ANDROID)
    ndk = tmp_path / "ndk"
    (ndk / "build" / "cmake").mkdir(parents=True)
    (ndk / cmake_backend.NDK_TOOLCHAIN_FILE).write_text("# stand-in NDK toolchain file\n")
    done = tool("build", models["add"], "--backend", "cmake", "--target-archs", "arm64-v8a,host",
                "--source", str(root / "litert"), "--android-api-level", "23", "--dry-run",
                env={"ANDROID_NDK_HOME": str(ndk)})
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout.split("# Build plan\n", 1)[1].split("\n# BUILD file", 1)[0])
    assert plan["observed"]["min_api_level"] == 23 and plan["observed"]["android_platforms"] is None
    assert "-DANDROID_PLATFORM=android-23" in done.stdout


def test_an_existing_tflite_build_directory_is_configured_again_and_its_objects_kept(tools, tree, models, tmp_path):
    """A build directory configured without our targets (TFLite's own documented build, or an interrupted
    configure) is configured again with them; TFLite's compiled objects stay (only our targets compile)."""
    cache = tmp_path / "cache"
    # The dependencies from local directories (--cmake-dep-source): CMake's own configure below reads them too.
    local = []
    for name, (header, text) in HEADERS.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / header).write_text(text)
        local += ["--cmake-dep-source", f"{name}={tmp_path / name}"]
    common = ["--backend", "cmake", "--target-archs", "host", "--source", str(tree / "litert"),
              "--tensorflow-source-dir", str(tree / "tensorflow"), "--cache-dir", str(cache), *local]
    dry = tool("build", models["add"], *common, "--dry-run")
    (configure,) = [line.split() for line in dry.stdout.splitlines() if CONFIGURE.match(line)]
    plain = [a.strip("'") for a in configure if not a.startswith("-DCMAKE_PROJECT_tensorflow-lite_INCLUDE")]
    plain = [a for a in plain if not a.startswith("-fdata") and "-ffunction" not in a] + [
        "-DCMAKE_C_FLAGS=-ffunction-sections -fdata-sections", "-DCMAKE_CXX_FLAGS=-ffunction-sections -fdata-sections"]
    build_dir = Path(configure[configure.index("-B") + 1])
    subprocess.run(plain, check=True, capture_output=True)
    subprocess.run(["ninja", "-C", str(build_dir), "tensorflow-lite"], check=True, capture_output=True)
    done = tool("build", models["add"], *common, "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "configuring" in done.stderr
    # 3 glue objects, the registration, the resolver, the link: nothing of TFLite's 10 steps again.
    assert re.search(r"cmake linux-x86_64: 6 build steps", done.stderr), done.stderr
    assert kernels(library(tmp_path / "out")) == {"ADD"}


def test_android_without_a_declared_api_level_is_one_line(tools, tree, models, tmp_path):
    done = tool("build", models["add"], "--backend", "cmake", "--target-archs", "arm64-v8a", "--source",
                str(tree / "litert"), "--cache-dir", str(tmp_path), "--out", str(tmp_path / "out"),
                env={"ANDROID_NDK_API_LEVEL": "", "ANDROID_NDK_HOME": str(tmp_path)})
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "error: --target-archs arm64-v8a with --backend cmake: declare the Android API level (--min-sdk N, the "
        f"app's minSdk, or --android-api-level N); and $ANDROID_NDK_HOME {tmp_path}: not an NDK (no "
        "build/cmake/android.toolchain.cmake); install one with Android Studio's SDK Manager (SDK Tools > NDK (Side "
        "by side))"]


APP = """import java.io.File;
import org.tensorflow.lite.Interpreter;

public final class App {
  public static void main(String[] args) {
    try (Interpreter interpreter = new Interpreter(new File(args[0]))) {
      System.out.println("inputs " + interpreter.getInputTensorCount());
    }
  }
}
"""


def test_install_publishes_the_host_build_as_a_classifier_jar_a_desktop_jvm_and_gradle_use(
        first, models, tmp_path, gradle, pom_xsd):
    _, out, _ = first
    repo = tmp_path / "repo"
    done = tool("install", str(out), "--repo", str(repo))
    assert done.returncode == 0, done.stderr
    record = json.loads((out / "ops.json").read_text())
    version = f"{record['tensorflow']['version']}-litert-slim-{record['plan_fingerprint'][:12]}"
    vdir = repo / "io/tfliteslim/litert" / version
    jar = vdir / f"litert-{version}-linux-x86_64.jar"
    assert sorted(p.name for p in vdir.iterdir() if p.suffix in (".jar", ".json", ".pom", ".aar")) \
        == sorted([jar.name, f"litert-{version}-ops.json", f"litert-{version}.pom"])
    assert (vdir / f"{jar.name}.sha256").is_file()
    with zipfile.ZipFile(jar) as z:
        assert z.read("jni/linux-x86_64/libtensorflowlite_jni.so") == library(out)
        assert "org/tensorflow/lite/Interpreter.class" in z.namelist()
    assert etree.XMLSchema(etree.parse(str(pom_xsd))).validate(etree.parse(str(vdir / f"litert-{version}.pom")))

    # verify --run --runtime takes the published jar itself.
    ran = tool("verify", "--run", "--runtime", str(jar), models["add"], models["relu"])
    assert ran.returncode == 1 and ran.stdout.splitlines()[0] == f"ok: {models['add']}", ran.stderr
    assert "Didn't find op for builtin opcode 'RELU' version '1'" in ran.stderr

    # A plain desktop JVM: the jar on the classpath, its library unzipped onto java.library.path.
    lib = tmp_path / "lib"
    lib.mkdir()
    with zipfile.ZipFile(jar) as z:  # what README's "unzip -j JAR 'jni/linux-x86_64/*'" does
        (lib / "libtensorflowlite_jni.so").write_bytes(z.read("jni/linux-x86_64/libtensorflowlite_jni.so"))
    (tmp_path / "App.java").write_text(APP)
    subprocess.run(["javac", "-cp", str(jar), "-d", str(tmp_path / "app"), str(tmp_path / "App.java")], check=True)
    app = subprocess.run(["java", f"-Djava.library.path={lib}", "-cp", f"{jar}:{tmp_path / 'app'}", "App",
                          models["add"]], capture_output=True, text=True)
    assert app.returncode == 0 and app.stdout == "inputs 1\n", app.stderr

    # Gradle 4.4 resolves G:A:V:linux-x86_64 from what install wrote; without the classifier there is no AAR.
    project = tmp_path / "consumer"
    shutil.copytree(Path(__file__).resolve().parents[3] / "maven" / "consumer", project)
    module = f"io.tfliteslim:litert:{version}"
    resolved = subprocess.run(
        [gradle, "--offline", "--no-daemon", "-q", "-p", str(project), "-g", str(tmp_path / "gradle-home"),
         f"-Dmaven.repo.local={repo}", "resolveSlim", f"-PslimModules={module}:linux-x86_64,{module}"],
        capture_output=True, text=True, timeout=300)
    lines = sorted(line for line in resolved.stdout.splitlines() if line.startswith(("RESOLVED", "FAILED")))
    # Without the classifier the module resolves (POM packaging pom) to no file at all.
    assert lines == [f"RESOLVED {module}:linux-x86_64 -> {module} {jar.name}"], resolved.stdout + resolved.stderr


# Ninja's output as the real LiteRT build printed it: the failed step's error, then other parallel
# steps' warnings, so the output's last lines do not say what failed.
_FAILED_CONV = [
    "[51/518] Building CXX object CMakeFiles/tensorflow-lite.dir/kernels/assign_variable.cc.o",
    "FAILED: CMakeFiles/tensorflow-lite.dir/kernels/conv.cc.o ",
    "/usr/bin/c++ -O3 -c /src/tflite/kernels/conv.cc -o conv.cc.o",
    "In file included from /src/tflite/kernels/internal/optimized/multithreaded_conv.h:32,",
    "/src/eigen_spatial_convolutions.h:43:10: fatal error: xla/tsl/framework/convolution/"
    "eigen_spatial_convolutions-inl.h: No such file or directory",
    "compilation terminated.",
    "[52/518] Building CXX object CMakeFiles/tensorflow-lite.dir/kernels/concatenation.cc.o",
    "/deps/eigen/Eigen/src/Core/functors/UnaryFunctors.h:1367:68: warning: 'check_is_representable' is deprecated",
    "  1367 |   EIGEN_DEPRECATED std::enable_if_t<!IsExactlyRepresentable, void> check_is_representable() const {}",
    "ninja: build stopped: subcommand failed.",
]


@pytest.mark.parametrize("lines, expected", [
    (_FAILED_CONV, [_FAILED_CONV[1], _FAILED_CONV[4]]),
    # No line names an error (a linker's undefined reference, say): the whole block.
    (["FAILED: libtensorflowlite_jni.so", "ld: undefined reference to `Register_ADD'", "ninja: build stopped"],
     ["FAILED: libtensorflowlite_jni.so", "ld: undefined reference to `Register_ADD'"]),
    # Two failed steps (ninja -k): both, in order.
    (["FAILED: a.o", "a.cc:1: error: x", "FAILED: b.o", "b.cc:2: error: y", "ninja: build stopped"],
     ["FAILED: a.o", "a.cc:1: error: x", "FAILED: b.o", "b.cc:2: error: y"]),
    # No failed step (CMake itself failed, or the output was cut): nothing, the caller keeps the tail.
    (["[1/2] Building x", "CMake Error at CMakeLists.txt:3"], []),
])
def test_ninja_failures_are_the_failed_steps_errors_not_the_output_tail(lines: list[str], expected: list[str]) -> None:
    assert cmake_backend.ninja_failures(lines) == expected


def test_ninja_failures_are_bounded() -> None:
    lines = ["FAILED: a.o", *(f"a.cc:{i}: error: e{i}" for i in range(1000))]
    assert len(cmake_backend.ninja_failures(lines)) == cmake_backend.FAILURE_LINES


def test_a_failed_compile_says_the_compilers_error(tools, tree, models, tmp_path):
    """The error names the failed step and the compiler's own error line, whatever other steps printed."""
    root = tmp_path / "tree"
    shutil.copytree(tree, root)
    kernel = root / "litert" / "tflite" / "kernels" / "mul.cc"
    kernel.write_text(kernel.read_text() + "\n#error tflite-slim test: this kernel does not compile\n")
    add = root / "litert" / "tflite" / "kernels" / "add.cc"
    add.write_text(add.read_text() + "".join(f"\n#warning tflite-slim test: noise {i}" for i in range(40)))
    done = tool("build", models["mul"], "--backend", "cmake", "--target-archs", "host",
                "--source", str(root / "litert"), "--tensorflow-source-dir", str(root / "tensorflow"),
                "--cache-dir", str(tmp_path / "cache"), "--out", str(tmp_path / "out"),
                env={"TFLITE_SLIM_DEP_MIRROR": mirror(tree)})
    assert done.returncode != 0
    error = done.stderr[done.stderr.index("error: "):]
    assert re.search(r"FAILED: \S*mul\.cc\.o", error), error
    assert "#error tflite-slim test: this kernel does not compile" in error
    assert "noise" not in error
    assert not (tmp_path / "out").exists()


def test_a_failed_configure_says_why_names_the_fix_and_leaves_no_build_directory(tools, tree, models, tmp_path):
    """A dependency tflite-slim does not fetch (not one TFLite's build needs with XNNPACK off) and CMake cannot
    clone: the error keeps CMake's continuation lines (the reason) and names --cmake-dep-source for it."""
    root = tmp_path / "tree"
    shutil.copytree(tree, root)
    lite = root / "litert" / "tflite"
    (lite / "tools/cmake/modules/extra.cmake").write_text(
        "include(OverridableFetchContent)\n"
        f"OverridableFetchContent_Declare(extra GIT_REPOSITORY file://{tmp_path}/nowhere/extra.git GIT_TAG main)\n"
        "OverridableFetchContent_GetProperties(extra)\n"
        "if(NOT extra_POPULATED)\n  OverridableFetchContent_Populate(extra)\nendif()\n")
    cmakelists = lite / "CMakeLists.txt"
    cmakelists.write_text(cmakelists.read_text().replace("include(fft2d)\n", "include(fft2d)\ninclude(extra)\n"))
    cache = tmp_path / "cache"
    done = tool("build", models["add"], "--backend", "cmake", "--target-archs", "host", "--source", str(root / "litert"),
                "--tensorflow-source-dir", str(root / "tensorflow"), "--cache-dir", str(cache),
                "--out", str(tmp_path / "out"), env={"TFLITE_SLIM_DEP_MIRROR": mirror(tree)})
    assert done.returncode != 0
    error = done.stderr[done.stderr.index("error: "):]
    assert "CMake Error" in error and "Failed to clone repository" in error, error
    assert error.rstrip().endswith("to fetch it yourself, give --cmake-dep-source extra=DIR (or --dep-mirror URL)")
    assert not [d for d in (cache / "cmake").iterdir() if d.is_dir()]
    assert not (tmp_path / "out").exists()


# A failed FetchContent clone as CMake 3.25 prints it (checked against a real failed clone on this machine;
# the host is the one eigen.cmake names): the sub-build's git output, then CMake's errors.
_CLONE_FAILED = [
    "-- Populating eigen",
    "[1/9] Creating directories for 'eigen-populate'",
    "FAILED: eigen-populate-prefix/src/eigen-populate-stamp/eigen-populate-gitclone",
    "Cloning into 'eigen-src'...",
    "fatal: unable to access 'https://gitlab.com/libeigen/eigen.git/': Could not resolve host: gitlab.com",
    "CMake Error at eigen-subbuild/eigen-populate-prefix/tmp/eigen-populate-gitclone.cmake:31 (message):",
    "  Failed to clone repository: 'https://gitlab.com/libeigen/eigen.git'",
    "",
    "ninja: build stopped: subcommand failed.",
    "CMake Error at /usr/share/cmake-3.25/Modules/FetchContent.cmake:1624 (message):",
    "  Build step for eigen failed: 1",
    "Call Stack (most recent call first):",
    "  tools/cmake/modules/eigen.cmake:30 (OverridableFetchContent_Populate)",
    "-- Configuring incomplete, errors occurred!",
]


def test_cmake_failures_keep_the_reason_lines() -> None:
    assert cmake_backend.cmake_failures(_CLONE_FAILED) == [
        _CLONE_FAILED[4], _CLONE_FAILED[5], _CLONE_FAILED[6], _CLONE_FAILED[9], _CLONE_FAILED[10]]
    assert cmake_backend.failed_dependencies(_CLONE_FAILED) == ["eigen"]


def test_a_dry_run_lists_every_source_it_would_fetch_and_fetches_nothing(tools, tree, models, tmp_path, deps_server):
    before = len(deps_server.requests)
    done = tool("build", models["add"], "--backend", "cmake", "--target-archs", "host", "--source", str(tree / "litert"),
                "--cache-dir", str(tmp_path / "cache"), "--dry-run", env={"TFLITE_SLIM_DEP_MIRROR": mirror(tree)})
    assert done.returncode == 0, done.stderr
    sources = [line for line in done.stdout.splitlines() if line.startswith("- source: ")]
    assert [s.split(" at ")[0] for s in sources] == ["- source: eigen", "- source: fft2d"]
    assert sources[0].startswith("- source: eigen at 4c38131a16803130b66266a912029504f2cf23cd "
                                 "(tools/cmake/modules/eigen.cmake): fetched from " + mirror(tree) + "/eigen/")
    assert len(deps_server.requests) == before and not (tmp_path / "cache" / "cmake-deps").exists()


def test_a_failed_download_names_the_url_and_the_setting_that_fixes_it(tools, tree, models, tmp_path):
    done = tool("build", models["add"], "--backend", "cmake", "--target-archs", "host", "--source", str(tree / "litert"),
                "--tensorflow-source-dir", str(tree / "tensorflow"), "--cache-dir", str(tmp_path / "cache"),
                "--out", str(tmp_path / "out"), env={"TFLITE_SLIM_DEP_MIRROR": mirror(tree) + "/empty"})
    assert done.returncode != 0
    last = done.stderr.splitlines()[-1]
    assert last.startswith(f"error: download of {mirror(tree)}/empty/eigen/4c38131a16803130b66266a912029504f2cf23cd"
                           ".tar.gz (eigen 4c38131a1680) failed: HTTP 404; to build offline give --cmake-dep-source "
                           "eigen=DIR (a checkout at that revision), or fetch from a mirror holding "
                           "eigen/4c38131a16803130b66266a912029504f2cf23cd.tar.gz with --dep-mirror URL"), last
    assert not (tmp_path / "out").exists()
