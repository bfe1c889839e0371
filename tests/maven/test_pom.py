"""POMs: schema-valid, byte-stable, and with the dependencies that avoid duplicate classes."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tflite_slim.maven import pom
from tflite_slim.maven.coordinates import Coordinates
from tflite_slim.analysis.opset import FlexOp, OpSet

NS = {"m": pom.POM_NS}
RUNTIME = Coordinates("io.tfliteslim", "tensorflow-lite", "2.16.1-slim-0123456789ab")
FLEX = Coordinates("io.tfliteslim", "tensorflow-lite-select-tf-ops", "2.16.1-slim-0123456789ab")
OPS = OpSet({"ADD": (1, 2), "CONV_2D": (1, 2, 3)}, ("MyCustom",), (FlexOp("AddV2", (("T", "DT_FLOAT"),)),))


def facts(ops: OpSet = OPS, commit: str = None) -> pom.BuildFacts:
    return pom.BuildFacts("2.16.1", commit, ops, ("arm64-v8a", "x86_64"), "ab" * 32)


def validate(data: bytes, xsd: Path) -> etree._Element:
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    doc = etree.fromstring(data)
    schema.assertValid(doc)
    return doc


def test_runtime_pom(pom_xsd: Path) -> None:
    doc = validate(pom.runtime_pom(RUNTIME, facts()), pom_xsd)
    assert doc.findtext("m:groupId", namespaces=NS) == "io.tfliteslim"
    assert doc.findtext("m:artifactId", namespaces=NS) == "tensorflow-lite"
    assert doc.findtext("m:version", namespaces=NS) == RUNTIME.version
    assert doc.findtext("m:packaging", namespaces=NS) == "aar"
    assert doc.findtext("m:name", namespaces=NS) == "TensorFlow Lite 2.16.1 slim runtime (2 builtin ops, 1 custom ops)"
    desc = doc.findtext("m:description", namespaces=NS)
    assert "ADD v1,2; CONV_2D v1,2,3" in desc and "MyCustom" in desc and "2.16.1" in desc
    # The slim AAR carries the Java API: any dependency would duplicate classes.
    assert doc.find("m:dependencies", NS) is None
    assert doc.findtext("m:properties/m:tfliteSlim.planFingerprint", namespaces=NS) == "ab" * 32


def test_select_tf_ops_pom_pins_runtime(pom_xsd: Path) -> None:
    doc = validate(pom.select_tf_ops_pom(FLEX, RUNTIME, facts(commit="deadbeef")), pom_xsd)
    deps = doc.findall("m:dependencies/m:dependency", NS)
    assert [(d.findtext("m:groupId", namespaces=NS), d.findtext("m:artifactId", namespaces=NS),
             d.findtext("m:version", namespaces=NS), d.findtext("m:type", namespaces=NS)) for d in deps] == [
        ("io.tfliteslim", "tensorflow-lite", "[2.16.1-slim-0123456789ab]", "aar")
    ]
    assert "AddV2" in doc.findtext("m:description", namespaces=NS)
    assert "commit deadbeef" in doc.findtext("m:description", namespaces=NS)
    assert doc.findtext("m:name", namespaces=NS) == "TensorFlow Lite 2.16.1 slim Select TF ops (1 TensorFlow ops)"


@pytest.mark.parametrize("group, artifact", pom.API_ARTIFACTS)
def test_never_depends_on_the_api_artifacts(group: str, artifact: str) -> None:
    with pytest.raises(ValueError, match=artifact):
        pom.render_pom(RUNTIME, name="n", description="d", dependencies=[Coordinates(group, artifact, "2.16.1")])


def test_byte_stable() -> None:
    reordered = OpSet({"CONV_2D": (1, 2, 3), "ADD": (1, 2)}, ("MyCustom",), OPS.flex_ops)
    assert pom.runtime_pom(RUNTIME, facts()) == pom.runtime_pom(RUNTIME, facts(reordered))
    assert pom.runtime_pom(RUNTIME, facts()).startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<project")


@pytest.mark.parametrize(
    "ops, text",
    [
        (OpSet(), "none"),
        (OpSet({"ADD": (1,)}), "ADD v1"),
        (OpSet({"SUB": (1, 2), "ADD": (3,)}), "ADD v3; SUB v1,2"),
    ],
)
def test_describe_builtin_ops(ops: OpSet, text: str) -> None:
    assert pom.describe_builtin_ops(ops) == text


def test_special_characters_are_escaped(pom_xsd: Path) -> None:
    data = pom.render_pom(RUNTIME, name="a <b> & c", description='"quoted" & <tag>')
    doc = validate(data, pom_xsd)
    assert doc.findtext("m:name", namespaces=NS) == "a <b> & c"


def test_every_corpus_model_gives_a_valid_pom(expected: dict, pom_xsd: Path) -> None:
    """Real op sets: one POM pair per model of the shared corpus, plus their union."""
    schema = etree.XMLSchema(etree.parse(str(pom_xsd)))
    sets = []
    for path, entry in sorted(expected.items()):
        if "builtin_ops" not in entry:
            continue
        ops = OpSet(
            {k: tuple(v) for k, v in entry["builtin_ops"].items()},
            tuple(entry.get("custom_ops", ())),
            tuple(FlexOp(n if isinstance(n, str) else n["op"]) for n in entry.get("flex_ops", ())),
        )
        sets.append(ops)
    assert len(sets) > 100
    for ops in sets + [OpSet.union(sets)]:
        runtime = etree.fromstring(pom.runtime_pom(RUNTIME, facts(ops)))
        flex = etree.fromstring(pom.select_tf_ops_pom(FLEX, RUNTIME, facts(ops)))
        assert schema.validate(runtime), schema.error_log
        assert schema.validate(flex), schema.error_log
        assert f"({len(ops.builtin_ops)} builtin ops" in runtime.findtext("m:name", namespaces=NS)
        assert f"({len(ops.flex_op_names)} TensorFlow ops)" in flex.findtext("m:name", namespaces=NS)
        description = runtime.findtext("m:description", namespaces=NS)
        assert all(f"{name} v" in description for name in ops.builtin_ops)
        assert all(name in flex.findtext("m:description", namespaces=NS) for name in ops.flex_op_names)


def test_litert_poms_are_schema_valid_and_say_litert(pom_xsd: Path) -> None:
    """LiteRT builds: the same POM shape, named after LiteRT, with the source recorded as a property."""
    litert = pom.BuildFacts("2.1.6", "c0ffee", OPS, ("arm64-v8a",), "cd" * 32, source="litert")
    runtime = Coordinates("io.tfliteslim", "litert", "2.1.6-litert-slim-cdcdcdcdcdcd")
    flex = Coordinates("io.tfliteslim", "litert-select-tf-ops", runtime.version)
    rt = validate(pom.runtime_pom(runtime, litert), pom_xsd)
    fx = validate(pom.select_tf_ops_pom(flex, runtime, litert), pom_xsd)
    assert rt.findtext("m:name", namespaces=NS) == "LiteRT 2.1.6 slim runtime (2 builtin ops, 1 custom ops)"
    assert fx.findtext("m:name", namespaces=NS) == "LiteRT 2.1.6 slim Select TF ops (1 TensorFlow ops)"
    assert rt.find("m:dependencies", NS) is None
    assert [d.findtext("m:artifactId", namespaces=NS) for d in fx.findall("m:dependencies/m:dependency", NS)] == [
        "litert"]
    for doc in (rt, fx):
        assert doc.findtext("m:properties/m:tfliteSlim.source", namespaces=NS) == "litert"
        assert "LiteRT 2.1.6 (commit c0ffee)" in doc.findtext("m:description", namespaces=NS)
    # A TensorFlow build's POM has no source property: its bytes stay what they were before LiteRT support.
    assert b"tfliteSlim.source" not in pom.runtime_pom(RUNTIME, facts())
