"""What a TFLite tree's CMake build downloads, read from the tree itself (pure: text in, pins out).

TFLite's CMake build (LiteRT ``tflite/``, TensorFlow ``tensorflow/lite/``) declares each
third-party dependency in ``tools/cmake/modules/<name>.cmake`` with
``OverridableFetchContent_Declare(<name> ...)``: ``GIT_REPOSITORY`` + ``GIT_TAG`` (a commit,
or a tag such as ``v24.3.25``), or ``URL`` + ``URL_HASH SHA256=...``, the URL sometimes held in
a variable ``set()`` earlier in the same file (``NEON2SSE_URL``). Checked against LiteRT at tag
v1.4.1 (``abseil-cpp``, ``cpuinfo``, ``eigen`` on gitlab.com, ``farmhash``, ``fft2d`` by URL,
``flatbuffers``, ``gemmlowp``, ``ml_dtypes``, ``neon2sse`` by a URL variable, ``ruy``) and at
HEAD (2026-08-21, f6745779). Each dependency is fetched at that pin, as an archive (see
:mod:`tflite_slim.runtime.trees.depfetch`), and handed to CMake as
``FETCHCONTENT_SOURCE_DIR_<NAME>``, which FetchContent uses instead of downloading.

XNNPACK (on by default, as stock has it) brings more: ``tools/cmake/modules/xnnpack.cmake`` declares
XNNPACK itself like the others, but its dependencies are downloaded by ``ExternalProject_Add`` in
``cmake/Download<Name>.cmake`` files (the TFLite directory's own for pthreadpool and FP16; XNNPACK's own
for FXdiv and KleidiAI, read from XNNPACK's tree once it is fetched), each skipped when
``<NAME>_SOURCE_DIR`` is defined: :attr:`Pin.variable`. Their ``URL`` is a GitHub archive of a commit
(``.../archive/<commit>.zip``); the commit is the pin (the ``URL_HASH`` is the zip's, and we fetch the
``.tar.gz``, whose ``git archive`` header names the commit). Checked against LiteRT v1.4.1 and XNNPACK
0a655ef5. A pin a tree gets wrong is corrected (:data:`CORRECTED_PINS`).

TensorFlow's own files: LiteRT's ``tflite/CMakeLists.txt`` reads ``TENSORFLOW_SOURCE_DIR``. At
HEAD it declares ``FetchContent_Declare(tensorflow GIT_REPOSITORY ... GIT_TAG v2.21.0-rc0)``
when that is not set, which is read here like the modules. The 1.x tags name no revision in
their CMake files (``TENSORFLOW_SOURCE_DIR`` defaults to the checkout's parent); their
``third_party/tensorflow`` submodule points at 2adc36c6 at every tag, LiteRT's initial import
of 2024-09-04, never moved since, and their Bazel ``WORKSPACE`` takes TensorFlow's ``master``
archive (unpinned). Neither builds v1.4.x: its ``tflite/version.h`` includes
``tensorflow/core/public/release_version.h`` (TensorFlow from 2025-02-20), and its flatbuffers
pin (24.3.25, ``e6463926``) fails the ``static_assert`` of TensorFlow's schema headers once they
were regenerated for 25.x (2025-09). :data:`TENSORFLOW_FOR_RELEASE` names the TensorFlow tag
that satisfies both for a release, with the evidence in ``docs/sources.md``; only the parts the
build reads are kept (:data:`TENSORFLOW_PATHS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Mapping, Optional
from urllib.parse import urlsplit

#: Where a tree keeps its dependency modules, relative to its TFLite directory.
MODULES_DIR = "tools/cmake/modules"
#: The dependencies TFLite's CMakeLists.txt ``find_package``s with XNNPACK and the GPU delegate off (as
#: the CMake backend configures it), checked against LiteRT v1.4.1's ``tflite/CMakeLists.txt``;
#: ``neon2sse`` only for x86 ABIs and ``fp16_headers`` only with NNAPI (Android), both fetched anyway;
#: ``protobuf`` because ``tflite/profiling/proto/CMakeLists.txt`` ``find_package(Protobuf REQUIRED)``s it at
#: configure time (v1.4.1; found by the by-hand build of the real tree, which CMake would otherwise clone).
NEEDED = ("abseil-cpp", "cpuinfo", "eigen", "farmhash", "fft2d", "flatbuffers", "fp16_headers", "gemmlowp",
          "ml_dtypes", "neon2sse", "protobuf", "ruy")
#: What the same CMakeLists.txt adds with ``TFLITE_ENABLE_XNNPACK`` (v1.4.1): ``find_package(XNNPACK)``
#: (``xnnpack.cmake``), pthreadpool and FP16 (``cmake/DownloadPThreadPool.cmake``, ``cmake/DownloadFP16.cmake``).
NEEDED_XNNPACK = ("fp16", "pthreadpool", "xnnpack")
#: What XNNPACK's own CMakeLists.txt downloads unless ``<NAME>_SOURCE_DIR`` is defined, read from its
#: ``cmake/Download*.cmake`` (0a655ef5): FXdiv, and KleidiAI (compiled for arm64 only, fetched for every ABI
#: so one cache serves all). Its cpuinfo and pthreadpool are the tree's (TFLite defines ``CPUINFO_SOURCE_DIR``
#: and ``PTHREADPOOL_SOURCE_DIR`` first); googletest and benchmark only with XNNPACK's tests, which
#: ``xnnpack.cmake`` turns off.
NEEDED_BY_XNNPACK = ("fxdiv", "kleidiai")
#: The variables XNNPACK's CMakeLists.txt reads them from (``ExternalProject_Add(<name>`` -> ``<NAME>_SOURCE_DIR``).
XNNPACK_OWN_VARIABLES = tuple(f"{n.upper()}_SOURCE_DIR" for n in NEEDED_BY_XNNPACK)
#: Where ``ExternalProject_Add`` downloads are declared: the TFLite directory's ``cmake/`` and XNNPACK's.
DOWNLOADS_DIR = "cmake"
#: Pins a tree gets wrong: (name, the tree's revision) -> (the revision used, why). LiteRT v1.4.1's
#: ``xnnpack.cmake`` (commit f60f9664, "Bump XNNPACK version for open source builds") names dc69e899 as
#: XNNPACK's ``GIT_TAG``: that is KleidiAI's commit (XNNPACK pins it in ``cmake/DownloadKleidiAI.cmake``), not
#: XNNPACK's, so upstream's own CMake clone fails ("reference is not a tree"). XNNPACK 0a655ef5 (2025-06-26,
#: the day of that bump) is the commit TensorFlow's ``workspace2.bzl`` pins beside KleidiAI dc69e899 and
#: pthreadpool c2ba5c50, and its own ``cmake/Download*.cmake`` pin exactly the tree's pthreadpool c2ba5c50,
#: cpuinfo de0ce7c7 and that KleidiAI.
CORRECTED_PINS = {
    ("xnnpack", "dc69e899945c412a8ce39ccafd25139f743c60b1"): (
        "0a655ef53812ce9bd8ce2628757cc0f476efcf51",
        "dc69e899 is KleidiAI's commit, not XNNPACK's; XNNPACK 0a655ef5 is the one pinned with it"),
}
#: The TensorFlow tag LiteRT's CMake build of a 1.x release reads, where the tree names none (see the module
#: docstring and docs/sources.md). v1.4.0 and v1.4.1 are LiteRT's main of 2025-06-30 (v1.4.1 adds one
#: commit): TensorFlow 2.20.0 (branch cut July 2025) is the release after that date with
#: ``release_version.h`` and still on flatbuffers 24.3.25. Built and run on the real v1.4.1 tree.
TENSORFLOW_FOR_RELEASE = {"1.4.0": "v2.20.0", "1.4.1": "v2.20.0"}
#: ``third_party/tensorflow`` at every LiteRT 1.x tag (``git ls-tree v1.4.1 third_party/tensorflow``): the
#: 2024-09-04 initial import. Used, unverified, for the releases :data:`TENSORFLOW_FOR_RELEASE` lacks whose
#: ``tflite/version.h`` does not yet include ``release_version.h`` (v1.1.x).
TENSORFLOW_SUBMODULE = {v: "2adc36c677a558b93a454705059baac2b0cdf5a3" for v in (
    "1.0.1", "1.1.0", "1.1.1", "1.1.2")}
TENSORFLOW_REPOSITORY = "https://github.com/tensorflow/tensorflow"
#: What LiteRT v1.4.1's CMake build reads from ``TENSORFLOW_SOURCE_DIR``, configure and compile (measured on the
#: real tree: the compiles' dependency files and the configure's source checks): 8 sources compiled from
#: ``tensorflow/compiler/mlir/lite`` and its headers; ``tensorflow/core/example`` added at configure time;
#: ``release_version.h``, which ``tflite/version.h`` includes, and ``tf_version.bzl``, the version the
#: ``TF_*_VERSION`` defines it demands are set from (as LiteRT's ``build_pip_package_with_cmake.sh`` does);
#: TSL's convolution and random headers; ``stats_calculator.cc``, a source of the benchmark tool and the
#: label_image example, which are never built but must exist when CMake generates; ``third_party/fft2d``.
TENSORFLOW_PATHS = (
    "tensorflow/compiler/mlir/lite",
    "tensorflow/core/example",
    "tensorflow/core/public/release_version.h",
    "tensorflow/tf_version.bzl",
    "third_party/xla/xla/tsl/framework/convolution",
    "third_party/xla/xla/tsl/lib/random",
    "third_party/xla/xla/tsl/util/stats_calculator.cc",
    "third_party/fft2d",
)
#: Where TensorFlow states its version (``TF_VERSION = "2.20.0"``), relative to its root.
TF_VERSION_FILE = "tensorflow/tf_version.bzl"
_TF_VERSION = re.compile(r'^TF_VERSION\s*=\s*"(\d+)\.(\d+)\.(\d+)([^"]*)"', re.M)
_DECLARE = re.compile(r"\b(?:Overridable)?FetchContent_Declare\s*\(", re.IGNORECASE)
_SET = re.compile(r"^\s*set\s*\(\s*([A-Za-z0-9_]+)\s+([^)]*)\)", re.IGNORECASE | re.MULTILINE)
_TOKEN = re.compile(r'"((?:\\.|[^"\\])*)"|([^\s()"]+)')
_SAFE_REVISION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True)
class Pin:
    """One dependency as the tree declares it."""

    name: str
    #: ``GIT_TAG`` (a commit or a tag), or the ``URL_HASH`` SHA-256 of a URL dependency.
    revision: Optional[str]
    repository: Optional[str] = None
    url: Optional[str] = None
    #: ``URL_HASH SHA256=...`` (lower case), checked against the download.
    sha256: Optional[str] = None
    #: The file it was read from (for messages).
    where: str = ""
    #: A download (``ExternalProject_Add`` in ``cmake/Download*.cmake``) is handed over as this variable
    #: (``PTHREADPOOL_SOURCE_DIR``); None: a FetchContent declaration, ``FETCHCONTENT_SOURCE_DIR_<NAME>``.
    variable: Optional[str] = None
    #: The tree's own revision when :data:`CORRECTED_PINS` replaced it.
    corrected_from: Optional[str] = None

    @property
    def computed(self) -> bool:
        """Its source is a variable set at configure time (TensorFlow's own tree reads ``workspace2.bzl``
        through ``get_dependency_archive``): not readable here, so CMake fetches it as it always did."""
        return any("${" in (v or "") for v in (self.revision, self.repository, self.url))

    @property
    def fetchcontent_name(self) -> str:
        """CMake's variable suffix: ``FETCHCONTENT_SOURCE_DIR_<NAME>``."""
        return self.name.upper()

    @property
    def source_variable(self) -> str:
        """The CMake variable that hands CMake a directory of this dependency instead of a download."""
        return self.variable or f"FETCHCONTENT_SOURCE_DIR_{self.fetchcontent_name}"


