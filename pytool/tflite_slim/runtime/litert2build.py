"""``tflite-slim build --litert-version 2.x.y``: a trimmed LiteRT 2.x runtime, as a drop-in for the app's own.

The phases, in order, each taking the earlier ones' results:

1. :func:`check` (before anything is read or downloaded): the release's line (:mod:`tflite_slim.runtime.trees.litert2`)
   is one the CMake path builds (:func:`litert2.cmake_project.cmake_refusal`), the backend is CMake, the
   stock AAR (``--stock-aar``: the app's ``com.google.ai.edge.litert:litert:<v>``, which the Gradle plugin
   resolves from the app's repositories) is one for the ABIs asked, ``--out`` can be replaced;
2. the models' op set (no Flex, no custom ops but those the tree's ``register.cc`` registers);
3. the tree: ``--source`` (its line must be the release's) or the tag's archive, downloaded once;
4. per ABI, ``libLiteRt.so`` from the tree's own CMake project with the generated resolvers
   (:mod:`tflite_slim.runtime.litert2.cmake`), checked against the stock library's exports;
5. the drop-in AAR (:mod:`tflite_slim.runtime.artifacts.litert2aar`) and its sizes beside the stock AAR's;
6. ``OUT``: ``litert.aar`` and the ``ops.json`` build record (swapped in whole, as for 1.x).

The ``litert-api`` artifact (``liblitert_jni.so``) stays the stock one at the same version: it is not built.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Optional

from tflite_slim.analysis.opset import JSON_FORMAT_VERSION, ModelOps, OpSet, opset_to_json
from tflite_slim.analysis.schema import TFLITE_PROVIDED_CUSTOM_OPS
from tflite_slim.errors import ToolchainError, UsageError
from tflite_slim.http import HttpClient
from tflite_slim.runtime import output, sizes
from tflite_slim.runtime.artifacts import litert2aar
from tflite_slim.runtime.artifacts.abis import HOST_ABIS
from tflite_slim.runtime.backends.cmake import inputs as cmake_inputs
from tflite_slim.runtime.backends.cmake import toolchain as cmake_toolchain
from tflite_slim.runtime.litert2 import bazel_spec
from tflite_slim.runtime.litert2 import cmake as cmake_litert2
from tflite_slim.runtime.spec import resolverbody
from tflite_slim.runtime.litert2 import cmake_project as project
from tflite_slim.runtime.backends.cmake.project import CmakeSettings, Toolchain
from tflite_slim.runtime.inputs import InputsAsked, read_inputs
from tflite_slim.runtime.settings import BuildSettings, absolute_cache_root, backend_asked
from tflite_slim.runtime.trees import litert2, tfsource
from tflite_slim.runtime.trees.layout import LITERT

Log = Callable[[str], None]
AAR_FILE = output.LITERT2_AAR
#: Bumped when what the build directory's key covers changes.
KEY_FORMAT = 1


@dataclass(frozen=True)
class Litert2Result:
    out: Path
    version: str
    line: str
    #: ABI -> the trimmed libLiteRt.so's bytes.
    libraries: tuple[tuple[str, int], ...]
    size_rows: tuple[sizes.SizeRow, ...]
    #: ABIs the stock AAR ships that were not built: their stock library stays.
    kept_stock: tuple[str, ...]


def is_litert2(s: BuildSettings) -> bool:
    """Whether ``s`` asks for the 2.x runtime (``--litert-version 2.x.y``)."""
    return bool(s.litert_version) and str(s.litert_version).startswith("2.")


def settled(s: BuildSettings) -> BuildSettings:
    """``s`` with the backend the 2.x path builds with: CMake when none is named, so ``--min-sdk`` is the
    declared API level (:attr:`BuildSettings.api_level`) as for a CMake 1.x build, in build and plan alike."""
    return s if s.backend else replace(s, backend="cmake")


def check_line(version: str) -> litert2.ReleaseLine:
    """The release's line, when the 2.x path trims it; else the one-line refusal."""
    try:
        line = litert2.line_of_version(version)
    except ValueError as e:
        raise UsageError(f"--litert-version {version!r}: expected a release like 2.2.0") from e
    if line is None:
        raise UsageError(litert2.refusal_for_version(version))
    refused = project.cmake_refusal(line, version)
    if refused:
        raise UsageError(refused)
    return line


