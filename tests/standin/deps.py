"""The CMake stand-in tree's dependencies as archives, served the way tflite-slim fetches them.

What the archives hold is ours (one header each, which the stand-in's kernel includes), shaped as
GitHub/GitLab ``git archive`` tarballs are: one top directory ``<repo>-<revision>/`` and, for a
commit, the commit in the pax global header's ``comment``. The pins come from the tree's own
``tools/cmake/modules/*.cmake`` (read with tflite-slim's parser, so a changed pin changes what is
served and requested); the URL dependency's ``URL_HASH`` is rewritten in the test's copy of the tree
to the hash of the archive served here.
"""

from __future__ import annotations

import hashlib
import io
import re
import tarfile
from pathlib import Path

from tflite_slim.runtime.trees import cmakedeps

#: The headers the stand-in's kernels/add.cc includes, per dependency.
HEADERS = {"eigen": ("standin_eigen.h", "#define STANDIN_EIGEN 1\n"),
           "fft2d": ("standin_fft2d.h", "#define STANDIN_FFT2D 2\n"),
           # kernels/embedding_lookup.cc includes it as fp16/fp16.h; FP16's repository keeps it under include/.
           "fp16_headers": ("include/fp16/fp16.h", "#define STANDIN_FP16 3\n")}
#: TensorFlow 2.20's contract for tensorflow/core/public/release_version.h (ours, not its text): the
#: TF_*_VERSION defines must come from the build, else it does not compile.
RELEASE_VERSION_H = "".join(f"#ifndef {d}\n#error \"{d} is not defined!\"\n#endif\n" for d in (
    "TF_MAJOR_VERSION", "TF_MINOR_VERSION", "TF_PATCH_VERSION", "TF_VERSION_SUFFIX")) + (
    "#define _TF_STR_HELPER(x) #x\n#define _TF_STR(x) _TF_STR_HELPER(x)\n"
    "#define TF_VERSION_STRING (_TF_STR(TF_MAJOR_VERSION) \".\" _TF_STR(TF_MINOR_VERSION) \".\" "
    "_TF_STR(TF_PATCH_VERSION) TF_VERSION_SUFFIX)\n")
