"""The two source trees tflite-slim builds in: TensorFlow, and LiteRT (its ``tflite/`` tree).

TensorFlow Lite moved out of TensorFlow into ``google-ai-edge/LiteRT``: the
same Bazel macros live under ``//tflite`` instead of ``//tensorflow/lite``.
Every difference the build cares about is a field of :class:`SourceLayout`, so
the rest of the code asks the layout instead of testing the kind. Facts from
each project's own files (cited, not copied):

* TensorFlow: ``tensorflow/lite/tools/build_aar.sh`` (flags), ``configure.py``
  (writes ``.tf_configure.bazelrc``; NDK API level default 21).
* LiteRT: ``tflite/build_def.bzl``, ``tflite/java/aar_with_jni.bzl`` and
  ``tflite/delegates/flex/build_def.bzl`` (the macros, same signatures as
  TensorFlow's); ``configure.py`` writes ``.litert_configure.bazelrc``, which
  ``.bazelrc`` try-imports (v1.x: ``.tf_configure.bazelrc``; v2.0.x imports it
  unconditionally; from v2.1 the ``WORKSPACE`` reads the SDK/NDK from the environment
  and no configure is needed: :mod:`tflite_slim.runtime.trees.androidtree`); a ``./configure``
  wrapper runs ``configure.py``; its Android image ``ci/tflite-android.Dockerfile``
  sets ``ANDROID_NDK_API_LEVEL 21`` ("required for LiteRT v1 packages"), which is
  also configure.py's default at the tags that need configure; ``ci/build_android_package.sh`` builds
  the AARs with ``-c opt --cxxopt=--std=c++17 --config=android_arm64
  --fat_apk_cpu=... --define=android_dexmerger_tool=d8_dexmerger
  --define=android_incremental_dexing_tool=d8_dexbuilder
  --repo_env=HERMETIC_PYTHON_VERSION=3.11`` (plus ``--show_timestamps``, which
  only changes its log; ``.bazelrc`` turns on C++ toolchain resolution
  globally, and ``android_arm64`` Android's too) and names the Select TF ops
  artifact ``litert-select-tf-ops``, built (a step it keeps commented out) with
  those flags followed by ``--config=monolithic --define=TENSORFLOW_PROTOS=lite``
  (and x86-only ``--copt=-mno-sse4*`` options, which we leave out). The AAR built
  from ``tflite/java`` is the 1.x ``com.google.ai.edge.litert:litert`` line, versioned
  ``LITERT_FULL_VERSION`` in ``litert/version.bzl`` (``LITERT_EXPERIMENTAL_VERSION``
  is the 2.x CompiledModel line, built from ``litert/kotlin``, which we never build).
  ``tflite/tools/build_aar.sh`` still writes ``//tensorflow/lite`` labels, so it is
  not a reference here.
"""

from __future__ import annotations

from dataclasses import dataclass


#: Where the generated code includes TFLite headers from (``gen_selected_ops`` passes
#: ``--tflite_path=tensorflow/lite``).
TFLITE_PATH = "tensorflow/lite"


def kernels_header(tflite_path: str = TFLITE_PATH) -> str:
    """The builtin kernels' header (declares ``Register_<OP>``): the one place its path is spelled."""
    return f"{tflite_path}/kernels/builtin_op_kernels.h"


