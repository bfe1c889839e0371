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
import shlex
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import etree

from modelmaker import Op, builtin, custom, flex_options, make_model
from realtools import link_so, require  # noqa: F401  (fixture)
from repo_server import RepoServer
from standin.deps import HEADERS, TREES, XNNPACK_MARKER, files_of, serve_dependencies
from standin.workspace import LITERT_BAZELRC, LITERT_WORKSPACE_ANDROID, copy_cmake_tree
from tflite_slim.errors import BuildError
from tflite_slim.runtime import builder
from tflite_slim.runtime.artifacts import aar, elf
from tflite_slim.runtime.backends.cmake import backend as cmake_backend
from tflite_slim.runtime.backends.cmake import errors as cmake_errors
from tflite_slim.runtime.backends.cmake import toolchain as cmake_toolchain
from tflite_slim.runtime.backends.cmake.project import XNNPACK_ENTRY_POINTS, CmakeSettings
from tflite_slim.runtime.settings import BuildSettings
from tflite_slim.runtime.trees import cmakedeps

ADD, MUL, RELU, TRANSPOSE, SUB = 0, 18, 19, 39, 41
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
    build reads, and the stand-in's dependencies served at their pins (every build here fetches them from
    that mirror: :func:`tool`)."""
    root = copy_cmake_tree(tmp_path_factory.mktemp("tree"))
    serve_dependencies(deps_server, root / "litert" / "tflite")
    (root / "mirror.url").write_text(deps_server.url)
    _DEFAULT_ENV["TFLITE_SLIM_DEP_MIRROR"] = deps_server.url
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


#: What every command here runs with: the deps mirror the ``tree`` fixture serves.
_DEFAULT_ENV: dict[str, str] = {}


def tool(*args: str, env: "dict | None" = None, cwd: "Path | None" = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tflite_slim", *args], capture_output=True, text=True,
                          env={**os.environ, **_DEFAULT_ENV, **(env or {})}, cwd=cwd)


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
    return {m.decode() for m in re.findall(re.escape(MARKER) + rb"([A-Z0-9_]+)", so)}


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
    # The JNI entry points, and the XNNPACK delegate's, which the JNI glue finds with dlsym: nothing else.
    assert sorted(s for s in dynsyms if not s.startswith("Java_")) == sorted(XNNPACK_ENTRY_POINTS), dynsyms
    assert "compiled" in done.stderr and "[" in done.stderr  # progress lines from Ninja
    with zipfile.ZipFile(out / "tensorflow-lite.aar") as z:
        assert sorted(z.namelist()) == ["AndroidManifest.xml", "R.txt", "classes.jar",
                                        "jni/linux-x86_64/libtensorflowlite_jni.so", "proguard.txt"]


def _defined_dynamic_symbols(out: Path) -> list[str]:
    so = out.parent / "lib.so"
    so.write_bytes(library(out))
    nm = subprocess.run(["nm", "-D", "--defined-only", str(so)], capture_output=True, text=True, check=True).stdout
    return [line.split()[-1] for line in nm.splitlines() if line.strip()]


def json_commands(stdout: str) -> list[str]:
    """The CMake and Ninja commands of a ``--dry-run --format json``, each program named by its basename (the
    tool runs the CMake and Ninja it found, by path)."""
    out = []
    for line in json.loads(stdout)["commands"]:
        program, _, rest = line.partition(" ")
        if os.path.basename(program) in ("cmake", "ninja") and rest:
            out.append(f"{os.path.basename(program)} {rest}")
    return out


def build_dir_of(cache: Path) -> Path:
    (build_dir,) = [d for d in (cache / "cmake").iterdir() if d.is_dir()]
    return build_dir


def kernel_objects(build_dir: Path) -> set[str]:
    """The kernel objects Ninja has compiled in ``build_dir`` (``add.cc`` for ``.../kernels/add.cc.o``)."""
    return {p.name[:-2] for p in (build_dir / "CMakeFiles" / "tensorflow-lite.dir").rglob("*.cc.o")
            if p.parent.name == "kernels"}


def compiled_since(build_dir: Path, lines_before: int) -> list[str]:
    """The outputs Ninja built after the first ``lines_before`` lines of its log (``.ninja_log``)."""
    log = (build_dir / ".ninja_log").read_text().splitlines()
    return [line.split("\t")[3] for line in log[lines_before:] if not line.startswith("#")]


def test_only_the_op_sets_kernel_files_are_compiled(first, tree, models, tmp_path):
    """ADD: 1 of the tree's 5 op-kernel files; shared kernel code (kernel_util.cc) always; the
    all-ops resolver never. An unneeded kernel object in the build directory fails this test."""
    cache, _, done = first
    assert "kernels: 1 of 5 op-kernel files compiled (add.cc); 5 files left out" in done.stderr
    assert kernel_objects(build_dir_of(cache)) == {"add.cc", "kernel_util.cc"}
    members = subprocess.run(["ar", "t", str(build_dir_of(cache) / "libtensorflow-lite.a")], capture_output=True,
                             text=True, check=True).stdout.split()
    assert "create_op_resolver_with_builtin_ops.cc.o" not in members and "mul.cc.o" not in members
    cache3 = tmp_path / "cache"
    three = build(tree, cache3, tmp_path / "out", models["add_mul"], models["relu"])
    assert three.returncode == 0, three.stderr
    assert "kernels: 3 of 5 op-kernel files compiled (add.cc, mul.cc, relu.cc)" in three.stderr
    assert kernel_objects(build_dir_of(cache3)) == {"add.cc", "mul.cc", "relu.cc", "kernel_util.cc"}
    # relu.cc also defines RELU6: its marker is a string literal in the object's one mergeable string
    # section, which the linker keeps whole, so it shows although Register_RELU6() is gone.
    assert kernels(library(tmp_path / "out")) == {"ADD", "MUL", "RELU", "RELU6"}


def test_a_second_op_set_compiles_only_its_new_kernel_and_a_third_run_is_a_cache_hit(first, tree, models, tmp_path):
    cache, _, done = first
    build_dir = build_dir_of(cache)
    logged = len((build_dir / ".ninja_log").read_text().splitlines())
    out = tmp_path / "out"
    again = build(tree, cache, out, models["add_mul"])
    assert again.returncode == 0, again.stderr
    # The one kernel file the op set adds, the registration and the link: nothing else of TFLite, nor the glue.
    objects = [o for o in compiled_since(build_dir, logged) if o.endswith(".o")]
    assert sorted(Path(o).name for o in objects) == ["mul.cc.o", "tflite_slim_registration.cc.o"], objects
    assert "build steps (compiled 1 TFLite file)" in again.stderr, again.stderr  # not called a relink
    assert seconds(again.stderr) < seconds(done.stderr)
    assert kernels(library(out)) == {"ADD", "MUL"}
    third = build(tree, cache, tmp_path / "out3", models["add_mul"])
    assert third.returncode == 0 and "reusing" in third.stderr and "build steps" not in third.stderr
    assert "CMake not run" in third.stderr and "Bazel" not in third.stderr  # the backend that would have run


def test_link_order_trap_negative_control(tools, tree, models, tmp_path):
    """The trap the objects-first link avoids, shown on a tree whose kernels are all compiled (no
    kernel file defines a function the op set needs, so nothing is left out): with the resolver in an
    archive after libtensorflow-lite.a the linker takes the library's all-ops CreateOpResolver()
    silently. Ours (objects first) does not."""
    tree2 = tmp_path / "tree"
    shutil.copytree(tree, tree2)
    # SUB's kernel moves out of kernels/: the selection cannot find Register_SUB and compiles everything.
    shutil.move(str(tree2 / "litert/tflite/kernels/sub.cc"), str(tree2 / "litert/tflite/core/sub_kernel.cc"))
    text = (tree2 / "litert/tflite/CMakeLists.txt").read_text()
    (tree2 / "litert/tflite/CMakeLists.txt").write_text(text.replace("  mutable_op_resolver.cc\n",
                                                                     "  mutable_op_resolver.cc\n  core/sub_kernel.cc\n"))
    sub = tmp_path / "sub.tflite"
    sub.write_bytes(make_model([builtin(ADD), builtin(SUB)], [[Op(0), Op(1)]]))
    cache, out = tmp_path / "cache", tmp_path / "out"
    done = build(tree2, cache, out, str(sub))
    assert done.returncode == 0, done.stderr
    assert "kernels: no kernel file of the tree defines Register_SUB(): every kernel is compiled" in done.stderr
    build_dir = build_dir_of(cache)
    ops = sorted((build_dir / "CMakeFiles" / "tflite_slim_ops.dir").rglob("*.o"))
    glue = sorted((build_dir / "CMakeFiles" / "tflite_slim_glue.dir").rglob("*.o"))
    assert len(ops) == 2 and len(glue) == 3  # two jni_utils.cc objects, kept apart
    subprocess.run(["ar", "rcs", str(tmp_path / "libops.a"), *map(str, ops)], check=True)
    wrong = tmp_path / "wrong.so"
    subprocess.run(["g++", "-shared", "-o", str(wrong), *map(str, glue), str(build_dir / "libtensorflow-lite.a"),
                    str(tmp_path / "libops.a"), "-Wl,--gc-sections"], check=True)
    assert kernels(wrong.read_bytes()) == {"ADD", "EMBEDDING_LOOKUP", "MUL", "RELU", "RELU6", "SUB"}
    assert kernels(library(out)) == {"ADD", "SUB"}


def test_the_host_jvm_runs_models_through_the_trimmed_library(first, models):
    _, out, _ = first
    done = tool("verify", "--run", "--runtime", str(out), models["add"], models["relu"], "--repeat", "0")
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == f"ok: {models['add']}"
    assert (f"missing op: {models['relu']}: java.lang.IllegalArgumentException: Internal error: Cannot create "
            "interpreter: Didn't find op for builtin opcode 'RELU' version '1'.") in done.stderr
    ok = tool("verify", "--run", "--runtime", str(out), models["add"], "--repeat", "0")
    assert ok.returncode == 0 and ok.stdout.startswith(f"ok: {models['add']}\n")


#: What LiteRT's XNNPACK delegate logs when it is created (delegates/xnnpack/xnnpack_delegate.cc), as the
#: stand-in's does.
XNNPACK_LINE = "INFO: Created TensorFlow Lite XNNPACK delegate for CPU."
#: What a default build fetches for XNNPACK and --no-xnnpack does not.
XNNPACK_DEPS = ("xnnpack", "pthreadpool", "fp16", "fxdiv", "kleidiai")


def _run_logging_stderr(out: Path, model: str, tmp_path: Path) -> tuple[list[str], str]:
    """Run ``model`` through ``out``'s library in a JVM (as ``verify --run --runtime``) whose stderr, where the
    native code logs, is kept: (the statuses, that stderr)."""
    from tflite_slim.runtime.artifacts import hostrun

    log = tmp_path / "jvm.stderr"
    log.write_text("")
    wrapper = tmp_path / "java"
    wrapper.write_text(f"#!/bin/sh\nexec {hostrun._java()} \"$@\" 2>>'{log}'\n")
    wrapper.chmod(0o755)
    results = hostrun.run_models(str(out), [model], java=str(wrapper))
    return [r.status for r in results], log.read_text()


def test_xnnpack_is_in_by_default_and_the_java_api_applies_it(first, models, tmp_path):
    """As stock LiteRT: the delegate and XNNPACK linked in (the stand-in XNNPACK's marker), its entry points
    exported, and the JNI glue finding them with dlsym(RTLD_DEFAULT, ...) applies it in a JVM by default."""
    _, out, done = first
    assert XNNPACK_MARKER.encode() in library(out)
    assert set(XNNPACK_ENTRY_POINTS) <= set(_defined_dynamic_symbols(out))
    statuses, stderr = _run_logging_stderr(out, models["add"], tmp_path)
    assert statuses == ["ok"] and XNNPACK_LINE in stderr, stderr
    ops = json.loads((out / "ops.json").read_text())
    assert ops["backend"] == {"backend": "cmake", "opt_level": "O2", "xnnpack": "on"}


def test_no_xnnpack_leaves_the_delegate_and_its_dependencies_out(first, tree, models, tmp_path, deps_server):
    before = len(deps_server.requests)
    out = tmp_path / "out"
    done = build(tree, tmp_path / "cache", out, models["add"], extra=("--no-xnnpack",))
    assert done.returncode == 0, done.stderr
    fetched = {p.split("/")[-2] for p in deps_server.paths()[before:]}
    assert fetched == {"eigen", "fft2d", "fp16_headers"}, fetched  # nothing of XNNPACK's (FP16's headers: every build)
    so = library(out)
    assert XNNPACK_MARKER.encode() not in so and kernels(so) == {"ADD"}
    assert all(s.startswith("Java_") for s in _defined_dynamic_symbols(out))
    statuses, stderr = _run_logging_stderr(out, models["add"], tmp_path)
    assert statuses == ["ok"] and XNNPACK_LINE not in stderr, stderr
    # Declared, so another runtime: another plan (and version) than the default build's.
    ops, default = (json.loads((o / "ops.json").read_text()) for o in (out, first[1]))
    assert ops["backend"] == {"backend": "cmake", "opt_level": "O2", "xnnpack": "off"}
    assert ops["plan_fingerprint"] != default["plan_fingerprint"]
    dry = tool("build", models["add"], "--backend", "cmake", "--target-archs", "host", "--source",
               str(tree / "litert"), "--no-xnnpack", "--dry-run", "--format", "json")
    (note,) = [n for n in json.loads(dry.stdout)["notes"] if n.startswith("cmake: ")]
    assert "XNNPACK left out (--no-xnnpack)" in note
    assert any("-DTFLITE_ENABLE_XNNPACK=OFF" in c for c in json.loads(dry.stdout)["commands"])


def test_a_cmake_that_does_not_know_xnnpacks_policies_is_refused_before_configuring(tools, tree, models, tmp_path):
    """XNNPACK 0a655ef5 sets CMP0156, which Debian 12's CMake 3.25 does not know: said in one line with the fix,
    before anything is configured (here an XNNPACK setting a policy no CMake knows)."""
    xnnpack = tmp_path / "xnnpack"
    for path, text in files_of("xnnpack").items():
        (xnnpack / path).parent.mkdir(parents=True, exist_ok=True)
        (xnnpack / path).write_text(("CMAKE_POLICY(SET CMP9999 NEW)\n" if path == "CMakeLists.txt" else "") + text)
    done = build(tree, tmp_path / "cache", tmp_path / "out", models["add"],
                 extra=["--cmake-dep-source", f"xnnpack={xnnpack}"])
    assert done.returncode != 0
    assert re.fullmatch(rf"error: XNNPACK \({re.escape(str(xnnpack))}/CMakeLists.txt\) sets CMake policy CMP9999, "
                        r"which \S*cmake \d+\.\d+ does not know: install a newer CMake \(Android Studio's SDK Manager: "
                        r"SDK Tools > CMake; or pip install cmake\) and pass --cmake, or leave XNNPACK out with "
                        r"--no-xnnpack", done.stderr.strip().splitlines()[-1]), done.stderr
    assert "configuring" not in done.stderr and not (tmp_path / "out").exists()


def test_no_xnnpack_is_refused_for_bazel_in_one_line(tree, models, tmp_path):
    done = tool("build", models["add"], "--backend", "local", "--source", str(tree / "litert"), "--no-xnnpack",
                "--out", str(tmp_path / "out"))
    assert done.returncode == 2 or done.returncode == 1
    assert done.stderr.splitlines()[-1] == ("error: --no-xnnpack applies to --backend cmake; --backend local builds "
                                            "with Bazel, whose selective build always has the XNNPACK delegate "
                                            "(tflite_custom_android_library)"), done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("repeat, shown", [(None, 3), ("1", 1), ("6", 6)])
def test_verify_times_each_model_on_the_trimmed_library(first, models, repeat, shown):
    """The runner's own count of timed invokes is what is shown: the median of that many, after a warm-up."""
    _, out, _ = first
    done = tool("verify", "--run", "--runtime", str(out), models["add"], models["relu"],
                *(("--repeat", repeat) if repeat else ()))
    assert done.returncode == 1
    line = done.stdout.splitlines()[0]
    m = re.fullmatch(re.escape(f"ok: {models['add']}: ") + r"(\d+\.\d\d) ms median of (\d+) invokes? "
                     r"\(fastest (\d+\.\d\d) ms\)", line)
    assert m, line
    assert int(m.group(2)) == shown and float(m.group(3)) <= float(m.group(1))
    # A model that does not run has no time.
    assert "median" not in done.stderr and f"missing op: {models['relu']}:" in done.stderr


@pytest.mark.parametrize("args, error", [
    (("--repeat", "2"), "error: --repeat times the models on a host build: give it with --run --runtime DIR\n"),
    (("--run", "--runtime", "{out}", "--repeat", "-2"), "error: --repeat -2: give 0 (no timing) or more timed invokes\n"),
])
def test_verify_repeat_is_refused_where_it_means_nothing(first, models, args, error):
    _, out, _ = first
    done = tool("verify", "--ops", str(out / "ops.json"), models["add"], *(a.format(out=out) for a in args))
    assert done.returncode == 2 and done.stderr == error


def _java_with(tmp_path: Path, options: str) -> str:
    """A ``java`` that is the real one started with ``options`` (JAVA_TOOL_OPTIONS): a JVM that misbehaves."""
    from tflite_slim.runtime.artifacts import hostrun

    wrapper = tmp_path / "java"
    wrapper.write_text(f"#!/bin/sh\nJAVA_TOOL_OPTIONS='{options}' exec {hostrun._java()} \"$@\"\n")
    wrapper.chmod(0o755)
    return str(wrapper)


def test_a_jvm_crash_leaves_nothing_in_the_working_directory(first, models, tmp_path, monkeypatch):
    """Issue 29 #14: hs_err_pid<N>.log (command line, model paths, environment) and core dumps stay in a private
    directory that is removed, not in the user's working directory; the model is reported failed."""
    from tflite_slim.runtime.artifacts import hostrun

    _, out, _ = first
    # A real crash of a real JVM: metaspace exhausted at start-up, with CrashOnOutOfMemoryError.
    java = _java_with(tmp_path, "-Xshare:off -XX:+CrashOnOutOfMemoryError -XX:MaxMetaspaceSize=3m")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    results = hostrun.run_models(str(out), [models["add"]], java=java)
    assert [(r.path, r.status) for r in results] == [(models["add"], hostrun.FAILED)]
    assert "the JVM stopped on this model" in results[0].message
    assert sorted(os.listdir(work)) == []
    # The JVM works elsewhere, so a model named relative to the user's directory is still found.
    shutil.copy(models["add"], work / "add.tflite")
    assert [r.status for r in hostrun.run_models(str(out), ["add.tflite"])] == [hostrun.OK]


def test_a_model_that_never_finishes_is_failed_and_the_rest_run(first, models, tmp_path, monkeypatch):
    """Issue 29 #6: the JVM gets verify --run's per-model time (runcheck.MODEL_SECONDS, small here). The model
    that never finishes is a FIFO no one writes to: the runner's read of it blocks for good, as a WHILE that never
    ends would."""
    from tflite_slim.analysis import runcheck
    from tflite_slim.runtime.artifacts import hostrun

    _, out, _ = first
    monkeypatch.setattr(runcheck, "MODEL_SECONDS", 2.0)
    never = tmp_path / "never.tflite"
    os.mkfifo(never)
    paths = [models["add"], str(never), models["relu"], models["add"]]
    got: list = []
    worker = threading.Thread(target=lambda: got.append(hostrun.run_models(str(out), paths)), daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(60)
    if worker.is_alive():  # unblock the JVM (end of file on the FIFO) before failing
        os.close(os.open(never, os.O_WRONLY))
        worker.join(60)
        pytest.fail("verify --run --runtime waited on the model that never finishes")
    assert [(r.path, r.status) for r in got[0]] == [(models["add"], hostrun.OK), (str(never), hostrun.FAILED),
                                                    (models["relu"], hostrun.MISSING), (models["add"], hostrun.OK)]
    assert got[0][1].message == "it did not finish within 2 s (the limit verify --run sets); stopped"
    assert time.monotonic() - started < 30


@pytest.mark.parametrize("locale", ["C", "C.UTF-8"])
def test_model_names_never_fail_a_model(first, models, tmp_path, locale):
    """Issue 29 #5: names that are not ASCII (or not UTF-8 at all) reach the JVM intact under any locale."""
    _, out, _ = first
    d = tmp_path / "models"
    d.mkdir()
    names = [b"mod\xc3\xa8le.tflite", "模型.tflite".encode(), b"bad\xff\xfename.tflite", b"plain.tflite"]
    for name in names:
        shutil.copy(models["add"], os.path.join(os.fsencode(d), name))
    done = subprocess.run([sys.executable, "-m", "tflite_slim", "verify", "--run", "--runtime", str(out), str(d),
                           "--repeat", "0"],
                          capture_output=True, env={**os.environ, "LC_ALL": locale, "PYTHONIOENCODING": ""})
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    oks = sorted(line for line in done.stdout.splitlines() if line.startswith(b"ok: " + os.fsencode(d)))
    assert oks == sorted(b"ok: " + os.path.join(os.fsencode(d), n) for n in names)


def test_cancel_stops_the_compilers_and_leaves_no_object(tools, tree, models, tmp_path):
    """stop() from another thread: Ninja interrupts the compiler (a wrapper that hangs on kernels/add.cc)."""
    mark = tmp_path / "pid"
    slow = tmp_path / "slow-cxx"
    slow.write_text(f'#!/bin/sh\ncase "$*" in */kernels/add.cc*) echo $$ > {mark}; exec sleep 300;; esac\nexec g++ "$@"\n')
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
    assert mark.exists(), "the compile of add.cc never started"
    pid = int(mark.read_text())
    p.backend.stop()
    thread.join(60)
    assert not thread.is_alive()
    assert len(failure) == 1 and isinstance(failure[0], BuildError) and "cancelled" in str(failure[0])
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)
    assert not list((tmp_path / "cache").rglob("add.cc.o"))


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
    (ndk / cmake_toolchain.NDK_TOOLCHAIN_FILE).write_text("# stand-in NDK toolchain file\n")
    (ndk / "source.properties").write_text("Pkg.Desc = Android NDK\nPkg.Revision = 27.0.12077973\n")
    done = tool("build", models["add"], "--backend", "cmake", "--target-archs", "arm64-v8a,armeabi-v7a",
                "--source", str(tree / "litert"), "--android-api-level", "23", "--dry-run",
                "--tensorflow-source-dir", str(tree / "tensorflow"),
                "--cmake-dep-source", f"eigen={tmp_path}", "--format", "json", env={"ANDROID_NDK_HOME": str(ndk)})
    assert done.returncode == 0, done.stderr
    dry = json.loads(done.stdout)
    configure = [line for line in json_commands(done.stdout) if line.startswith("cmake -G Ninja")]
    # The NDK's toolchain file makes a cross build: TFLite's host tools (flatc) are built natively first, once.
    host, *configure = configure
    assert "CMAKE_TOOLCHAIN_FILE" not in host and "-DCMAKE_CXX_COMPILER=c++" in host
    native = host.split()[host.split().index("-B") + 1]
    assert len(configure) == 2
    for line, abi in zip(configure, ("arm64-v8a", "armeabi-v7a")):
        assert f"-DTFLITE_HOST_TOOLS_DIR={native}" in line
        assert f"-DCMAKE_TOOLCHAIN_FILE={ndk}/build/cmake/android.toolchain.cmake" in line
        assert f"-DANDROID_ABI={abi} -DANDROID_PLATFORM=android-23" in line
        assert f"-DFETCHCONTENT_SOURCE_DIR_EIGEN={tmp_path}" in line
    plan = dry["plan"]
    assert dry["build_file"] is None  # no Bazel BUILD file for a CMake build
    assert plan["declared"]["android_api_level"] == 23 and plan["backend"] == {"backend": "cmake", "opt_level": "O2", "xnnpack": "on"}
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
    (ndk / cmake_toolchain.NDK_TOOLCHAIN_FILE).write_text("# stand-in NDK toolchain file\n")
    done = tool("build", models["add"], "--backend", "cmake", "--target-archs", "arm64-v8a,host",
                "--source", str(root / "litert"), "--android-api-level", "23", "--dry-run",
                "--tensorflow-source-dir", str(root / "tensorflow"),
                "--format", "json", env={"ANDROID_NDK_HOME": str(ndk)})
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)["plan"]
    assert plan["observed"]["min_api_level"] == 23 and plan["observed"]["android_platforms"] is None
    assert "-DANDROID_PLATFORM=android-23" in done.stdout


