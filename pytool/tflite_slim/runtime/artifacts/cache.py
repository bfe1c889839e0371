"""The build cache: finished AARs keyed by the plan fingerprint, and downloaded TF sources.

Layout under the cache root (``--cache-dir``, else ``$TFLITE_SLIM_CACHE``, else
``$XDG_CACHE_HOME/tflite-slim``, else ``~/.cache/tflite-slim``)::

    builds/<plan_fingerprint>/tensorflow-lite.aar
    builds/<plan_fingerprint>/tensorflow-lite-select-tf-ops.aar   (Flex plans)
    builds/<plan_fingerprint>/plan.json
    tensorflow/<version>/src, litert/<version>/src                (see tfsource)

An entry appears by one ``rename`` of a finished temp directory, so a
Ctrl-C or a failed build never leaves a half entry that a later run would use.
Clearing the cache is ``rm -rf`` of the root (or of one ``builds/<fp>``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Mapping, Optional

from tflite_slim.analysis.opset import dumps
from tflite_slim.errors import UsageError

ENV_CACHE = "TFLITE_SLIM_CACHE"
PLAN_FILE = "plan.json"


def cache_root(override: Optional[str] = None, env: Optional[Mapping[str, str]] = None) -> Path:
    """Where the cache lives, by precedence: override, $TFLITE_SLIM_CACHE, $XDG_CACHE_HOME, ~/.cache."""
    env = os.environ if env is None else env
    if override:
        return Path(override).expanduser()
    if env.get(ENV_CACHE):
        return Path(env[ENV_CACHE]).expanduser()
    xdg = env.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path(env.get("HOME") or Path.home()) / ".cache"
    return base / "tflite-slim"


def writable_dir(path: Path) -> Path:
    """``path`` (a directory under the cache root), created; one :class:`UsageError` if it cannot be.

    Called before the work the cache is for, so an unusable cache location
    is not found after a long download or build, as a traceback.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = tempfile.mkdtemp(prefix=".probe-", dir=path)
        os.rmdir(probe)
    except OSError as e:
        raise UsageError(f"cache directory {path}: not writable ({e.strerror or e}); set --cache-dir "
                         f"(or {ENV_CACHE}) to a directory you can write") from e
    return path


def discard_dir(path: Path) -> None:
    """Remove a damaged cache directory: renamed aside first (one rename, so a concurrent run never sees
    half of it), then deleted. The ``.broken-`` name is one the stale-temp cleanup knows."""
    if not os.path.lexists(path):
        return
    aside = Path(tempfile.mkdtemp(prefix=".broken-", dir=path.parent))
    try:
        os.rename(path, aside / path.name)
    except FileNotFoundError:
        pass  # another run moved it already
    finally:
        shutil.rmtree(aside, ignore_errors=True)


class BuildCache:
    """Finished builds by plan fingerprint."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def entry(self, fingerprint: str) -> Path:
        return self.root / "builds" / fingerprint

    def lookup(self, fingerprint: str, files: tuple[str, ...]) -> Optional[Path]:
        """The entry's directory when it holds every file in ``files``, else None."""
        d = self.entry(fingerprint)
        if d.is_dir() and (d / PLAN_FILE).is_file() and all((d / f).is_file() for f in files):
            return d
        return None

    def discard(self, fingerprint: str) -> None:
        """Remove a damaged entry (see :func:`discard_dir`)."""
        discard_dir(self.entry(fingerprint))

    def new_staging(self) -> Path:
        """A fresh temp dir inside the cache (same file system, so publishing is a rename)."""
        return Path(tempfile.mkdtemp(prefix=".tmp-", dir=writable_dir(self.root / "builds")))

    def publish(self, staging: Path, fingerprint: str, plan: Mapping) -> Path:
        """Turn ``staging`` into the entry for ``fingerprint`` (atomic); returns the entry."""
        (staging / PLAN_FILE).write_text(dumps(plan))
        final = self.entry(fingerprint)
        try:
            os.rename(staging, final)
        except OSError:
            # Another run published the same plan first: its files are equal, keep them.
            shutil.rmtree(staging, ignore_errors=True)
            if not final.is_dir():
                raise
        return final
