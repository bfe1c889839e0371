"""The source tree a build runs in (TensorFlow or LiteRT): a user's checkout, or a downloaded release.

A TensorFlow checkout is recognised by its Bazel ``WORKSPACE`` and
``tensorflow/lite/build_def.bzl``, a LiteRT checkout by ``tflite/build_def.bzl``
(see :mod:`tflite_slim.runtime.trees.layout`). What we build from a LiteRT tree is the
1.x ``com.google.ai.edge.litert:litert`` line (``tflite/java``), so its version is
``LITERT_FULL_VERSION`` in ``litert/version.bzl`` (1.4.1 at tag v1.4.1, 1.5.0 at
v2.x and HEAD), not ``LITERT_EXPERIMENTAL_VERSION`` (the 2.x CompiledModel line);
tags before v1.3.0 have no such variable and are known by their tag. TensorFlow's comes from
``tensorflow/tf_version.bzl`` (``TF_VERSION``), else
``tensorflow/core/public/version.h``, else ``tensorflow/tensorflow.bzl``
(``VERSION``, older releases); its commit from ``.git`` when there is one.
``build_aar.sh`` refuses to run until ``./configure`` has written
``.tf_configure.bazelrc`` with ``ANDROID_SDK_HOME``; so do we for a user's
checkout, with the fix (we never change it ourselves). A LiteRT tree needs that
only where its own files say so (:mod:`tflite_slim.runtime.trees.androidtree`).

``--tensorflow-version`` / ``--litert-version`` download GitHub's archive of tag
``vX.Y.Z`` into the cache (``<cache>/<kind>/<version>/src``): streamed to a
temp file as the bytes arrive (no Content-Encoding decoding; sha256 and size
recorded), within an overall time limit, extracted into a temp dir
(:mod:`tflite_slim.runtime.trees.tarball`), and moved into place with one rename, so a
half-extracted tree is never used. A cached tree whose record is missing,
unreadable or for another version is replaced, not trusted. That tree is ours:
:mod:`tflite_slim.runtime.trees.android` configures it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Optional

from tflite_slim.runtime.trees import androidtree, litert2, tarball
from tflite_slim.runtime.trees.android import configure_hint
from tflite_slim.runtime.artifacts.cache import discard_dir, writable_dir
from tflite_slim.errors import NetworkError, ToolchainError, UsageError
from tflite_slim.http import DeadlineExceeded, HttpClient, redact_url
from tflite_slim.runtime.trees.layout import LITERT, TENSORFLOW, SourceLayout
from tflite_slim.analysis.opset import dumps

#: Override for slow links and tests: the whole download's time limit in seconds.
ENV_DOWNLOAD_TIMEOUT = "TFLITE_SLIM_DOWNLOAD_TIMEOUT"
#: An hour: TensorFlow's archive is ~100 MB, so this allows links down to ~0.3 Mbit/s.
DEFAULT_DOWNLOAD_TIMEOUT = 3600.0
SOURCE_RECORD = ".tflite-slim-source.json"
#: Override (bytes) of what a download needs free in the cache (tests; a machine that knows better).
ENV_MIN_FREE = "TFLITE_SLIM_MIN_FREE_BYTES"
#: What a release build needs free before its first download: the archive and its extracted tree (LiteRT
#: v1.4.1's tree is 65 MB in 6,104 files; TensorFlow 2.16's about 300 MB), TensorFlow's archive when
#: LiteRT's CMake build reads from it, the dependencies, and a build directory of objects for each ABI.
DEFAULT_MIN_FREE = 4 << 30
#: Temp dirs of killed runs older than this (or twice the download limit) are deleted.
STALE_TEMP_AGE = 24 * 3600.0
# LiteRT also tags pre-releases like 2.0.2a1.
_VERSION = re.compile(r"^\d+\.\d+\.\d+(-rc\d+|(a|b|rc)\d+)?$")
_LITERT_VERSION = re.compile(r'^LITERT_FULL_VERSION\s*=\s*"([^"]+)"', re.M)
_SHA = re.compile(r"^[0-9a-f]{40}$")

Progress = Callable[[int, Optional[int]], None]


@dataclass(frozen=True)
class TensorflowSource:
    """A source tree (TensorFlow or LiteRT, see ``layout``) and what we know of its revision."""

    root: Path
    version: str
    commit: Optional[str] = None
    layout: SourceLayout = TENSORFLOW
    #: What the tree's .bazelrc and WORKSPACE say about its Android build (None: not read).
    android: Optional[androidtree.TreeAndroid] = None

    @property
    def configure_rc(self) -> str:
        """The configure file this tree's ``.bazelrc`` reads (the layout's name when it names none)."""
        return (self.android.configure_rc if self.android else None) or self.layout.configure_rc

    @property
    def needs_configure(self) -> bool:
        return self.android is None or self.android.needs_configure


def detect_source(root: str) -> TensorflowSource:
    """Describe the checkout at ``root`` or raise :class:`ToolchainError` saying what is missing."""
    path = Path(root).expanduser().resolve()
    if not path.is_dir():
        raise ToolchainError(f"--source {root}: no such directory")
    if not any((path / f).is_file() for f in ("WORKSPACE", "WORKSPACE.bazel", "MODULE.bazel")):
        raise ToolchainError(
            f"--source {root}: no Bazel WORKSPACE here; give the root of a LiteRT or TensorFlow checkout "
            "(git clone https://github.com/google-ai-edge/LiteRT or https://github.com/tensorflow/tensorflow)"
        )
    layout = detect_layout(path)
    if layout is None:
        raise ToolchainError(
            f"--source {root}: neither tflite/build_def.bzl (LiteRT) nor tensorflow/lite/build_def.bzl "
            f"(TensorFlow) is here; give the root of a LiteRT or TensorFlow checkout"
        )
    recorded = _read_record(path / SOURCE_RECORD) or {}
    if layout is LITERT:
        # Tags before v1.3.0 have no LITERT_FULL_VERSION: a downloaded one is known by its tag.
        tag = recorded.get("version")
        version = read_litert_version(path, tag if isinstance(tag, str) and _VERSION.match(tag) else None)
    else:
        version = read_version(path)
    commit = git_commit(path) or _recorded_commit(path / SOURCE_RECORD)
    tree = androidtree.read_tree(path, always_configure=layout is TENSORFLOW,
                                 configs=androidtree.configs_in(layout.flags_before_abis),
                                 default_rc=layout.configure_rc)
    return TensorflowSource(path, version, commit, layout, tree)


def detect_layout(root: Path) -> Optional[SourceLayout]:
    """The kind of tree at ``root`` by its marker file (LiteRT's first), None for neither."""
    return next((k for k in (LITERT, TENSORFLOW) if (root / k.marker).is_file()), None)


def read_litert_version(root: Path, tag: Optional[str] = None) -> str:
    """The 1.x line's version as ``litert/version.bzl`` states it (``LITERT_FULL_VERSION``), else ``tag``."""
    bzl = root / "litert/version.bzl"
    m = _LITERT_VERSION.search(bzl.read_text(errors="replace")) if bzl.is_file() else None
    if m:
        return m.group(1)
    if tag is not None:
        return tag
    raise ToolchainError(f"{root}: cannot tell the LiteRT version (no LITERT_FULL_VERSION in "
                         "litert/version.bzl, which LiteRT has from v1.3.0); is this a LiteRT checkout? "
                         "For an older release use --litert-version")


def _read_record(record: Path) -> Optional[dict]:
    """Our download record as a dict; None unless it is a regular file (not a link) holding a JSON object."""
    try:
        if not stat.S_ISREG(os.lstat(record).st_mode):
            return None
        doc = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def _recorded_commit(record: Path) -> Optional[str]:
    """The commit our download record names, if it names a valid one."""
    commit = (_read_record(record) or {}).get("commit")
    return commit if isinstance(commit, str) and _SHA.match(commit) else None


def read_version(root: Path) -> str:
    """TensorFlow's version as its own build files state it."""
    bzl = root / "tensorflow/tf_version.bzl"
    if bzl.is_file():
        m = re.search(r'^TF_VERSION\s*=\s*"([^"]+)"', bzl.read_text(), re.M)
        if m:
            return m.group(1)
    header = root / "tensorflow/core/public/version.h"
    if header.is_file():
        text = header.read_text()
        parts = [re.search(rf"^#define TF_{p}_VERSION\s+(\S+)", text, re.M) for p in ("MAJOR", "MINOR", "PATCH")]
        if all(parts):
            return ".".join(m.group(1) for m in parts)  # type: ignore[union-attr]
    old = root / "tensorflow/tensorflow.bzl"
    if old.is_file():
        m = re.search(r'^VERSION\s*=\s*"([^"]+)"', old.read_text(), re.M)
        if m:
            return m.group(1)
    raise ToolchainError(
        f"{root}: cannot tell the TensorFlow version (no TF_VERSION in tensorflow/tf_version.bzl, "
        "no tensorflow/core/public/version.h); is this a TensorFlow checkout?"
    )


def git_commit(root: Path) -> Optional[str]:
    """The checked-out commit, read from ``.git`` without running git (None if unknown)."""
    git = root / ".git"
    if not (git / "HEAD").is_file():
        return None
    head = (git / "HEAD").read_text().strip()
    if _SHA.match(head):
        return head
    if not head.startswith("ref: "):
        return None
    ref = head[5:]
    if (git / ref).is_file():
        sha = (git / ref).read_text().strip()
        return sha if _SHA.match(sha) else None
    packed = git / "packed-refs"
    if packed.is_file():
        for line in packed.read_text().splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1] == ref and _SHA.match(parts[0]):
                return parts[0]
    return None


