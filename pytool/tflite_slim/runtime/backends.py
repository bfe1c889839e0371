"""Where the native build runs: Bazel in a local TensorFlow checkout, or TensorFlow's Docker image.

Both build the same generated package (:class:`Package`) and hand back the AARs
Bazel wrote; every command goes through :func:`tflite_slim.process.run`.

Local: the package is written to ``<checkout>/tflite_slim_build/p<fp16>/`` (one
per plan, so concurrent or interrupted runs never mix), Bazel runs from the
checkout root, and the package is removed after a successful build (kept after
a failure, for inspection; the next build of that plan replaces it).

Docker: TensorFlow's ``tensorflow/tools/dockerfiles/tflite-android.Dockerfile``
image (Android SDK/NDK inside) is built once, then a container runs what
``build_aar_with_docker.sh`` runs inside: the SDK licences and packages,
``./configure`` with the answers that revision's script pipes into it (read
from the tree; recent scripts answer clang ``Y`` with
``/usr/lib/llvm-18/bin/clang``, older ones ``N``), and our Bazel commands. The source is
the mounted checkout, or, with ``--checkpoint REV``, a fresh clone checked out
at a commit, branch or tag (TensorFlow's documented ``--checkpoint`` flag).
"""

from __future__ import annotations

import shlex
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

from tflite_slim import process
from tflite_slim.runtime import bazelversion, tfscripts
from tflite_slim.errors import BuildError, CommandFailed, ToolchainError, ToolMissing
from tflite_slim.runtime.plan import BuildPlan, bazel_build_argv

TF_GIT_URL = "https://github.com/tensorflow/tensorflow.git"
DOCKER_IMAGE = "tflite-builder"
DOCKERFILE = "tensorflow/tools/dockerfiles/tflite-android.Dockerfile"
Log = Callable[[str], None]

#: What a Bazel built without Android support (Debian's bazel-bootstrap) says about build_aar.sh's flag.
_NO_ANDROID = "Unrecognized option: --fat_apk_cpu"


def stderr_log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Package:
    """The generated Bazel package: its path in the workspace and the files to put in it."""

    path: str
    build_file: str
    #: (source file on the host, name inside the package), models and custom-op sources.
    files: tuple[tuple[str, str], ...]

    def __post_init__(self) -> None:
        # The names come from buildfile's naming functions; this guards the invariant that
        # nothing overwrites another input or the BUILD file, and nothing lands outside.
        seen = {"build", "build.bazel"}
        for _, name in self.files:
            parts = Path(name).parts
            if Path(name).is_absolute() or ".." in parts or name.lower() in seen:
                raise ValueError(f"package file name {name!r} escapes or collides")
            seen.add(name.lower())

    def write(self, directory: Path) -> None:
        if directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True)
        for src, name in self.files:
            (directory / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, directory / name)
        (directory / "BUILD").write_text(self.build_file)


def _timed(log: Log) -> Callable[[str], None]:
    """Prefix Bazel's lines with the elapsed time, so a long build shows it is moving."""
    start = time.monotonic()

    def sink(line: str) -> None:
        s = int(time.monotonic() - start)
        log(f"[{s // 60:02d}:{s % 60:02d}] {line}")

    return sink



def require_docker(docker: str) -> None:
    """The Docker client must be there (checked before any download, and before the build)."""
    if shutil.which(docker) is None:
        raise ToolMissing(
            f"--backend docker: '{docker}' was not found; install Docker Engine "
            "(https://docs.docker.com/engine/install/), pass --docker PATH, or build locally with --source DIR"
        )


def require_bazel(bazel: str) -> None:
    """Bazel (or bazelisk) must be there for a local build (checked before any download)."""
    if shutil.which(bazel) is None:
        raise ToolMissing(f"bazel: '{bazel}' was not found; install Bazel (bazelisk) or pass --bazel PATH, "
                          "or build in Docker with --backend docker")