def _strip_comments(text: str) -> str:
    out = []
    for line in text.splitlines():
        quoted, cut = False, len(line)
        for i, c in enumerate(line):
            if c == '"' and (i == 0 or line[i - 1] != "\\"):
                quoted = not quoted
            elif c == "#" and not quoted:
                cut = i
                break
        out.append(line[:cut])
    return "\n".join(out)


def _arguments(text: str, start: int) -> list[str]:
    """The arguments of the call whose ``(`` ends at ``start``, up to its ``)`` (no nesting in these files)."""
    end = text.find(")", start)
    body = text[start:end if end >= 0 else len(text)]
    return [m.group(1) if m.group(1) is not None else m.group(2) for m in _TOKEN.finditer(body)]


def _expand(value: str, variables: Mapping[str, str]) -> str:
    return re.sub(r"\$\{([A-Za-z0-9_]+)\}", lambda m: variables.get(m.group(1), m.group(0)), value)


def parse_module(text: str, where: str = "") -> list[Pin]:
    """Every ``(Overridable)FetchContent_Declare`` in one CMake file, with ``${VAR}`` from its own ``set()``s."""
    text = _strip_comments(text)
    variables = {}
    for m in _SET.finditer(text):
        values = [t.group(1) if t.group(1) is not None else t.group(2) for t in _TOKEN.finditer(m.group(2))]
        if len(values) == 1:
            variables[m.group(1)] = values[0]
    pins = []
    for m in _DECLARE.finditer(text):
        args = [_expand(a, variables) for a in _arguments(text, m.end())]
        if not args:
            continue
        keys = {args[i]: args[i + 1] for i in range(1, len(args) - 1)
                if args[i] in ("GIT_REPOSITORY", "GIT_TAG", "URL", "URL_HASH")}
        sha = keys.get("URL_HASH", "")
        sha256 = sha.split("=", 1)[1].lower() if sha.upper().startswith("SHA256=") else None
        url = keys.get("URL")
        revision = keys.get("GIT_TAG") if not url else sha256
        pins.append(Pin(args[0], revision, keys.get("GIT_REPOSITORY"), url, sha256, where))
    return pins