def check_android_configured(root: Path, layout: SourceLayout = TENSORFLOW, rc_name: Optional[str] = None) -> None:
    """``build_aar.sh``'s precondition: ./configure was run with the Android questions answered.

    ``rc_name``: the configure file the tree reads (LiteRT v1.x reads ``.tf_configure.bazelrc``).
    """
    rc_name = rc_name or layout.configure_rc
    rc = root / rc_name
    fix = configure_hint(root, layout=layout)
    if not rc.is_file():
        raise ToolchainError(f"{root}: {layout.title} is not configured ({rc_name} is missing); {fix}")
    if "ANDROID_SDK_HOME" not in rc.read_text():
        raise ToolchainError(f"{rc}: {layout.title} is configured without Android (no ANDROID_SDK_HOME); {fix}")


def check_version(version: str, layout: SourceLayout = TENSORFLOW, *, line2: bool = False) -> None:
    """A release tag's version (``2.16.1``, ``2.17.0-rc1``), else a :class:`UsageError`.

    LiteRT: only the 1.x releases (tags v1.0.1 to v1.4.1), whose tag is the 1.x line's version. A 2.x tag
    ships the 2.x runtime, which tflite-slim cannot trim yet: refused with its release line's reason
    (:func:`tflite_slim.runtime.trees.litert2.refusal_for_version`); the 1.x line in such a tree is an
    unreleased 1.5.0, so it is built with ``--source`` on that checkout. ``line2``: the caller builds the 2.x
    runtime (:mod:`tflite_slim.runtime.litert2build`), which checked the release's line itself.
    """
    if not _VERSION.match(version):
        example = "1.4.1" if layout is LITERT else "2.16.1"
        raise UsageError(f"{layout.version_option} {version!r}: expected a release like {example}")
    if layout is LITERT and version.startswith("2.") and not line2:
        raise UsageError(litert2.refusal_for_version(version))
    if layout is LITERT and not version.startswith("1.") and not (line2 and version.startswith("2.")):
        raise UsageError(f"--litert-version {version}: the slim runtime is LiteRT's 1.x Interpreter line "
                         "(com.google.ai.edge.litert:litert 1.x, e.g. 1.4.1); LiteRT has no release line "
                         f"{version.split('.')[0]}.x that tflite-slim has read (its 2.x lines: docs/litert2.md)")


