"""The stock runtimes' sizes, measured once from the published AARs and shipped as data.

``stock_sizes.json`` beside this module holds, per stock artifact, the AAR's bytes
and its native library's bytes per ABI (uncompressed, and as stored in the zip),
with the URL and Maven Central's SHA-1 of the AAR they were read from. It is written
by ``benchmarks/stock_sizes.py`` (which downloads each AAR through the tool's HTTP
seam and reads it with the same code a build uses) and read here: a build or a plan
compares with these facts without downloading a stock AAR the table describes.
Only the repository the facts come from may answer for them (:func:`known`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional, Sequence

from tflite_slim import files

TABLE = Path(__file__).with_name("stock_sizes.json")
FORMAT = 1


@dataclass(frozen=True)
class StockFacts:
    """One stock AAR as measured: its bytes, and its native library's per ABI."""

    coordinates: str
    url: str
    sha1: str
    aar: int
    #: ``(abi, uncompressed bytes)``, sorted.
    so: tuple[tuple[str, int], ...]
    #: ``(abi, bytes as stored in the AAR)``, sorted: what the download of the library costs.
    so_stored: tuple[tuple[str, int], ...]


def _ints(data: object) -> tuple[tuple[str, int], ...]:
    if not isinstance(data, Mapping) or not all(isinstance(v, int) and v >= 0 for v in data.values()):
        raise ValueError("per-ABI sizes must be non-negative integers")
    return tuple(sorted((str(k), v) for k, v in data.items()))


def parse(text: str) -> tuple[str, dict[str, StockFacts]]:
    """``(source, facts by coordinates)`` from the table's JSON; ValueError when it is not one."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("artifacts"), list):
        raise ValueError(f"not a stock-size table of format {FORMAT}")
    facts = {}
    for row in data["artifacts"]:
        if not isinstance(row, dict) or not isinstance(row.get("aar"), int):
            raise ValueError("an artifact row needs an integer 'aar'")
        f = StockFacts(str(row["coordinates"]), str(row["url"]), str(row["sha1"]), row["aar"],
                       _ints(row["so"]), _ints(row["so_stored"]))
        facts[f.coordinates] = f
    return str(data.get("source", "")), facts


@lru_cache(maxsize=1)
def table() -> tuple[str, dict[str, StockFacts]]:
    """The shipped table (empty when the package was installed without it)."""
    try:
        return parse(TABLE.read_text())
    except FileNotFoundError:
        return "", {}


def known(coordinates: str, repository: str) -> Optional[StockFacts]:
    """The measured facts for ``group:artifact:version`` when ``repository`` is the one they were
    measured from (a mirror or another server answers for itself, and is asked)."""
    facts = table()[1].get(coordinates)
    if facts is None or not facts.url.startswith(repository.rstrip("/") + "/"):
        return None
    return facts


def write_table(rows: Sequence[Mapping], *, source: str) -> None:
    """Replace the shipped table with ``rows`` (``benchmarks/stock_sizes.py``), byte-stable."""
    data = {"format": FORMAT, "source": source,
            "measured": "per ABI: jni/<abi>/<library> from the AAR's zip directory; 'so' uncompressed, "
                        "'so_stored' as stored; 'aar' the whole file",
            "artifacts": sorted(rows, key=lambda r: r["coordinates"])}
    parse(json.dumps(data))  # what is written must read back
    files.write_output(str(TABLE), (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())
    table.cache_clear()
