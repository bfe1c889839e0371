"""``tflite-slim deploy`` against a real HTTP repository server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from lxml import etree

from fake_build import BASIC, WITH_FLEX, make_build_out
from repo_server import RepoServer
from tflite_slim.maven import remote, repometa
from tflite_slim.cli import main
from tflite_slim.maven.coordinates import Coordinates
from tflite_slim.errors import UsageError

METADATA_XSD = Path(__file__).resolve().parent.parent.parent / "shared" / "schemas" / "repository-metadata-1.1.0.xsd"
PASSWORD = "s3cret"
V = "2.16.1-slim-test"


@pytest.fixture
def server(tmp_path: Path):
    with RepoServer(tmp_path / "served") as s:
        yield s


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return make_build_out(tmp_path / "out", WITH_FLEX)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No real ~/.netrc or ~/.m2/settings.xml of the machine leaks into these tests."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.delenv("M2_HOME", raising=False)
    monkeypatch.delenv("MAVEN_HOME", raising=False)
    monkeypatch.setenv("DEPLOY_PW", PASSWORD)
    return home


def deploy(server: RepoServer, out: Path, *extra: str) -> int:
    return main(["deploy", str(out), "--url", server.url, "--version", V, *extra])


def test_files_checksums_and_metadata_land(server: RepoServer, out: Path, capsys) -> None:
    assert deploy(server, out, "--username", "deployer", "--password-env", "DEPLOY_PW") == 0
    stdout, stderr = capsys.readouterr()
    assert stdout.splitlines() == [
        f"deployed: io.tfliteslim:tensorflow-lite:{V} to {server.url}",
        f"deployed: io.tfliteslim:tensorflow-lite-select-tf-ops:{V} to {server.url}",
    ]
    assert PASSWORD not in stdout + stderr
    files = server.files()
    for artifact in ("tensorflow-lite", "tensorflow-lite-select-tf-ops"):
        base = f"io/tfliteslim/{artifact}"
        for name in (f"{artifact}-{V}.aar", f"{artifact}-{V}.pom", f"{artifact}-{V}-ops.json"):
            data = files[f"{base}/{V}/{name}"]
            for algo in ("md5", "sha1", "sha256", "sha512"):
                assert files[f"{base}/{V}/{name}.{algo}"] == hashlib.new(algo, data).hexdigest().encode()
        meta = files[f"{base}/maven-metadata.xml"]
        assert files[f"{base}/maven-metadata.xml.sha1"] == hashlib.sha1(meta).hexdigest().encode()
        if METADATA_XSD.is_file():
            etree.XMLSchema(etree.parse(str(METADATA_XSD))).assertValid(etree.fromstring(meta))
        assert repometa.parse(meta, Coordinates("io.tfliteslim", artifact, V)).versions == (V,)
    aar = files[f"io/tfliteslim/tensorflow-lite/{V}/tensorflow-lite-{V}.aar"]
    assert aar == (out / "tensorflow-lite.aar").read_bytes()
    # Maven's order: existence checks, then each artifact's files (POM after its AAR), then its metadata.
    puts = [p for m, p, _ in server.requests if m == "PUT" and not p.endswith((".md5", ".sha1", ".sha256", ".sha512"))]
    runtime_puts = [p.rsplit("/", 1)[1] for p in puts if "/tensorflow-lite/" in p]
    assert runtime_puts == [f"tensorflow-lite-{V}.aar", f"tensorflow-lite-{V}-ops.json", f"tensorflow-lite-{V}.pom",
                            "maven-metadata.xml"]


def test_a_host_build_deploys_its_classifier_jar_and_never_lands_on_an_android_version(
        server: RepoServer, out: Path, tmp_path: Path, capsys) -> None:
    args = ("--username", "deployer", "--password-env", "DEPLOY_PW")
    host = make_build_out(tmp_path / "host", BASIC, abis=("linux-x86_64",))
    assert main(["deploy", str(host), "--url", server.url, "--version", "host-1", *args]) == 0
    files = server.files()
    base = "io/tfliteslim/tensorflow-lite"
    names = sorted(p.rsplit("/", 1)[1] for p in files if p.startswith(f"{base}/host-1/") and "." in p)
    assert [n for n in names if n.endswith((".jar", ".pom", ".json", ".aar"))] == [
        "tensorflow-lite-host-1-linux-x86_64.jar", "tensorflow-lite-host-1-ops.json", "tensorflow-lite-host-1.pom"]
    jar = f"{base}/host-1/tensorflow-lite-host-1-linux-x86_64.jar"
    assert files[f"{jar}.sha1"] == hashlib.sha1(files[jar]).hexdigest().encode()
    assert repometa.parse(files[f"{base}/maven-metadata.xml"], Coordinates("io.tfliteslim", "tensorflow-lite", "host-1")
                          ).versions == ("host-1",)
    # An Android runtime deployed at V is not joined by a host build under the same version.
    assert deploy(server, out, *args) == 0
    before = server.files()
    capsys.readouterr()
    assert main(["deploy", str(host), "--url", server.url, "--version", V, *args]) == 2
    assert f"io.tfliteslim:tensorflow-lite:{V} is already in {server.url} with different content" in \
        capsys.readouterr().err
    assert server.files() == before


def test_401_without_credentials_is_a_clear_error(server: RepoServer, out: Path, capsys) -> None:
    assert deploy(server, out) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: GET {server.url}/io/tfliteslim/tensorflow-lite/maven-metadata.xml answered 401 Unauthorized: "
        "the repository needs credentials: give --username with --password-env VAR, --server-id ID "
        "(a <server> in ~/.m2/settings.xml) or a ~/.netrc entry for 127.0.0.1\n"
    )
    assert server.files() == {}


def test_wrong_password_names_where_it_came_from(server: RepoServer, out: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("DEPLOY_PW", "wrong-password")
    assert deploy(server, out, "--username", "deployer", "--password-env", "DEPLOY_PW") == 2
    err = capsys.readouterr().err
    assert "answered 401 Unauthorized: the credentials from --username and $DEPLOY_PW were refused" in err
    assert "wrong-password" not in err


def test_server_error_then_retry_succeeds(server: RepoServer, out: Path) -> None:
    server.fail_next = 2
    assert deploy(server, out, "--username", "deployer", "--password-env", "DEPLOY_PW") == 0
    assert [s for _, _, s in server.requests[:3]] == [500, 500, 404]  # the retried metadata GET
    assert f"io/tfliteslim/tensorflow-lite/{V}/tensorflow-lite-{V}.aar" in server.files()


def test_failed_put_is_retried_with_the_whole_body(server: RepoServer, out: Path) -> None:
    server.fail_method, server.fail_next = "PUT", 2
    assert deploy(server, out, "--username", "deployer", "--password-env", "DEPLOY_PW") == 0
    puts = [(p.rsplit("/", 1)[1], s) for m, p, s in server.requests if m == "PUT"]
    aar = f"tensorflow-lite-{V}.aar"
    assert puts[:3] == [(aar, 500), (aar, 500), (aar, 201)]
    stored = server.files()[f"io/tfliteslim/tensorflow-lite/{V}/{aar}"]
    assert stored == (out / "tensorflow-lite.aar").read_bytes()


def test_server_keeps_failing(server: RepoServer, out: Path, capsys) -> None:
    server.fail_next = 1000
    assert deploy(server, out, "--username", "deployer", "--password-env", "DEPLOY_PW", "--retries", "1") == 2
    retry, error = capsys.readouterr().err.splitlines()  # one line of ours about retrying, no urllib3 lines
    metadata = f"{server.url}/io/tfliteslim/tensorflow-lite/maven-metadata.xml"
    assert retry == f"tflite-slim: GET {metadata} answered 500; retrying (at most 1 more time)"
    assert error.startswith(f"error: GET {metadata}") and "500" in error


def test_same_build_again_is_unchanged_and_uploads_nothing(server: RepoServer, out: Path, capsys) -> None:
    args = ("--username", "deployer", "--password-env", "DEPLOY_PW")
    assert deploy(server, out, *args) == 0
    before = server.files()
    count = len(server.requests)
    capsys.readouterr()
    assert deploy(server, out, *args) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"unchanged: io.tfliteslim:tensorflow-lite:{V} to {server.url}",
        f"unchanged: io.tfliteslim:tensorflow-lite-select-tf-ops:{V} to {server.url}",
    ]
    assert server.files() == before
    assert "PUT" not in [m for m, _, _ in server.requests[count:]]
    # Each checksum file was read once: comparing a file and deciding its checksum uploads share the reads.
    gets = [p for m, p, _ in server.requests[count:] if m == "GET" and p.endswith((".sha1", ".sha256"))]
    assert gets and len(gets) == len(set(gets))


def test_different_bytes_are_refused_before_any_upload(server: RepoServer, out: Path, tmp_path: Path, capsys) -> None:
    args = ("--username", "deployer", "--password-env", "DEPLOY_PW")
    assert deploy(server, out, *args) == 0
    before = server.files()
    count = len(server.requests)
    other = make_build_out(tmp_path / "other", WITH_FLEX, payload=b"other native code")
    assert deploy(server, other, *args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: io.tfliteslim:tensorflow-lite:{V} is already in {server.url} with different "
                          f"content (tensorflow-lite-{V}.aar ")
    assert "nothing was uploaded" in err and err.count("\n") == 1
    assert server.files() == before
    assert "PUT" not in [m for m, _, _ in server.requests[count:]]


def test_existing_pom_with_other_bytes_is_refused(server: RepoServer, out: Path, capsys) -> None:
    pom = server.root / f"io/tfliteslim/tensorflow-lite-select-tf-ops/{V}/tensorflow-lite-select-tf-ops-{V}.pom"
    pom.parent.mkdir(parents=True)
    pom.write_text("<project/>")
    assert deploy(server, out, "--username", "deployer", "--password-env", "DEPLOY_PW") == 2
    assert f"(tensorflow-lite-select-tf-ops-{V}.pom has 10 bytes, not " in capsys.readouterr().err
    assert list(server.files()) == [str(pom.relative_to(server.root))]  # not even the runtime went up


def test_same_size_other_bytes_without_checksums_are_compared_by_content(server: RepoServer, out: Path, capsys) -> None:
    """No checksum files to trust: the file's own bytes are fetched and hashed."""
    aar_bytes = (out / "tensorflow-lite.aar").read_bytes()
    aar = server.root / f"io/tfliteslim/tensorflow-lite/{V}/tensorflow-lite-{V}.aar"
    aar.parent.mkdir(parents=True)
    aar.write_bytes(bytes(len(aar_bytes)))
    assert deploy(server, out, "--username", "deployer", "--password-env", "DEPLOY_PW") == 2
    assert f"(tensorflow-lite-{V}.aar differs)" in capsys.readouterr().err
    assert server.paths("PUT") == []
    aar.write_bytes(aar_bytes)  # the right bytes, still without checksum files: completed, the AAR not re-sent
    assert deploy(server, out, "--username", "deployer", "--password-env", "DEPLOY_PW") == 0
    assert f"completed: io.tfliteslim:tensorflow-lite:{V}" in capsys.readouterr().out
    assert f"/maven/io/tfliteslim/tensorflow-lite/{V}/tensorflow-lite-{V}.aar" not in server.paths("PUT")
    assert server.files()[f"io/tfliteslim/tensorflow-lite/{V}/tensorflow-lite-{V}.aar.sha1"] == (
        hashlib.sha1(aar_bytes).hexdigest().encode()
    )


