"""Phase 7, sizes before and after: the slim AARs next to the stock runtime of the same release.

After a build, each AAR's size and its native library per ABI are set beside
those of the stock artifact the slim one replaces (``org.tensorflow:
tensorflow-lite:<version>`` for a TensorFlow build, ``com.google.ai.edge.litert:
litert:<version>`` for LiteRT; the Select TF ops AARs likewise). The stock AAR
is fetched once from its Maven repository through the one HTTP seam (unless
:mod:`~tflite_slim.runtime.artifacts.stock`'s measured table already describes it,
as read from that same repository); only its sizes are kept, cached by repository
and coordinates (``<cache>/stock/<repository key>/<group>/<artifact>/<version>.json``,
the key a hash of the repository's URL without credentials), so a second build asks
nothing of the network, and one mirror's (or a hostile server's) numbers never answer
for another repository. Offline, or
a release the repository does not have, the comparison says it could not be
made and why; the build itself never fails over it.

The phase is :func:`for_build`; the text and record forms are for the CLI
and :mod:`.output`. Pure parts (coordinates, reading sizes out of a zip, the
text and record forms) are apart from the fetch (:func:`fetch_stock`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

from tflite_slim import files
from tflite_slim.errors import NetworkError
from tflite_slim.http import HttpClient, redact_url
from tflite_slim.runtime.artifacts import aar, stock
from tflite_slim.runtime.spec.buildfile import FLEX_TARGET, RUNTIME_TARGET
from tflite_slim.runtime.trees.layout import LITERT, TENSORFLOW
from tflite_slim.runtime.spec.plan import BuildPlan

#: Where the stock runtimes are published: TensorFlow's on Maven Central, LiteRT's on Google's Maven.
STOCK_REPOSITORIES = {TENSORFLOW.kind: "https://repo1.maven.org/maven2", LITERT.kind: "https://dl.google.com/android/maven2"}
#: One repository for both (a company mirror, or the tests' server).
ENV_STOCK_REPOSITORY = "TFLITE_SLIM_STOCK_MAVEN_URL"
STOCK_ARTIFACTS = {
    (TENSORFLOW.kind, RUNTIME_TARGET): ("org.tensorflow", "tensorflow-lite"),
    (TENSORFLOW.kind, FLEX_TARGET): ("org.tensorflow", "tensorflow-lite-select-tf-ops"),
    (LITERT.kind, RUNTIME_TARGET): ("com.google.ai.edge.litert", "litert"),
    (LITERT.kind, FLEX_TARGET): ("com.google.ai.edge.litert", "litert-select-tf-ops"),
}
SO_NAMES = {RUNTIME_TARGET: aar.RUNTIME_SO, FLEX_TARGET: aar.FLEX_SO}
#: A stock AAR larger than this is not a runtime (the Select TF ops AAR is ~100-300 MiB).
MAX_STOCK_AAR = 2 << 30
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$")
_CACHE_FORMAT = 2
SKIPPED = "not compared: --no-stock-compare"

Log = Callable[[str], None]


class StockMissing(NetworkError):
    """The repository answered, without the artifact: the next artifact may still be there."""


@dataclass(frozen=True)
class SizesAsked:
    """The settings the comparison reads."""

    #: False with ``--no-stock-compare``: nothing is fetched, the record says so.
    enabled: bool
    #: Where the stock sizes are cached (``<cache>/stock``); None with ``--no-cache``.
    cache: Optional[Path]


@dataclass(frozen=True)
class AarSizes:
    """One AAR's bytes and its native library's (uncompressed) bytes per ABI."""

    aar: int
    so: tuple[tuple[str, int], ...]

    def to_json(self) -> dict:
        return {"aar": self.aar, "so": dict(self.so)}

    @staticmethod
    def from_json(data: Mapping) -> "AarSizes":
        so = data["so"]
        if not isinstance(data["aar"], int) or not all(isinstance(v, int) for v in so.values()):
            raise ValueError("sizes must be integers")
        return AarSizes(data["aar"], tuple(sorted((str(k), v) for k, v in so.items())))


@dataclass(frozen=True)
class SizeRow:
    """One slim AAR beside its stock counterpart (``stock`` None: not compared, ``note`` says why)."""

    file_name: str
    stock_coordinates: str
    slim: AarSizes
    stock: Optional[AarSizes]
    note: Optional[str] = None


def stock_coordinates(source: str, target: str, version: str) -> tuple[str, str, str]:
    """``(group, artifact, version)`` of the stock artifact that ``target`` of a ``source`` build replaces."""
    group, artifact = STOCK_ARTIFACTS[(source, target)]
    return group, artifact, version


def stock_url(repository: str, group: str, artifact: str, version: str) -> str:
    return f"{repository.rstrip('/')}/{group.replace('.', '/')}/{artifact}/{version}/{artifact}-{version}.aar"


def sizes_in_zip(z: zipfile.ZipFile, size: int, so_name: str) -> AarSizes:
    """An AAR's sizes from its zip directory: ``jni/<abi>/<so_name>`` uncompressed, per ABI."""
    so = {}
    for info in z.infolist():
        parts = info.filename.split("/")
        if len(parts) == 3 and parts[0] == "jni" and parts[2] == so_name:
            so[parts[1]] = info.file_size
    return AarSizes(size, tuple(sorted(so.items())))


