"""``tflite-slim build --litert-version 2.x.y`` end to end, as a user runs it, on a 2.x-shaped stand-in tree
(``standin/litert2cmake.py``: v2.2.0 and v2.1.6 shapes) and a stand-in stock AAR (``artifacts/test_litert2aar``)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from modelmaker import ADD, CONV_2D, Op, builtin, custom, make_model
from realtools import require
from repo_server import RepoServer
from standin.litert2cmake import kernel_marker, make_litert2_cmake_tree
from standin.litert2stock import stock_aar

ABS = 101
DEAD = "http://127.0.0.1:9/"  # nothing listens: a download would fail, and say so


def tool(cwd: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tflite_slim", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "TFLITE_SLIM_LITERT_ARCHIVE_URL": DEAD, **(env or {})})


@pytest.fixture
def inputs(tmp_path):
    (tmp_path / "add.tflite").write_bytes(make_model([builtin(ADD), builtin(ABS)], [[Op(0), Op(1)]]))
    stock_aar(tmp_path / "litert-2.2.0.aar")
    return tmp_path


@pytest.mark.parametrize("args,said", [
    (["--litert-version", "2.0.3"], "LiteRT 2.0.x (litert: liblitert_jni.so, libLiteRtRuntimeCApi.so): not trimmed: its "
                                    "kernels sit in libLiteRtRuntimeCApi.so"),
    (["--litert-version", "2.1.5"], "not trimmed: its libLiteRt.so also holds the CompiledModel JNI"),
    (["--litert-version", "2.3.0"], "a LiteRT 2.x release newer than those tflite-slim has read (up to v2.2.0)"),
    (["--litert-version", "2.2.0", "--backend", "local"], "the 2.x runtime is built with --backend cmake"),
    (["--litert-version", "2.2.0", "--backend", "cmake"], "give --stock-aar FILE, the app's "
                                                          "com.google.ai.edge.litert:litert:2.2.0 AAR"),
    (["--litert-version", "2.2.0", "--stock-aar", "missing.aar"], "--stock-aar missing.aar: no such file"),
    (["--litert-version", "2.2.0", "--stock-aar", "litert-2.2.0.aar", "--target-archs", "armeabi-v7a"],
     "has no jni/armeabi-v7a/libLiteRt.so"),
    (["--source", ".", "--stock-aar", "litert-2.2.0.aar"], "--stock-aar is for the LiteRT 2.x runtime: add "
                                                           "--litert-version 2.x.y"),
    # The 1.x CMake build's options are refused, never silently dropped (the 2.x build would ignore them).
    (["--litert-version", "2.2.0", "--stock-aar", "litert-2.2.0.aar", "--opt-level", "Os"],
     "--opt-level Os applies to the 1.x CMake build; the 2.x runtime compiles with LiteRT's own CMake flags"),
    (["--litert-version", "2.2.0", "--stock-aar", "litert-2.2.0.aar", "--lto"],
     "--lto applies to the 1.x CMake build; the 2.x runtime compiles with LiteRT's own CMake flags"),
    (["--litert-version", "2.2.0", "--stock-aar", "litert-2.2.0.aar", "--no-xnnpack"],
     "XNNPACK is LiteRT 2.x's CPU accelerator (CompiledModel) and stays in the 2.x runtime: drop --no-xnnpack"),
])
def test_every_refusal_is_one_line_before_any_download(inputs, args, said):
    r = tool(inputs, "build", "add.tflite", "--out", "out", "--cache-dir", "cache", *args)
    assert r.returncode != 0
    assert said in r.stderr, r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr and "127.0.0.1:9" not in r.stderr
    assert not (inputs / "out").exists() and not (inputs / "cache" / "litert").exists()


def test_a_flex_model_is_refused_before_the_download(inputs):
    from modelmaker import flex_options
    (inputs / "flex.tflite").write_bytes(make_model([custom("FlexAddV2")], [[Op(0, custom_options=flex_options("AddV2"))]]))
    r = tool(inputs, "build", "flex.tflite", "--out", "out", "--litert-version", "2.2.0", "--stock-aar",
             "litert-2.2.0.aar", "--target-archs", "arm64-v8a", "--backend", "cmake", "--android-api-level", "26",
             "--cache-dir", "cache")
    assert r.returncode != 0 and "the models use Flex ops (AddV2)" in r.stderr, r.stderr
    assert "127.0.0.1:9" not in r.stderr


@pytest.fixture(scope="module")
def tools():
    for name, package in (("cmake", "cmake"), ("ninja", "ninja-build"), ("c++", "g++"), ("javac", "default-jdk-headless")):
        require(name, package)


@pytest.fixture(scope="module")
def full_library(tools, tmp_path_factory) -> bytes:
    """The stand-in tree's LiteRt with every op, for this machine: what a stock AAR ships per ABI."""
    from standin.litert2cmake import BUILTIN_KERNELS
    from tflite_slim.analysis.opset import OpSet
    from tflite_slim.runtime.backends.cmake import toolchain as cmake_toolchain
    from tflite_slim.runtime.backends.cmake.project import CmakeSettings
    from tflite_slim.runtime.litert2 import cmake as cmake_litert2
    from tflite_slim.runtime.trees.litert2 import LINE_BY_NAME
    tmp = tmp_path_factory.mktemp("full")
    root = make_litert2_cmake_tree(tmp / "LiteRT", "2.2.0")
    every = OpSet(builtin_ops={k: (1,) for k in BUILTIN_KERNELS if k not in ("ADD_REF", "CONVOLUTION_REF")},
                  custom_ops={"Mfcc": (1,), "TFLite_Detection_PostProcess": (1,)})
    settings = CmakeSettings(jobs=2)
    return cmake_litert2.build_abi(root, LINE_BY_NAME["2.2.0"], every,
                                   cmake_toolchain.host_toolchain(settings, "linux-x86_64", True), tmp / "build",
                                   tmp / "out" / "libLiteRt.so", settings, align_16kb=True,
                                   log=lambda _: None).library.read_bytes()


