"""Maven coordinates of what we publish, their defaults, and where files go in a repository.

The defaults (README "Publishing") are a contract with the Gradle plugin:
groupId ``io.tfliteslim``, artifactIds ``tensorflow-lite`` and
``tensorflow-lite-select-tf-ops``, version ``<TF version>-slim-<plan
fingerprint[:12]>``; built from LiteRT, the app's LiteRT names ``litert`` and
``litert-select-tf-ops`` and version ``<LiteRT version>-litert-slim-<plan
fingerprint[:12]>``. The version says which source, which release and which
op set a runtime carries, so two apps with different models never overwrite
each other, and rebuilding the same op set maps to the same version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from tflite_slim.errors import UsageError
from tflite_slim.runtime.trees.layout import TENSORFLOW, layout_of

DEFAULT_GROUP_ID = "io.tfliteslim"
#: Characters of the build plan fingerprint that go into the default version.
FINGERPRINT_CHARS = 12
#: The op-set JSON rides next to each AAR as ``<artifact>-<version>-ops.json``.
OPS_CLASSIFIER = "ops"
OPS_EXTENSION = "json"

# Maven's own rule for groupId/artifactId (DefaultModelValidator: "[A-Za-z0-9_\-.]+").
_ID_RE = re.compile(r"[A-Za-z0-9_.\-]+")
# Versions: Maven only forbids a few path characters, but ours become file and
# URL path segments on every OS, so we keep to a portable, unambiguous subset.
_VERSION_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+\-]*")
_TF_VERSION_RE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+[A-Za-z0-9.\-]*")
_FINGERPRINT_RE = re.compile(r"[0-9a-f]{64}")
#: Extensions of the files a repository keeps next to artifacts (checksums, signatures).
_SIDECAR_EXTENSIONS = (".md5", ".sha1", ".sha256", ".sha512", ".asc")


def _collision(value: str) -> Optional[str]:
    """Why ``value`` as a file or directory name in a repository would collide with the repository's own files.

    An artifactId or version becomes a directory next to ``maven-metadata*.xml``
    and its checksums, our lock file and staging directories (all starting with
    ``.``); a version named like one of them wedges the artifact. Compared
    case-insensitively: macOS and Windows file systems fold case.
    """
    lower = value.lower()
    if lower.startswith("."):
        return "starts with '.' (hidden and tool files)"
    if lower.endswith("."):
        return "ends with '.'"
    if lower.startswith("maven-metadata"):
        return "is named like the repository's maven-metadata files"
    if lower.endswith(_SIDECAR_EXTENSIONS):
        return "ends like a checksum or signature file (" + ", ".join(_SIDECAR_EXTENSIONS) + ")"
    return None


def _refuse_collision(value: str, setting: str) -> None:
    reason = _collision(value)
    if reason is not None:
        raise UsageError(
            f"{setting} {value!r} {reason}, so it would collide with files of the Maven repository; choose another"
        )


def validate_id(value: str, setting: str) -> str:
    """``value`` if it is a valid artifactId/classifier, else :class:`UsageError` naming ``setting``.

    Both become one path segment (a directory, a file name part), so names that
    collide with repository files are refused too.
    """
    _check_id_syntax(value, setting)
    _refuse_collision(value, setting)
    return value


def validate_group_id(value: str, setting: str) -> str:
    """``value`` if it is a valid groupId; its dots become directories, so no segment may be empty."""
    _check_id_syntax(value, setting)
    if value.startswith(".") or value.endswith("."):
        raise UsageError(
            f"{setting} {value!r} starts or ends with '.', which makes an empty directory name; remove the dot"
        )
    return value


def _check_id_syntax(value: str, setting: str) -> None:
    if not _ID_RE.fullmatch(value or "") or value in (".", "..") or ".." in value:
        raise UsageError(
            f"{setting} {value!r} is not a valid Maven id: use letters, digits, '.', '-' and '_' "
            "(for example io.tfliteslim or tensorflow-lite)"
        )


def validate_version(value: str, setting: str = "--version") -> str:
    """``value`` if it is a version we can publish, else :class:`UsageError` naming ``setting``."""
    if not _VERSION_RE.fullmatch(value or "") or ".." in value:
        raise UsageError(
            f"{setting} {value!r} is not a usable Maven version: start with a letter or digit and use "
            "letters, digits, '.', '-', '_' and '+' (for example 2.16.1-slim-0123456789ab)"
        )
    _refuse_collision(value, setting)
    return value


@dataclass(frozen=True, order=True)
class Coordinates:
    """``groupId:artifactId:version`` of one published artifact (validated on creation)."""

    group: str
    artifact: str
    version: str

    def __post_init__(self) -> None:
        validate_group_id(self.group, "groupId")
        validate_id(self.artifact, "artifactId")
        validate_version(self.version)

    def __str__(self) -> str:
        return f"{self.group}:{self.artifact}:{self.version}"

    @property
    def is_snapshot(self) -> bool:
        return self.version.endswith("-SNAPSHOT")

    @property
    def artifact_path(self) -> str:
        """``io/tfliteslim/tensorflow-lite``: the directory holding every version and the metadata."""
        return "/".join(self.group.split(".") + [self.artifact])

    @property
    def version_path(self) -> str:
        """``io/tfliteslim/tensorflow-lite/<version>``."""
        return f"{self.artifact_path}/{self.version}"

    def file_name(self, extension: str, classifier: Optional[str] = None) -> str:
        """``<artifact>-<version>[-<classifier>].<extension>``, Maven's file name for one artifact file."""
        if classifier:
            validate_id(classifier, "classifier")
        suffix = f"-{classifier}" if classifier else ""
        return f"{self.artifact}-{self.version}{suffix}.{extension}"

    def file_path(self, extension: str, classifier: Optional[str] = None) -> str:
        """Repository-relative path (``/``-separated) of one artifact file."""
        return f"{self.version_path}/{self.file_name(extension, classifier)}"

    def to_json(self) -> dict[str, str]:
        return {"group": self.group, "artifact": self.artifact, "version": self.version}