def test_an_existing_tflite_build_directory_is_configured_again_and_its_objects_kept(tools, tree, models, tmp_path):
    """A build directory configured without our targets (TFLite's own build, or an interrupted configure) is
    configured again with them; TFLite's compiled objects stay (only our targets compile). LiteRT v1.4.1's
    CMakeLists.txt only configures and compiles with what our include file adds besides our targets (the
    xnnpack-delegate placeholder without XNNPACK, the tree's root as an include directory of tensorflow-lite and
    of xnnpack-delegate), so the "other" configure here
    includes a file that adds just those."""
    cache = tmp_path / "cache"
    # The dependencies from local directories (--cmake-dep-source): CMake's own configure below reads them too.
    local = []
    for name in (*HEADERS, *TREES):  # XNNPACK's too: the configure below must not need our fetches
        for path, text in files_of(name).items():
            (tmp_path / name / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name / path).write_text(text)
        local += ["--cmake-dep-source", f"{name}={tmp_path / name}"]
    common = ["--backend", "cmake", "--target-archs", "host", "--source", str(tree / "litert"),
              "--tensorflow-source-dir", str(tree / "tensorflow"), "--cache-dir", str(cache), *local]
    dry = tool("build", models["add"], *common, "--dry-run", "--format", "json")
    (configure,) = [shlex.split(line) for line in json_commands(dry.stdout) if line.startswith("cmake -G Ninja")]
    others = tmp_path / "others.cmake"
    others.write_text(
        'if(NOT TFLITE_ENABLE_XNNPACK)\n'
        '  add_library(xnnpack-delegate STATIC EXCLUDE_FROM_ALL "${CMAKE_CURRENT_SOURCE_DIR}/mutable_op_resolver.cc")\n'
        'endif()\n'
        'cmake_language(DEFER DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" CALL _others)\n'
        f'function(_others)\n  target_include_directories(tensorflow-lite PUBLIC "{tree / "litert"}")\n'
        # What such a build sets too (TensorFlow's release_version.h, FP16 for embedding_lookup.cc).
        f'  target_include_directories(tensorflow-lite PRIVATE "{tmp_path / "fp16_headers" / "include"}")\n'
        '  target_compile_definitions(tensorflow-lite PUBLIC TF_MAJOR_VERSION=2 TF_MINOR_VERSION=20 '
        'TF_PATCH_VERSION=0 "TF_VERSION_SUFFIX=\\"\\"")\n'
        f'  target_include_directories(xnnpack-delegate PRIVATE "{tree / "litert"}")\n'
        '  target_compile_options(xnnpack-delegate PRIVATE -fvisibility=default)\nendfunction()\n')
    # The same options (and so the same compile lines), another include file.
    plain = [a for a in configure if not a.startswith("-DCMAKE_PROJECT_tensorflow-lite_INCLUDE")]
    plain.append(f"-DCMAKE_PROJECT_tensorflow-lite_INCLUDE={others}")
    build_dir = Path(configure[configure.index("-B") + 1])
    subprocess.run(plain, check=True, capture_output=True)
    subprocess.run(["ninja", "-C", str(build_dir), "tensorflow-lite"], check=True, capture_output=True)
    done = tool("build", models["add"], *common, "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "configuring" in done.stderr
    # 3 glue objects, the registration, the resolver, the archive again (the op set's kernels only: its member
    # list shrank), the link: no TFLite object compiled again.
    assert re.search(r"cmake linux-x86_64: 7 build steps", done.stderr), done.stderr
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
    ran = tool("verify", "--run", "--runtime", str(jar), models["add"], models["relu"], "--repeat", "0")
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
    # GNU ld's lines, not only collect2's "error" (the link command itself is not kept).
    (["FAILED: libtensorflowlite_jni.so ", ": && /usr/bin/c++ -fPIC -o libtensorflowlite_jni.so x.o",
      "/usr/bin/ld: CMakeFiles/x.dir/reg.cc.o: in function `RegisterSelectedOps()':",
      "reg.cc:(.text+0x5): undefined reference to `Register_MUL()'",
      "collect2: error: ld returned 1 exit status", "ninja: build stopped: subcommand failed."],
     ["FAILED: libtensorflowlite_jni.so ", "/usr/bin/ld: CMakeFiles/x.dir/reg.cc.o: in function `RegisterSelectedOps()':",
      "reg.cc:(.text+0x5): undefined reference to `Register_MUL()'", "collect2: error: ld returned 1 exit status"]),
    # A cross linker and lld.
    (["FAILED: lib.so", "aarch64-linux-gnu-ld: a.o: in function `f':", "a.cc:(.text+0x1): multiple definition of `g'",
      "ld.lld: error: undefined symbol: h", ">>> referenced by a.cc", "ninja: build stopped"],
     ["FAILED: lib.so", "aarch64-linux-gnu-ld: a.o: in function `f':", "a.cc:(.text+0x1): multiple definition of `g'",
      "ld.lld: error: undefined symbol: h", ">>> referenced by a.cc"]),
    # Two failed steps (ninja -k): both, in order.
    (["FAILED: a.o", "a.cc:1: error: x", "FAILED: b.o", "b.cc:2: error: y", "ninja: build stopped"],
     ["FAILED: a.o", "a.cc:1: error: x", "FAILED: b.o", "b.cc:2: error: y"]),
    # No failed step (CMake itself failed, or the output was cut): nothing, the caller keeps the tail.
    (["[1/2] Building x", "CMake Error at CMakeLists.txt:3"], []),
])
def test_ninja_failures_are_the_failed_steps_errors_not_the_output_tail(lines: list[str], expected: list[str]) -> None:
    assert cmake_errors.ninja_failures(lines) == expected


