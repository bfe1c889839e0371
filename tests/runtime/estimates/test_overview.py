"""What plan and build --dry-run tell a person: pure parts over data."""

from __future__ import annotations

import re

import pytest

from tflite_slim.analysis.opset import FlexOp, ModelOps, OpSet
from tflite_slim.runtime.estimates import build_time, overview, size_model


def _model(path: str, builtin=None, custom=None, flex=()) -> ModelOps:
    return ModelOps(path, "0" * 64, 1, 1, OpSet(builtin or {}, custom or {}, tuple(FlexOp(f) for f in flex)))


def test_each_op_with_its_versions_and_models() -> None:
    models = [_model("/m/a.tflite", {"ADD": (1,), "CONV_2D": (1, 3)}, {"MyOp": (1,)}),
              _model("/n/b.tflite", {"ADD": (2,)}, flex=("AddV2",)),
              _model("/o/a.tflite", {"ADD": (1,)})]  # the same name in another folder: listed once
    assert overview.op_uses(models) == (
        overview.OpUse("ADD", "builtin", (1, 2), ("a.tflite", "b.tflite")),
        overview.OpUse("CONV_2D", "builtin", (1, 3), ("a.tflite",)),
        overview.OpUse("MyOp", "custom", (1,), ("a.tflite",)),
        overview.OpUse("AddV2", "flex", (), ("b.tflite",)),
    )


@pytest.mark.parametrize("source, version, coordinates, note", [
    ("tensorflow", "2.14.0", "org.tensorflow:tensorflow-lite:2.14.0", ""),
    ("tensorflow", "2.99.0", "org.tensorflow:tensorflow-lite:2.16.1", "2.99.0 not measured"),
    ("litert", "1.4.1", "org.tensorflow:tensorflow-lite:2.16.1", "LiteRT's own AAR is on Google's Maven"),
])
def test_the_stock_runtime_to_compare_with(source, version, coordinates, note) -> None:
    facts, why = overview.stock_reference(source, version)
    assert facts is not None and facts.coordinates == coordinates and note in why
    assert (why == "") == (note == "")


def _overview(**changes) -> overview.Overview:
    table = size_model.parse_level({"aar_fixed": 0, "abis": {"linux-x86_64": {
        "proxy_for": "x86_64", "floor": 1048576, "unmeasured_op": 1048576, "own": {}, "stored_ratio": 0.5}}})
    rows, aar, notes = overview.estimate_sizes(["ADD"], ["x86_64", "x86"], table)
    base = dict(release="LiteRT 1.4.1", fingerprint="f" * 64, abis=("x86_64", "x86"), models=2,
                ops=(overview.OpUse("ADD", "builtin", (1, 2), ("a.tflite", "b.tflite", "c.tflite", "d.tflite")),),
                backend="cmake", backend_reason="why", downloads=("it",),
                time=build_time.estimate(build_time.load(), 20, 2, 4), time_note="", sizes=rows, aar=aar,
                stock=None, size_notes=notes)
    return overview.Overview(**{**base, **changes})


def test_render_text() -> None:
    assert overview.render_text(_overview()) == [
        "2 models, 1 op, LiteRT 1.4.1, ABIs x86_64, x86",
        "plan ffffffffffff",
        "",
        "Ops and the models that use them:",
        "  ADD v1-2  a.tflite, b.tflite, c.tflite +1 more",
        "",
        "Backend: cmake (TFLite's CMake build, no Bazel): why",
        "Downloads:",
        "  it",
        "Build time: ~9 min on this machine's 4 CPUs (first build: 2 ABIs x 1,046 CPU-s, 20 kernel files each)",
        "",
        "Estimated size, trimmed vs stock:",
        "  x86_64  native library 2.00 MiB; in the AAR 1.00 MiB",
        "  AAR     1.00 MiB",
        "  x86_64: measured as linux-x86_64, its desktop twin",
        "  no estimate for x86: no measured table reaches it",
    ]


def test_render_text_without_downloads_or_time() -> None:
    lines = overview.render_text(_overview(downloads=(), time=None, time_note="measured for --backend cmake only"))
    assert lines[7:10] == ["Downloads:", "  nothing", "Build time: not estimated (measured for --backend cmake only)"]