_GITHUB_ARCHIVE = re.compile(r"^https://github\.com/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)/archive/([0-9a-f]{40})"
                             r"\.(?:zip|tar\.gz)$")
_EXTERNAL_PROJECT = re.compile(r"\bExternalProject_Add\s*\(", re.IGNORECASE)


def parse_downloads(text: str, where: str = "") -> list[Pin]:
    """Every ``ExternalProject_Add(<name> URL ... URL_HASH ...)`` in a ``cmake/Download*.cmake`` file, as a pin
    handed over in ``<NAME>_SOURCE_DIR``: a GitHub archive of a commit becomes that commit (fetched as our
    ``.tar.gz``, checked by the commit its header names); another ``.tar.gz`` URL stays a URL pin checked by
    its ``URL_HASH``; anything else has no archive URL (the problem then names ``--cmake-dep-source``)."""
    text = _strip_comments(text)
    pins = []
    for m in _EXTERNAL_PROJECT.finditer(text):
        args = _arguments(text, m.end())
        if not args:
            continue
        keys = {args[i]: args[i + 1] for i in range(1, len(args) - 1) if args[i] in ("URL", "URL_HASH")}
        url, sha = keys.get("URL", ""), keys.get("URL_HASH", "")
        sha256 = sha.split("=", 1)[1].lower() if sha.upper().startswith("SHA256=") else None
        variable = f"{args[0].upper()}_SOURCE_DIR"
        github = _GITHUB_ARCHIVE.match(url)
        if github:
            pins.append(Pin(args[0], github.group(2), f"https://github.com/{github.group(1)}", where=where,
                            variable=variable))
        else:
            tarball = url.endswith((".tar.gz", ".tgz"))
            pins.append(Pin(args[0], sha256, url=url if tarball else None, sha256=sha256 if tarball else None,
                            where=where, variable=variable))
    return pins


