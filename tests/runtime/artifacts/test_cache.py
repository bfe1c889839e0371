"""Where the cache lives and how entries appear (atomically)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tflite_slim.runtime.artifacts.cache import BuildCache, cache_root


@pytest.mark.parametrize(
    "override, env, expected",
    [
        ("/o", {"TFLITE_SLIM_CACHE": "/t", "XDG_CACHE_HOME": "/x", "HOME": "/h"}, "/o"),
        (None, {"TFLITE_SLIM_CACHE": "/t", "XDG_CACHE_HOME": "/x", "HOME": "/h"}, "/t"),
        (None, {"XDG_CACHE_HOME": "/x", "HOME": "/h"}, "/x/tflite-slim"),
        (None, {"HOME": "/h"}, "/h/.cache/tflite-slim"),
        (None, {"TFLITE_SLIM_CACHE": "", "XDG_CACHE_HOME": "", "HOME": "/h"}, "/h/.cache/tflite-slim"),
    ],
)
def test_cache_root_precedence(override, env, expected):
    assert cache_root(override, env) == Path(expected)


def test_publish_and_lookup(tmp_path):
    cache = BuildCache(tmp_path)
    assert cache.lookup("f" * 64, ("a.aar",)) is None
    staging = cache.new_staging()
    (staging / "a.aar").write_bytes(b"x")
    entry = cache.publish(staging, "f" * 64, {"plan": 1})
    assert entry == tmp_path / "builds" / ("f" * 64) and not staging.exists()
    assert cache.lookup("f" * 64, ("a.aar",)) == entry
    assert cache.lookup("f" * 64, ("a.aar", "b.aar")) is None  # incomplete for a flex plan
    # A second publisher of the same plan loses the race quietly; the first entry stays.
    other = cache.new_staging()
    (other / "a.aar").write_bytes(b"y")
    assert cache.publish(other, "f" * 64, {"plan": 1}) == entry
    assert (entry / "a.aar").read_bytes() == b"x" and not other.exists()


def test_staging_dirs_are_never_found(tmp_path):
    cache = BuildCache(tmp_path)
    staging = cache.new_staging()
    (staging / "a.aar").write_bytes(b"x")
    assert cache.lookup(staging.name, ("a.aar",)) is None  # no plan.json: not an entry
