"""The proof on a real LiteRT 2.x tree (issue 28): a trimmed host ``libLiteRt.so`` runs real models through the
CompiledModel C API and through the Java ``Interpreter`` on a desktop JVM, with outputs byte-identical to an
untrimmed build of the same tree and flags, and is smaller.

Nothing is built here (a real build is tens of minutes on two cores): the two libraries are the OUT directories
of two ``tflite-slim build --litert-version 2.x --target-archs linux-x86_64`` runs of the same tree, one for the
models and one for every builtin op::

    TFLITE_SLIM_REAL_LITERT=<the tree, a checkout of the tag>
    TFLITE_SLIM_REAL_LITERT2_OUTS=<trimmed OUT>:<untrimmed OUT>

The models are the trimmed build's own (its ``ops.json``). The C API is driven by ``compiled_model_runner.c``,
the ``Interpreter`` by ``InterpreterRunner.java`` against the Java API the 2.x AAR carries, compiled from the
tree's sources (``litert/kotlin/BUILD``'s ``TFLITE_JAVA_SRCS_ALL``: ten files of ``tflite/java`` copied as they
are, seven of ``litert/kotlin/src/copied_from_tflite`` with changes, ``TensorFlowLite.java`` loading ``LiteRt``).
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from realtools import require

REAL = os.environ.get("TFLITE_SLIM_REAL_LITERT")
OUTS = os.environ.get("TFLITE_SLIM_REAL_LITERT2_OUTS")
HERE = Path(__file__).parent
ABI = "linux-x86_64"
#: litert/kotlin/BUILD (v2.1.6, v2.2.0): TFLITE_JAVA_SRCS_COPIED (from tflite/java/src/main/java) and
#: TFLITE_JAVA_SRCS_COPIED_WITH_CHANGES (litert/kotlin/src/copied_from_tflite/java).
COPIED = ("DataType", "DataTypeUtils", "InterpreterFactory", "NativeInterpreterWrapperExperimental",
          "NativeSignatureRunnerWrapper", "RuntimeFlavor", "Tensor", "TensorImpl", "annotations/UsedByReflection",
          "package-info")
WITH_CHANGES = ("Interpreter", "InterpreterApi", "InterpreterFactoryApi", "InterpreterFactoryImpl", "InterpreterImpl",
                "NativeInterpreterWrapper", "TensorFlowLite")
NONNULL = """package org.checkerframework.checker.nullness.qual;
import java.lang.annotation.ElementType;
import java.lang.annotation.Target;
@Target({ElementType.TYPE_USE, ElementType.TYPE_PARAMETER})
public @interface NonNull {}
"""

pytestmark = pytest.mark.skipif(
    not (REAL and OUTS), reason="TFLITE_SLIM_REAL_LITERT and TFLITE_SLIM_REAL_LITERT2_OUTS (<trimmed OUT>:<untrimmed "
                                "OUT>, two linux-x86_64 builds of that tree) are unset: see docs/litert2.md")


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict:
    trimmed, untrimmed = (Path(p) for p in OUTS.split(":"))
    work = tmp_path_factory.mktemp("real2")
    libs = {}
    for name, out in (("trimmed", trimmed), ("untrimmed", untrimmed)):
        d = work / name
        d.mkdir()
        with zipfile.ZipFile(out / "litert.aar") as z:
            (d / "libLiteRt.so").write_bytes(z.read(f"jni/{ABI}/libLiteRt.so"))
        libs[name] = d / "libLiteRt.so"
    record = json.loads((trimmed / "ops.json").read_text())
    every = json.loads((untrimmed / "ops.json").read_text())
    assert record["litert"]["version"] == every["litert"]["version"]
    assert record["litert"]["commit"] == every["litert"]["commit"]
    return {"libs": libs, "models": [m["path"] for m in record["models"]], "work": work, "record": record,
            "every": every}


def _outputs(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.glob("out*.bin"))}


def test_the_trimmed_library_is_smaller_and_keeps_fewer_ops(builds):
    libs = builds["libs"]
    assert libs["trimmed"].stat().st_size < libs["untrimmed"].stat().st_size
    assert len(builds["record"]["op_set"]["builtin_ops"]) < len(builds["every"]["op_set"]["builtin_ops"])


def _same_on_both(results: dict) -> list:
    """Each model's (ran, outputs) on both libraries must agree: a model LiteRT itself refuses or crashes on
    (variable tensors in CompiledModel, a quantization its checks reject) must do so on the untrimmed build too.
    Returns the models that ran."""
    for model in results["trimmed"]:
        assert results["trimmed"][model][0] == results["untrimmed"][model][0], model
        assert results["trimmed"][model][1] == results["untrimmed"][model][1], model
    return [m for m, (ran, outs) in results["trimmed"].items() if ran and outs]


def test_compiled_model_c_api_outputs_are_byte_identical(builds):
    require("cc", "gcc")
    work = builds["work"]
    runner = work / "compiled_model_runner"
    subprocess.run(["cc", "-std=c11", "-O1", "-o", str(runner), str(HERE / "compiled_model_runner.c"), "-ldl"],
                   check=True)
    results: dict = {"trimmed": {}, "untrimmed": {}}
    for name, lib in builds["libs"].items():
        for n, model in enumerate(builds["models"]):
            out = work / "c" / name / str(n)
            out.mkdir(parents=True)
            r = subprocess.run([str(runner), str(lib), model, str(out)], capture_output=True, text=True, timeout=300)
            results[name][model] = (r.returncode == 0, _outputs(out))
    assert _same_on_both(results)


def test_java_interpreter_outputs_are_byte_identical(builds):
    javac, java = require("javac", "default-jdk-headless"), require("java", "default-jdk-headless")
    work, tree = builds["work"], Path(REAL)
    classes, stubs = work / "classes", work / "stubs" / "org/checkerframework/checker/nullness/qual"
    classes.mkdir()
    stubs.mkdir(parents=True)
    (stubs / "NonNull.java").write_text(NONNULL)
    sources = [tree / "tflite/java/src/main/java/org/tensorflow/lite" / f"{f}.java" for f in COPIED]
    sources += [tree / "litert/kotlin/src/copied_from_tflite/java/org/tensorflow/lite" / f"{f}.java"
                for f in WITH_CHANGES]
    subprocess.run([javac, "--release", "8", "-nowarn", "-encoding", "UTF-8", "-implicit:none", "-sourcepath",
                    str(work / "stubs"), "-d", str(classes), *map(str, sources)], check=True)
    subprocess.run([javac, "-nowarn", "-cp", str(classes), "-d", str(classes), str(HERE / "InterpreterRunner.java")],
                   check=True)
    results: dict = {"trimmed": {}, "untrimmed": {}}
    for name, lib in builds["libs"].items():
        for n, model in enumerate(builds["models"]):
            out = work / "java" / name / str(n)
            out.mkdir(parents=True)
            # One JVM a model: native code that crashes takes only its own model with it (no core, the error
            # file in our directory).
            r = subprocess.run([java, "-XX:+IgnoreUnrecognizedVMOptions", "-XX:-CreateCoredumpOnCrash",
                                f"-XX:ErrorFile={out}/hs_err_%p.log", f"-Djava.library.path={lib.parent}", "-cp",
                                str(classes), "InterpreterRunner", str(out), model],
                               capture_output=True, text=True, timeout=300, cwd=str(out))
            ran = r.returncode == 0 and r.stdout.startswith("ran 0 ")
            results[name][model] = (ran, _outputs(out / "0"))
    assert _same_on_both(results)