#: The XNNPACK-shaped dependencies, served as archives of several files (ours). XNNPACK's mirrors the contract
#: of XNNPACK 0a655ef5's CMakeLists.txt (the commit LiteRT v1.4.1's xnnpack.cmake is corrected to): FXdiv,
#: pthreadpool and (for arm64) KleidiAI are downloaded at configure time unless ``<NAME>_SOURCE_DIR`` is
#: defined (the stand-in refuses), their pins in its own ``cmake/Download*.cmake`` (the shape and the commits
#: of 0a655ef5's), and it builds the ``XNNPACK`` library TFLite links. pthreadpool is a CMake project (TFLite
#: adds it), FP16, FXdiv and KleidiAI are headers. :data:`XNNPACK_MARKER` shows XNNPACK in a library.
XNNPACK_MARKER = "tflite-slim-standin-xnnpack"
_DOWNLOAD = """# Stand-in for XNNPACK cmake/Download{title}.cmake (0a655ef5): the same ExternalProject_Add shape.
INCLUDE(ExternalProject)
ExternalProject_Add({name}
  URL https://github.com/{repo}/archive/{commit}.zip
  URL_HASH SHA256={sha256}
  SOURCE_DIR "${{CMAKE_BINARY_DIR}}/{name}-source"
  CONFIGURE_COMMAND ""
  BUILD_COMMAND ""
  INSTALL_COMMAND ""
)
"""
TREES = {
    "xnnpack": {
        "CMakeLists.txt": """\
# Stand-in for XNNPACK's CMakeLists.txt (0a655ef5): its dependencies are downloaded unless <NAME>_SOURCE_DIR
# is defined (here: refused), and it builds the XNNPACK library.
cmake_minimum_required(VERSION 3.16)
project(XNNPACK C)
foreach(dep FXDIV PTHREADPOOL)
  if(NOT DEFINED ${dep}_SOURCE_DIR)
    message(FATAL_ERROR "stand-in XNNPACK: would download ${dep} (define ${dep}_SOURCE_DIR to avoid it)")
  endif()
endforeach()
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$" AND NOT DEFINED KLEIDIAI_SOURCE_DIR)
  message(FATAL_ERROR "stand-in XNNPACK: would download KleidiAI (define KLEIDIAI_SOURCE_DIR to avoid it)")
endif()
if(NOT TARGET pthreadpool)
  add_subdirectory("${PTHREADPOOL_SOURCE_DIR}" "${CMAKE_BINARY_DIR}/pthreadpool")
endif()
add_library(XNNPACK STATIC src/init.c)
target_include_directories(XNNPACK PUBLIC include PRIVATE "${FXDIV_SOURCE_DIR}/include")
target_link_libraries(XNNPACK PUBLIC pthreadpool)
""",
        "cmake/DownloadFXdiv.cmake": _DOWNLOAD.format(
            title="FXdiv", name="fxdiv", repo="Maratyszcza/FXdiv", commit="b408327ac2a15ec3e43352421954f5b1967701d1",
            sha256="ab7dfb08829bee33dca38405d647868fb214ac685e379ec7ef2bebcd234cd44d"),
        "cmake/DownloadKleidiAI.cmake": _DOWNLOAD.format(
            title="KleidiAI", name="kleidiai", repo="ARM-software/kleidiai",
            commit="dc69e899945c412a8ce39ccafd25139f743c60b1",
            sha256="439926527fca9405ae90b602a3938d3435751ec78492e5f1c62d85f5df8c2784"),
        "cmake/DownloadPThreadPool.cmake": _DOWNLOAD.format(
            title="PThreadPool", name="pthreadpool", repo="google/pthreadpool",
            commit="c2ba5c50bb58d1397b693740cf75fad836a0d1bf",
            sha256="516ba8d05c30e016d7fd7af6a7fc74308273883f857faf92bc9bb630ab6dba2c"),
        "include/xnnpack.h": "#ifdef __cplusplus\nextern \"C\"\n#endif\nconst char* xnn_initialize(void);\n",
        "src/init.c": f"""\
#include <fxdiv.h>
#include <pthreadpool.h>
#include "xnnpack.h"
static const char marker[] = "{XNNPACK_MARKER}";
const char* xnn_initialize(void) {{ return pthreadpool_get_threads_count(0) == STANDIN_FXDIV ? marker : 0; }}
""",
    },
    "pthreadpool": {
        "CMakeLists.txt": "project(pthreadpool C)\nadd_library(pthreadpool STATIC src/threadpool.c)\n"
                          "target_include_directories(pthreadpool PUBLIC include)\n",
        "include/pthreadpool.h": "#include <stddef.h>\nsize_t pthreadpool_get_threads_count(void* pool);\n",
        "src/threadpool.c": "#include <pthreadpool.h>\nsize_t pthreadpool_get_threads_count(void* pool) "
                            "{ return pool ? 0 : 1; }\n",
    },
    "fp16": {"include/fp16.h": "#define STANDIN_FP16 16\n"},
    "fxdiv": {"include/fxdiv.h": "#define STANDIN_FXDIV 1\n"},
    "kleidiai": {"kai/kai_common.h": "#define STANDIN_KLEIDIAI 1\n"},
}
#: What a TensorFlow archive holds beside the paths the build reads (left out when extracting).
TENSORFLOW_EXTRA = "tensorflow/core/kernels/not_needed.cc"


