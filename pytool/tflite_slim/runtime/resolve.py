"""Phase 2, resolve the source tree: which tree, its kind and revision, its Android settings, its facts.

A user's ``--source`` checkout is described as it is (never changed); a
``--tensorflow-version``/``--litert-version`` release is taken from the cache or
downloaded into it (not in a dry run; the SDK/NDK a local build needs and the
backend's tools are checked first, so a missing one is said before the download,
not after it). Then what the plan needs from the tree is read once, here: the
Android settings a local build uses, and what that revision's own build files
say (:mod:`tflite_slim.runtime.trees.tfscripts`): the runtime macro's parameters,
build_aar.sh's flags, the flex package files.

What the tree and the machine are seen to say (the release's own version, the
API level the tree sets, the NDK found) is checked here against what was
declared (:mod:`tflite_slim.runtime.trees.observed`): a contradiction stops the run,
a dry run or ``plan`` included, before anything is planned under that version.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Optional

from tflite_slim.errors import ToolchainError, UsageError
from tflite_slim.http import HttpClient
from tflite_slim.runtime.trees import android, litert2, observed, tfscripts
from tflite_slim.runtime.trees.androidtree import TreeAndroid
from tflite_slim.runtime.backends.base import Backend, Log
from tflite_slim.runtime.trees.layout import LITERT, TENSORFLOW, SourceLayout
from tflite_slim.runtime.trees.tfsource import (TensorflowSource, cached_source, check_free_space, check_version,
                                                detect_source, fetch_source)

#: Files build_aar.sh copies from tensorflow/lite/java into the package for the flex AAR
#: (taken from the layout's ``<lite_dir>/java``: LiteRT keeps them in ``tflite/java``).
FLEX_PACKAGE_FILES = ("AndroidManifest.xml", "proguard.flags")


@dataclass(frozen=True)
class SourceAsked:
    """The settings this phase reads."""

    #: ``--source``: the user's checkout (exactly one of checkout and release is set).
    checkout: Optional[str]
    #: ``--tensorflow-version``/``--litert-version``, and the layout that names.
    release: Optional[str]
    release_layout: SourceLayout
    cache: Path
    #: ``--checkpoint``: the revision the Docker backend clones instead of building the host tree.
    checkpoint: Optional[str]
    dry_run: bool
    #: ``--ndk-version`` / ``--android-api-level``: declared, checked against what is found.
    ndk_version: Optional[str] = None
    android_api_level: Optional[int] = None
    #: The ABIs to build (the backend's toolchain for them is observed here).
    abis: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceTree:
    """The tree the build uses and what was read from it."""

    #: None only in a dry run that would download the release.
    source: Optional[TensorflowSource]
    layout: SourceLayout
    #: The revision the plan records (a checkpoint's when one is cloned).
    version: str
    commit: Optional[str]
    #: The release we downloaded (a tree we own), None for the user's checkout.
    release: Optional[str]
    checkpoint: Optional[str]
    #: The Android settings a backend that uses the host's SDK/NDK builds with (else None).
    android: Optional[android.AndroidConfig]
    #: The host tree that is the revision built (None: not downloaded yet, or a checkpoint is cloned).
    built: Optional[Path]
    #: The runtime macro's parameters in :attr:`built` (None: unknown).
    runtime_parameters: Optional[tuple[str, ...]]
    #: build_aar.sh's per-label flags in :attr:`built` (TensorFlow only; None: unknown).
    script_flags: Optional[dict[str, tuple[str, ...]]]
    #: (host path, name in the package) of the :data:`FLEX_PACKAGE_FILES` the tree has.
    flex_package_files: tuple[tuple[str, str], ...]
    #: What :attr:`built`'s .bazelrc and WORKSPACE say about its Android build (None: not read).
    facts: Optional[TreeAndroid] = None
    #: Observed: the minimum API level the native libraries are built for (None: unknown).
    min_api_level: Optional[int] = None
    #: Observed: the backend's toolchain (``Backend.observe``), checked against the declared NDK.
    toolchain: tuple[tuple[str, str], ...] = ()

    @property
    def environment_configured(self) -> bool:
        """The tree reads the SDK/NDK from the environment (no ./configure): they are passed as ``--action_env``."""
        return self.facts is not None and not self.facts.needs_configure

    @property
    def root(self) -> Optional[Path]:
        return self.source.root if self.source is not None else None

    @property
    def has_experimental_attr(self) -> bool:
        """Whether the runtime macro takes ``experimental`` (unknown: assume a current release does)."""
        return self.runtime_parameters is None or "experimental" in self.runtime_parameters

    @property
    def unread(self) -> str:
        """Why :attr:`built` is None, for notes: what was not read and why."""
        if self.checkpoint:
            return f"checkpoint {self.checkpoint} is cloned in the container"
        return f"the {self.layout.title} source is not downloaded yet"


def resolve(asked: SourceAsked, backend: Backend, log: Log) -> SourceTree:
    """Find or fetch the tree, check the backend can build it, and read what the plan needs from it."""
    source, version, commit = _source(asked, backend, log)
    layout = source.layout if source is not None else asked.release_layout
    config = _android(asked, backend, source, layout, log)
    # The host tree is the revision built unless a Docker checkpoint is cloned instead.
    built = source.root if source is not None and not asked.checkpoint else None
    facts = source.android if built is not None and source is not None and backend.reads_tree_android else None
    # The level the libraries are built for: the tree's (checked against a declared one), or the declared one
    # for a backend that passes it to its own toolchain (CMake's ANDROID_PLATFORM).
    min_api = observed.min_api_level(facts, config) if backend.reads_tree_android else asked.android_api_level
    observed.check_api_level(asked.android_api_level, min_api, f"{source.root if source else 'the tree'}")
    observed.check_ndk(asked.ndk_version, config)
    toolchain = backend.observe(asked.abis, asked.android_api_level, asked.ndk_version, dry_run=asked.dry_run)
    params = tfscripts.runtime_macro_parameters(built, layout.marker) if built is not None else None
    # LiteRT's in-tree build_aar.sh still names TensorFlow's labels: its flags are the layout's.
    script_flags = tfscripts.read_build_flags(built) if built is not None and layout is TENSORFLOW else None
    flex_files: tuple[tuple[str, str], ...] = ()
    if source is not None:
        java = source.root / layout.lite_dir / "java"
        flex_files = tuple((str(java / f), f) for f in FLEX_PACKAGE_FILES if (java / f).is_file())
    return SourceTree(source, layout, version, commit, asked.release, asked.checkpoint, config, built,
                      params, script_flags, flex_files, facts, min_api, toolchain)


def _source(asked: SourceAsked, backend: Backend,
            log: Log) -> tuple[Optional[TensorflowSource], str, Optional[str]]:
    """The source tree (None in a dry run that would download), and the version/commit for the plan."""
    src: Optional[TensorflowSource]
    if asked.checkout:
        src = detect_source(asked.checkout)
        refused = backend.unsupported(src.layout)
        if refused:
            raise UsageError(refused)
        line = litert2.line_of_tree(src.root) if src.layout is LITERT else None
        if line is not None:
            log(litert2.tree_note(src.root, line, src.version))
        version, commit = src.version, src.commit
    else:
        layout, release = asked.release_layout, str(asked.release)
        check_version(release, layout)
        src = cached_source(release, asked.cache, layout)
        if src is None and not asked.dry_run:
            # Everything the build needs is checked before the long download, not after it: the SDK/NDK
            # and the backend's tools here, --out and the cache by settings.read.
            if backend.uses_host_android:
                android.resolve(layout=layout)
            backend.require_tools(layout)
            check_free_space(asked.cache)
            with HttpClient() as client:
                src = fetch_source(release, asked.cache, client, progress=_progress(log, layout), layout=layout)
        if src is not None:
            observed.check_release(layout.version_option, release, src.version, str(src.root))
        # The named release is the version; the archive's commit is observed (recorded, not hashed).
        version, commit = release, (src.commit if src else None)
    if asked.checkpoint:
        # The container builds the checkpoint, not the host tree: record that revision instead.
        tag = asked.checkpoint[1:] if asked.checkpoint.startswith("v") else asked.checkpoint
        if tag.count(".") == 2 and tag.replace(".", "").replace("-rc", "").isdigit():
            version, commit = tag, None
        else:
            commit = asked.checkpoint
    return src, version, commit


def _android(asked: SourceAsked, backend: Backend, source: Optional[TensorflowSource], layout: SourceLayout,
             log: Log) -> Optional[android.AndroidConfig]:
    """The Android settings a local build uses (None for Docker: the image pins them).

    A user's checkout that needs ./configure: what it wrote (None if it was
    not; the backend's prepare then stops with the fix). A downloaded tree, or
    one whose WORKSPACE reads the SDK/NDK from the environment (never
    configured): the environment's answers (a dry run only notes what is
    missing). The API level is the one the tree's NDK repository sets, else
    the declared one for a release we configure.
    """
    if not backend.uses_host_android:
        return None
    needs_configure = source is None or source.needs_configure
    if asked.checkout and needs_configure:
        return android.read_configured(source.root, layout, source.configure_rc) if source else None
    existing = android.read_configured(source.root, layout, source.configure_rc) if source and needs_configure else None
    try:
        config = android.resolve(existing=existing, layout=layout)
    except ToolchainError as e:
        if not asked.dry_run:
            raise
        if not asked.checkout:  # a checkout's missing environment is one of the dry run's problems instead
            log(f"tflite-slim: note: {e}")
        return None
    if source is not None and not needs_configure and source.android and source.android.workspace_api_level:
        # configure.py's answer is not asked here: the tree's NDK repository sets the level.
        config = replace(config, ndk_api_level=str(source.android.workspace_api_level))
    if asked.android_api_level is not None and needs_configure and not asked.checkout:
        # Our own download is configured with the declared level (an explicit environment answer must agree).
        if os.environ.get("ANDROID_NDK_API_LEVEL"):
            observed.check_api_level(asked.android_api_level, int(config.ndk_api_level), "ANDROID_NDK_API_LEVEL")
        config = replace(config, ndk_api_level=str(asked.android_api_level))
    return config


def _progress(log: Log, layout: SourceLayout = TENSORFLOW) -> Callable[[int, Optional[int]], None]:
    shown = {"step": -1}

    def report(done: int, total: Optional[int]) -> None:
        step = (done * 10 // total) if total else done >> 26  # every 10 %, or every 64 MiB
        if step != shown["step"]:
            shown["step"] = step
            pct = f" {done * 100 // total}%" if total else ""
            of = f" of {total / (1 << 20):.1f} MiB" if total else ""
            log(f"tflite-slim: downloading {layout.title} source{pct} ({done / (1 << 20):.1f} MiB{of})")

    return report
