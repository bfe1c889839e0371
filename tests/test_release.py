"""The release configuration, checked by a dry run: the tool's sdist and wheel for PyPI.

Both are built offline (``python -m build --no-isolation``, the setuptools of this environment) from a
copy of the checkout's sources, then ``twine check --strict`` reads them as PyPI's upload would
(metadata, the README rendered as the project description). Nothing is uploaded. The Gradle plugin's
half (its POM and the plugin markers, resolved by Gradle 4.4 by id and version from a file
repository) is gradle-plugin's ``PublishedPluginFunctionalTest``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import tflite_slim

ROOT = Path(__file__).resolve().parents[1]


def _require(module: str, package: str) -> None:
    if importlib.util.find_spec(module) is None:
        message = f"{package} is not installed (pip install -e '.[test]')"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _require("build", "build")
    src = tmp_path_factory.mktemp("src")
    # A copy: setuptools writes build/ and *.egg-info next to the sources.
    shutil.copy(ROOT / "pyproject.toml", src)
    shutil.copy(ROOT / "README.md", src)
    shutil.copytree(ROOT / "pytool", src / "pytool", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", str(out), str(src)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-5000:]
    # A deprecation setuptools will enforce (the license table did: "By 2027-Feb-18 ...") is found here, not then.
    assert "is deprecated" not in proc.stdout, proc.stdout[-5000:]
    return out


def test_sdist_and_wheel_pass_twine_check(dist: Path) -> None:
    _require("twine", "twine")
    version = tflite_slim.__version__
    names = sorted(p.name for p in dist.iterdir())
    assert names == [f"tflite_slim-{version}-py3-none-any.whl", f"tflite_slim-{version}.tar.gz"], names
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, sorted(dist.iterdir()))],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.count("PASSED") == 2, proc.stdout


def test_the_wheel_carries_the_package_data_and_the_entry_point(dist: Path) -> None:
    version = tflite_slim.__version__
    with zipfile.ZipFile(dist / f"tflite_slim-{version}-py3-none-any.whl") as whl:
        names = set(whl.namelist())
        assert "tflite_slim/py.typed" in names
        assert any(n.startswith("tflite_slim/runtime/") and n.endswith(".java") for n in names), "runtime/java sources missing"
        entry_points = whl.read(f"tflite_slim-{version}.dist-info/entry_points.txt").decode()
        metadata = whl.read(f"tflite_slim-{version}.dist-info/METADATA").decode()
    assert "tflite-slim = tflite_slim.cli:main" in entry_points
    assert "Requires-Python: >=3.9" in metadata
    assert "Description-Content-Type: text/markdown" in metadata
    # No test code or checkout files in what PyPI would serve.
    assert not any(n.startswith(("tests/", "gradle-plugin/", "sample-")) for n in names)
    with tarfile.open(dist / f"tflite_slim-{version}.tar.gz") as sdist:
        members = sdist.getnames()
    assert f"tflite_slim-{version}/pyproject.toml" in members and f"tflite_slim-{version}/README.md" in members