def check(s: BuildSettings) -> tuple[litert2.ReleaseLine, Optional[litert2aar.StockAar]]:
    """Phase 1 (see the module docstring): everything said before anything is read, downloaded or built
    (no stock AAR for the Bazel spec, :func:`bazel_dry_run`)."""
    version = str(s.litert_version)
    if not s.models:
        raise UsageError("no models given: tflite-slim build MODEL.tflite... --out DIR")
    line = check_line(version)
    if s.backend == "local" and s.dry_run:
        if not s.litert_source:
            raise UsageError(f"--litert-version {version} --backend local --dry-run: give --litert-source DIR (a "
                             f"checkout of v{version}) to see the Bazel spec for it")
        return line, None
    if s.backend not in (None, "cmake"):
        raise UsageError(f"--litert-version {version} with --backend {s.backend}: the 2.x runtime is built with "
                         "--backend cmake (the Bazel path is a spec, not run yet: --backend local --dry-run "
                         "--litert-source DIR shows it)")
    _check_cmake_options(s, version)
    if s.tensorflow_version or s.tensorflow_src:
        raise UsageError(f"--litert-version {version}: give a checkout of its tag with --litert-source DIR "
                         "(not --source), or nothing to download it")
    if s.custom_ops_srcs or s.custom_ops_deps:
        raise UsageError(f"--litert-version {version}: custom ops of your own are not built into a trimmed "
                         "LiteRT 2.x runtime yet; drop --custom-ops-srcs/--custom-ops-deps")
    if s.dry_run:
        raise UsageError(line.refusal(f"--litert-version {version}", version))
    if not s.out:
        raise UsageError("--out DIR is required (where litert.aar and ops.json go)")
    if not s.stock_aar:
        raise UsageError(f"--litert-version {version}: give --stock-aar FILE, the app's "
                         f"com.google.ai.edge.litert:litert:{version} AAR (the Gradle plugin passes it; by hand: "
                         "from Google's Maven, https://maven.google.com); its classes and other libraries are kept")
    stock = litert2aar.read_stock(Path(s.stock_aar), s.abis)
    output.check_out(Path(s.out))
    return line, stock


def _check_cmake_options(s: BuildSettings, version: str) -> None:
    """The 1.x CMake build's options the 2.x build does not apply are refused, never silently dropped: the 2.x
    runtime compiles with LiteRT's own CMake flags (``Release``) and keeps XNNPACK, its CPU accelerator."""
    if s.cmake is None:
        return
    declared = s.cmake.flags.declared()
    if declared:
        raise UsageError(f"--litert-version {version}: {declared[0]} applies to the 1.x CMake build; the 2.x runtime "
                         f"compiles with LiteRT's own CMake flags (Release): drop {declared[0].split()[0]}")
    if not s.cmake.xnnpack:
        raise UsageError(f"--litert-version {version}: XNNPACK is LiteRT 2.x's CPU accelerator (CompiledModel) and "
                         "stays in the 2.x runtime: drop --no-xnnpack")


def check_ops(ops: OpSet, version: str) -> None:
    """Phase 2's refusals, before the tree is downloaded (the tree's own check repeats them by file)."""
    if ops.has_flex:
        raise UsageError(f"--litert-version {version}: the models use Flex ops ({', '.join(ops.flex_op_names)}); "
                         "a trimmed LiteRT 2.x runtime registers only the builtin kernels; keep the stock runtime")
    own = sorted(c for c in ops.custom_ops if c not in TFLITE_PROVIDED_CUSTOM_OPS)
    if own:
        raise UsageError(f"--litert-version {version}: the models use custom ops of your own ({', '.join(own)}), "
                         "which a trimmed LiteRT 2.x runtime does not build yet; keep the stock runtime")


def tree_for(s: BuildSettings, line: litert2.ReleaseLine, cache: Path, log: Log) -> tuple[Path, Optional[str]]:
    """Phase 3: the tree's root and commit: ``--litert-source`` (of the release's line) or the tag's archive."""
    version = str(s.litert_version)
    if s.litert_source:
        root = Path(s.litert_source).expanduser().resolve()
        found = litert2.line_of_tree(root) if root.is_dir() else None
        if found is None:
            raise UsageError(f"--litert-source {s.litert_source}: not a LiteRT 2.x checkout (no LITERT_EXPERIMENTAL_VERSION "
                             "in litert/version.bzl); give a checkout of the tag v" + version)
        if found is not line:
            raise UsageError(f"--litert-source {s.litert_source}: a LiteRT {found.name} tree, and --litert-version {version} "
                             f"is {line.name}; check out the tag v{version}")
        return root, tfsource.git_commit(root)
    src = tfsource.cached_source(version, cache, LITERT)
    if src is None:
        tfsource.check_free_space(cache)
        with HttpClient() as client:
            src = tfsource.fetch_source(version, cache, client, layout=LITERT, line2=True)
        log(f"tflite-slim: LiteRT {version} downloaded into {src.root}")
    if litert2.line_of_tree(src.root) is not line:
        raise UsageError(f"{src.root}: the archive of LiteRT {version} is not a {line.name} tree")
    return src.root, src.commit


