"""The CMake path of a LiteRT 2.x tree: a trimmed ``libLiteRt.so`` per ABI (the project's text is
:mod:`~tflite_slim.runtime.litert2.cmake_project`).

One build directory per ABI; the generated resolvers, version script and include are rewritten only when
their content changes, so a second build of the same op set runs no compile, and a new op set compiles the
two resolver files and relinks. The tree is never changed (the generated files live in the build
directory). Every command goes through :func:`tflite_slim.process.run`.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from tflite_slim import files, process
from tflite_slim.analysis.opset import OpSet
from tflite_slim.errors import BuildError, CommandFailed
from tflite_slim.runtime.litert2 import cmake_project as project
from tflite_slim.runtime.backends.cmake import errors as cmake_errors
from tflite_slim.runtime.backends.cmake import toolchain as cmake_toolchain
from tflite_slim.runtime.backends.cmake.project import CmakeSettings, Toolchain, build_argv
from tflite_slim.runtime.spec import resolverbody
from tflite_slim.runtime.trees import cmakedeps
from tflite_slim.runtime.trees.litert2 import ReleaseLine

Log = Callable[[str], None]
CONFIGURE_STAMP = "tflite_slim_configure.json"


@dataclass(frozen=True)
class Litert2Library:
    """One ABI's trimmed library and what the build kept."""

    abi: str
    library: Path
    kept_builtins: tuple[str, ...]
    #: Selected builtins the reference resolver never registers (the stock one lacks them too).
    reference_lacks: tuple[str, ...]
    seconds: float


def generated_files(root: Path, ops: OpSet) -> dict[str, str]:
    """The tree's path -> its generated text, for both resolvers (refused, naming the file, when the tree's
    files are not as read: :func:`resolverbody.select_in_tree`)."""
    selected, reference = resolverbody.select_in_tree(root, ops)
    return {selected.path: selected.text, reference.path: reference.text}


def build_abi(root: Path, line: ReleaseLine, ops: OpSet, toolchain: Toolchain, build_dir: Path, out: Path,
              settings: CmakeSettings, *, align_16kb: bool, log: Log,
              stopper: Optional[process.Stopper] = None) -> Litert2Library:
    """Configure (when needed) and build ``libLiteRt.so`` for ``toolchain.abi`` in ``build_dir``; copy it to ``out``."""
    root = Path(root).resolve()
    selected, reference = resolverbody.select_in_tree(root, ops)
    start = time.monotonic()
    cmake_toolchain.make_build_dir(build_dir)
    with files.locked_dir(build_dir, on_wait=lambda: log(f"tflite-slim: waiting for another build using {build_dir}")):
        generated = []
        for chosen in (selected, reference):
            ours = build_dir / project.GENERATED_DIR / chosen.path
            files.write_if_changed(ours, chosen.text)
            generated.append((str((root / chosen.path).resolve()), str(ours)))
        native = root / project.JNI_SOURCE_DIR
        present = [p.name for p in native.glob("*.cc")] if native.is_dir() else []
        present += [e for e in project.EXTRA_JNI_SOURCES if (root / e).is_file()]
        jni = project.jni_sources(root, present)
        if not jni:
            raise BuildError(f"{native} has no JNI sources: a LiteRT 2.x tree has the TFLite JNI there")
        script = build_dir / project.VERSION_SCRIPT_FILE
        files.write_if_changed(script, project.version_script(line))
        files.write_if_changed(build_dir / project.INCLUDE_FILE, project.render_include(
            root=str(root), generated=generated, jni=jni, version_script=str(script),
            jni_includes=toolchain.jni_includes, align_16kb=align_16kb and toolchain.android,
            dep_sources=settings.dep_sources))
        configure = project.configure_argv(settings.cmake, root=root, build_dir=build_dir, toolchain=toolchain,
                                           ninja=settings.ninja if "/" in settings.ninja else None,
                                           dep_sources=settings.dep_sources, tensorflow_dir=settings.tensorflow_dir,
                                           dep_variables=dep_variables(root))
        stamp = build_dir / CONFIGURE_STAMP
        if not (build_dir / "build.ninja").is_file() or files.read_text_or_none(stamp) != json.dumps(configure):
            log(f"tflite-slim: litert2 {toolchain.abi}: configuring {root / project.SOURCE_SUBDIR} in {build_dir}")
            stamp.unlink(missing_ok=True)
            _run(configure, log, f"cmake ({toolchain.abi})", stopper)
            files.write_atomic(stamp, json.dumps(configure).encode("utf-8"))
        _run(build_argv(settings.ninja, build_dir, project.OUR_TARGET, jobs=settings.jobs), log,
             f"ninja ({toolchain.abi})", stopper)
        built = build_dir / project.SO_NAME
        if not built.is_file():
            raise BuildError(f"ninja reported success but {built} does not exist; check the output above")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, out)
    seconds = time.monotonic() - start
    log(f"tflite-slim: litert2 {toolchain.abi}: {project.SO_NAME} {out.stat().st_size:,} bytes in {seconds:.1f} s "
        f"({len(selected.kept_builtins)} builtin ops kept)")
    return Litert2Library(toolchain.abi, out, selected.kept_builtins, reference.absent_builtins, seconds)


def dep_variables(root: Path) -> dict[str, str]:
    """Name -> the CMake variable a ``--cmake-dep-source`` directory of it is handed over in, read from the
    tree's ``tflite/`` (:func:`cmakedeps.read_pins`): ``tflite/cmake/Download*.cmake``'s downloads
    (``pthreadpool``, ``fp16`` at v2.2.0) are skipped only when ``<NAME>_SOURCE_DIR`` is defined, not
    ``FETCHCONTENT_SOURCE_DIR_<NAME>``; and XNNPACK's own (``fxdiv``, ``kleidiai``), which it reads likewise."""
    pins = cmakedeps.read_pins(Path(root) / project.TFLITE_SUBDIR)
    out = dict(zip(cmakedeps.NEEDED_BY_XNNPACK, cmakedeps.XNNPACK_OWN_VARIABLES))
    out.update({name: pin.source_variable for name, pin in pins.items()})
    return out


def _run(argv: list[str], log: Log, what: str, stopper: Optional[process.Stopper]) -> None:
    """Run a CMake or Ninja command; a failure is our error with the lines that say why (not the tail)."""
    log(f"tflite-slim: {process.display_argv(argv)}")
    output: list[str] = []

    def on_line(line: str) -> None:
        output.append(line)
        if line.startswith(("FAILED:", "CMake Error", "ninja: error")):
            log(line)

    try:
        process.run(argv, stream=True, on_line=on_line, what=what, stopper=stopper or process.Stopper(),
                    unset=cmake_toolchain.shell_build_env(os.environ))
    except CommandFailed as e:
        configure = "--build" not in argv and argv[1:2] == ["-G"]
        failures = cmake_errors.cmake_failures(output) if configure else cmake_errors.ninja_failures(output)
        raise BuildError("\n".join([str(e).splitlines()[0], *(process.redact_urls(f) for f in failures)])) from e
