"""Coordinates: defaults (contract 3), overrides, validation, repository paths."""

from __future__ import annotations

import pytest

from tflite_slim.maven.coordinates import (
    CoordinateChoice,
    Coordinates,
    default_version,
    resolve,
    validate_id,
    validate_version,
)
from tflite_slim.errors import UsageError

FP = "0123456789abcdef" * 4


@pytest.mark.parametrize(
    "value, ok",
    [
        ("io.tfliteslim", True),
        ("org.tensorflow", True),
        ("tensorflow-lite", True),
        ("tensorflow-lite-select-tf-ops", True),
        ("a_b.c-d", True),
        ("A1", True),
        ("", False),
        (".", False),
        ("..", False),
        ("io..x", False),
        ("io/tfliteslim", False),
        ("io tfliteslim", False),
        ("io:tfliteslim", False),
        ("ü", False),
        ("a\\b", False),
    ],
)
def test_validate_id(value: str, ok: bool) -> None:
    if ok:
        assert validate_id(value, "--group-id") == value
    else:
        with pytest.raises(UsageError, match="--group-id .* is not a valid Maven id"):
            validate_id(value, "--group-id")


@pytest.mark.parametrize(
    "value, ok",
    [
        ("2.16.1", True),
        ("2.16.1-slim-0123456789ab", True),
        ("1.0-SNAPSHOT", True),
        ("1.0+build.5", True),
        ("1_0", True),
        ("", False),
        ("-1.0", False),
        (".1", False),
        ("1.0/2", False),
        ("1..0", False),
        ("1.0 beta", False),
        ("[1.0]", False),
        ("1.0,2.0", False),
        ("${project.version}", False),
    ],
)
def test_validate_version(value: str, ok: bool) -> None:
    if ok:
        assert validate_version(value) == value
    else:
        with pytest.raises(UsageError, match="--version .* is not a usable Maven version"):
            validate_version(value)


@pytest.mark.parametrize(
    "tf, fp, expected",
    [
        ("2.16.1", FP, "2.16.1-slim-0123456789ab"),
        ("2.18.0", "f" * 64, "2.18.0-slim-ffffffffffff"),
        ("2.17.0-rc1", FP, "2.17.0-rc1-slim-0123456789ab"),
    ],
)
def test_default_version(tf: str, fp: str, expected: str) -> None:
    assert default_version(tf, fp) == expected


@pytest.mark.parametrize("tf, fp", [("2.16", FP), ("", FP), ("2.16.1", "abc"), ("2.16.1", FP.upper()), ("x", FP)])
def test_default_version_rejects_bad_record(tf: str, fp: str) -> None:
    with pytest.raises(UsageError, match="build record"):
        default_version(tf, fp)


def test_resolve_defaults_are_contract_3() -> None:
    runtime, flex = resolve(CoordinateChoice(), "2.16.1", FP)
    assert runtime == Coordinates("io.tfliteslim", "tensorflow-lite", "2.16.1-slim-0123456789ab")
    assert flex == Coordinates("io.tfliteslim", "tensorflow-lite-select-tf-ops", "2.16.1-slim-0123456789ab")


def test_resolve_overrides_every_part() -> None:
    runtime, flex = resolve(CoordinateChoice("com.example", "rt", "fx", "7.0"), "2.16.1", FP)
    assert (str(runtime), str(flex)) == ("com.example:rt:7.0", "com.example:fx:7.0")


def test_resolve_refuses_same_artifact_ids() -> None:
    with pytest.raises(UsageError, match="different names"):
        resolve(CoordinateChoice(runtime_artifact="x", select_tf_ops_artifact="x"), "2.16.1", FP)


def test_resolve_names_the_bad_option() -> None:
    with pytest.raises(UsageError, match="--artifact-id 'a b'"):
        resolve(CoordinateChoice(runtime_artifact="a b"), "2.16.1", FP)


@pytest.mark.parametrize(
    "coords, ext, classifier, path",
    [
        (Coordinates("io.tfliteslim", "tensorflow-lite", "1.0"), "aar", None,
         "io/tfliteslim/tensorflow-lite/1.0/tensorflow-lite-1.0.aar"),
        (Coordinates("io.tfliteslim", "tensorflow-lite", "1.0"), "json", "ops",
         "io/tfliteslim/tensorflow-lite/1.0/tensorflow-lite-1.0-ops.json"),
        (Coordinates("a", "b", "2"), "pom", None, "a/b/2/b-2.pom"),
        (Coordinates("a.b.c", "d", "2-SNAPSHOT"), "pom", None, "a/b/c/d/2-SNAPSHOT/d-2-SNAPSHOT.pom"),
    ],
)
def test_file_path(coords: Coordinates, ext: str, classifier: str, path: str) -> None:
    assert coords.file_path(ext, classifier) == path


def test_coordinates_validate_on_creation() -> None:
    with pytest.raises(UsageError):
        Coordinates("io.tfliteslim", "tensorflow-lite", "1 0")


# Names that would collide with a repository's own files once they become a directory or file name.
COLLIDING = [
    "maven-metadata-local.xml",
    "maven-metadata.xml",
    "maven-metadata.xml.sha1",
    "Maven-Metadata-Local.xml",  # case-folding file systems (macOS, Windows)
    "maven-metadata",
    "1.0.md5",
    "1.0.sha1",
    "1.0.SHA256",
    "1.0.sha512",
    "1.0.asc",
    ".tflite-slim.lock",
    ".tflite-slim-staging-1.0",
    ".hidden",
    "1.0.",
]


@pytest.mark.parametrize(
    "part, setting",
    [("version", "--version"), ("runtime_artifact", "--artifact-id"),
     ("select_tf_ops_artifact", "--select-tf-ops-artifact-id")],
)
@pytest.mark.parametrize("value", COLLIDING)
def test_names_colliding_with_repository_files_are_refused(part: str, setting: str, value: str) -> None:
    with pytest.raises(UsageError) as e:
        resolve(CoordinateChoice(**{part: value}), "2.16.1", FP)
    assert str(e.value).startswith(f"{setting} {value!r} ")
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("value", COLLIDING)
def test_coordinates_and_classifiers_refuse_colliding_names(value: str) -> None:
    with pytest.raises(UsageError, match="artifactId"):
        Coordinates("io.tfliteslim", value, "1.0")
    with pytest.raises(UsageError, match="--version"):
        Coordinates("io.tfliteslim", "tensorflow-lite", value)
    with pytest.raises(UsageError, match="classifier"):
        Coordinates("io.tfliteslim", "tensorflow-lite", "1.0").file_name("jar", value)


@pytest.mark.parametrize(
    "group, ok",
    [
        ("io.tfliteslim", True),
        ("org.md5", True),  # dots become directories: a segment named md5 collides with nothing
        ("com.maven-metadata", True),
        (".io.tfliteslim", False),
        ("io.tfliteslim.", False),
        ("io..tfliteslim", False),
        ("io/tfliteslim", False),
        ("..", False),
    ],
)
def test_group_ids(group: str, ok: bool) -> None:
    if ok:
        assert resolve(CoordinateChoice(group=group), "2.16.1", FP)[0].group == group
    else:
        with pytest.raises(UsageError, match=r"^--group-id "):
            resolve(CoordinateChoice(group=group), "2.16.1", FP)


@pytest.mark.parametrize("value", ["2.16.1-slim-0123456789ab", "1.0-md5sum", "metadata", "sha1", "my-maven-metadata"])
def test_names_that_only_resemble_repository_files_are_fine(value: str) -> None:
    assert Coordinates("io.tfliteslim", value, value).version == value
