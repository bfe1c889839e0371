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
from dataclasses import dataclass
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

    @property
    def computed(self) -> bool:
        """Its source is a variable set at configure time (TensorFlow's own tree reads ``workspace2.bzl``
        through ``get_dependency_archive``): not readable here, so CMake fetches it as it always did."""
        return any("${" in (v or "") for v in (self.revision, self.repository, self.url))

    @property
    def fetchcontent_name(self) -> str:
        """CMake's variable suffix: ``FETCHCONTENT_SOURCE_DIR_<NAME>``."""
        return self.name.upper()


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


def read_pins(lite_dir: Path) -> dict[str, Pin]:
    """The dependencies ``<lite_dir>/tools/cmake/modules/*.cmake`` declare, by name (the last one wins)."""
    modules = lite_dir / MODULES_DIR
    pins: dict[str, Pin] = {}
    try:
        paths = sorted(p for p in modules.glob("*.cmake") if p.is_file())
    except OSError:
        return pins
    for path in paths:
        rel = f"{MODULES_DIR}/{path.name}"
        for pin in parse_module(path.read_text(encoding="utf-8", errors="replace"), rel):
            pins[pin.name] = pin
    return pins


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


def wanted(pins: Mapping[str, Pin], names: Iterable[str] = NEEDED) -> list[Pin]:
    """The pins of ``names`` the tree declares, in name order."""
    return [pins[n] for n in sorted(set(names)) if n in pins]


def is_sha256(value: Optional[str]) -> bool:
    return value is not None and _SHA256.match(value) is not None
