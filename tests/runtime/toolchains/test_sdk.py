"""The SDK and NDK finder against Android-Studio-shaped directories built here (sdk/ndk/<revision>/...)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tflite_slim.runtime.toolchains import sdk
from tflite_slim.runtime.toolchains.sdk import NdkProblem


def make_ndk(path: Path, revision: str, *, properties: "str | None" = None) -> Path:
    """An NDK directory as the SDK Manager installs it: source.properties and the CMake toolchain file."""
    (path / "build" / "cmake").mkdir(parents=True)
    (path / sdk.NDK_TOOLCHAIN_FILE).write_text("# stand-in\n")
    text = properties if properties is not None else f"Pkg.Desc = Android NDK\nPkg.Revision = {revision}\n"
    (path / "source.properties").write_text(text)
    return path


@pytest.mark.parametrize("text, expected", [
    ("sdk.dir=/home/me/Android/Sdk\n", {"sdk.dir": "/home/me/Android/Sdk"}),
    # Android Studio on Windows escapes ':' and '\\'.
    ("## written by Android Studio\nsdk.dir=C\\:\\\\Users\\\\me\\\\AppData\\\\Local\\\\Android\\\\Sdk\n",
     {"sdk.dir": "C:\\Users\\me\\AppData\\Local\\Android\\Sdk"}),
    ("Pkg.Revision = 27.0.12077973\n! comment\nkey: value\n", {"Pkg.Revision": "27.0.12077973", "key": "value"}),
    ("lonely\n", {"lonely": ""}),
])
def test_parse_properties(text: str, expected: dict) -> None:
    assert sdk.parse_properties(text) == expected


def test_sdk_order_option_then_android_home_then_sdk_root_then_local_properties(tmp_path: Path) -> None:
    dirs = {n: tmp_path / n for n in ("opt", "home", "root", "props")}
    for d in dirs.values():
        d.mkdir()
    (tmp_path / "local.properties").write_text(f"sdk.dir={dirs['props']}\n")
    env = {"ANDROID_HOME": str(dirs["home"]), "ANDROID_SDK_ROOT": str(dirs["root"])}
    assert sdk.find_sdk(str(dirs["opt"]), env, tmp_path) == sdk.Found(dirs["opt"], "--sdk")
    assert sdk.find_sdk(None, env, tmp_path) == sdk.Found(dirs["home"], "$ANDROID_HOME")
    assert sdk.find_sdk(None, {"ANDROID_SDK_ROOT": str(dirs["root"])}, tmp_path).how == "$ANDROID_SDK_ROOT"
    found = sdk.find_sdk(None, {}, tmp_path)
    assert found is not None and found.path == dirs["props"] and found.how.startswith("sdk.dir in ")
    # A variable naming no directory is passed over, as Gradle does.
    assert sdk.find_sdk(None, {"ANDROID_HOME": str(tmp_path / "gone")}, tmp_path).path == dirs["props"]
    assert sdk.find_sdk(None, {}, tmp_path / "opt") is None


def test_the_newest_ndk_whose_source_properties_agree(tmp_path: Path) -> None:
    s = sdk.Found(tmp_path, "$ANDROID_HOME")
    make_ndk(tmp_path / "ndk/26.3.11579264", "26.3.11579264")
    make_ndk(tmp_path / "ndk/27.0.12077973", "27.0.12077973")
    # Newer by name, but its source.properties says otherwise: not trusted.
    make_ndk(tmp_path / "ndk/28.0.1", "28.0.1", properties="Pkg.Revision = 25.0.1\n")
    (tmp_path / "ndk/29.0.1").mkdir()  # half installed: no toolchain file
    found = sdk.find_ndk(None, None, {}, s)
    assert (found.path, found.revision) == (tmp_path / "ndk/27.0.12077973", "27.0.12077973")
    assert "newest" in found.how
    declared = sdk.find_ndk(None, "26", {}, s)
    assert declared.revision == "26.3.11579264"


@pytest.mark.parametrize("option, env, declared, message", [
    (None, {}, "25.2.9519653", "--ndk-version 25.2.9519653: not installed in {sdk}/ndk (installed: 27.0.12077973); "
                               "install NDK 25.2.9519653 with Android Studio's SDK Manager"),
    ("{tmp}/nothing", {}, None, "--ndk {tmp}/nothing: not an NDK (no build/cmake/android.toolchain.cmake)"),
    (None, {"ANDROID_NDK_HOME": "{tmp}/ndk-26"}, "27", "--ndk-version 27: the NDK from $ANDROID_NDK_HOME "
                                                       "({tmp}/ndk-26) is 26.3.11579264; point it at NDK 27 or "
                                                       "declare 26.3.11579264"),
])
def test_ndk_problems_name_the_fix(tmp_path: Path, option, env, declared, message) -> None:
    s = sdk.Found(tmp_path / "sdk", "--sdk")
    make_ndk(tmp_path / "sdk/ndk/27.0.12077973", "27.0.12077973")
    make_ndk(tmp_path / "ndk-26", "26.3.11579264")
    fill = {"tmp": tmp_path, "sdk": tmp_path / "sdk"}
    with pytest.raises(NdkProblem) as e:
        sdk.find_ndk(option.format(**fill) if option else None, declared,
                     {k: v.format(**fill) for k, v in env.items()}, s)
    assert str(e.value).startswith(message.format(**fill))


def test_an_ndk_named_by_the_environment_comes_before_the_sdk(tmp_path: Path) -> None:
    make_ndk(tmp_path / "sdk/ndk/27.0.12077973", "27.0.12077973")
    make_ndk(tmp_path / "ndk-26", "26.3.11579264")
    found = sdk.find_ndk(None, None, {"ANDROID_NDK_HOME": str(tmp_path / "ndk-26")},
                         sdk.Found(tmp_path / "sdk", "--sdk"))
    assert found.revision == "26.3.11579264" and found.how == "$ANDROID_NDK_HOME"


def test_no_sdk_no_ndk_is_one_line_naming_every_source(tmp_path: Path) -> None:
    with pytest.raises(NdkProblem) as e:
        sdk.find_ndk(None, None, {}, None)
    assert "--ndk" in str(e.value) and "$ANDROID_HOME" in str(e.value) and "local.properties" in str(e.value)
