"""Fetch what a tree's CMake build would download (:mod:`.cmakedeps` pins) into the tool's cache.

Each source is one ``.tar.gz`` through the one HTTP seam (:class:`tflite_slim.http.HttpClient`),
streamed to a temp file with progress (bytes of the total), its size checked against
``Content-Length``, its SHA-256 against the tree's ``URL_HASH`` when it states one, and, for a
commit pin, the commit ``git archive`` writes into the archive's pax header (GitHub's and
GitLab's archives carry it) against the pin. Extracted by the safe extractor
(:mod:`.tarball`; TensorFlow's only the paths the build reads) into a temp directory and moved
into ``<cache>/cmake-deps/<name>/<revision>/src`` with one rename, the record
(:data:`RECORD`: URL, size, sha256, commit) written last: a directory without it is never
used. A revision is fetched once per cache; offline with a warm cache nothing is requested.
``--dep-mirror`` sends every request to a mirror (``<base>/<name>/<revision>.tar.gz``).

Eigen's own module writes a few files into its source directory at configure time (it
blanks its doc and benchmark CMakeLists.txt); those writes are the same every time, so
the record does not hash the extracted tree.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

from tflite_slim.errors import NetworkError
from tflite_slim.http import DeadlineExceeded, HttpClient, redact_url
from tflite_slim.runtime.artifacts.cache import writable_dir
from tflite_slim.runtime.trees import tarball
from tflite_slim.runtime.trees.cmakedeps import Pin, archive_url, mirror_url, safe_revision
from tflite_slim.runtime.trees.tfsource import ENV_DOWNLOAD_TIMEOUT, download_timeout

Log = Callable[[str], None]
RECORD = ".tflite-slim-dep.json"
CACHE_DIR = "cmake-deps"
_SHA1 = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class Source:
    """One source to fetch: the pin, where it comes from, where it goes."""

    pin: Pin
    url: str
    #: ``<cache>/cmake-deps/<name>/<revision>/src``: what CMake is given.
    directory: Path
    #: Paths to keep below the archive's top (None: everything).
    only: Optional[tuple[str, ...]] = None

    @property
    def record(self) -> Path:
        return self.directory.parent / RECORD


def source_for(pin: Pin, cache: Path, mirror: Optional[str], only: Optional[Sequence[str]] = None) -> Optional[Source]:
    """Where ``pin`` is fetched from and kept (None: no archive URL for its host, and no mirror)."""
    if not (safe_revision(pin.name) and safe_revision(pin.revision)):
        return None  # never a path component that climbs out of the cache
    assert pin.revision is not None
    url = mirror_url(mirror, pin.name, pin.revision) if mirror else archive_url(pin)
    if url is None:
        return None
    return Source(pin, url, cache / CACHE_DIR / pin.name / pin.revision / "src",
                  tuple(only) if only is not None else None)


def intact(source: Source) -> bool:
    """A complete earlier fetch of this very pin: its record (written last) names it and the paths kept (a
    TensorFlow extract made for another list of paths is fetched again), and the tree is there."""
    try:
        doc = json.loads(source.record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    only = list(source.only) if source.only else None
    return (isinstance(doc, dict) and doc.get("name") == source.pin.name
            and doc.get("revision") == source.pin.revision and doc.get("only") == only
            and source.directory.is_dir() and not source.directory.is_symlink())


def read_record(source: Source) -> Optional[dict]:
    """The record of a complete fetch of ``source`` (URL, size, sha256, commit), None when it is not fetched."""
    if not intact(source):
        return None
    try:
        doc = json.loads(source.record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def fetch(source: Source, client: HttpClient, log: Log) -> Path:
    """``source``'s directory, downloaded and extracted once (see the module docstring)."""
    if intact(source):
        return source.directory
    home = source.directory.parent
    writable_dir(home.parent)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=home.parent))
    try:
        archive = tmp / "source.tar.gz"
        size, sha256 = _download(client, source, archive, log)
        pin = source.pin
        if pin.sha256 and sha256 != pin.sha256:
            raise NetworkError(f"{redact_url(source.url)}: SHA-256 {sha256}, but {pin.where} pins {pin.name} at "
                               f"{pin.sha256}; the download is not that archive (check --dep-mirror)")
        done = tarball.extract(archive, tmp / "x", redact_url(source.url), only=source.only)
        commit = done.pax_headers.get("comment", "")
        commit = commit if _SHA1.match(commit) else None
        if commit and pin.revision and _SHA1.match(pin.revision) and commit != pin.revision:
            raise NetworkError(f"{redact_url(source.url)}: the archive is of commit {commit}, but {pin.where} pins "
                               f"{pin.name} at {pin.revision} (check --dep-mirror)")
        staged = tmp / "home"
        staged.mkdir()
        os.rename(done.top, staged / "src")
        record = {"name": pin.name, "revision": pin.revision, "url": redact_url(source.url), "size": size,
                  "sha256": sha256, "commit": commit, "only": list(source.only) if source.only else None}
        (staged / RECORD).write_text(json.dumps(record, sort_keys=True, indent=1) + "\n", encoding="utf-8")
        if home.exists():
            shutil.rmtree(home)  # an interrupted or foreign directory: replaced, never trusted
        try:
            os.rename(staged, home)
        except OSError:
            if not intact(source):  # else a concurrent run finished first: use its copy
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return source.directory


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MiB"
    return f"{n / 1024:.0f} KiB" if n >= 1024 else f"{n} B"


def _download(client: HttpClient, source: Source, dest: Path, log: Log) -> tuple[int, str]:
    url = source.url
    what = f"{source.pin.name} {source.pin.revision[:12] if source.pin.revision else ''}"
    response = client.get(url, stream=True, deadline=download_timeout(os.environ))  # covers the headers too
    try:
        if response.status_code != 200:
            raise NetworkError(f"download of {redact_url(url)} ({what}) failed: HTTP {response.status_code}")
        header = response.headers.get("Content-Length")
        total = int(header) if header and header.isdigit() else None
        digest, size, shown = hashlib.sha256(), 0, -1
        with open(dest, "wb") as f:
            try:
                for chunk in HttpClient.iter_raw(response):
                    f.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    step = size * 4 // total if total else size >> 24  # every 25 %, or every 16 MiB
                    if step != shown:
                        shown = step
                        of = f" of {_size(total)}" if total else ""
                        log(f"tflite-slim: downloading {what}: {_size(size)}{of}")
            except DeadlineExceeded as e:
                raise NetworkError(f"{e}; on a slow link set {ENV_DOWNLOAD_TIMEOUT} to more seconds, "
                                   "or use a nearer mirror (--dep-mirror)") from e
        if total is not None and size != total:
            raise NetworkError(f"download of {redact_url(url)} ({what}): {size} bytes, but Content-Length said {total}")
        log(f"tflite-slim: downloaded {what}: {size:,} bytes, sha256 {digest.hexdigest()[:16]}...")
        return size, digest.hexdigest()
    finally:
        response.close()
