"""Checksum files: Maven's bare-hex form, all four algorithms."""

from __future__ import annotations

import pytest

from tflite_slim.maven.checksums import EXTENSIONS, checksum_files, digest, parse_checksum, with_checksums


@pytest.mark.parametrize(
    "algo, hexdigest",
    [
        ("md5", "900150983cd24fb0d6963f7d28e17f72"),
        ("sha1", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("sha256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("sha512", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                   "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
    ],
)
def test_known_digests(algo: str, hexdigest: str) -> None:
    assert digest(b"abc", algo) == hexdigest
    assert dict(checksum_files("f.aar", b"abc"))[f"f.aar.{algo}"] == hexdigest.encode()


def test_with_checksums_keeps_order() -> None:
    names = [n for n, _ in with_checksums([("a.aar", b"1"), ("a.pom", b"2")])]
    assert names == ["a.aar"] + [f"a.aar.{e}" for e in EXTENSIONS] + ["a.pom"] + [f"a.pom.{e}" for e in EXTENSIONS]


@pytest.mark.parametrize(
    "text, value",
    [("abc", "abc"), ("ABC\n", "abc"), ("abc  file.aar\n", "abc"), ("", "")],
)
def test_parse_checksum(text: str, value: str) -> None:
    assert parse_checksum(text) == value


def test_checksum_in_reads_a_bounded_head() -> None:
    """Local install and remote deploy read checksum files the same way: a digest, or nothing past the bound."""
    from tflite_slim.maven.checksums import MAX_CHECKSUM_FILE, checksum_in

    assert checksum_in(b"ABCDEF0123  tensorflow-lite.aar\n") == "abcdef0123"
    assert checksum_in(b"a" * MAX_CHECKSUM_FILE) == "a" * MAX_CHECKSUM_FILE
    assert checksum_in(b"a" * (MAX_CHECKSUM_FILE + 1)) == ""
    assert checksum_in(b"\xff\xfe") != ""  # undecodable bytes are garbage, never an empty (absent) digest
