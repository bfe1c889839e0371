"""LiteRT 2.x release lines: told apart by tag and by tree, and refused with the line's reason."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from modelmaker import ADD, builtin, make_model, Op
from repo_server import RepoServer
from standin.litert2tree import TAGS, make_litert2_tree
from standin.workspace import make_litert_workspace
from tflite_slim.cli import main
from tflite_slim.errors import UsageError
from tflite_slim.runtime.trees import litert2
from tflite_slim.runtime.trees.tfsource import check_version
from tflite_slim.runtime.trees.layout import LITERT


@pytest.mark.parametrize(
    "version, line",
    [
        ("2.0.2", "2.0.x"), ("2.0.3", "2.0.x"), ("2.0.2a1", "2.0.x"),
        ("2.1.0", "2.1.0-2.1.5"), ("2.1.0rc1", "2.1.0-2.1.5"), ("2.1.5", "2.1.0-2.1.5"),
        ("2.1.6", "2.1.6+"),
        ("2.2.0", "2.2.0"),
        # Not read: no fact is guessed for them.
        ("2.1.7", None), ("2.2.1", None), ("2.3.0", None),
    ],
)
def test_line_of_a_release(version: str, line) -> None:
    found = litert2.line_of_version(version)
    assert (found.name if found else None) == line


def test_a_release_on_no_known_line_is_refused() -> None:
    with pytest.raises(UsageError, match=r"^--litert-version 3\.0\.0: the slim runtime is LiteRT's 1\.x Interpreter "
                                         r"line .*LiteRT has no release line 3\.x that tflite-slim has read"):
        check_version("3.0.0", LITERT)
    check_version("1.4.1", LITERT)


@pytest.mark.parametrize("version", ["1.4.1", "3.0.0", "latest"])
def test_line_of_version_takes_only_2x(version: str) -> None:
    with pytest.raises(ValueError):
        litert2.line_of_version(version)


@pytest.mark.parametrize(
    "version, says",
    [
        ("2.0.3", "LiteRT 2.0.x (litert: liblitert_jni.so, libLiteRtRuntimeCApi.so): not trimmed: its kernels sit "
                  "in libLiteRtRuntimeCApi.so"),
        ("2.1.0", "LiteRT 2.1.0-2.1.5 (litert: libLiteRt.so): not trimmed: its libLiteRt.so also holds the "
                  "CompiledModel JNI (litert/kotlin/src/main/jni), which no CMake file of the tree builds"),
        # A line that is trimmed, asked where 2.x is not built (a plan, a dry run, Bazel): how to build it.
        ("2.1.6", "LiteRT 2.1.6+ (litert-api: liblitert_jni.so; litert: libLiteRt.so) is trimmed by `tflite-slim "
                  "build --litert-version 2.1.6 --backend cmake --stock-aar FILE`"),
        ("2.2.0", "(a drop-in for com.google.ai.edge.litert:litert:2.2.0); `tflite-slim plan` gives its coordinates and "
                  "--backend local --dry-run --litert-source DIR the Bazel spec"),
        ("2.3.0", "newer than those tflite-slim has read (up to v2.2.0)"),
    ],
)
def test_a_2x_release_is_refused_with_its_lines_reason(version: str, says: str) -> None:
    with pytest.raises(UsageError) as e:
        check_version(version, LITERT)
    message = str(e.value)
    assert message.startswith(f"--litert-version {version}: ") and says in message
    assert "\n" not in message and ("keep the stock" in message or "is trimmed by" in message)


def test_the_cli_refuses_a_2x_release_before_any_download(tmp_path: Path, capsys, monkeypatch) -> None:
    model = tmp_path / "m.tflite"
    model.write_bytes(make_model([builtin(ADD)], [[Op(0)]]))
    with RepoServer(tmp_path / "served") as server:
        monkeypatch.setenv("TFLITE_SLIM_LITERT_ARCHIVE_URL", server.url)
        code = main(["build", str(model), "--litert-version", "2.1.5", "--out", str(tmp_path / "o"),
                     "--cache-dir", str(tmp_path / "cache"), "--no-stock-compare"])
        assert server.requests == []
    assert code == UsageError.exit_code
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("error: --litert-version 2.1.5: LiteRT 2.1.0-2.1.5")
    assert err[-1].endswith("keep the stock com.google.ai.edge.litert:litert:2.1.5, or move the app to litert "
                            "2.1.6 or later")
    assert not any(line.startswith("error:") for line in err[:-1])
    assert not (tmp_path / "cache" / "litert").exists() and not (tmp_path / "o").exists()


@pytest.mark.parametrize("line", sorted(TAGS))
def test_line_of_a_standin_tree(tmp_path: Path, line: str) -> None:
    assert litert2.line_of_tree(make_litert2_tree(tmp_path / "t", line)).name == line


def test_version_bzl_does_not_name_the_release(tmp_path: Path) -> None:
    """v2.1.6 says LITERT_EXPERIMENTAL_VERSION 2.2.0: the files tell it from v2.2.0, not that number."""
    root = make_litert2_tree(tmp_path / "t", "2.1.6+")
    assert litert2.experimental_version(root) == "2.2.0"
    assert litert2.line_of_tree(root).name == "2.1.6+"


def test_trees_without_a_2x_line(tmp_path: Path) -> None:
    # A 1.x tag has litert/kotlin too, but no LITERT_EXPERIMENTAL_VERSION.
    v141 = make_litert_workspace(tmp_path / "v141", version="1.4.1", tag="v1.4.1")
    (v141 / "litert/kotlin").mkdir(parents=True)
    (v141 / "litert/kotlin/BUILD").write_text("")
    assert litert2.line_of_tree(v141) is None
    # A tree that says 2.x but has no litert/kotlin/BUILD builds no 2.x runtime.
    assert litert2.line_of_tree(make_litert_workspace(tmp_path / "head")) is None


def test_a_2x_checkout_builds_its_1x_line_and_says_so(tmp_path: Path, capsys, monkeypatch) -> None:
    sdk = tmp_path / "sdk"
    monkeypatch.delenv("ANDROID_HOME", raising=False)
    root = make_litert2_tree(tmp_path / "litert", "2.1.0-2.1.5")
    model = tmp_path / "m.tflite"
    model.write_bytes(make_model([builtin(ADD)], [[Op(0)]]))
    main(["build", str(model), "--source", str(root), "--dry-run", "--backend", "local", "--bazel", "bazel",
          "--out", str(tmp_path / "o"), "--sdk", str(sdk)])
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert (f"tflite-slim: note: {root.resolve()} is a LiteRT 2.1.0-2.1.5 tree; this builds its 1.x Interpreter "
            "line (tflite/java, libtensorflowlite_jni.so, version 1.5.0)") in said


REAL = os.environ.get("TFLITE_SLIM_REAL_LITERT")


@pytest.mark.skipif(not REAL, reason="TFLITE_SLIM_REAL_LITERT is unset: set it to a LiteRT checkout or git dir to "
                                     "check the 2.x lines' facts at its tags")
@pytest.mark.parametrize("line", litert2.LINES, ids=lambda line: line.name)
def test_facts_at_the_real_tags(line: litert2.ReleaseLine) -> None:
    """Each line's distinguishing files, libraries and loads, read at every tag it names."""
    def show(tag: str, path: str):
        r = subprocess.run(["git", "-C", str(REAL), "show", f"{tag}:{path}"], capture_output=True, text=True)
        return r.stdout if r.returncode == 0 else None

    for tag in line.tags:
        assert show(tag, litert2.KOTLIN_BUILD) is not None, tag
        assert (show(tag, litert2.TWO_ARTIFACTS) is not None) == (line.name in ("2.1.6+", "2.2.0")), tag
        assert (show(tag, litert2.RUNTIME_EXPORT) is not None) == (line.name == "2.2.0"), tag
        copied = show(tag, litert2.INTERPRETER_COPY)
        assert (copied is not None) == line.interpreter_api, tag
        if copied:
            assert f'LIB_NAME = "{line.interpreter_loads}"' in copied, tag
        env = show(tag, "litert/kotlin/src/main/kotlin/com/google/ai/edge/litert/Environment.kt")
        assert f'System.loadLibrary("{line.kotlin_loads}")' in env, tag
        build = show(tag, litert2.KOTLIN_BUILD)
        for target in line.targets:
            assert f'name = "{target.rsplit(":", 1)[1]}"' in build, (tag, target)
        assert show(tag, "litert/version.bzl").count("LITERT_EXPERIMENTAL_VERSION") == 1, tag
    assert show("v1.4.1", "litert/version.bzl").count("LITERT_EXPERIMENTAL_VERSION") == 0