def _build(cwd: Path, *more: str, env=None) -> subprocess.CompletedProcess:
    return tool(cwd, "build", "add.tflite", "--out", "out", "--litert-version", "2.2.0", "--stock-aar",
                "litert-2.2.0.aar", "--target-archs", "linux-x86_64", "--backend", "cmake", "--cache-dir", "cache",
                *more, env=env)


def test_a_checkout_of_the_tag_builds_the_drop_in(tools, inputs):
    root = make_litert2_cmake_tree(inputs / "LiteRT", "2.2.0")
    r = _build(inputs, "--litert-source", str(root))
    assert r.returncode == 0, r.stderr
    assert "built: LiteRT 2.2.0 (2.2.0)" in r.stderr
    assert "x86_64: not built, their stock libLiteRt.so stays in litert.aar" in r.stderr
    out = inputs / "out"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["litert.aar", "ops.json"]
    with zipfile.ZipFile(out / "litert.aar") as z, zipfile.ZipFile(inputs / "litert-2.2.0.aar") as s:
        ours = {n: z.read(n) for n in z.namelist()}
        for name in s.namelist():
            if name != "jni/linux-x86_64/libLiteRt.so":
                assert ours[name] == s.read(name), name  # classes, GPU library, other ABIs: the stock bytes
        lib = ours["jni/linux-x86_64/libLiteRt.so"]
    assert kernel_marker("ADD").encode() in lib and kernel_marker("CONV_2D").encode() not in lib
    record = json.loads((out / "ops.json").read_text())
    assert record["litert"]["version"] == "2.2.0" and record["litert"]["line"] == "2.2.0"
    assert record["litert"]["litert_api"].startswith("com.google.ai.edge.litert:litert-api:2.2.0 (stock")
    assert record["artifacts"] == {"runtime": "litert.aar", "stock_abis_kept": ["arm64-v8a", "x86_64"]}
    assert sorted(record["op_set"]["builtin_ops"]) == ["ABS", "ADD"]
    sizes = record["sizes"]
    assert json.dumps(sizes).count(str(len(lib))) >= 1, sizes
    assert record["observed"]["toolchain"]["linux-x86_64"]["cxx"] and record["observed"]["min_api_level"] is None
    # The same command again: the same library, no configure.
    again = _build(inputs, "--litert-source", str(root))
    assert again.returncode == 0 and "configuring" not in again.stderr, again.stderr
    with zipfile.ZipFile(out / "litert.aar") as z:
        assert z.read("jni/linux-x86_64/libLiteRt.so") == lib