def _cache_path(version: str, cache_dir: Path, layout: SourceLayout) -> Path:
    return cache_dir / layout.kind / version / "src"


def cached_source(version: str, cache_dir: Path, layout: SourceLayout = TENSORFLOW) -> Optional[TensorflowSource]:
    """The release's tree if an earlier run downloaded it intact (nothing is fetched)."""
    final = _cache_path(version, cache_dir, layout)
    if not (_VERSION.match(version) and _intact(final, version, layout)):
        return None
    return detect_source(str(final))


def _intact(tree: Path, version: str, layout: SourceLayout = TENSORFLOW) -> bool:
    """Whether ``tree`` is a whole download of ``version``: our record, as we wrote it, and a checkout.

    The record is written last, after the extraction, so its presence says the
    tree is complete; it must be a regular file (not a link the archive
    planted), name this version and carry the download's checksum. The tree
    must be detected as ``layout``'s kind, or detection would build it as the other.
    """
    doc = _read_record(tree / SOURCE_RECORD)
    return (
        doc is not None
        and doc.get("version") == version
        and isinstance(doc.get("sha256"), str)
        and re.fullmatch(r"[0-9a-f]{64}", doc["sha256"]) is not None
        and any((tree / f).is_file() for f in ("WORKSPACE", "WORKSPACE.bazel", "MODULE.bazel"))
        and detect_layout(tree) is layout
    )


