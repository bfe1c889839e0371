"""The one module that writes into a local Maven repository.

Layout is Maven's: ``<group path>/<artifact>/<version>/<artifact>-<version>.aar``
(``.pom``, ``-ops.json``, a host build's ``-linux-x86_64.jar``), each file with ``.md5 .sha1 .sha256 .sha512``
checksums, and ``<group path>/<artifact>/maven-metadata-local.xml``.

Safety under concurrent builds, and against interruption:

* every file of a version is written into a staging directory next to the
  version directory (same file system), fsynced, and the whole directory is
  renamed into place: readers see all files of a version or none;
* the comparison with what is installed, the commit and the metadata
  read-merge-write run under an exclusive lock (``fcntl``; ``msvcrt`` on Windows) on ``<artifact>/.tflite-slim.lock``, so two installs
  at once serialize there and never lose each other's versions;
* anything that goes wrong before the rename removes the staging directory,
  leaving the repository as it was;
* ``force`` replaces a version only once the new directory is complete, by
  renaming the old one aside under a fixed name and the new one in; a kill
  between the two renames is undone by the next install (:func:`_recover`), and
  an interrupt (Ctrl-C, SIGTERM) there puts the old one back at once. A
  replacement keeps files of the version we never publish (other classifiers),
  not an ``-ops.json`` of the old build that the new one does not carry.

Installing the same bytes again changes nothing, except that wrong or missing
checksum files next to unchanged artifact files are rewritten (``repaired``);
missing artifact files complete the version; different bytes under the same
coordinates are refused unless ``force`` (the version encodes the op set, so a
mismatch means something is wrong).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator, Optional

from tflite_slim import files
from tflite_slim.maven import repometa
from tflite_slim.maven.checksums import ALGORITHMS, EXTENSIONS, MAX_CHECKSUM_FILE, checksum_in
from tflite_slim.maven.coordinates import OPS_CLASSIFIER, OPS_EXTENSION, Coordinates
from tflite_slim.errors import MavenError
from tflite_slim.maven.publication import Artifact, Publication
from tflite_slim.runtime.artifacts.abis import HOST_ABIS

try:
    import fcntl
except ImportError:  # Windows: lock with msvcrt instead (the CLI must still import there)
    fcntl = None  # type: ignore[assignment]
    import msvcrt

log = logging.getLogger(__name__)

LOCK_NAME = ".tflite-slim.lock"
_STAGING_PREFIX = ".tflite-slim-staging-"
#: Where older releases put a replaced version for a moment (pid-named: only removed when stale).
_BACKUP_PREFIX = ".tflite-slim-old-"
#: ``<prefix><version>``: the old version during a ``--force`` swap; :func:`_recover` resolves leftovers.
_ASIDE_PREFIX = ".tflite-slim-aside-"
#: Staging directories left by a killed install are removed after this long.
_STALE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class InstallResult:
    """What happened to one artifact version: ``installed``, ``unchanged``, ``repaired`` or ``replaced``.

    ``repaired`` names the checksum files rewritten next to unchanged artifact files.
    """

    coordinates: Coordinates
    directory: Path
    status: str
    files: tuple[str, ...]
    repaired: tuple[str, ...] = ()


def install(
    publication: Publication, repo: Path, *, force: bool = False, now: Optional[float] = None
) -> list[InstallResult]:
    """Install every artifact of ``publication`` into the local repository ``repo``."""
    return [install_artifact(a, repo, force=force, now=now) for a in publication.artifacts]


def install_artifact(
    artifact: Artifact, repo: Path, *, force: bool = False, now: Optional[float] = None
) -> InstallResult:
    """Install one artifact version atomically (see the module docstring)."""
    c = artifact.coordinates
    artifact_dir = repo.joinpath(*c.artifact_path.split("/"))
    version_dir = artifact_dir / c.version
    try:
        artifact_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise MavenError(
            f"cannot create {artifact_dir}: {e.strerror}; check the repository path and permissions"
        ) from e
    names = tuple(sorted(n for s in artifact.files for n in [s.name] + [f"{s.name}.{e}" for e in EXTENSIONS]))
    try:
        # Fast path for the common "nothing changed" rebuild: compare bytes, write nothing. The comparison
        # runs under the lock: a --force of other bytes landing between it and the lock would otherwise
        # be reported to this build as "unchanged".
        with _locked(artifact_dir):
            _recover(artifact_dir)
            if _same_files(artifact, version_dir):
                _update_metadata(artifact_dir, artifact, _read_metadata(artifact_dir, artifact), "unchanged", now)
                return InstallResult(c, version_dir, "unchanged", names)
    except OSError as e:
        raise _write_error(e, artifact_dir) from e
    staging = Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{c.version}-", dir=artifact_dir))
    try:
        # mkdtemp makes it private (0700); the version directory it becomes must not be.
        os.chmod(staging, 0o777 & ~files.umask())
        digests = _stage(artifact, staging)
        with _locked(artifact_dir):
            _recover(artifact_dir)
            _remove_stale(artifact_dir)
            # Read the metadata before touching anything, so a broken file stops us with the repo unchanged.
            existing = _read_metadata(artifact_dir, artifact)
            status, repaired = _commit(version_dir, staging, artifact, digests, force)
            _update_metadata(artifact_dir, artifact, existing, status, now)
    except OSError as e:
        # A full disk or a read-only mount: the staging directory goes, the repository stays as it was.
        raise _write_error(e, artifact_dir) from e
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    log.info("%s %s in %s", status, c, version_dir)
    return InstallResult(c, version_dir, status, names, repaired)


def _write_error(e: OSError, artifact_dir: Path) -> MavenError:
    return MavenError(
        f"cannot write {e.filename or artifact_dir}: {e.strerror or e}; free space or fix permissions "
        "in the repository, or choose another with --repo"
    )


def _stage(artifact: Artifact, staging: Path) -> dict[str, str]:
    """Write the artifact's files and their checksum files into ``staging``; return name -> sha256."""
    sha256: dict[str, str] = {}
    for spec in artifact.files:
        hashes = {ext: hashlib.new(algo) for ext, algo in ALGORITHMS}
        with _durable(staging / spec.name) as f:
            for block in spec.chunks():
                f.write(block)
                for h in hashes.values():
                    h.update(block)
        sha256[spec.name] = hashes["sha256"].hexdigest()
        for ext, h in hashes.items():
            text = h.hexdigest().encode("ascii")
            with _durable(staging / f"{spec.name}.{ext}") as f:
                f.write(text)
            sha256[f"{spec.name}.{ext}"] = hashlib.sha256(text).hexdigest()
    files.fsync_dir(staging)
    return sha256


