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
           "fft2d": ("standin_fft2d.h", "#define STANDIN_FFT2D 2\n")}
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


def serve_dependencies(server, lite_dir: Path) -> dict[str, str]:
    """Serve every dependency the tree pins at ``<name>/<revision>.tar.gz``; return name -> revision."""
    fft2d = tarball("OouraFFT-1.0", {HEADERS["fft2d"][0]: HEADERS["fft2d"][1]})
    pin_url_hash(lite_dir, "fft2d", hashlib.sha256(fft2d).hexdigest())
    served = {}
    for pin in cmakedeps.wanted(cmakedeps.read_pins(lite_dir)):
        assert pin.revision is not None
        if pin.name == "fft2d":
            data = fft2d
        else:
            header, text = HEADERS[pin.name]
            commit = pin.revision if re.fullmatch(r"[0-9a-f]{40}", pin.revision) else None
            data = tarball(f"{pin.name}-{pin.revision}", {header: text}, commit)
        server.serve(f"{pin.name}/{pin.revision}.tar.gz", data)
        served[pin.name] = pin.revision
    return served


def tensorflow_tarball(commit: str) -> bytes:
    """TensorFlow at ``commit`` as GitHub archives it: the paths the build reads, and one it does not."""
    files = {f"{p}/README.md": f"stand-in {p}\n" for p in cmakedeps.TENSORFLOW_PATHS}
    files[TENSORFLOW_EXTRA] = "// not read by the CMake build\n"
    return tarball(f"tensorflow-{commit}", files, commit)


def make_tensorflow_dir(root: Path) -> Path:
    """A ``--tensorflow-source-dir`` holding what the build reads (empty directories)."""
    for p in cmakedeps.TENSORFLOW_PATHS:
        (root / p).mkdir(parents=True, exist_ok=True)
    return root
