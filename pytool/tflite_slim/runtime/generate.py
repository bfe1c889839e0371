"""Phase 4, generate: the plan -> the package a backend builds (BUILD file, files, registration code).

Pure: the files are named and rendered here, and written into the tree or a
container only by the backend (:meth:`tflite_slim.runtime.backends.base.Package.write`).
The result is the :class:`~tflite_slim.runtime.backends.base.BackendJob` every later phase works on.
"""

from __future__ import annotations

from pathlib import Path

from tflite_slim.runtime.backends.base import BackendJob, Log, Package
from tflite_slim.runtime.spec.buildfile import BuildFileSpec, package_file_names, render_build_file
from tflite_slim.runtime.inputs import Inputs
from tflite_slim.runtime.spec.plan import BuildPlan, package_path
from tflite_slim.runtime.spec.registration import render_registration
from tflite_slim.runtime.resolve import SourceTree

#: What a dry run's job names as the backend's work directory (a build gets a real one).
DRY_RUN_WORK = Path("<work>")


def generate(plan: BuildPlan, inputs: Inputs, tree: SourceTree, log: Log) -> BackendJob:
    """The generated package and registration code for ``plan``, as a job for the backend."""
    names = package_file_names([m.path for m in inputs.models])
    params = tree.runtime_parameters
    spec = BuildFileSpec(
        models=tuple(sorted(names.values())),
        flex_models=tuple(sorted(names[m.path] for m in inputs.models if m.ops.has_flex)),
        srcs=tuple(sorted(c.name for c in inputs.custom_ops)),
        deps=plan.custom_ops_deps,
        # Without the attribute the macro is not told (the plan records that it builds the full API).
        experimental_api=plan.experimental_api if tree.has_experimental_attr else None,
        runtime_parameters=frozenset(params) if params is not None else None,
    )
    files = tuple(sorted(names.items())) + tuple(sorted((c.path, c.name) for c in inputs.custom_ops))
    if plan.has_flex:
        # build_aar.sh copies these next to the flex BUILD file (older flex macros refer to them there).
        files += tree.flex_package_files
    package = Package(package_path(plan), render_build_file(spec, tree.layout), files)
    registration = render_registration(plan.op_set, tflite_path=tree.layout.lite_dir)
    source = tree.source
    return BackendJob(plan, package, registration, tree.root, tree.layout, tree.release, DRY_RUN_WORK, log,
                      needs_configure=source is None or source.needs_configure,
                      configure_rc=source.configure_rc if source is not None else None)