def default_version(tf_version: str, plan_fingerprint: str, source: str = TENSORFLOW.kind) -> str:
    """``<tf_version>-slim-<plan_fingerprint[:12]>`` (LiteRT: ``<version>-litert-slim-...``), from a build record."""
    if not _TF_VERSION_RE.fullmatch(tf_version or ""):
        raise UsageError(f"TensorFlow version {tf_version!r} in the build record is not like 2.16.1")
    if not _FINGERPRINT_RE.fullmatch(plan_fingerprint or ""):
        raise UsageError(
            f"plan_fingerprint {plan_fingerprint!r} in the build record is not a sha256 hex digest"
        )
    return f"{tf_version}{layout_of(source).version_tag}-slim-{plan_fingerprint[:FINGERPRINT_CHARS]}"


@dataclass(frozen=True)
class CoordinateChoice:
    """What the user asked for; ``None`` means "use the default"."""

    group: Optional[str] = None
    runtime_artifact: Optional[str] = None
    select_tf_ops_artifact: Optional[str] = None
    version: Optional[str] = None


def resolve(
    choice: CoordinateChoice, tf_version: str, plan_fingerprint: str, source: str = TENSORFLOW.kind
) -> tuple[Coordinates, Coordinates]:
    """The runtime and select-TF-ops coordinates for one build (``source``: its tree's kind), defaults filled in."""
    layout = layout_of(source)
    group = choice.group or DEFAULT_GROUP_ID
    version = choice.version or default_version(tf_version, plan_fingerprint, source)
    validate_group_id(group, "--group-id")
    validate_version(version)
    runtime_id = validate_id(choice.runtime_artifact or layout.runtime_artifact, "--artifact-id")
    flex_id = validate_id(
        choice.select_tf_ops_artifact or layout.select_tf_ops_artifact, "--select-tf-ops-artifact-id"
    )
    if runtime_id == flex_id:
        raise UsageError(
            f"--artifact-id and --select-tf-ops-artifact-id are both {runtime_id!r}; give them different names"
        )
    return Coordinates(group, runtime_id, version), Coordinates(group, flex_id, version)
