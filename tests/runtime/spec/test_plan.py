"""The build plan: what changes its fingerprint, and the exact Bazel command lines."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tflite_slim.runtime.trees.android import AndroidConfig
from tflite_slim.runtime.trees.layout import LITERT
from tflite_slim.errors import UsageError
from tflite_slim.analysis.opset import FlexOp, OpSet
from tflite_slim.runtime.spec.buildfile import RUNTIME_TARGET
from tflite_slim.runtime.spec.plan import BuildPlan, SourceFile, bazel_build_argv, build_flags_for, package_path, parse_abis
from tflite_slim.runtime.trees.tfscripts import ABIS_FLAG, FLEX_LABEL, RUNTIME_LABEL

NDK21 = AndroidConfig("/opt/sdk", "/opt/ndk", "34", "21", "34.0.0", "25.2.9519653")
BASE = BuildPlan(OpSet({"CONV_2D": (1, 2), "ADD": (1,)}), ("arm64-v8a", "armeabi-v7a"), "2.16.1")


@pytest.mark.parametrize(
    "text, abis",
    [
        ("arm64-v8a,armeabi-v7a", ("arm64-v8a", "armeabi-v7a")),
        ("armeabi-v7a, arm64-v8a,arm64-v8a", ("arm64-v8a", "armeabi-v7a")),
        ("x86_64", ("x86_64",)),
        ("x86,x86_64,arm64-v8a,armeabi-v7a", ("arm64-v8a", "armeabi-v7a", "x86", "x86_64")),
    ],
)
def test_parse_abis(text, abis):
    assert parse_abis(text) == abis


@pytest.mark.parametrize("text", ["", " , ", "arm64", "mips,arm64-v8a"])
def test_parse_abis_rejects(text):
    with pytest.raises(UsageError):
        parse_abis(text)


def _replace(**kw):
    data = dict(
        op_set=BASE.op_set, abis=BASE.abis, tf_version=BASE.tf_version, tf_commit=BASE.tf_commit,
        experimental_api=BASE.experimental_api, align_16kb=BASE.align_16kb, custom_ops_srcs=BASE.custom_ops_srcs,
        custom_ops_deps=BASE.custom_ops_deps, bazel_args=BASE.bazel_args, android=BASE.android,
    )
    data.update(kw)
    return BuildPlan(**data)


@pytest.mark.parametrize(
    "changed",
    [
        _replace(op_set=OpSet({"CONV_2D": (1, 2), "ADD": (1,), "MUL": (1,)})),  # new op
        _replace(op_set=OpSet({"CONV_2D": (1, 3), "ADD": (1,)})),  # new version
        _replace(op_set=OpSet({"CONV_2D": (1, 2), "ADD": (1,)}, ("Sinh",))),  # custom op
        _replace(op_set=OpSet({"CONV_2D": (1, 2), "ADD": (1,)}, (), (FlexOp("AddV2"),))),
        _replace(abis=("arm64-v8a",)),
        _replace(tf_version="2.17.0"),
        _replace(tf_commit="abc123"),
        _replace(experimental_api=False),
        _replace(align_16kb=False),
        _replace(custom_ops_srcs=(SourceFile("op.cc", "0" * 64),)),
        _replace(custom_ops_deps=("//x:y",)),
        _replace(bazel_args=("--jobs=4",)),
        # Declared toolchain facts (--ndk-version, --android-api-level) and a declared commit.
        _replace(ndk_version="26.3.11579264"),
        _replace(android_api_level=26),
        _replace(tf_commit="0" * 40),
    ],
)
def test_fingerprint_changes_with_every_declared_input(changed):
    assert changed.fingerprint != BASE.fingerprint


@pytest.mark.parametrize(
    "observed",
    [
        _replace(android=NDK21),
        # Another revision's build_aar.sh flags for the runtime target: implied by the release, recorded.
        _replace(build_flags=build_flags_for({RUNTIME_LABEL: ("-c", "dbg", ABIS_FLAG), FLEX_LABEL: ()})),
        _replace(tf_commit="0" * 40, commit_declared=False),  # a downloaded archive's commit
        _replace(android_platforms=(("arm64-v8a", "//p:arm64"), ("armeabi-v7a", "//p:arm"))),
        _replace(min_api_level=26),
        _replace(env_flags=("--action_env=ANDROID_NDK_HOME=/opt/ndk",)),
    ],
)
def test_what_a_build_observes_is_recorded_not_hashed(observed):
    """The version rule: a developer's plan (no SDK, nothing downloaded) must equal CI's build."""
    assert observed.fingerprint == BASE.fingerprint
    assert observed.describe()["observed"] != BASE.describe()["observed"] or observed.flags(RUNTIME_TARGET) != \
        BASE.flags(RUNTIME_TARGET)



@pytest.mark.parametrize(
    "other, same",
    [
        (AndroidConfig("/home/me/Android/Sdk", "/x/ndk", "34", "21", "34.0.0", "25.2.9519653"), True),  # moved
        (AndroidConfig("/opt/sdk", "/opt/ndk", "34", "26", "34.0.0", "25.2.9519653"), False),  # min API
        (AndroidConfig("/opt/sdk", "/opt/ndk", "34", "21", "34.0.0", "26.1.10909125"), False),  # compiler
        (AndroidConfig("/opt/sdk", "/opt/ndk", "33", "21", "34.0.0", "25.2.9519653"), False),
        (AndroidConfig("/opt/sdk", "/opt/ndk", "34", "21", "33.0.2", "25.2.9519653"), False),
    ],
)
def test_android_settings_are_recorded_but_not_hashed(other, same):
    assert _replace(android=other).fingerprint == _replace(android=NDK21).fingerprint
    assert (_replace(android=other).describe()["observed"] == _replace(android=NDK21).describe()["observed"]) is same
    assert _replace(android=other).describe()["android"] == other.canonical()


def test_fingerprint_ignores_order_and_is_hex():
    same = _replace(op_set=OpSet({"ADD": (1,), "CONV_2D": (1, 2)}), abis=("armeabi-v7a", "arm64-v8a"))
    assert same.fingerprint == BASE.fingerprint
    assert len(BASE.fingerprint) == 64 and int(BASE.fingerprint, 16) >= 0
    a = _replace(custom_ops_srcs=(SourceFile("a.cc", "1" * 64), SourceFile("b.h", "2" * 64)))
    b = _replace(custom_ops_srcs=(SourceFile("b.h", "2" * 64), SourceFile("a.cc", "1" * 64)))
    assert a.fingerprint == b.fingerprint
    c = _replace(custom_ops_srcs=(SourceFile("a.cc", "3" * 64), SourceFile("b.h", "2" * 64)))
    assert c.fingerprint != a.fingerprint


def test_bazel_command_lines_are_build_aar_sh_flags():
    pkg = package_path(BASE)
    assert pkg == "tflite_slim_build/p" + BASE.fingerprint[:16]
    assert bazel_build_argv("bazel", BASE, pkg, "tensorflow-lite") == [
        "bazel", "build", "-c", "opt", "--cxxopt=--std=c++17",
        "--fat_apk_cpu=arm64-v8a,armeabi-v7a",
        "--define=xnn_enable_arm_fp16=false",
        "--host_crosstool_top=@bazel_tools//tools/cpp:toolchain",
        "--linkopt=-Wl,-z,max-page-size=16384",
        f"//{pkg}:tensorflow-lite",
    ]
    plan = _replace(bazel_args=("--jobs=2",))
    # The flex AAR gets build_aar.sh's flags too: no --config=monolithic (the script never passes it there).
    assert bazel_build_argv("/opt/bazel", plan, "p", "tensorflow-lite-select-tf-ops",
                            startup_args=("--output_user_root=/c",)) == [
        "/opt/bazel", "--output_user_root=/c", "build", "-c", "opt", "--cxxopt=--std=c++17",
        "--fat_apk_cpu=arm64-v8a,armeabi-v7a",
        "--define=xnn_enable_arm_fp16=false",
        "--host_crosstool_top=@bazel_tools//tools/cpp:toolchain",
        "--linkopt=-Wl,-z,max-page-size=16384",
        "--jobs=2",
        "//p:tensorflow-lite-select-tf-ops",
    ]


def test_command_lines_follow_the_flags_of_the_trees_script():
    """Flags read from an older build_aar.sh (no xnn define for flex) are what runs, ABIs filled in."""
    old = {RUNTIME_LABEL: ("-c", "opt", ABIS_FLAG, "--define=xnn_enable_arm_fp16=false"),
           FLEX_LABEL: ("-c", "opt", ABIS_FLAG)}
    plan = _replace(build_flags=build_flags_for(old), abis=("x86_64",), align_16kb=False)
    assert bazel_build_argv("bazel", plan, "p", "tensorflow-lite-select-tf-ops") == [
        "bazel", "build", "-c", "opt", "--fat_apk_cpu=x86_64", "//p:tensorflow-lite-select-tf-ops"]
    assert plan.describe()["build_flags"] == {"tensorflow-lite": ["-c", "opt", "--fat_apk_cpu=x86_64",
                                                                  "--define=xnn_enable_arm_fp16=false"]}
    # The flex flags matter only to plans that build the flex AAR.
    assert _replace(build_flags=build_flags_for(old)).fingerprint == _replace(
        build_flags=build_flags_for({**old, FLEX_LABEL: ("-c", "dbg", ABIS_FLAG)})).fingerprint


def test_litert_command_lines_are_its_android_ci_flags_in_its_order():
    """LiteRT's ci/build_android_package.sh: BUILD_FLAGS, and for Select TF ops those then monolithic + protos.

    The 16 KB link option follows them and the user's --bazel-arg comes last (later options win).
    """
    flex = _replace(op_set=OpSet({}, (), (FlexOp("AddV2"),)), build_flags=build_flags_for(None, LITERT),
                    source="litert", bazel_args=("--linkopt=-Wl,-z,max-page-size=4096",))
    ci = ["-c", "opt", "--cxxopt=--std=c++17", "--config=android_arm64", "--fat_apk_cpu=arm64-v8a,armeabi-v7a",
          "--define=android_dexmerger_tool=d8_dexmerger", "--define=android_incremental_dexing_tool=d8_dexbuilder",
          "--repo_env=HERMETIC_PYTHON_VERSION=3.11"]
    tail = ["--linkopt=-Wl,-z,max-page-size=16384", "--linkopt=-Wl,-z,max-page-size=4096"]
    assert bazel_build_argv("bazel", flex, "p", "tensorflow-lite") == ["bazel", "build", *ci, *tail,
                                                                       "//p:tensorflow-lite"]
    assert bazel_build_argv("bazel", flex, "p", "tensorflow-lite-select-tf-ops") == [
        "bazel", "build", *ci, "--config=monolithic", "--define=TENSORFLOW_PROTOS=lite", *tail,
        "//p:tensorflow-lite-select-tf-ops"]
    # A LiteRT tree never takes TensorFlow's build_aar.sh flags, even when some were read.
    assert build_flags_for({RUNTIME_LABEL: ("-c", "dbg"), FLEX_LABEL: ()}, LITERT) == build_flags_for(None, LITERT)


def test_targets_and_describe():
    assert BASE.targets == ("tensorflow-lite",)
    flex = _replace(op_set=OpSet({}, (), (FlexOp("AddV2"),)))
    assert flex.targets == ("tensorflow-lite", "tensorflow-lite-select-tf-ops")
    d = BASE.describe()
    assert d["plan_fingerprint"] == BASE.fingerprint
    assert d["op_set"]["builtin_ops"] == {"ADD": [1], "CONV_2D": [1, 2]}
    assert d["custom_ops_srcs_hash"] is None


def test_16kb_alignment_is_on_by_default_and_can_be_turned_off():
    assert BASE.align_16kb and BASE.canonical()["align_16kb"] is True
    assert BASE.describe()["align_16kb"] is True
    off = _replace(align_16kb=False, bazel_args=("--linkopt=-s",))
    argv = bazel_build_argv("bazel", off, "p", "tensorflow-lite")
    assert not any("max-page-size" in a for a in argv) and argv[-2] == "--linkopt=-s"
    # The op set's own fingerprint (what analyze prints) does not depend on build options.
    assert off.op_set.fingerprint() == BASE.op_set.fingerprint() == OpSet({"ADD": (1,), "CONV_2D": (1, 2)}).fingerprint()


CMAKE_ENTRY = (("backend", "cmake"),)


def test_a_backend_entry_is_a_different_runtime_and_bazel_plans_keep_their_fingerprints():
    ops = OpSet(builtin_ops={"ADD": frozenset({1})})
    bazel = BuildPlan(op_set=ops, abis=("arm64-v8a",), tf_version="2.16.1", android_api_level=23)
    cmake = BuildPlan(op_set=ops, abis=("arm64-v8a",), tf_version="2.16.1", backend=CMAKE_ENTRY,
                      android_api_level=23, min_api_level=23)
    assert "backend" not in bazel.canonical() and "backend" not in bazel.describe()
    assert cmake.canonical()["backend"] == {"backend": "cmake"}
    assert cmake.canonical()["android_api_level"] == 23  # the one declared level, as for Bazel
    assert cmake.fingerprint != bazel.fingerprint
    other_level = replace(cmake, android_api_level=24, min_api_level=24)
    assert other_level.fingerprint != cmake.fingerprint


@pytest.mark.parametrize(
    "text, expected",
    [("host", ("linux-x86_64",)), ("host,arm64-v8a", ("arm64-v8a", "linux-x86_64")),
     ("linux-aarch64", ("linux-aarch64",)), ("host,linux-x86_64", ("linux-x86_64",))],
)
def test_parse_abis_host(monkeypatch, text, expected):
    import tflite_slim.runtime.spec.plan as plan_module
    monkeypatch.setattr(plan_module, "host_abi", lambda: "linux-x86_64")
    assert parse_abis(text) == expected


def test_parse_abis_host_on_another_machine_is_one_line(monkeypatch):
    import tflite_slim.runtime.spec.plan as plan_module

    def refuse():
        raise ValueError("this machine (Darwin arm64) is not one the CMake backend builds for")
    monkeypatch.setattr(plan_module, "host_abi", refuse)
    with pytest.raises(UsageError, match=r"^--target-archs host: this machine \(Darwin arm64\)"):
        parse_abis("host")
