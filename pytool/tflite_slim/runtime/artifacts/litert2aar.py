"""The 2.x drop-in: the app's own stock ``litert`` AAR with only its ``libLiteRt.so`` replaced per ABI.

A trimmed LiteRT 2.x runtime must be the app's exact ``com.google.ai.edge.litert:litert:<v>``: the same
``classes.jar`` (the Kotlin CompiledModel API and the Interpreter API copied from ``tflite/java``), the same
manifest, ProGuard rules and every other entry (a release's GPU accelerator library, ``libLiteRtGpuAccelerator``
or whatever else it ships beside ``libLiteRt.so``), and ``libLiteRt.so`` exporting every symbol the stock
one does (``liblitert_jni.so`` of the stock ``litert-api`` calls into it; at v2.2.0 it ``dlsym``s
``kLiteRtRuntimeBuiltin``). Google's Maven is where that AAR lives; the Gradle plugin resolves it from
the app's own repositories and hands it over (``--stock-aar``), so this module only reads a file.

What is checked, each a one-line error naming the file: it is a zip with ``classes.jar``; it carries
``jni/<abi>/libLiteRt.so`` for every Android ABI built (a ``litert-api`` AAR, or a 2.0.x one, does not);
entries are bounded (:data:`MAX_ENTRY_BYTES`, :data:`MAX_TOTAL_BYTES`) before anything is read; and the
trimmed library exports exactly the stock one's ``Java_*``/``TfLite*``/``LiteRt*``/``kLiteRtRuntimeBuiltin``
names (:func:`symbol_problems`).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

from tflite_slim.errors import BuildError, UsageError
from tflite_slim.runtime.artifacts import aar, elf
from tflite_slim.runtime.artifacts.abis import HOST_ABIS

SO_NAME = "libLiteRt.so"
CLASSES = "classes.jar"
#: The stock litert AAR is tens of MB; a far larger entry or total is not that AAR (and is not inflated).
MAX_ENTRY_BYTES = 512 << 20
MAX_TOTAL_BYTES = 2 << 30


@dataclass(frozen=True)
class StockAar:
    """What the stock AAR holds that the drop-in keeps or is compared with."""

    path: Path
    #: Every entry's name, sorted.
    entries: tuple[str, ...]
    #: ABI -> its stock libLiteRt.so's uncompressed bytes (every ABI the AAR ships).
    so_sizes: tuple[tuple[str, int], ...]
    size: int

    @property
    def abis(self) -> tuple[str, ...]:
        return tuple(a for a, _ in self.so_sizes)


def read_stock(path: Path, abis: Sequence[str], option: str = "--stock-aar") -> StockAar:
    """Check ``path`` is a stock ``litert`` AAR for ``abis`` (see the module docstring); nothing is inflated."""
    where = f"{option} {path}"
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except FileNotFoundError as e:
        raise UsageError(f"{where}: no such file; give the app's com.google.ai.edge.litert:litert AAR") from e
    except (OSError, zipfile.BadZipFile) as e:
        raise UsageError(f"{where}: not a readable AAR (zip) file ({e}); give the app's "
                         "com.google.ai.edge.litert:litert AAR") from e
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise UsageError(f"{where}: holds an entry twice; it is not an AAR Gradle wrote")
    big = next((i for i in infos if i.file_size > MAX_ENTRY_BYTES), None)
    if big is not None or sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
        raise UsageError(f"{where}: {'entry ' + big.filename if big else 'its content'} is larger than a litert "
                         "AAR; it is not one")
    if CLASSES not in names:
        raise UsageError(f"{where}: has no {CLASSES}; it is not an Android library (AAR)")
    so = {}
    for i in infos:
        parts = i.filename.split("/")
        if len(parts) == 3 and parts[0] == "jni" and parts[2] == SO_NAME:
            so[parts[1]] = i.file_size
    lacking = [a for a in abis if a not in HOST_ABIS and a not in so]
    if lacking:
        has = sorted({n.split("/")[2] for n in names if n.startswith("jni/") and n.count("/") == 2})
        raise UsageError(f"{where}: has no jni/{lacking[0]}/{SO_NAME} (its libraries: {', '.join(has) or 'none'}); "
                         "give the com.google.ai.edge.litert:litert AAR of 2.1.6 or later (not litert-api), "
                         f"or leave {lacking[0]} out of --target-archs")
    return StockAar(Path(path), tuple(sorted(names)), tuple(sorted(so.items())), Path(path).stat().st_size)


def stock_library(stock: StockAar, abi: str) -> bytes:
    """The stock AAR's ``jni/<abi>/libLiteRt.so`` (bounded by :func:`read_stock`)."""
    with zipfile.ZipFile(stock.path) as z:
        return z.read(f"jni/{abi}/{SO_NAME}")


def symbol_problems(stock: Sequence[str], ours: Sequence[str], exported: Callable[[str], bool]) -> list[str]:
    """Why ``ours`` (a trimmed library's exported names) is not a drop-in for ``stock``'s: names the stock
    library exports under the version script's patterns that ours lacks, and names ours exports outside them."""
    problems = []
    missing = sorted(n for n in set(stock) - set(ours) if exported(n))
    if missing:
        problems.append(f"lacks {len(missing)} symbol(s) the stock {SO_NAME} exports ({', '.join(missing[:5])}"
                        f"{', ...' if len(missing) > 5 else ''})")
    extra = sorted(n for n in ours if not exported(n))
    if extra:
        problems.append(f"exports {len(extra)} symbol(s) outside the version script ({', '.join(extra[:5])})")
    return problems


def check_library(stock: StockAar, abi: str, library: Path, exported: Callable[[str], bool]) -> None:
    """Refuse a trimmed library that is not a drop-in for the stock AAR's of the same ABI (desktop ABIs,
    which the stock AAR does not ship, are checked against the version script only)."""
    ours = elf.exported_symbols(library.read_bytes())
    try:
        theirs = elf.exported_symbols(stock_library(stock, abi)) if dict(stock.so_sizes).get(abi) else ()
    except elf.ElfError as e:
        raise UsageError(f"--stock-aar {stock.path}: jni/{abi}/{SO_NAME} is not a shared library ({e}); give the "
                         "app's com.google.ai.edge.litert:litert AAR") from e
    problems = symbol_problems(theirs, ours, exported)
    if problems:
        raise BuildError(f"{library}: not a drop-in for {stock.path}'s jni/{abi}/{SO_NAME}: {'; '.join(problems)}")


def write_drop_in(stock: StockAar, libraries: Mapping[str, Path], dst: Path) -> None:
    """``dst``: every entry of the stock AAR as it is, ``jni/<abi>/libLiteRt.so`` replaced by ``libraries[abi]``
    (a desktop ABI's added), byte-stable (:func:`aar.write_stable_zip`)."""
    with zipfile.ZipFile(stock.path) as z:
        entries = {i.filename: z.read(i) for i in z.infolist()}
    for abi, library in sorted(libraries.items()):
        entries[f"jni/{abi}/{SO_NAME}"] = Path(library).read_bytes()
    aar.write_stable_zip(str(dst), entries)


def kept_stock(stock: StockAar, libraries: Mapping[str, Path]) -> tuple[str, ...]:
    """The ABIs whose stock library the drop-in keeps untrimmed (the stock AAR ships them, none was built)."""
    return tuple(a for a in stock.abis if a not in libraries)