# A flex publication is 40 PUTs: per artifact 3 files and 12 checksum files, then metadata and 4 checksums.
@pytest.mark.parametrize("failing_put", [1, 2, 5, 6, 15, 16, 17, 20, 21, 36, 40])
def test_deploy_broken_off_at_any_put_is_completed_by_a_rerun(
    server: RepoServer, out: Path, tmp_path: Path, capsys, failing_put: int
) -> None:
    args = ("--username", "deployer", "--password-env", "DEPLOY_PW", "--retries", "0")
    server.fail_puts_from = failing_put
    assert deploy(server, out, *args) == 2
    assert "the upload is incomplete, deploy again" in capsys.readouterr().err
    server.fail_puts_from = None
    assert deploy(server, out, *args) == 0  # the immutable server would answer 400 to any file sent twice
    assert [s for m, _, s in server.requests if m == "PUT"].count(400) == 0
    with RepoServer(tmp_path / "reference") as reference:
        assert deploy(reference, out, *args) == 0
        expected = reference.files()
    files = server.files()
    assert sorted(files) == sorted(expected)
    for name, data in files.items():
        if "maven-metadata.xml" not in name:
            assert data == expected[name], name
    for artifact in ("tensorflow-lite", "tensorflow-lite-select-tf-ops"):
        meta = files[f"io/tfliteslim/{artifact}/maven-metadata.xml"]
        assert repometa.parse(meta, Coordinates("io.tfliteslim", artifact, V)).versions == (V,)
        for algo in ("md5", "sha1", "sha256", "sha512"):
            digest = hashlib.new(algo, meta).hexdigest().encode()
            assert files[f"io/tfliteslim/{artifact}/maven-metadata.xml.{algo}"] == digest