class LocalBazel:
    """Bazel in a TensorFlow checkout configured for Android."""

    def __init__(self, root: Path, bazel: str = "bazel", startup_args: Sequence[str] = ()) -> None:
        self.root = Path(root)
        self.bazel = bazel
        self.startup_args = tuple(startup_args)

    def commands(self, plan: BuildPlan, package: Package) -> list[list[str]]:
        return [
            bazel_build_argv(self.bazel, plan, package.path, t, startup_args=self.startup_args)
            for t in plan.targets
        ]

    def build(self, plan: BuildPlan, package: Package, log: Log = stderr_log) -> dict[str, Path]:
        """Run the build; return target -> AAR path under ``bazel-bin``."""
        version = bazelversion.check(self.bazel, self.root)
        if version is not None and version.message:
            log(f"tflite-slim: warning: {version.message}")
        pkg_dir = self.root / package.path
        package.write(pkg_dir)
        outputs: dict[str, Path] = {}
        keep = False
        try:
            for target, argv in zip(plan.targets, self.commands(plan, package)):
                log(f"tflite-slim: {process.format_argv(argv)}")
                try:
                    process.run(argv, cwd=str(self.root), stream=True, on_line=_timed(log),
                                what=f"bazel build :{target}")
                except CommandFailed as e:
                    keep = True  # the user will want to look at what Bazel refused
                    raise BuildError(f"{e}{_failure_notes(e, self.bazel, version)}\n"
                                     f"The generated package is kept in {pkg_dir} for inspection.") from e
                except ToolchainError as e:
                    raise type(e)(f"{e}: install Bazel (bazelisk) or pass --bazel PATH") from e
                aar = self.root / "bazel-bin" / package.path / f"{target}.aar"
                if not aar.is_file():
                    raise BuildError(f"bazel reported success but {aar} does not exist; check the Bazel output above")
                outputs[target] = aar
        finally:
            if not keep:
                shutil.rmtree(pkg_dir, ignore_errors=True)
                try:
                    pkg_dir.parent.rmdir()  # only when no other plan's package is in there
                except OSError:
                    pass
        return outputs


def _failure_notes(e: CommandFailed, bazel: str, version: Optional[bazelversion.VersionCheck]) -> str:
    """What most likely explains a failed ``bazel build``, when we can tell."""
    notes = ""
    if _NO_ANDROID in e.stderr:
        notes += (f"\nnote: '{bazel}' has no Android support (Debian's bazel-bootstrap is built without it); "
                  "install Bazel from https://bazel.build (or bazelisk) and pass --bazel PATH")
    if version is not None and version.message:
        notes += f"\nnote: {version.message}"
    return notes


