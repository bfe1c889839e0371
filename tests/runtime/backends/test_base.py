"""The backend interface: a backend plugs in with its own class and one registry line; the generated package."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from modelmaker import ADD, Op, builtin, make_model
from standin.elfimage import make_so
from standin.workspace import make_tensorflow_workspace
from tflite_slim.analysis.opset import FlexOp, OpSet
from tflite_slim.cli import main
from tflite_slim.errors import ToolchainError, UsageError
from tflite_slim.runtime.backends.cmake import backend as cmake
from tflite_slim.runtime.backends.base import Backend, BackendAsked, BackendJob, Package
from tflite_slim.runtime.backends.registry import BACKENDS
from tflite_slim.runtime.builder import BuildSettings, build, prepare


class Recording(Backend):
    """A backend that writes a valid AAR itself and records what it was given."""

    uses_host_android = False

    def __init__(self, problems: tuple[str, ...] = (), refused_op: str = "") -> None:
        self.calls: list[tuple[str, BackendJob]] = []
        self._problems = list(problems)
        self.work_seen: list[bool] = []
        self._refused_op = refused_op

    def unsupported_ops(self, ops: OpSet):
        self.calls.append(("unsupported_ops", None))
        return f"the recorder cannot build {self._refused_op}" if self._refused_op in ops.builtin_ops else None

    def commands(self, job: BackendJob) -> list[list[str]]:
        return [["recorder", "build", job.package.path, *job.plan.targets]]

    def notes(self, job: BackendJob) -> list[str]:
        return ["the recorder builds nothing real"]

    def problems(self, job: BackendJob) -> list[str]:
        return self._problems

    def prepare(self, job: BackendJob) -> None:
        self.calls.append(("prepare", job))

    def build(self, job: BackendJob) -> dict[str, Path]:
        self.calls.append(("build", job))
        self.work_seen.append(job.work.is_dir())
        job.work.mkdir(parents=True, exist_ok=True)
        out = {}
        for t in job.plan.targets:
            out[t] = job.work / f"{t}.aar"
            with zipfile.ZipFile(out[t], "w") as z:
                z.writestr("AndroidManifest.xml", "<manifest/>")
                z.writestr("classes.jar", b"PK")
                for abi in job.plan.abis:
                    z.writestr(f"jni/{abi}/libtensorflowlite_jni.so", make_so(abi, align=16384))
        return out

    def stop(self) -> None:
        self.calls.append(("stop", None))


@pytest.fixture
def env(tmp_path, monkeypatch):
    ws = make_tensorflow_workspace(tmp_path / "tf")
    model = tmp_path / "a.tflite"
    model.write_bytes(make_model([builtin(ADD, 1)], [[Op(0)]]))
    made: list[Recording] = []
    monkeypatch.setitem(BACKENDS, "recorder", lambda s: made.append(Recording()) or made[-1])
    return tmp_path, ws, model, made


def test_a_registered_backend_builds_through_the_interface(env):
    tmp, ws, model, made = env
    s = BuildSettings(models=(str(model),), out=str(tmp / "out"), tensorflow_src=str(ws), backend="recorder",
                      cache_dir=str(tmp / "cache"))
    result = build(s)
    backend = made[-1]
    # The models' ops are offered to the backend first, before any tree (unsupported_ops), then the build.
    assert [c for c, _ in backend.calls] == ["unsupported_ops", "prepare", "build"]
    job = backend.calls[2][1]
    assert job == backend.calls[1][1]  # prepare and build see the same job
    assert job.plan == result.plan and job.root == ws.resolve() and job.release is None
    assert job.package.files == ((str(model), "models/a.tflite"),)
    assert "Register_ADD" in job.registration
    # A private work dir inside the cache's staging, gone afterwards; the AARs went through the checks into OUT.
    assert job.work.parent.parent == tmp / "cache/builds" and not job.work.exists()
    assert not backend.work_seen[0]
    assert sorted(p.name for p in (tmp / "out").iterdir()) == [".tflite-slim-build", "ops.json", "tensorflow-lite.aar"]
    assert json.loads((tmp / "out/ops.json").read_text())["plan_fingerprint"] == result.plan.fingerprint
    # uses_host_android = False: no Android settings in the plan (the Bazel-local backend reads the tree's).
    assert result.plan.android is None
    assert prepare(BuildSettings(models=(str(model),), tensorflow_src=str(ws), dry_run=True)).plan.android


def test_a_registered_backend_is_a_cli_choice_and_its_dry_run_shows_it(env, capsys):
    tmp, ws, model, made = env
    plan = prepare(BuildSettings(models=(str(model),), tensorflow_src=str(ws), backend="recorder", dry_run=True)).plan
    assert main(["build", str(model), "--source", str(ws), "--backend", "recorder", "--dry-run"]) == 0
    out = capsys.readouterr().out
    commands = out.split("Commands it would run:\n")[1].split("\n\n")[0].splitlines()
    assert commands == [f"  recorder build tflite_slim_build/p{plan.fingerprint[:16]} tensorflow-lite"]
    assert main(["build", str(model), "--source", str(ws), "--backend", "recorder", "--dry-run", "--format", "json"]) == 0
    assert "the recorder builds nothing real" in json.loads(capsys.readouterr().out)["notes"]
    # A dry run neither prepares nor builds (it only asks which ops the backend refuses).
    assert all([c for c, _ in b.calls if c != "unsupported_ops"] == [] for b in made)


def test_an_unknown_backend_names_every_registered_one(env):
    tmp, ws, model, _ = env
    with pytest.raises(UsageError, match=r"--backend 'nope': choose 'local' or 'docker' or 'cmake' or 'recorder'$"):
        prepare(BuildSettings(models=(str(model),), tensorflow_src=str(ws), backend="nope", dry_run=True))


def test_a_backends_problems_stop_the_build_before_it_prepares(env, monkeypatch):
    tmp, ws, model, made = env
    monkeypatch.setitem(BACKENDS, "recorder", lambda s: made.append(Recording(("the recorder is out of tape",)))
                        or made[-1])
    base = dict(models=(str(model),), tensorflow_src=str(ws), backend="recorder", cache_dir=str(tmp / "cache"))
    assert prepare(BuildSettings(**base, dry_run=True)).problems == ("the recorder is out of tape",)
    with pytest.raises(ToolchainError, match="^the recorder is out of tape$"):
        build(BuildSettings(**base, out=str(tmp / "out")))
    assert [c for c, _ in made[-1].calls] == ["unsupported_ops"] and not (tmp / "out").exists()


def test_ops_a_backend_refuses_stop_the_build_before_the_release_is_fetched(env, monkeypatch):
    """The pre-download hook (Backend.unsupported_ops): the builder asks it once the models are read and stops
    before the release is fetched; a dry run lists the refusal among the problems."""
    tmp, ws, model, made = env
    monkeypatch.setitem(BACKENDS, "recorder", lambda s: made.append(Recording(refused_op="ADD")) or made[-1])
    # Port 9 (discard) is never reached: the refusal comes before the download starts.
    monkeypatch.setenv("TFLITE_SLIM_TF_ARCHIVE_URL", "http://127.0.0.1:9/unreachable")
    base = dict(models=(str(model),), tensorflow_version="2.16.1", backend="recorder", cache_dir=str(tmp / "cache"))
    with pytest.raises(ToolchainError, match="^the recorder cannot build ADD$"):
        build(BuildSettings(**base, out=str(tmp / "out")))
    assert [c for c, _ in made[-1].calls] == ["unsupported_ops"]
    assert not (tmp / "out").exists() and not list(tmp.glob("cache/**/*.tar.gz"))
    assert prepare(BuildSettings(**base, dry_run=True)).problems == ("the recorder cannot build ADD",)


FLEX = OpSet(builtin_ops={"ADD": (1,)}, flex_ops=(FlexOp("AddV2"),))
BUILTIN = OpSet(builtin_ops={"ADD": (1,)})


@pytest.mark.parametrize("name, flex_refusal", [
    ("cmake", cmake.FLEX_NEEDS_BAZEL),  # TFLite's CMake build has no Flex delegate
    ("local", None),
    ("docker", None),
])
def test_each_backend_says_which_ops_it_cannot_build(name, flex_refusal):
    backend = BACKENDS[name](BackendAsked())
    assert backend.unsupported_ops(FLEX) == flex_refusal
    assert backend.unsupported_ops(BUILTIN) is None


@pytest.mark.parametrize(
    "files",
    [
        (("/h/a", "models/a.tflite"), ("/h/b", "models/A.tflite")),  # one name, ignoring case
        (("/h/a", "BUILD"),),  # would be overwritten by the BUILD file
        (("/h/a", "build.bazel"),),
        (("/h/a", "../escape.tflite"),),
        (("/h/a", "/abs.tflite"),),
    ],
)
def test_package_refuses_names_that_collide_or_escape(files):
    with pytest.raises(ValueError, match="escapes or collides"):
        Package("tflite_slim_build/pX", "", files)


def test_package_writes_its_folders(tmp_path):
    (tmp_path / "m.tflite").write_bytes(b"m")
    (tmp_path / "op.cc").write_text("x")
    Package("p", "# BUILD\n", ((str(tmp_path / "m.tflite"), "models/op.cc"),
                               (str(tmp_path / "op.cc"), "custom_ops/op.cc"))).write(tmp_path / "pkg")
    assert (tmp_path / "pkg/models/op.cc").read_bytes() == b"m"
    assert (tmp_path / "pkg/custom_ops/op.cc").read_text() == "x"
    assert (tmp_path / "pkg/BUILD").read_text() == "# BUILD\n"