def test_a_tree_of_another_line_and_an_op_the_tree_lacks_are_refused(tools, inputs):
    older = make_litert2_cmake_tree(inputs / "LiteRT-2.1.6", "2.1.6+")
    r = _build(inputs, "--litert-source", str(older))
    assert r.returncode != 0 and "a LiteRT 2.1.6+ tree, and --litert-version 2.2.0 is 2.2.0; check out the tag v2.2.0" in r.stderr
    root = make_litert2_cmake_tree(inputs / "LiteRT", "2.2.0")
    (inputs / "add.tflite").write_bytes(make_model([builtin(ADD), builtin(4)], [[Op(0), Op(1)]]))
    r = _build(inputs, "--litert-source", str(root))
    assert r.returncode != 0 and "tflite/core/kernels/register.cc: registers no DEPTHWISE_CONV_2D" in r.stderr, r.stderr
    assert not (inputs / "out").exists()


def test_a_release_is_downloaded_from_its_tag(tools, inputs):
    root = make_litert2_cmake_tree(inputs / "LiteRT-2.2.0", "2.2.0")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(root, arcname=root.name)
    with RepoServer(inputs / "served", credentials=None) as server:
        server.serve("v2.2.0.tar.gz", buf.getvalue())
        r = _build(inputs, env={"TFLITE_SLIM_LITERT_ARCHIVE_URL": server.url})
    assert r.returncode == 0, r.stderr
    assert "LiteRT 2.2.0 downloaded into" in r.stderr
    assert (inputs / "out" / "litert.aar").is_file()


def test_the_bazel_spec_is_shown_by_a_dry_run_on_a_checkout(inputs):
    from standin.litert2tree import make_litert2_tree
    root = make_litert2_tree(inputs / "LiteRT", "2.2.0")
    r = tool(inputs, "build", "add.tflite", "--litert-version", "2.2.0", "--backend", "local", "--dry-run",
             "--litert-source", str(root), "--target-archs", "arm64-v8a", "--android-api-level", "26")
    assert r.returncode == 0, r.stderr
    assert "LiteRT 2.2.0: Bazel path (a spec: tflite-slim does not run it yet)" in r.stdout
    assert "tflite/core/kernels/register.cc: keeps ABS, ADD" in r.stdout
    assert ("arm64-v8a: bazel build -c opt --cxxopt=--std=c++17 --config=android_arm64 "
            "--repo_env=HERMETIC_PYTHON_VERSION=3.11 --action_env=ANDROID_NDK_API_LEVEL=26 //litert/kotlin:LiteRt") in r.stdout
    r = tool(inputs, "build", "add.tflite", "--litert-version", "2.2.0", "--backend", "local", "--dry-run")
    assert r.returncode != 0 and "give --litert-source DIR (a checkout of v2.2.0) to see the Bazel spec" in r.stderr


def test_sizes_beside_the_stock_library_in_the_record_and_the_report(tools, inputs, full_library):
    """The stock library stand-in is the same tree's LiteRt with every op (what the stock AAR ships per ABI)."""
    root = make_litert2_cmake_tree(inputs / "LiteRT", "2.2.0")
    stock = full_library
    stock_aar(inputs / "litert-2.2.0.aar", libs={"arm64-v8a": b"stock-arm64", "linux-x86_64": stock})
    r = _build(inputs, "--litert-source", str(root), "--html", "report.html")
    assert r.returncode == 0, r.stderr
    record = json.loads((inputs / "out" / "ops.json").read_text())
    sizes = record["sizes"]["litert.aar"]
    assert "linux-x86_64" in (inputs / "report.html").read_text()
    slim_so, stock_so = sizes["slim"]["so"]["linux-x86_64"], sizes["stock"]["so"]["linux-x86_64"]
    assert stock_so == len(stock) and slim_so < stock_so
    assert sizes["stock_artifact"] == "com.google.ai.edge.litert:litert:2.2.0"
    assert sizes["slim"]["aar"] == (inputs / "out" / "litert.aar").stat().st_size
    pct = round(100 * (stock_so - slim_so) / stock_so)
    assert f"linux-x86_64: {slim_so / 1024:.1f} KiB vs {stock_so / 1024:.1f} KiB (-{pct}%)" in r.stderr, r.stderr


