"""The measured stock-size table: its facts against a real stock AAR, and when a build may use them."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import pytest

from tflite_slim.runtime import sizes
from tflite_slim.runtime.artifacts import aar, stock
from tflite_slim.runtime.spec.buildfile import RUNTIME_TARGET

#: The real stock AAR .ci/run fetches from Maven Central with Maven (``mvn dependency:get``).
REAL = Path.home() / ".m2/repository/org/tensorflow/tensorflow-lite/2.16.1/tensorflow-lite-2.16.1.aar"
CENTRAL = sizes.STOCK_REPOSITORIES["tensorflow"]


def test_the_shipped_table_reads_back_and_every_runtime_has_four_abis() -> None:
    source, facts = stock.table()
    assert "repo1.maven.org" in source
    runtimes = [f for c, f in facts.items() if c.startswith("org.tensorflow:tensorflow-lite:")]
    assert len(runtimes) >= 5
    for f in facts.values():
        assert f.url == sizes.stock_url(CENTRAL, *f.coordinates.split(":"))
        assert {abi for abi, _ in f.so} == {"arm64-v8a", "armeabi-v7a", "x86", "x86_64"}, f.coordinates
        # Stored (deflated) bytes are below the library's, and the libraries fit in the AAR.
        assert all(s < n for (_, s), (_, n) in zip(f.so_stored, f.so))
        assert sum(s for _, s in f.so_stored) < f.aar


def test_the_table_matches_the_real_stock_aar() -> None:
    if not REAL.is_file():
        message = f"{REAL} is absent (mvn dependency:get -Dartifact=org.tensorflow:tensorflow-lite:2.16.1:aar)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; .ci/run fetches it")
        pytest.skip(message)
    facts = stock.known("org.tensorflow:tensorflow-lite:2.16.1", CENTRAL)
    assert facts is not None
    data = REAL.read_bytes()
    assert hashlib.sha1(data).hexdigest() == facts.sha1
    with zipfile.ZipFile(REAL) as z:
        measured = sizes.sizes_in_zip(z, len(data), aar.RUNTIME_SO)
    assert measured == sizes.AarSizes(facts.aar, facts.so)


def _refusing_client():
    raise AssertionError("the table describes this artifact: nothing may be fetched")


def test_a_build_compares_with_the_table_without_fetching() -> None:
    report = aar.AarReport("tensorflow-lite.aar", 700_000, (("arm64-v8a", 1_500_000),))
    rows = sizes.compare([(RUNTIME_TARGET, report)], "tensorflow", "2.16.1", cache=None, env={},
                         client_factory=_refusing_client, log=lambda _: None)
    facts = stock.known("org.tensorflow:tensorflow-lite:2.16.1", CENTRAL)
    assert rows[0].stock == sizes.AarSizes(facts.aar, facts.so) and rows[0].note is None


def test_another_repository_answers_for_itself(tmp_path: Path) -> None:
    """A mirror (or a hostile server) is asked: the table only speaks for the repository it was read from."""
    assert stock.known("org.tensorflow:tensorflow-lite:2.16.1", "http://127.0.0.1:9/mirror") is None
    report = aar.AarReport("tensorflow-lite.aar", 700_000, (("arm64-v8a", 1_500_000),))
    rows = sizes.compare([(RUNTIME_TARGET, report)], "tensorflow", "2.16.1", cache=None,
                         env={sizes.ENV_STOCK_REPOSITORY: "http://127.0.0.1:9/mirror"}, log=lambda _: None)
    assert rows[0].stock is None and "127.0.0.1:9" in rows[0].note


@pytest.mark.parametrize("text", [
    "[]",
    json.dumps({"format": 99, "artifacts": []}),
    json.dumps({"format": 1, "artifacts": [{"coordinates": "a:b:1", "url": "u", "sha1": "s", "aar": "big",
                                            "so": {}, "so_stored": {}}]}),
    json.dumps({"format": 1, "artifacts": [{"coordinates": "a:b:1", "url": "u", "sha1": "s", "aar": 1,
                                            "so": {"x86": -1}, "so_stored": {}}]}),
])
def test_a_damaged_table_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        stock.parse(text)


def test_the_docs_table_is_the_shipped_table() -> None:
    """docs/cli.md's table of measured stock sizes is the data the tool ships."""
    readme = (Path(__file__).resolve().parents[3] / "docs" / "cli.md").read_text()
    facts = stock.table()[1]
    for coordinates, f in facts.items():
        artifact, version = coordinates.split(":")[1:]
        label = version if artifact == "tensorflow-lite" else f"select-tf-ops {version}"
        so = dict(f.so)
        row = " | ".join(f"{n:,}" for n in (f.aar, so["arm64-v8a"], so["armeabi-v7a"], so["x86"], so["x86_64"]))
        assert f"| {label}" in readme and row in readme, coordinates
