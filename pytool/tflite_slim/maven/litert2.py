"""Publishing a LiteRT 2.x build (``OUT/litert.aar`` and its ``ops.json``): the drop-in for the app's exact
``com.google.ai.edge.litert:litert:<v>``.

The slim artifact replaces that one module by dependency substitution, so its POM must bring what the stock
POM brings: the stock ``litert-api`` at the same version (``liblitert_jni.so`` and the CompiledModel classes'
other half, which stay stock), the Kotlin and other libraries. Those are read from the stock POM the Gradle
plugin resolved beside the AAR (``--stock-pom``), never guessed; the substituted module itself is not among
them. Coordinates: ``io.tfliteslim:litert:<v>-litert2-slim-<plan fingerprint[:12]>``; the coordinates
document names the stock module it replaces (``replaces``), which the plugin substitutes only for that version.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from lxml import etree

from tflite_slim.analysis.opset import loads
from tflite_slim.errors import UsageError
from tflite_slim.maven import pom
from tflite_slim.maven.coordinates import (DEFAULT_GROUP_ID, FINGERPRINT_CHARS, CoordinateChoice, Coordinates,
                                           validate_group_id, validate_id, validate_version)
from tflite_slim.maven.publication import (Artifact, FileSpec, Publication, RECORD_NAME, _artifact, _plain_name,
                                           check_aar, published_record)

STOCK_GROUP = "com.google.ai.edge.litert"
STOCK_ARTIFACT = "litert"
#: A POM far larger than this is not litert's (and is not parsed).
MAX_POM_BYTES = 1 << 20
_NS = "{http://maven.apache.org/POM/4.0.0}"


@dataclass(frozen=True)
class Dependency:
    """One ``<dependency>`` of the stock POM, as the slim POM restates it."""

    group: str
    artifact: str
    version: str
    type: Optional[str]
    scope: Optional[str]


def is_litert2_record(out_dir: Path) -> bool:
    """Whether ``out_dir/ops.json`` is a 2.x build's record (it has ``litert.line``)."""
    try:
        doc = loads((out_dir / RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and isinstance(doc.get("litert"), dict) and "line" in doc["litert"]


def stock_dependencies(path: Path, version: str) -> tuple[Dependency, ...]:
    """The ``<dependencies>`` of the stock ``litert:<version>`` POM at ``path`` (checked: it is that module's)."""
    where = f"--stock-pom {path}"
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UsageError(f"{where}: cannot read it ({e.strerror or e})") from e
    if len(data) > MAX_POM_BYTES:
        raise UsageError(f"{where}: larger than a POM; give the com.google.ai.edge.litert:litert:{version} POM")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        raise UsageError(f"{where}: not a POM ({e})") from e

    def text(el, tag: str) -> Optional[str]:
        child = el.find(_NS + tag)
        if child is None:
            child = el.find(tag)
        return child.text.strip() if child is not None and child.text else None

    said = (text(root, "groupId"), text(root, "artifactId"), text(root, "version"))
    if said != (STOCK_GROUP, STOCK_ARTIFACT, version):
        raise UsageError(f"{where}: is {':'.join(s or '?' for s in said)}, not "
                         f"{STOCK_GROUP}:{STOCK_ARTIFACT}:{version}; give the POM of the AAR given to build")
    deps = []
    holder = root.find(_NS + "dependencies")
    holder = holder if holder is not None else root.find("dependencies")
    for d in (holder if holder is not None else []):
        if not isinstance(d.tag, str) or not d.tag.endswith("dependency"):
            continue
        g, a, v = text(d, "groupId"), text(d, "artifactId"), text(d, "version")
        if not (g and a and v) or "${" in f"{g}{a}{v}":
            raise UsageError(f"{where}: a dependency without a plain group, artifact and version ({g}:{a}:{v}); "
                             "tflite-slim restates the stock dependencies exactly, and cannot here")
        if (g, a) == (STOCK_GROUP, STOCK_ARTIFACT) or text(d, "optional") == "true" or text(d, "scope") == "test":
            continue
        deps.append(Dependency(validate_group_id(g, where), validate_id(a, where), validate_version(v, where),
                               text(d, "type"), text(d, "scope")))
    return tuple(sorted(deps, key=lambda x: (x.group, x.artifact)))


def render_pom(coordinates: Coordinates, version: str, record: dict, deps: tuple[Dependency, ...]) -> bytes:
    """The slim ``litert`` POM: the stock POM's dependencies, the build facts as properties."""
    project = etree.Element(f"{_NS}project", nsmap={None: pom.POM_NS, "xsi": pom.XSI_NS})
    project.set(f"{{{pom.XSI_NS}}}schemaLocation", pom.SCHEMA_LOCATION)

    def add(parent, tag: str, value: Optional[str] = None):
        el = etree.SubElement(parent, _NS + tag)
        if value is not None:
            el.text = value
        return el

    ops = sorted(record.get("op_set", {}).get("builtin_ops", {}))
    for tag, value in (("modelVersion", "4.0.0"), ("groupId", coordinates.group), ("artifactId", coordinates.artifact),
                       ("version", coordinates.version), ("packaging", pom.PACKAGING),
                       ("name", f"LiteRT {version} runtime, trimmed by tflite-slim"),
                       ("description", f"com.google.ai.edge.litert:litert:{version} with libLiteRt.so registering "
                                       f"only {len(ops)} builtin ops ({', '.join(ops)}); every other entry of the "
                                       "stock AAR unchanged, litert-api stays stock.")):
        add(project, tag, value)
    licenses = add(project, "licenses")
    lic = add(licenses, "license")
    add(lic, "name", pom.LICENSE[0])
    add(lic, "url", pom.LICENSE[1])
    add(lic, "distribution", "repo")
    props = add(project, "properties")
    for key, value in sorted({"tfliteSlim.litertVersion": version, "tfliteSlim.litertLine": record["litert"]["line"],
                              "tfliteSlim.planFingerprint": record["plan_fingerprint"],
                              "tfliteSlim.replaces": f"{STOCK_GROUP}:{STOCK_ARTIFACT}:{version}"}.items()):
        add(props, key, value)
    if deps:
        holder = add(project, "dependencies")
        for d in deps:
            el = add(holder, "dependency")
            add(el, "groupId", d.group)
            add(el, "artifactId", d.artifact)
            add(el, "version", d.version)
            if d.type:
                add(el, "type", d.type)
            if d.scope:
                add(el, "scope", d.scope)
    etree.indent(project, space="  ")
    return etree.tostring(project, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def coordinates_for(choice: CoordinateChoice, version: str, fingerprint: str) -> Coordinates:
    """``io.tfliteslim:litert:<version>-litert2-slim-<fingerprint[:12]>`` unless ``choice`` says otherwise (the
    same for ``plan`` on a developer's machine and ``install``/``deploy`` of CI's build)."""
    return Coordinates(validate_group_id(choice.group or DEFAULT_GROUP_ID, "--group-id"),
                       validate_id(choice.runtime_artifact or STOCK_ARTIFACT, "--artifact-id"),
                       validate_version(choice.version or f"{version}-litert2-slim-{fingerprint[:FINGERPRINT_CHARS]}",
                                        "--version"))


def plan_document(choice: CoordinateChoice, version: str, line: str, fingerprint: str) -> dict:
    """``tflite-slim plan --format json`` of a 2.x build: the shape of ``install --coordinates-out`` minus the
    repository, with the stock module the drop-in replaces (what the Gradle plugin substitutes)."""
    return {
        "plan_fingerprint": fingerprint,
        "release": {"line": f"litert {line}", "version": version, "commit": None},
        "runtime": coordinates_for(choice, version, fingerprint).to_json(),
        "select_tf_ops": None,
        "replaces": f"{STOCK_GROUP}:{STOCK_ARTIFACT}:{version}",
    }


def from_build_dir(out_dir: Path, choice: CoordinateChoice, stock_pom: Optional[Path]) -> Publication:
    """The slim ``litert`` artifact of a 2.x build directory."""
    path = out_dir / RECORD_NAME
    try:
        record = loads(path.read_text(encoding="utf-8"))
        version = str(record["litert"]["version"])
        fingerprint = str(record["plan_fingerprint"])
        aar = out_dir / _plain_name(record["artifacts"]["runtime"])  # a file of OUT, never a path out of it
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise UsageError(f"{path}: malformed 2.x build record ({e}); rebuild with 'tflite-slim build'") from e
    if stock_pom is None:
        raise UsageError(f"{out_dir} is a LiteRT {version} build: give --stock-pom FILE, the "
                         f"{STOCK_GROUP}:{STOCK_ARTIFACT}:{version} POM (its dependencies, litert-api among them, "
                         "go into the slim POM; the Gradle plugin passes it)")
    if choice.select_tf_ops_artifact:
        raise UsageError("--select-tf-ops-artifact-id: a LiteRT 2.x build has no Select TF ops artifact")
    coordinates = coordinates_for(choice, version, fingerprint)
    check_aar(aar)
    pom_bytes = render_pom(coordinates, version, record, stock_dependencies(stock_pom, version))
    artifact: Artifact = _artifact(coordinates, published_record(path), pom_bytes,
                                   [FileSpec(coordinates.file_name("aar"), source=aar)])
    return Publication(artifact)


def replaces(out_dir: Path) -> Optional[str]:
    """The stock module a 2.x build directory replaces (``group:artifact:version``), None for a 1.x one."""
    if not is_litert2_record(out_dir):
        return None
    doc = loads((out_dir / RECORD_NAME).read_text(encoding="utf-8"))
    return f"{STOCK_GROUP}:{STOCK_ARTIFACT}:{doc['litert']['version']}"
