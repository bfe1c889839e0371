"""Android settings from the environment, and configuring a tree with (the stand-in of) TensorFlow's configure.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from standin.workspace import BAZEL, make_android_ndk, make_android_sdk, make_tensorflow_workspace
from tflite_slim.runtime.trees.android import (
    AndroidConfig,
    configure_env,
    configure_hint,
    ensure_configured,
    read_configured,
    resolve,
)
from tflite_slim.errors import ToolchainError
from tflite_slim.runtime.trees.layout import LITERT


@pytest.fixture
def kit(tmp_path):
    """An SDK (API 9, 33, 34; build-tools incl. an rc), an NDK, and an env naming them."""
    sdk = make_android_sdk(tmp_path / "sdk", api_levels=("9", "33", "34"),
                           build_tools=("9.0.0", "33.0.2", "34.0.0", "35.0.0-rc1"))
    ndk = make_android_ndk(tmp_path / "ndk")
    return tmp_path, sdk, ndk


@pytest.mark.parametrize(
    "env, expected",
    [
        # Defaults: highest platform and build-tools by number (not by text: 9 < 34; an rc is below its release).
        ({"ANDROID_SDK_HOME": "{sdk}", "ANDROID_NDK_HOME": "{ndk}"}, ("34", "21", "35.0.0-rc1")),
        ({"ANDROID_HOME": "{sdk}", "ANDROID_NDK_ROOT": "{ndk}", "ANDROID_API_LEVEL": "33",
          "ANDROID_NDK_API_LEVEL": "24", "ANDROID_BUILD_TOOLS_VERSION": "33.0.2"}, ("33", "24", "33.0.2")),
        ({"ANDROID_SDK_ROOT": "{sdk}", "ANDROID_NDK_HOME": "{ndk}"}, ("34", "21", "35.0.0-rc1")),
        # ANDROID_SDK_HOME in Android Studio's older sense (the .android dir's parent): the next variable wins.
        ({"ANDROID_SDK_HOME": "{tmp}", "ANDROID_HOME": "{sdk}", "ANDROID_NDK_HOME": "{ndk}"}, ("34", "21", "35.0.0-rc1")),
    ],
)
def test_resolve(kit, env, expected):
    tmp, sdk, ndk = kit
    env = {k: v.format(sdk=sdk, ndk=ndk, tmp=tmp) for k, v in env.items()}
    a = resolve(env)
    assert (a.sdk_api_level, a.ndk_api_level, a.build_tools_version) == expected
    assert (a.sdk_home, a.ndk_home, a.ndk_revision) == (str(sdk.resolve()), str(ndk.resolve()), "25.2.9519653")


def test_build_tools_release_beats_its_rc(tmp_path):
    sdk = make_android_sdk(tmp_path / "sdk", build_tools=("34.0.0-rc3", "34.0.0", "30.0.3"))
    ndk = make_android_ndk(tmp_path / "ndk")
    assert resolve({"ANDROID_HOME": str(sdk), "ANDROID_NDK_HOME": str(ndk)}).build_tools_version == "34.0.0"


@pytest.mark.parametrize(
    "env, message",
    [
        ({}, r"set ANDROID_SDK_HOME \(or ANDROID_HOME / ANDROID_SDK_ROOT\).*--backend docker"),
        ({"ANDROID_HOME": "{sdk}"}, r"set ANDROID_NDK_HOME \(or ANDROID_NDK_ROOT\).*\(the SDK has .*ndk/26\.1\.1\).*--backend docker"),
        ({"ANDROID_HOME": "{tmp}/nowhere", "ANDROID_NDK_HOME": "{ndk}"}, r"ANDROID_HOME=.*/nowhere: no such directory; or build in TensorFlow's Docker image"),
        ({"ANDROID_HOME": "{tmp}", "ANDROID_NDK_HOME": "{ndk}"}, r"is not an Android SDK \(no platforms/ or build-tools/"),
        ({"ANDROID_HOME": "{sdk}", "ANDROID_NDK_HOME": "{tmp}/ndk-gone"}, r"ANDROID_NDK_HOME=.*/ndk-gone: no such directory"),
        ({"ANDROID_HOME": "{sdk}", "ANDROID_NDK_HOME": "{sdk}"}, r"is not an Android NDK \(no source.properties"),
        ({"ANDROID_HOME": "{sdk}", "ANDROID_NDK_HOME": "{ndk}", "ANDROID_API_LEVEL": "30"},
         r"ANDROID_API_LEVEL=30: .*/platforms/android-30 does not exist \(installed: 9, 33, 34\)"),
        ({"ANDROID_HOME": "{sdk}", "ANDROID_NDK_HOME": "{ndk}", "ANDROID_BUILD_TOOLS_VERSION": "31.0.0"},
         r"ANDROID_BUILD_TOOLS_VERSION=31.0.0: .*build-tools/31.0.0 does not exist"),
        ({"ANDROID_HOME": "{sdk}", "ANDROID_NDK_HOME": "{ndk}", "ANDROID_NDK_API_LEVEL": "L"},
         r"ANDROID_NDK_API_LEVEL=L: expected a number"),
    ],
)
def test_resolve_errors_are_one_line(kit, env, message):
    tmp, sdk, ndk = kit
    (sdk / "ndk/26.1.1").mkdir(parents=True)
    env = {k: v.format(sdk=sdk, ndk=ndk, tmp=tmp) for k, v in env.items()}
    with pytest.raises(ToolchainError, match=message) as info:
        resolve(env)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("env", [{}, {"ANDROID_HOME": "{sdk}"}, {"ANDROID_HOME": "{tmp}/nowhere", "ANDROID_NDK_HOME": "{ndk}"}])
def test_litert_errors_do_not_offer_docker(kit, env):
    """--backend docker refuses LiteRT, so a LiteRT download's SDK/NDK errors must not advise it."""
    tmp, sdk, ndk = kit
    env = {k: v.format(sdk=sdk, ndk=ndk, tmp=tmp) for k, v in env.items()}
    with pytest.raises(ToolchainError) as info:
        resolve(env, layout=LITERT)
    assert "docker" not in str(info.value).lower() and "TensorFlow" not in str(info.value)
    assert str(info.value).startswith(("the Android SDK is needed to configure LiteRT",
                                       "the Android NDK is needed to configure LiteRT", f"ANDROID_HOME={tmp}"))