def test_ninja_failures_are_bounded() -> None:
    lines = ["FAILED: a.o", *(f"a.cc:{i}: error: e{i}" for i in range(1000))]
    assert len(cmake_errors.ninja_failures(lines)) == cmake_errors.FAILURE_LINES


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


@pytest.mark.parametrize("how", ["--cache-dir", "TFLITE_SLIM_CACHE"])
def test_a_relative_cache_directory_builds(tools, tree, models, tmp_path, how):
    """CMake runs in its build directory, so a relative cache path given on the command line or in the
    environment must be made absolute first (it was: "project could not find requested file")."""
    extra, env = (["--cache-dir", "rel/cache"], {}) if how == "--cache-dir" else ([], {"TFLITE_SLIM_CACHE": "rel/cache"})
    done = tool("build", models["add"], "--backend", "cmake", "--target-archs", "host", "--source",
                str(tree / "litert"), "--tensorflow-source-dir", str(tree / "tensorflow"), "--out", "out", *extra,
                env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert kernels(library(tmp_path / "out")) == {"ADD"}
    assert list((tmp_path / "rel" / "cache" / "cmake").iterdir())


def test_a_failed_link_says_the_linkers_error(tools, tree, models, tmp_path):
    """GNU ld's own lines ("undefined reference to ...") are kept, not only collect2's summary."""
    root = tmp_path / "tree"
    shutil.copytree(tree, root)
    kernel = root / "litert" / "tflite" / "kernels" / "mul.cc"
    kernel.write_text(kernel.read_text().replace("Register_MUL()", "Register_MUL_renamed()"))
    done = tool("build", models["mul"], "--backend", "cmake", "--target-archs", "host",
                "--source", str(root / "litert"), "--tensorflow-source-dir", str(root / "tensorflow"),
                "--cache-dir", str(tmp_path / "cache"), "--out", str(tmp_path / "out"))
    assert done.returncode != 0
    error = done.stderr[done.stderr.index("error: "):]
    assert re.search(r"FAILED: \S*libtensorflowlite_jni\.so", error), error
    assert re.search(r"undefined reference to `tflite::ops::builtin::Register_MUL\(\)'", error), error
    assert "ld returned 1 exit status" in error
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("where", ["cmake", "build directory"])
def test_a_file_where_the_build_directory_goes_is_one_line(tools, tree, models, tmp_path, where):
    cache = tmp_path / "cache"
    if where == "cmake":
        cache.mkdir()
        blocker = cache / "cmake"
    else:
        dry = build(tree, cache, tmp_path / "out", models["add"], extra=["--dry-run", "--format", "json"])
        (configure,) = [shlex.split(line) for line in json_commands(dry.stdout) if line.startswith("cmake -G Ninja")]
        blocker = Path(configure[configure.index("-B") + 1])
        blocker.parent.mkdir(parents=True)
    blocker.write_text("not a directory\n")
    done = build(tree, cache, tmp_path / "out", models["add"])
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and "Traceback" not in done.stderr, done.stderr
    assert str(blocker) in lines[-1] and "not a directory" in lines[-1], lines[-1]
    assert blocker.read_text() == "not a directory\n"
    assert not (tmp_path / "out").exists()


OLD = 978307200  # 2001-01-01: older than any object a build writes

CUSTOM_OP = """#include "tflite/c/common.h"
namespace tflite {{
namespace ops {{
namespace custom {{
static float Eval(float a, float b) {{ return a + b; }}
TfLiteRegistration* Register_MY_OP() {{
  static TfLiteRegistration r = {{"tflite-slim-standin-kernel:{marker}", Eval}};
  return &r;
}}
}}  // namespace custom
}}  // namespace ops
}}  // namespace tflite
"""


def _backdate(root: Path) -> None:
    for p in [root, *root.rglob("*")]:
        os.utime(p, (OLD, OLD))


def test_a_tree_replaced_by_older_files_is_rebuilt(tools, tree, models, tmp_path):
    """The next release extracted over the previous one (rsync -a, cp -p, tar): different content, older
    dates. Ninja alone sees nothing to do; the build directory must not be reused for other inputs."""
    root = tmp_path / "tree"
    shutil.copytree(tree, root)
    cache = tmp_path / "cache"
    first = build(root, cache, tmp_path / "out1", models["add"])
    assert first.returncode == 0, first.stderr
    assert kernels(library(tmp_path / "out1")) == {"ADD"}
    # The "next release": another version, another ADD kernel, every file dated 2001.
    version = root / "litert" / "litert" / "version.bzl"
    version.write_text(version.read_text().replace('"1.5.0"', '"1.5.1"'))
    add = root / "litert" / "tflite" / "kernels" / "add.cc"
    add.write_text(add.read_text().replace("kernel:ADD", "kernel:ADD_NEXT_RELEASE"))
    _backdate(root)
    second = build(root, cache, tmp_path / "out2", models["add"])
    assert second.returncode == 0, second.stderr
    assert json.loads((tmp_path / "out2" / "ops.json").read_text())["tensorflow"]["version"] == "1.5.1"
    assert kernels(library(tmp_path / "out2")) == {"ADD_NEXT_RELEASE"}, second.stderr


def test_a_custom_op_source_changed_with_an_older_date_is_recompiled(tools, tree, tmp_path):
    model = tmp_path / "custom.tflite"
    model.write_bytes(make_model([custom("MyOp")], [[Op(0)]]))
    src = tmp_path / "my_op.cc"
    src.write_text(CUSTOM_OP.format(marker="MY_OP_ONE"))
    cache = tmp_path / "cache"
    first = build(tree, cache, tmp_path / "out1", str(model), extra=["--custom-ops-srcs", str(src)])
    assert first.returncode == 0, first.stderr
    assert kernels(library(tmp_path / "out1")) == {"MY_OP_ONE"}
    src.write_text(CUSTOM_OP.format(marker="MY_OP_TWO"))
    os.utime(src, (OLD, OLD))
    second = build(tree, cache, tmp_path / "out2", str(model), extra=["--custom-ops-srcs", str(src)])
    assert second.returncode == 0, second.stderr
    assert kernels(library(tmp_path / "out2")) == {"MY_OP_TWO"}, second.stderr


def test_no_cache_builds_in_a_fresh_directory_and_removes_it(first, tree, models, tmp_path):
    cache, _, _ = first
    before = sorted((cache / "cmake").iterdir())
    done = build(tree, cache, tmp_path / "out", models["add"], extra=["--no-cache"])
    assert done.returncode == 0, done.stderr
    m = re.search(r"configuring \S+ in (\S+)", done.stderr)
    assert m, done.stderr  # configured afresh, not a build directory of the cache reused
    assert not Path(m.group(1)).exists() and not Path(m.group(1)).is_relative_to(cache)
    assert re.search(r"build steps \(compiled\)", done.stderr), done.stderr
    assert sorted((cache / "cmake").iterdir()) == before
    assert kernels(library(tmp_path / "out")) == {"ADD"}


def test_the_shells_compilers_and_flags_do_not_reach_the_library(tools, tree, models, tmp_path):
    """$CC/$CXX/$LDFLAGS/... of whichever shell configured a build directory were baked into every later
    library from it. CMake and Ninja run without them: the command line alone decides."""
    leaked = {"LDFLAGS": "-Wl,-rpath,/leaked/ldflags", "LD_RUN_PATH": "/leaked/ld-run-path",
              "CXX": "/nonexistent/leaked-c++", "CC": "/nonexistent/leaked-cc",
              "CFLAGS": "-include /nonexistent/leaked.h", "CXXFLAGS": "-include /nonexistent/leaked.h",
              "CPATH": "/leaked/cpath", "NINJA_STATUS": "leaked ", "CMAKE_BUILD_TYPE": "Debug"}
    done = tool("build", models["add"], "--backend", "cmake", "--target-archs", "host", "--source",
                str(tree / "litert"), "--tensorflow-source-dir", str(tree / "tensorflow"),
                "--cache-dir", str(tmp_path / "cache"), "--out", str(tmp_path / "out"), env=leaked)
    assert done.returncode == 0, done.stderr
    assert "build steps (compiled)" in done.stderr, done.stderr  # Ninja's own progress format
    assert b"/leaked" not in library(tmp_path / "out")
    (cache_file,) = (tmp_path / "cache" / "cmake").glob("*/CMakeCache.txt")
    assert "leaked" not in cache_file.read_text()


def test_a_toolchain_file_in_the_environment_is_refused_in_one_line(tools, tree, models, tmp_path):
    """CMake would read $CMAKE_TOOLCHAIN_FILE, the build directory's key would not see it: refused."""
    done = tool(
        "build", models["add"], "--backend", "cmake", "--target-archs", "host", "--source", str(tree / "litert"),
        "--tensorflow-source-dir", str(tree / "tensorflow"), "--cache-dir", str(tmp_path / "cache"),
        "--out", str(tmp_path / "out"), env={"CMAKE_TOOLCHAIN_FILE": "/somewhere/cross.cmake"})
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "error: CMAKE_TOOLCHAIN_FILE=/somewhere/cross.cmake is set in the environment: --backend cmake chooses the "
        "toolchain itself (the NDK's for Android ABIs, --cxx for the desktop ones, a cross build for the other "
        "host ABI); unset it"]
    assert not (tmp_path / "out").exists()


