"""``tflite-slim analyze`` end to end, run as a user runs it (``python -m tflite_slim``)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import modelmaker as mm


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tflite_slim", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    assets = tmp_path / "assets"
    (assets / "nested").mkdir(parents=True)
    (assets / "detect.tflite").write_bytes(
        mm.make_model([mm.builtin(mm.CONV_2D, 2), mm.builtin(mm.CUMSUM)], [[mm.Op(0), mm.Op(1)]])
    )
    (assets / "nested" / "text.tflite").write_bytes(
        mm.make_model([mm.custom("FlexAddV2")], [[mm.Op(0, mm.flex_options("AddV2", {"T": mm.DT_INT32}))]])
    )
    (assets / "extra.bin").write_bytes(mm.make_model([mm.builtin(mm.ADD, 3)], [[mm.Op(0)]]))
    return tmp_path


def test_text_report_by_default(app: Path) -> None:
    r = cli("analyze", "assets", cwd=app)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert "assets/detect.tflite" in r.stdout and "CUMSUM" in r.stdout and "AddV2" in r.stdout
    assert "union of 2 models" in r.stdout
    assert "ADD " not in r.stdout  # extra.bin is not picked without --glob


def test_json_to_stdout_and_file(app: Path) -> None:
    r = cli("analyze", "assets", "--glob", "*.tflite", "--glob", "*.bin", "--format", "json", cwd=app)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [m["path"] for m in doc["models"]] == [
        "assets/detect.tflite",
        "assets/extra.bin",
        "assets/nested/text.tflite",
    ]
    assert doc["union"]["builtin_ops"] == {"ADD": [3], "CONV_2D": [2], "CUMSUM": [1]}
    assert doc["union"]["flex_details"] == [{"op": "AddV2", "attrs": {"T": "DT_INT32"}}]
    assert doc["errors"] == []
    r2 = cli(
        "analyze", "assets", "--glob", "*.tflite", "--glob", "*.bin", "--format", "json", "-o", "out.json", cwd=app
    )
    assert r2.returncode == 0 and r2.stdout == ""
    assert (app / "out.json").read_text() == r.stdout  # byte-stable across runs


def test_explicit_file_is_analyzed_whatever_its_name(app: Path) -> None:
    r = cli("analyze", "assets/extra.bin", "--format", "json", cwd=app)
    assert r.returncode == 0
    assert json.loads(r.stdout)["union"]["builtin_ops"] == {"ADD": [3]}


def test_bad_file_reported_others_analyzed_exit_1(app: Path) -> None:
    (app / "assets" / "zzz.tflite").write_bytes(b"PK\x03\x04 definitely a zip")
    r = cli("analyze", "assets", "--format", "json", "--html", "report.html", cwd=app)
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        "error: assets/zzz.tflite: not a TFLite flatbuffer (no TFL3 identifier at bytes 4..8)",
        "HTML report: report.html",  # where the page went: stdout holds the report itself
    ]
    doc = json.loads(r.stdout)
    assert len(doc["models"]) == 2
    assert doc["errors"] == [
        {"path": "assets/zzz.tflite", "error": "not a TFLite flatbuffer (no TFL3 identifier at bytes 4..8)"}
    ]
    page = (app / "report.html").read_text()
    assert "zzz.tflite" in page and "CUMSUM" in page


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "error: no model path given"),
        (("nowhere",), "error: nowhere: no such file or directory"),
        (("assets", "--glob", "*.onnx"), "error: no model files matching *.onnx found under assets"),
    ],
)
def test_usage_errors_exit_2_without_traceback(app: Path, args, message: str) -> None:
    r = cli("analyze", *args, cwd=app)
    assert r.returncode == 2
    assert r.stderr.startswith(message) and len(r.stderr.splitlines()) == 1
    assert "Traceback" not in r.stderr


def test_output_not_written_on_usage_error(app: Path) -> None:
    r = cli("analyze", "nowhere", "-o", "out.json", cwd=app)
    assert r.returncode == 2 and not (app / "out.json").exists()


def test_corpus_end_to_end(shared_models: Path, expected: dict, tmp_path: Path) -> None:
    r = cli("analyze", str(shared_models), "--glob", "*.tflite", "--glob", "*.bin", "--format", "json", cwd=tmp_path)
    assert r.returncode == 1  # the corpus holds ten non-models on purpose
    doc = json.loads(r.stdout)
    assert len(doc["models"]) + len(doc["errors"]) == len(expected)
    assert len(doc["errors"]) == sum(1 for v in expected.values() if "error" in v)
    by_rel = {str(Path(m["path"]).relative_to(shared_models)): m for m in doc["models"]}
    for rel, want in expected.items():
        if "error" not in want:
            assert by_rel[rel]["builtin_ops"] == want["builtin_ops"], rel


def test_html_into_a_fifo_is_written_through(app: Path) -> None:
    """`--html pipe` feeds the reader, as a shell redirection would, and the FIFO stays a FIFO."""
    fifo = app / "report.pipe"
    os.mkfifo(fifo)
    got: list = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    r = cli("analyze", "assets", "--html", str(fifo), cwd=app)
    reader.join(30)
    assert r.returncode == 0, r.stderr
    assert got and got[0].startswith(b"<!DOCTYPE html>") and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_output_through_a_symlink_is_refused(app: Path) -> None:
    (app / "real.json").write_text("keep")
    (app / "out.json").symlink_to("real.json")
    r = cli("analyze", "assets", "--format", "json", "-o", "out.json", cwd=app)
    assert r.returncode == 2 and r.stderr == (
        "error: out.json: cannot write the report (it is a symlink, not a regular file; refusing to replace it)\n"
    )
    assert (app / "out.json").is_symlink() and (app / "real.json").read_text() == "keep"


def test_html_to_a_character_device_keeps_the_device(app: Path) -> None:
    """As root, `--html /dev/null` used to rename a temp file over the device node."""
    device = app / "null"
    try:  # a /dev/null of our own, so a regression cannot break the machine's
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        device.open("wb").close()
    except OSError:  # not root, or a nodev file system: the real one, written through
        device = Path("/dev/null")
    before = os.lstat(device)
    r = cli("analyze", "assets", "--html", str(device), "-o", str(device), cwd=app)
    after = os.lstat(device)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_custom_code_with_terminal_escapes_is_one_error_not_raw_output(tmp_path: Path) -> None:
    (tmp_path / "evil.tflite").write_bytes(
        mm.make_model([mm.custom("Evil\x1b]0;pwned\x07\x1b[2J")], [[mm.Op(0)]])
    )
    (tmp_path / "ok.tflite").write_bytes(mm.make_model([mm.builtin(mm.ADD)], [[mm.Op(0)]]))
    r = cli("analyze", ".", cwd=tmp_path)
    assert r.returncode == 1
    assert "\x1b" not in r.stdout + r.stderr
    assert "error: ./evil.tflite: operator code 0: custom code 'Evil\\x1b]0;pwned" in r.stderr
    assert "ADD" in r.stdout
    # What analyze writes, verify reads back (before, verify refused the document with exit 2).
    r = cli("analyze", "ok.tflite", "--format", "json", "-o", "ops.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = cli("verify", "--ops", "ops.json", "evil.tflite", cwd=tmp_path)
    assert r.returncode == 1 and "\x1b" not in r.stderr


@pytest.mark.parametrize("output", ["stdout", "-o", "--html"])
def test_file_name_that_is_not_utf8_is_reported_as_its_bytes(output: str, tmp_path: Path) -> None:
    # Python decodes such a name with lone surrogates; encoding the report as plain UTF-8
    # ended in a UnicodeEncodeError traceback (always for -o/--html, for stdout when strict).
    models = os.fsencode(tmp_path) + b"/d"
    os.mkdir(models)
    with open(models + b"/m\xff.tflite", "wb") as f:
        f.write(mm.make_model([mm.builtin(mm.ADD)], [[mm.Op(0)]]))
    extra = {"stdout": [], "-o": ["-o", "report.txt"], "--html": ["--html", "report.html"]}[output]
    r = subprocess.run(
        [sys.executable, "-m", "tflite_slim", "analyze", "d", *extra], cwd=tmp_path, capture_output=True,
        timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    assert r.stderr == (b"HTML report: report.html\n" if output == "--html" else b"")
    written = r.stdout if output == "stdout" else (tmp_path / extra[1]).read_bytes()
    assert b"d/m\xff.tflite" in written


def test_verify_ok_line_for_an_ops_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    # print() of the name under a strict stdout (PYTHONIOENCODING=utf-8) ended in a traceback after a passing check.
    (tmp_path / "m.tflite").write_bytes(mm.make_model([mm.builtin(mm.ADD)], [[mm.Op(0)]]))
    assert cli("analyze", "m.tflite", "--format", "json", "-o", "ops.json", cwd=tmp_path).returncode == 0
    os.rename(tmp_path / "ops.json", os.fsencode(tmp_path) + b"/ops\xff.json")
    r = subprocess.run(
        [sys.executable.encode(), b"-m", b"tflite_slim", b"verify", b"--ops", b"ops\xff.json", b"m.tflite"],
        cwd=tmp_path, capture_output=True, timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert (r.returncode, r.stdout, r.stderr) == (0, b"ok: the runtime in ops\xff.json covers the 1 model\n", b"")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["{m}", "-o", "{m}"], "error: -o {m}: is the input {m}, which writing there would replace"),
        (["{a}", "--html", "{m}"], "error: --html {m}: is the input {m}, which writing there would replace"),
        (["{a}", "--format", "json", "-o", "{m}"], "error: -o {m}: is the input {m}, which writing there"),
        (["{a}", "-o", "{a}/r.txt", "--html", "{a}/r.txt"], "error: -o and --html name the same file"),
    ],
)
def test_an_output_that_is_an_input_is_refused(app: Path, argv: list[str], message: str) -> None:
    """`analyze m.tflite -o m.tflite` replaced the model with the report, exit 0."""
    model = app / "assets" / "detect.tflite"
    before = model.read_bytes()
    fill = {"m": str(model), "a": str(app / "assets")}
    done = cli(*[a.format(**fill) for a in ["analyze", *argv]], cwd=app)
    assert done.returncode == 2
    assert message.format(**fill) in done.stderr and "Traceback" not in done.stderr
    assert model.read_bytes() == before
    assert not (app / "assets" / "r.txt").exists()
