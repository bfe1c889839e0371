"""What TFLite's CMake build would download, fetched by tflite-slim instead: its dependencies at the
tree's pins and the TensorFlow files LiteRT's build reads.

Enters: the tree (its ``tools/cmake/modules/*.cmake`` pins, :mod:`tflite_slim.runtime.trees.cmakedeps`),
the CMake settings (``--cmake-dep-source``, ``--tensorflow-source-dir``, ``--dep-mirror``) and the
cache root. Leaves: :class:`Fetched`, the directories CMake is given (``FETCHCONTENT_SOURCE_DIR_<NAME>``,
``TENSORFLOW_SOURCE_DIR``), each downloaded once through the HTTP seam and checked
(:mod:`tflite_slim.runtime.trees.depfetch`), and what cannot be fetched, said before anything runs.

With XNNPACK, what XNNPACK's own CMake would download (FXdiv, KleidiAI) is read from XNNPACK's tree, so
it is known once XNNPACK is there (cached, fetched, or ``--cmake-dep-source xnnpack=DIR``): until then
:attr:`Fetched.pending` says so, and the backend reads the sources again after the first fetch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from tflite_slim.errors import NetworkError
from tflite_slim.http import HttpClient
from tflite_slim.runtime.backends.cmake.project import CmakeSettings
from tflite_slim.runtime.trees import cmakedeps, depfetch
from tflite_slim.runtime.trees.layout import LITERT, SourceLayout
from tflite_slim.runtime.trees.tfsource import check_free_space


@dataclass(frozen=True)
class Fetched:
    """The sources a build fetches (:func:`sources`) and what cannot be fetched."""

    deps: tuple[depfetch.Source, ...]
    tensorflow: Optional[depfetch.Source]
    #: A checkout's own ``third_party/tensorflow`` submodule, when it holds what the build reads.
    submodule: Optional[str]
    problems: tuple[str, ...]
    #: Dependencies whose source the tree computes at configure time: left to CMake's own download.
    left: tuple[str, ...] = ()
    #: Name -> the CMake variable a directory of it is given in (every pin read, the user's own too).
    variables: tuple[tuple[str, str], ...] = ()
    #: XNNPACK is to be fetched and its own dependencies are not read yet.
    pending: bool = False
    #: XNNPACK's tree, once it is here (fetched, or the user's).
    xnnpack_dir: Optional[str] = None

    def all(self) -> tuple[depfetch.Source, ...]:
        return (*self.deps, *([self.tensorflow] if self.tensorflow else []))

    def directories(self, settings: CmakeSettings) -> tuple[dict[str, str], Optional[str]]:
        """``(FetchContent name -> directory, TENSORFLOW_SOURCE_DIR)`` for CMake: the user's own first."""
        deps = {**{f.pin.name: str(f.directory) for f in self.deps}, **settings.dep_sources}
        tensorflow = settings.tensorflow_dir or (str(self.tensorflow.directory) if self.tensorflow else None) \
            or self.submodule
        return deps, tensorflow


def sources(settings: CmakeSettings, cache_root: Path, tree: Path, lite: Path, layout: SourceLayout,
            release: Optional[str]) -> Fetched:
    """What the tree's CMake build would download, as our fetches."""
    deps, unfetchable, left = [], [], []
    pins = cmakedeps.read_pins(lite)
    pending, xnnpack_dir = False, None
    if settings.xnnpack and "xnnpack" in pins:
        xnnpack_dir = _xnnpack_dir(settings, pins["xnnpack"], cache_root)
        if xnnpack_dir is None:
            pending = True
        else:  # its own downloads, where the tree pins none of the same name (cpuinfo, pthreadpool)
            own = cmakedeps.read_downloads(xnnpack_dir, "XNNPACK's")
            pins.update({n: own[n] for n in cmakedeps.NEEDED_BY_XNNPACK if n in own and n not in pins})
    chosen = cmakedeps.wanted(pins, cmakedeps.needed(settings.xnnpack))
    for pin in chosen:
        if pin.name in settings.dep_sources:
            continue
        if pin.computed:
            left.append(pin.name)
            continue
        source = depfetch.source_for(pin, cache_root, settings.dep_mirror) \
            if cmakedeps.safe_revision(pin.revision) else None
        if source is None:
            unfetchable.append(f"{pin.name} ({pin.where}: {pin.repository or pin.url or 'no URL'} at "
                               f"{pin.revision or 'no revision'})")
        else:
            deps.append(source)
    problems = []
    if unfetchable:
        names = " ".join(f"--cmake-dep-source {u.split(' ', 1)[0]}=DIR" for u in unfetchable)
        problems.append(f"CMake dependencies tflite-slim cannot download as archives: {'; '.join(unfetchable)}; "
                        f"give {names}, or --dep-mirror URL")
    tensorflow, submodule = None, None
    if layout is LITERT and not settings.tensorflow_dir:
        checked_out = tree / "third_party" / "tensorflow"
        if not cmakedeps.missing_tensorflow_paths(checked_out):
            submodule = str(checked_out)  # a checkout with its submodule: TensorFlow is already there
        else:
            pin = cmakedeps.tensorflow_pin(lite, release)
            if pin is not None and cmakedeps.safe_revision(pin.revision):
                tensorflow = depfetch.source_for(pin, cache_root, settings.dep_mirror, only=cmakedeps.TENSORFLOW_PATHS)
            if tensorflow is None:
                problems.append(f"LiteRT {release or 'at ' + str(tree)}: tflite-slim knows no TensorFlow revision for "
                                "this tree (its CMake files name none; docs/sources.md lists the releases it "
                                "knows); give --tensorflow-source-dir DIR, a TensorFlow checkout at the revision "
                                "the tree was released with")
    variables = tuple((p.name, p.source_variable) for p in chosen) + tuple(
        (n, v) for n, v in zip(cmakedeps.NEEDED_BY_XNNPACK, cmakedeps.XNNPACK_OWN_VARIABLES)
        if n in settings.dep_sources and n not in pins)  # the user's, before XNNPACK's own pins are read
    return Fetched(tuple(deps), tensorflow, submodule, tuple(problems), tuple(left), variables, pending,
                   str(xnnpack_dir) if xnnpack_dir is not None else None)


def _xnnpack_dir(settings: CmakeSettings, pin: cmakedeps.Pin, cache_root: Path) -> Optional[Path]:
    """XNNPACK's tree when it is here: the user's directory, or a complete fetch of the pin."""
    if "xnnpack" in settings.dep_sources:
        return Path(settings.dep_sources["xnnpack"])
    source = depfetch.source_for(pin, cache_root, settings.dep_mirror) \
        if cmakedeps.safe_revision(pin.revision) else None
    return source.directory if source is not None and depfetch.intact(source) else None


def fetch(fetched: Fetched, cache_root: Path, log: Callable[[str], None]) -> None:
    """Download what ``fetched`` names and is not cached yet (one HTTP client for all)."""
    todo = [f for f in fetched.all() if not depfetch.intact(f)]
    if not todo:
        return
    check_free_space(cache_root)  # a --source build downloads here first (a release was checked)
    with HttpClient() as client:
        for source in todo:
            try:
                depfetch.fetch(source, client, log)
            except NetworkError as e:
                name = source.pin.name
                own = ("--tensorflow-source-dir DIR (a TensorFlow checkout at that revision)" if name == "tensorflow"
                       else f"--cmake-dep-source {name}=DIR (a checkout at that revision)")
                raise NetworkError(f"{e}; to build offline give {own}, or fetch from a mirror holding "
                                   f"{name}/{source.pin.revision}.tar.gz with --dep-mirror URL") from e
