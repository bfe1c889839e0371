"""The stock LiteRT 2.x artifacts, as stand-ins of our own shape (Google's Maven, where the real ones live, is
not reachable from this machine): a ``litert`` AAR (manifest, ``classes.jar``, ``proguard.txt``,
``jni/<abi>/libLiteRt.so`` and another library beside it, as the published AARs carry a GPU accelerator
library), its POM (Maven's shape: ``litert-api`` at the same version, a Kotlin library, a test-scoped one),
a Maven repository holding both with ``litert-api``, and a release tree seeded into tflite-slim's cache as a
download leaves it (``runtime/trees/tfsource.py``: ``<cache>/litert/<version>/src`` with its record)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Optional

STOCK_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.google.ai.edge.litert</groupId>
  <artifactId>{artifact}</artifactId>
  <version>{version}</version>
  <packaging>aar</packaging>
  <dependencies>{dependencies}
  </dependencies>
</project>
"""
LITERT_DEPENDENCIES = """
    <dependency>
      <groupId>com.google.ai.edge.litert</groupId>
      <artifactId>litert-api</artifactId>
      <version>{version}</version>
      <type>aar</type>
      <scope>compile</scope>
    </dependency>
    <dependency>
      <groupId>org.jetbrains.kotlin</groupId>
      <artifactId>kotlin-stdlib</artifactId>
      <version>2.1.0</version>
      <scope>runtime</scope>
    </dependency>
    <dependency>
      <groupId>junit</groupId>
      <artifactId>junit</artifactId>
      <version>4.13.2</version>
      <scope>test</scope>
    </dependency>"""


def stock_aar(path: Path, libs: Optional[dict] = None, extra: Optional[dict] = None) -> Path:
    """A stand-in ``litert`` AAR at ``path``: ``libs`` ABI -> libLiteRt.so bytes (default arm64-v8a, x86_64)."""
    entries = {"AndroidManifest.xml": b'<manifest package="com.google.ai.edge.litert"/>',
               "classes.jar": b"PK\x05\x06" + b"\0" * 18, "proguard.txt": b"-keep class com.google.ai.edge.**\n",
               "jni/arm64-v8a/libstandin_gpu_accelerator.so": b"gpu"}
    for abi, data in (libs if libs is not None else {"arm64-v8a": b"stock-arm64", "x86_64": b"stock-x86_64" * 8}).items():
        entries[f"jni/{abi}/libLiteRt.so"] = data
    entries.update(extra or {})
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return path


def stock_pom(version: str, artifact: str = "litert") -> str:
    deps = LITERT_DEPENDENCIES.format(version=version) if artifact == "litert" else ""
    return STOCK_POM.format(artifact=artifact, version=version, dependencies=deps)


def stock_repository(repo: Path, version: str) -> Path:
    """A Maven repository with ``litert`` and ``litert-api`` at ``version`` (what an app resolves from google())."""
    for artifact in ("litert", "litert-api"):
        d = repo / "com/google/ai/edge/litert" / artifact / version
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{artifact}-{version}.pom").write_text(stock_pom(version, artifact))
        if artifact == "litert":
            stock_aar(d / f"{artifact}-{version}.aar")
        else:
            stock_aar(d / f"{artifact}-{version}.aar", libs={}, extra={"jni/arm64-v8a/liblitert_jni.so": b"api"})
    return repo


def seed_cache(cache: Path, version: str, make_tree) -> Path:
    """``make_tree(dir)``'s tree as tflite-slim's cache keeps a downloaded LiteRT ``version`` (no download)."""
    src = cache / "litert" / version / "src"
    make_tree(src)
    (src / ".tflite-slim-source.json").write_text(json.dumps(
        {"version": version, "url": "https://github.com/google-ai-edge/LiteRT/archive/refs/tags/v" + version + ".tar.gz",
         "size": 0, "sha256": "0" * 64, "commit": None}))
    return src
