"""Build output directory -> artifacts to publish."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from fake_build import BASIC, WITH_FLEX, make_aar, make_build_out
from tflite_slim.maven import publication
from tflite_slim.maven.coordinates import CoordinateChoice, Coordinates
from tflite_slim.errors import UsageError

NS = {"m": "http://maven.apache.org/POM/4.0.0"}


def names(artifact: publication.Artifact) -> list[str]:
    return [f.name for f in artifact.files]


def test_runtime_only(tmp_path: Path, pom_xsd: Path) -> None:
    out = make_build_out(tmp_path / "out", BASIC)
    record = json.loads((out / "ops.json").read_text())
    pub = publication.from_build_dir(out)
    v = f"2.16.1-slim-{record['plan_fingerprint'][:12]}"
    assert pub.select_tf_ops is None
    assert pub.runtime.coordinates == Coordinates("io.tfliteslim", "tensorflow-lite", v)
    assert names(pub.runtime) == [
        f"tensorflow-lite-{v}.aar", f"tensorflow-lite-{v}-ops.json", f"tensorflow-lite-{v}.pom"
    ]
    assert pub.runtime.files[0].read_bytes() == (out / "tensorflow-lite.aar").read_bytes()
    published = json.loads(pub.runtime.files[1].read_bytes())
    assert "models" not in published
    assert published == {k: v for k, v in record.items() if k != "models"}
    schema = etree.XMLSchema(etree.parse(str(pom_xsd)))
    assert schema.validate(etree.fromstring(pub.runtime.files[2].read_bytes()))


def test_with_flex(tmp_path: Path, pom_xsd: Path) -> None:
    out = make_build_out(tmp_path / "out", WITH_FLEX)
    pub = publication.from_build_dir(out, CoordinateChoice(group="com.example", version="1.0"))
    assert [str(a.coordinates) for a in pub.artifacts] == [
        "com.example:tensorflow-lite:1.0",
        "com.example:tensorflow-lite-select-tf-ops:1.0",
    ]
    flex_pom = etree.fromstring(pub.select_tf_ops.files[-1].read_bytes())
    assert etree.XMLSchema(etree.parse(str(pom_xsd))).validate(flex_pom)
    assert flex_pom.findtext("m:dependencies/m:dependency/m:version", namespaces=NS) == "[1.0]"
    assert pub.select_tf_ops.files[0].source == out / "tensorflow-lite-select-tf-ops.aar"


def test_same_op_set_same_version(tmp_path: Path) -> None:
    a = publication.from_build_dir(make_build_out(tmp_path / "a", BASIC, payload=b"1"))
    b = publication.from_build_dir(make_build_out(tmp_path / "b", BASIC, payload=b"2"))
    c = publication.from_build_dir(make_build_out(tmp_path / "c", WITH_FLEX))
    assert a.runtime.coordinates == b.runtime.coordinates != c.runtime.coordinates


def _edit_record(out: Path, **changes) -> None:
    record = json.loads((out / "ops.json").read_text())
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    (out / "ops.json").write_text(json.dumps(record))


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"format_version": 2}, "format_version 2"),
        ({"tensorflow": None}, "missing key 'tensorflow'"),
        ({"plan_fingerprint": "xyz"}, "plan_fingerprint 'xyz'"),
        ({"artifacts": {"runtime": "../evil.aar", "select_tf_ops": None}}, "not a plain .aar file name"),
        ({"artifacts": {"runtime": "missing.aar", "select_tf_ops": None}}, "missing.aar: AAR not found"),
        ({"op_set": "nope"}, "malformed build record"),
    ],
)
def test_bad_records(tmp_path: Path, changes: dict, message: str) -> None:
    out = make_build_out(tmp_path / "out", BASIC)
    _edit_record(out, **changes)
    with pytest.raises(UsageError, match=message):
        publication.from_build_dir(out)


def test_flex_ops_without_flex_aar(tmp_path: Path) -> None:
    out = make_build_out(tmp_path / "out", WITH_FLEX)
    _edit_record(out, artifacts={"runtime": "tensorflow-lite.aar", "select_tf_ops": None})
    with pytest.raises(UsageError, match="has Flex ops but artifacts.select_tf_ops is null"):
        publication.from_build_dir(out)


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda d: None, "no such directory"),
        (lambda d: d.mkdir(), "ops.json: not found"),
        (lambda d: (d.mkdir(), (d / "ops.json").write_text("{")), "not a readable build record"),
    ],
)
def test_not_a_build_dir(tmp_path: Path, setup, message: str) -> None:
    out = tmp_path / "out"
    setup(out)
    with pytest.raises(UsageError, match=message):
        publication.from_build_dir(out)


def test_check_aar(tmp_path: Path) -> None:
    (tmp_path / "x.aar").write_bytes(b"not a zip")
    with pytest.raises(UsageError, match="not a zip file"):
        publication.check_aar(tmp_path / "x.aar")
    with zipfile.ZipFile(tmp_path / "y.aar", "w") as z:
        z.writestr("classes.jar", b"")
    with pytest.raises(UsageError, match="no AndroidManifest.xml"):
        publication.check_aar(tmp_path / "y.aar")
    publication.check_aar(make_aar(tmp_path / "z.aar", "p", ["x86_64"]))


def test_from_aar(tmp_path: Path, pom_xsd: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(pom_xsd)))
    aar = make_aar(tmp_path / "my.aar", "p", ["x86_64"])
    c = Coordinates("com.example", "mine", "3")
    pub = publication.from_aar(aar, c)
    assert names(pub.runtime) == ["mine-3.aar", "mine-3.pom"]
    generic = etree.fromstring(pub.runtime.files[-1].read_bytes())
    assert schema.validate(generic), schema.error_log
    assert generic.findtext("m:packaging", namespaces=NS) == "aar"
    assert generic.find("m:dependencies", NS) is None
    out = make_build_out(tmp_path / "out", BASIC)
    (out / "ops.json").rename(tmp_path / "record.json")
    pub = publication.from_aar(aar, c, tmp_path / "record.json")
    assert names(pub.runtime) == ["mine-3.aar", "mine-3-ops.json", "mine-3.pom"]
    described = etree.fromstring(pub.runtime.files[-1].read_bytes())
    assert schema.validate(described), schema.error_log
    assert "CONV_2D v1,2,3" in described.findtext("m:description", namespaces=NS)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"tensorflow": {"version": "2.16.1\u0001", "commit": None}}, r"tensorflow.version '2.16.1\\x01'"),
        ({"tensorflow": {"version": "2.16.1\ud800", "commit": None}}, r"tensorflow.version '2.16.1\\ud800'"),
        ({"tensorflow": {"version": 2.16, "commit": None}}, "tensorflow.version 2.16 is not a string"),
        ({"tensorflow": {"version": "2.16.1", "commit": "ab\u0001"}}, r"tensorflow.commit 'ab\\x01'"),
        ({"abis": ["arm64-v8a\u0001"]}, r"abis entry 'arm64-v8a\\x01'"),
        ({"abis": "arm64-v8a"}, "abis 'arm64-v8a' is not a list"),
    ],
)
def test_record_text_that_goes_into_the_pom_is_checked(tmp_path: Path, changes: dict, message: str) -> None:
    """With --version the record's TensorFlow version is not parsed for the default: it still lands in the POM.

    Control characters or lone surrogates there made lxml raise (a traceback) while writing the POM.
    """
    out = make_build_out(tmp_path / "out", BASIC)
    _edit_record(out, **changes)
    with pytest.raises(UsageError, match=f"malformed build record \\({message}"):
        publication.from_build_dir(out, CoordinateChoice(version="1"))