def tarball(top: str, files: dict[str, str], commit: "str | None" = None) -> bytes:
    """A ``.tar.gz`` with ``files`` under ``top/``, the commit in the pax header as ``git archive`` writes it."""
    buf = io.BytesIO()
    headers = {"comment": commit} if commit else {}
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT, pax_headers=headers) as tar:
        dirs = {top}
        for name in files:
            parts = name.split("/")
            dirs |= {"/".join([top, *parts[:i]]) for i in range(1, len(parts))}
        for d in sorted(dirs):
            info = tarfile.TarInfo(d)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        for name, text in sorted(files.items()):
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def pin_url_hash(lite_dir: Path, name: str, sha256: str) -> None:
    """Replace ``name``'s ``URL_HASH SHA256=`` in the tree copy's module with ``sha256``."""
    module = lite_dir / cmakedeps.MODULES_DIR / f"{name}.cmake"
    module.write_text(re.sub(r"URL_HASH SHA256=[0-9a-fA-F]+", f"URL_HASH SHA256={sha256}", module.read_text()))


def files_of(name: str) -> dict[str, str]:
    """What the stand-in's dependency ``name`` holds (path below its top -> text)."""
    if name in HEADERS:
        return {HEADERS[name][0]: HEADERS[name][1]}
    return TREES[name]


def pins_served(lite_dir: Path) -> list[cmakedeps.Pin]:
    """Every pin a default (XNNPACK) build fetches: the tree's, and XNNPACK's own (read from its files here)."""
    own = {p.name: p for path, text in TREES["xnnpack"].items() if path.startswith("cmake/Download")
           for p in cmakedeps.parse_downloads(text, path)}
    pins = cmakedeps.read_pins(lite_dir)
    pins.update({n: own[n] for n in cmakedeps.NEEDED_BY_XNNPACK if n not in pins})
    return cmakedeps.wanted(pins, cmakedeps.needed(True))


def serve_dependencies(server, lite_dir: Path) -> dict[str, str]:
    """Serve every dependency the tree pins at ``<name>/<revision>.tar.gz``; return name -> revision."""
    fft2d = tarball("OouraFFT-1.0", {HEADERS["fft2d"][0]: HEADERS["fft2d"][1]})
    pin_url_hash(lite_dir, "fft2d", hashlib.sha256(fft2d).hexdigest())
    served = {}
    for pin in pins_served(lite_dir):
        assert pin.revision is not None
        if pin.name == "fft2d":
            data = fft2d
        else:
            commit = pin.revision if re.fullmatch(r"[0-9a-f]{40}", pin.revision) else None
            data = tarball(f"{pin.name}-{pin.revision}", files_of(pin.name), commit)
        server.serve(f"{pin.name}/{pin.revision}.tar.gz", data)
        served[pin.name] = pin.revision
    return served


def tensorflow_tarball(revision: str) -> bytes:
    """TensorFlow at ``revision`` (a commit, or a tag such as ``v2.20.0``) as GitHub archives it: the paths the
    build reads, and one it does not; a commit's archive names it in the pax header (a tag's names the commit
    it points to, which the stand-in does not have: none)."""
    files = dict(tensorflow_files())
    files[TENSORFLOW_EXTRA] = "// not read by the CMake build\n"
    commit = revision if re.fullmatch(r"[0-9a-f]{40}", revision) else None
    return tarball(f"tensorflow-{revision.lstrip('v')}", files, commit)


def tensorflow_files(version: str = "2.20.0") -> list[tuple[str, str]]:
    """What the stand-in TensorFlow holds of :data:`cmakedeps.TENSORFLOW_PATHS`: each file path (a name with a
    suffix) as a file, each directory with a README; ``tf_version.bzl`` states ``version`` as TensorFlow's does."""
    files = []
    for p in cmakedeps.TENSORFLOW_PATHS:
        if p == cmakedeps.TF_VERSION_FILE:
            files.append((p, f'TF_VERSION = "{version}"\n'))
        elif p.endswith("/release_version.h"):
            files.append((p, RELEASE_VERSION_H))
        elif "." in p.rsplit("/", 1)[-1]:
            files.append((p, f"// stand-in {p}\n"))
        else:
            files.append((f"{p}/README.md", f"stand-in {p}\n"))
    return files


def make_tensorflow_dir(root: Path) -> Path:
    """A ``--tensorflow-source-dir`` holding what the build reads (see :func:`tensorflow_files`)."""
    for name, text in tensorflow_files():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root