def test_a_clang_build_after_a_gcc_build_is_not_the_cached_gcc_library(first, tree, models, tmp_path):
    """The compiler is observed: in the build record and the cache key (not in the version)."""
    require("clang++", "clang")
    cache, out, _ = first
    gcc_record = json.loads((out / "ops.json").read_text())
    done = build(tree, cache, tmp_path / "out", models["add"], extra=["--cxx", "clang++"])
    assert done.returncode == 0, done.stderr
    assert "reusing" not in done.stderr, done.stderr
    so = library(tmp_path / "out")
    assert b"clang version" in so and kernels(so) == {"ADD"}
    record = json.loads((tmp_path / "out" / "ops.json").read_text())
    assert record["plan_fingerprint"] == gcc_record["plan_fingerprint"]  # the version hashes declared inputs only
    clang = record["observed"]["toolchain"]["linux-x86_64"]
    assert os.path.basename(clang["cxx"]).startswith("clang") and "clang version" in clang["cxx_version"]
    assert os.path.basename(clang["cc"]).startswith("clang") and "clang version" in clang["cc_version"]
    assert clang["cxx"] == os.path.realpath(shutil.which("clang++"))
    gcc = gcc_record["observed"]["toolchain"]["linux-x86_64"]
    assert gcc["cxx"] == os.path.realpath(shutil.which("c++")) and gcc["cxx_version"].startswith(("g++", "c++"))