def test_plan_computes_the_version_the_build_publishes_without_a_tree(tools, inputs):
    root = make_litert2_cmake_tree(inputs / "LiteRT", "2.2.0")
    r = _build(inputs, "--litert-source", str(root))
    assert r.returncode == 0, r.stderr
    record = json.loads((inputs / "out" / "ops.json").read_text())
    # No tree, no stock AAR, no toolchain: the developer's machine of the team flow.
    p = tool(inputs, "plan", "add.tflite", "--litert-version", "2.2.0", "--target-archs", "linux-x86_64",
             "--format", "json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["plan_fingerprint"] == record["plan_fingerprint"]
    assert doc["runtime"] == {"group": "io.tfliteslim", "artifact": "litert",
                              "version": f"2.2.0-litert2-slim-{record['plan_fingerprint'][:12]}"}
    assert doc["replaces"] == "com.google.ai.edge.litert:litert:2.2.0" and doc["select_tf_ops"] is None
    text = tool(inputs, "plan", "add.tflite", "--litert-version", "2.2.0", "--target-archs", "linux-x86_64")
    assert "publishes: io.tfliteslim:litert:2.2.0-litert2-slim-" in text.stdout
    # The 1.x table would estimate a 2.x library several times too small: no figure rather than a wrong one.
    assert "size: not estimated for LiteRT 2.x yet" in text.stdout and "MiB" not in text.stdout


def test_the_declared_api_level_is_in_the_version_with_or_without_backend(inputs):
    def fp(*more):
        p = tool(inputs, "plan", "add.tflite", "--litert-version", "2.2.0", "--target-archs", "arm64-v8a",
                 "--format", "json", *more)
        assert p.returncode == 0, p.stderr
        return json.loads(p.stdout)["plan_fingerprint"]

    assert fp("--min-sdk", "26") == fp("--min-sdk", "26", "--backend", "cmake") != fp("--min-sdk", "28")
    r = tool(inputs, "plan", "add.tflite", "--litert-version", "2.1.5")
    assert r.returncode != 0 and "not trimmed" in r.stderr


def test_an_android_abi_builds_with_16kb_pages_and_min_sdk_as_its_level(tools, inputs, full_library):
    """x86_64 through an NDK-shaped toolchain (tests/standin/ndk.py: this machine's clang behind the NDK's
    CMake toolchain file), no --backend named: --min-sdk is the declared level (the build once asked for a
    level it had been given), the library is 16 KB-aligned and carries the level's Android note."""
    from standin.ndk import make_clang_ndk, missing
    from tflite_slim.runtime.artifacts import elf, hostjar
    lacking = missing(("x86_64",))
    if lacking:
        if os.environ.get("CI") == "true":
            pytest.fail(f"apt-get install {lacking}")
        pytest.skip(f"needs {lacking} (apt-get install {lacking})")
    ndk = make_clang_ndk(inputs / "ndk", "27.0.12077973", [26], hostjar.jni_include_dirs(hostjar.find_javac()))
    root = make_litert2_cmake_tree(inputs / "LiteRT", "2.2.0")
    # A stock library that is no ELF file is one line naming it (it was a traceback).
    r = tool(inputs, "build", "add.tflite", "--out", "out", "--litert-version", "2.2.0", "--stock-aar",
             "litert-2.2.0.aar", "--litert-source", str(root), "--target-archs", "x86_64", "--min-sdk", "26",
             "--cache-dir", "cache", env={"ANDROID_NDK_HOME": str(ndk)})
    assert r.returncode != 0 and r.stderr.splitlines()[-1].startswith(
        "error: --stock-aar litert-2.2.0.aar: jni/x86_64/libLiteRt.so is not a shared library (not an ELF file"), r.stderr
    stock_aar(inputs / "litert-2.2.0.aar", libs={"arm64-v8a": b"stock-arm64", "x86_64": full_library})
    r = tool(inputs, "build", "add.tflite", "--out", "out", "--litert-version", "2.2.0", "--stock-aar",
             "litert-2.2.0.aar", "--litert-source", str(root), "--target-archs", "x86_64", "--min-sdk", "26",
             "--cache-dir", "cache", env={"ANDROID_NDK_HOME": str(ndk)})
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(inputs / "out" / "litert.aar") as z:
        lib = z.read("jni/x86_64/libLiteRt.so")
    info = elf.read_elf(lib)
    assert info.header.machine == elf.EM_X86_64 and info.min_load_align >= 16384
    assert kernel_marker("ADD").encode() in lib and kernel_marker("SOFTMAX").encode() not in lib
    record = json.loads((inputs / "out" / "ops.json").read_text())
    assert record["declared"]["android_api_level"] == 26 and record["observed"]["min_api_level"] == 26
    assert record["observed"]["toolchain"]["x86_64"]["ndk_revision"] == "27.0.12077973"
