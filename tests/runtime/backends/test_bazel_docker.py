"""The Docker backend's exact command lines (through the process seam) and its errors."""

from __future__ import annotations

import json
import shlex
import subprocess
import zipfile
from pathlib import Path

import pytest

from standin import tffiles
from standin.elfimage import make_so
from standin.workspace import make_tensorflow_workspace
from tflite_slim import process
from tflite_slim.runtime.trees import tfscripts
from tflite_slim.runtime.backends.base import Package
from tflite_slim.runtime.backends.bazel_docker import HOST_TREE, DockerBazel, copy_tree_lines
from tflite_slim.runtime.builder import BuildSettings, build, prepare
from tflite_slim.errors import ToolchainError
from tflite_slim.analysis.opset import OpSet
from tflite_slim.runtime.spec.plan import BuildPlan


def fake_aar(path: Path, abis, so) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("AndroidManifest.xml", "<manifest/>")
        z.writestr("classes.jar", b"PK")
        for abi in abis:
            z.writestr(f"jni/{abi}/{so}", make_so(abi, align=16384))


def test_docker_flow_commands(tmp_path, monkeypatch, models):
    ws = make_tensorflow_workspace(tmp_path / "tf")
    calls = []

    def fake_run(argv, **kw):
        calls.append(list(argv))
        if argv[1] == "run":
            out = Path(argv[argv.index("-v", 5) + 1].split(":")[0])
            abis = ("arm64-v8a",)
            fake_aar(out / "tensorflow-lite.aar", abis, "libtensorflowlite_jni.so")
            fake_aar(out / "tensorflow-lite-select-tf-ops.aar", abis, "libtensorflowlite_flex_jni.so")
        return process.Completed(tuple(argv), 0, "", "")

    monkeypatch.setattr(process, "run", fake_run)
    s = BuildSettings(models=tuple(models), out=str(tmp_path / "out"), tensorflow_src=str(ws),
                      abis=("arm64-v8a",), backend="docker", docker="/bin/true", checkpoint="v2.17.0",
                      cache_dir=str(tmp_path / "cache"))
    result = build(s)
    # The daemon is asked first (before any download or build): `docker info`.
    assert calls[0] == ["/bin/true", "info"]
    calls = [c for c in calls if c[1:] != ["info"]]
    assert calls[0] == ["/bin/true", "build", "-t", "tflite-builder", "-f",
                        str(ws.resolve() / "tensorflow/tools/dockerfiles/tflite-android.Dockerfile"),
                        str(ws.resolve() / "tensorflow/tools/dockerfiles")]
    run = calls[1]
    assert run[:3] == ["/bin/true", "run", "--rm"]
    mounts = [run[i + 1] for i, a in enumerate(run) if a == "-v"]
    assert mounts[0].endswith(":/tflite_slim_pkg:ro") and mounts[1].endswith(":/out")
    assert not any(m.endswith(":/tensorflow_src") for m in mounts)  # checkpoint: cloned in the container
    assert mounts[2] == f"{tmp_path / 'cache' / 'docker-bazel'}:/bazel_cache"
    assert run[-5:-1] == ["--entrypoint", "/bin/bash", "tflite-builder", "-c"]
    script = run[-1].splitlines()
    assert "git -C /tensorflow_src checkout v2.17.0" in script
    # The checkpoint's own script answers ./configure (read after the checkout, inside the container).
    assert script.index("git -C /tensorflow_src checkout v2.17.0") < script.index(
        "if grep -q '^ *configs=(' tensorflow/lite/tools/build_aar_with_docker.sh 2>/dev/null; then")
    assert any(l.endswith("| ./configure") for l in script)
    pkg = f"tflite_slim_build/p{result.plan.fingerprint[:16]}"
    assert (f"bazel --output_user_root=/bazel_cache build -c opt --cxxopt=--std=c++17 --fat_apk_cpu=arm64-v8a "
            f"--define=xnn_enable_arm_fp16=false --host_crosstool_top=@bazel_tools//tools/cpp:toolchain "
            f"--linkopt=-Wl,-z,max-page-size=16384 //{pkg}:tensorflow-lite") in script
    assert (f"bazel --output_user_root=/bazel_cache build -c opt --cxxopt=--std=c++17 --fat_apk_cpu=arm64-v8a "
            f"--define=xnn_enable_arm_fp16=false --host_crosstool_top=@bazel_tools//tools/cpp:toolchain "
            f"--linkopt=-Wl,-z,max-page-size=16384 //{pkg}:tensorflow-lite-select-tf-ops") in script
    assert f"cp -R /tflite_slim_pkg/. {pkg}/" in run[-1]  # models/ and custom_ops/ come along
    assert f"cp bazel-bin/{pkg}/tensorflow-lite-select-tf-ops.aar /out/" in script
    # The checkpoint is the revision recorded, not the mounted tree's.
    record = json.loads((tmp_path / "out/ops.json").read_text())
    assert record["tensorflow"] == {"version": "2.17.0", "commit": None}
    assert record["artifacts"]["select_tf_ops"] == "tensorflow-lite-select-tf-ops.aar"


