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
