"""Build output directory -> artifacts to publish."""

from __future__ import annotations

import io
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


def test_host_only_build_publishes_a_classifier_jar_and_no_aar(tmp_path: Path, pom_xsd: Path) -> None:
    out = make_build_out(tmp_path / "out", BASIC, abis=("linux-x86_64",), payload=b"host")
    pub = publication.from_build_dir(out)
    c = pub.runtime.coordinates
    assert names(pub.runtime) == [c.file_name("jar", "linux-x86_64"), c.file_name("json", "ops"), c.file_name("pom")]
    with zipfile.ZipFile(io.BytesIO(pub.runtime.files[0].read_bytes())) as jar:
        assert jar.read("jni/linux-x86_64/libtensorflowlite_jni.so") == b"\x7fELFhost"
        assert "META-INF/MANIFEST.MF" in jar.namelist() and "AndroidManifest.xml" not in jar.namelist()
    doc = etree.fromstring(pub.runtime.files[2].read_bytes())
    assert etree.XMLSchema(etree.parse(str(pom_xsd))).validate(doc)
    # No main artifact: a consumer without the classifier gets nothing, never a host library as an AAR.
    assert doc.findtext("m:packaging", namespaces=NS) == "pom"
    assert "classifier linux-x86_64" in doc.findtext("m:description", namespaces=NS)
    # Byte-stable: the same build gives the same jar.
    assert publication.from_build_dir(out).runtime.files[0].read_bytes() == pub.runtime.files[0].read_bytes()


def test_mixed_build_publishes_the_aar_and_the_host_jar_side_by_side(tmp_path: Path) -> None:
    out = make_build_out(tmp_path / "out", BASIC, abis=("arm64-v8a", "linux-x86_64"))
    pub = publication.from_build_dir(out)
    c = pub.runtime.coordinates
    assert names(pub.runtime) == [c.file_name("aar"), c.file_name("jar", "linux-x86_64"), c.file_name("json", "ops"),
                                  c.file_name("pom")]
    assert etree.fromstring(pub.runtime.files[-1].read_bytes()).findtext("m:packaging", namespaces=NS) == "aar"
    with zipfile.ZipFile(io.BytesIO(pub.runtime.files[0].read_bytes())) as published:
        assert not [n for n in published.namelist() if "linux" in n]  # no desktop library in an APK
        assert "jni/arm64-v8a/libtensorflowlite_jni.so" in published.namelist()


def test_host_aar_missing_its_library_is_one_line(tmp_path: Path) -> None:
    out = make_build_out(tmp_path / "out", BASIC, abis=("linux-x86_64",))
    record = json.loads((out / "ops.json").read_text())
    (out / "ops.json").write_text(json.dumps(dict(record, abis=["linux-aarch64"])))
    with pytest.raises(UsageError, match=r"needs classes.jar and jni/linux-aarch64/libtensorflowlite_jni.so"):
        publication.from_build_dir(out)


def test_a_host_aar_never_goes_in_as_the_main_aar(tmp_path: Path) -> None:
    aar = make_aar(tmp_path / "host.aar", "org.tensorflow.lite", ["linux-x86_64"])
    with pytest.raises(UsageError, match=r"a host build \(linux-x86_64\), not an Android AAR"):
        publication.from_aar(aar, Coordinates("g", "a", "1"))
    mixed = make_aar(tmp_path / "mixed.aar", "org.tensorflow.lite", ["arm64-v8a", "linux-x86_64"])
    # Android and desktop: as from_build_dir, the desktop library is the classifier jar, not in the AAR.
    assert names(publication.from_aar(mixed, Coordinates("g", "a", "1")).runtime) == [
        "a-1.aar", "a-1-linux-x86_64.jar", "a-1.pom"]
