"""``--backend docker``: TensorFlow's tflite-android Docker image running the same Bazel commands.

TensorFlow's ``tensorflow/tools/dockerfiles/tflite-android.Dockerfile`` image
(Android SDK/NDK inside) is built once, then a container runs what
``build_aar_with_docker.sh`` runs inside: the SDK licences and packages,
``./configure`` with the answers that revision's script pipes into it (read
from the tree; recent scripts answer clang ``Y`` with
``/usr/lib/llvm-18/bin/clang``, older ones ``N``), and our Bazel commands. The source is
a copy, made in the container, of the tree mounted read-only (nothing is
written into the user's tree), or, with ``--checkpoint REV``, a fresh clone checked out
at a commit, branch or tag (TensorFlow's documented ``--checkpoint`` flag).
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path
from typing import Optional, Sequence

from tflite_slim import process
from tflite_slim.analysis.opset import OpSet
from tflite_slim.errors import BuildError, CommandFailed, TfliteSlimError, ToolchainError, ToolMissing, UsageError
from tflite_slim.runtime.trees import tfscripts
from tflite_slim.runtime.backends.base import Backend, BackendAsked, BackendJob, Package, timed
from tflite_slim.runtime.trees.layout import LITERT, SourceLayout
from tflite_slim.runtime.spec.plan import BuildPlan, bazel_build_argv

TF_GIT_URL = "https://github.com/tensorflow/tensorflow.git"
DOCKER_IMAGE = "tflite-builder"
DOCKERFILE = "tensorflow/tools/dockerfiles/tflite-android.Dockerfile"
#: Where the host's tree appears in the container (read-only); the build runs in a copy at /tensorflow_src.
HOST_TREE = "/tensorflow_host"


def create(s: BackendAsked) -> "DockerBazel":
    if s.compiler_cache.remote or s.compiler_cache.bazel_public:
        raise UsageError("--compiler-cache-remote/--bazel-public-cache: the Docker backend keeps Bazel's cache "
                         "in <cache dir>/docker-bazel; a shared remote cache is for --backend local or cmake")
    bazel_cache = s.cache_root / "docker-bazel" if s.use_cache else None
    return DockerBazel(checkpoint=s.checkpoint, docker=s.docker, cache_dir=bazel_cache)


def copy_tree_lines(host: str = HOST_TREE, work: str = "/tensorflow_src") -> list[str]:
    """Shell lines copying the mounted tree to where the container builds (no .git, no bazel-* links).

    ``./configure`` rewrites ``.tf_configure.bazelrc`` and Bazel writes its
    links and our package into the workspace, as root: in the mounted tree that
    changed (and left root-owned files in) the user's checkout. The copy keeps
    modification times, and its path is always the same, so Bazel's cache in
    ``--cache-dir`` still applies.
    """
    return [
        f"mkdir -p {work}",
        f"(set -o pipefail; tar -C {host} --exclude=./.git --exclude='./bazel-*' -cf - . | tar -C {work} -xf -)",
    ]


#: How long ``docker info`` may take to answer (a daemon that does not answer is as good as down).
DOCKER_INFO_TIMEOUT = 30.0


def require_docker(docker: str) -> None:
    """The Docker client must be there and its daemon answer ``docker info`` (checked before any download,
    and before the build): a daemon that is down is said at once, not after the source is downloaded."""
    if shutil.which(docker) is None:
        raise ToolMissing(
            f"--backend docker: '{docker}' was not found; install Docker Engine "
            "(https://docs.docker.com/engine/install/), pass --docker PATH, or build locally with --source DIR"
        )
    try:
        done = process.run([docker, "info"], check=False, what="docker info", timeout=DOCKER_INFO_TIMEOUT)
        reason = None if done.returncode == 0 else _first_error(done.stderr or done.stdout)
    except TfliteSlimError as e:
        reason = str(e).splitlines()[0]
    if reason is not None:
        raise ToolMissing(f"--backend docker: the Docker daemon does not answer `{docker} info` ({reason}); start it "
                          "(sudo systemctl start docker, or Docker Desktop), or build without Docker (--backend cmake)")


def _first_error(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower() or "cannot" in line.lower()]
    return process.redact_urls((errors or lines or ["no output"])[0])[:300]


class DockerBazel(Backend):
    """TensorFlow's tflite-android Docker image running the same Bazel commands."""

    #: The image pins the SDK/NDK per revision.
    uses_host_android = False

    def __init__(
        self,
        *,
        checkpoint: Optional[str] = None,
        docker: str = "docker",
        cache_dir: Optional[Path] = None,
        image: str = DOCKER_IMAGE,
    ) -> None:
        self.checkpoint = checkpoint
        self.docker = docker
        self.cache_dir = cache_dir
        self.image = image
        self._stopper = process.Stopper()

    def unsupported_ops(self, ops: OpSet) -> Optional[str]:
        """None: Bazel builds every op set (Flex ops into the select-TF-ops AAR, as build_aar.sh does)."""
        return None

    def unsupported(self, layout: SourceLayout) -> Optional[str]:
        if layout is LITERT:
            return "--backend docker builds in TensorFlow's image; build LiteRT with the local backend"
        return None

    def configure_answers(self, job: BackendJob) -> tuple[str, ...]:
        """What the mounted revision's build_aar_with_docker.sh pipes into ./configure (see tfscripts)."""
        mounted = job.root if not self.checkpoint else None
        return (tfscripts.read_configure_answers(mounted) if mounted is not None
                else None) or tfscripts.KNOWN_CONFIGURE_ANSWERS

    def notes(self, job: BackendJob) -> list[str]:
        if self.checkpoint:
            return [f"./configure answers: read in the container from checkpoint {self.checkpoint}'s "
                    "build_aar_with_docker.sh (the newest script's answers if it has none)"]
        if job.root is not None and tfscripts.read_configure_answers(job.root) is not None:
            return []
        where = (f"{job.root / tfscripts.BUILD_AAR_WITH_DOCKER} is missing or not shaped as expected"
                 if job.root is not None else f"the {job.layout.title} source is not downloaded yet")
        return [f"./configure answers: the newest build_aar_with_docker.sh's ({where})"]

    def image_argv(self, root: Path) -> list[str]:
        dockerfile = root / DOCKERFILE
        return [self.docker, "build", "-t", self.image, "-f", str(dockerfile), str(dockerfile.parent)]

    def container_script(self, plan: BuildPlan, package: Package, answers: Sequence[str]) -> str:
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
        else:
            lines += copy_tree_lines()
        lines += [
            "cd /tensorflow_src",
            *self.configure_lines(answers),
            # "/." copies the package's folders (models/, custom_ops/) too.
            f"rm -rf {package.path} && mkdir -p {package.path} && cp -R /tflite_slim_pkg/. {package.path}/",
        ]
        for t in plan.targets:
            lines.append(process.format_argv(bazel_build_argv("bazel", plan, package.path, t, startup_args=startup)))
            lines.append(f"cp bazel-bin/{package.path}/{t}.aar /out/")
        lines.append(f"rm -rf {package.path}")
        return "\n".join(lines)

    def configure_lines(self, answers: Sequence[str] = tfscripts.KNOWN_CONFIGURE_ANSWERS) -> list[str]:
        """The ``./configure`` step, run in ``/tensorflow_src``, answered as that revision's script answers.

        A mounted tree's answers were read on the host (``answers``).
        A ``--checkpoint`` revision exists only in the container, so its own
        ``build_aar_with_docker.sh`` array is read there (it is that
        revision's code, which the container then builds and runs anyway);
        ``answers`` only when it has none.
        """
        quoted = " ".join(shlex.quote(a) for a in answers)
        if not self.checkpoint:
            return [f"printf '%s\\n' {quoted} | ./configure"]
        script = tfscripts.BUILD_AAR_WITH_DOCKER
        return [
            f"if grep -q '^ *configs=(' {script} 2>/dev/null; then",
            f"  eval \"$(sed -n '/^ *configs=(/,/^ *)/p' {script})\"",
            "else",
            f"  configs=({quoted})",
            "fi",
            "printf '%s\\n' \"${configs[@]}\" | ./configure",
        ]

    def run_argv(self, root: Path, plan: BuildPlan, package: Package, pkg_dir: Path, out_dir: Path,
                 answers: Sequence[str] = tfscripts.KNOWN_CONFIGURE_ANSWERS) -> list[str]:
        argv = [self.docker, "run", "--rm", "-v", f"{pkg_dir}:/tflite_slim_pkg:ro", "-v", f"{out_dir}:/out"]
        if not self.checkpoint:
            # Read-only: ./configure and Bazel (as root) work on a copy, never in the user's checkout.
            argv += ["-v", f"{root}:{HOST_TREE}:ro"]
        if self.cache_dir:
            argv += ["-v", f"{self.cache_dir}:/bazel_cache"]
        argv += ["--entrypoint", "/bin/bash", self.image, "-c", self.container_script(plan, package, answers)]
        return argv

    def commands(self, job: BackendJob) -> list[list[str]]:
        return [self.image_argv(job.tree), self.run_argv(job.tree, job.plan, job.package, Path("<package>"),
                                                         Path("<out>"), self.configure_answers(job))]

    def require_tools(self, layout: SourceLayout) -> None:
        require_docker(self.docker)

    def prepare(self, job: BackendJob) -> None:
        self.require_tools(job.layout)
        if not (job.tree / DOCKERFILE).is_file():
            raise ToolchainError(f"{job.tree / DOCKERFILE} is missing: the Docker backend needs TensorFlow's "
                                 "tflite-android.Dockerfile from --source or --tensorflow-version")

    def build(self, job: BackendJob) -> dict[str, Path]:
        """Build the image, run the container; return target -> AAR path in ``job.work/out``."""
        pkg_dir, out_dir = job.work / "package", job.work / "out"
        job.package.write(pkg_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        if self.cache_dir:
            Path(self.cache_dir).mkdir(parents=True, exist_ok=True)
        sink = timed(job.log)
        run_argv = self.run_argv(job.tree, job.plan, job.package, pkg_dir, out_dir, self.configure_answers(job))
        try:
            process.run(self.image_argv(job.tree), stream=True, on_line=sink, what="docker build",
                        stopper=self._stopper)
            process.run(run_argv, stream=True, on_line=sink, what="docker run", stopper=self._stopper)
        except CommandFailed as e:
            raise BuildError(str(e)) from e
        outputs = {}
        for t in job.plan.targets:
            aar = out_dir / f"{t}.aar"
            if not aar.is_file():
                raise BuildError(f"the container finished but did not write {t}.aar; check its output above")
            outputs[t] = aar
        return outputs

    def stop(self) -> None:
        self._stopper.stop()