def toolchains(cmake: CmakeSettings, abis: tuple[str, ...], api_level: Optional[int]) -> dict[str, Toolchain]:
    """Each ABI's compilers or NDK toolchain (found, checked): a missing one is one line saying what to install."""
    if cmake.problems:
        raise ToolchainError(cmake.problems[0])
    return {a: cmake_toolchain.host_toolchain(cmake, a, True) if a in HOST_ABIS
            else cmake_toolchain.android_toolchain(cmake, a, api_level, True) for a in abis}


def build_key(root: Path, line: litert2.ReleaseLine, toolchain: Toolchain, align_16kb: bool, digest: str) -> str:
    """A build directory's key: the tree (path and content), the line, the compiler and the link options.
    The op set is not in it: it lives in the generated files, which the build rewrites when they change."""
    data = {"format": KEY_FORMAT, "root": str(root), "trees": digest, "line": line.name, "abi": toolchain.abi,
            "compiler": toolchain.compiler_id, "align_16kb": align_16kb}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()


def fingerprint(version: str, ops: OpSet, abis: tuple[str, ...], s: BuildSettings) -> str:
    """What the runtime's version hashes: the op set, the release and the declared options only."""
    data = {"litert": version, "op_set": opset_to_json(ops), "abis": list(abis), "align_16kb": s.align_16kb,
            "ndk_version": s.ndk_version, "android_api_level": s.api_level, "backend": "cmake"}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()


def bazel_dry_run(s: BuildSettings) -> str:
    """``--backend local --dry-run``: the Bazel path's spec for ``--litert-source`` (:mod:`tflite_slim.runtime.litert2.bazel_spec`)."""
    line, _ = check(s)
    s = replace(s, android_api_level=s.android_api_level if s.android_api_level is not None else s.min_sdk)
    inputs = read_inputs(InputsAsked(s.models, ()))
    check_ops(inputs.op_set, str(s.litert_version))
    root, _commit = tree_for(s, line, absolute_cache_root(s), lambda _: None)
    return bazel_spec.render(bazel_spec.spec_for(root, line, inputs.op_set, s.abis, s.api_level, s.bazel))


@dataclass(frozen=True)
class Litert2Plan:
    """What ``tflite-slim plan`` says of a 2.x build: the release, its line and the fingerprint the version hashes."""

    version: str
    line: str
    fingerprint: str


def plan(s: BuildSettings) -> Litert2Plan:
    """A 2.x build's plan without a tree, a toolchain or the stock AAR: the version hashes only the declared
    inputs (:func:`fingerprint`), so a developer's machine computes the coordinates CI publishes."""
    s = settled(s)
    version = str(s.litert_version)
    line = check_line(version)
    if s.custom_ops_srcs or s.custom_ops_deps:
        raise UsageError(f"--litert-version {version}: custom ops of your own are not built into a trimmed "
                         "LiteRT 2.x runtime yet; drop --custom-ops-srcs/--custom-ops-deps")
    ops = read_inputs(InputsAsked(s.models, ())).op_set
    check_ops(ops, version)
    return Litert2Plan(version, line.name, fingerprint(version, ops, tuple(sorted(set(s.abis))), s))