class DockerBazel:
    """TensorFlow's tflite-android Docker image running the same Bazel commands."""

    def __init__(
        self,
        dockerfile_root: Path,
        *,
        checkpoint: Optional[str] = None,
        docker: str = "docker",
        cache_dir: Optional[Path] = None,
        image: str = DOCKER_IMAGE,
        configure_answers: Sequence[str] = tfscripts.KNOWN_CONFIGURE_ANSWERS,
    ) -> None:
        self.src = Path(dockerfile_root)
        #: What the revision's build_aar_with_docker.sh pipes into ./configure (see tfscripts).
        self.configure_answers = tuple(configure_answers)
        self.checkpoint = checkpoint
        self.docker = docker
        self.cache_dir = cache_dir
        self.image = image

    def image_argv(self) -> list[str]:
        dockerfile = self.src / DOCKERFILE
        return [self.docker, "build", "-t", self.image, "-f", str(dockerfile), str(dockerfile.parent)]

    def container_script(self, plan: BuildPlan, package: Package) -> str:
        startup = ("--output_user_root=/bazel_cache",) if self.cache_dir else ()
        lines = [
            "set -e",
            "yes | sdkmanager --licenses > /dev/null",
            'sdkmanager "build-tools;${ANDROID_BUILD_TOOLS_VERSION}" "platform-tools" '
            '"platforms;android-${ANDROID_API_LEVEL}"',
        ]
        if self.checkpoint:
            lines += [
                f"git clone --filter=blob:none {TF_GIT_URL} /tensorflow_src",
                f"git -C /tensorflow_src checkout {shlex.quote(self.checkpoint)}",
            ]
        lines += [
            "cd /tensorflow_src",
            *self.configure_lines(),
            # "/." copies the package's folders (models/, custom_ops/) too.
            f"rm -rf {package.path} && mkdir -p {package.path} && cp -R /tflite_slim_pkg/. {package.path}/",
        ]
        for t in plan.targets:
            lines.append(process.format_argv(bazel_build_argv("bazel", plan, package.path, t, startup_args=startup)))
            lines.append(f"cp bazel-bin/{package.path}/{t}.aar /out/")
        lines.append(f"rm -rf {package.path}")
        return "\n".join(lines)

    def configure_lines(self) -> list[str]:
        """The ``./configure`` step, run in ``/tensorflow_src``, answered as that revision's script answers.

        A mounted tree's answers were read on the host (``configure_answers``).
        A ``--checkpoint`` revision exists only in the container, so its own
        ``build_aar_with_docker.sh`` array is read there (it is that
        revision's code, which the container then builds and runs anyway);
        ``configure_answers`` only when it has none.
        """
        answers = " ".join(shlex.quote(a) for a in self.configure_answers)
        if not self.checkpoint:
            return [f"printf '%s\\n' {answers} | ./configure"]
        script = tfscripts.BUILD_AAR_WITH_DOCKER
        return [
            f"if grep -q '^ *configs=(' {script} 2>/dev/null; then",
            f"  eval \"$(sed -n '/^ *configs=(/,/^ *)/p' {script})\"",
            "else",
            f"  configs=({answers})",
            "fi",
            "printf '%s\\n' \"${configs[@]}\" | ./configure",
        ]

    def run_argv(self, plan: BuildPlan, package: Package, pkg_dir: Path, out_dir: Path) -> list[str]:
        argv = [self.docker, "run", "--rm", "-v", f"{pkg_dir}:/tflite_slim_pkg:ro", "-v", f"{out_dir}:/out"]
        if not self.checkpoint:
            argv += ["-v", f"{self.src}:/tensorflow_src"]
        if self.cache_dir:
            argv += ["-v", f"{self.cache_dir}:/bazel_cache"]
        argv += ["--entrypoint", "/bin/bash", self.image, "-c", self.container_script(plan, package)]
        return argv

    def commands(self, plan: BuildPlan, package: Package) -> list[list[str]]:
        return [self.image_argv(), self.run_argv(plan, package, Path("<package>"), Path("<out>"))]

    def build(self, plan: BuildPlan, package: Package, work: Path, log: Log = stderr_log) -> dict[str, Path]:
        """Build the image, run the container; return target -> AAR path in ``work/out``."""
        require_docker(self.docker)
        if not (self.src / DOCKERFILE).is_file():
            raise ToolchainError(f"{self.src / DOCKERFILE} is missing: the Docker backend needs TensorFlow's "
                                 "tflite-android.Dockerfile from --source or --tensorflow-version")
        pkg_dir, out_dir = work / "package", work / "out"
        package.write(pkg_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        if self.cache_dir:
            Path(self.cache_dir).mkdir(parents=True, exist_ok=True)
        sink = _timed(log)
        try:
            process.run(self.image_argv(), stream=True, on_line=sink, what="docker build")
            process.run(self.run_argv(plan, package, pkg_dir, out_dir), stream=True, on_line=sink, what="docker run")
        except CommandFailed as e:
            raise BuildError(str(e)) from e
        outputs = {}
        for t in plan.targets:
            aar = out_dir / f"{t}.aar"
            if not aar.is_file():
                raise BuildError(f"the container finished but did not write {t}.aar; check its output above")
            outputs[t] = aar
        return outputs
