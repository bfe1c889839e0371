"""The team flow against a real Maven host: Debian's nginx with WebDAV PUT and basic auth.

``deploy`` uploads to it (good and wrong credentials, the same build again,
other bytes under the same version), then real Gradle resolves the runtime
from it with credentials. The in-test server (``repo_server.py``) keeps the
fault injection; these tests check that our requests are ones a real server
takes, and that its real answers (201/204 for PUT, 401 with its own body,
404 pages in HTML) are read right.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from fake_build import WITH_FLEX, make_build_out
from nginx_server import NginxRepo, find_nginx
from tflite_slim.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent
USER, PASSWORD = "deployer", "n9inx-s3cret"
V = "2.16.1-slim-nginx"


@pytest.fixture
def nginx(tmp_path: Path):
    if find_nginx() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is not installed; .ci/run installs Debian's nginx")
        pytest.skip("nginx is not installed (apt-get install nginx): the real Maven host is not tested")
    with NginxRepo(tmp_path / "nginx-repo", USER, PASSWORD) as repo:
        yield repo


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.setenv("DEPLOY_PW", PASSWORD)


def deploy(repo: NginxRepo, out: Path, *extra: str) -> int:
    return main(["deploy", str(out), "--url", repo.url, "--version", V, "--username", USER,
                 "--password-env", "DEPLOY_PW", *extra])


def test_deploy_then_again_same_bytes_then_other_bytes(nginx: NginxRepo, tmp_path: Path, capsys) -> None:
    out = make_build_out(tmp_path / "out", WITH_FLEX)
    assert deploy(nginx, out) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"deployed: io.tfliteslim:tensorflow-lite:{V} to {nginx.url}",
        f"deployed: io.tfliteslim:tensorflow-lite-select-tf-ops:{V} to {nginx.url}",
    ]
    files = nginx.files()
    base = f"io/tfliteslim/tensorflow-lite/{V}/tensorflow-lite-{V}"
    assert files[f"{base}.aar"] == (out / "tensorflow-lite.aar").read_bytes()
    for name in (f"{base}.aar", f"{base}.pom", f"{base}-ops.json"):
        assert files[f"{name}.sha1"] == hashlib.sha1(files[name]).hexdigest().encode()
    assert b"<version>" + V.encode() + b"</version>" in files["io/tfliteslim/tensorflow-lite/maven-metadata.xml"]
    # nginx created the directories itself (create_full_put_path): every PUT answered 201 Created.
    puts = [line for line in nginx.access_log() if line.startswith("PUT ")]
    assert puts and all(line.endswith(" 201") for line in puts), puts

    # The same build again: nothing uploaded, nginx's files untouched.
    logged = len(nginx.access_log())
    assert deploy(nginx, out) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"unchanged: io.tfliteslim:tensorflow-lite:{V} to {nginx.url}",
        f"unchanged: io.tfliteslim:tensorflow-lite-select-tf-ops:{V} to {nginx.url}",
    ]
    assert not [line for line in nginx.access_log()[logged:] if line.startswith("PUT ")]
    assert nginx.files() == files

    # Other bytes under the same version: nginx would overwrite (204), so the refusal must be ours.
    other = make_build_out(tmp_path / "other", WITH_FLEX, payload=b"other native code")
    logged = len(nginx.access_log())
    assert deploy(nginx, other) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: io.tfliteslim:tensorflow-lite:{V} is already in {nginx.url} with different "
                          f"content (tensorflow-lite-{V}.aar "), err
    assert err.count("\n") == 1
    assert not [line for line in nginx.access_log()[logged:] if line.startswith("PUT ")]
    assert nginx.files() == files


def test_wrong_credentials_are_refused_by_nginx(nginx: NginxRepo, tmp_path: Path, capsys,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    out = make_build_out(tmp_path / "out", WITH_FLEX)
    monkeypatch.setenv("DEPLOY_PW", "not-the-password")
    assert deploy(nginx, out) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: GET {nginx.url}/io/tfliteslim/tensorflow-lite/maven-metadata.xml answered 401 Unauthorized: "
        "the credentials from --username and $DEPLOY_PW were refused; check them and their permissions\n"
    )
    assert "not-the-password" not in err
    assert nginx.files() == {}
    # Without any credentials: the advice on how to give them.
    assert main(["deploy", str(out), "--url", nginx.url, "--version", V]) == 2
    assert "the repository needs credentials: give --username with --password-env VAR" in capsys.readouterr().err
    assert nginx.files() == {}


def test_gradle_resolves_the_runtime_from_nginx_with_credentials(nginx: NginxRepo, tmp_path: Path,
                                                                  gradle: str) -> None:
    out = make_build_out(tmp_path / "out", WITH_FLEX)
    assert deploy(nginx, out) == 0
    project = tmp_path / "consumer"
    shutil.copytree(REPO_ROOT / "maven" / "consumer", project)
    module = f"io.tfliteslim:tensorflow-lite-select-tf-ops:{V}"

    def resolve(password: str) -> subprocess.CompletedProcess:
        env = dict(os.environ, SLIM_REPO_USER=USER, SLIM_REPO_PASSWORD=password)
        return subprocess.run(
            [gradle, "--no-daemon", "-q", "-p", str(project), "-g", str(tmp_path / "gradle-home"),
             f"-PslimRepoUrl={nginx.url}", "resolveSlim", f"-PslimModules={module}"],
            capture_output=True, text=True, timeout=300, env=env,
        )

    done = resolve(PASSWORD)
    lines = sorted(line for line in done.stdout.splitlines() if line.startswith(("RESOLVED", "FAILED")))
    assert lines == [
        f"RESOLVED {module} -> {module} tensorflow-lite-select-tf-ops-{V}.aar",
        f"RESOLVED {module} -> io.tfliteslim:tensorflow-lite:{V} tensorflow-lite-{V}.aar",
    ], done.stdout + done.stderr
    assert done.returncode == 0
    # Gradle's cache would answer now: a fresh Gradle home with the wrong password must be refused by nginx.
    shutil.rmtree(tmp_path / "gradle-home")
    refused = resolve("wrong")
    assert refused.returncode != 0
    assert any(line.startswith(f"FAILED {module}") for line in refused.stdout.splitlines()), refused.stdout
    assert any(line.endswith(" 401") for line in nginx.access_log())