def test_existing_configuration_stands_without_environment(kit):
    tmp, sdk, ndk = kit
    existing = AndroidConfig("/opt/sdk", "/opt/ndk", "30", "21", "30.0.3")
    assert resolve({}, existing=existing) is existing
    # Any SDK/NDK variable set: the environment decides.
    assert resolve({"ANDROID_HOME": str(sdk), "ANDROID_NDK_HOME": str(ndk)}, existing=existing).sdk_api_level == "34"


@pytest.mark.parametrize(
    "configured, expected",
    [
        (True, AndroidConfig("/opt/android-sdk", "/opt/android-ndk", "23", "21", "31.0.0", None)),
        (False, None),
        (None, None),
    ],
)
def test_read_configured(tmp_path, configured, expected):
    ws = make_tensorflow_workspace(tmp_path / "tf", configured=configured)
    assert read_configured(ws) == expected


@pytest.mark.parametrize(
    "user_env, fixed",
    [
        ({}, {"TF_NEED_CLANG": "0", "USE_DEFAULT_PYTHON_LIB_PATH": "1", "CC_OPT_FLAGS": "-Wno-sign-compare"}),
        # Host-side choices are the user's; Android-only build decisions are not.
        ({"TF_NEED_CLANG": "1", "PYTHON_BIN_PATH": "/usr/bin/python3", "TF_NEED_CUDA": "1"},
         {"TF_NEED_CLANG": "1", "PYTHON_BIN_PATH": "/usr/bin/python3", "TF_NEED_CUDA": "0"}),
    ],
)
def test_configure_env(user_env, fixed):
    a = AndroidConfig("/s", "/n", "34", "21", "34.0.0")
    env = configure_env(a, user_env)
    assert {k: env[k] for k in fixed} == fixed
    assert env["TF_SET_ANDROID_WORKSPACE"] == "1" and env["TF_NEED_ROCM"] == "0"
    assert (env["ANDROID_SDK_HOME"], env["ANDROID_NDK_HOME"], env["ANDROID_API_LEVEL"],
            env["ANDROID_NDK_API_LEVEL"], env["ANDROID_BUILD_TOOLS_VERSION"]) == ("/s", "/n", "34", "21", "34.0.0")


def test_canonical_leaves_locations_out():
    a = AndroidConfig("/s", "/n", "34", "21", "34.0.0", "25.2.9519653")
    assert a.canonical() == AndroidConfig("/elsewhere", "/x", "34", "21", "34.0.0", "25.2.9519653").canonical()
    assert a.canonical() != AndroidConfig("/s", "/n", "34", "24", "34.0.0", "25.2.9519653").canonical()


def test_configure_hint_names_the_command(kit, monkeypatch):
    tmp, sdk, ndk = kit
    assert "ANDROID_SDK_HOME=<sdk> ANDROID_NDK_HOME=<ndk> ./configure" in configure_hint(Path("/tf"), {})
    hint = configure_hint(Path("/tf"), {"ANDROID_HOME": str(sdk), "ANDROID_NDK_HOME": str(ndk)})
    assert f"cd /tf && TF_SET_ANDROID_WORKSPACE=1 ANDROID_SDK_HOME={sdk.resolve()} " \
           f"ANDROID_NDK_HOME={ndk.resolve()} ./configure" in hint


def _no_leftovers(root: Path) -> bool:
    return not [p for p in root.parent.iterdir() if p.name.startswith(".configure-")]


