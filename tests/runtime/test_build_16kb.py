"""End to end: 16 KB page alignment (``--align-16kb``, ``--alignment-check``) and the ELF check
through ``tflite-slim build`` with the stand-in bazel, which links as the flags it gets say."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from modelmaker import ADD, Op, builtin, make_model
from standin.workspace import BAZEL, make_tensorflow_workspace
from tflite_slim.runtime.builder import BuildSettings, build
from tflite_slim.cli import main
from tflite_slim.runtime.artifacts.elf import read_elf
from tflite_slim.errors import BuildError

FLAG = "--linkopt=-Wl,-z,max-page-size=16384"
ABIS = ("arm64-v8a", "armeabi-v7a", "x86", "x86_64")


@pytest.fixture
def env(tmp_path, monkeypatch):
    ws = make_tensorflow_workspace(tmp_path / "tf")
    monkeypatch.setenv("TFLITE_SLIM_STANDIN_LOG", str(tmp_path / "bazel.log"))
    monkeypatch.setenv("TFLITE_SLIM_CACHE", str(tmp_path / "cache"))
    model = tmp_path / "m/a.tflite"
    model.parent.mkdir()
    model.write_bytes(make_model([builtin(ADD, 1)], [[Op(0)]]))
    return tmp_path, ws, model


def bazel_calls(tmp: Path) -> list[list[str]]:
    log = tmp / "bazel.log"
    return [json.loads(line)["argv"] for line in log.read_text().splitlines()] if log.exists() else []


def settings(ws, model, out, **kw) -> BuildSettings:
    return BuildSettings(models=(str(model),), out=str(out), tensorflow_src=str(ws), bazel=str(BAZEL),
                         abis=ABIS, **kw)


def load_aligns(aar: Path) -> dict[str, int]:
    with zipfile.ZipFile(aar) as z:
        return {abi: read_elf(z.read(f"jni/{abi}/libtensorflowlite_jni.so")).min_load_align for abi in ABIS}


def test_default_links_for_16kb_pages(env):
    tmp, ws, model = env
    result = build(settings(ws, model, tmp / "out"))
    assert FLAG in bazel_calls(tmp)[0]
    assert load_aligns(tmp / "out/tensorflow-lite.aar") == {abi: 16384 for abi in ABIS}
    assert dict(result.reports[0].so_load_align) == {abi: 16384 for abi in ABIS}
    assert result.reports[0].warnings == ()


def test_no_align_16kb_is_another_plan_and_only_warns(env):
    tmp, ws, model = env
    lines: list[str] = []
    default = build(settings(ws, model, tmp / "out"))
    off = build(settings(ws, model, tmp / "out", align_16kb=False), log=lines.append)
    assert off.plan.fingerprint != default.plan.fingerprint and not off.cached
    assert FLAG not in bazel_calls(tmp)[1]
    assert load_aligns(tmp / "out/tensorflow-lite.aar") == {abi: 4096 for abi in ABIS}
    warnings = [line for line in lines if line.startswith("tflite-slim: warning: ")]
    assert len(warnings) == 1
    assert "jni/arm64-v8a/libtensorflowlite_jni.so has a LOAD segment aligned to 4096 bytes" in warnings[0]
    assert "jni/x86_64/" in warnings[0] and "jni/x86/" not in warnings[0] and "armeabi" not in warnings[0]
    record = json.loads((tmp / "out/ops.json").read_text())
    assert record["plan_fingerprint"] == off.plan.fingerprint


def test_no_align_16kb_with_alignment_check_error_fails_and_writes_nothing(env):
    tmp, ws, model = env
    with pytest.raises(BuildError, match="aligned to 4096 bytes, below the 16 KB"):
        build(settings(ws, model, tmp / "out", align_16kb=False, alignment_check="error"))
    assert not (tmp / "out").exists()
    assert not any(p.name for p in (tmp / "cache/builds").iterdir())


def test_a_cache_hit_applies_the_alignment_check_of_this_run(env):
    """The cached AARs are checked once per run: warned about again, or refused when this run says error."""
    tmp, ws, model = env
    first = build(settings(ws, model, tmp / "out", align_16kb=False))
    lines: list[str] = []
    again = build(settings(ws, model, tmp / "out2", align_16kb=False), log=lines.append)
    assert again.cached and again.plan.fingerprint == first.plan.fingerprint
    assert sum(line.startswith("tflite-slim: warning: ") and "aligned to 4096 bytes" in line for line in lines) == 1
    assert len(bazel_calls(tmp)) == 1
    with pytest.raises(BuildError, match="aligned to 4096 bytes, below the 16 KB"):
        build(settings(ws, model, tmp / "out3", align_16kb=False, alignment_check="error"))
    assert not (tmp / "out3").exists() and len(bazel_calls(tmp)) == 1  # refused, not rebuilt as damaged


def test_a_bazel_arg_that_undoes_the_alignment_is_caught(env):
    tmp, ws, model = env
    with pytest.raises(BuildError, match="aligned to 4096 bytes") as e:
        build(settings(ws, model, tmp / "out", bazel_args=("--linkopt=-Wl,-z,max-page-size=4096",)))
    assert "--alignment-check warn" in str(e.value)
    result = build(settings(ws, model, tmp / "out", bazel_args=("--linkopt=-Wl,-z,max-page-size=4096",),
                            alignment_check="warn"), log=lambda line: None)
    assert result.reports[0].warnings


def test_a_library_of_another_abi_fails_the_build(env, monkeypatch):
    tmp, ws, model = env
    monkeypatch.setenv("TFLITE_SLIM_STANDIN_WRONG_ABI", "x86_64")
    with pytest.raises(BuildError, match=r"jni/x86_64/libtensorflowlite_jni.so is ELF32 little-endian EM_ARM "
                                         r"\(32-bit ARM\), but x86_64 needs ELF64 little-endian EM_X86_64"):
        build(settings(ws, model, tmp / "out"))
    assert not (tmp / "out").exists()


def test_cli_options_and_report(env, capsys):
    tmp, ws, model = env
    base = ["build", str(model), "--tensorflow-src", str(ws), "--out", str(tmp / "out"), "--backend", "local", "--bazel", str(BAZEL),
            "--target-archs", "arm64-v8a,armeabi-v7a"]
    assert main(base) == 0
    err = capsys.readouterr().err
    assert "arm64-v8a " in err and "(16 KB pages)" in err
    assert main(base + ["--no-align-16kb"]) == 0
    err = capsys.readouterr().err
    assert "tflite-slim: warning: " in err and "(4 KB pages)" in err
    before = (tmp / "out/tensorflow-lite.aar").read_bytes()
    # Same plan (the check is not part of it): the cached AARs are checked again, and refused.
    assert main(base + ["--no-align-16kb", "--alignment-check", "error"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("tflite-slim: op set unchanged") and len(lines) == 2
    assert lines[1].startswith("error: ") and "below the 16 KB" in lines[1]
    assert (tmp / "out/tensorflow-lite.aar").read_bytes() == before
    with pytest.raises(SystemExit) as e:
        main(base + ["--alignment-check", "never"])
    assert e.value.code == 2


def test_dry_run_shows_the_flag(env, capsys):
    tmp, ws, model = env
    base = ["build", str(model), "--tensorflow-src", str(ws), "--dry-run", "--backend", "local", "--format", "json"]
    assert main(base) == 0
    out = capsys.readouterr().out
    assert FLAG in out and '"align_16kb": true' in out
    assert main(base + ["--no-align-16kb"]) == 0
    out = capsys.readouterr().out
    assert FLAG not in out and '"align_16kb": false' in out
