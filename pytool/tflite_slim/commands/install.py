"""``tflite-slim install``: put built AARs, POMs and ops.json into the local Maven repository."""

from __future__ import annotations

import argparse
from pathlib import Path

from tflite_slim import files
from tflite_slim.commands.options import add_command, add_coordinate_options, check_output_path
from tflite_slim.maven import litert2, mavenlocal, publication, settings
from tflite_slim.maven.coordinates import (
    CoordinateChoice,
    Coordinates,
    validate_group_id,
    validate_id,
    validate_version,
)
from tflite_slim.errors import UsageError
from tflite_slim.analysis.opset import dumps


def add_publication_options(p: argparse.ArgumentParser) -> None:
    """What to publish and under which coordinates; shared with ``deploy``."""
    add_coordinate_options(p)
    p.add_argument("--aar", type=Path, metavar="FILE", help="publish this AAR instead of a build directory")
    p.add_argument(
        "--ops", type=Path, metavar="OPS_JSON",
        help="with --aar: the build record that describes it (published as the -ops.json the Gradle plugin's "
             "tfliteVerify checks the app's models against)",
    )
    p.add_argument(
        "--stock-pom", type=Path, metavar="FILE",
        help="for a LiteRT 2.x build (OUT_DIR/litert.aar): the stock com.google.ai.edge.litert:litert POM of the "
             "same version, whose dependencies (litert-api among them) the slim POM restates",
    )
    p.add_argument(
        "--no-ops", action="store_true",
        help="with --aar: publish it without a build record (tfliteVerify then cannot check it, and this "
             "version cannot get one later: its POM would differ)",
    )


SUMMARY = "install built AARs into the local Maven repository"


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub, "install", SUMMARY,
        "Installs what 'tflite-slim build --out OUT_DIR' produced (or one --aar) into the local Maven repository: "
        "AARs, POMs, ops.json, checksums and maven-metadata-local.xml. Give OUT_DIR or --aar FILE.",
    )
    p.add_argument("out_dir", nargs="?", type=Path, metavar="OUT_DIR", help="the build output directory")
    add_publication_options(p)
    p.add_argument(
        "--repo",
        metavar="DIR",
        help="local repository (default: -Dmaven.repo.local in MAVEN_OPTS, else <localRepository> "
        "in ~/.m2/settings.xml, else ~/.m2/repository)",
    )
    p.add_argument("--force", action="store_true", help="replace a version installed with different content")
    p.add_argument(
        "--coordinates-out",
        type=Path,
        metavar="FILE",
        help="write the installed coordinates as JSON (for the Gradle plugin)",
    )
    p.set_defaults(run=run)


def choice_from_args(args: argparse.Namespace) -> CoordinateChoice:
    return CoordinateChoice(
        group=args.group_id,
        runtime_artifact=args.artifact_id,
        select_tf_ops_artifact=args.select_tf_ops_artifact_id,
        version=args.artifact_version,
    )


def publication_from_args(args: argparse.Namespace) -> publication.Publication:
    """The artifacts to publish, from either OUT_DIR or --aar (shared with ``deploy``)."""
    if args.aar is not None:
        if args.out_dir is not None:
            raise UsageError("give either OUT_DIR or --aar FILE, not both")
        missing = [o for o, v in (("--group-id", args.group_id), ("--artifact-id", args.artifact_id),
                                  ("--version", args.artifact_version)) if not v]
        if missing:
            raise UsageError(f"--aar needs {', '.join(missing)} (there is no build record to derive defaults from)")
        # Validated here first so that an error names the option, not the POM element.
        coords = Coordinates(
            validate_group_id(args.group_id, "--group-id"),
            validate_id(args.artifact_id, "--artifact-id"),
            validate_version(args.artifact_version, "--version"),
        )
        if args.ops is None and not args.no_ops:
            # Without the record the Gradle plugin's tfliteVerify finds no -ops.json and reports the runtime as
            # not deployed, and adding the record later is refused (the POM, which states the op set, differs).
            raise UsageError(
                "--aar needs --ops OPS_JSON (the build's ops.json): the Gradle plugin's tfliteVerify reads it to check "
                "that the runtime covers the app's models, and a version published without it cannot get it later; "
                "give --no-ops to publish the AAR without one")
        if args.ops is not None and args.no_ops:
            raise UsageError("give either --ops OPS_JSON or --no-ops, not both")
        return publication.from_aar(args.aar, coords, args.ops)
    if args.no_ops:
        raise UsageError("--no-ops only goes with --aar; OUT_DIR always has its ops.json")
    if args.out_dir is None:
        raise UsageError("give the build output directory (OUT_DIR) or --aar FILE")
    if args.ops is not None:
        raise UsageError("--ops only goes with --aar; OUT_DIR already has its ops.json")
    if litert2.is_litert2_record(args.out_dir):
        return litert2.from_build_dir(args.out_dir, choice_from_args(args), getattr(args, "stock_pom", None))
    if getattr(args, "stock_pom", None) is not None:
        raise UsageError(f"--stock-pom is for a LiteRT 2.x build; {args.out_dir} is not one")
    return publication.from_build_dir(args.out_dir, choice_from_args(args))