def _fake_ndk(root: Path, revision: str) -> Path:
    (root / "build" / "cmake").mkdir(parents=True)
    (root / cmake_toolchain.NDK_TOOLCHAIN_FILE).write_text("# stand-in NDK toolchain file\n")
    (root / "source.properties").write_text(f"Pkg.Desc = Android NDK\nPkg.Revision = {revision}\n")
    return root


@pytest.mark.parametrize("declared, error", [
    ("26", "error: --ndk-version 26: the NDK at {ndk} is 27.0.12077973; set ANDROID_NDK_HOME to NDK 26 or "
           "declare 27.0.12077973"),
    ("27.1", "error: --ndk-version 27.1: the NDK at {ndk} is 27.0.12077973; set ANDROID_NDK_HOME to NDK 27.1 or "
             "declare 27.0.12077973"),
    ("27", None),
    ("27.0.12077973", None),
])
def test_a_declared_ndk_revision_is_checked_against_the_ndk_used(tools, tree, models, tmp_path, declared, error):
    ndk = _fake_ndk(tmp_path / "ndk", "27.0.12077973")
    done = tool("build", models["add"], "--backend", "cmake", "--target-archs", "arm64-v8a", "--source",
                str(tree / "litert"), "--android-api-level", "23", "--ndk-version", declared, "--dry-run",
                "--tensorflow-source-dir", str(tree / "tensorflow"), "--format", "json",
                env={"ANDROID_NDK_HOME": str(ndk)})
    if error is None:
        assert done.returncode == 0, done.stderr
        plan = json.loads(done.stdout)["plan"]
        arm64 = plan["observed"]["toolchain"]["arm64-v8a"]
        assert (arm64["ndk"], arm64["ndk_revision"]) == (str(ndk), "27.0.12077973")
        assert arm64["host_tools_cxx"] == os.path.realpath(shutil.which("c++"))  # TFLite's host flatc's compiler
        assert plan["declared"]["ndk_version"] == declared
    else:
        assert done.returncode != 0
        assert done.stderr.strip().splitlines() == [error.format(ndk=ndk)]


