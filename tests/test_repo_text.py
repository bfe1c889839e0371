"""Checks over the repository's own text: advice we give users must be advice they can follow."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterator

import pytest

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
    """A path in backticks (in a README or a docs page) that starts with one of the repository's top-level folders must exist.

    Paths inside a sub-project's README may also be relative to that README.
    """
    top = {p.name for p in repo_root.iterdir() if p.is_dir() and p.name not in _SKIP_DIRS}
    missing = []
    readmes = sorted(repo_root.glob("*.md")) + sorted(repo_root.glob("*/README.md")) + sorted(repo_root.glob("docs/*.md"))
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


#: Pages other branches of this session add to docs/ (the README links them); absent here until they merge.
_PAGES_FROM_OTHER_BRANCHES: set[str] = set()  # pages linked before their branch merged (none now)
_MD_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^\s*```.*?^\s*```", re.M | re.S)


def heading_anchor(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    anchors = set()
    for line in _FENCE.sub("", page.read_text(encoding="utf-8")).splitlines():
        m = re.match(r"#{1,6} (.*)", line)
        if m:
            base = heading_anchor(m.group(1))
            n = seen.get(base, 0)
            seen[base] = n + 1
            anchors.add(base if n == 0 else f"{base}-{n}")
    return anchors


def test_links_between_the_pages_resolve(repo_root: Path) -> None:
    """Every relative link in the README, the docs pages and the sub-projects' READMEs names a file that
    exists and, with `#anchor`, a heading of that page: the reference moved out of the README must stay
    reachable from it."""
    pages = [repo_root / "README.md", *sorted((repo_root / "docs").glob("*.md")), *sorted(repo_root.glob("*/README.md"))]
    broken = []
    for page in pages:
        for target in _MD_LINK.findall(_FENCE.sub("", page.read_text(encoding="utf-8"))):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            rel = file.relative_to(repo_root).as_posix() if file.is_relative_to(repo_root) else str(file)
            if not file.exists():
                if rel not in _PAGES_FROM_OTHER_BRANCHES:
                    broken.append(f"{page.relative_to(repo_root)}: {target} (no such file)")
                continue
            if anchor and file.suffix == ".md" and anchor not in _anchors(file):
                broken.append(f"{page.relative_to(repo_root)}: {target} (no such heading)")
    assert broken == []


@pytest.mark.parametrize("heading, anchor", [
    ("Building without Bazel: `--backend cmake`", "building-without-bazel---backend-cmake"),
    ("Planning without a toolchain: `tflite-slim plan`", "planning-without-a-toolchain-tflite-slim-plan"),
    ("`ops.json` (the build record)", "opsjson-the-build-record"),
    ("Team flow: build once in CI, resolve everywhere", "team-flow-build-once-in-ci-resolve-everywhere"),
])
def test_heading_anchor(heading: str, anchor: str) -> None:
    assert heading_anchor(heading) == anchor


def test_the_readmes_measured_figures_have_a_source(repo_root: Path) -> None:
    """Every byte count in the README's "Measured" block is a recorded measurement: the real tree's figures in
    the pages that report those builds (docs/sizes.md, optimization.md, xnnpack.md, sources.md, litert2.md), the stock ones
    in the stock-size table the tool ships (measured on Maven Central)."""
    from tflite_slim.runtime.artifacts import stock

    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    block = readme.split("\n## Measured\n", 1)[1].split("\n## ", 1)[0]
    figures = set(re.findall(r"\b\d{1,3}(?:,\d{3})+\b", block))
    recorded = "".join((repo_root / "docs" / page).read_text(encoding="utf-8")
                       for page in ("sizes.md", "optimization.md", "xnnpack.md", "sources.md", "litert2.md"))
    stock_bytes = {f"{n:,}" for f in stock.table()[1].values() for n in (f.aar, *dict(f.so).values())}
    assert len(figures) >= 5
    assert sorted(n for n in figures if n not in recorded and n not in stock_bytes) == []


@pytest.mark.parametrize("command, heading", [
    ("analyze", "## Analyzing models: `tflite-slim analyze`"),
    ("verify", "## Checking models against a runtime: `tflite-slim verify`"),
    ("build", "## Building: `tflite-slim build`"),
    ("plan", "## Planning without a toolchain: `tflite-slim plan`"),
    ("install", "## Publishing: `install` and `deploy`"),
    ("deploy", "## Publishing: `install` and `deploy`"),
])
def test_docs_cli_names_every_option_of_each_command(repo_root: Path, command: str, heading: str) -> None:
    """docs/cli.md, the command line's reference, names every option each command's --help offers, in that
    command's section."""
    import contextlib
    import io

    from tflite_slim.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main([command, "--help"])
    # The option column of each option line (help text that mentions other tools' flags is not an option).
    columns = [line.strip().split("  ")[0] for line in out.getvalue().splitlines() if re.match(r" {2,}-", line)]
    options = {o for c in columns for o in re.findall(r"(--[a-z][a-z0-9-]+)", c)} - {"--help"}
    page = (repo_root / "docs" / "cli.md").read_text(encoding="utf-8")
    section = page.split("\n" + heading + "\n", 1)[1].split("\n## ", 1)[0]
    assert options and sorted(o for o in options if not re.search(re.escape(o) + r"(?![\w-])", section)) == []


def test_the_two_commands_are_the_ones_ci_and_the_sample_use(repo_root: Path, monkeypatch, capsys) -> None:
    """The README opens with exactly two commands: the main job, whose build and install options the tool
    accepts and whose plan is the sample app's (its release, ABIs and minSdk), and the test command, which
    `.ci/run` runs verbatim."""
    import shlex

    from tflite_slim.cli import build_parser, main

    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## The two commands\n", 1)[1].split("\n## ", 1)[0]
    job, tests = re.findall(r"```sh\n(.*?)\n```", section, re.S)
    assert tests in (repo_root / ".ci" / "run").read_text(encoding="utf-8").splitlines()

    steps = job.split(" && ")
    assert steps[:2] == ["python3 -m venv .venv", ".venv/bin/pip install -q -e ."]
    build, install = (shlex.split(step) for step in steps[2:])
    assert build[:2] == [".venv/bin/tflite-slim", "build"] and install[:2] == [".venv/bin/tflite-slim", "install"]
    build_parser().parse_args(install[1:])  # accepted as written (it would install: not run here)
    out = build.index("--out")
    assert install[2] == build[out + 1]
    app = (repo_root / "sample-android-app" / "app" / "build.gradle.kts").read_text(encoding="utf-8")
    catalog = (repo_root / "sample-android-app" / "gradle" / "libs.versions.toml").read_text(encoding="utf-8")
    assert f'litert = "{build[build.index("--litert-version") + 1]}"' in catalog
    assert f"minSdk = {build[build.index('--min-sdk') + 1]}" in app
    assert all(f'"{abi}"' in app for abi in build[build.index("--target-archs") + 1].split(","))
    monkeypatch.chdir(repo_root)
    capsys.readouterr()
    assert main(["plan", *build[2:out], *build[out + 2:]]) == 0
    assert "publishes io.tfliteslim:litert:" in capsys.readouterr().out
