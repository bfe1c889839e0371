"""End to end: `tflite-slim build` with the stand-in bazel, small models, the cache and OUT."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import pytest

from modelmaker import ADD, CONV_2D, Op, builtin, custom, flex_options, make_model
from standin.workspace import BAZEL, make_tensorflow_workspace
from tflite_slim.runtime.builder import BuildSettings, build, prepare
from tflite_slim.cli import build_parser, main
from tflite_slim.runtime.backends.cmake.backend import FLEX_NEEDS_BAZEL
from tflite_slim.errors import BuildError, ToolchainError, UsageError
from tflite_slim.analysis.opset import opset_from_json

MUL = 18


def model(ops, weights=b"") -> bytes:
    """A model with one operator per opcode; ``weights`` changes bytes, not ops."""
    codes = [builtin(c, v) for c, v in ops]
    return make_model(codes, [[Op(i) for i in range(len(codes))]], buffers=[weights] if weights else ())


def flex_model() -> bytes:
    return make_model(
        [builtin(ADD, 1), custom("FlexAddV2")],
        [[Op(0), Op(1, custom_options=flex_options("AddV2", {"T": 1}))]],
    )


@pytest.fixture
def env(tmp_path, monkeypatch):
    ws = make_tensorflow_workspace(tmp_path / "tf")
    log = tmp_path / "bazel.log"
    monkeypatch.setenv("TFLITE_SLIM_STANDIN_LOG", str(log))
    monkeypatch.setenv("TFLITE_SLIM_CACHE", str(tmp_path / "cache"))
    (tmp_path / "m").mkdir()
    return tmp_path, ws, log


def invocations(log: Path) -> list[list[str]]:
    return [json.loads(l)["argv"] for l in log.read_text().splitlines()] if log.exists() else []


def settings(ws, models, out, **kw) -> BuildSettings:
    return BuildSettings(models=tuple(str(m) for m in models), out=str(out), tensorflow_src=str(ws),
                         bazel=str(BAZEL), **kw)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_build_runtime_only(env):
    tmp, ws, log = env
    a = write(tmp / "m/a.tflite", model([(ADD, 1), (CONV_2D, 3)]))
    result = build(settings(ws, [a], tmp / "out"))
    assert not result.cached
    assert sorted(os.listdir(tmp / "out")) == [".tflite-slim-build", "ops.json", "tensorflow-lite.aar"]
    record = json.loads((tmp / "out/ops.json").read_text())
    assert record["format_version"] == 1
    assert record["tensorflow"] == {"version": "2.16.1", "commit": None}
    assert record["abis"] == ["arm64-v8a", "armeabi-v7a"]
    assert record["artifacts"] == {"runtime": "tensorflow-lite.aar", "select_tf_ops": None}
    assert record["plan_fingerprint"] == result.plan.fingerprint
    assert record["models"] == [{"path": str(a), "sha256": hashlib.sha256(a.read_bytes()).hexdigest()}]
    assert opset_from_json(record).builtin_ops == {"ADD": (1,), "CONV_2D": (3,)}
    names = zipfile.ZipFile(tmp / "out/tensorflow-lite.aar").namelist()
    assert "proguard.txt" in names and "jni/arm64-v8a/libtensorflowlite_jni.so" in names
    assert [r.file_name for r in result.reports] == ["tensorflow-lite.aar"]
    assert dict(result.reports[0].so_sizes).keys() == {"arm64-v8a", "armeabi-v7a"}
    assert len(invocations(log)) == 1
    assert not (ws / "tflite_slim_build").exists()  # generated package cleaned up


def test_flex_build_two_aars_with_build_aar_sh_flags(env):
    tmp, ws, log = env
    f = write(tmp / "m/f.tflite", flex_model())
    result = build(settings(ws, [f], tmp / "out"))
    assert sorted(os.listdir(tmp / "out")) == [".tflite-slim-build", "ops.json", "tensorflow-lite-select-tf-ops.aar", "tensorflow-lite.aar"]
    calls = invocations(log)
    assert [c[-1].split(":")[1] for c in calls] == ["tensorflow-lite", "tensorflow-lite-select-tf-ops"]
    # build_aar.sh builds both custom AARs with the same flags; neither gets --config=monolithic.
    assert calls[1][:-1] == calls[0][:-1] and not any("monolithic" in a for c in calls for a in c)
    flex = zipfile.ZipFile(tmp / "out/tensorflow-lite-select-tf-ops.aar")
    assert "org.tensorflow.lite.flex.FlexDelegate" in flex.read("proguard.txt").decode()
    assert "jni/armeabi-v7a/libtensorflowlite_flex_jni.so" in flex.namelist()
    assert json.loads((tmp / "out/ops.json").read_text())["op_set"]["flex_ops"] == ["AddV2"]
    assert result.plan.has_flex


def test_cache_hit_and_miss(env):
    tmp, ws, log = env
    a = write(tmp / "m/a.tflite", model([(ADD, 1), (CONV_2D, 1)], weights=b"\x01" * 64))
    build(settings(ws, [a], tmp / "out"))
    first = (tmp / "out/tensorflow-lite.aar").read_bytes()
    assert len(invocations(log)) == 1
    # Retrained: same ops, other weights -> same plan, no Bazel run, same AAR bytes.
    write(a, model([(ADD, 1), (CONV_2D, 1)], weights=b"\x02" * 64))
    again = build(settings(ws, [a], tmp / "out"))
    assert again.cached and len(invocations(log)) == 1
    assert (tmp / "out/tensorflow-lite.aar").read_bytes() == first
    record = json.loads((tmp / "out/ops.json").read_text())
    assert record["models"][0]["sha256"] != "" and record["plan_fingerprint"] == again.plan.fingerprint
    # New op -> miss.
    write(a, model([(ADD, 1), (CONV_2D, 1), (MUL, 1)]))
    assert not build(settings(ws, [a], tmp / "out")).cached
    assert len(invocations(log)) == 2
    # New version of an op -> miss.
    write(a, model([(ADD, 1), (CONV_2D, 2), (MUL, 1)]))
    assert not build(settings(ws, [a], tmp / "out")).cached
    assert len(invocations(log)) == 3
    # Other ABI set -> miss, and the ABI is what Bazel is asked for.
    assert not build(settings(ws, [a], tmp / "out", abis=("arm64-v8a",))).cached
    assert "--fat_apk_cpu=arm64-v8a" in invocations(log)[-1]
    assert json.loads((tmp / "out/ops.json").read_text())["abis"] == ["arm64-v8a"]
    # --no-cache runs Bazel even for a known plan.
    build(settings(ws, [a], tmp / "out", use_cache=False))
    assert len(invocations(log)) == 5


@pytest.mark.parametrize("damage", ["truncated", "not a zip"])
def test_a_damaged_cache_entry_is_built_again(env, damage):
    """A cached AAR that no longer passes the check is not reused, nor an error on every later run."""
    tmp, ws, log = env
    a = write(tmp / "m/a.tflite", model([(ADD, 1)]))
    first = build(settings(ws, [a], tmp / "out"))
    good = (tmp / "out/tensorflow-lite.aar").read_bytes()
    cached = tmp / "cache/builds" / first.plan.cache_key / "tensorflow-lite.aar"
    cached.write_bytes(good[: len(good) // 2] if damage == "truncated" else b"PK\x03\x04 not really")
    lines: list[str] = []
    again = build(settings(ws, [a], tmp / "out"), log=lines.append)
    assert not again.cached and len(invocations(log)) == 2
    assert any(l.startswith(f"tflite-slim: warning: the cached build {cached.parent} is damaged (") for l in lines)
    assert (tmp / "out/tensorflow-lite.aar").read_bytes() == good == cached.read_bytes()
    assert build(settings(ws, [a], tmp / "out")).cached and len(invocations(log)) == 2
    assert sorted(p.name for p in (tmp / "cache/builds").iterdir()) == [first.plan.cache_key]


def test_colliding_basenames_are_both_built(env):
    tmp, ws, log = env
    a = write(tmp / "m/x/model.tflite", model([(ADD, 1)]))
    b = write(tmp / "m/y/model.tflite", model([(MUL, 1)]))
    p = prepare(settings(ws, [a, b], tmp / "out"))
    assert sorted(n for _, n in p.package.files) == ["models/model.tflite", "models/model_2.tflite"]
    assert 'AddBuiltin(::tflite::BuiltinOperator_MUL' in p.registration
    build(settings(ws, [a, b], tmp / "out"))
    assert len(invocations(log)) == 1


def test_unknown_custom_op_fails_before_bazel(env):
    tmp, ws, log = env
    c = write(tmp / "m/c.tflite", make_model([custom("MyOp")], [[Op(0)]]))
    with pytest.raises(UsageError, match=r"MyOp \(Register_MY_OP\) used by .*c\.tflite"):
        build(settings(ws, [c], tmp / "out"))
    assert invocations(log) == [] and not (tmp / "out").exists()
    src = write(tmp / "ops/my_op.cc", b"// TfLiteRegistration* Register_MY_OP();\n")
    build(settings(ws, [c], tmp / "out", custom_ops_srcs=(str(src),)))
    assert len(invocations(log)) == 1


def test_tflite_builtin_custom_op_needs_no_sources(env):
    tmp, ws, log = env
    d = write(tmp / "m/d.tflite", make_model([builtin(ADD, 1), custom("TFLite_Detection_PostProcess")],
                                             [[Op(0), Op(1)]]))
    build(settings(ws, [d], tmp / "out"))
    assert len(invocations(log)) == 1


@pytest.mark.parametrize("configured", [False, None])
def test_unconfigured_checkout_is_a_toolchain_error(tmp_path, monkeypatch, configured):
    """A user's checkout is never configured by us, even with the SDK/NDK at hand: the error says how."""
    from standin.workspace import make_android_ndk, make_android_sdk

    monkeypatch.setenv("TFLITE_SLIM_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("ANDROID_SDK_HOME", raising=False)
    sdk = make_android_sdk(tmp_path / "sdk")
    ndk = make_android_ndk(tmp_path / "ndk")
    monkeypatch.setenv("ANDROID_HOME", str(sdk))
    monkeypatch.setenv("ANDROID_NDK_HOME", str(ndk))
    ws = make_tensorflow_workspace(tmp_path / "tf", configured=configured)
    rc = ws / ".tf_configure.bazelrc"
    before = rc.read_text() if rc.exists() else None
    a = write(tmp_path / "a.tflite", model([(ADD, 1)]))
    with pytest.raises(ToolchainError, match=r"run \./configure in .*or non-interactively: cd .* && "
                                             r"TF_SET_ANDROID_WORKSPACE=1 ANDROID_SDK_HOME=.*/sdk "
                                             r"ANDROID_NDK_HOME=.*/ndk \./configure$"):
        build(settings(ws, [a], tmp_path / "out"))
    assert not (tmp_path / "out").exists()
    assert (rc.read_text() if rc.exists() else None) == before and not (ws / "tools/python_bin_path.sh").exists()


def test_out_below_a_file_is_refused_before_bazel_runs(env, capsys):
    tmp, ws, log = env
    a = write(tmp / "m/a.tflite", model([(ADD, 1)]))
    (tmp / "afile").write_text("mine")
    assert main(["build", str(a), "--source", str(ws), "--out", str(tmp / "afile/out"), "--backend", "local", "--bazel", str(BAZEL)]) == 2
    assert capsys.readouterr().err == (f"error: --out {tmp}/afile/out: {tmp}/afile is not a directory; "
                                       "choose an output directory elsewhere\n")
    assert invocations(log) == [] and (tmp / "afile").read_text() == "mine"


@pytest.mark.parametrize("source", ["--source", "--tensorflow-version"])
def test_an_unwritable_cache_is_one_error_before_bazel_or_the_download(env, capsys, monkeypatch, source):
    tmp, ws, log = env
    a = write(tmp / "m/a.tflite", model([(ADD, 1)]))
    (tmp / "afile").write_text("mine")
    where = (["--source", str(ws), "--backend", "local"] if source == "--source"
             else ["--tensorflow-version", "2.16.1", "--backend", "docker"])
    # Port 9 (discard) is never reached: the cache is checked before the download starts.
    monkeypatch.setenv("TFLITE_SLIM_TF_ARCHIVE_URL", "http://127.0.0.1:9")
    code = main(["build", str(a), *where, "--out", str(tmp / "out"), "--bazel", str(BAZEL),
                 "--cache-dir", str(tmp / "afile/cache")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"error: cache directory {tmp}/afile/cache/") and "not writable (Not a directory)" in err
    assert err.rstrip().endswith("set --cache-dir (or TFLITE_SLIM_CACHE) to a directory you can write")
    assert invocations(log) == [] and not (tmp / "out").exists() and (tmp / "afile").read_text() == "mine"


def test_flex_models_with_declared_cmake_are_refused_before_the_download(env, capsys, monkeypatch):
    """CMake cannot build Flex ops whatever the tree holds: said before the release is fetched, not after."""
    tmp, _, log = env
    flex = write(tmp / "m/flex.tflite", flex_model())
    # Port 9 (discard) is never reached: the refusal comes before the download starts.
    monkeypatch.setenv("TFLITE_SLIM_LITERT_ARCHIVE_URL", "http://127.0.0.1:9")
    code = main(["build", str(flex), "--litert-version", "1.4.1", "--backend", "cmake", "--target-archs", "host",
                 "--out", str(tmp / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert err == f"error: {FLEX_NEEDS_BAZEL}\n"
    assert not (tmp / "out").exists() and not list((tmp / "cache").rglob("*.tar.gz"))
    # A dry run downloads nothing either, and lists the refusal first among the problems.
    p = prepare(BuildSettings(models=(str(flex),), litert_version="1.4.1", backend="cmake", abis=("host",),
                              dry_run=True, cache_dir=str(tmp / "cache")))
    assert p.problems[0] == FLEX_NEEDS_BAZEL and p.problems.count(FLEX_NEEDS_BAZEL) == 1
    assert not list((tmp / "cache").rglob("*.tar.gz"))


def test_a_failed_swap_keeps_the_previous_out_and_is_one_error(env, monkeypatch, capsys):
    """The last rename (temp dir -> OUT) failing must put the previous OUT back, not delete it."""
    tmp, ws, log = env
    a = write(tmp / "m/a.tflite", model([(ADD, 1)]))
    out = tmp / "out"
    build(settings(ws, [a], out))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real_rename = os.rename

    def rename(src, dst):
        if Path(dst) == out and Path(src).name.startswith(".out.tmp-"):
            raise OSError(28, "No space left on device")
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    b = write(tmp / "m/b.tflite", model([(ADD, 1), (MUL, 1)]))
    assert main(["build", str(b), "--source", str(ws), "--out", str(out), "--backend", "local", "--bazel", str(BAZEL)]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"error: --out {out}: cannot write the build output (No space left on device); the AARs are cached, "
        "so a run with a writable --out reuses them")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp.iterdir() if p.name.startswith(".out.")) == []


def test_failed_bazel_leaves_no_output_and_no_cache_entry(env, monkeypatch):
    tmp, ws, log = env
    a = write(tmp / "m/a.tflite", model([(ADD, 1)]))
    build(settings(ws, [a], tmp / "out"))
    before = (tmp / "out/ops.json").read_text()
    write(a, model([(ADD, 1), (MUL, 1)]))
    monkeypatch.setenv("TFLITE_SLIM_STANDIN_FAIL", "1")
    with pytest.raises(BuildError, match="kept in"):
        build(settings(ws, [a], tmp / "out"))
    assert (tmp / "out/ops.json").read_text() == before  # previous OUT untouched
    builds = tmp / "cache/builds"
    assert sorted(p.name.startswith(".tmp-") for p in builds.iterdir()) == [False]


def test_missing_abi_in_output_is_reported(env, monkeypatch):
    tmp, ws, log = env
    a = write(tmp / "m/a.tflite", model([(ADD, 1)]))
    monkeypatch.setenv("TFLITE_SLIM_STANDIN_DROP_ABI", "armeabi-v7a")
    with pytest.raises(BuildError, match="jni/armeabi-v7a/libtensorflowlite_jni.so"):
        build(settings(ws, [a], tmp / "out"))
    assert not (tmp / "out").exists()


def test_out_holding_an_analyze_report_named_ops_json_is_not_deleted(env, monkeypatch):
    """The README's 'analyze --format json -o ops.json', then 'build --out "$PWD"': the project was wiped."""
    tmp, ws, log = env
    project = tmp / "project"
    a = write(project / "app/src/main/assets/a.tflite", model([(ADD, 1)]))
    write(project / "settings.gradle", b"// the user's")
    monkeypatch.chdir(project)
    assert main(["analyze", str(a), "--format", "json", "-o", "ops.json"]) == 0
    before = sorted(str(p.relative_to(project)) for p in project.rglob("*"))
    with pytest.raises(UsageError, match="not a tflite-slim build output"):
        build(settings(ws, [a], project))
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*")) == before
    assert invocations(log) == []


def test_out_of_an_earlier_build_is_replaced_but_not_with_a_user_file_in_it(env):
    tmp, ws, log = env
    a = write(tmp / "m/a.tflite", model([(ADD, 1)]))
    build(settings(ws, [a], tmp / "out"))
    build(settings(ws, [a], tmp / "out"))  # an earlier build's OUT: replaced
    write(tmp / "out/notes.txt", b"mine")
    with pytest.raises(UsageError, match=r"holds files a build did not write \(notes.txt\)"):
        build(settings(ws, [a], tmp / "out"))
    assert (tmp / "out/notes.txt").read_bytes() == b"mine"


def test_out_that_is_not_ours_is_refused(env):
    tmp, ws, log = env
    a = write(tmp / "m/a.tflite", model([(ADD, 1)]))
    write(tmp / "out/precious.txt", b"keep me")
    with pytest.raises(UsageError, match="not a tflite-slim build output"):
        build(settings(ws, [a], tmp / "out"))
    assert invocations(log) == []


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(tensorflow_src=None), "exactly one of"),
        (dict(tensorflow_version="2.16.1"), "exactly one of"),
        (dict(checkpoint="master"), "--backend docker"),
        (dict(out=None), "--out DIR is required"),
        (dict(custom_ops_srcs=("/nonexistent/op.cc",)), "does not exist"),
    ],
)
def test_settings_errors(env, kw, message):
    tmp, ws, log = env
    a = write(tmp / "m/a.tflite", model([(ADD, 1)]))
    base = dict(models=(str(a),), out=str(tmp / "out"), tensorflow_src=str(ws), bazel=str(BAZEL))
    base.update(kw)
    with pytest.raises(UsageError, match=message):
        build(BuildSettings(**base))


def test_cli_dry_run_prints_everything_and_runs_nothing(env, capsys):
    tmp, ws, log = env
    write(tmp / "m/a.tflite", model([(ADD, 1), (CONV_2D, 2)]))
    write(tmp / "m/f.tflite", flex_model())
    code = main(["-v", "build", str(tmp / "m"), "--tensorflow-src", str(ws), "--out", str(tmp / "out"),
                 "--backend", "local", "--bazel", "/no/such/bazel", "--target-archs", "x86_64,arm64-v8a", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    assert invocations(log) == [] and not (tmp / "out").exists() and not (ws / "tflite_slim_build").exists()
    assert "# Build plan" in out and '"plan_fingerprint"' in out
    assert "tflite_flex_android_library(" in out
    assert "resolver->AddBuiltin(::tflite::BuiltinOperator_CONV_2D, ::tflite::ops::builtin::Register_CONV_2D(), 2, 2);" in out
    assert "/no/such/bazel build -c opt --cxxopt=--std=c++17 --fat_apk_cpu=arm64-v8a,x86_64" in out
    assert "monolithic" not in out.split("Commands it would run:\n")[1].split("\n\n")[0]
    notes = out.split("# Differences from TensorFlow's build_aar.sh\n")[1]
    assert "models go to models/" in notes and "experimental = True" in notes and "Problems" not in out


def test_cli_errors_are_one_line(env, capsys):
    tmp, ws, log = env
    write(tmp / "m/c.tflite", make_model([custom("ethos-u")], [[Op(0)]]))
    code = main(["build", str(tmp / "m"), "--tensorflow-src", str(ws), "--out", str(tmp / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: custom op name 'ethos-u'") and err.count("\n") == 1
    write(tmp / "m/c.tflite", model([(ADD, 1)]))
    code = main(["build", str(tmp / "m"), "--tensorflow-src", str(tmp / "nowhere"), "--out", str(tmp / "o")])
    assert code == 2 and "no such directory" in capsys.readouterr().err


def test_cli_build_reports_sizes(env, capsys):
    tmp, ws, log = env
    write(tmp / "m/a.tflite", model([(ADD, 1)]))
    code = main(["build", str(tmp / "m"), "--tensorflow-src", str(ws), "--out", str(tmp / "out"),
                 "--backend", "local", "--bazel", str(BAZEL), "--bazel-arg=--jobs=2", "--no-experimental-api"])
    err = capsys.readouterr().err
    assert code == 0
    assert "tensorflow-lite.aar:" in err and "arm64-v8a" in err and "armeabi-v7a" in err
    assert invocations(log)[0][-2] == "--jobs=2"
    assert json.loads((tmp / "out/ops.json").read_text())["experimental_api"] is False


def test_old_tensorflow_without_experimental_attribute(env):
    """A release whose macro predates the Java API split: the attribute is left out (Bazel would refuse it)."""
    tmp, ws, log = env
    (ws / "tensorflow/lite/build_def.bzl").write_text(
        "def tflite_custom_android_library(name, models = [], srcs = [], deps = [],\n"
        "        custom_package = 'org.tensorflow.lite', visibility = ['//visibility:private'],\n"
        "        include_xnnpack_delegate = True, include_nnapi_delegate = True):\n    pass\n"
    )
    a = write(tmp / "m/a.tflite", model([(ADD, 1)]))
    p = prepare(settings(ws, [a], tmp / "out", experimental_api=False))
    assert "experimental" not in p.package.build_file and p.plan.experimental_api is True
    build(settings(ws, [a], tmp / "out", experimental_api=False))
    assert json.loads((tmp / "out/ops.json").read_text())["experimental_api"] is True
    # The stand-in, like Bazel, refuses the attribute where the macro lacks it.
    from tflite_slim.runtime.spec.buildfile import BuildFileSpec, render_build_file
    import subprocess, sys
    (ws / "gen").mkdir()
    (ws / "gen/a.tflite").write_bytes(a.read_bytes())
    (ws / "gen/BUILD").write_text(render_build_file(BuildFileSpec(models=("a.tflite",))))
    done = subprocess.run([sys.executable, str(BAZEL), "build", "-c", "opt", "--cxxopt=--std=c++17",
                           "--fat_apk_cpu=arm64-v8a", "--define=xnn_enable_arm_fp16=false",
                           "--host_crosstool_top=@bazel_tools//tools/cpp:toolchain", "//gen:tensorflow-lite"],
                          cwd=ws, capture_output=True, text=True)
    assert done.returncode == 1 and "unexpected keyword argument(s): experimental" in done.stderr


def test_rebuild_is_byte_identical(env):
    tmp, ws, log = env
    a = write(tmp / "m/a.tflite", model([(ADD, 1), (CONV_2D, 2)]))
    build(settings(ws, [a], tmp / "out1", use_cache=False))
    build(settings(ws, [a], tmp / "out2", use_cache=False))
    for f in ("tensorflow-lite.aar", "ops.json"):
        assert (tmp / "out1" / f).read_bytes() == (tmp / "out2" / f).read_bytes()


def test_interrupt_leaves_nothing_behind(env, monkeypatch):
    tmp, ws, log = env
    a = write(tmp / "m/a.tflite", model([(ADD, 1)]))
    from tflite_slim.runtime.artifacts import aar

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(aar, "finish_aar", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(settings(ws, [a], tmp / "out"))
    assert not (tmp / "out").exists()
    assert list((tmp / "cache/builds").iterdir()) == []
    assert [p.name for p in tmp.iterdir() if p.name.startswith(".out")] == []


def test_registration_of_every_shared_model_read_by_the_reader(shared_models, expected):
    """The real pipeline (reader -> op set -> registration) agrees with expected.json for the corpus."""
    import re

    from tflite_slim.analysis.reader import read_model
    from tflite_slim.runtime.spec.registration import invalid_custom_op_names, render_registration

    checked = 0
    for rel, entry in sorted(expected.items()):
        if "error" in entry:
            continue
        ops = read_model(str(shared_models / rel)).ops
        if invalid_custom_op_names(ops.custom_ops):
            continue
        text = render_registration(ops)
        builtins = re.findall(r"AddBuiltin\(::tflite::BuiltinOperator_(\w+),", text)
        assert builtins == sorted(entry["builtin_ops"]), rel
        assert re.findall(r'AddCustom\("([^"]+)"', text) == sorted(entry["custom_ops"]), rel
        for name, versions in entry["builtin_ops"].items():
            lo, hi = min(versions), max(versions)
            call = f"Register_{name}(){'' if (lo, hi) == (1, 1) else f', {lo}, {hi}'});"
            assert call in text, (rel, name)
        checked += 1
    assert checked > 200


def test_missing_bazel_is_a_toolchain_error_and_cleans_up(env):
    tmp, ws, log = env
    a = write(tmp / "m/a.tflite", model([(ADD, 1)]))
    s = BuildSettings(models=(str(a),), out=str(tmp / "out"), tensorflow_src=str(ws), bazel=str(tmp / "no-bazel"))
    with pytest.raises(ToolchainError, match="--bazel PATH"):
        build(s)
    assert not (ws / "tflite_slim_build").exists() and not (tmp / "out").exists()


def test_relative_bazel_path_is_the_users_not_the_checkouts(env, monkeypatch, capsys):
    """Bazel runs inside the checkout; `--bazel tools/bazel` still means ./tools/bazel where the user typed it."""
    tmp, ws, log = env
    write(tmp / "m/a.tflite", model([(ADD, 1)]))
    (tmp / "tools").mkdir()
    (tmp / "tools/bazel").symlink_to(BAZEL)
    monkeypatch.chdir(tmp)
    code = main(["build", "m", "--tensorflow-src", str(ws), "--out", "out", "--backend", "local", "--bazel", "tools/bazel"])
    assert code == 0, capsys.readouterr().err
    assert (tmp / "out/tensorflow-lite.aar").is_file() and len(invocations(log)) == 1


@pytest.mark.parametrize(
    "given, expected",
    [
        ("bazel", "bazel"),  # a PATH lookup, as in a shell
        ("bazelisk", "bazelisk"),
        ("tools/bazel", "{cwd}/tools/bazel"),
        ("./bazel", "{cwd}/bazel"),
        ("../bin/bazel", "{parent}/bin/bazel"),
        ("/opt/bazel/bin/bazel", "/opt/bazel/bin/bazel"),
    ],
)
def test_bazel_option_resolution(env, monkeypatch, given, expected):
    tmp, ws, log = env
    monkeypatch.chdir(tmp)
    args = build_parser().parse_args(["build", "m", "--backend", "local", "--bazel", given])
    assert args.bazel == expected.format(cwd=os.getcwd(), parent=os.path.dirname(os.getcwd()))
def test_models_and_sources_named_like_bazel_files_or_each_other_all_build(env):
    """A model named BUILD/WORKSPACE/..., or a model and a source with one basename, overwrite nothing."""
    tmp, ws, log = env
    names = ["BUILD", "BUILD.bazel", "WORKSPACE", "WORKSPACE.bazel", "MODULE.bazel", "REPO.bazel", "op.cc"]
    ms = [write(tmp / "m" / n, model([(ADD, 1), (MUL, 1)], weights=n.encode())) for n in names]
    src = write(tmp / "ops/op.cc", b"TfLiteRegistration* Register_MY_OP() { return nullptr; }\n")
    c = write(tmp / "m/c.tflite", make_model([custom("MyOp")], [[Op(0)]]))
    p = prepare(settings(ws, [*ms, c], tmp / "out", custom_ops_srcs=(str(src),)))
    inside = dict((name, host) for host, name in p.package.files)
    assert inside["custom_ops/op.cc"] == str(src) and inside["models/op.cc"] == str(ms[-1])
    assert sorted(n for n in inside if n.startswith("models/")) == sorted(
        ["models/BUILD_2", "models/BUILD_2.bazel", "models/WORKSPACE_2", "models/WORKSPACE_2.bazel",
         "models/MODULE_2.bazel", "models/REPO_2.bazel", "models/op.cc", "models/c.tflite"])
    build(settings(ws, [*ms, c], tmp / "out", custom_ops_srcs=(str(src),)))
    assert len(invocations(log)) == 1  # the stand-in read every model as a model, none was overwritten


def test_pre_split_build_def_gets_no_experimental_attribute(env):
    """A real pre-split build_def.bzl mentions c_api_experimental.h: only the macro's own parameters count."""
    from standin.tffiles import POST_SPLIT_BUILD_DEF, PRE_SPLIT_BUILD_DEF

    tmp, ws, log = env
    a = write(tmp / "m/a.tflite", model([(ADD, 1)]))
    (ws / "tensorflow/lite/build_def.bzl").write_text(PRE_SPLIT_BUILD_DEF)
    p = prepare(settings(ws, [a], tmp / "out"))
    assert "experimental" not in p.package.build_file and p.plan.experimental_api is True
    build(settings(ws, [a], tmp / "out"))  # the stand-in refuses the attribute this macro lacks
    (ws / "tensorflow/lite/build_def.bzl").write_text(POST_SPLIT_BUILD_DEF)
    p = prepare(settings(ws, [a], tmp / "out", experimental_api=False))
    assert "experimental = False" in p.package.build_file and p.plan.experimental_api is False


def test_flags_come_from_the_trees_build_aar_sh(env, capsys):
    """An older build_aar.sh builds the flex AAR without the xnn define: so do we; no script: newest, said so."""
    from standin.tffiles import BUILD_AAR_OLD

    tmp, ws, log = env
    f = write(tmp / "m/f.tflite", flex_model())
    (ws / "tensorflow/lite/tools/build_aar.sh").write_text(BUILD_AAR_OLD)
    build(settings(ws, [f], tmp / "out"))
    runtime, flex = invocations(log)
    assert "--define=xnn_enable_arm_fp16=false" in runtime and "--define=xnn_enable_arm_fp16=false" not in flex
    assert json.loads((tmp / "out/ops.json").read_text())["plan_fingerprint"] == prepare(
        settings(ws, [f], tmp / "out")).plan.fingerprint
    (ws / "tensorflow/lite/tools/build_aar.sh").unlink()
    p = prepare(settings(ws, [f], tmp / "out"))
    assert "--define=xnn_enable_arm_fp16=false" in p.commands[1]
    assert any(n.startswith("bazel flags: the newest build_aar.sh's") for n in p.notes)
    assert main(["-v", "build", str(f), "--tensorflow-src", str(ws), "--dry-run"]) == 0
    assert "- bazel flags: the newest build_aar.sh's" in capsys.readouterr().out


def test_flex_build_gets_the_files_build_aar_sh_copies(env):
    tmp, ws, log = env
    f = write(tmp / "m/f.tflite", flex_model())
    names = [n for _, n in prepare(settings(ws, [f], tmp / "out")).package.files]
    assert names == ["models/f.tflite", "AndroidManifest.xml", "proguard.flags"]
    a = write(tmp / "m/a.tflite", model([(ADD, 1)]))
    assert [n for _, n in prepare(settings(ws, [a], tmp / "out")).package.files] == ["models/a.tflite"]


STABLEHLO_COMPOSITE, DELEGATE = 206, 51


def test_op_without_kernel_in_the_tree_fails_before_bazel(env, capsys):
    """STABLEHLO_COMPOSITE first ships in 2.17.0; DELEGATE never: one line names both, the models, the release."""
    tmp, ws, log = env
    a = write(tmp / "m/a.tflite", model([(ADD, 1), (STABLEHLO_COMPOSITE, 1)]))
    d = write(tmp / "m/d.tflite", model([(DELEGATE, 1)]))
    with pytest.raises(ToolchainError) as e:
        build(settings(ws, [a, d], tmp / "out"))
    msg = str(e.value)
    assert msg.startswith(f"TensorFlow 2.16.1 at {ws.resolve()} cannot register these ops") and "\n" not in msg
    assert f"builtin op DELEGATE (no Register_DELEGATE in tensorflow/lite/kernels/builtin_op_kernels.h; " \
           f"no TensorFlow Lite release has a kernel for it) used by {d}" in msg
    assert "STABLEHLO_COMPOSITE" in msg and "TensorFlow 2.17.0 is the first release with it" in msg
    assert invocations(log) == [] and not (tmp / "out").exists() and not (ws / "tflite_slim_build").exists()
    # The dry run shows the plan, then reports the same problem and fails the same way.
    code = main(["build", str(a), "--tensorflow-src", str(ws), "--dry-run", "--backend", "local"])
    out, err = capsys.readouterr()
    assert code == 2 and "Problems (the build would stop):\n  - TensorFlow 2.16.1" in out
    assert "Commands it would run:" in out
    assert err.startswith("error: TensorFlow 2.16.1") and err.count("\n") == 1
    # A 2.17 tree has it.
    ws17 = make_tensorflow_workspace(tmp / "tf17", version="2.17.0")
    build(settings(ws17, [a], tmp / "out"))
    assert len(invocations(log)) == 1


def test_custom_op_sources_without_its_registration_fail_before_bazel(env):
    tmp, ws, log = env
    c = write(tmp / "m/c.tflite", make_model([custom("MyOp")], [[Op(0)]]))
    src = write(tmp / "ops/other_op.cc", b"TfLiteRegistration* Register_OTHER_OP();\n")
    with pytest.raises(ToolchainError, match=r"custom op MyOp \(Register_MY_OP is not in TensorFlow Lite's "
                                             r"register.cc nor in custom_ops/other_op.cc"):
        build(settings(ws, [c], tmp / "out", custom_ops_srcs=(str(src),)))
    assert invocations(log) == []
    # Defined in a dep: not readable here, so not refused.
    build(settings(ws, [c], tmp / "out", custom_ops_srcs=(str(src),), custom_ops_deps=("//my:ops",)))


def test_older_macro_without_delegate_switches_gets_none(env):
    """The BUILD file passes only what the tree's macro declares (the stand-in reads the same def)."""
    tmp, ws, log = env
    (ws / "tensorflow/lite/build_def.bzl").write_text(
        "def tflite_custom_android_library(\n        name,\n        models = [],\n        srcs = [],\n"
        "        deps = [],\n        custom_package = \"org.tensorflow.lite\",\n"
        "        visibility = [\"//visibility:private\"]):\n    pass\n")
    a = write(tmp / "m/a.tflite", model([(ADD, 1)]))
    p = prepare(settings(ws, [a], tmp / "out"))
    assert "include_xnnpack_delegate" not in p.package.build_file and "experimental" not in p.package.build_file
    build(settings(ws, [a], tmp / "out"))
    assert len(invocations(log)) == 1


def test_two_builds_of_one_plan_in_one_checkout_do_not_collide(env, tmp_path):
    """The first build deleted the shared package directory while the second's Bazel was about to read it."""
    import threading
    import time

    tmp, ws, log = env
    slow = tmp / "slow-bazel"
    slow.write_text(f"#!/bin/sh\nsleep 1\nexec {BAZEL} \"$@\"\n")
    slow.chmod(0o755)
    a = write(tmp / "m/a.tflite", model([(ADD, 1)]))
    errors: list[BaseException] = []
    lines: list[str] = []

    def run(out: str) -> None:
        try:
            build(BuildSettings(models=(str(a),), out=str(tmp / out), tensorflow_src=str(ws), bazel=str(slow),
                                use_cache=False), log=lines.append)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    first = threading.Thread(target=run, args=("out1",))
    second = threading.Thread(target=run, args=("out2",))
    first.start()
    time.sleep(0.5)  # the second starts while the first's Bazel runs
    second.start()
    first.join()
    second.join()
    assert errors == []
    assert (tmp / "out1/tensorflow-lite.aar").is_file() and (tmp / "out2/tensorflow-lite.aar").is_file()
    assert any("waiting for another tflite-slim build" in line for line in lines)
    assert not (ws / "tflite_slim_build").exists()


def test_credentials_in_bazel_args_are_never_printed_or_stored(env, caplog):
    """--bazel-arg=--remote_cache=https://u:TOKEN@... was echoed in the log and kept in the cache's plan.json."""
    import logging

    tmp, ws, log = env
    a = write(tmp / "m/a.tflite", model([(ADD, 1)]))
    secret_arg = "--remote_cache=https://ci:TOKEN123@cache.example/bazel"
    lines: list[str] = []
    with caplog.at_level(logging.INFO):
        result = build(settings(ws, [a], tmp / "out", bazel_args=(secret_arg,)), log=lines.append)
    assert invocations(log)[0][-2] == secret_arg  # Bazel itself gets the real value
    plan_json = (tmp / "cache/builds" / result.plan.cache_key / "plan.json").read_text()
    printed = "\n".join(lines) + caplog.text
    for text in (printed, plan_json):
        assert "TOKEN123" not in text
    assert "--remote_cache=https://***@cache.example/bazel" in plan_json
    assert "--remote_cache=https://***@cache.example/bazel" in "\n".join(lines)


def test_a_custom_op_source_with_a_comma_in_its_name_is_taken_whole(env):
    """--custom-ops-srcs split every value at commas, even one flag per value (as the plugin passes them)."""
    tmp, ws, log = env
    c = write(tmp / "m/c.tflite", make_model([custom("MyOp")], [[Op(0)]]))
    src = write(tmp / "ops/my_op,v2.cc", b"// TfLiteRegistration* Register_MY_OP();\n")
    other = write(tmp / "ops/helper.cc", b"// helper\n")
    extra = write(tmp / "ops/extra.cc", b"// extra\n")
    assert main(["build", str(c), "--source", str(ws), "--backend", "local", "--bazel", str(BAZEL), "--out", str(tmp / "out"),
                 "--custom-ops-src", str(src), "--custom-ops-srcs", f"{other},{extra}",
                 "--custom-ops-dep", "//third_party:a,b", "--custom-ops-deps", "//x:y,//x:z"]) == 0
    args = build_parser().parse_args(["build", str(c), "--source", str(ws), "--out", "o",
                                      "--custom-ops-src", str(src), "--custom-ops-srcs", f"{other},{extra}",
                                      "--custom-ops-dep", "//third_party:a,b", "--custom-ops-deps", "//x:y,//x:z"])
    from tflite_slim.commands.build import settings_from_args

    s = settings_from_args(args)
    assert s.custom_ops_srcs == (str(other), str(extra), str(src))
    assert s.custom_ops_deps == ("//x:y", "//x:z", "//third_party:a,b")


def test_a_cancelled_build_outwaits_a_slow_stopping_bazel_within_the_plugins_grace(env):
    """Gradle cancels with SIGTERM, then SIGKILLs the tool after ToolRunner.STOP_GRACE_SECONDS; the tool gives
    Bazel process.INTERRUPT_GRACE_SECONDS after SIGINT. At 10 s against 30 s a Bazel taking 12 s to stop was
    orphaned, and the generated package stayed in the checkout."""
    import re
    import signal
    import subprocess
    import sys
    import time

    from tflite_slim import process

    runner = (Path(__file__).resolve().parents[2] / "gradle-plugin/src/main/java/io/tfliteslim/gradle/tool/ToolRunner.java")
    plugin_grace = int(re.search(r"STOP_GRACE_SECONDS = (\d+);", runner.read_text()).group(1))
    assert plugin_grace > process.INTERRUPT_GRACE_SECONDS + 5  # the tool stops Bazel, then cleans up
    tmp, ws, log = env
    started, stopped = tmp / "bazel-started", tmp / "bazel-stopped"
    slow = tmp / "slow-bazel"
    slow.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = --version ]; then echo "bazel 6.5.0"; exit 0; fi\n'
        f"trap 'sleep 12; touch {stopped}; kill $child; exit 130' INT\n"
        f"touch {started}\n"
        "sleep 600 & child=$!\n"
        "wait $child\n"
    )
    slow.chmod(0o755)
    a = write(tmp / "m/a.tflite", model([(ADD, 1)]))
    tool = subprocess.Popen([sys.executable, "-m", "tflite_slim", "build", str(a), "--source", str(ws),
                             "--backend", "local", "--bazel", str(slow), "--out", str(tmp / "out")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert tool.poll() is None and time.monotonic() < deadline, tool.communicate()
            time.sleep(0.1)
        tool.send_signal(signal.SIGTERM)  # Process.destroy()
        try:
            output, _ = tool.communicate(timeout=plugin_grace)  # then Process.destroyForcibly()
        except subprocess.TimeoutExpired:
            pytest.fail(f"the tool outlived the plugin's {plugin_grace} s grace: the plugin would SIGKILL it")
    finally:
        if tool.poll() is None:
            tool.kill()
            tool.wait()
    assert tool.returncode == 130, output
    assert stopped.exists()  # Bazel was given the time it took to stop
    assert not (ws / "tflite_slim_build").exists()
