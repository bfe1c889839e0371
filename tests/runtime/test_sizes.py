"""Sizes before and after: the slim AARs beside the stock runtime, fetched from a Maven repository over HTTP."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from fake_build import make_aar
from modelmaker import ADD, Op, builtin, custom, flex_options, make_model
from repo_server import RepoServer
from standin.workspace import BAZEL, make_tensorflow_workspace
from tflite_slim.cli import main
from tflite_slim.runtime import sizes
from tflite_slim.runtime.artifacts import aar
from tflite_slim.runtime.spec.buildfile import FLEX_TARGET, RUNTIME_TARGET

STOCK_ABIS = ("arm64-v8a", "armeabi-v7a", "x86", "x86_64")
RUNTIME_PATH = "org/tensorflow/tensorflow-lite/2.16.1/tensorflow-lite-2.16.1.aar"


def stock_aar(tmp_path: Path, payload: bytes = b"\0" * 300_000) -> bytes:
    return make_aar(tmp_path / "stock.aar", "org.tensorflow.lite", STOCK_ABIS, payload).read_bytes()


def report(name: str = "tensorflow-lite.aar") -> aar.AarReport:
    return aar.AarReport(name, 20_000, (("arm64-v8a", 50_000), ("armeabi-v7a", 40_000)))


@pytest.fixture
def server(tmp_path: Path):
    with RepoServer(tmp_path / "served", credentials=None) as s:
        yield s


def logged() -> tuple[list[str], object]:
    lines: list[str] = []
    return lines, lines.append


@pytest.mark.parametrize("source,target,expected", [
    ("tensorflow", RUNTIME_TARGET, ("org.tensorflow", "tensorflow-lite", "2.16.1")),
    ("tensorflow", FLEX_TARGET, ("org.tensorflow", "tensorflow-lite-select-tf-ops", "2.16.1")),
    ("litert", RUNTIME_TARGET, ("com.google.ai.edge.litert", "litert", "2.16.1")),
    ("litert", FLEX_TARGET, ("com.google.ai.edge.litert", "litert-select-tf-ops", "2.16.1")),
])
def test_stock_coordinates(source: str, target: str, expected: tuple) -> None:
    assert sizes.stock_coordinates(source, target, "2.16.1") == expected


def test_sizes_are_read_from_the_zip_directory(tmp_path: Path) -> None:
    data = stock_aar(tmp_path)
    with zipfile.ZipFile(tmp_path / "stock.aar") as z:
        got = sizes.sizes_in_zip(z, len(data), aar.RUNTIME_SO)
    assert got == sizes.AarSizes(len(data), tuple((abi, 300_004) for abi in STOCK_ABIS))


def test_fetched_once_then_cached_by_coordinates(server: RepoServer, tmp_path: Path) -> None:
    data = stock_aar(tmp_path)
    server.serve(RUNTIME_PATH, data)
    env = {sizes.ENV_STOCK_REPOSITORY: server.url}
    lines, log = logged()
    rows = sizes.compare([(RUNTIME_TARGET, report())], "tensorflow", "2.16.1", cache=tmp_path / "cache",
                         env=env, log=log)
    assert rows == (sizes.SizeRow("tensorflow-lite.aar", "org.tensorflow:tensorflow-lite:2.16.1",
                                  sizes.AarSizes(20_000, (("arm64-v8a", 50_000), ("armeabi-v7a", 40_000))),
                                  sizes.AarSizes(len(data), tuple((abi, 300_004) for abi in STOCK_ABIS))),)
    assert lines == [f"tflite-slim: fetching the stock org.tensorflow:tensorflow-lite:2.16.1 from {server.url} "
                     "to compare sizes (once; cached)"]
    assert [p.relative_to(tmp_path / "cache").parts[1:] for p in (tmp_path / "cache").rglob("*.json")] == [
        ("org.tensorflow", "tensorflow-lite", "2.16.1.json")]
    count = len(server.requests)
    again = sizes.compare([(RUNTIME_TARGET, report())], "tensorflow", "2.16.1", cache=tmp_path / "cache",
                          env=env, log=log)
    assert again == rows and len(server.requests) == count  # no second request
    assert sizes.render_text(rows) == [
        f"  tensorflow-lite.aar: 19.5 KiB vs stock org.tensorflow:tensorflow-lite:2.16.1 {sizes.human(len(data))} "
        "(arm64-v8a, armeabi-v7a, x86, x86_64)",
        "    arm64-v8a: 48.8 KiB vs 293.0 KiB (-83%)",
        "    armeabi-v7a: 39.1 KiB vs 293.0 KiB (-87%)",
    ]
    assert sizes.to_record(rows)["tensorflow-lite.aar"]["stock"]["so"]["x86"] == 300_004


def test_a_damaged_cache_entry_is_fetched_again(server: RepoServer, tmp_path: Path) -> None:
    server.serve(RUNTIME_PATH, stock_aar(tmp_path))
    key = sizes._key_digest(sizes.repository_key(server.url))
    entry = tmp_path / "cache" / key / "org.tensorflow/tensorflow-lite/2.16.1.json"
    entry.parent.mkdir(parents=True)
    entry.write_text(json.dumps({"format": 2, "repository": server.url, "aar": "big", "so": {}}))
    rows = sizes.compare([(RUNTIME_TARGET, report())], "tensorflow", "2.16.1", cache=tmp_path / "cache",
                         env={sizes.ENV_STOCK_REPOSITORY: server.url}, log=lambda _: None)
    assert rows[0].stock is not None and server.paths() == [f"/maven/{RUNTIME_PATH}"]
    assert json.loads(entry.read_text())["aar"] == rows[0].stock.aar


def test_offline_says_it_could_not_compare_and_asks_once(tmp_path: Path) -> None:
    rows = sizes.compare([(RUNTIME_TARGET, report()), (FLEX_TARGET, report("tensorflow-lite-select-tf-ops.aar"))],
                         "tensorflow", "2.16.1", cache=tmp_path / "cache",
                         env={sizes.ENV_STOCK_REPOSITORY: "http://127.0.0.1:9/offline"}, log=lambda _: None)
    assert [r.stock for r in rows] == [None, None]
    assert rows[0].note is not None and rows[0].note.startswith("GET http://127.0.0.1:9/offline/org/tensorflow/")
    assert rows[1].note == rows[0].note  # the second artifact did not wait for the network again
    text = sizes.render_text(rows)
    assert text[0].startswith("  tensorflow-lite.aar: 19.5 KiB; could not compare with the stock "
                              "org.tensorflow:tensorflow-lite:2.16.1 (GET http://127.0.0.1:9/offline/")
    assert text[0].endswith("; --no-stock-compare skips this")
    assert not (tmp_path / "cache").exists()  # failures are not cached


def test_a_release_the_repository_lacks_is_named(server: RepoServer, tmp_path: Path) -> None:
    rows = sizes.compare([(RUNTIME_TARGET, report())], "tensorflow", "2.16.1", cache=None,
                         env={sizes.ENV_STOCK_REPOSITORY: server.url}, log=lambda _: None)
    assert rows[0].note == f"GET {server.url}/{RUNTIME_PATH} answered 404"


def test_something_that_is_not_an_aar(server: RepoServer, tmp_path: Path) -> None:
    server.serve(RUNTIME_PATH, b"<html>captive portal</html>")
    rows = sizes.compare([(RUNTIME_TARGET, report())], "tensorflow", "2.16.1", cache=tmp_path / "c",
                         env={sizes.ENV_STOCK_REPOSITORY: server.url}, log=lambda _: None)
    assert rows[0].stock is None and "not an AAR" in str(rows[0].note)


def test_build_prints_records_and_skips(server: RepoServer, tmp_path: Path, monkeypatch, capsys) -> None:
    """The CLI end to end with the stand-in Bazel: text on stderr, ``sizes`` in ops.json, not in the ops artifact."""
    ws = make_tensorflow_workspace(tmp_path / "tf")
    monkeypatch.setenv("TFLITE_SLIM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv(sizes.ENV_STOCK_REPOSITORY, server.url)
    server.serve(RUNTIME_PATH, stock_aar(tmp_path))
    model = tmp_path / "m.tflite"
    model.write_bytes(make_model([builtin(ADD, 1)], [[Op(0)]]))
    base = ["build", str(model), "--source", str(ws), "--backend", "local", "--bazel", str(BAZEL)]
    assert main([*base, "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "sizes against the stock runtime of the same release:\n  tensorflow-lite.aar: " in err
    assert " vs stock org.tensorflow:tensorflow-lite:2.16.1 " in err and "    arm64-v8a: " in err
    record = json.loads((tmp_path / "out/ops.json").read_text())
    assert record["sizes"]["tensorflow-lite.aar"]["stock"]["so"]["x86_64"] == 300_004
    assert record["sizes"]["tensorflow-lite.aar"]["stock_artifact"] == "org.tensorflow:tensorflow-lite:2.16.1"
    slim_so = dict(aar.check_aar(str(tmp_path / "out/tensorflow-lite.aar"), ("arm64-v8a", "armeabi-v7a"),
                                 aar.RUNTIME_SO).so_sizes)
    assert record["sizes"]["tensorflow-lite.aar"]["slim"]["so"] == slim_so

    # --no-stock-compare: nothing fetched, the record says so; the published ops artifact is the same either way.
    count = len(server.requests)
    assert main([*base, "--out", str(tmp_path / "out2"), "--no-stock-compare"]) == 0
    assert len(server.requests) == count
    entry = json.loads((tmp_path / "out2/ops.json").read_text())["sizes"]["tensorflow-lite.aar"]
    assert entry["stock"] is None and entry["stock_unavailable"] == "not compared: --no-stock-compare"
    size = sizes.human((tmp_path / "out2/tensorflow-lite.aar").stat().st_size)
    assert f"  tensorflow-lite.aar: {size} (stock comparison skipped: --no-stock-compare)\n" in capsys.readouterr().err
    repo = tmp_path / "m2"
    for out in ("out", "out2"):
        assert main(["install", str(tmp_path / out), "--repo", str(repo)]) == 0
    assert capsys.readouterr().out.count("unchanged:") == 1


def test_build_html_has_the_size_chart_and_is_checked_first(server: RepoServer, tmp_path: Path, monkeypatch,
                                                             capsys) -> None:
    ws = make_tensorflow_workspace(tmp_path / "tf")
    monkeypatch.setenv("TFLITE_SLIM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("TFLITE_SLIM_STANDIN_LOG", str(tmp_path / "bazel.log"))
    monkeypatch.setenv(sizes.ENV_STOCK_REPOSITORY, server.url)
    server.serve(RUNTIME_PATH, stock_aar(tmp_path))
    model = tmp_path / "m.tflite"
    model.write_bytes(make_model([builtin(ADD, 1)], [[Op(0)]]))
    base = ["build", str(model), "--source", str(ws), "--backend", "local", "--bazel", str(BAZEL), "--out", str(tmp_path / "out")]
    # Inside OUT, or a symlink: refused before anything runs.
    assert main([*base, "--html", str(tmp_path / "out/report.html")]) == 2
    assert "which the build replaces as a whole" in capsys.readouterr().err
    (tmp_path / "link.html").symlink_to(tmp_path / "elsewhere.html")
    assert main([*base, "--html", str(tmp_path / "link.html")]) == 2
    assert "symlink" in capsys.readouterr().err
    # One of the inputs (i19's rule for every output file): analyze -o m.tflite replaced the model with a page.
    before = model.read_bytes()
    assert main([*base, "--html", str(model)]) == 2
    assert f"error: --html {model}: is the input {model}" in capsys.readouterr().err
    assert model.read_bytes() == before
    assert not (tmp_path / "bazel.log").exists() and not (tmp_path / "out").exists()
    assert main([*base, "--html", str(tmp_path / "report.html")]) == 0
    page = (tmp_path / "report.html").read_text()
    assert "<h2>Runtime size: slim vs stock</h2>" in page and "<td>arm64-v8a</td>" in page
    assert "stock 293.0 KiB" in page and "<h2>Operators</h2>" in page and "Operators x models (matrix)" in page


def test_the_cache_is_per_repository(server: RepoServer, tmp_path: Path) -> None:
    """Issue 29 #13: one mirror's (or a hostile server's) numbers never answer for another repository."""
    server.serve(RUNTIME_PATH, stock_aar(tmp_path, b"\0" * 10))  # a mirror with odd numbers, asked first
    cache = tmp_path / "cache"
    first = sizes.compare([(RUNTIME_TARGET, report())], "tensorflow", "2.16.1", cache=cache,
                          env={sizes.ENV_STOCK_REPOSITORY: f"http://u:pw@127.0.0.1:{server.url.split(':')[2]}"},
                          log=lambda _: None)
    with RepoServer(tmp_path / "other", credentials=None) as other:
        data = stock_aar(tmp_path)
        other.serve(RUNTIME_PATH, data)
        rows = sizes.compare([(RUNTIME_TARGET, report())], "tensorflow", "2.16.1", cache=cache,
                             env={sizes.ENV_STOCK_REPOSITORY: other.url}, log=lambda _: None)
        assert other.paths() == [f"/maven/{RUNTIME_PATH}"]
    assert first[0].stock is not None and first[0].stock.so[0][1] == 14
    assert rows[0].stock == sizes.AarSizes(len(data), tuple((abi, 300_004) for abi in STOCK_ABIS))
    entries = sorted(p for p in cache.rglob("*.json"))
    assert len(entries) == 2
    assert not any("pw" in p.read_text() or "pw" in str(p) for p in entries)  # credentials never in the key
