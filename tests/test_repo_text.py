"""Checks over the repository's own text: advice we give users must be advice they can follow."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterator

# Built from pieces so that this file does not match itself.
_INDEX_INSTALL = re.compile("pip" + r"\s+install\s+(?:-[-\w]+\s+)*" + "tflite[-_.]slim" + r"(?![-\w<])", re.I)
_SKIP_DIRS = {".git", ".venv", "build", ".gradle", "__pycache__", "node_modules"}
_TEXT = {".py", ".java", ".md", ".groovy", ".gradle", ".kts", ".toml", ".txt", ".sh", ".cfg", ".properties", ""}


def _text_files(root: Path) -> Iterator[tuple[Path, Path]]:
    for here, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and not d.endswith(".egg-info")]
        for name in names:
            path = Path(here, name)
            if path.suffix in _TEXT and path.is_file():
                yield path, path.relative_to(root)


def test_no_advice_to_install_from_an_index(repo_root: Path) -> None:
    """The package name is not published: advice must say how to install from a checkout instead."""
    offenders = []
    for path, rel in _text_files(repo_root):
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{rel}: {m.group(0)}" for m in _INDEX_INSTALL.finditer(text)]
    assert offenders == []
    name = "tflite" + "-slim"
    assert _INDEX_INSTALL.search(f"run `python3 -m pip install {name}` now")
    assert _INDEX_INSTALL.search(f"pip install -U {name.replace('-', '_')}")
    assert not _INDEX_INSTALL.search("pip install -e <tflite-slim checkout>")


#: Paths the README names that the tools create (git-ignored), not files of the repository.
_CREATED = {".ci/tools/"}
_PATH_TOKEN = re.compile(r"`(\.?[\w.-]+/[^`\s<>*{}]*)`")


def test_paths_named_in_readmes_exist(repo_root: Path) -> None:
    """A path in backticks that starts with one of the repository's top-level folders must exist.

    Paths inside a sub-project's README may also be relative to that README.
    """
    top = {p.name for p in repo_root.iterdir() if p.is_dir() and p.name not in _SKIP_DIRS}
    missing = []
    readmes = sorted(repo_root.glob("*.md")) + sorted(repo_root.glob("*/README.md"))
    for readme in readmes:
        for m in _PATH_TOKEN.finditer(readme.read_text(encoding="utf-8")):
            path = m.group(1).rstrip(".,;:")
            if path.split("/", 1)[0] not in top and not (readme.parent / path).exists():
                continue
            if path in _CREATED or (repo_root / path).exists() or (readme.parent / path).exists():
                continue
            missing.append(f"{readme.relative_to(repo_root)}: {path}")
    assert missing == []
    assert _PATH_TOKEN.search("see `tests/test_elf.py` for").group(1) == "tests/test_elf.py"