def build(s: BuildSettings, log: Log) -> Litert2Result:
    """Run the phases of the module docstring; ``OUT`` is replaced only when everything succeeded."""
    s = settled(s)
    line, stock = check(s)
    if stock is None:
        raise UsageError(f"--litert-version {s.litert_version}: the Bazel path is a spec only; build with --backend cmake")
    version = str(s.litert_version)
    abis = tuple(sorted(set(s.abis)))
    inputs = read_inputs(InputsAsked(s.models, ()))
    ops = inputs.op_set
    check_ops(ops, version)
    cmake = backend_asked(s, "cmake").cmake
    chains = toolchains(cmake, abis, s.api_level)  # before the download
    cache = absolute_cache_root(s)
    root, commit = tree_for(s, line, cache, log)
    selected, reference = resolverbody.select_in_tree(root, ops)
    log(f"tflite-slim: LiteRT {version} ({line.name}): register.cc keeps {len(selected.kept_builtins)} builtin "
        f"ops and {len(selected.kept_customs)} custom ops; register_ref.cc "
        f"{len(reference.kept_builtins)}" + (f" (it registers no {', '.join(reference.absent_builtins)}, as "
                                               "the stock one)" if reference.absent_builtins else ""))
    staging = Path(tempfile.mkdtemp(prefix=".tflite-slim-litert2-"))
    try:
        # The tree and the dependency directories by content (Ninja compares dates only), as the 1.x backend.
        roots = [root, *(Path(d) for _, d in sorted(dict(cmake.dep_sources).items()))]
        roots += [Path(cmake.tensorflow_dir)] if cmake.tensorflow_dir else []
        digest = cmake_inputs.content_digest(roots, [cache]) if s.use_cache else ""
        libraries = {}
        for abi in abis:
            chain = chains[abi]
            build_dir = (cache / "litert2" / build_key(root, line, chain, s.align_16kb, digest)[:16]
                         if s.use_cache else staging / "cmake" / abi)
            built = cmake_litert2.build_abi(root, line, ops, chain, build_dir, staging / abi / litert2aar.SO_NAME,
                                            cmake, align_16kb=s.align_16kb, log=log)
            litert2aar.check_library(stock, abi, built.library,
                                     lambda n: project.is_exported_name(n, line))
            libraries[abi] = built.library
        made = staging / "made"
        made.mkdir()
        litert2aar.write_drop_in(stock, libraries, made / AAR_FILE)
        kept = litert2aar.kept_stock(stock, libraries)
        if kept:
            log(f"tflite-slim: note: {', '.join(kept)}: not built, their stock {litert2aar.SO_NAME} stays in "
                f"{AAR_FILE} (untrimmed)")
        slim = sizes.AarSizes((made / AAR_FILE).stat().st_size,
                              tuple(sorted((a, p.stat().st_size) for a, p in libraries.items())))
        row = sizes.SizeRow(AAR_FILE, f"com.google.ai.edge.litert:litert:{version}", slim,
                            sizes.AarSizes(stock.size, stock.so_sizes), note=None)
        doc = record(version, line, commit, abis, ops, inputs.models, s, fingerprint(version, ops, abis, s),
                     chains, kept, (row,), reference.absent_builtins)
        output.write_files(Path(str(s.out)), made, (AAR_FILE,), doc, cached=False)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Litert2Result(Path(str(s.out)), version, line.name, slim.so, (row,), kept)


def record(version: str, line: litert2.ReleaseLine, commit: Optional[str], abis: tuple[str, ...], ops: OpSet,
           models: tuple[ModelOps, ...], s: BuildSettings, fingerprint_: str, chains: dict[str, Toolchain],
           kept: tuple[str, ...], rows: tuple[sizes.SizeRow, ...], reference_lacks: tuple[str, ...]) -> dict:
    """The ``ops.json`` of a 2.x build: as 1.x's (op set, models, declared and observed, sizes), plus the line."""
    return {
        "format_version": JSON_FORMAT_VERSION,
        "litert": {"version": version, "line": line.name, "commit": commit,
                   "artifact": f"com.google.ai.edge.litert:litert:{version}",
                   "litert_api": f"com.google.ai.edge.litert:litert-api:{version} (stock, not rebuilt)"},
        "abis": list(abis),
        "plan_fingerprint": fingerprint_,
        "declared": {"ndk_version": s.ndk_version, "android_api_level": s.api_level},
        "observed": {"commit": commit, "toolchain": _by_abi(chains),
                     "min_api_level": s.api_level if any(a not in HOST_ABIS for a in abis) else None},
        "op_set": opset_to_json(ops),
        "models": [{"path": m.path, "sha256": m.sha256} for m in sorted(models, key=lambda m: m.path)],
        "artifacts": {"runtime": AAR_FILE, "stock_abis_kept": list(kept)},
        "reference_resolver_lacks": list(reference_lacks),
        "sizes": sizes.to_record(rows),
        "backend": {"backend": "cmake"},
    }


def _by_abi(chains: dict[str, Toolchain]) -> dict[str, dict[str, str]]:
    """The toolchain facts per ABI (``<abi>.<fact>`` -> value), as a 1.x record's ``observed.toolchain``."""
    out: dict[str, dict[str, str]] = {}
    for chain in chains.values():
        for key, value in chain.facts:
            abi, _, fact = key.partition(".")
            out.setdefault(abi, {})[fact] = value
    return out
