"""``tflite-slim plan PATH... [build options]``: what a build of these models would do, cost and publish.

Needs no toolchain: it is ``build --dry-run`` reduced to what a consumer of a
deployed runtime needs (the Gradle plugin on a developer machine without
Bazel): which coordinates ``install``/``deploy`` would use for these models and
options. It takes the ``build`` options that decide the plan (one definition,
:func:`build.add_plan_options`, so a new one is a plan option too) plus the
coordinate overrides; build's output options are not offered.

The text (the default) is for a person: the ops and their models, what would be
downloaded, the backend and why, the build time and the size per ABI beside the
stock runtime's (:mod:`tflite_slim.runtime.estimates.overview`). ``--format json`` is
for machines and the Gradle plugin (which reads ``runtime`` and ``select_tf_ops``):
its content is the plan's identity only, so it is the same on every machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from typing import Any

from tflite_slim.analysis.report import check_outputs, write_text_atomic
from tflite_slim.maven import litert2 as maven_litert2
from tflite_slim.runtime import builder, litert2build
from tflite_slim.runtime.estimates import overview
from tflite_slim.commands import build
from tflite_slim.commands.options import add_command, add_coordinate_options
from tflite_slim.maven.coordinates import CoordinateChoice, resolve


SUMMARY = "preview a build of these models: ops, downloads, time, size (no toolchain)"


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub, "plan", SUMMARY,
        "Computes the build plan as 'build --dry-run' does, runs nothing (no Bazel, Docker, SDK or download), "
        "and prints the coordinates 'install'/'deploy' would publish, the ops and their models, the downloads, "
        "the backend, and the estimated build time and size per ABI beside the stock runtime's. "
        "Takes the build options that decide the plan. Build's options that only choose the tools a build runs, and how, "
        "are accepted but not listed: they cannot change a plan. Build's output options "
        "(--out, --html, --no-stock-compare, --dry-run) are refused.",
        # No abbreviations: build's --out would otherwise be taken as plan's --output.
        allow_abbrev=False,
    )
    build.add_plan_options(p)
    build.add_tool_options(p, listed=False)
    # What settings_from_args reads of the output-only options: plan writes no build output.
    p.set_defaults(out=None, dry_run=True, stock_compare=False, html=None)
    add_coordinate_options(p)
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text for a person (default), or json: the fingerprint and coordinates")
    p.add_argument("-o", "--output", metavar="FILE", help="write the output to FILE instead of stdout")
    p.set_defaults(run=run)


def describe(args: argparse.Namespace) -> dict[str, Any]:
    """The plan's fingerprint, the release it builds (``release``; ``tensorflow`` is its old key) and the
    coordinates, as plain data."""
    if litert2build.is_litert2(build.settings_from_args(args)):
        return _litert2(args)[0]
    return _describe(args, _prepare(args))


def _prepare(args: argparse.Namespace) -> builder.Prepared:
    settings = dataclasses.replace(build.settings_from_args(args), dry_run=True, out=None)
    # A developer machine needs no SDK/NDK to plan (they are observed, not hashed): no note about them.
    return builder.prepare(settings, log=lambda _: None)


def _describe(args: argparse.Namespace, prepared: builder.Prepared) -> dict[str, Any]:
    plan = prepared.plan
    choice = CoordinateChoice(args.group_id, args.artifact_id, args.select_tf_ops_artifact_id, args.artifact_version)
    # The tree's kind picks the artifactIds and version scheme, exactly as install/deploy will.
    runtime, flex = resolve(choice, plan.tf_version, plan.fingerprint, plan.source)
    return {
        "plan_fingerprint": plan.fingerprint,
        # Which release line the tree is (a LiteRT 1.4.1 is not a TensorFlow 1.4.1), its version and commit.
        "release": {"line": plan.source, "version": plan.tf_version, "commit": plan.tf_commit},
        # The same version and commit under the old key, for readers of earlier plan output (the Gradle
        # plugin reads only runtime and select_tf_ops).
        "tensorflow": {"version": plan.tf_version, "commit": plan.tf_commit},
        # The same shape as `install --coordinates-out`, minus the repository (nothing was installed).
        "runtime": runtime.to_json(),
        "select_tf_ops": flex.to_json() if plan.has_flex else None,
    }


def render_text(args: argparse.Namespace, prepared: builder.Prepared, doc: dict[str, Any]) -> str:
    """The overview for a person, with the coordinates the build would publish."""
    gavs = [_gav(doc["runtime"])] + ([_gav(doc["select_tf_ops"])] if doc["select_tf_ops"] else [])
    o = overview.gather(prepared.plan, prepared.models, prepared.job, prepared.backend,
                        backend=prepared.backend_name, backend_reason=build.backend_reason(prepared),
                        cpus=os.cpu_count() or 1, publishes=gavs)
    return "\n".join(overview.render_text(o)) + "\n"


def _gav(c: dict[str, str]) -> str:
    return f"{c['group']}:{c['artifact']}:{c['version']}"


def _litert2(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    """A LiteRT 2.x build's plan (:func:`litert2build.plan`) and its text: the drop-in's coordinates."""
    p = litert2build.plan(build.settings_from_args(args))
    choice = CoordinateChoice(args.group_id, args.artifact_id, args.select_tf_ops_artifact_id, args.artifact_version)
    doc = maven_litert2.plan_document(choice, p.version, p.line, p.fingerprint)
    text = (f"LiteRT {p.version} ({p.line}): the drop-in for {doc['replaces']} (litert-api stays stock)\n"
            f"publishes: {_gav(doc['runtime'])}\n"
            "size: not estimated for LiteRT 2.x yet (the per-op table is measured on 1.x builds; measured 2.x "
            "builds: docs/litert2.md#sizes)\n")
    return doc, text


def run(args: argparse.Namespace) -> int:
    if args.output:
        settings = build.settings_from_args(args)
        check_outputs({"-o": args.output}, [*settings.models, *settings.custom_ops_srcs])
    if litert2build.is_litert2(build.settings_from_args(args)):
        doc, text = _litert2(args)
        text = json.dumps(doc, indent=2, sort_keys=True) + "\n" if args.format == "json" else text
        if args.output:
            write_text_atomic(args.output, text)
        else:
            sys.stdout.write(text)
        return 0
    prepared = _prepare(args)
    doc = _describe(args, prepared)
    text = (json.dumps(doc, indent=2, sort_keys=True) + "\n" if args.format == "json"
            else render_text(args, prepared, doc))
    if args.output:
        # As analyze's -o: a symlink or device named here is refused or written through, never replaced.
        write_text_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    return 0
