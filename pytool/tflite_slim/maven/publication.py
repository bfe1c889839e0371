"""What gets published: a build output directory turned into Maven artifacts with POMs.

Input is contract 2 (README "Building"): ``OUT/tensorflow-lite.aar``,
optionally ``OUT/tensorflow-lite-select-tf-ops.aar``, and the build record
``OUT/ops.json``. Output is a :class:`Publication`: for each artifact its
coordinates and its files (AAR, ``-ops.json``, POM) in the order a repository
should receive them. Both ``install`` and ``deploy`` publish these; nothing
here writes anywhere.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

from tflite_slim.maven import pom
from tflite_slim.maven.coordinates import (
    OPS_CLASSIFIER,
    OPS_EXTENSION,
    CoordinateChoice,
    Coordinates,
    resolve,
)
from tflite_slim.errors import UsageError
from tflite_slim.runtime.artifacts.aar import RUNTIME_SO, write_stable_zip
from tflite_slim.runtime.artifacts.abis import HOST_ABIS
from tflite_slim.runtime.trees.layout import TENSORFLOW, layout_of
from tflite_slim.analysis.opset import OpSet, dumps, loads, opset_from_json

RECORD_NAME = "ops.json"
RECORD_FORMAT_VERSION = 1
#: Build-record keys that describe the build's inputs rather than the runtime.
#: They stay out of the published ``ops`` artifact: retrained weights (same op
#: set, same plan, same AARs) must publish the same bytes, or the second
#: install of an unchanged runtime would be refused as "different content";
#: so must a build whose stock size comparison was (or was not) reachable.
UNPUBLISHED_RECORD_KEYS = ("models", "sizes")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileSpec:
    """One file of an artifact: its name in the version directory and where its bytes are."""

    name: str
    source: Optional[Path] = None
    data: Optional[bytes] = None

    def chunks(self) -> Iterator[bytes]:
        """The bytes in chunks (a multi-hundred-megabyte AAR is never read at once here)."""
        if self.data is not None:
            yield self.data
            return
        assert self.source is not None
        with open(self.source, "rb") as f:
            while True:
                block = f.read(_CHUNK)
                if not block:
                    return
                yield block

    def read_bytes(self) -> bytes:
        return self.data if self.data is not None else b"".join(self.chunks())


@dataclass(frozen=True)
class Artifact:
    """A version of one artifact: coordinates plus its files, POM last.

    The POM goes last on purpose: Gradle and Maven look for the POM first, so a
    reader never finds a POM whose AAR is not there yet.
    """

    coordinates: Coordinates
    files: tuple[FileSpec, ...]


@dataclass(frozen=True)
class BuildRecord:
    """The parts of ``ops.json`` (contract 2) that publishing needs."""

    path: Path
    tf_version: str
    tf_commit: Optional[str]
    abis: tuple[str, ...]
    plan_fingerprint: str
    op_set: OpSet
    runtime_aar: str
    select_tf_ops_aar: Optional[str]
    #: The tree's kind (``tensorflow`` or ``litert``); ``tf_version``/``tf_commit`` are that tree's.
    source: str = TENSORFLOW.kind

    def facts(self) -> pom.BuildFacts:
        return pom.BuildFacts(self.tf_version, self.tf_commit, self.op_set, self.abis, self.plan_fingerprint,
                              self.source)


@dataclass(frozen=True)
class Publication:
    runtime: Artifact
    select_tf_ops: Optional[Artifact] = None

    @property
    def has_aar(self) -> bool:
        """False for a build of desktop ABIs only: its runtime is classifier jars, nothing an Android app uses."""
        return any(f.name == self.runtime.coordinates.file_name("aar") for f in self.runtime.files)

    @property
    def artifacts(self) -> tuple[Artifact, ...]:
        """Runtime first: the select-TF-ops POM points at it."""
        return (self.runtime,) + ((self.select_tf_ops,) if self.select_tf_ops else ())


def read_build_record(out_dir: Path) -> BuildRecord:
    """Parse and check ``out_dir/ops.json``; every problem is a :class:`UsageError` naming the file."""
    path = out_dir / RECORD_NAME
    if not out_dir.is_dir():
        raise UsageError(f"{out_dir}: no such directory; give the --out directory of 'tflite-slim build'")
    if not path.is_file():
        raise UsageError(f"{path}: not found; {out_dir} is not a 'tflite-slim build --out' directory")
    return parse_build_record(path)


def parse_build_record(path: Path) -> BuildRecord:
    """Parse and check one build record file (contract 2), wherever it lives."""
    if not path.is_file():
        raise UsageError(f"{path}: build record not found")
    try:
        doc = loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise UsageError(f"{path}: not a readable build record ({e}); rebuild with 'tflite-slim build'") from e
    try:
        if doc.get("format_version") != RECORD_FORMAT_VERSION:
            raise ValueError(f"format_version {doc.get('format_version')!r}, expected {RECORD_FORMAT_VERSION}")
        tf = doc["tensorflow"]
        artifacts = doc["artifacts"]
        commit = tf.get("commit")
        abis = doc.get("abis", [])
        if not isinstance(abis, list):
            raise ValueError(f"abis {abis!r} is not a list")
        return BuildRecord(
            path=path,
            tf_version=_pom_text(tf["version"], "tensorflow.version"),
            tf_commit=_pom_text(commit, "tensorflow.commit") if commit else None,
            abis=tuple(_pom_text(a, "abis entry") for a in abis),
            plan_fingerprint=str(doc["plan_fingerprint"]),
            op_set=opset_from_json(doc["op_set"]),
            runtime_aar=_plain_name(artifacts["runtime"]),
            select_tf_ops_aar=_plain_name(artifacts["select_tf_ops"]) if artifacts.get("select_tf_ops") else None,
            # Records before LiteRT support have no "source": they were all TensorFlow builds.
            source=layout_of(str(doc.get("source", TENSORFLOW.kind))).kind,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise UsageError(f"{path}: malformed build record ({_describe(e)}); rebuild with 'tflite-slim build'") from e


#: Longer text in a record field that goes into the POM is not a version, commit or ABI name.
_MAX_FIELD = 256


def _pom_text(value: Any, field: str) -> str:
    """A record string that goes into the POM: XML can carry no control character or lone surrogate."""
    if not isinstance(value, str):
        raise ValueError(f"{field} {value!r} is not a string")
    if not value or len(value) > _MAX_FIELD or not value.isprintable():
        raise ValueError(f"{field} {value[:_MAX_FIELD]!r} is empty, too long or has control characters")
    return value


def _plain_name(value: Any) -> str:
    name = str(value)
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+\.aar", name):
        raise ValueError(f"artifact file name {name!r} is not a plain .aar file name")
    return name


def _describe(e: BaseException) -> str:
    return f"missing key {e}" if isinstance(e, KeyError) else str(e)


def check_aar(path: Path) -> None:
    """Refuse anything that is not an AAR: a zip with ``AndroidManifest.xml`` at its root."""
    if not path.is_file():
        raise UsageError(f"{path}: AAR not found")
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError) as e:
        raise UsageError(f"{path}: not an AAR (not a zip file: {e})") from e
    if "AndroidManifest.xml" not in names:
        raise UsageError(f"{path}: not an AAR (no AndroidManifest.xml at its root)")


def host_abis_of(abis: tuple[str, ...]) -> tuple[str, ...]:
    """The desktop ABIs (``linux-x86_64``...) among a build's ABIs: each is published as a classifier jar."""
    return tuple(a for a in abis if a in HOST_ABIS)