def _remove_stale_temps(directory: Path, older_than: float) -> None:
    """Delete what killed runs left (a download's temp dir is ~1 GB of TensorFlow source).

    Only entries untouched for ``older_than`` seconds go: a run still
    downloading or extracting into its own temp dir is never that old.
    """
    now = time.time()
    for entry in directory.iterdir():
        if not entry.name.startswith((".tmp-", ".broken-")):
            continue
        try:
            if now - os.lstat(entry).st_mtime > older_than:
                shutil.rmtree(entry, ignore_errors=True)
        except FileNotFoundError:
            pass  # another run cleaned it


def check_free_space(directory: Path, env: Optional[Mapping[str, str]] = None) -> None:
    """Refuse a download into ``directory`` (the cache) when its file system has less than it needs free
    (:data:`DEFAULT_MIN_FREE`, or ``TFLITE_SLIM_MIN_FREE_BYTES``): said before the first byte, not when the
    disk fills half-way through an extraction or a compile."""
    env = os.environ if env is None else env
    value = env.get(ENV_MIN_FREE)
    if value and not value.isdigit():
        raise UsageError(f"{ENV_MIN_FREE}={value!r}: expected a number of bytes")
    need = int(value) if value else DEFAULT_MIN_FREE
    existing = directory
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    try:
        free = shutil.disk_usage(existing).free
    except OSError:
        return  # unknown: the writes themselves will say
    if free < need:
        raise ToolchainError(f"{existing} has {free / (1 << 30):.1f} GiB free; a release build needs about "
                             f"{need / (1 << 30):.1f} GiB (source, dependencies, objects): free some space, or "
                             f"give --cache-dir on a larger disk")


def download_timeout(env: Mapping[str, str]) -> float:
    """The overall download limit from ``TFLITE_SLIM_DOWNLOAD_TIMEOUT`` (seconds), else an hour."""
    value = env.get(ENV_DOWNLOAD_TIMEOUT)
    if not value:
        return DEFAULT_DOWNLOAD_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise UsageError(f"{ENV_DOWNLOAD_TIMEOUT}={value!r}: expected a number of seconds greater than 0")
    return seconds


def archive_url(version: str, env: Optional[Mapping[str, str]] = None, layout: SourceLayout = TENSORFLOW) -> str:
    """The archive's URL: ``TFLITE_SLIM_*_ARCHIVE_URL`` (a base URL, or a template with ``{version}``), else GitHub's.

    Only ``{version}`` is substituted (never ``str.format``, which would
    evaluate ``{version.__class__}``); any other brace is refused, naming the
    variable. Credentials in it (``https://user:token@mirror/``) are refused:
    downloads send none (see :func:`fetch_source`).
    """
    env = os.environ if env is None else env
    template = env.get(layout.archive_env) or layout.archive_url
    if "{version}" not in template:
        template = template.rstrip("/") + "/v{version}.tar.gz"
    rest = template.replace("{version}", "")
    if "{" in rest or "}" in rest:
        raise UsageError(f"{layout.archive_env}={redact_url(template)!r}: only {{version}} may appear in braces; "
                         "give a base URL or a template with {version}")
    if redact_url(template) != template:
        raise UsageError(f"{layout.archive_env}={redact_url(template)!r}: carries credentials, but source "
                         "downloads send none (to GitHub or a mirror); use a mirror that needs none")
    return template.replace("{version}", version)