def _same_files(artifact: Artifact, version_dir: Path) -> bool:
    """True when every file is installed with these exact bytes and correct checksum files.

    Reads both sides once, hashing as it compares, and writes nothing; any
    doubt (a file missing, another size or byte, a wrong checksum file) sends
    the install down the full path, which repairs or refuses under the lock.
    """
    for spec in artifact.files:
        target = version_dir / spec.name
        hashes = {ext: hashlib.new(algo) for ext, algo in ALGORITHMS}
        try:
            size = len(spec.data) if spec.data is not None else spec.source.stat().st_size  # type: ignore[union-attr]
            if not target.is_file() or target.stat().st_size != size:
                return False
            with open(target, "rb") as installed:
                for block in spec.chunks():
                    if installed.read(len(block)) != block:
                        return False
                    for h in hashes.values():
                        h.update(block)
        except OSError:
            return False
        if not all(_checksum_ok(version_dir / f"{spec.name}.{ext}", h.hexdigest()) for ext, h in hashes.items()):
            return False
    return True


def _checksum_ok(path: Path, expected: str) -> bool:
    """True when the checksum file at ``path`` states ``expected`` (bare hex, or ``<hex>  <file>``)."""
    try:
        with open(path, "rb") as f:
            head = f.read(MAX_CHECKSUM_FILE + 1)
    except OSError:
        return False
    return checksum_in(head) == expected