def test_configure_writes_what_configure_py_writes_and_is_idempotent(kit):
    tmp, sdk, ndk = kit
    ws = make_tensorflow_workspace(tmp / "tf", configured=None)
    a = resolve({"ANDROID_HOME": str(sdk), "ANDROID_NDK_HOME": str(ndk), "ANDROID_API_LEVEL": "33"})
    lines = []
    assert ensure_configured(ws, a, bazel=str(BAZEL), log=lines.append) is True
    rc = (ws / ".tf_configure.bazelrc").read_text()
    assert f'build --action_env ANDROID_NDK_HOME="{ndk.resolve()}"' in rc
    assert f'build --action_env ANDROID_SDK_HOME="{sdk.resolve()}"' in rc
    assert 'build --action_env ANDROID_SDK_API_LEVEL="33"' in rc and 'ANDROID_NDK_VERSION="25"' in rc
    assert (ws / "tools/python_bin_path.sh").read_text().startswith("export PYTHON_BIN_PATH=")
    assert read_configured(ws) == a
    assert any("You have bazel 6.5.0 installed." in line for line in lines)
    assert _no_leftovers(ws)
    assert ensure_configured(ws, a, bazel=str(BAZEL)) is False  # same answers: configure.py does not run again
    b = resolve({"ANDROID_HOME": str(sdk), "ANDROID_NDK_HOME": str(ndk)})
    assert ensure_configured(ws, b, bazel=str(BAZEL), log=lambda _: None) is True
    assert read_configured(ws).sdk_api_level == "34"


def test_bazel_under_another_name_is_found_by_configure_py(kit):
    tmp, sdk, ndk = kit
    ws = make_tensorflow_workspace(tmp / "tf", configured=None)
    custom = tmp / "bin/my-bazel-6"
    custom.parent.mkdir()
    shutil.copy(BAZEL, custom)
    a = resolve({"ANDROID_HOME": str(sdk), "ANDROID_NDK_HOME": str(ndk)})
    assert ensure_configured(ws, a, bazel=str(custom), log=lambda _: None)
    with pytest.raises(ToolchainError, match=r"needs Bazel: '.*/no-bazel' was not found.*--bazel PATH"):
        ensure_configured(make_tensorflow_workspace(tmp / "tf2", configured=None), a, bazel=str(tmp / "no-bazel"))


def test_bad_python_bin_path_is_named(kit, monkeypatch):
    tmp, sdk, ndk = kit
    ws = make_tensorflow_workspace(tmp / "tf", configured=None)
    a = resolve({"ANDROID_HOME": str(sdk), "ANDROID_NDK_HOME": str(ndk)})
    monkeypatch.setenv("PYTHON_BIN_PATH", str(tmp / "no-python"))
    with pytest.raises(ToolchainError, match=r"PYTHON_BIN_PATH=.*/no-python: not an executable Python"):
        ensure_configured(ws, a, bazel=str(BAZEL))
    assert read_configured(ws) is None and _no_leftovers(ws)


def test_failed_configure_leaves_the_tree_as_it_was(kit):
    """An NDK without meta/platforms.json makes (current) configure.py crash after writing half the file."""
    tmp, sdk, _ = kit
    broken = make_android_ndk(tmp / "old-ndk", meta=False)
    a = resolve({"ANDROID_HOME": str(sdk), "ANDROID_NDK_HOME": str(broken)})
    ws = make_tensorflow_workspace(tmp / "tf", configured=None)
    lines = []
    with pytest.raises(ToolchainError, match=r"configure.py failed \(exit status 1, output above\); .* left "
                                             r"unconfigured") as info:
        ensure_configured(ws, a, bazel=str(BAZEL), log=lines.append)
    assert "\n" not in str(info.value) and any("platforms.json" in line for line in lines)
    assert not (ws / ".tf_configure.bazelrc").exists() and not (ws / "tools/python_bin_path.sh").exists()
    assert _no_leftovers(ws)
    # A configured tree keeps its earlier configuration when reconfiguring fails.
    ws2 = make_tensorflow_workspace(tmp / "tf2", configured=True)
    before = (ws2 / ".tf_configure.bazelrc").read_text()
    with pytest.raises(ToolchainError):
        ensure_configured(ws2, a, bazel=str(BAZEL), log=lambda _: None)
    assert (ws2 / ".tf_configure.bazelrc").read_text() == before


def test_the_hinted_command_configures_a_checkout(kit):
    """The non-interactive ./configure line the error prints does configure (stand-in wrapper and script)."""
    import os
    import subprocess
    import sys

    tmp, sdk, ndk = kit
    ws = make_tensorflow_workspace(tmp / "tf", configured=None)
    env = dict(os.environ, PATH=f"{BAZEL.parent}{os.pathsep}{os.environ['PATH']}", PYTHON_BIN_PATH=sys.executable,
               TF_NEED_CLANG="0", TF_SET_ANDROID_WORKSPACE="1", ANDROID_SDK_HOME=str(sdk), ANDROID_NDK_HOME=str(ndk))
    for name in ("ANDROID_API_LEVEL", "ANDROID_NDK_API_LEVEL", "ANDROID_BUILD_TOOLS_VERSION"):
        env.pop(name, None)
    done = subprocess.run(["./configure"], cwd=ws, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    got = read_configured(ws)
    # configure.py's own defaults: lexically last platform/build-tools (why tflite-slim passes them explicitly).
    assert (got.sdk_home, got.ndk_api_level, got.sdk_api_level, got.build_tools_version) == (
        str(sdk), "21", "9", "9.0.0")