@pytest.mark.parametrize("read", ["maven-metadata.xml", "checksum"])
def test_a_trickling_server_cannot_hold_a_deploy(server: RepoServer, out: Path, capsys, monkeypatch,
                                                 read: str) -> None:
    """Issue 29 #3: deploy's reads of checksums and maven-metadata.xml had no overall deadline at all."""
    import time

    from tflite_slim import http

    assert deploy(server, out, "--username", "deployer", "--password-env", "DEPLOY_PW") == 0
    capsys.readouterr()
    if read == "checksum":  # no metadata (404, sent at once): the checksum files are the first reads
        for meta in server.root.rglob("maven-metadata.xml*"):
            meta.unlink()
    monkeypatch.setattr(http, "DEFAULT_DEADLINE", 0.5, raising=False)
    server.trickle = 0.1  # a checksum file takes about 6 s, each byte well inside the read timeout
    started = time.monotonic()
    assert deploy(server, out, "--username", "deployer", "--password-env", "DEPLOY_PW") == 2
    assert time.monotonic() - started < 3
    err = capsys.readouterr().err
    first = "maven-metadata.xml" if read != "checksum" else f"{V}/tensorflow-lite-{V}.aar.sha256"
    assert err.startswith(f"error: GET {server.url}/io/tfliteslim/tensorflow-lite/{first} ")
    assert err.endswith(" did not finish within 0.5 s (overall limit; check the server and the network)\n")
    assert err.count("\n") == 1


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirected_put_is_an_error_and_never_followed(server: RepoServer, out: Path, tmp_path: Path, capsys,
                                                       status: int) -> None:
    with RepoServer(tmp_path / "elsewhere", credentials=None) as elsewhere:
        server.redirect, server.redirect_method = (status, f"{elsewhere.url}/moved"), "PUT"
        assert deploy(server, out, "--username", "deployer", "--password-env", "DEPLOY_PW") == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: PUT {server.url}/io/tfliteslim/tensorflow-lite/{V}/tensorflow-lite-{V}.aar "
                              f"answered {status} ")
        assert f"redirecting to {elsewhere.url}/moved; deploy follows no redirects" in err and err.count("\n") == 1
        assert elsewhere.requests == []  # neither the body nor the credentials went there
    assert server.files() == {} and server.paths("PUT") == [server.paths("PUT")[0]]


