"""Measure the stock TensorFlow Lite AARs on Maven Central and write the stock-size table.

Run: ``.venv/bin/python benchmarks/stock_sizes.py [--write]``

For each release in :data:`RELEASES` it downloads the stock AAR from Maven Central
through the tool's one HTTP seam (:class:`tflite_slim.http.HttpClient`), checks it
against Maven Central's ``.sha1``, and reads, per ABI, the native library's
uncompressed and stored (compressed) bytes from the zip directory, with the same
code a build uses (:func:`tflite_slim.runtime.sizes.sizes_in_zip`). It prints a
table; ``--write`` replaces ``pytool/tflite_slim/runtime/artifacts/stock_sizes.json``,
the facts ``plan``/``build`` use instead of downloading a stock AAR the table
already describes. Nothing is built, and the AARs are not kept.

LiteRT's own artifacts (``com.google.ai.edge.litert``) are on Google's Maven
repository only, which this project's machines cannot reach; ``tensorflow-lite``
2.17.0 on Maven Central is a POM relocating to ``com.google.ai.edge.litert:litert:1.0.1``.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import zipfile

from tflite_slim.http import HttpClient
from tflite_slim.runtime.artifacts import stock
from tflite_slim.runtime.sizes import sizes_in_zip, stock_url

CENTRAL = "https://repo1.maven.org/maven2"
#: (group, artifact, version, native library name)
RELEASES = (
    *(("org.tensorflow", "tensorflow-lite", v, "libtensorflowlite_jni.so")
      for v in ("2.12.0", "2.13.0", "2.14.0", "2.15.0", "2.16.1")),
    ("org.tensorflow", "tensorflow-lite-select-tf-ops", "2.14.0", "libtensorflowlite_flex_jni.so"),
)


def measure(client: HttpClient, group: str, artifact: str, version: str, so_name: str) -> dict:
    url = stock_url(CENTRAL, group, artifact, version)
    expected = client.get(url + ".sha1").text.split()[0].strip()
    digest = hashlib.sha1()
    with tempfile.TemporaryFile() as tmp:
        response = client.get(url, stream=True)
        with response:
            response.raise_for_status()
            for chunk in HttpClient.iter_raw(response, deadline=1800.0):
                digest.update(chunk)
                tmp.write(chunk)
        if digest.hexdigest() != expected:
            raise SystemExit(f"{url}: sha1 {digest.hexdigest()} but Maven Central says {expected}")
        size = tmp.tell()
        tmp.seek(0)
        with zipfile.ZipFile(tmp) as z:
            sizes = sizes_in_zip(z, size, so_name)
            stored = {info.filename.split("/")[1]: info.compress_size for info in z.infolist()
                      if info.filename.startswith("jni/") and info.filename.endswith("/" + so_name)}
    return {"coordinates": f"{group}:{artifact}:{version}", "url": url, "sha1": expected, "aar": sizes.aar,
            "so": dict(sizes.so), "so_stored": dict(sorted(stored.items()))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"replace {stock.TABLE}")
    args = parser.parse_args()
    with HttpClient(retries=2, timeout=(15.0, 120.0)) as client:
        rows = [measure(client, *r) for r in RELEASES]
    for r in rows:
        per_abi = ", ".join(f"{abi} {n:,} B" for abi, n in r["so"].items())
        print(f"{r['coordinates']}: AAR {r['aar']:,} B; {per_abi}")
    if args.write:
        stock.write_table(rows, source=f"{CENTRAL} (benchmarks/stock_sizes.py)")
        print(f"wrote {stock.TABLE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
