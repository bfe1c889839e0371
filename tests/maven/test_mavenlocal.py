"""The local repository writer: layout, checksums, metadata, idempotence, refusal, atomicity, concurrency."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import etree

from fake_build import BASIC, WITH_FLEX, make_aar, make_build_out
from tflite_slim.maven import mavenlocal, publication, repometa
from tflite_slim.maven.coordinates import CoordinateChoice, Coordinates
from tflite_slim.errors import MavenError

REPO_ROOT = Path(__file__).resolve().parents[2]
METADATA_XSD = REPO_ROOT.parent / "shared" / "schemas" / "repository-metadata-1.1.0.xsd"
NOW = 1767225600.0  # 2026-01-01T00:00:00Z
RUNTIME = Coordinates("io.tfliteslim", "tensorflow-lite", "any")  # parse() only compares group and artifact


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (lock file aside) with its bytes: "the repository as it was"."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != mavenlocal.LOCK_NAME
    }


def pub_for(tmp_path: Path, name: str = "out", ops=BASIC, payload: bytes = b"", version: str = "1.0"):
    out = make_build_out(tmp_path / name, ops, payload=payload)
    return publication.from_build_dir(out, CoordinateChoice(version=version))


def test_layout_checksums_and_metadata(tmp_path: Path) -> None:
    pub = pub_for(tmp_path, ops=WITH_FLEX)
    repo = tmp_path / "repo"
    results = mavenlocal.install(pub, repo, now=NOW)
    assert [r.status for r in results] == ["installed", "installed"]
    base = repo / "io" / "tfliteslim"
    for artifact in ("tensorflow-lite", "tensorflow-lite-select-tf-ops"):
        vdir = base / artifact / "1.0"
        expected = sorted(
            f"{artifact}-1.0{suffix}{sum_ext}"
            for suffix in (".aar", "-ops.json", ".pom")
            for sum_ext in ("", ".md5", ".sha1", ".sha256", ".sha512")
        )
        assert sorted(p.name for p in vdir.iterdir()) == expected
        for main in (f"{artifact}-1.0.aar", f"{artifact}-1.0.pom", f"{artifact}-1.0-ops.json"):
            data = (vdir / main).read_bytes()
            for algo in ("md5", "sha1", "sha256", "sha512"):
                assert (vdir / f"{main}.{algo}").read_text() == hashlib.new(algo, data).hexdigest()
        meta = (base / artifact / "maven-metadata-local.xml").read_bytes()
        if METADATA_XSD.is_file():
            etree.XMLSchema(etree.parse(str(METADATA_XSD))).assertValid(etree.fromstring(meta))
        parsed = repometa.parse(meta, Coordinates("io.tfliteslim", artifact, "1.0"))
        assert (parsed.versions, parsed.last_updated) == (("1.0",), "20260101000000")
        # Nothing but the lock file and the version dir: no staging leftovers.
        assert sorted(p.name for p in (base / artifact).iterdir()) == [
            ".tflite-slim.lock", "1.0", "maven-metadata-local.xml"]
    aar = base / "tensorflow-lite" / "1.0" / "tensorflow-lite-1.0.aar"
    assert aar.read_bytes() == (tmp_path / "out" / "tensorflow-lite.aar").read_bytes()
    # Staging is private (mkstemp/mkdtemp); what lands in the repository follows the umask like any file.
    assert aar.stat().st_mode & 0o777 == 0o666 & ~_umask()
    assert aar.parent.stat().st_mode & 0o777 == 0o777 & ~_umask()
    assert (base / "tensorflow-lite" / "maven-metadata-local.xml").stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    m = os.umask(0o022)
    os.umask(m)
    return m


def test_same_bytes_again_is_a_no_op(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    mavenlocal.install(pub_for(tmp_path), repo, now=NOW)
    before = snapshot(repo)
    results = mavenlocal.install(pub_for(tmp_path, "again"), repo, now=NOW + 3600)
    assert [r.status for r in results] == ["unchanged"]
    assert snapshot(repo) == before  # not even lastUpdated moved


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: p.unlink(), id="missing"),
        pytest.param(lambda p: p.write_text("0" * 40), id="wrong-digest"),
        pytest.param(lambda p: p.write_bytes(b""), id="empty"),
        pytest.param(lambda p: p.write_bytes(b"\xff" * 10000), id="garbage"),
    ],
)
def test_damaged_checksum_files_are_repaired_without_touching_the_artifact(tmp_path: Path, damage) -> None:
    repo = tmp_path / "repo"
    mavenlocal.install(pub_for(tmp_path), repo, now=NOW)
    before = snapshot(repo)
    vdir = repo / "io/tfliteslim/tensorflow-lite/1.0"
    aar = vdir / "tensorflow-lite-1.0.aar"
    aar_stat = aar.stat()
    damage(vdir / "tensorflow-lite-1.0.aar.sha1")
    damage(vdir / "tensorflow-lite-1.0.pom.md5")
    results = mavenlocal.install(pub_for(tmp_path, "again"), repo, now=NOW + 3600)
    assert [(r.status, r.repaired) for r in results] == [
        ("repaired", ("tensorflow-lite-1.0.aar.sha1", "tensorflow-lite-1.0.pom.md5"))
    ]
    assert snapshot(repo) == before  # every checksum right again; metadata (lastUpdated) untouched
    assert (aar.stat().st_ino, aar.stat().st_mtime_ns) == (aar_stat.st_ino, aar_stat.st_mtime_ns)
    # A checksum in the "<hex>  <file>" form is correct too: nothing to repair.
    sha1 = vdir / "tensorflow-lite-1.0.aar.sha1"
    sha1.write_text(sha1.read_text() + "  tensorflow-lite-1.0.aar\n")
    assert [r.status for r in mavenlocal.install(pub_for(tmp_path, "third"), repo, now=NOW)] == ["unchanged"]


def test_missing_artifact_file_completes_the_version(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    mavenlocal.install(pub_for(tmp_path), repo, now=NOW)
    before = snapshot(repo)
    (repo / "io/tfliteslim/tensorflow-lite/1.0/tensorflow-lite-1.0-ops.json").unlink()
    assert [r.status for r in mavenlocal.install(pub_for(tmp_path, "again"), repo, now=NOW)] == ["installed"]
    assert snapshot(repo) == before


def test_install_that_failed_at_the_second_artifact_is_completed_by_a_rerun(tmp_path: Path, monkeypatch) -> None:
    """Item 8's gap does not exist locally: the runtime is "unchanged" and the flex artifact goes in."""
    repo = tmp_path / "repo"
    pub = pub_for(tmp_path, ops=WITH_FLEX)
    real = mavenlocal._rename
    monkeypatch.setattr(mavenlocal, "_rename", lambda src, dst: (
        (_ for _ in ()).throw(OSError(28, "No space left on device")) if "select-tf-ops" in str(dst)
        else real(src, dst)))
    with pytest.raises(MavenError, match="No space left on device"):
        mavenlocal.install(pub, repo, now=NOW)
    monkeypatch.undo()
    assert not (repo / "io/tfliteslim/tensorflow-lite-select-tf-ops/1.0").exists()
    assert [r.status for r in mavenlocal.install(pub, repo, now=NOW)] == ["unchanged", "installed"]
    complete = tmp_path / "complete"
    mavenlocal.install(pub, complete, now=NOW)
    assert snapshot(repo) == snapshot(complete)


