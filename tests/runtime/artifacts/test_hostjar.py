"""The Java API jar: which of the tree's sources go in, the annotation declarations, byte-stable output."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from realtools import require
from tflite_slim.errors import ToolchainError
from tflite_slim.runtime.artifacts import hostjar

API = "java/src/main/java/org/tensorflow/lite"
NNAPI = "delegates/nnapi/java/src/main/java/org/tensorflow/lite/nnapi"


def tree(root: Path) -> Path:
    """A tflite/ directory shaped like LiteRT's Java API (the Checker import as LiteRT's Tensor.java has it)."""
    files = {
        f"{API}/Tensor.java": "package org.tensorflow.lite;\n"
                              "import org.checkerframework.checker.nullness.qual.NonNull;\n"
                              "public interface Tensor { @NonNull int[] shape(); }\n",
        f"{API}/Interpreter.java": "package org.tensorflow.lite;\npublic final class Interpreter {}\n",
        f"{API}/AndroidOnly.java": "package org.tensorflow.lite;\nimport android.content.Context;\n"
                                   "final class AndroidOnly { Context c; }\n",
        f"{NNAPI}/NnApiDelegate.java": "package org.tensorflow.lite.nnapi;\npublic final class NnApiDelegate {}\n",
    }
    lite = root / "tflite"
    for rel, text in files.items():
        (lite / rel).parent.mkdir(parents=True, exist_ok=True)
        (lite / rel).write_text(text)
    return lite


@pytest.mark.parametrize(
    "experimental, names",
    [(True, ["Interpreter.java", "Tensor.java", "NnApiDelegate.java"]), (False, ["Tensor.java", "NnApiDelegate.java"])],
)
def test_sources_leave_out_android_imports_and_without_experimental_the_interpreter(tmp_path, experimental, names):
    assert [p.name for p in hostjar.java_sources(tree(tmp_path), experimental)] == names


def test_a_tree_without_java_sources_is_one_line(tmp_path):
    with pytest.raises(ToolchainError, match="has no Java sources: is this a TFLite tree"):
        hostjar.java_sources(tmp_path, True)


def test_annotation_declarations_for_each_checker_import(tmp_path):
    stubs = hostjar.annotation_stubs(hostjar.java_sources(tree(tmp_path), True))
    assert list(stubs) == ["org/checkerframework/checker/nullness/qual/NonNull.java"]
    assert "public @interface NonNull {}" in stubs["org/checkerframework/checker/nullness/qual/NonNull.java"]


def test_jar_compiles_packages_only_the_tree_and_is_byte_stable(tmp_path):
    require("javac", "default-jdk-headless")
    lite = tree(tmp_path)
    first = hostjar.build_jar(lite, tmp_path / "a.jar", tmp_path / "w1", experimental=True)
    second = hostjar.build_jar(lite, tmp_path / "b.jar", tmp_path / "w2", experimental=True)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as z:
        classes = sorted(n for n in z.namelist() if n.endswith(".class"))
        major = int.from_bytes(z.read("org/tensorflow/lite/Tensor.class")[6:8], "big")
    assert classes == ["org/tensorflow/lite/Interpreter.class", "org/tensorflow/lite/Tensor.class",
                       "org/tensorflow/lite/nnapi/NnApiDelegate.class"]
    assert major == 52  # --release 8


def test_missing_jdk_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    monkeypatch.setattr(hostjar.shutil, "which", lambda name: None)
    with pytest.raises(ToolchainError, match="^the host build needs javac and jni.h from a JDK: install a JDK"):
        hostjar.find_javac()
