"""``maven-metadata.xml`` (remote) and ``maven-metadata-local.xml`` (local): read, merge, write.

Pure functions over bytes. We write the 1.1.0 model with its namespace (valid
against ``repository-metadata-1.1.0.xsd``, as Maven 3.9 writes it) and read
both that and the namespace-less files older Maven versions and other tools
write, keeping every version they list.
"""

from __future__ import annotations

import datetime as _dt
import os
import time
from dataclasses import dataclass, replace
from typing import Optional

from lxml import etree

from tflite_slim.maven.coordinates import Coordinates

METADATA_NS = "http://maven.apache.org/METADATA/1.1.0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{METADATA_NS} https://maven.apache.org/xsd/repository-metadata-1.1.0.xsd"
LOCAL_NAME = "maven-metadata-local.xml"
REMOTE_NAME = "maven-metadata.xml"
#: Readers refuse a metadata file larger than this rather than hold it in memory: an artifact with
#: 300,000 versions still fits in 10 MiB, so a bigger one is broken or hostile.
MAX_BYTES = 16 << 20


class MetadataError(ValueError):
    """A metadata file we cannot read; callers turn it into a MavenError naming the file."""


@dataclass(frozen=True)
class Metadata:
    """Artifact-level metadata: which versions a repository holds."""

    group: str
    artifact: str
    versions: tuple[str, ...] = ()
    latest: Optional[str] = None
    release: Optional[str] = None
    last_updated: Optional[str] = None


def timestamp(now: Optional[float] = None) -> str:
    """Maven's ``lastUpdated`` format (``yyyyMMddHHmmss``, UTC).

    ``SOURCE_DATE_EPOCH`` wins when set, so reproducible pipelines get
    reproducible metadata too.
    """
    if now is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        now = float(epoch) if epoch.isdigit() else time.time()
    return _dt.datetime.fromtimestamp(now, tz=_dt.timezone.utc).strftime("%Y%m%d%H%M%S")


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child(parent: etree._Element, name: str) -> Optional[etree._Element]:
    for el in parent:
        if _local(el.tag) == name:
            return el
    return None


def _text(parent: Optional[etree._Element], name: str) -> Optional[str]:
    if parent is None:
        return None
    el = _child(parent, name)
    return el.text.strip() if el is not None and el.text and el.text.strip() else None


def parse(data: bytes, coordinates: Coordinates) -> Metadata:
    """Read artifact metadata; :class:`MetadataError` when it is not metadata for ``coordinates``'s artifact."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        raise MetadataError(f"not well-formed XML: {e}") from e
    if _local(root.tag) != "metadata":
        raise MetadataError(f"root element is <{_local(root.tag)}>, not <metadata>")
    group, artifact = _text(root, "groupId"), _text(root, "artifactId")
    if (group, artifact) != (coordinates.group, coordinates.artifact):
        raise MetadataError(
            f"it describes {group}:{artifact}, not {coordinates.group}:{coordinates.artifact}"
        )
    versioning = _child(root, "versioning")
    versions: list[str] = []
    if versioning is not None:
        listed = _child(versioning, "versions")
        if listed is not None:
            versions = [el.text.strip() for el in listed if _local(el.tag) == "version" and el.text and el.text.strip()]
    return Metadata(
        group=coordinates.group,
        artifact=coordinates.artifact,
        versions=tuple(dict.fromkeys(versions)),
        latest=_text(versioning, "latest"),
        release=_text(versioning, "release"),
        last_updated=_text(versioning, "lastUpdated"),
    )


def add_version(meta: Metadata, version: str, last_updated: str) -> Metadata:
    """``meta`` with ``version`` listed (appended: Maven keeps deploy order) and made latest/release."""
    versions = meta.versions if version in meta.versions else meta.versions + (version,)
    release = meta.release
    if not version.endswith("-SNAPSHOT"):
        release = version
    return replace(meta, versions=versions, latest=version, release=release, last_updated=last_updated)


def render(meta: Metadata) -> bytes:
    """The metadata file's bytes; element order follows the XSD's sequences."""
    nsmap = {None: METADATA_NS, "xsi": XSI_NS}
    root = etree.Element(f"{{{METADATA_NS}}}metadata", nsmap=nsmap)
    root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
    root.set("modelVersion", "1.1.0")

    def add(parent: etree._Element, tag: str, text: Optional[str] = None) -> etree._Element:
        el = etree.SubElement(parent, f"{{{METADATA_NS}}}{tag}")
        if text is not None:
            el.text = text
        return el

    add(root, "groupId", meta.group)
    add(root, "artifactId", meta.artifact)
    versioning = add(root, "versioning")
    if meta.latest:
        add(versioning, "latest", meta.latest)
    if meta.release:
        add(versioning, "release", meta.release)
    versions = add(versioning, "versions")
    for v in meta.versions:
        add(versions, "version", v)
    if meta.last_updated:
        add(versioning, "lastUpdated", meta.last_updated)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def merged(existing: Optional[bytes], coordinates: Coordinates, last_updated: str) -> bytes:
    """New metadata bytes: ``existing`` (or nothing) with ``coordinates.version`` added."""
    meta = parse(existing, coordinates) if existing else Metadata(coordinates.group, coordinates.artifact)
    return render(add_version(meta, coordinates.version, last_updated))