DRIVER = Path(__file__).resolve().parent / "jni_driver.cc"


@pytest.fixture(scope="module")
def cross_tools(tools) -> dict[str, str]:
    """Debian's aarch64 cross compiler, qemu-user and file(1): the cross build and its run."""
    return {"cxx": require("aarch64-linux-gnu-g++", "g++-aarch64-linux-gnu"),
            "qemu": require("qemu-aarch64-static", "qemu-user-static"), "file": require("file", "file")}


def test_a_cross_build_for_linux_aarch64_runs_under_qemu(cross_tools, tree, models, tmp_path):
    """--target-archs linux-aarch64 on an x86_64 machine is configured as a cross build (a generated toolchain
    file: CMAKE_SYSTEM_NAME/PROCESSOR), with TFLite's host tools (a host flatc, TFLITE_HOST_TOOLS_DIR) from the
    native build directory of the same tree; the library is ARM aarch64 and runs a model under qemu-user."""
    from tflite_slim.runtime.artifacts.abis import host_abi
    if host_abi() != "linux-x86_64":
        pytest.skip("the cross build test builds linux-aarch64 from an x86_64 machine")
    cache, out = tmp_path / "cache", tmp_path / "out"
    done = build(tree, cache, out, models["add_mul"], extra=["--target-archs", "linux-aarch64", "--cxx",
                                                             "aarch64-linux-gnu-g++"])
    assert done.returncode == 0, done.stderr
    assert "ninja (linux-x86_64 host tools)" in done.stderr
    with zipfile.ZipFile(out / "tensorflow-lite.aar") as z:
        assert [n for n in z.namelist() if n.startswith("jni/")] == ["jni/linux-aarch64/libtensorflowlite_jni.so"]
        so = z.read("jni/linux-aarch64/libtensorflowlite_jni.so")
    lib = tmp_path / "libtensorflowlite_jni.so"
    lib.write_bytes(so)
    described = subprocess.run([cross_tools["file"], "-b", str(lib)], capture_output=True, text=True).stdout
    assert described.startswith("ELF 64-bit LSB shared object, ARM aarch64"), described
    assert kernels(so) == {"ADD", "MUL"}

    # Configured as a cross build, with the host's flatc: the header it generated says it ran on x86_64.
    cross_dir = next(d for d in (cache / "cmake").iterdir() if (d / "tflite_slim_toolchain.cmake").is_file())
    assert "set(CMAKE_SYSTEM_PROCESSOR aarch64)" in (cross_dir / "tflite_slim_toolchain.cmake").read_text()
    cmake_cache = (cross_dir / "CMakeCache.txt").read_text()
    (native_dir,) = [d for d in (cache / "cmake").iterdir() if d != cross_dir]
    assert f"TFLITE_HOST_TOOLS_DIR:PATH={native_dir}" in cmake_cache
    assert f"FLATC_BIN:FILEPATH={native_dir}/flatbuffers-flatc/bin/flatc" in cmake_cache
    header = cross_dir / "tflite" / "delegates" / "xnnpack" / "weight_cache_schema_generated.h"
    assert '#define TFLITE_STANDIN_FLATC_MACHINE "x86_64"' in header.read_text()

    # Recorded: the cross compiler and the host tools' compiler (observed, not in the version).
    facts = json.loads((out / "ops.json").read_text())["observed"]["toolchain"]["linux-aarch64"]
    assert facts["cxx"] == os.path.realpath(cross_tools["cxx"]) and "aarch64-linux-gnu" in facts["cc"]
    assert facts["host_tools_cxx"] == os.path.realpath(shutil.which("c++"))

    # The library under qemu-user: a JNI driver cross-compiled for aarch64 (no aarch64 JVM here).
    run = _qemu_runner(cross_tools, lib, tmp_path)
    assert run(models["add_mul"]) == "ok 7"  # (1.5 + 2) * 2
    assert run(models["relu"]) == ("thrown java/lang/IllegalArgumentException: Internal error: Cannot create "
                                   "interpreter: Didn't find op for builtin opcode 'RELU' version '1'. An older "
                                   "version of this builtin might be supported. Are you using an old TFLite binary "
                                   "with a newer model?")


def _qemu_runner(cross_tools: dict[str, str], lib: Path, tmp_path: Path):
    """Runs ``lib`` (an aarch64 JNI library) on a model under qemu-user, through a JNI driver cross-compiled for
    aarch64 (no aarch64 JVM here): a function of the model path, answering the driver's output line."""
    from tflite_slim.runtime.artifacts import hostjar
    driver = tmp_path / "jni_driver"
    includes = [f"-I{d}" for d in hostjar.jni_include_dirs(hostjar.find_javac())]
    subprocess.run([cross_tools["cxx"], "-O1", *includes, "-o", str(driver), str(DRIVER), "-ldl"], check=True)
    assert "ARM aarch64" in subprocess.run([cross_tools["file"], "-b", str(driver)], capture_output=True,
                                           text=True).stdout

    def run(model: str) -> str:
        ran = subprocess.run([cross_tools["qemu"], "-L", "/usr/aarch64-linux-gnu", str(driver), str(lib), model, "1.5"],
                             capture_output=True, text=True, timeout=60)
        assert ran.returncode == 0, ran.stderr
        return ran.stdout.strip()

    return run


