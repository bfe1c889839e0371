"""maven-metadata(-local).xml: parse what Maven writes, merge, write schema-valid bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tflite_slim.maven import repometa
from tflite_slim.maven.coordinates import Coordinates

C = Coordinates("io.tfliteslim", "tensorflow-lite", "2.0")
METADATA_XSD = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "repository-metadata-1.1.0.xsd"

# What Maven 3.8's install plugin leaves (no namespace), trimmed to the essentials.
MAVEN_38 = b"""<?xml version="1.0" encoding="UTF-8"?>
<metadata>
  <groupId>io.tfliteslim</groupId>
  <artifactId>tensorflow-lite</artifactId>
  <versioning>
    <release>1.0</release>
    <versions>
      <version>0.9</version>
      <version>1.0</version>
    </versions>
    <lastUpdated>20240101120000</lastUpdated>
  </versioning>
</metadata>
"""


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    if not METADATA_XSD.is_file():
        pytest.skip("../shared/schemas is not present")
    return etree.XMLSchema(etree.parse(str(METADATA_XSD)))


@pytest.mark.parametrize(
    "existing, version, versions, latest, release",
    [
        (None, "2.0", ("2.0",), "2.0", "2.0"),
        (MAVEN_38, "2.0", ("0.9", "1.0", "2.0"), "2.0", "2.0"),
        (MAVEN_38, "1.0", ("0.9", "1.0"), "1.0", "1.0"),
        (MAVEN_38, "3.0-SNAPSHOT", ("0.9", "1.0", "3.0-SNAPSHOT"), "3.0-SNAPSHOT", "1.0"),
    ],
)
def test_merge(existing, version, versions, latest, release, schema) -> None:
    c = Coordinates(C.group, C.artifact, version)
    data = repometa.merged(existing, c, "20260101000000")
    schema.assertValid(etree.fromstring(data))
    meta = repometa.parse(data, c)
    got = (meta.versions, meta.latest, meta.release, meta.last_updated)
    assert got == (versions, latest, release, "20260101000000")


def test_render_is_byte_stable_and_ours_round_trips() -> None:
    meta = repometa.Metadata("g", "a", ("1", "2"), "2", "2", "20260101000000")
    data = repometa.render(meta)
    assert data == repometa.render(meta)
    assert repometa.parse(data, Coordinates("g", "a", "1")) == meta


@pytest.mark.parametrize(
    "data, message",
    [
        (b"<metadata><groupId>x", "not well-formed"),
        (b"<project/>", "not <metadata>"),
        (
            b"<metadata><groupId>other</groupId><artifactId>tensorflow-lite</artifactId></metadata>",
            "other:tensorflow-lite",
        ),
    ],
)
def test_parse_refuses(data: bytes, message: str) -> None:
    with pytest.raises(repometa.MetadataError, match=message):
        repometa.parse(data, C)


@pytest.mark.parametrize(
    "now, text",
    [(0, "19700101000000"), (1700000000, "20231114221320"), (1767225599, "20251231235959")],
)
def test_timestamp(now: float, text: str) -> None:
    assert repometa.timestamp(now) == text


def test_timestamp_honours_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert repometa.timestamp() == "20231114221320"