def test_a_cmake_dry_run_counts_the_kernel_files_the_tree_compiles(tmp_path, capsys, monkeypatch) -> None:
    """With the tree at hand, the build time counts what the op set compiles (ADD: add.cc and the shared
    kernel_util.cc), and the dry run shows no Bazel BUILD file; --format json has every detail."""
    import json

    from modelmaker import ADD, Op, builtin, make_model
    from standin.workspace import copy_cmake_tree, local_dependency_args
    from tflite_slim.cli import main

    copy_cmake_tree(tmp_path)
    model = tmp_path / "add.tflite"
    model.write_bytes(make_model([builtin(ADD)], [[Op(0)]]))
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    argv = ["build", str(model), "--backend", "cmake", "--target-archs", "host", "--source", str(tmp_path / "litert"),
            "--cache-dir", str(tmp_path / "cache"), "--dry-run", "--tensorflow-source-dir", str(tmp_path / "tensorflow"),
            *local_dependency_args(tmp_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    # 840 CPU-s + 2 x 10.3: one ABI on 4 CPUs.
    assert ("Build time: ~4 min on this machine's 4 CPUs (first build: 1 ABI x 861 CPU-s, 2 kernel files each)\n"
            in out)
    assert "Backend: cmake (TFLite's CMake build, no Bazel): declared with --backend\n" in out
    assert "  linux-x86_64  native library " in out and "BUILD file" not in out and "Problems" not in out
    assert "tflite_custom_android_library" not in out
    assert re.search(r"\nCommands it would run:\n  \S*cmake -G Ninja", out), out
    assert main([*argv, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["build_file"] is None and doc["estimates"]["build_time"]["kernel_files"] == 2
    assert sorted(doc) == ["build_file", "commands", "estimates", "notes", "package_files", "plan", "problems",
                           "registration"]
    assert "Register_ADD" in doc["registration"] and doc["plan"]["backend"] == {"backend": "cmake", "opt_level": "O2", "xnnpack": "on"}
    # The default build: the -O2 table with XNNPACK's bytes, and the notes say so.
    assert doc["estimates"]["for"] == {"opt_level": "O2", "xnnpack": True}
    notes = doc["estimates"]["notes"]
    assert any(n.startswith("with the XNNPACK delegate (the default; --no-xnnpack leaves it out): ")
               and " x86_64 +1.65 MiB" in n and n.endswith(", measured at -O2") for n in notes), notes
    assert any("with --backend cmake at -O2 " in n for n in notes), notes
    default = doc["estimates"]["sizes"]["linux-x86_64"]["so"]["value"]
    # --opt-level Os --no-xnnpack: the -Os table, no XNNPACK; each smaller, and said so.
    smaller = []
    for extra, note in ((["--no-xnnpack"], "without the XNNPACK delegate (--no-xnnpack)"),
                        (["--opt-level", "Os", "--no-xnnpack"], "with --backend cmake at -Os ")):
        assert main([*argv, *extra, "--format", "json"]) == 0
        est = json.loads(capsys.readouterr().out)["estimates"]
        assert any(note in n for n in est["notes"]), est["notes"]
        smaller.append(est["sizes"]["linux-x86_64"]["so"]["value"])
    assert default > smaller[0] > smaller[1], (default, smaller)
    assert main([*argv, "--opt-level", "O3"]) == 0
    assert "-O3 is not measured one op at a time: the -O2 table times the -O3/-O2 ratio" in capsys.readouterr().out


def test_flex_and_custom_sources_are_named_as_not_estimated(tmp_path, capsys) -> None:
    from modelmaker import ADD, Op, builtin, custom, flex_options, make_model
    from standin.workspace import make_tensorflow_workspace
    from tflite_slim.cli import main

    ws = make_tensorflow_workspace(tmp_path / "tf")
    model = tmp_path / "f.tflite"
    model.write_bytes(make_model([builtin(ADD, 1), custom("FlexAddV2"), custom("MyOp")],
                                 [[Op(0), Op(1, custom_options=flex_options("AddV2", {"T": 1})), Op(2)]]))
    src = tmp_path / "my_op.cc"
    src.write_text("// TfLiteRegistration* Register_MY_OP()\n")
    assert main(["plan", str(model), "--tensorflow-src", str(ws), "--custom-ops-src", str(src),
                 "--cache-dir", str(tmp_path / "cache")]) == 0
    out = capsys.readouterr().out
    assert "  MyOp v1 (custom)  f.tflite\n  AddV2 (flex)      f.tflite\n" in out
    assert ("  the Select TF ops AAR (Flex ops) is not estimated; stock "
            "org.tensorflow:tensorflow-lite-select-tf-ops:2.14.0: 117.24 MiB\n") in out
    assert "  your custom ops count as an average op each: their sources' own size is not known\n" in out
    assert "publishes io.tfliteslim:tensorflow-lite-select-tf-ops:2.16.1-slim-" in out