def test_a_cross_build_with_lto_archives_with_the_cross_compilers_gcc_ar_and_runs(cross_tools, tree, models, tmp_path):
    """--lto in a cross build: CMake takes the archiver beside the cross compiler (aarch64-linux-gnu-gcc-ar, whose
    plugin reads aarch64 LTO objects), not the host's; the library is aarch64, holds its kernels and runs."""
    from tflite_slim.runtime.artifacts.abis import host_abi
    if host_abi() != "linux-x86_64":
        pytest.skip("the cross build test builds linux-aarch64 from an x86_64 machine")
    cache, out = tmp_path / "cache", tmp_path / "out"
    done = build(tree, cache, out, models["add_mul"], extra=["--target-archs", "linux-aarch64", "--cxx",
                                                             "aarch64-linux-gnu-g++", "--lto"])
    assert done.returncode == 0, done.stderr
    cross_dir = next(d for d in (cache / "cmake").iterdir() if (d / "tflite_slim_toolchain.cmake").is_file())
    archive, link = _archive_and_link_lines(cross_dir)
    assert archive and all(Path(_archiver(c)).name.startswith("aarch64-linux-gnu-gcc-ar") for c in archive), archive
    assert link and all([f for f in c.split() if f.startswith("-flto")] for c in link), link
    with zipfile.ZipFile(out / "tensorflow-lite.aar") as z:
        so = z.read("jni/linux-aarch64/libtensorflowlite_jni.so")
    lib = tmp_path / "libtensorflowlite_jni.so"
    lib.write_bytes(so)
    assert subprocess.run([cross_tools["file"], "-b", str(lib)], capture_output=True,
                          text=True).stdout.startswith("ELF 64-bit LSB shared object, ARM aarch64")
    assert kernels(so) == {"ADD", "MUL"}
    assert _qemu_runner(cross_tools, lib, tmp_path)(models["add_mul"]) == "ok 7"


def test_the_standin_demands_host_tools_when_cross_compiling_as_upstream(cross_tools, tree, tmp_path):
    """The stand-in's contract is upstream's (LiteRT tflite/CMakeLists.txt): cross compiling without
    TFLITE_HOST_TOOLS_DIR, or with one that holds no flatc, stops the configure with upstream's messages."""
    toolchain = tmp_path / "cross.cmake"
    toolchain.write_text("set(CMAKE_SYSTEM_NAME Linux)\nset(CMAKE_SYSTEM_PROCESSOR aarch64)\n"
                         f"set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)\nset(CMAKE_CXX_COMPILER {cross_tools['cxx']})\n")
    base = ["cmake", "-G", "Ninja", "-S", str(tree / "litert" / "tflite"), f"-DCMAKE_TOOLCHAIN_FILE={toolchain}",
            f"-DTENSORFLOW_SOURCE_DIR={tree / 'tensorflow'}", "-DTFLITE_ENABLE_XNNPACK=OFF",
            # The dependencies from local directories: CMake would clone them otherwise.
            *(f"-DFETCHCONTENT_SOURCE_DIR_{d.name.upper()}={d}" for d in sorted((tree / "deps").iterdir()))]
    env = {k: v for k, v in os.environ.items() if k not in cmake_toolchain.SHELL_BUILD_ENV}
    missing = subprocess.run([*base, "-B", str(tmp_path / "b1")], capture_output=True, text=True, env=env)
    assert missing.returncode != 0
    assert "When cross-compiling, some tools need to be available to run on the host (current required tools: " \
           "flatc)." in " ".join(missing.stderr.split())
    empty = subprocess.run([*base, "-B", str(tmp_path / "b2"), f"-DTFLITE_HOST_TOOLS_DIR={tmp_path}"],
                           capture_output=True, text=True, env=env)
    assert empty.returncode != 0
    assert "Host 'flatc' compiler has not been found in the following locations" in " ".join(empty.stderr.split())


def test_a_cross_build_dry_run_shows_the_host_tools_first(tools, tree, models, tmp_path):
    done = build(tree, tmp_path / "cache", tmp_path / "out", models["add"],
                 extra=["--target-archs", "linux-aarch64", "--cxx", "/opt/cross/aarch64-linux-gnu-g++", "--dry-run",
                        "--format", "json"])
    assert done.returncode == 0, done.stderr
    lines = [line for line in json_commands(done.stdout) if line.startswith(("cmake -G", "ninja -C"))]
    assert len(lines) == 4
    native = lines[0].split()[lines[0].split().index("-B") + 1]
    assert lines[1] == f"ninja -C {native} flatbuffers-flatc"
    assert "-DCMAKE_CXX_COMPILER=c++" in lines[0] and "CMAKE_TOOLCHAIN_FILE" not in lines[0]
    cross = lines[2].split()[lines[2].split().index("-B") + 1]
    assert f"-DCMAKE_TOOLCHAIN_FILE={cross}/tflite_slim_toolchain.cmake" in lines[2]
    assert f"-DTFLITE_HOST_TOOLS_DIR={native}" in lines[2] and lines[3] == f"ninja -C {cross} tensorflowlite_jni"


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
    assert cmake_errors.cmake_failures(_CLONE_FAILED) == [
        _CLONE_FAILED[4], _CLONE_FAILED[5], _CLONE_FAILED[6], _CLONE_FAILED[9], _CLONE_FAILED[10]]
    assert cmake_errors.failed_dependencies(_CLONE_FAILED) == ["eigen"]


def test_a_dry_run_lists_every_source_it_would_fetch_and_fetches_nothing(tools, tree, models, tmp_path, deps_server):
    """A tree whose CMake files name no TensorFlow revision, not a release tflite-slim knows: TensorFlow's files
    come from --tensorflow-source-dir (without it the dry run names that option: the next test)."""
    before = len(deps_server.requests)
    done = tool("build", models["add"], "--backend", "cmake", "--target-archs", "host", "--source", str(tree / "litert"),
                "--cache-dir", str(tmp_path / "cache"), "--dry-run", "--format", "json",
                "--tensorflow-source-dir", str(tree / "tensorflow"), env={"TFLITE_SLIM_DEP_MIRROR": mirror(tree)})
    assert done.returncode == 0, done.stderr
    sources = [line for line in json.loads(done.stdout)["notes"] if line.startswith("source: ")]
    assert [s.split(" at ")[0] for s in sources] == ["source: eigen", "source: fft2d", "source: fp16", "source: fp16_headers",
                                                     "source: pthreadpool", "source: xnnpack"]
    # XNNPACK's own (FXdiv, KleidiAI) are read from its tree, which is not here yet.
    assert "sources: XNNPACK's own dependencies (FXdiv, KleidiAI) are read from its cmake/Download*.cmake once " \
        "it is fetched" in json.loads(done.stdout)["notes"]
    xnnpack = [s for s in sources if s.startswith("source: xnnpack")][0]
    assert xnnpack.startswith("source: xnnpack at 0a655ef53812ce9bd8ce2628757cc0f476efcf51 (tools/cmake/modules/"
                              "xnnpack.cmake, corrected: dc69e899 is KleidiAI's commit")
    assert sources[0].startswith("source: eigen at 4c38131a16803130b66266a912029504f2cf23cd "
                                 "(tools/cmake/modules/eigen.cmake): fetched from " + mirror(tree) + "/eigen/")
    assert len(deps_server.requests) == before and not (tmp_path / "cache" / "cmake-deps").exists()


def test_a_tree_with_no_known_tensorflow_revision_asks_for_the_directory_before_any_download(tools, tree, models,
                                                                                             tmp_path, deps_server):
    before = len(deps_server.requests)
    done = tool("build", models["add"], "--backend", "cmake", "--target-archs", "host", "--source", str(tree / "litert"),
                "--cache-dir", str(tmp_path / "cache"), "--out", str(tmp_path / "out"),
                env={"TFLITE_SLIM_DEP_MIRROR": mirror(tree)})
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "error: LiteRT 1.5.0: tflite-slim knows no TensorFlow revision for this tree (its CMake files name none; "
        "docs/sources.md lists the releases it knows); give --tensorflow-source-dir DIR, a TensorFlow checkout at "
        "the revision the tree was released with"]
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


