"""Publishing a LiteRT 2.x build: the slim litert AAR with the stock POM's dependencies (a stand-in stock POM
of Maven's shape; the published litert POMs are on Google's Maven, which this machine cannot reach)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from standin.litert2stock import stock_aar, stock_pom

FP = "ab" * 32
def out_dir(tmp: Path) -> Path:
    out = tmp / "out"
    out.mkdir()
    stock_aar(out / "litert.aar")
    (out / "ops.json").write_text(json.dumps({
        "format_version": 1, "litert": {"version": "2.2.0", "line": "2.2.0", "commit": None},
        "abis": ["arm64-v8a"], "plan_fingerprint": FP,
        "op_set": {"builtin_ops": {"ADD": [1]}, "custom_ops": {}, "flex_ops": []},
        "models": [{"path": "m.tflite", "sha256": "0" * 64}], "artifacts": {"runtime": "litert.aar"},
        "sizes": {}}))
    (tmp / "litert.pom").write_text(stock_pom("2.2.0"))
    return out


def tool(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tflite_slim", *args], capture_output=True, text=True, cwd=cwd)


def test_install_publishes_the_drop_in_with_the_stock_dependencies(tmp_path):
    out = out_dir(tmp_path)
    r = tool(tmp_path, "install", str(out), "--repo", str(tmp_path / "m2"), "--stock-pom", "litert.pom",
             "--coordinates-out", "coords.json")
    assert r.returncode == 0, r.stderr
    version = f"2.2.0-litert2-slim-{FP[:12]}"
    d = tmp_path / "m2" / "io/tfliteslim/litert" / version
    assert (d / f"litert-{version}.aar").read_bytes() == (out / "litert.aar").read_bytes()
    ops = json.loads((d / f"litert-{version}-ops.json").read_text())
    assert ops["op_set"]["builtin_ops"] == {"ADD": [1]} and "models" not in ops
    pom = etree.parse(str(d / f"litert-{version}.pom")).getroot()
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    deps = [(x.findtext("m:groupId", namespaces=ns), x.findtext("m:artifactId", namespaces=ns),
             x.findtext("m:version", namespaces=ns), x.findtext("m:scope", namespaces=ns))
            for x in pom.findall("m:dependencies/m:dependency", ns)]
    # litert-api stays the stock one at the same version; test-scoped dependencies are not the library's.
    assert deps == [("com.google.ai.edge.litert", "litert-api", "2.2.0", "compile"),
                    ("org.jetbrains.kotlin", "kotlin-stdlib", "2.1.0", "runtime")]
    assert pom.findtext("m:properties/m:tfliteSlim.replaces", namespaces=ns) == "com.google.ai.edge.litert:litert:2.2.0"
    coords = json.loads((tmp_path / "coords.json").read_text())
    assert coords["runtime"] == {"group": "io.tfliteslim", "artifact": "litert", "version": version}
    assert coords["replaces"] == "com.google.ai.edge.litert:litert:2.2.0" and coords["select_tf_ops"] is None


@pytest.mark.parametrize("pom,args,said", [
    (None, [], "give --stock-pom FILE, the com.google.ai.edge.litert:litert:2.2.0 POM"),
    (stock_pom("2.1.6"), ["--stock-pom", "x.pom"], "is com.google.ai.edge.litert:litert:2.1.6, not "
                                                                 "com.google.ai.edge.litert:litert:2.2.0"),
    ("<project", ["--stock-pom", "x.pom"], "not a POM"),
    ('<!DOCTYPE p [<!ENTITY e SYSTEM "file:///etc/passwd">]><project xmlns="http://maven.apache.org/POM/4.0.0">'
     "<groupId>&e;</groupId></project>", ["--stock-pom", "x.pom"], "not com.google.ai.edge.litert:litert:2.2.0"),
    (stock_pom("2.2.0").replace("<version>2.1.0</version>", "<version>${kotlin.version}</version>"),
     ["--stock-pom", "x.pom"], "a dependency without a plain group, artifact and version"),
])
def test_a_missing_or_wrong_stock_pom_is_one_line(tmp_path, pom, args, said):
    out_dir(tmp_path)
    if pom is not None:
        (tmp_path / "x.pom").write_text(pom)
    r = tool(tmp_path, "install", "out", "--repo", str(tmp_path / "m2"), *args)
    assert r.returncode != 0 and said in r.stderr, r.stderr
    assert r.stderr.count("\n") == 1 and "root:" not in r.stderr
    assert not (tmp_path / "m2" / "io").exists()


def test_a_1x_build_takes_no_stock_pom(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "ops.json").write_text("{}")
    r = tool(tmp_path, "install", "out", "--repo", str(tmp_path / "m2"), "--stock-pom", "x.pom")
    assert r.returncode != 0 and "--stock-pom is for a LiteRT 2.x build" in r.stderr


def test_a_record_naming_a_file_outside_out_is_refused(tmp_path):
    out = out_dir(tmp_path)
    stock_aar(tmp_path / "elsewhere.aar")
    record = json.loads((out / "ops.json").read_text())
    record["artifacts"]["runtime"] = "../elsewhere.aar"
    (out / "ops.json").write_text(json.dumps(record))
    r = tool(tmp_path, "install", "out", "--repo", str(tmp_path / "m2"), "--stock-pom", "litert.pom")
    assert r.returncode != 0 and "malformed 2.x build record (artifact file name '../elsewhere.aar' is not a plain" in r.stderr, r.stderr
    assert not (tmp_path / "m2" / "io").exists()
