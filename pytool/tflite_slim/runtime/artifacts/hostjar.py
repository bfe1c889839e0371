"""The Java API a desktop JVM uses with the host build: the tree's ``org.tensorflow.lite`` classes, by javac.

LiteRT's Java API (``tflite/java/src/main/java``, plus the NNAPI delegate's
classes in ``tflite/delegates/nnapi/java/src/main/java`` that it imports) has no
``android.*`` import, so ``javac --release 8`` compiles it for any JVM. Files
that do import ``android.*`` (older trees) are left out. Its only other
dependency is the Checker Framework's nullness annotations (compile-time,
class-retention): we compile against a generated declaration of each one it
imports (``-implicit:none``: they do not go into the jar).

The jar is byte-stable (sorted entries, fixed timestamps), so equal trees give
equal jars.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Callable, Optional, Sequence

from tflite_slim import process
from tflite_slim.errors import BuildError, CommandFailed, ToolchainError
from tflite_slim.runtime.artifacts.aar import write_stable_zip

JAVA_DIRS = ("java/src/main/java", "delegates/nnapi/java/src/main/java")
#: What the experimental API adds (``experimental = True`` in the Bazel macro): left out without it.
EXPERIMENTAL_CLASSES = ("Interpreter.java", "NativeInterpreterWrapperExperimental.java")
MANIFEST = "Manifest-Version: 1.0\r\nCreated-By: tflite-slim\r\n\r\n"
_ANDROID_IMPORT = re.compile(r"^\s*import\s+(static\s+)?android\.", re.MULTILINE)
_CHECKER_IMPORT = re.compile(r"^\s*import\s+(org\.checkerframework(?:\.\w+)+)\.(\w+)\s*;", re.MULTILINE)
INSTALL_JDK = "install a JDK (apt-get install default-jdk-headless) or set JAVA_HOME"

Log = Callable[[str], None]


def find_javac(java_home: Optional[str] = None) -> str:
    """``$JAVA_HOME/bin/javac`` or ``javac`` on PATH; a one-line error when neither exists."""
    home = java_home if java_home is not None else os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "javac"
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("javac")
    if found is None:
        raise ToolchainError(f"the host build needs javac and jni.h from a JDK: {INSTALL_JDK}")
    return found


def jni_include_dirs(javac: str) -> tuple[str, ...]:
    """The JDK's ``include`` and ``include/<os>`` next to ``javac`` (symlinks followed, as Debian's are)."""
    home = Path(os.path.realpath(javac)).parent.parent
    include = home / "include"
    if not (include / "jni.h").is_file():
        raise ToolchainError(f"{include / 'jni.h'} is missing (a JRE, not a JDK?): {INSTALL_JDK}")
    return (str(include), *(str(p) for p in sorted(include.iterdir()) if (p / "jni_md.h").is_file()))


def java_sources(lite_dir: Path, experimental: bool) -> list[Path]:
    """The API's ``.java`` files in the tree, sorted; a tree without them is a ToolchainError."""
    found: list[Path] = []
    for d in JAVA_DIRS:
        root = lite_dir / d
        if root.is_dir():
            found += sorted(p for p in root.rglob("*.java") if p.is_file())
    if not found:
        raise ToolchainError(f"{lite_dir / JAVA_DIRS[0]} has no Java sources: is this a TFLite tree?")
    kept = []
    for p in found:
        if not experimental and p.name in EXPERIMENTAL_CLASSES:
            continue
        if _ANDROID_IMPORT.search(p.read_text(encoding="utf-8", errors="replace")):
            continue
        kept.append(p)
    return kept


def annotation_stubs(sources: Sequence[Path]) -> dict[str, str]:
    """{relative path: source} declaring each Checker Framework annotation the sources import."""
    stubs: dict[str, str] = {}
    for p in sources:
        for package, name in _CHECKER_IMPORT.findall(p.read_text(encoding="utf-8", errors="replace")):
            path = f"{package.replace('.', '/')}/{name}.java"
            stubs[path] = (f"package {package};\n\n"
                           "import java.lang.annotation.ElementType;\nimport java.lang.annotation.Target;\n\n"
                           "// Declared by tflite-slim so javac can read the type annotation; not packaged.\n"
                           "@Target({ElementType.TYPE_USE, ElementType.TYPE_PARAMETER})\n"
                           f"public @interface {name} {{}}\n")
    return stubs


def javac_argv(javac: str, sources: Sequence[Path], classes: Path, stubs: Path) -> list[str]:
    return [javac, "--release", "8", "-nowarn", "-encoding", "UTF-8", "-implicit:none",
            "-sourcepath", str(stubs), "-d", str(classes), *map(str, sources)]


def build_jar(lite_dir: Path, out: Path, work: Path, *, experimental: bool, javac: Optional[str] = None,
              log: Log = lambda _: None) -> Path:
    """Compile the tree's Java API into ``out`` (written whole or not at all); return ``out``."""
    javac = javac or find_javac()
    sources = java_sources(lite_dir, experimental)
    classes, stubs = work / "classes", work / "stubs"
    for d in (classes, stubs):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    for rel, text in annotation_stubs(sources).items():
        (stubs / rel).parent.mkdir(parents=True, exist_ok=True)
        (stubs / rel).write_text(text)
    argv = javac_argv(javac, sources, classes, stubs)
    log(f"tflite-slim: javac --release 8: {len(sources)} files of {lite_dir}")
    try:
        process.run(argv, what="javac")
    except CommandFailed as e:
        raise BuildError(f"compiling the Java API of {lite_dir} failed: {e}") from e
    entries = {"META-INF/": b"", "META-INF/MANIFEST.MF": MANIFEST.encode("ascii")}
    for p in sorted(classes.rglob("*")):
        rel = p.relative_to(classes).as_posix()
        entries[rel + "/" if p.is_dir() else rel] = b"" if p.is_dir() else p.read_bytes()
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        write_stable_zip(str(tmp), entries)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