def test_a_dry_run_shows_cmake_s_plan_notes_and_downloads_not_bazel_s(tools, tree, models, tmp_path):
    """Issue 25: the dry run of a CMake build had Bazel's build_flags and build_aar.sh notes, and its Downloads
    line said 'CMake fetches its dependencies' while tflite-slim fetches them: one line per source now."""
    done = build(tree, tmp_path / "cache", tmp_path / "out", models["add"], extra=["--dry-run", "--format", "json"])
    assert done.returncode == 0, done.stderr
    dry = json.loads(done.stdout)
    assert "build_flags" not in dry["plan"]
    assert not [n for n in dry["notes"] if "build_aar.sh" in n or n.startswith("bazel flags")], dry["notes"]
    pins = cmakedeps.read_pins(tree / "litert" / "tflite")
    host = urlsplit(mirror(tree)).hostname
    # XNNPACK's (on by default): FP16, pthreadpool and XNNPACK from the tree's pins; FXdiv and KleidiAI once
    # XNNPACK's own files are here.
    assert dry["estimates"]["downloads"][:7] == [
        f"{name} {pins[name].revision[:12]}: from {host}, size not known until downloaded"
        for name in ("eigen", "fft2d", "fp16", "fp16_headers", "pthreadpool", "xnnpack")] + [
        "none for tensorflow: given as a directory"]
    text = build(tree, tmp_path / "cache", tmp_path / "out", models["add"], extra=["--dry-run"])
    assert "Downloads:\n  eigen " in text.stdout and "CMake fetches" not in text.stdout
    # Once fetched, the same lines give the archive's size.
    assert build(tree, tmp_path / "cache", tmp_path / "out", models["add"]).returncode == 0
    again = json.loads(build(tree, tmp_path / "cache", tmp_path / "out", models["add"],
                             extra=["--dry-run", "--format", "json"]).stdout)
    assert again["estimates"]["downloads"][0].startswith(f"eigen {pins['eigen'].revision[:12]}: none, in the cache (")
    verbose = tool("-v", "build", models["add"], "--backend", "cmake", "--target-archs", "host", "--source",
                   str(tree / "litert"), "--tensorflow-source-dir", str(tree / "tensorflow"), "--cache-dir",
                   str(tmp_path / "cache"), "--out", str(tmp_path / "out"), "--dry-run")
    assert "# Notes\n" in verbose.stdout and "Differences from TensorFlow's build_aar.sh" not in verbose.stdout


def _compile_lines(build_dir: Path, source: str) -> list[str]:
    """Ninja's compile commands for the objects of ``source`` (a file name) in ``build_dir``."""
    commands = subprocess.run(["ninja", "-C", str(build_dir), "-t", "commands", "tensorflowlite_jni"],
                              capture_output=True, text=True, check=True).stdout.splitlines()
    return [c for c in commands if " -c " in c and (f"/{source} " in c or c.endswith(f"/{source}"))]


def test_the_default_level_and_flags_are_on_every_compile_line(first):
    cache, _, _ = first
    # Every build directory the module's builds left in this cache (other tests add theirs, at the default level).
    lines = [line for d in (cache / "cmake").iterdir() if (d / "build.ninja").is_file()
             for line in _compile_lines(d, "add.cc") + _compile_lines(d, "jni_utils.cc")]
    assert len(lines) >= 2
    for line in lines:
        flags = line.split()
        # One level only: ours replaces CMake's Release flags rather than adding to them.
        assert [f for f in flags if f.startswith("-O")] == ["-O2"], line
        # Upstream's tflite_copts -fno-exceptions, and hidden visibility (the JNI exports are JNIEXPORT).
        assert {"-fno-exceptions", "-fvisibility=hidden", "-fvisibility-inlines-hidden"} <= set(flags), line
        assert "-fexceptions" not in flags
        assert not [f for f in flags if f.startswith("-flto")], line  # --lto is off by default


def _archive_and_link_lines(build_dir: Path) -> tuple[list[str], list[str]]:
    """Ninja's commands that archive ``libtensorflow-lite.a`` and link the JNI library."""
    commands = subprocess.run(["ninja", "-C", str(build_dir), "-t", "commands", "tensorflowlite_jni"],
                              capture_output=True, text=True, check=True).stdout.splitlines()
    archive = [c for c in commands if re.search(r" \S*libtensorflow-lite\.a ", c) and " -c " not in c
               and "libtensorflowlite_jni.so" not in c]
    return archive, [c for c in commands if " -o libtensorflowlite_jni.so " in c]


def _archiver(command: str) -> str:
    """The program of an archive command (``... && "/usr/bin/gcc-ar-12" cr libtensorflow-lite.a ...``)."""
    m = re.search(r'"?([^"\s]+)"? (?:cr|qc) \S*libtensorflow-lite\.a ', command)
    assert m, command
    return m.group(1)


def test_lto_archives_with_gcc_ar_runs_and_is_another_version(first, tree, models, tmp_path):
    """--lto: LTO objects on every compile line, archived by gcc-ar (plain ar would index none of their symbols
    and the link would find no kernel), optimized when the JNI library is linked; the library runs a model, and
    is another version."""
    _, out_default, _ = first
    cache, out = tmp_path / "cache", tmp_path / "out"
    done = build(tree, cache, out, models["add"], extra=["--lto"])
    assert done.returncode == 0, done.stderr
    build_dir = build_dir_of(cache)
    lines = _compile_lines(build_dir, "add.cc") + _compile_lines(build_dir, "jni_utils.cc")
    assert lines and all([f for f in line.split() if f.startswith("-flto")] for line in lines), lines
    archive, link = _archive_and_link_lines(build_dir)
    assert archive and all(Path(_archiver(c)).name.startswith("gcc-ar") for c in archive), archive
    assert link and all([f for f in c.split() if f.startswith("-flto")] for c in link), link
    assert kernels(library(out)) == {"ADD"}
    ran = tool("verify", "--run", "--runtime", str(out), models["add"], "--repeat", "1")
    assert ran.returncode == 0 and ran.stdout.startswith(f"ok: {models['add']}: "), ran.stderr
    record, default = (json.loads((o / "ops.json").read_text()) for o in (out, out_default))
    assert record["plan_fingerprint"] != default["plan_fingerprint"]
    assert record["backend"] == {"backend": "cmake", "opt_level": "O2", "lto": "on", "xnnpack": "on"}
    assert "lto" not in default["backend"]


def test_another_level_builds_in_its_own_directory_runs_and_is_another_version(first, tree, models, tmp_path):
    _, out_os, _ = first
    cache, out = tmp_path / "cache", tmp_path / "out"
    done = build(tree, cache, out, models["add"], extra=["--opt-level", "Os"])
    assert done.returncode == 0, done.stderr
    lines = _compile_lines(build_dir_of(cache), "add.cc")
    assert lines and all([f for f in line.split() if f.startswith("-O")] == ["-Os"] for line in lines)
    ran = tool("verify", "--run", "--runtime", str(out), models["add"], "--repeat", "1")
    assert ran.returncode == 0 and ran.stdout.startswith(f"ok: {models['add']}: "), ran.stderr
    record, default = (json.loads((o / "ops.json").read_text()) for o in (out, out_os))
    assert record["plan_fingerprint"] != default["plan_fingerprint"]
    assert record["backend"]["opt_level"] == "Os" and default["backend"]["opt_level"] == "O2"


@pytest.mark.parametrize("given, said", [(["--opt-level", "Os"], "--opt-level Os"), (["--lto"], "--lto")])
def test_cmake_flags_are_refused_for_bazel_in_one_line(tree, models, tmp_path, given, said):
    # Bazel's build has its own flags: a declared level or LTO would be ignored there, so it is refused.
    done = tool("build", models["add"], "--backend", "local", "--source", str(tree / "litert"), *given,
                "--out", str(tmp_path / "out"))
    assert done.returncode != 0
    assert done.stderr.splitlines()[-1] == (f"error: {said} applies to --backend cmake; --backend local builds with "
                                            "Bazel's own flags (-c opt): drop it, or build with --backend cmake"), done.stderr
    assert not (tmp_path / "out").exists()
