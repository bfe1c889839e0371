"""The stand-in tree's own size table, for checking the size estimator against real builds.

The shipped table (``runtime/estimates/size_model.json``) was measured on LiteRT's tree, which
does not build in a test. The stand-in (``tests/standin/cmaketree``: kernels ADD, MUL, RELU and
RELU6 in one file sharing a helper and a table, SUB; MUL and SUB share ``MarkerHash`` of
``kernel_util.cc``, as LiteRT's GEMM kernels share the GEMM code) builds in seconds with the same
``--backend cmake``, so it gets a table of the same format, fitted by the same
:func:`size_fit.fit` to the same kinds of builds: the floor op alone, the floor op with each
other op, a probe op alone and with the floor op, each group of ops that share code, every op;
then :data:`BAND_SETS`, other op sets, give the band. Like the shipped table it has one table per
measured level (:data:`LEVELS`: the default -O2 and -Os) and what the stand-in's XNNPACK adds at the
default level (:data:`XNNPACK_PAIRS`: op sets built with and without it; :data:`BAND_SETS` with it give
its band). ``test_standin_sizes.py`` builds :data:`CHECK_SETS`, in none of them, and checks the estimate
:meth:`SizeTables.pick` gives for each build's level and XNNPACK setting against their real bytes. Re-measure with
``.venv/bin/python tests/standin_sizes.py --write`` when the stand-in or the link changes.
"""

from __future__ import annotations

import json
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sizegate import COMPILERS, build_standin_aar, compiler_version  # noqa: E402
from tflite_slim.runtime.estimates import size_fit, size_model  # noqa: E402

TABLE = Path(__file__).resolve().parent / "standin" / "size_model.json"
OPS = {"ADD": 0, "MUL": 18, "RELU": 19, "RELU6": 21, "SUB": 41}
FLOOR_OP, PROBE_OP = "ADD", "SUB"
#: Ops that share code: the rest of a kernel file defining both, and code in a file of its own.
GROUPS = {"relu.cc": ["RELU", "RELU6"], "kernel_util.cc MarkerHash": ["MUL", "SUB"]}
#: The builds the table is fitted to (what :func:`size_fit.fit` needs).
FIT_SETS = {"ADD": ["ADD"], "SUB": ["SUB"], "ADD+SUB": ["ADD", "SUB"], "ADD+MUL": ["ADD", "MUL"],
            "ADD+RELU": ["ADD", "RELU"], "ADD+RELU6": ["ADD", "RELU6"], "ADD+RELU+RELU6": ["ADD", "RELU", "RELU6"],
            "ADD+MUL+SUB": ["ADD", "MUL", "SUB"], "all 5 ops": ["ADD", "MUL", "RELU", "RELU6", "SUB"]}
#: The builds the band is read from (the table's ``checks``).
BAND_SETS = {"MUL+RELU": ["MUL", "RELU"], "SUB+RELU6+MUL": ["SUB", "RELU6", "MUL"]}
#: Op sets built with and without XNNPACK (their difference is what it adds); both are in FIT_SETS.
XNNPACK_PAIRS = {"ADD+MUL": ["ADD", "MUL"], "all 5 ops": ["ADD", "MUL", "RELU", "RELU6", "SUB"]}
#: The levels measured (the default first); the ones with XNNPACK measured.
LEVELS = ("O2", "Os")
XNNPACK_LEVELS = ("O2",)
#: The op sets the estimate is checked on: in none of the above.
CHECK_SETS = {"MUL": ["MUL"], "RELU+RELU6": ["RELU", "RELU6"], "ADD+MUL+RELU": ["ADD", "MUL", "RELU"],
              "MUL+SUB+RELU": ["MUL", "SUB", "RELU"], "SUB+RELU6": ["SUB", "RELU6"]}


def measure_aar(aar: Path, abi: str, name: str, ops: list[str]) -> tuple[size_model.Build, size_fit.Layout]:
    """The build record of one single-ABI AAR: the library's bytes, loaded bytes, stored bytes, the AAR's."""
    with zipfile.ZipFile(aar) as z:
        entry = f"jni/{abi}/libtensorflowlite_jni.so"
        info, data = z.getinfo(entry), z.read(entry)
    lay = size_fit.layout(data)
    return size_model.Build(name, frozenset(ops), lay.so, lay.loaded, aar.stat().st_size, info.compress_size), lay


def measure(abi: str, workdir: Path, sets: dict[str, list[str]], *, opt_level: str = LEVELS[0],
            xnnpack: bool = False) -> dict[str, tuple[size_model.Build, size_fit.Layout]]:
    """Each op set's build record, built for ``abi`` at ``opt_level`` (one cache: relinks after the first)."""
    return {name: measure_aar(build_standin_aar(abi, workdir, [OPS[o] for o in ops], name, opt_level=opt_level,
                                                xnnpack=xnnpack), abi, name, ops)
            for name, ops in sets.items()}


def table_from(measured: dict[str, dict]) -> dict:
    """The size table (``size_model.json``'s format) from :data:`FIT_SETS` and :data:`BAND_SETS` per level and
    ABI, and XNNPACK's pairs and band builds."""
    levels = {}
    for level in LEVELS:
        abis, checks, xnnpack = {}, [], {}
        for abi, row in measured.items():
            fitted, band = row[level]["fit"], row[level]["band"]
            abis[abi] = size_fit.abi_row([b for b, _ in fitted.values()], [b for b, _ in band.values()],
                                         floor_op=FLOOR_OP, probe_op=PROBE_OP, groups=GROUPS,
                                         floor_layout=fitted[FLOOR_OP][1], proxy_for=abi, compiler=row["compiler"])
            checks += [b for b, _ in band.values()]
            if level in XNNPACK_LEVELS:
                with_it, xband = row[level]["xnnpack"], row[level]["xnnpack band"]
                xnnpack[abi] = size_fit.xnnpack_row(
                    abis[abi], [(with_it[n][0], fitted[n][0]) for n in XNNPACK_PAIRS],
                    [b for b, _ in xband.values()], layout=next(iter(with_it.values()))[1])
        levels[level] = {"measured": {"tree": "tests/standin/cmaketree", "how": "tests/standin_sizes.py, --backend cmake",
                                      "flags": "the backend's defaults", "opt_level": level},
                         "abis": abis, "aar_fixed": size_fit.aar_fixed(checks), **({"xnnpack": xnnpack} if xnnpack else {})}
    return {"format": size_model.FORMAT, "default_level": LEVELS[0], "levels": levels}


def measure_all() -> dict[str, dict]:
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        for abi, cxx in COMPILERS.items():
            version = compiler_version(cxx)
            if version is None:
                continue
            result[abi] = {"compiler": f"{cxx} {version}"}
            for level in LEVELS:
                row = {"fit": measure(abi, Path(tmp), FIT_SETS, opt_level=level),
                       "band": measure(abi, Path(tmp), BAND_SETS, opt_level=level)}
                if level in XNNPACK_LEVELS:
                    row["xnnpack"] = measure(abi, Path(tmp), XNNPACK_PAIRS, opt_level=level, xnnpack=True)
                    row["xnnpack band"] = measure(abi, Path(tmp), BAND_SETS, opt_level=level, xnnpack=True)
                result[abi][level] = row
    return result


def load_raw() -> dict:
    return json.loads(TABLE.read_text())


if __name__ == "__main__":
    data = table_from(measure_all())
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    if sys.argv[1:] == ["--write"]:
        TABLE.write_text(text)
    sys.stdout.write(text)