def slim_sizes(report: aar.AarReport) -> AarSizes:
    return AarSizes(report.size, tuple(sorted(report.so_sizes)))


def fetch_stock(repository: str, coords: tuple[str, str, str], so_name: str, cache: Optional[Path],
                client: HttpClient, *, deadline: float, log: Log) -> AarSizes:
    """The stock AAR's sizes: from the cache by repository and coordinates, else downloaded (and then cached
    when ``cache``).

    Raises :class:`NetworkError` with a one-line reason when it cannot be had.
    """
    group, artifact, version = coords
    where = repository_key(repository)
    entry = cache / _key_digest(where) / group / artifact / f"{version}.json" if cache is not None else None
    if entry is not None:
        cached = _read_cached(entry, where)
        if cached is not None:
            return cached
    url = stock_url(repository, *coords)
    log(f"tflite-slim: fetching the stock {group}:{artifact}:{version} from {redact_url(repository)} "
        "to compare sizes (once; cached)")
    response = client.get(url, stream=True, deadline=deadline)
    with response:
        if response.status_code != 200:
            raise StockMissing(f"GET {redact_url(url)} answered {response.status_code}")
        with tempfile.TemporaryFile() as tmp:
            size = 0
            for chunk in HttpClient.iter_raw(response):
                size += len(chunk)
                if size > MAX_STOCK_AAR:
                    raise NetworkError(f"GET {redact_url(url)}: more than {MAX_STOCK_AAR} bytes; not a runtime AAR")
                tmp.write(chunk)
            tmp.seek(0)
            try:
                with zipfile.ZipFile(tmp) as z:
                    sizes = sizes_in_zip(z, size, so_name)
            except (zipfile.BadZipFile, OSError) as e:
                raise NetworkError(f"GET {redact_url(url)}: not an AAR ({e})") from e
    if entry is not None:
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            files.write_output(str(entry), json.dumps({"format": _CACHE_FORMAT, "repository": where,
                                                       **sizes.to_json()}, sort_keys=True).encode())
        except OSError:
            pass  # a cache that cannot be written costs a download next time, nothing more
    return sizes


def repository_key(repository: str) -> str:
    """What the cache keys a repository by: its URL without credentials or a trailing ``/``."""
    return redact_url(repository.strip()).rstrip("/")


