"""``--backend local``: Bazel in the LiteRT/TensorFlow tree on this machine, configured for Android.

The package is written to ``<tree>/tflite_slim_build/p<fp16>/`` (one per plan,
so concurrent or interrupted runs never mix), Bazel runs from the tree's root,
and the package is removed after a successful build (kept after a failure, for
inspection; the next build of that plan replaces it). A release we downloaded
is configured for Android just before Bazel runs (only when not configured so
already); a user's checkout never is. A tree whose WORKSPACE reads the SDK/NDK
from the environment (LiteRT's own CI setup) is never configured: the plan
passes them as ``--action_env``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Optional, Sequence

from tflite_slim import process
from tflite_slim.analysis.opset import OpSet
from tflite_slim.errors import BuildError, CommandFailed, ToolchainError, ToolMissing
from tflite_slim.runtime.backends import bazelversion
from tflite_slim.runtime.trees import android, tfscripts
from tflite_slim.runtime.backends import compiler_cache
from tflite_slim.runtime.backends.base import Backend, BackendAsked, BackendJob, timed
from tflite_slim.runtime.trees.layout import TENSORFLOW, SourceLayout
from tflite_slim.runtime.spec.plan import bazel_build_argv
from tflite_slim.runtime.trees.tfsource import check_android_configured

#: What a Bazel built without Android support (Debian's bazel-bootstrap) says about build_aar.sh's flag.
_NO_ANDROID = "Unrecognized option: --fat_apk_cpu"


def create(s: BackendAsked) -> "LocalBazel":
    return LocalBazel(bazel=s.bazel, cache=s.compiler_cache)


def require_bazel(bazel: str, layout: SourceLayout = TENSORFLOW) -> None:
    """Bazel (or bazelisk) must be there for a local build (checked before any download)."""
    if shutil.which(bazel) is None:
        # Docker builds TensorFlow only: a LiteRT build's advice does not offer it.
        docker = ", or build in Docker with --backend docker" if layout is TENSORFLOW else ""
        raise ToolMissing(f"bazel: '{bazel}' was not found; install Bazel (bazelisk) or pass --bazel PATH{docker}")


class LocalBazel(Backend):
    """Bazel in a TensorFlow or LiteRT tree configured for Android."""

    uses_host_android = True

    def __init__(self, bazel: str = "bazel", startup_args: Sequence[str] = (),
                 cache: compiler_cache.CacheSettings = compiler_cache.CacheSettings()) -> None:
        self.bazel = bazel
        self.startup_args = tuple(startup_args)
        self.cache = cache
        self._stopper = process.Stopper()

    def unsupported_ops(self, ops: OpSet) -> Optional[str]:
        """None: Bazel builds every op set (Flex ops into the select-TF-ops AAR, as build_aar.sh does)."""
        return None

    def bazel_commands(self, job: BackendJob) -> list[list[str]]:
        cache_args = compiler_cache.bazel_args(self.cache, tfscripts.read_text(job.tree, ".bazelrc"))
        return [bazel_build_argv(self.bazel, job.plan, job.package.path, t, startup_args=self.startup_args,
                                 cache_args=cache_args)
                for t in job.plan.targets]

    def commands(self, job: BackendJob) -> list[list[str]]:
        """The configure.py run a build would start with (if any), then the ``bazel build`` per target."""
        return self._configure_command(job) + self.bazel_commands(job)

    def _configure_command(self, job: BackendJob) -> list[list[str]]:
        config = job.plan.android
        if not job.release or config is None or not job.needs_configure:
            return []  # a user's checkout, and a tree that reads the environment, are never configured by us
        if job.root is not None and config.same_settings(android.read_configured(job.root, job.layout,
                                                                                 job.configure_rc)):
            return []
        env = android.configure_env(config)
        return [["env", *(f"{k}={v}" for k, v in sorted(env.items())),
                 *android.configure_argv(job.tree, "<temp>", env)]]

    def problems(self, job: BackendJob) -> list[str]:
        """A user's checkout that is not configured for Android (we never configure it), or a tree that
        reads the Android SDK/NDK from the environment when the environment has none."""
        if job.root is None:
            return []
        if not job.needs_configure:
            if job.plan.android is not None:
                return []
            try:
                android.resolve(layout=job.layout)
            except ToolchainError as e:
                return [f"{job.root} reads the Android SDK/NDK from the environment: {e}"]
            return []
        if job.release:
            return []
        try:
            check_android_configured(job.root, job.layout, job.configure_rc)
        except ToolchainError as e:
            return [str(e)]
        return []

    def require_tools(self, layout: SourceLayout) -> None:
        require_bazel(self.bazel, layout)

    def prepare(self, job: BackendJob) -> None:
        assert job.root is not None
        self.require_tools(job.layout)
        if not job.needs_configure:
            return  # the SDK/NDK reach Bazel as the plan's --action_env flags
        if job.release and job.plan.android is not None:
            android.ensure_configured(job.root, job.plan.android, bazel=self.bazel, log=job.log, layout=job.layout,
                                      rc_name=job.configure_rc)
        check_android_configured(job.root, job.layout, job.configure_rc)

    def build(self, job: BackendJob) -> dict[str, Path]:
        """Run the build; return target -> AAR path under ``bazel-bin``."""
        assert job.root is not None
        root, package, log = job.root, job.package, job.log
        version = bazelversion.check(self.bazel, root)
        if version is not None and version.message:
            log(f"tflite-slim: warning: {version.message}")
        pkg_dir = root / package.path
        package.write(pkg_dir)
        outputs: dict[str, Path] = {}
        keep = False
        try:
            for target, argv in zip(job.plan.targets, self.bazel_commands(job)):
                log(f"tflite-slim: {process.display_argv(argv)}")
                try:
                    process.run(argv, cwd=str(root), stream=True, on_line=timed(log),
                                what=f"bazel build :{target}", stopper=self._stopper)
                except CommandFailed as e:
                    keep = True  # the user will want to look at what Bazel refused
                    raise BuildError(f"{e}{_failure_notes(e, self.bazel, version)}\n"
                                     f"The generated package is kept in {pkg_dir} for inspection.") from e
                except ToolchainError as e:
                    raise type(e)(f"{e}: install Bazel (bazelisk) or pass --bazel PATH") from e
                aar = root / "bazel-bin" / package.path / f"{target}.aar"
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

    def stop(self) -> None:
        self._stopper.stop()


def _failure_notes(e: CommandFailed, bazel: str, version: Optional[bazelversion.VersionCheck]) -> str:
    """What most likely explains a failed ``bazel build``, when we can tell."""
    notes = ""
    if _NO_ANDROID in e.stderr:
        notes += (f"\nnote: '{bazel}' has no Android support (Debian's bazel-bootstrap is built without it); "
                  "install Bazel from https://bazel.build (or bazelisk) and pass --bazel PATH")
    if version is not None and version.message:
        notes += f"\nnote: {version.message}"
    return notes