def test_docker_without_checkpoint_mounts_source_and_records_branch(tmp_path, models):
    ws = make_tensorflow_workspace(tmp_path / "tf")
    plan = BuildPlan(OpSet({"ADD": (1,)}), ("arm64-v8a",), "2.16.1")
    pkg = Package("tflite_slim_build/pX", "", ())
    d = DockerBazel()
    argv = d.run_argv(ws, plan, pkg, Path("/w/pkg"), Path("/w/out"))
    assert f"{ws}:/tensorflow_host:ro" in argv and "git clone" not in argv[-1]
    assert not any(a.endswith(":/tensorflow_src") for a in argv)
    assert "--output_user_root" not in argv[-1]
    p = prepare(BuildSettings(models=tuple(models), tensorflow_src=str(ws), backend="docker",
                              checkpoint="master", dry_run=True))
    assert p.plan.tf_commit == "master" and p.plan.tf_version == "2.16.1"
    assert p.commands[0][:2] == ("docker", "build")


def test_docker_absent_is_a_toolchain_error(tmp_path, models):
    ws = make_tensorflow_workspace(tmp_path / "tf")
    s = BuildSettings(models=tuple(models), out=str(tmp_path / "out"), tensorflow_src=str(ws),
                      backend="docker", docker="no-such-docker-here", cache_dir=str(tmp_path / "c"))
    with pytest.raises(ToolchainError, match="install Docker Engine"):
        build(s)
    assert not (tmp_path / "out").exists()


def test_docker_needs_the_dockerfile(tmp_path, models):
    ws = make_tensorflow_workspace(tmp_path / "tf")
    (ws / "tensorflow/tools/dockerfiles/tflite-android.Dockerfile").unlink()
    s = BuildSettings(models=tuple(models), out=str(tmp_path / "out"), tensorflow_src=str(ws),
                      backend="docker", docker="/bin/true", cache_dir=str(tmp_path / "c"))
    with pytest.raises(ToolchainError, match="tflite-android.Dockerfile"):
        build(s)


@pytest.mark.parametrize(
    "script, expected",
    [
        (tffiles.DOCKER_NEW, tffiles.DOCKER_CONFIGS_CLANG),
        (tffiles.DOCKER_OLD, tffiles.DOCKER_CONFIGS_NO_CLANG),
        (None, list(tfscripts.KNOWN_CONFIGURE_ANSWERS)),  # no script in the tree: the newest one's answers
    ],
)
def test_docker_configure_answers_are_the_trees_scripts(tmp_path, models, script, expected):
    """./configure gets what that revision's build_aar_with_docker.sh pipes into it (clang or not)."""
    ws = make_tensorflow_workspace(tmp_path / "tf")
    path = ws / tfscripts.BUILD_AAR_WITH_DOCKER
    if script is None:
        path.unlink()
    else:
        path.write_text(script)
    p = prepare(BuildSettings(models=tuple(models), tensorflow_src=str(ws), backend="docker", dry_run=True))
    configure = [l for l in p.commands[1][-1].splitlines() if l.endswith("| ./configure")]
    assert configure == ["printf '%s\\n' " + " ".join(shlex.quote(a) for a in expected) + " | ./configure"]
    noted = any("./configure answers: the newest" in n for n in p.notes)
    assert noted is (script is None)


@pytest.mark.parametrize(
    "script, expected",
    [
        (tffiles.DOCKER_OLD, tffiles.DOCKER_CONFIGS_NO_CLANG),
        (tffiles.DOCKER_NEW, tffiles.DOCKER_CONFIGS_CLANG),
        (None, list(tfscripts.KNOWN_CONFIGURE_ANSWERS)),
    ],
)
def test_checkpoint_configure_takes_the_cloned_revisions_answers(tmp_path, script, expected):
    """The checkpoint exists only in the container: the configure step reads its script there (run here in bash)."""
    tree = tmp_path / "tensorflow_src"
    (tree / "tensorflow/lite/tools").mkdir(parents=True)
    if script is not None:
        (tree / tfscripts.BUILD_AAR_WITH_DOCKER).write_text(script)
    (tree / "configure").write_text("#!/bin/bash\ncat > answers.txt\n")
    (tree / "configure").chmod(0o755)
    lines = DockerBazel(checkpoint="v2.9.0").configure_lines()
    done = subprocess.run(["bash", "-c", "set -e\n" + "\n".join(lines)], cwd=tree, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tree / "answers.txt").read_text().splitlines() == expected


def test_docker_configures_a_copy_never_the_mounted_checkout(tmp_path):
    """The container ran ./configure as root in the read-write mounted --source checkout, rewriting
    .tf_configure.bazelrc. The script's own lines, run here in bash: the copy is configured, the tree not."""
    host = make_tensorflow_workspace(tmp_path / "host")
    (host / "configure").write_text("#!/bin/bash\ncat > .tf_configure.bazelrc\n")
    (host / "configure").chmod(0o755)
    (host / ".git").mkdir()
    (host / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    before = {p: p.read_bytes() for p in host.rglob("*") if p.is_file()}
    work = tmp_path / "container_src"
    d = DockerBazel()
    answers = tfscripts.KNOWN_CONFIGURE_ANSWERS
    lines = [*copy_tree_lines(str(host), str(work)), f"cd {work}", *d.configure_lines(answers)]
    done = subprocess.run(["bash", "-c", "set -e\n" + "\n".join(lines)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert {p: p.read_bytes() for p in host.rglob("*") if p.is_file()} == before
    assert (work / ".tf_configure.bazelrc").read_text().splitlines() == list(answers)
    assert (work / "WORKSPACE").is_file() and not (work / ".git").exists()
    script = d.container_script(BuildPlan(OpSet({"ADD": (1,)}), ("arm64-v8a",), "2.16.1"),
                                Package("tflite_slim_build/pX", "", ()), answers)
    assert script.index(f"tar -C {HOST_TREE}") < script.index("cd /tensorflow_src") < script.index("./configure")