@pytest.mark.parametrize("method, first", [("GET", "maven-metadata.xml"), ("HEAD", f"tensorflow-lite-{V}.aar")])
@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirected_lookups_are_errors_not_absent(server: RepoServer, out: Path, tmp_path: Path, capsys,
                                                  method: str, first: str, status: int) -> None:
    """Followed, the lookup would end at a 404 on another host and count as "not there yet"."""
    with RepoServer(tmp_path / "elsewhere", credentials=None) as elsewhere:
        server.redirect, server.redirect_method = (status, f"{elsewhere.url}/nothing-here"), method
        assert deploy(server, out, "--username", "deployer", "--password-env", "DEPLOY_PW") == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {method} {server.url}/") and f"/{first} answered {status}" in err
        assert elsewhere.requests == []
    assert server.paths("PUT") == [] and server.files() == {}


def test_redirect_location_is_redacted_and_resolved(server: RepoServer, out: Path, capsys) -> None:
    server.redirect, server.redirect_method = (302, "http://someone:pa55word@evil.example/x"), "GET"
    assert deploy(server, out, "--username", "deployer", "--password-env", "DEPLOY_PW") == 2
    err = capsys.readouterr().err
    assert "redirecting to http://***@evil.example/x;" in err and "pa55word" not in err
    server.redirect = (301, "/other/maven-metadata.xml")
    assert deploy(server, out, "--username", "deployer", "--password-env", "DEPLOY_PW") == 2
    assert f"redirecting to {server.url.rsplit('/maven', 1)[0]}/other/maven-metadata.xml;" in capsys.readouterr().err