def _commit(
    version_dir: Path, staging: Path, artifact: Artifact, digests: dict[str, str], force: bool
) -> tuple[str, tuple[str, ...]]:
    """Put ``staging`` in place as ``version_dir``; called under the artifact lock.

    Returns the status and the checksum files repaired in place. Artifact files
    with other bytes are refused unless ``force``; artifact files that are the
    same but have wrong or missing checksum files get those rewritten (the
    artifact itself is not touched); missing artifact files complete the version.
    """
    if not version_dir.exists():
        _rename(staging, version_dir)
        return "installed", ()
    main = [spec.name for spec in artifact.files]
    differing = [n for n in main if (version_dir / n).is_file() and files.sha256_file(version_dir / n) != digests[n]]
    missing = [n for n in main if not (version_dir / n).is_file()]
    if differing and not force:
        raise MavenError(
            f"{artifact.coordinates} is already installed in {version_dir} with different content "
            f"({differing[0]} differs); the version names the op set, so this build does not match the installed "
            "one. Use another --version, or --force to replace it"
        )
    if not differing and not missing:
        sums = [f"{n}.{ext}" for n in main for ext in EXTENSIONS]
        repaired = tuple(s for s in sums if not _checksum_ok(version_dir / s, (staging / s).read_text("ascii")))
        if not repaired:
            return "unchanged", ()
        for name in repaired:
            files.write_atomic(version_dir / name, (staging / name).read_bytes())
        return "repaired", repaired
    # Keep files of this version we do not publish (other classifiers, tool bookkeeping). A replacement
    # drops every file we could have published: an -ops.json left from the old build would describe an
    # AAR that is gone (the Gradle plugin's verify reads it).
    ours = _publishable_names(artifact.coordinates) if differing else frozenset()
    others = [p for p in sorted(version_dir.iterdir()) if p.name not in digests and p.name not in ours]
    for other in others:
        # Only regular files can be carried over; anything else would be dropped (a directory) or turned
        # into a copy of its target (a symlink), so the version is left as it is.
        if other.is_symlink() or not other.is_file():
            kind = "symlink" if other.is_symlink() else "directory" if other.is_dir() else "special file"
            raise MavenError(
                f"{other} is a {kind} tflite-slim did not write; move it out of {version_dir} and run the "
                "install again"
            )
    for other in others:
        shutil.copy2(other, staging / other.name)
    _swap(version_dir, staging)
    return ("replaced" if differing else "installed"), ()


def _publishable_names(c: Coordinates) -> frozenset[str]:
    """Every file name :mod:`publication` can put in ``c``'s version directory, checksum files included."""
    mains = (c.file_name("aar"), c.file_name(OPS_EXTENSION, OPS_CLASSIFIER), c.file_name("pom"),
             *(c.file_name("jar", abi) for abi in HOST_ABIS))
    return frozenset(n for m in mains for n in [m] + [f"{m}.{ext}" for ext in EXTENSIONS])


def _rename(src: Path, dst: Path) -> None:
    """The one rename that changes what the repository holds; durable once it returns (tests inject crashes here)."""
    os.rename(src, dst)
    files.fsync_dir(dst.parent)


