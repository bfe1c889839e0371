"""A real consumer: Gradle resolves what ``tflite-slim install`` wrote, offline, dependency graph included.

One Gradle run of ``maven/consumer`` over four modules: the Select TF ops
artifact (whose POM pulls the runtime at ``[v]``), the runtime alone (whose
POM must pull nothing, in particular no ``tensorflow-lite-api``), LiteRT's
``litert-select-tf-ops`` (pulling ``litert``), and a control whose POM we
break on purpose, to prove that a POM Gradle rejects makes this test fail.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from fake_build import WITH_FLEX, make_build_out
from tflite_slim.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_gradle_resolves_installed_artifacts_offline(tmp_path: Path, gradle: str) -> None:
    exe = gradle
    repo = tmp_path / "repo"
    out = make_build_out(tmp_path / "out", WITH_FLEX)
    assert main(["install", str(out), "--repo", str(repo), "--version", "2.16.1-slim-test"]) == 0
    assert main(["install", str(out), "--repo", str(repo), "--group-id", "control.broken", "--version", "1"]) == 0
    # A LiteRT build: its own artifactIds, its Select TF ops POM pulling litert at [v].
    litert_out = make_build_out(tmp_path / "litert-out", WITH_FLEX, tf_version="2.1.6")
    record = json.loads((litert_out / "ops.json").read_text())
    (litert_out / "ops.json").write_text(json.dumps(dict(record, source="litert")))
    assert main(["install", str(litert_out), "--repo", str(repo), "--version", "2.1.6-litert-slim-test"]) == 0
    broken_pom = repo / "control/broken/tensorflow-lite/1/tensorflow-lite-1.pom"
    # A POM whose artifactId contradicts its path: Gradle (and Maven) reject it.
    text = broken_pom.read_text()
    broken_pom.write_text(text.replace("<artifactId>tensorflow-lite</artifactId>", "<artifactId>x</artifactId>"))

    project = tmp_path / "consumer"
    shutil.copytree(REPO_ROOT / "maven" / "consumer", project)
    flex = "io.tfliteslim:tensorflow-lite-select-tf-ops:2.16.1-slim-test"
    runtime = "io.tfliteslim:tensorflow-lite:2.16.1-slim-test"
    control = "control.broken:tensorflow-lite:1"
    litert_flex = "io.tfliteslim:litert-select-tf-ops:2.1.6-litert-slim-test"
    done = subprocess.run(
        [exe, "--offline", "--no-daemon", "-q", "-p", str(project), "-g", str(tmp_path / "gradle-home"),
         f"-Dmaven.repo.local={repo}", "resolveSlim", f"-PslimModules={flex},{runtime},{control},{litert_flex}"],
        capture_output=True, text=True, timeout=300,
    )
    lines = sorted(line for line in done.stdout.splitlines() if line.startswith(("RESOLVED", "FAILED")))
    assert lines == [
        f"FAILED {control}: inconsistent module metadata found. Descriptor: control.broken:x:1 "
        "Errors: bad module name: expected='tensorflow-lite' found='x'",
        f"RESOLVED {litert_flex} -> {litert_flex} litert-select-tf-ops-2.1.6-litert-slim-test.aar",
        f"RESOLVED {litert_flex} -> io.tfliteslim:litert:2.1.6-litert-slim-test litert-2.1.6-litert-slim-test.aar",
        f"RESOLVED {flex} -> {flex} tensorflow-lite-select-tf-ops-2.16.1-slim-test.aar",
        f"RESOLVED {flex} -> {runtime} tensorflow-lite-2.16.1-slim-test.aar",
        f"RESOLVED {runtime} -> {runtime} tensorflow-lite-2.16.1-slim-test.aar",
    ], done.stdout + done.stderr
    # The control failed, so the task (and a user's check) fails.
    assert done.returncode != 0 and f"could not resolve: {control}" in done.stderr


def test_gradle_resolves_what_deploy_uploaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gradle: str) -> None:
    """Deploy twice to a real HTTP repository, then Gradle picks the newest through maven-metadata.xml."""
    from repo_server import RepoServer

    exe = gradle
    out = make_build_out(tmp_path / "out", WITH_FLEX)
    monkeypatch.setenv("SLIM_REPO_USER", "deployer")
    monkeypatch.setenv("SLIM_REPO_PASSWORD", "s3cret")
    project = tmp_path / "consumer"
    shutil.copytree(REPO_ROOT / "maven" / "consumer", project)
    with RepoServer(tmp_path / "served") as server:
        for version in ("1.0", "1.1"):
            assert main(["deploy", str(out), "--url", server.url, "--version", version,
                         "--username", "deployer", "--password-env", "SLIM_REPO_PASSWORD"]) == 0
        done = subprocess.run(
            [exe, "--no-daemon", "-q", "-p", str(project), "-g", str(tmp_path / "gradle-home"),
             f"-PslimRepoUrl={server.url}", "resolveSlim",
             "-PslimModules=io.tfliteslim:tensorflow-lite-select-tf-ops:+"],
            capture_output=True, text=True, timeout=300,
        )
    module = "io.tfliteslim:tensorflow-lite-select-tf-ops:+"
    lines = sorted(line for line in done.stdout.splitlines() if line.startswith(("RESOLVED", "FAILED")))
    assert lines == [
        f"RESOLVED {module} -> io.tfliteslim:tensorflow-lite-select-tf-ops:1.1 tensorflow-lite-select-tf-ops-1.1.aar",
        f"RESOLVED {module} -> io.tfliteslim:tensorflow-lite:1.1 tensorflow-lite-1.1.aar",
    ], done.stdout + done.stderr
    assert done.returncode == 0