def host_jar(aar: Path, abi: str) -> bytes:
    """The desktop jar of one host ABI: the AAR's ``classes.jar`` entries plus ``jni/<abi>/`` + the JNI library.

    A desktop JVM puts it on its classpath as it is; the Java API loads the
    library with ``System.loadLibrary``, so the library must also be extracted
    into a directory on ``java.library.path`` (README "Installing": one unzip).
    Byte-stable: the same AAR gives the same jar.
    """
    so = f"jni/{abi}/{RUNTIME_SO}"
    try:
        with zipfile.ZipFile(aar) as z:
            names = set(z.namelist())
            if "classes.jar" not in names or so not in names:
                raise UsageError(f"{aar}: a host build's AAR needs classes.jar and {so}; rebuild with "
                                 "'tflite-slim build --backend cmake --target-archs host'")
            library = z.read(so)
            with zipfile.ZipFile(io.BytesIO(z.read("classes.jar"))) as classes:
                entries = {n: classes.read(n) for n in classes.namelist() if not n.startswith("jni/")}
    except (zipfile.BadZipFile, OSError, zlib.error, EOFError) as e:
        raise UsageError(f"{aar}: cannot read its classes.jar or {so} ({e}); rebuild it") from e
    entries.update({"jni/": b"", f"jni/{abi}/": b"", so: library})
    out = io.BytesIO()
    write_stable_zip(out, entries)  # type: ignore[arg-type]  (zipfile takes a file object as well)
    return out.getvalue()


