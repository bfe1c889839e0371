"""Deploy a publication to a remote Maven repository over HTTP, the way ``mvn deploy`` does.

For each artifact: check the version is not there yet (release versions are
immutable, so we refuse before uploading anything), PUT every file followed by
its ``.md5 .sha1 .sha256 .sha512``, then read-merge-write the artifact's
``maven-metadata.xml`` and its checksums. All HTTP goes through
:class:`tflite_slim.http.HttpClient` (retries on 5xx, timeouts, TLS on);
URLs in messages are redacted and credentials are never printed.
"""

from __future__ import annotations

import logging
import urllib.parse
from dataclasses import dataclass
from typing import Callable, Optional

import requests

from tflite_slim import repometa
from tflite_slim.checksums import checksum_files
from tflite_slim.coordinates import Coordinates
from tflite_slim.errors import MavenError, UsageError
from tflite_slim.http import HttpClient, redact_url
from tflite_slim.publication import Artifact, Publication

log = logging.getLogger(__name__)

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
    parts = urllib.parse.urlsplit(url)
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


def deploy(
    publication: Publication,
    target: Target,
    client: HttpClient,
    *,
    now: Optional[float] = None,
    progress: Callable[[str], None] = lambda line: None,
) -> list[str]:
    """Upload every artifact of ``publication``; returns the repository paths written, in order."""
    for artifact in publication.artifacts:
        if artifact.coordinates.is_snapshot:
            raise UsageError(
                f"{artifact.coordinates}: deploying -SNAPSHOT versions is not supported; use a release version"
            )
    # Check everything first: a refused version must not leave half a publication behind.
    for artifact in publication.artifacts:
        _refuse_existing(artifact.coordinates, target, client)
    written: list[str] = []
    for artifact in publication.artifacts:
        written += _upload_artifact(artifact, target, client)
        written += _update_metadata(artifact.coordinates, target, client, now)
        progress(f"deployed: {artifact.coordinates} to {redact_url(target.url)}")
    return written


def _refuse_existing(c: Coordinates, target: Target, client: HttpClient) -> None:
    meta = _get_metadata(c, target, client)
    if meta is not None and c.version in meta.versions:
        raise MavenError(
            f"{c} is already in {redact_url(target.url)} (listed in maven-metadata.xml); release versions are "
            "immutable, so nothing was uploaded. Deploy a new version instead"
        )
    url = target.file_url(c.file_path("pom"))
    response = client.head(url)
    _check_auth(response, "HEAD", url, target)
    if response.status_code == 200:
        raise MavenError(
            f"{c} is already in {redact_url(target.url)} ({c.file_name('pom')} exists); release versions are "
            "immutable, so nothing was uploaded. Deploy a new version instead"
        )


def _get_metadata(c: Coordinates, target: Target, client: HttpClient) -> Optional[repometa.Metadata]:
    url = target.file_url(f"{c.artifact_path}/{repometa.REMOTE_NAME}")
    response = client.get(url)
    _check_auth(response, "GET", url, target)
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise MavenError(f"GET {redact_url(url)} answered {_status(response)}; check --url and the server")
    try:
        return repometa.parse(response.content, c)
    except repometa.MetadataError as e:
        raise MavenError(f"{redact_url(url)}: {e}; fix the repository's metadata before deploying") from e


def _upload_artifact(artifact: Artifact, target: Target, client: HttpClient) -> list[str]:
    base = artifact.coordinates.version_path
    written = []
    for spec in artifact.files:
        data = spec.read_bytes()  # whole body in memory: a retried PUT must resend it from the start
        for name, body in [(spec.name, data)] + checksum_files(spec.name, data):
            path = f"{base}/{name}"
            _put(target, client, path, body)
            written.append(path)
            log.info("uploaded %s (%d bytes)", path, len(body))
    return written


def _update_metadata(c: Coordinates, target: Target, client: HttpClient, now: Optional[float]) -> list[str]:
    """Read the current metadata again (someone may have deployed meanwhile), merge, write with checksums."""
    meta = _get_metadata(c, target, client) or repometa.Metadata(c.group, c.artifact)
    data = repometa.render(repometa.add_version(meta, c.version, repometa.timestamp(now)))
    path = f"{c.artifact_path}/{repometa.REMOTE_NAME}"
    written = []
    for name, body in [(path, data)] + checksum_files(path, data):
        _put(target, client, name, body)
        written.append(name)
    return written


def _put(target: Target, client: HttpClient, path: str, body: bytes) -> None:
    url = target.file_url(path)
    response = client.put(url, body, headers={"Content-Type": "application/octet-stream"})
    _check_auth(response, "PUT", url, target)
    if response.status_code not in _PUT_OK:
        raise MavenError(
            f"PUT {redact_url(url)} answered {_status(response)}"
            + (" after retries" if response.status_code >= 500 else "")
            + "; the upload is incomplete, deploy again once the server accepts it"
        )


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