@dataclass(frozen=True)
class SourceLayout:
    """Where one kind of source tree keeps what the build needs, and how it is built."""

    #: ``tensorflow`` or ``litert``: in the cache path, the build record and the plan.
    kind: str
    #: The project's name for people.
    title: str
    #: The directory holding TensorFlow Lite inside the tree.
    lite_dir: str
    #: What ``configure.py`` writes (and Bazel try-imports).
    configure_rc: str
    #: ``configure.py``'s NDK API level default we answer when the user sets none.
    default_ndk_api_level: str
    #: How a user runs the project's configure step in their checkout.
    configure_command: str
    #: ``bazel build`` flags before the ABI flags (a ``--config`` there sets its own
    #: ``--fat_apk_cpu`` and ``--platforms``, which ours override). Empty for TensorFlow, whose flags are read from
    #: the tree's build_aar.sh (:mod:`tflite_slim.runtime.trees.tfscripts`) instead.
    flags_before_abis: tuple[str, ...]
    #: Flags after ``--fat_apk_cpu`` (empty for TensorFlow, as above).
    flags_after_abis: tuple[str, ...]
    #: Flags the Select TF ops AAR adds after all of those (empty for TensorFlow, as above).
    flex_flags: tuple[str, ...]
    #: GitHub's archive of a release tag; ``{version}`` is ``X.Y.Z``.
    archive_url: str
    #: Environment override of :attr:`archive_url` (mirrors, tests).
    archive_env: str
    #: The option that downloads a release.
    version_option: str
    #: Default artifactIds of the slim runtime and the Select TF ops AAR: the app's own names.
    runtime_artifact: str
    select_tf_ops_artifact: str
    #: Put between the source version and ``-slim-`` in the default Maven version.
    version_tag: str

    @property
    def build_def(self) -> str:
        return f"//{self.lite_dir}:build_def.bzl"

    @property
    def flex_build_def(self) -> str:
        return f"//{self.lite_dir}/delegates/flex:build_def.bzl"

    @property
    def aar_with_jni(self) -> str:
        return f"//{self.lite_dir}/java:aar_with_jni.bzl"

    @property
    def marker(self) -> str:
        """The file that identifies the tree (the macros every build loads)."""
        return f"{self.lite_dir}/build_def.bzl"


TENSORFLOW = SourceLayout(
    kind="tensorflow",
    title="TensorFlow",
    lite_dir="tensorflow/lite",
    configure_rc=".tf_configure.bazelrc",
    default_ndk_api_level="21",  # configure.py: "21 is required for ARM64 support"
    configure_command="./configure",
    flags_before_abis=(),
    flags_after_abis=(),
    flex_flags=(),
    archive_url="https://github.com/tensorflow/tensorflow/archive/refs/tags/v{version}.tar.gz",
    archive_env="TFLITE_SLIM_TF_ARCHIVE_URL",
    version_option="--tensorflow-version",
    runtime_artifact="tensorflow-lite",
    select_tf_ops_artifact="tensorflow-lite-select-tf-ops",
    version_tag="",
)

LITERT = SourceLayout(
    kind="litert",
    title="LiteRT",
    lite_dir="tflite",
    configure_rc=".litert_configure.bazelrc",
    default_ndk_api_level="21",  # configure.py at v1.4.1/v2.0.2 and ci/tflite-android.Dockerfile: 21
    configure_command="./configure",
    flags_before_abis=("-c", "opt", "--cxxopt=--std=c++17", "--config=android_arm64"),
    flags_after_abis=(
        "--define=android_dexmerger_tool=d8_dexmerger",
        "--define=android_incremental_dexing_tool=d8_dexbuilder",
        "--repo_env=HERMETIC_PYTHON_VERSION=3.11",
    ),
    flex_flags=("--config=monolithic", "--define=TENSORFLOW_PROTOS=lite"),
    archive_url="https://github.com/google-ai-edge/LiteRT/archive/refs/tags/v{version}.tar.gz",
    archive_env="TFLITE_SLIM_LITERT_ARCHIVE_URL",
    version_option="--litert-version",
    runtime_artifact="litert",
    select_tf_ops_artifact="litert-select-tf-ops",
    version_tag="-litert",
)

LAYOUTS = {layout.kind: layout for layout in (TENSORFLOW, LITERT)}


def layout_of(kind: str) -> SourceLayout:
    """The layout named ``kind`` (a build record's ``source``); unknown kinds are a ValueError."""
    try:
        return LAYOUTS[kind]
    except KeyError:
        raise ValueError(f"unknown source kind {kind!r} (expected one of {', '.join(sorted(LAYOUTS))})") from None
