"""POMs for the slim AARs: pure functions from build facts to bytes.

Two rules avoid the classic failures of hand-made TFLite POMs:

* the runtime POM has **no** dependencies: the slim ``tensorflow-lite.aar``
  already contains the TFLite Java API classes, so pulling
  ``org.tensorflow:tensorflow-lite-api`` (or LiteRT's ``litert-api``) would put
  every API class on the classpath twice ("Duplicate class" at dexing);
* the select-TF-ops POM depends on the runtime of exactly the same version
  (``[v]``): the Flex delegate is built against that runtime and nothing else.

Output is byte-stable: the same inputs give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from lxml import etree

from tflite_slim.maven.coordinates import Coordinates
from tflite_slim.runtime.trees.layout import TENSORFLOW
from tflite_slim.analysis.opset import OpSet

POM_NS = "http://maven.apache.org/POM/4.0.0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{POM_NS} https://maven.apache.org/xsd/maven-4.0.0.xsd"
PACKAGING = "aar"
#: TensorFlow's licence; the AARs are TensorFlow built from source.
LICENSE = ("Apache License, Version 2.0", "https://www.apache.org/licenses/LICENSE-2.0.txt")
#: Artifacts whose classes the slim runtime AAR already contains; never depend on them.
API_ARTIFACTS = (
    ("org.tensorflow", "tensorflow-lite-api"),
    ("com.google.ai.edge.litert", "litert-api"),
)


@dataclass(frozen=True)
class BuildFacts:
    """What a POM says about the build behind an AAR (from the build record ``ops.json``)."""

    tf_version: str
    tf_commit: Optional[str]
    op_set: OpSet
    abis: tuple[str, ...]
    plan_fingerprint: str
    #: ``tensorflow`` or ``litert``: the tree the AARs were built from.
    source: str = TENSORFLOW.kind

    @property
    def runtime_title(self) -> str:
        """What the POM calls the runtime: ``TensorFlow Lite 2.16.1`` or ``LiteRT 2.1.6``."""
        return f"{'TensorFlow Lite' if self.source == TENSORFLOW.kind else 'LiteRT'} {self.tf_version}"


def exact_version(version: str) -> str:
    """Maven's range for "this version and no other"."""
    return f"[{version}]"


def describe_builtin_ops(ops: OpSet) -> str:
    """``ADD v1,2; CONV_2D v1,2,3`` (sorted), or ``none``."""
    items = [f"{name} v{','.join(str(v) for v in versions)}" for name, versions in sorted(ops.builtin_ops.items())]
    return "; ".join(items) or "none"


def runtime_name(facts: BuildFacts) -> str:
    ops = facts.op_set
    return (
        f"{facts.runtime_title} slim runtime "
        f"({len(ops.builtin_ops)} builtin ops, {len(set(ops.custom_ops))} custom ops)"
    )


def runtime_description(facts: BuildFacts) -> str:
    ops = facts.op_set
    custom = ", ".join(sorted(set(ops.custom_ops))) or "none"
    return (
        f"{facts.runtime_title}{_commit(facts)} runtime trimmed by tflite-slim to the operators "
        f"its models use. Builtin ops: {describe_builtin_ops(ops)}. Custom ops: {custom}. "
        f"ABIs: {', '.join(facts.abis) or 'none'}. Includes the TensorFlow Lite Java API. "
        f"Op set fingerprint {ops.fingerprint()}."
    )


def select_tf_ops_name(facts: BuildFacts) -> str:
    return (
        f"{facts.runtime_title} slim Select TF ops "
        f"({len(facts.op_set.flex_op_names)} TensorFlow ops)"
    )


def select_tf_ops_description(facts: BuildFacts) -> str:
    flex = ", ".join(facts.op_set.flex_op_names) or "none"
    return (
        f"TensorFlow Select ops (Flex delegate) for {facts.runtime_title}{_commit(facts)}, "
        f"trimmed by tflite-slim to the TensorFlow ops its models use: {flex}. "
        f"ABIs: {', '.join(facts.abis) or 'none'}. Op set fingerprint {facts.op_set.fingerprint()}."
    )


def _commit(facts: BuildFacts) -> str:
    return f" (commit {facts.tf_commit})" if facts.tf_commit else ""