def test_metadata_is_merged_with_existing_versions(server: RepoServer, tmp_path: Path) -> None:
    runtime_only = make_build_out(tmp_path / "rt", BASIC)
    for version in ("1.0", "2.0"):
        assert main(["deploy", str(runtime_only), "--url", server.url, "--version", version,
                     "--username", "deployer", "--password-env", "DEPLOY_PW"]) == 0
    meta = server.files()["io/tfliteslim/tensorflow-lite/maven-metadata.xml"]
    parsed = repometa.parse(meta, Coordinates("io.tfliteslim", "tensorflow-lite", "x"))
    assert (parsed.versions, parsed.latest, parsed.release) == (("1.0", "2.0"), "2.0", "2.0")


def test_credentials_from_netrc(server: RepoServer, out: Path, isolated_home: Path) -> None:
    netrc = isolated_home / ".netrc"
    netrc.write_text(f"machine 127.0.0.1 login deployer password {PASSWORD}\n")
    netrc.chmod(0o600)
    assert deploy(server, out) == 0


def test_no_netrc_leaves_the_netrc_entry_unsent(server: RepoServer, out: Path, isolated_home: Path) -> None:
    """--no-netrc (what the Gradle plugin passes): the build's own credentials, none here, and nothing else."""
    netrc = isolated_home / ".netrc"
    netrc.write_text(f"machine 127.0.0.1 login deployer password {PASSWORD}\n")
    netrc.chmod(0o600)
    assert deploy(server, out, "--no-netrc") == 2
    assert set(server.authorizations) == {None}


def test_credentials_from_settings_server(server: RepoServer, out: Path, isolated_home: Path) -> None:
    (isolated_home / ".m2").mkdir()
    (isolated_home / ".m2" / "settings.xml").write_text(
        "<settings><servers><server><id>team</id><username>deployer</username>"
        "<password>${env.DEPLOY_PW}</password></server></servers></settings>"
    )
    assert deploy(server, out, "--server-id", "team") == 0


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--username", "u"], "--username needs --password-env VAR"),
        (["--password-env", "DEPLOY_PW"], "--password-env needs --username"),
        (["--username", "u", "--password-env", "NOPE_NOT_SET"], "environment variable NOPE_NOT_SET is not set"),
        (["--username", "u", "--password-env", "DEPLOY_PW", "--server-id", "x"], "not both"),
        (["--retries", "-1"], "--retries must be 0 or more"),
    ],
)
def test_usage_errors(server: RepoServer, out: Path, capsys, extra: list, message: str) -> None:
    assert deploy(server, out, *extra) == 2
    assert message in capsys.readouterr().err
    assert server.requests == []


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://repo.example/maven", "is not an http(s) URL"),
        ("https://user:pw@repo.example/maven", "https://***@repo.example/maven carries credentials"),
        ("https://repo.example/maven?x=1", "has a query or fragment"),
        ("repo.example/maven", "is not an http(s) URL"),
        # These made urlsplit raise: a traceback instead of one error line.
        ("http://user:pw@[::1/maven", "--url http://***@[::1/maven is not a valid URL (Invalid IPv6 URL)"),
        ("https://user:pw@repo.example:99999999/maven", "https://***@repo.example:99999999/maven is not a valid URL"),
        ("https://repo.example:abc/maven", "--url https://repo.example:abc/maven is not a valid URL"),
    ],
)
def test_check_url(url: str, message: str) -> None:
    with pytest.raises(UsageError) as e:
        remote.check_url(url)
    assert message in str(e.value) and "pw@" not in str(e.value)


