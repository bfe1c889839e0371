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