def render_pom(
    coordinates: Coordinates,
    *,
    name: str,
    description: str,
    dependencies: Sequence[Coordinates] = (),
    properties: Sequence[tuple[str, str]] = (),
    packaging: str = PACKAGING,
) -> bytes:
    """A complete ``pom.xml`` for one AAR; ``dependencies`` are AARs pinned to their exact version.

    ``packaging`` is ``pom`` for a host-only build: it has no main artifact, only classifier jars.
    """
    for dep in dependencies:
        if (dep.group, dep.artifact) in API_ARTIFACTS:
            # The slim runtime carries these classes; depending on them duplicates every class.
            raise ValueError(f"refusing to depend on {dep.group}:{dep.artifact}")
    nsmap = {None: POM_NS, "xsi": XSI_NS}
    project = etree.Element(f"{{{POM_NS}}}project", nsmap=nsmap)
    project.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)

    def add(parent: etree._Element, tag: str, text: Optional[str] = None) -> etree._Element:
        el = etree.SubElement(parent, f"{{{POM_NS}}}{tag}")
        if text is not None:
            el.text = text
        return el

    # Element order follows the XSD's sequence, which schema validation enforces.
    add(project, "modelVersion", "4.0.0")
    add(project, "groupId", coordinates.group)
    add(project, "artifactId", coordinates.artifact)
    add(project, "version", coordinates.version)
    add(project, "packaging", packaging)
    add(project, "name", name)
    add(project, "description", description)
    licenses = add(project, "licenses")
    lic = add(licenses, "license")
    add(lic, "name", LICENSE[0])
    add(lic, "url", LICENSE[1])
    add(lic, "distribution", "repo")
    if properties:
        props = add(project, "properties")
        for key, value in sorted(properties):
            add(props, key, value)
    if dependencies:
        deps = add(project, "dependencies")
        for dep in sorted(dependencies):
            d = add(deps, "dependency")
            add(d, "groupId", dep.group)
            add(d, "artifactId", dep.artifact)
            add(d, "version", exact_version(dep.version))
            # Without <type>aar</type> Maven and Gradle would look for a .jar.
            add(d, "type", PACKAGING)
            add(d, "scope", "compile")
    etree.indent(project, space="  ")
    return etree.tostring(project, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _properties(facts: BuildFacts) -> list[tuple[str, str]]:
    """Machine-readable build facts; names are valid XML element names."""
    props = [
        ("tfliteSlim.tensorflowVersion", facts.tf_version),
        ("tfliteSlim.planFingerprint", facts.plan_fingerprint),
        ("tfliteSlim.opSetFingerprint", facts.op_set.fingerprint()),
    ]
    if facts.tf_commit:
        props.append(("tfliteSlim.tensorflowCommit", facts.tf_commit))
    if facts.source != TENSORFLOW.kind:  # absent for TensorFlow: its POMs stay byte-identical
        props.append(("tfliteSlim.source", facts.source))
    return props


def runtime_pom(coordinates: Coordinates, facts: BuildFacts, host_abis: Sequence[str] = ()) -> bytes:
    """POM of the slim runtime AAR: no dependencies (it carries the Java API itself).

    ``host_abis``: the desktop jars published beside it under those classifiers. A build of
    host ABIs only has no AAR: its POM's packaging is ``pom``, so nothing resolves without a classifier.
    """
    android = [a for a in facts.abis if a not in host_abis]
    description = runtime_description(facts)
    if host_abis:
        jars = ", ".join(f"classifier {a}" for a in host_abis)
        description += (f" Desktop JVM jars (Java API classes plus the native library under jni/<abi>/): {jars}."
                        + ("" if android else " No Android AAR: this build is for desktop JVMs only."))
    return render_pom(
        coordinates,
        name=runtime_name(facts),
        description=description,
        properties=_properties(facts),
        packaging=PACKAGING if android else "pom",
    )


def select_tf_ops_pom(coordinates: Coordinates, runtime: Coordinates, facts: BuildFacts) -> bytes:
    """POM of the Select TF ops AAR: depends on exactly ``runtime``'s version."""
    return render_pom(
        coordinates,
        name=select_tf_ops_name(facts),
        description=select_tf_ops_description(facts),
        dependencies=[runtime],
        properties=_properties(facts),
    )