def _key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _read_cached(entry: Path, repository: str) -> Optional[AarSizes]:
    try:
        if entry.is_symlink() or entry.stat().st_size > 1 << 20:
            return None
        data = json.loads(entry.read_text())
        if data.get("format") != _CACHE_FORMAT or data.get("repository") != repository:
            return None
        return AarSizes.from_json(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing or damaged: fetched again


def compare(reports: Sequence[tuple[str, aar.AarReport]], source: str, version: str, *,
            cache: Optional[Path], env: Mapping[str, str] = os.environ,
            client_factory: Callable[[], HttpClient] = lambda: HttpClient(retries=1, timeout=(10.0, 60.0)),
            deadline: float = 600.0, log: Log) -> tuple[SizeRow, ...]:
    """Each ``(target, report)`` of a build beside the stock artifact of ``source`` at ``version``."""
    repository = env.get(ENV_STOCK_REPOSITORY) or STOCK_REPOSITORIES[source]
    rows = []
    failed: Optional[str] = None
    with contextlib.ExitStack() as stack:
        clients: list[HttpClient] = []

        def client() -> HttpClient:  # made on first use: a table hit or a bad version asks no one
            if not clients:
                clients.append(stack.enter_context(client_factory()))
            return clients[0]

        for target, report in reports:
            coords = stock_coordinates(source, target, version)
            name = ":".join(coords)
            stock_sizes: Optional[AarSizes] = None
            note = None
            if not _VERSION.match(version):
                note = f"{version!r} is not a Maven version"
            elif (known := stock.known(name, repository)) is not None:
                stock_sizes = AarSizes(known.aar, known.so)  # measured from that repository: nothing to fetch
            elif failed is not None:
                note = failed  # offline once is offline for the next artifact too: no second wait
            else:
                try:
                    stock_sizes = fetch_stock(repository, coords, SO_NAMES[target], cache, client(),
                                              deadline=deadline, log=log)
                except StockMissing as e:
                    note = str(e)
                except NetworkError as e:
                    note = failed = str(e)
            rows.append(SizeRow(report.file_name, name, slim_sizes(report), stock_sizes, note))
    return tuple(rows)


def for_build(plan: BuildPlan, reports: Sequence[aar.AarReport], asked: SizesAsked,
              log: Log) -> tuple[SizeRow, ...]:
    """The comparison a build prints and records: ``reports`` (the checked AARs of ``plan``, one per target)
    beside the stock runtime of the plan's release; with ``--no-stock-compare`` nothing is fetched."""
    source, version = plan.source, plan.tf_version
    pairs = list(zip(plan.targets, reports))
    if asked.enabled:
        return compare(pairs, source, version, cache=asked.cache, log=log)
    return tuple(SizeRow(r.file_name, ":".join(stock_coordinates(source, t, version)), slim_sizes(r), None,
                         SKIPPED) for t, r in pairs)


def to_record(rows: Sequence[SizeRow]) -> dict:
    """The build record's ``sizes``: per AAR the slim sizes, the stock ones (or null) and why not."""
    out = {}
    for r in rows:
        entry = {"slim": r.slim.to_json(), "stock_artifact": r.stock_coordinates,
                 "stock": r.stock.to_json() if r.stock is not None else None}
        if r.note is not None:
            entry["stock_unavailable"] = r.note
        out[r.file_name] = entry
    return out


def human(n: int) -> str:
    return f"{n / (1 << 20):.2f} MiB" if n >= 1 << 20 else f"{n / 1024:.1f} KiB"


def _change(slim: int, stock: int) -> str:
    return f"-{100 * (stock - slim) / stock:.0f}%" if stock and slim <= stock else (
        f"+{100 * (slim - stock) / stock:.0f}%" if stock else "")


def render_text(rows: Sequence[SizeRow]) -> list[str]:
    """Lines for the build's summary: per AAR, then per ABI, slim vs stock."""
    lines = []
    for r in rows:
        if r.note == SKIPPED:
            lines.append(f"  {r.file_name}: {human(r.slim.aar)} (stock comparison skipped: --no-stock-compare)")
            continue
        if r.stock is None:
            lines.append(f"  {r.file_name}: {human(r.slim.aar)}; could not compare with the stock "
                         f"{r.stock_coordinates} ({r.note}); --no-stock-compare skips this")
            continue
        stock_so = dict(r.stock.so)
        lines.append(f"  {r.file_name}: {human(r.slim.aar)} vs stock {r.stock_coordinates} {human(r.stock.aar)} "
                     f"({', '.join(abi for abi, _ in r.stock.so) or 'no native code'})")
        for abi, n in r.slim.so:
            if abi in stock_so:
                lines.append(f"    {abi}: {human(n)} vs {human(stock_so[abi])} ({_change(n, stock_so[abi])})")
            else:
                lines.append(f"    {abi}: {human(n)} (the stock AAR has no {abi})")
    return lines


def chart_data(record_sizes: Mapping) -> list[tuple[str, str, int, Optional[int]]]:
    """``(file, abi, slim, stock)`` bars from a build record's ``sizes`` (validated: ints only)."""
    bars = []
    for file_name, entry in sorted(record_sizes.items()):
        slim = entry.get("slim", {}).get("so", {}) if isinstance(entry, Mapping) else {}
        stock_entry = entry.get("stock") if isinstance(entry, Mapping) else None
        stock = stock_entry.get("so", {}) if isinstance(stock_entry, Mapping) else {}
        for abi, n in sorted(slim.items()):
            if isinstance(n, int):
                s = stock.get(abi)
                bars.append((str(file_name), str(abi), n, s if isinstance(s, int) else None))
    return bars
