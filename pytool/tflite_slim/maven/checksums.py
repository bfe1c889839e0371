"""Checksum files next to every artifact file, the way Maven repositories carry them."""

from __future__ import annotations

import hashlib

#: Extension of the checksum file -> hashlib algorithm. Maven resolver verifies
#: sha1/md5 by default; sha256/sha512 are what newer resolvers and Maven Central ask for.
ALGORITHMS = (("md5", "md5"), ("sha1", "sha1"), ("sha256", "sha256"), ("sha512", "sha512"))
EXTENSIONS = tuple(ext for ext, _ in ALGORITHMS)


def digest(data: bytes, algorithm: str) -> str:
    """Lower-case hex digest of ``data``."""
    return hashlib.new(algorithm, data).hexdigest()


def checksum_files(name: str, data: bytes) -> list[tuple[str, bytes]]:
    """``[(name.md5, b"<hex>"), (name.sha1, ...), ...]`` for a file ``name`` holding ``data``.

    The content is the bare hex digest without a newline or file name, as
    Maven writes them (resolvers also accept ``<hex>  <file>``, we don't need to).
    """
    return [(f"{name}.{ext}", digest(data, algo).encode("ascii")) for ext, algo in ALGORITHMS]


def with_checksums(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Each ``(name, data)`` followed by its checksum files (order kept: data first, then its sums)."""
    out: list[tuple[str, bytes]] = []
    for name, data in files:
        out.append((name, data))
        out.extend(checksum_files(name, data))
    return out


def parse_checksum(text: str) -> str:
    """The hex digest in a checksum file's text (``<hex>`` or ``<hex>  <file>``), lower-cased."""
    parts = text.strip().split()
    return parts[0].lower() if parts else ""


#: A checksum file is a hex digest (128 characters for sha512), maybe followed by a file name:
#: readers take at most this many bytes plus one, and never hold a huge "checksum" whole.
MAX_CHECKSUM_FILE = 4096


def checksum_in(head: bytes) -> str:
    """The digest in a checksum file's first ``MAX_CHECKSUM_FILE + 1`` bytes; "" (no digest) when it is longer."""
    if len(head) > MAX_CHECKSUM_FILE:
        return ""
    return parse_checksum(head.decode("ascii", errors="replace"))