def _read_all(directory: Path, pattern: str, rel: str, parse) -> list[Pin]:
    try:
        paths = sorted(p for p in directory.glob(pattern) if p.is_file())
    except OSError:
        return []
    return [pin for path in paths
            for pin in parse(path.read_text(encoding="utf-8", errors="replace"), f"{rel}/{path.name}")]


def read_pins(lite_dir: Path) -> dict[str, Pin]:
    """The dependencies ``<lite_dir>/tools/cmake/modules/*.cmake`` declare (the last one wins), and the
    downloads ``<lite_dir>/cmake/Download*.cmake`` declare (where no module names the same), by name,
    with :data:`CORRECTED_PINS` applied."""
    pins: dict[str, Pin] = {}
    for pin in _read_all(lite_dir / MODULES_DIR, "*.cmake", MODULES_DIR, parse_module):
        pins[pin.name] = _corrected(pin)
    for pin in _read_all(lite_dir / DOWNLOADS_DIR, "Download*.cmake", DOWNLOADS_DIR, parse_downloads):
        pins.setdefault(pin.name, _corrected(pin))
    return pins


def read_downloads(source_dir: Path, where: str) -> dict[str, Pin]:
    """The downloads a dependency's own ``cmake/Download*.cmake`` declare (XNNPACK's), by name."""
    return {p.name: p for p in _read_all(source_dir / DOWNLOADS_DIR, "Download*.cmake", f"{where} {DOWNLOADS_DIR}",
                                         parse_downloads)}


def _corrected(pin: Pin) -> Pin:
    fix = CORRECTED_PINS.get((pin.name, pin.revision or ""))
    if fix is None:
        return pin
    revision, why = fix
    return replace(pin, revision=revision, corrected_from=pin.revision, where=f"{pin.where}, corrected: {why}")