def test_check_url_strips_trailing_slash() -> None:
    assert remote.check_url("https://repo.example/maven/") == "https://repo.example/maven"


def test_snapshot_versions_are_refused(server: RepoServer, out: Path, capsys) -> None:
    assert main(["deploy", str(out), "--url", server.url, "--version", "1.0-SNAPSHOT"]) == 2
    assert "-SNAPSHOT versions is not supported" in capsys.readouterr().err


def test_deploy_single_aar(server: RepoServer, tmp_path: Path) -> None:
    from fake_build import make_aar

    aar = make_aar(tmp_path / "x.aar", "p", ["x86_64"])
    assert main(["deploy", "--aar", str(aar), "--group-id", "com.example", "--artifact-id", "x", "--version", "3",
                 "--url", server.url + "/", "--username", "deployer", "--password-env", "DEPLOY_PW", "--no-ops"]) == 0
    files = server.files()
    assert files["com/example/x/3/x-3.aar"] == aar.read_bytes()
    assert sorted(n for n in files if n.startswith("com/example/x/3/")) == sorted(
        f"com/example/x/3/x-3.{ext}{s}" for ext in ("aar", "pom") for s in ("", ".md5", ".sha1", ".sha256", ".sha512")
    )


def test_deploy_aar_of_a_mixed_build_publishes_the_desktop_library_as_a_classifier_jar(
        server: RepoServer, tmp_path: Path) -> None:
    """Issue 29 #15: as deploy OUT does, never the desktop library inside the main AAR."""
    import zipfile

    from fake_build import make_build_out

    out = make_build_out(tmp_path / "mixed", BASIC, abis=("arm64-v8a", "linux-x86_64"))
    assert main(["deploy", "--aar", str(out / "tensorflow-lite.aar"), "--ops", str(out / "ops.json"),
                 "--group-id", "com.example", "--artifact-id", "x", "--version", "3", "--url", server.url,
                 "--username", "deployer", "--password-env", "DEPLOY_PW"]) == 0
    files = server.files()
    with zipfile.ZipFile(out / "tensorflow-lite.aar") as z:
        library = z.read("jni/linux-x86_64/libtensorflowlite_jni.so")
    with zipfile.ZipFile(io.BytesIO(files["com/example/x/3/x-3.aar"])) as z:
        assert not [n for n in z.namelist() if "linux" in n]
    with zipfile.ZipFile(io.BytesIO(files["com/example/x/3/x-3-linux-x86_64.jar"])) as z:
        assert z.read("jni/linux-x86_64/libtensorflowlite_jni.so") == library
    assert hashlib.sha256(files["com/example/x/3/x-3-linux-x86_64.jar"]).hexdigest().encode() == \
        files["com/example/x/3/x-3-linux-x86_64.jar.sha256"]


