"""Deploy a publication to a remote Maven repository over HTTP, the way ``mvn deploy`` does.

For each artifact: compare with what the repository already holds (release
versions are immutable: any file with other bytes refuses the deploy before
anything is uploaded), PUT every missing file followed by its ``.md5 .sha1
.sha256 .sha512``, then read-merge-write the artifact's ``maven-metadata.xml``
and its checksums. A deploy that failed half-way is finished by running it
again. Redirects are never followed, and credentials never go over plain
http to another machine (:func:`check_transport`). All HTTP goes through
:class:`tflite_slim.http.HttpClient` (retries on 5xx, timeouts, TLS on);
URLs in messages are redacted and credentials are never printed.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import urllib.parse
from dataclasses import dataclass
from typing import Callable, Optional

import requests

from tflite_slim.maven import repometa
from tflite_slim.maven.checksums import ALGORITHMS, MAX_CHECKSUM_FILE, checksum_files, checksum_in
from tflite_slim.maven.coordinates import Coordinates
from tflite_slim.errors import MavenError, NotDeployed, UsageError
from tflite_slim.http import DeadlineExceeded, HttpClient, redact_url
from tflite_slim.maven.publication import Artifact, Publication

log = logging.getLogger(__name__)

#: The most a deployed ops.json may hold: a record of every op TFLite has is a few hundred KiB.
MAX_OPS_JSON = 8 << 20

#: What an HTTP repository answers to a successful PUT (WebDAV, Nexus, Artifactory, S3 proxies).
_PUT_OK = (200, 201, 204)


@dataclass(frozen=True)
class Target:
    """A remote repository: its base URL, and where its credentials came from (for messages only)."""

    url: str
    credentials_source: Optional[str] = None

    def file_url(self, path: str) -> str:
        return f"{self.url}/{urllib.parse.quote(path)}"


def check_url(url: str) -> str:
    """The base URL without a trailing slash; refuse other schemes and credentials in the URL."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 -- parsed lazily; a bad port raises here, not in the middle of a request
    except ValueError as e:
        raise UsageError(f"--url {redact_url(url)} is not a valid URL ({e}); give the repository's base URL") from e
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--url {redact_url(url)!r} is not an http(s) URL of a Maven repository")
    if parts.username or parts.password:
        raise UsageError(
            f"--url {redact_url(url)} carries credentials; remove them and use --username with --password-env, "
            "a settings.xml <server> (--server-id) or ~/.netrc"
        )
    if parts.query or parts.fragment:
        raise UsageError(f"--url {redact_url(url)} has a query or fragment; give the repository's base URL")
    return url.rstrip("/")