def tensorflow_pin(lite_dir: Path, release: Optional[str]) -> Optional[Pin]:
    """The TensorFlow revision the tree's CMake build reads, or None when nothing names one."""
    cmakelists = lite_dir / "CMakeLists.txt"
    try:
        text = cmakelists.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    for pin in parse_module(text, "CMakeLists.txt"):
        if pin.name == "tensorflow" and pin.revision:
            return pin
    if release in TENSORFLOW_FOR_RELEASE:
        return Pin("tensorflow", TENSORFLOW_FOR_RELEASE[release], TENSORFLOW_REPOSITORY,
                   where=f"tflite-slim's table for LiteRT v{release} (docs/sources.md)")
    if release in TENSORFLOW_SUBMODULE:
        return Pin("tensorflow", TENSORFLOW_SUBMODULE[release], TENSORFLOW_REPOSITORY,
                   where=f"LiteRT v{release}'s third_party/tensorflow submodule")
    return None


def missing_tensorflow_paths(root: Path) -> list[str]:
    """The :data:`TENSORFLOW_PATHS` a TensorFlow directory lacks (a directory or a file each)."""
    return [p for p in TENSORFLOW_PATHS if not (root / p).exists()]


def tensorflow_version(text: str) -> Optional[tuple[int, int, int, str]]:
    """``TF_VERSION`` of a ``tensorflow/tf_version.bzl`` as (major, minor, patch, suffix), None when absent."""
    m = _TF_VERSION.search(text)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4)) if m else None


def archive_url(pin: Pin) -> Optional[str]:
    """Where ``pin`` is downloaded as a ``.tar.gz``: its URL, or its host's archive of the revision.

    GitHub: ``/archive/<rev>.tar.gz``; GitLab: ``/-/archive/<rev>/<repo>-<rev>.tar.gz``. None for
    another host (the problem then names ``--cmake-dep-source``).
    """
    if pin.url:
        # https only: a tree names these hosts, and a plain-http or local URL is no place to fetch code from.
        return pin.url if urlsplit(pin.url).scheme == "https" else None
    if not (pin.repository and pin.revision):
        return None
    parts = urlsplit(pin.repository)
    path = parts.path.strip("/")
    path = path[:-4] if path.endswith(".git") else path
    if parts.scheme != "https" or path.count("/") < 1:
        return None
    if parts.hostname == "github.com" and path.count("/") == 1:
        return f"https://github.com/{path}/archive/{pin.revision}.tar.gz"
    if parts.hostname == "gitlab.com":
        return f"https://gitlab.com/{path}/-/archive/{pin.revision}/{path.rsplit('/', 1)[1]}-{pin.revision}.tar.gz"
    return None


def mirror_url(mirror: str, name: str, revision: str) -> str:
    """``--dep-mirror``: a base URL (``<base>/<name>/<revision>.tar.gz``) or a template with ``{name}`` and
    ``{revision}`` (substituted as text, never ``str.format``)."""
    if "{name}" not in mirror and "{revision}" not in mirror:
        return f"{mirror.rstrip('/')}/{name}/{revision}.tar.gz"
    return mirror.replace("{name}", name).replace("{revision}", revision)


def check_mirror(mirror: str) -> Optional[str]:
    """Why ``--dep-mirror`` is unusable (one line), or None."""
    rest = mirror.replace("{name}", "").replace("{revision}", "")
    if "{" in rest or "}" in rest:
        return f"--dep-mirror {mirror!r}: only {{name}} and {{revision}} may appear in braces"
    parts = urlsplit(mirror)
    if parts.scheme not in ("http", "https"):
        return f"--dep-mirror {mirror!r}: give an http(s) URL"
    if parts.username or parts.password:
        return ("--dep-mirror: the URL carries credentials, but dependency downloads send none; use a mirror "
                "that needs none")
    return None


def safe_revision(revision: Optional[str]) -> bool:
    """A revision (or name) usable as a cache directory name and in a URL path."""
    return revision is not None and _SAFE_REVISION.match(revision) is not None


def needed(xnnpack: bool) -> tuple[str, ...]:
    """The dependencies a build fetches: :data:`NEEDED`, and with XNNPACK :data:`NEEDED_XNNPACK` and
    :data:`NEEDED_BY_XNNPACK` (pinned in XNNPACK's own tree)."""
    return NEEDED + (NEEDED_XNNPACK + NEEDED_BY_XNNPACK if xnnpack else ())


def wanted(pins: Mapping[str, Pin], names: Iterable[str] = NEEDED) -> list[Pin]:
    """The pins of ``names`` the tree declares, in name order."""
    return [pins[n] for n in sorted(set(names)) if n in pins]


def is_sha256(value: Optional[str]) -> bool:
    return value is not None and _SHA256.match(value) is not None