@pytest.mark.parametrize("payload", [b"b", b"a much longer, different native library"])
def test_same_size_or_not_different_bytes_are_refused(tmp_path: Path, payload: bytes) -> None:
    repo = tmp_path / "repo"
    mavenlocal.install(pub_for(tmp_path, payload=b"a"), repo, now=NOW)
    with pytest.raises(MavenError, match="tensorflow-lite-1.0.aar differs"):
        mavenlocal.install(pub_for(tmp_path, "other", payload=payload), repo, now=NOW)


def test_different_bytes_refused_then_forced(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    mavenlocal.install(pub_for(tmp_path), repo, now=NOW)
    vdir = repo / "io/tfliteslim/tensorflow-lite/1.0"
    (vdir / "tensorflow-lite-1.0-sources.jar").write_bytes(b"someone else's")
    before = snapshot(repo)
    other = pub_for(tmp_path, "other", payload=b"different native code")
    with pytest.raises(MavenError, match=r"io.tfliteslim:tensorflow-lite:1.0 is already installed .* "
                                         r"\(tensorflow-lite-1.0.aar differs\).*--force"):
        mavenlocal.install(other, repo, now=NOW)
    assert snapshot(repo) == before
    assert [r.status for r in mavenlocal.install(other, repo, force=True, now=NOW)] == ["replaced"]
    assert (vdir / "tensorflow-lite-1.0.aar").read_bytes() == (tmp_path / "other/tensorflow-lite.aar").read_bytes()
    assert (vdir / "tensorflow-lite-1.0-sources.jar").read_bytes() == b"someone else's"
    assert not [p for p in vdir.parent.iterdir() if p.name.startswith(".tflite-slim-")]


def test_versions_accumulate_and_maven_metadata_is_merged(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    adir = repo / "io/tfliteslim/tensorflow-lite"
    adir.mkdir(parents=True)
    (adir / "maven-metadata-local.xml").write_text(
        "<metadata><groupId>io.tfliteslim</groupId><artifactId>tensorflow-lite</artifactId>"
        "<versioning><versions><version>0.1</version></versions></versioning></metadata>"
    )
    mavenlocal.install(pub_for(tmp_path, "a", version="1.0"), repo, now=NOW)
    mavenlocal.install(pub_for(tmp_path, "b", version="2.0"), repo, now=NOW)
    meta = repometa.parse((adir / "maven-metadata-local.xml").read_bytes(), RUNTIME)
    assert meta.versions == ("0.1", "1.0", "2.0") and meta.release == "2.0"


def test_broken_metadata_stops_before_any_change(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    adir = repo / "io/tfliteslim/tensorflow-lite"
    adir.mkdir(parents=True)
    (adir / "maven-metadata-local.xml").write_text("<metadata><versioning>")
    before = snapshot(repo)
    with pytest.raises(MavenError, match="maven-metadata-local.xml: not well-formed XML.*delete it"):
        mavenlocal.install(pub_for(tmp_path), repo, now=NOW)
    assert snapshot(repo) == before


@pytest.mark.parametrize("fail_on_call", [1, 2])
def test_interrupted_install_leaves_the_repo_as_it_was(tmp_path: Path, monkeypatch, fail_on_call: int) -> None:
    """Ctrl-C at a rename: a fresh install (1st rename) or a --force replacement (2nd rename)."""
    repo = tmp_path / "repo"
    if fail_on_call == 2:
        mavenlocal.install(pub_for(tmp_path), repo, now=NOW)
    before = snapshot(repo)
    real_rename = os.rename
    calls = []

    def interrupted(src, dst):
        calls.append(dst)
        if len(calls) == fail_on_call:
            raise KeyboardInterrupt
        return real_rename(src, dst)

    monkeypatch.setattr(mavenlocal.os, "rename", interrupted)
    with pytest.raises(KeyboardInterrupt):
        mavenlocal.install(pub_for(tmp_path, "other", payload=b"x"), repo, force=True, now=NOW)
    monkeypatch.undo()
    assert snapshot(repo) == before
    leftovers = [p for p in repo.rglob(".tflite-slim-*")] if repo.exists() else []
    assert leftovers == []


def test_leftovers_of_killed_installs_are_cleaned_after_a_day(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    adir = repo / "io/tfliteslim/tensorflow-lite"
    old = adir / ".tflite-slim-staging-1.0-abc"
    fresh = adir / ".tflite-slim-staging-1.0-def"  # may belong to an install running right now
    for d in (old, fresh):
        d.mkdir(parents=True)
        (d / "tensorflow-lite-1.0.aar").write_bytes(b"partial")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    mavenlocal.install(pub_for(tmp_path), repo, now=NOW)
    assert not old.exists() and fresh.exists()


def test_full_disk_is_a_clear_error_and_changes_nothing(tmp_path: Path, monkeypatch) -> None:
    repo = tmp_path / "repo"
    mavenlocal.install(pub_for(tmp_path, version="1.0"), repo, now=NOW)
    before = snapshot(repo)

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(mavenlocal.os, "fsync", no_space)
    with pytest.raises(MavenError, match="No space left on device; free space"):
        mavenlocal.install(pub_for(tmp_path, "b", version="2.0"), repo, now=NOW)
    monkeypatch.undo()
    assert snapshot(repo) == before
    assert not list(repo.rglob(".tflite-slim-*"))


def test_unwritable_repository_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(MavenError, match="cannot create .*file/io/tfliteslim/tensorflow-lite"):
        mavenlocal.install(pub_for(tmp_path), tmp_path / "file", now=NOW)


def test_concurrent_installs_in_real_processes(tmp_path: Path) -> None:
    """Six processes at once: four new versions and the same version twice; nothing lost or torn."""
    aar = make_aar(tmp_path / "big.aar", "org.tensorflow.lite", ["arm64-v8a"], os.urandom(2 << 20))
    repo = tmp_path / "repo"
    versions = ["1", "2", "3", "4", "5", "5"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tflite_slim", "install", "--aar", str(aar), "--group-id", "io.tfliteslim",
             "--artifact-id", "tensorflow-lite", "--version", v, "--repo", str(repo), "--no-ops"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for v in versions
    ]
    adir = repo / "io/tfliteslim/tensorflow-lite"
    seen, torn = _watch_versions(adir, procs, expected_files=10, aar_size=aar.stat().st_size)
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, outputs
    # A reader polling throughout never saw a version directory with missing or short files.
    assert torn == [] and seen
    statuses = sorted(line.split(":")[0] for out, _ in outputs for line in out.splitlines() if " in " in line)
    assert statuses == ["installed"] * 5 + ["unchanged"]
    meta = repometa.parse((adir / "maven-metadata-local.xml").read_bytes(), RUNTIME)
    assert sorted(meta.versions) == ["1", "2", "3", "4", "5"]
    for v in set(versions):
        assert (adir / v / f"tensorflow-lite-{v}.aar").read_bytes() == aar.read_bytes()
    names = sorted(p.name for p in adir.iterdir())
    assert names == [".tflite-slim.lock", "1", "2", "3", "4", "5", "maven-metadata-local.xml"]


def _watch_versions(adir: Path, procs: list, expected_files: int, aar_size: int) -> tuple[int, list[str]]:
    """Poll like a concurrent Gradle build until ``procs`` end: count version dirs seen, list torn ones."""
    seen, torn = 0, []
    while any(p.poll() is None for p in procs):
        if not adir.is_dir():
            continue
        for vdir in adir.iterdir():
            if vdir.name.startswith(".") or not vdir.is_dir():
                continue
            try:
                files = {p.name: p.stat().st_size for p in vdir.iterdir()}
            except FileNotFoundError:
                continue
            seen += 1
            aars = [size for name, size in files.items() if name.endswith(".aar")]
            if len(files) != expected_files or aars != [aar_size]:
                torn.append(f"{vdir.name}: {sorted(files)}")
    return seen, torn


def _replace_state(tmp_path: Path):
    repo = tmp_path / "repo"
    mavenlocal.install(pub_for(tmp_path, "old", payload=b"old"), repo, now=NOW)
    return repo, snapshot(repo), pub_for(tmp_path, "new", payload=b"new native code")


def test_crash_between_the_force_renames_is_recovered_by_the_next_install(tmp_path: Path, monkeypatch) -> None:
    """The machine dies after the old version went aside, before the new one arrived (nothing runs after)."""
    repo, before, new = _replace_state(tmp_path)
    adir = repo / "io/tfliteslim/tensorflow-lite"
    real, calls = mavenlocal._rename, []

    def power_cut(src: Path, dst: Path) -> None:
        calls.append(dst)
        if len(calls) >= 2:  # 1: old version aside; 2: new one in (and every rollback attempt)
            raise OSError(5, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(mavenlocal, "_rename", power_cut)
    with pytest.raises(MavenError):
        mavenlocal.install(new, repo, force=True, now=NOW)
    monkeypatch.undo()
    assert not (adir / "1.0").exists() and (adir / ".tflite-slim-aside-1.0").is_dir()
    # Any next install restores the old version first: so a plain install of other bytes is refused...
    with pytest.raises(MavenError, match="tensorflow-lite-1.0.aar differs"):
        mavenlocal.install(new, repo, now=NOW)
    assert snapshot(repo) == before
    assert not (adir / ".tflite-slim-aside-1.0").exists()
    # ...and --force now completes the replacement.
    assert [r.status for r in mavenlocal.install(new, repo, force=True, now=NOW)] == ["replaced"]
    assert (adir / "1.0/tensorflow-lite-1.0.aar").read_bytes() == (tmp_path / "new/tensorflow-lite.aar").read_bytes()
    assert [p.name for p in adir.iterdir() if p.name.startswith(".tflite-slim-")] == []


def test_crash_after_the_swap_drops_the_aside_copy(tmp_path: Path) -> None:
    repo, _, new = _replace_state(tmp_path)
    adir = repo / "io/tfliteslim/tensorflow-lite"
    mavenlocal.install(new, repo, force=True, now=NOW)
    after = snapshot(repo)
    aside = adir / ".tflite-slim-aside-1.0"  # what a kill before the old copy's removal leaves
    aside.mkdir()
    (aside / "tensorflow-lite-1.0.aar").write_bytes(b"old, half deleted")
    assert [r.status for r in mavenlocal.install(new, repo, now=NOW)] == ["unchanged"]
    assert not aside.exists() and snapshot(repo) == after


_KILLED_INSTALL = """
import os, signal, sys
from pathlib import Path
from tflite_slim.maven import mavenlocal, publication
from tflite_slim.maven.coordinates import CoordinateChoice

real, calls = mavenlocal._rename, []

def rename(src, dst):
    real(src, dst)
    calls.append(dst)
    if len(calls) == int(sys.argv[3]):
        os.kill(os.getpid(), signal.SIGKILL)

mavenlocal._rename = rename
pub = publication.from_build_dir(Path(sys.argv[1]), CoordinateChoice(version="1.0"))
mavenlocal.install(pub, Path(sys.argv[2]), force=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("killed_after", [1, 2])
def test_sigkill_during_force_replace_loses_nothing(tmp_path: Path, killed_after: int) -> None:
    """A real kill -9 right after the old version went aside (1) or right after the new one arrived (2)."""
    repo, before, new = _replace_state(tmp_path)
    proc = subprocess.run([sys.executable, "-c", _KILLED_INSTALL, str(tmp_path / "new"), str(repo), str(killed_after)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    adir = repo / "io/tfliteslim/tensorflow-lite"
    assert (adir / ".tflite-slim-aside-1.0").is_dir()
    assert (adir / "1.0").exists() == (killed_after == 2)
    results = mavenlocal.install(pub_for(tmp_path, "old2", payload=b"old") if killed_after == 1 else new, repo, now=NOW)
    assert [r.status for r in results] == ["unchanged"]
    assert not (adir / ".tflite-slim-aside-1.0").exists()
    expected = tmp_path / "expected"
    mavenlocal.install(pub_for(tmp_path, "old3", payload=b"old") if killed_after == 1 else new, expected, now=NOW)
    version_files = {k: v for k, v in snapshot(repo).items() if k.startswith("io/tfliteslim/tensorflow-lite/1.0/")}
    assert version_files == {k: v for k, v in snapshot(expected).items() if "/1.0/" in k}


def test_force_replacement_drops_the_old_op_record_it_does_not_republish(tmp_path: Path) -> None:
    """--force with an --aar and no --ops: the old ``-ops.json`` described the old AAR, so it must not stay.

    The Gradle plugin's tfliteVerify reads that file to decide whether the runtime covers the app's models.
    """
    repo = tmp_path / "repo"
    mavenlocal.install(pub_for(tmp_path, payload=b"old"), repo, now=NOW)
    vdir = repo / "io/tfliteslim/tensorflow-lite/1.0"
    (vdir / "tensorflow-lite-1.0-sources.jar").write_bytes(b"another classifier, not ours")
    aar = make_aar(tmp_path / "other.aar", "p", ["x86_64"], b"new")
    other = publication.from_aar(aar, Coordinates("io.tfliteslim", "tensorflow-lite", "1.0"))
    assert [r.status for r in mavenlocal.install(other, repo, force=True, now=NOW)] == ["replaced"]
    names = sorted(p.name for p in vdir.iterdir())
    assert not [n for n in names if "-ops.json" in n], names
    assert "tensorflow-lite-1.0-sources.jar" in names  # what we never publish is kept
    assert (vdir / "tensorflow-lite-1.0.aar").read_bytes() == aar.read_bytes()


def test_plain_install_racing_a_force_replacement_is_not_reported_unchanged(tmp_path: Path, monkeypatch) -> None:
    """A --force replacement that lands between a plain install's comparison and its lock.

    The plain install saw its own bytes installed; by the time it holds the lock they are gone. Calling
    that ``unchanged`` would tell its build the repository holds what it built when it holds the other.
    """
    repo = tmp_path / "repo"
    mine = pub_for(tmp_path, "mine", payload=b"mine")
    mavenlocal.install(mine, repo, now=NOW)
    theirs = pub_for(tmp_path, "theirs", payload=b"theirs")
    real_locked, raced = mavenlocal._locked, []

    def locked_after_a_rival(artifact_dir: Path):
        if not raced:
            raced.append(True)
            monkeypatch.setattr(mavenlocal, "_locked", real_locked)
            mavenlocal.install(theirs, repo, force=True, now=NOW)  # the other process, just before our lock
        return real_locked(artifact_dir)

    monkeypatch.setattr(mavenlocal, "_locked", locked_after_a_rival)
    with pytest.raises(MavenError, match="tensorflow-lite-1.0.aar differs"):
        mavenlocal.install(mine, repo, now=NOW)
    assert raced


def test_interrupt_right_after_the_old_version_went_aside_puts_it_back(tmp_path: Path, monkeypatch) -> None:
    """Ctrl-C (or Gradle's SIGTERM) after the first --force rename took effect, while it was being made durable.

    The version must not be missing until some later install happens to recover it.
    """
    repo, before, new = _replace_state(tmp_path)
    real, calls = mavenlocal._rename, []

    def interrupted_after(src: Path, dst: Path) -> None:
        real(src, dst)
        calls.append(dst)
        if len(calls) == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(mavenlocal, "_rename", interrupted_after)
    with pytest.raises(KeyboardInterrupt):
        mavenlocal.install(new, repo, force=True, now=NOW)
    assert snapshot(repo) == before
    assert not list(repo.rglob(".tflite-slim-*"))


def test_read_only_repository_on_the_unchanged_path_is_one_error(tmp_path: Path, monkeypatch) -> None:
    """Nothing to install but the metadata to fix, on a read-only mount: a MavenError, not a traceback."""
    repo = tmp_path / "repo"
    pub = pub_for(tmp_path)
    mavenlocal.install(pub, repo, now=NOW)
    (repo / "io/tfliteslim/tensorflow-lite" / repometa.LOCAL_NAME).unlink()

    def read_only(path, data: bytes) -> None:
        raise OSError(30, "Read-only file system", str(path))

    monkeypatch.setattr(mavenlocal.files, "write_atomic", read_only)
    with pytest.raises(MavenError, match="maven-metadata-local.xml: Read-only file system; free space or fix"):
        mavenlocal.install(pub, repo, now=NOW)


def test_huge_local_metadata_is_refused_not_read_whole(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    meta = repo / "io/tfliteslim/tensorflow-lite" / repometa.LOCAL_NAME
    meta.parent.mkdir(parents=True)
    versions = b"".join(b"<version>%d</version>" % i for i in range(repometa.MAX_BYTES // 20))
    meta.write_bytes(b"<metadata><groupId>io.tfliteslim</groupId><artifactId>tensorflow-lite</artifactId>"
                     b"<versioning><versions>" + versions + b"</versions></versioning></metadata>")
    before = snapshot(repo)
    with pytest.raises(MavenError, match="maven-metadata-local.xml: larger than 16 MiB, no real metadata file is; "
                                         "delete it"):
        mavenlocal.install(pub_for(tmp_path), repo, now=NOW)
    assert snapshot(repo) == before


@pytest.mark.parametrize("kind", ["directory", "symlink"])
def test_replacing_a_version_that_holds_something_else_is_refused_not_dropped(tmp_path: Path, kind: str) -> None:
    """A directory in a version directory (e.g. another artifact whose groupId is this artifact's path:
    io.tfliteslim.tensorflow-lite:1.0:x lives in io/tfliteslim/tensorflow-lite/1.0/x/) was silently
    dropped by a --force replacement, and a symlink was turned into a copy of what it pointed at."""
    repo = tmp_path / "repo"
    mavenlocal.install(pub_for(tmp_path, payload=b"old"), repo, now=NOW)
    vdir = repo / "io/tfliteslim/tensorflow-lite/1.0"
    if kind == "directory":
        (vdir / "x").mkdir()
        (vdir / "x" / "keep.txt").write_text("not ours")
    else:
        (tmp_path / "elsewhere.txt").write_text("not ours")
        (vdir / "x").symlink_to(tmp_path / "elsewhere.txt")
    before = snapshot(repo)
    with pytest.raises(MavenError, match=f"{vdir / 'x'} is a {kind} tflite-slim did not write; move it out of "
                                         f"{vdir} and run the install again"):
        mavenlocal.install(pub_for(tmp_path, "new", payload=b"new"), repo, force=True, now=NOW)
    assert snapshot(repo) == before
    assert (vdir / "x").is_symlink() == (kind == "symlink")
    assert not list(repo.rglob(".tflite-slim-staging-*"))


@pytest.mark.parametrize("setting", ["MAVEN_OPTS", "MAVEN_HOME"])
def test_coordinates_out_refuses_a_repository_gradle_never_reads(tmp_path: Path, monkeypatch, capsys,
                                                                  setting: str) -> None:
    """Issue 29 #4: what the Gradle plugin substitutes must be where Gradle's mavenLocal() reads; Gradle ignores
    MAVEN_OPTS and MAVEN_HOME (it reads Java's user.home, M2_HOME, its own -Dmaven.repo.local). The plugin passes
    --repo; without it, a location only Maven reads is refused before anything is installed."""
    from tflite_slim.cli import main

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("M2_HOME", raising=False)
    monkeypatch.delenv("MAVEN_HOME", raising=False)
    monkeypatch.delenv("MAVEN_OPTS", raising=False)
    maven_only = tmp_path / "maven-only"
    if setting == "MAVEN_OPTS":
        monkeypatch.setenv("MAVEN_OPTS", f"-Xmx1g -Dmaven.repo.local={maven_only}")
        source = "-Dmaven.repo.local in MAVEN_OPTS"
    else:
        conf = tmp_path / "maven" / "conf"
        conf.mkdir(parents=True)
        (conf / "settings.xml").write_text(f"<settings><localRepository>{maven_only}</localRepository></settings>")
        monkeypatch.setenv("MAVEN_HOME", str(tmp_path / "maven"))
        source = f"<localRepository> in {conf / 'settings.xml'}"
    out = make_build_out(tmp_path / "out", BASIC)
    coordinates = tmp_path / "coordinates.json"
    assert main(["install", str(out), "--version", "1", "--coordinates-out", str(coordinates)]) == 2
    assert capsys.readouterr().err == (
        f"error: --coordinates-out: the local repository {maven_only} (from {source}) is one Gradle's mavenLocal() "
        "does not read (Gradle ignores MAVEN_OPTS and MAVEN_HOME), so Gradle would not find what it substitutes; "
        "pass --repo with the directory Gradle's mavenLocal() reads (the Gradle plugin does)\n")
    assert not maven_only.exists() and not coordinates.exists()
    # Given the directory, as the plugin does, it installs there whatever MAVEN_OPTS/MAVEN_HOME say.
    gradles = tmp_path / "gradles"
    assert main(["install", str(out), "--version", "1", "--repo", str(gradles),
                 "--coordinates-out", str(coordinates)]) == 0
    assert (gradles / "io/tfliteslim/tensorflow-lite/1").is_dir() and not maven_only.exists()
    # Without --coordinates-out (a person installing for mvn), Maven's own settings are honoured as before.
    assert main(["install", str(out), "--version", "1"]) == 0
    assert (maven_only / "io/tfliteslim/tensorflow-lite/1").is_dir()