def from_build_dir(out_dir: Path, choice: CoordinateChoice = CoordinateChoice()) -> Publication:
    """The artifacts for what ``tflite-slim build --out out_dir`` produced.

    A host build (``--target-archs host``) publishes one jar per desktop ABI under
    that ABI as classifier (``<artifact>-<version>-linux-x86_64.jar``), beside the
    AAR when the build also has Android ABIs, alone (POM packaging ``pom``) when not:
    a host-only build never lands as the main AAR.
    """
    record = read_build_record(out_dir)
    runtime_c, flex_c = resolve(choice, record.tf_version, record.plan_fingerprint, record.source)
    facts = record.facts()
    ops_bytes = published_record(record.path)
    if record.op_set.has_flex and not record.select_tf_ops_aar:
        raise UsageError(
            f"{record.path}: the op set has Flex ops but artifacts.select_tf_ops is null; "
            "rebuild with 'tflite-slim build'"
        )
    runtime_aar = out_dir / record.runtime_aar
    check_aar(runtime_aar)
    hosts = host_abis_of(record.abis)
    jars = [FileSpec(runtime_c.file_name("jar", abi), data=host_jar(runtime_aar, abi)) for abi in hosts]
    if hosts == record.abis:
        aar_spec = []
    elif hosts:  # the Android AAR without the desktop libraries: they would only bloat every APK
        aar_spec = [FileSpec(runtime_c.file_name("aar"), data=without_host_libraries(runtime_aar))]
    else:
        aar_spec = [FileSpec(runtime_c.file_name("aar"), source=runtime_aar)]
    runtime = _artifact(runtime_c, ops_bytes, pom.runtime_pom(runtime_c, facts, hosts), aar_spec + jars)
    flex = None
    if record.select_tf_ops_aar:
        flex_aar = out_dir / record.select_tf_ops_aar
        check_aar(flex_aar)
        flex = _artifact(flex_c, ops_bytes, pom.select_tf_ops_pom(flex_c, runtime_c, facts),
                         [FileSpec(flex_c.file_name("aar"), source=flex_aar)])
    return Publication(runtime, flex)


def from_aar(aar: Path, coordinates: Coordinates, ops_json: Optional[Path] = None) -> Publication:
    """One AAR made elsewhere, under the given coordinates; ``ops_json`` (a build record) describes it.

    Published as :func:`from_build_dir` publishes a build: a host build's AAR (native libraries for desktop
    ABIs only) is refused, it is no Android AAR; one with Android and desktop ABIs goes in without its desktop
    libraries (they would only bloat every APK), each of which becomes a classifier jar beside it.
    """
    check_aar(aar)
    check_not_host_only(aar)
    hosts = host_abis_of(_jni_abis(aar))
    jars = [FileSpec(coordinates.file_name("jar", abi), data=host_jar(aar, abi)) for abi in hosts]
    if hosts:
        aar_spec = FileSpec(coordinates.file_name("aar"), data=without_host_libraries(aar))
    else:
        aar_spec = FileSpec(coordinates.file_name("aar"), source=aar)
    if ops_json is None:
        description = "An AAR installed by tflite-slim (no build record was given, so its op set is not stated)."
        if hosts:
            description += (" Desktop JVM jars (Java API classes plus the native library under jni/<abi>/): "
                            + ", ".join(f"classifier {a}" for a in hosts) + ".")
        pom_bytes = pom.render_pom(coordinates, name=f"{coordinates.artifact} {coordinates.version}",
                                   description=description)
        return Publication(_artifact(coordinates, None, pom_bytes, [aar_spec, *jars]))
    record = parse_build_record(ops_json)
    pom_bytes = pom.runtime_pom(coordinates, record.facts(), hosts)
    return Publication(_artifact(coordinates, published_record(ops_json), pom_bytes, [aar_spec, *jars]))


def _jni_abis(aar: Path) -> tuple[str, ...]:
    """The ABIs an AAR has native libraries for (``jni/<abi>/...``), sorted."""
    with zipfile.ZipFile(aar) as z:
        return tuple(sorted({n.split("/")[1] for n in z.namelist() if n.startswith("jni/") and n.count("/") >= 2
                             and n.split("/")[1]}))


def published_record(path: Path) -> bytes:
    """The build record as the ``ops`` artifact carries it: what the runtime holds, not which models asked.

    Byte-stable (sorted keys), and the same for every build of the same plan.
    """
    doc = loads(path.read_text(encoding="utf-8"))
    for key in UNPUBLISHED_RECORD_KEYS:
        doc.pop(key, None)
    return dumps(doc).encode("utf-8")


def check_not_host_only(aar: Path) -> None:
    """Refuse an AAR whose native libraries are all for desktop ABIs: it must not land as an Android AAR."""
    abis = set(_jni_abis(aar))
    if abis and abis <= set(HOST_ABIS):
        raise UsageError(
            f"{aar}: a host build ({', '.join(sorted(abis))}), not an Android AAR; publish its build directory "
            "(tflite-slim install OUT_DIR), which puts it under the classifier " + "/".join(sorted(abis))
        )


def without_host_libraries(aar: Path) -> bytes:
    """The AAR's bytes without its ``jni/<desktop ABI>/`` entries (byte-stable)."""
    with zipfile.ZipFile(aar) as z:
        entries = {n: z.read(n) for n in z.namelist()
                   if not any(n.startswith(f"jni/{abi}/") for abi in HOST_ABIS)}
    out = io.BytesIO()
    write_stable_zip(out, entries)  # type: ignore[arg-type]
    return out.getvalue()


def _artifact(c: Coordinates, ops_bytes: Optional[bytes], pom_bytes: bytes, binaries: list[FileSpec]) -> Artifact:
    """``binaries`` (the AAR, host jars), then the ``-ops.json``, then the POM."""
    files = list(binaries)
    if ops_bytes is not None:
        files.append(FileSpec(c.file_name(OPS_EXTENSION, OPS_CLASSIFIER), data=ops_bytes))
    files.append(FileSpec(c.file_name("pom"), data=pom_bytes))
    return Artifact(c, tuple(files))