def _swap(version_dir: Path, staging: Path) -> None:
    """Replace ``version_dir`` with the complete ``staging`` so that a crash at any point loses nothing.

    POSIX has no portable atomic exchange of two directories, so the old one
    is renamed aside under a name that says which version it is; if we die
    before the new one is in place, :func:`_recover` renames it back on the next
    install, and if we die after, it drops it.
    """
    aside = _aside_path(version_dir)
    if aside.exists():  # _recover ran first under this lock: a live version exists, so this one is stale
        shutil.rmtree(aside)
    try:
        _rename(version_dir, aside)
        _rename(staging, version_dir)
    except BaseException:
        # Also when the first rename took effect and only making it durable was interrupted (Ctrl-C,
        # Gradle's SIGTERM): the version must not stay missing until some later install recovers it.
        if aside.is_dir() and not os.path.lexists(version_dir):
            with contextlib.suppress(OSError):
                _rename(aside, version_dir)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _aside_path(version_dir: Path) -> Path:
    return version_dir.parent / f"{_ASIDE_PREFIX}{version_dir.name}"


def _recover(artifact_dir: Path) -> None:
    """Finish what a killed ``--force`` replacement left (under the lock).

    An aside directory without a live version is the old version whose
    replacement never arrived: restore it. With a live version next to it, the
    swap completed (the live one is complete, it arrived by one rename): drop it.
    """
    for aside in sorted(artifact_dir.glob(f"{_ASIDE_PREFIX}*")):
        if aside.is_symlink() or not aside.is_dir():
            continue  # not something we made
        live = artifact_dir / aside.name[len(_ASIDE_PREFIX):]
        if live.exists():
            shutil.rmtree(aside, ignore_errors=True)
        else:
            _rename(aside, live)
            log.warning("restored %s, left aside by an interrupted replacement", live)


def _read_metadata(artifact_dir: Path, artifact: Artifact) -> Optional[repometa.Metadata]:
    """The current ``maven-metadata-local.xml``, or ``None``; a broken one is a :class:`MavenError`."""
    path = artifact_dir / repometa.LOCAL_NAME
    if not path.is_file():
        return None
    try:
        with open(path, "rb") as f:
            data = f.read(repometa.MAX_BYTES + 1)  # never a huge file whole
        if len(data) > repometa.MAX_BYTES:
            raise repometa.MetadataError(f"larger than {repometa.MAX_BYTES >> 20} MiB, no real metadata file is")
        return repometa.parse(data, artifact.coordinates)
    except repometa.MetadataError as e:
        raise MavenError(f"{path}: {e}; delete it (Maven rebuilds it) and run the install again") from e


def _update_metadata(
    artifact_dir: Path, artifact: Artifact, existing: Optional[repometa.Metadata], status: str, now: Optional[float]
) -> None:
    """Add the version to ``maven-metadata-local.xml`` (atomic write); under the lock."""
    c = artifact.coordinates
    if existing is not None and c.version in existing.versions and status in ("unchanged", "repaired"):
        return
    meta = existing or repometa.Metadata(c.group, c.artifact)
    data = repometa.render(repometa.add_version(meta, c.version, repometa.timestamp(now)))
    files.write_atomic(artifact_dir / repometa.LOCAL_NAME, data)


@contextlib.contextmanager
def _durable(path: Path) -> Iterator[BinaryIO]:
    """A new binary file (in a staging directory) that is fsynced on close."""
    with open(path, "xb") as f:
        yield f
        f.flush()
        os.fsync(f.fileno())


@contextlib.contextmanager
def _locked(artifact_dir: Path) -> Iterator[None]:
    """Exclusive lock for one artifact's versions and metadata, across processes."""
    with open(artifact_dir / LOCK_NAME, "a+b") as f:
        if fcntl is not None:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        else:
            f.seek(0)
            msvcrt.locking(f.fileno(), msvcrt.LK_LOCK, 1)  # retries for ~10 s, then OSError
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)
            else:
                f.seek(0)
                msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)


def _remove_stale(artifact_dir: Path) -> None:
    """Remove staging/backup directories a killed install left behind long ago (under the lock)."""
    cutoff = time.time() - _STALE_SECONDS
    for p in artifact_dir.iterdir():
        if p.name.startswith((_STAGING_PREFIX, _BACKUP_PREFIX)) and p.is_dir():
            with contextlib.suppress(OSError):
                if p.stat().st_mtime < cutoff:
                    shutil.rmtree(p)