def coordinates_document(pub: publication.Publication, repository: str, replaces: "str | None" = None) -> dict:
    """Contract 3: what the Gradle plugin reads to substitute dependencies; ``replaces``: the one stock module
    (``group:artifact:version``) a LiteRT 2.x drop-in stands for (absent for 1.x, whose documents keep their bytes)."""
    doc = {
        "repository": repository,
        "runtime": pub.runtime.coordinates.to_json(),
        "select_tf_ops": pub.select_tf_ops.coordinates.to_json() if pub.select_tf_ops else None,
    }
    if replaces:
        doc["replaces"] = replaces
    return doc


def check_not_an_input(path: Path, args: argparse.Namespace, pub: publication.Publication) -> None:
    """Refuse ``--coordinates-out`` naming the build record or an AAR: writing it would replace that input."""
    inputs = [spec.source for a in pub.artifacts for spec in a.files if spec.source is not None]
    inputs += [args.out_dir / publication.RECORD_NAME] if args.out_dir is not None else []
    inputs += [args.ops] if args.ops is not None else []
    if path.resolve() in {p.resolve() for p in inputs}:
        raise UsageError(
            f"--coordinates-out {path}: is one of the files being published; give another path "
            "(for example coordinates.json)"
        )


def run(args: argparse.Namespace) -> int:
    if args.coordinates_out is not None:
        check_output_path(args.coordinates_out, "--coordinates-out")
    pub = publication_from_args(args)
    if args.coordinates_out is not None:
        check_not_an_input(args.coordinates_out, args, pub)
        if not pub.has_aar:
            raise UsageError(f"--coordinates-out {args.coordinates_out}: this is a host build (desktop jars under "
                             "a classifier), not an AAR for an Android app; build with Android --target-archs")
    location = settings.local_repository(args.repo)
    if args.coordinates_out is not None and not location.gradle_reads:
        raise UsageError(
            f"--coordinates-out: the local repository {location.path} (from {location.source}) is one Gradle's "
            "mavenLocal() does not read (Gradle ignores MAVEN_OPTS and MAVEN_HOME), so Gradle would not find what it "
            "substitutes; pass --repo with the directory Gradle's mavenLocal() reads (the Gradle plugin does)")
    repo = location.path.resolve()
    results = mavenlocal.install(pub, repo, force=args.force)
    print(f"local repository: {repo} (from {location.source})")
    for r in results:
        detail = f" (rewrote {', '.join(r.repaired)})" if r.repaired else ""
        print(f"{r.status}: {r.coordinates} in {r.directory}{detail}")
    if args.coordinates_out is not None:
        doc = coordinates_document(pub, str(repo), litert2.replaces(args.out_dir) if args.out_dir else None)
        try:
            files.write_output(args.coordinates_out, dumps(doc).encode("utf-8"))
        except OSError as e:
            raise UsageError(f"--coordinates-out {args.coordinates_out}: cannot write it ({e.strerror or e})") from e
    return 0