def fetch_source(
    version: str,
    cache_dir: Path,
    client: HttpClient,
    *,
    progress: Optional[Progress] = None,
    env: Optional[Mapping[str, str]] = None,
    layout: SourceLayout = TENSORFLOW,
    line2: bool = False,
) -> TensorflowSource:
    """``version``'s source tree (TensorFlow's or LiteRT's) from the cache, downloading it once if needed
    (``line2``: a LiteRT 2.x tag, for the 2.x runtime: :func:`check_version`)."""
    check_version(version, layout, line2=line2)
    env = os.environ if env is None else env
    final = _cache_path(version, cache_dir, layout)
    if _intact(final, version, layout):
        return detect_source(str(final))
    url = archive_url(version, env, layout)
    deadline = download_timeout(env)
    writable_dir(final.parent)
    _remove_stale_temps(final.parent, older_than=max(STALE_TEMP_AGE, 2 * deadline))
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=final.parent))
    try:
        archive = tmp / "source.tar.gz"
        size, sha256 = _download(client, url, archive, progress, deadline, layout)
        top, commit = _extract(archive, tmp / "x", url)
        if detect_layout(top) is not layout:
            # A mirror serving the other project (or anything else) must not be cached under this name.
            raise NetworkError(f"{redact_url(url)}: the archive has no {layout.marker}; it is not a "
                               f"{layout.title} release (check {layout.archive_env})")
        record = {"version": version, "url": redact_url(url), "size": size, "sha256": sha256, "commit": commit}
        _write_record(top / SOURCE_RECORD, dumps(record))
        if not _intact(final, version, layout):
            discard_dir(final)  # left by an interrupted or older run: replaced, never trusted
        try:
            os.rename(top, final)
        except OSError as e:
            if not _intact(final, version, layout):  # else a concurrent run finished first: use its tree
                raise UsageError(
                    f"cannot put {layout.title} {version}'s source into {final} ({e.strerror or e}); "
                    "check that the cache directory (--cache-dir) is writable"
                ) from e
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return detect_source(str(final))


def _write_record(path: Path, text: str) -> None:
    """Create the record; never through a link or over a file the archive brought (it cannot, but be sure)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(path, flags, 0o644), "w", encoding="utf-8") as f:
        f.write(text)


def _download(
    client: HttpClient, url: str, dest: Path, progress: Optional[Progress], deadline: float,
    layout: SourceLayout = TENSORFLOW,
) -> tuple[int, str]:
    try:
        response = client.get(url, stream=True, deadline=deadline)  # the deadline covers the headers too
    except DeadlineExceeded as e:
        raise _too_slow(e, layout) from e
    try:
        if response.status_code != 200:
            hint = f" (is it a {layout.title} release tag?)" if response.status_code == 404 else ""
            raise NetworkError(f"download of {redact_url(url)} failed: HTTP {response.status_code}{hint}")
        # Content-Length counts the bytes as sent (after any Content-Encoding), which is what we store.
        total_header = response.headers.get("Content-Length")
        total = int(total_header) if total_header and total_header.isdigit() else None
        digest, size = hashlib.sha256(), 0
        with open(dest, "wb") as f:
            try:
                for chunk in HttpClient.iter_raw(response):
                    f.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    if progress:
                        progress(size, total)
            except DeadlineExceeded as e:
                raise _too_slow(e, layout) from e
        if total is not None and size < total:
            raise NetworkError(f"download of {redact_url(url)} ended early: {size} of {total} bytes")
        if total is not None and size > total:
            raise NetworkError(f"download of {redact_url(url)} sent {size} bytes, more than its Content-Length {total}")
        return size, digest.hexdigest()
    finally:
        response.close()


def _too_slow(e: DeadlineExceeded, layout: SourceLayout) -> NetworkError:
    return NetworkError(f"{e}; on a slow link set {ENV_DOWNLOAD_TIMEOUT} to more seconds, or use a nearer mirror "
                        f"({layout.archive_env})")


def _extract(archive: Path, into: Path, url: str) -> tuple[Path, Optional[str]]:
    """Extract with the ``data`` filter's rules (:mod:`tflite_slim.runtime.trees.tarball`); return the top dir and commit."""
    done = tarball.extract(archive, into, redact_url(url), reserved={SOURCE_RECORD})
    # GitHub's archives carry the commit in the pax global header (git archive's comment).
    comment = done.pax_headers.get("comment", "")
    return done.top, comment if _SHA.match(comment) else None