def test_unreachable_server_is_one_line(tmp_path: Path, out: Path, capsys) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/maven"
    assert main(["deploy", str(out), "--url", url, "--retries", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: GET {url}/io/tfliteslim/tensorflow-lite/maven-metadata.xml") and err.count("\n") == 1


@pytest.mark.parametrize(
    "url, creds, allow, outcome",
    [
        ("https://repo.example/maven", "netrc", False, None),
        ("http://127.0.0.1:8081/maven", "netrc", False, None),
        ("http://127.1.2.3/maven", "netrc", False, None),
        ("http://localhost:8081/maven", "netrc", False, None),
        ("http://LOCALHOST./maven", "netrc", False, None),
        ("http://[::1]:8081/maven", "netrc", False, None),
        ("http://[::ffff:127.0.0.1]/maven", "netrc", False, None),
        ("http://repo.example/maven", "netrc", True, None),
        ("http://repo.example/maven", "netrc", False, "refused"),
        ("http://10.0.0.5/maven", "netrc", False, "refused"),
        ("http://[fd00::2]/maven", "netrc", False, "refused"),
        ("http://localhost.evil.example/maven", "netrc", False, "refused"),
        ("http://128.0.0.1/maven", "netrc", False, "refused"),
        ("http://repo.example/maven", None, False, "warning"),
        ("http://repo.example/maven", None, True, None),
    ],
)
def test_check_transport(url: str, creds, allow: bool, outcome) -> None:
    if outcome == "refused":
        with pytest.raises(UsageError) as e:
            remote.check_transport(url, creds, allow)
        assert str(e.value).startswith(f"--url {url} is plain http: the credentials from netrc would cross")
        assert "--allow-insecure-http" in str(e.value)
    elif outcome == "warning":
        assert remote.check_transport(url, creds, allow).startswith(f"--url {url} is plain http")
    else:
        assert remote.check_transport(url, creds, allow) is None


def _non_loopback_address() -> str:
    """An address of this machine that is not loopback (a UDP connect sends nothing), or skip."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the outgoing interface
            address = s.getsockname()[0]
        except OSError:
            address = ""
    if not address or address.startswith("127.") or address == "0.0.0.0":
        pytest.skip("this machine has no non-loopback IPv4 address to serve plain http on")
    return address


def test_credentials_over_plain_http_to_another_machine(tmp_path: Path, out: Path, capsys) -> None:
    with RepoServer(tmp_path / "served", host=_non_loopback_address()) as server:
        args = ("--username", "deployer", "--password-env", "DEPLOY_PW")
        assert deploy(server, out, *args) == 2
        err = capsys.readouterr().err
        assert err == (
            f"error: --url {server.url} is plain http: the credentials from --username and $DEPLOY_PW would cross "
            "the network readable by anyone on the way, so nothing was sent. Use https, or add "
            "--allow-insecure-http if this network is trusted\n"
        )
        assert server.requests == []
        assert deploy(server, out, *args, "--allow-insecure-http") == 0
        assert capsys.readouterr().err == ""


def test_plain_http_without_credentials_warns(tmp_path: Path, out: Path, capsys) -> None:
    with RepoServer(tmp_path / "served", credentials=None, host=_non_loopback_address()) as server:
        assert deploy(server, out) == 0
        err = capsys.readouterr().err
        assert err == (f"warning: --url {server.url} is plain http: the upload can be read and altered on the way; "
                       "use https (or --allow-insecure-http to accept it)\n")
        assert server.authorizations and set(server.authorizations) == {None}


def test_loopback_http_with_credentials_is_quiet(server: RepoServer, out: Path, capsys) -> None:
    assert deploy(server, out, "--username", "deployer", "--password-env", "DEPLOY_PW") == 0
    assert capsys.readouterr().err == ""


def test_huge_or_garbage_checksum_file_is_refused_not_read_whole(server: RepoServer, out: Path, capsys) -> None:
    sums = server.root / f"io/tfliteslim/tensorflow-lite/{V}/tensorflow-lite-{V}.pom.md5"
    sums.parent.mkdir(parents=True)
    sums.write_bytes(b"0" * (8 << 20))
    assert deploy(server, out, "--username", "deployer", "--password-env", "DEPLOY_PW") == 2
    assert f"(tensorflow-lite-{V}.pom.md5 differs)" in capsys.readouterr().err
    assert server.paths("PUT") == []


def test_only_credentials_we_resolved_are_sent(server: RepoServer, out: Path, isolated_home: Path, capsys) -> None:
    """requests would read ~/_netrc by itself; those credentials would bypass the plain-http check and messages."""
    netrc = isolated_home / "_netrc"
    netrc.write_text(f"machine 127.0.0.1 login deployer password {PASSWORD}\n")
    netrc.chmod(0o600)
    assert deploy(server, out) == 2
    assert "the repository needs credentials" in capsys.readouterr().err
    assert server.authorizations and set(server.authorizations) == {None}


def test_huge_metadata_is_refused_not_read_whole(server: RepoServer, out: Path, capsys) -> None:
    """A server answering an endless (here: just too big, but well-formed) maven-metadata.xml."""
    versions = b"".join(b"<version>%d</version>" % i for i in range(repometa.MAX_BYTES // 20))
    server.serve("io/tfliteslim/tensorflow-lite/maven-metadata.xml",
                 b"<metadata><groupId>io.tfliteslim</groupId><artifactId>tensorflow-lite</artifactId><versioning>"
                 b"<versions>" + versions + b"</versions></versioning></metadata>")
    assert deploy(server, out, "--username", "deployer", "--password-env", "DEPLOY_PW") == 2
    err = capsys.readouterr().err  # (the server thread may also report the connection we dropped)
    assert (f"error: {server.url}/io/tfliteslim/tensorflow-lite/maven-metadata.xml: larger than 16 MiB, "
            "no real metadata file is; fix the repository's metadata before deploying\n") in err
    assert server.paths("PUT") == []


def test_uploads_the_bytes_it_hashed_when_out_changes_meanwhile(
    server: RepoServer, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A concurrent build replacing OUT between planning and upload must not put its AAR beside our checksums."""
    real_plan = remote._plan
    hashed = (out / "tensorflow-lite.aar").read_bytes()

    def plan_then_swap(*args, **kwargs):
        done = real_plan(*args, **kwargs)
        (out / "tensorflow-lite.aar").write_bytes(b"another build's AAR")
        return done

    monkeypatch.setattr(remote, "_plan", plan_then_swap)
    assert deploy(server, out, "--username", "deployer", "--password-env", "DEPLOY_PW") == 0
    base = f"io/tfliteslim/tensorflow-lite/{V}/tensorflow-lite-{V}.aar"
    files = server.files()
    assert files[base] == hashed
    assert files[base + ".sha1"] == hashlib.sha1(hashed).hexdigest().encode()


def test_endless_remote_file_without_checksums_is_not_read_to_the_end(out: Path, capsys) -> None:
    """A present file without checksum files and without Content-Length: read one byte past ours, no more."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    sent = {"bytes": 0}
    ours = (out / "tensorflow-lite.aar").stat().st_size

    class Endless(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            if self.path.endswith(".aar"):
                self.send_response(200)
                self.end_headers()  # no Content-Length: the size cannot be compared up front
            else:
                self.send_error(404)

        def do_GET(self) -> None:
            if not self.path.endswith(".aar"):
                self.send_error(404)
                return
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(256):  # 64 MiB, were it read to the end
                    self.wfile.write(bytes(256 << 10))
                    sent["bytes"] += 256 << 10
            except OSError:
                pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/maven"
        assert main(["deploy", str(out), "--url", url, "--version", V]) == 2
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert f"(tensorflow-lite-{V}.aar differs)" in capsys.readouterr().err
    # What the socket buffers hold beyond the byte we stopped at, not the 64 MiB.
    assert sent["bytes"] < ours + (16 << 20)


def test_deploy_aar_without_its_record_is_refused_before_any_request(server: RepoServer, tmp_path: Path,
                                                                      out: Path, capsys) -> None:
    """tfliteVerify reads the -ops.json: an AAR without one would read as "not deployed" and could never get one."""
    from fake_build import make_aar

    aar = make_aar(tmp_path / "x.aar", "org.tensorflow.lite", ["x86_64"])
    base = ["deploy", "--aar", str(aar), "--group-id", "com.example", "--artifact-id", "x", "--version", "4",
            "--url", server.url, "--username", "deployer", "--password-env", "DEPLOY_PW"]
    assert main(base) == 2
    assert capsys.readouterr().err.startswith("error: --aar needs --ops OPS_JSON (the build's ops.json)")
    assert server.requests == []
    assert main([*base, "--ops", str(out / "ops.json")]) == 0
    assert "com/example/x/4/x-4-ops.json" in server.files()