def check_transport(
    url: str, credentials_source: Optional[str], allow_insecure: bool, what: str = "the upload"
) -> Optional[str]:
    """Refuse credentials over plain ``http://``; return a warning for plain http without them.

    Like Gradle's ``allowInsecureProtocol``: plain http to another machine is
    refused when credentials would go along (anyone on the path reads them),
    unless the user says the network is trusted. Loopback never leaves the
    machine, so it is fine (local test repositories). Without credentials we
    only warn: what goes up is the user's own build, but it can be altered on
    the way. Runs before any request is made.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or allow_insecure or is_loopback(parts.hostname or ""):
        return None
    if credentials_source is not None:
        raise UsageError(
            f"--url {redact_url(url)} is plain http: the credentials from {credentials_source} would cross the "
            "network readable by anyone on the way, so nothing was sent. Use https, or add --allow-insecure-http "
            "if this network is trusted"
        )
    return (
        f"--url {redact_url(url)} is plain http: {what} can be read and altered on the way; "
        "use https (or --allow-insecure-http to accept it)"
    )


def is_loopback(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1`` (also IPv4-mapped): traffic that never leaves the machine."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


@dataclass(frozen=True)
class _Upload:
    """One file to PUT: its repository path and its bytes.

    The bytes are the ones that were hashed while planning, never read again by
    path: a concurrent build replacing ``OUT`` in between would otherwise put
    another build's AAR beside this one's checksums and ``-ops.json``.
    """

    path: str
    body: bytes = b""


@dataclass(frozen=True)
class _Plan:
    """What one artifact still needs: the files that are absent (everything present has our bytes)."""

    coordinates: Coordinates
    uploads: tuple[_Upload, ...]
    present: int


def deploy(
    publication: Publication,
    target: Target,
    client: HttpClient,
    *,
    now: Optional[float] = None,
    progress: Callable[[str], None] = lambda line: None,
) -> list[str]:
    """Upload what is missing of every artifact of ``publication``; returns the repository paths written, in order.

    A release version is immutable, so every file already there must have our
    bytes (compared by the repository's checksum files, or by the bytes when it
    has none); then the missing files are uploaded. That finishes a deploy that
    failed half-way, and makes deploying the same build twice a no-op. One file
    with other bytes refuses the whole publication before anything is uploaded.
    """
    for artifact in publication.artifacts:
        if artifact.coordinates.is_snapshot:
            raise UsageError(
                f"{artifact.coordinates}: deploying -SNAPSHOT versions is not supported; use a release version"
            )
    # Look at everything first: different bytes must not leave half a publication behind.
    plans = [_plan(artifact, target, client) for artifact in publication.artifacts]
    written: list[str] = []
    for plan in plans:
        for upload in plan.uploads:
            body = upload.body  # whole body in memory: a retried PUT must resend it from the start
            _put(target, client, upload.path, body)
            written.append(upload.path)
            log.info("uploaded %s (%d bytes)", upload.path, len(body))
        metadata = _update_metadata(plan.coordinates, target, client, now)
        written += metadata
        if not plan.uploads and not metadata:
            status = "unchanged"
        elif plan.present:
            status = "completed"
        else:
            status = "deployed"
        progress(f"{status}: {plan.coordinates} to {redact_url(target.url)}")
    return written


def _plan(artifact: Artifact, target: Target, client: HttpClient) -> _Plan:
    """Compare ``artifact`` with what the repository holds; refuse any file with other bytes."""
    c = artifact.coordinates
    _get_metadata(c, target, client)  # a broken metadata file or refused credentials stop us before any upload
    uploads: list[_Upload] = []
    present = 0
    for spec in artifact.files:
        data = spec.read_bytes()  # read once: what is hashed here is what gets uploaded
        ours = _digests(data)
        path = f"{c.version_path}/{spec.name}"
        state, known = _file_state(path, ours, len(data), target, client)
        if state == "absent":
            uploads.append(_Upload(path, body=data))
        else:
            present += 1
            if state != "same":
                _refuse(c, target, spec.name, state)
        for ext, _ in ALGORITHMS:
            sum_path = f"{path}.{ext}"
            remote = known[ext] if ext in known else _get_checksum(sum_path, target, client)
            if remote is None:
                uploads.append(_Upload(sum_path, body=ours[ext].encode("ascii")))
            elif remote != ours[ext]:
                _refuse(c, target, f"{spec.name}.{ext}", "differs")
            else:
                present += 1
    return _Plan(c, tuple(uploads), present)


def fetch(
    c: Coordinates, extension: str, classifier: Optional[str], target: Target, client: HttpClient, *, limit: int
) -> bytes:
    """The bytes of one deployed file of ``c``, read from ``target`` and nowhere else.

    The rules of :func:`deploy`: redirects are errors (never followed, the
    credentials stay with their URL), refused credentials name their source.
    404/410 is :class:`NotDeployed`; a body over ``limit`` bytes is refused
    after reading little more than ``limit`` bytes of it, and the whole read
    has a deadline.
    """
    url = target.file_url(c.file_path(extension, classifier))
    # The whole request within the time a compare of that size gets: a trickling server cannot hold us.
    response = client.get(url, stream=True, allow_redirects=False, deadline=_hash_deadline(limit))
    try:
        _check_answer(response, "GET", url, target)
        if response.status_code in (404, 410):
            # What the repository said comes first, up to "; ": the Gradle plugin quotes that part.
            raise NotDeployed(
                f"GET {redact_url(url)} answered {_status(response)}; {c} is not deployed to "
                f"{redact_url(target.url)}: deploy it there (tflite-slim deploy), or check the version"
            )
        if response.status_code != 200:
            raise MavenError(f"GET {redact_url(url)} answered {_status(response)}; check --url and the server")
        data = bytearray()
        for block in HttpClient.iter_raw(response, chunk_size=64 << 10, decode_content=True):
            data += block
            if len(data) > limit:
                raise MavenError(
                    f"GET {redact_url(url)}: larger than {limit >> 20} MiB, which no {extension} file we deploy "
                    "is; check --url and what the repository holds at that path"
                )
    finally:
        response.close()
    return bytes(data)


def _refuse(c: Coordinates, target: Target, name: str, state: str) -> None:
    raise MavenError(
        f"{c} is already in {redact_url(target.url)} with different content ({name} {state}); release versions "
        "are immutable, so nothing was uploaded. Deploy a new version instead"
    )


def _file_state(
    path: str, ours: dict[str, str], size: int, target: Target, client: HttpClient
) -> tuple[str, dict[str, Optional[str]]]:
    """``absent``, ``same``, or why the repository's file is not ours (``differs``, ``has N bytes``).

    Also the repository's checksum files it read on the way (extension -> digest or None), so
    the caller, which looks at all four, does not fetch them again.
    """
    known: dict[str, Optional[str]] = {}
    url = target.file_url(path)
    response = client.head(url, allow_redirects=False)
    _check_answer(response, "HEAD", url, target)
    if response.status_code in (404, 410):
        return "absent", known
    if response.status_code != 200:
        raise MavenError(
            f"HEAD {redact_url(url)} answered {_status(response)}, so it is unknown whether it is there; "
            "check --url and the server"
        )
    length = response.headers.get("Content-Length")
    if length is not None and length.isdigit() and int(length) != size:
        return f"has {length} bytes, not {size}", known
    # The repository's own checksums first (cheap); the bytes only when it keeps none.
    for ext in ("sha256", "sha1"):
        remote = known[ext] = _get_checksum(f"{path}.{ext}", target, client)
        if remote is not None:
            return ("same" if remote == ours[ext] else "differs"), known
    return ("same" if _remote_sha256(url, size, target, client) == ours["sha256"] else "differs"), known


def _get_checksum(path: str, target: Target, client: HttpClient) -> Optional[str]:
    """The digest a repository checksum file states, ``None`` when there is none; garbage never equals ours."""
    url = target.file_url(path)
    response = client.get(url, stream=True, allow_redirects=False)
    try:
        _check_answer(response, "GET", url, target)
        if response.status_code in (404, 410):
            return None
        if response.status_code != 200:
            raise MavenError(f"GET {redact_url(url)} answered {_status(response)}; check --url and the server")
        head = b""
        for block in client.iter_body(response, chunk_size=MAX_CHECKSUM_FILE + 1):
            head += block
            if len(head) > MAX_CHECKSUM_FILE:
                break  # no checksum file is that long; never read a huge one whole
    finally:
        response.close()
    return checksum_in(head)


def _remote_sha256(url: str, size: int, target: Target, client: HttpClient) -> Optional[str]:
    """sha256 of the file at ``url``, streamed; None once it proves longer than ``size`` (ours) bytes.

    Only reached when the server sent no usable ``Content-Length``: a body that
    never ends, or trickles, must not hold the deploy, so reading stops one
    byte past our size, and the whole read has :func:`_hash_deadline`.
    """
    try:
        response = client.get(url, stream=True, allow_redirects=False, deadline=_hash_deadline(size))
    except DeadlineExceeded as e:
        raise _too_slow_to_compare(e) from e
    try:
        _check_answer(response, "GET", url, target)
        if response.status_code != 200:
            raise MavenError(f"GET {redact_url(url)} answered {_status(response)}; check --url and the server")
        h, seen = hashlib.sha256(), 0
        try:
            for block in HttpClient.iter_raw(response, decode_content=True):
                seen += len(block)
                if seen > size:
                    return None  # longer than ours: not our bytes, whatever follows
                h.update(block)
        except DeadlineExceeded as e:
            raise _too_slow_to_compare(e) from e
        return h.hexdigest()
    finally:
        response.close()


def _too_slow_to_compare(e: DeadlineExceeded) -> MavenError:
    return MavenError(f"{e}; the repository keeps no checksum files for it and sends it too slowly to compare, "
                      "so nothing was uploaded")


#: Bytes per second a repository must at least send a file (without checksum files) that deploy compares.
_MIN_COMPARE_RATE = 64 * 1024
_MIN_COMPARE_SECONDS = 300.0


def _hash_deadline(size: int) -> float:
    """How long comparing a remote file of (at most) ``size`` bytes may take in all."""
    return _MIN_COMPARE_SECONDS + size / _MIN_COMPARE_RATE


def _digests(data: bytes) -> dict[str, str]:
    return {ext: hashlib.new(algo, data).hexdigest() for ext, algo in ALGORITHMS}


def _get_metadata(c: Coordinates, target: Target, client: HttpClient) -> Optional[tuple[bytes, repometa.Metadata]]:
    url = target.file_url(f"{c.artifact_path}/{repometa.REMOTE_NAME}")
    response = client.get(url, stream=True, allow_redirects=False)
    try:
        _check_answer(response, "GET", url, target)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise MavenError(f"GET {redact_url(url)} answered {_status(response)}; check --url and the server")
        data = b""
        for block in client.iter_body(response):
            data += block
            if len(data) > repometa.MAX_BYTES:  # a broken or hostile server: never hold an endless body
                raise MavenError(
                    f"{redact_url(url)}: larger than {repometa.MAX_BYTES >> 20} MiB, no real metadata file is; "
                    "fix the repository's metadata before deploying"
                )
    finally:
        response.close()
    try:
        return data, repometa.parse(data, c)
    except repometa.MetadataError as e:
        raise MavenError(f"{redact_url(url)}: {e}; fix the repository's metadata before deploying") from e


def _update_metadata(c: Coordinates, target: Target, client: HttpClient, now: Optional[float]) -> list[str]:
    """Read the current metadata again (someone may have deployed meanwhile), merge, write with checksums.

    When it already lists the version (a rerun after the metadata went up but
    some of its checksum files did not), only wrong or missing checksum files
    are written: metadata is mutable, and rewriting it would move lastUpdated.
    """
    path = f"{c.artifact_path}/{repometa.REMOTE_NAME}"
    current = _get_metadata(c, target, client)
    if current is not None and c.version in current[1].versions:
        data = current[0]
        files = [(name, body) for name, body in checksum_files(path, data)
                 if _get_checksum(name, target, client) != body.decode("ascii")]
    else:
        meta = current[1] if current is not None else repometa.Metadata(c.group, c.artifact)
        data = repometa.render(repometa.add_version(meta, c.version, repometa.timestamp(now)))
        files = [(path, data)] + checksum_files(path, data)
    for name, body in files:
        _put(target, client, name, body)
    return [name for name, _ in files]


def _put(target: Target, client: HttpClient, path: str, body: bytes) -> None:
    url = target.file_url(path)
    response = client.put(url, body, headers={"Content-Type": "application/octet-stream"})
    _check_answer(response, "PUT", url, target)
    if response.status_code not in _PUT_OK:
        raise MavenError(
            f"PUT {redact_url(url)} answered {_status(response)}"
            + (" after retries" if response.status_code >= 500 else "")
            + "; the upload is incomplete, deploy again once the server accepts it"
        )


def _check_answer(response: requests.Response, method: str, url: str, target: Target) -> None:
    """Refused credentials and redirects are errors for every request deploy makes.

    A redirect is never followed: a PUT would be re-sent empty or turned into a
    GET whose 200 looks like success, and a GET or HEAD that ends somewhere else
    (a login page, a 404 on another host) would misreport what the repository
    holds. The credentials stay with the URL they were given for.
    """
    if 300 <= response.status_code < 400:
        location = response.headers.get("Location")
        where = redact_url(urllib.parse.urljoin(url, location)) if location else "no Location given"
        raise MavenError(
            f"{method} {redact_url(url)} answered {_status(response)}, redirecting to {where}; deploy follows no "
            "redirects (nothing was sent there). If that is the repository, give its URL as --url"
        )
    _check_auth(response, method, url, target)


def _check_auth(response: requests.Response, method: str, url: str, target: Target) -> None:
    if response.status_code not in (401, 403):
        return
    if target.credentials_source is None:
        advice = (
            "the repository needs credentials: give --username with --password-env VAR, "
            "--server-id ID (a <server> in ~/.m2/settings.xml) or a ~/.netrc entry for "
            f"{urllib.parse.urlsplit(url).hostname}"
        )
    else:
        advice = f"the credentials from {target.credentials_source} were refused; check them and their permissions"
    raise MavenError(f"{method} {redact_url(url)} answered {_status(response)}: {advice}")


def _status(response: requests.Response) -> str:
    return f"{response.status_code} {response.reason or ''}".strip()
