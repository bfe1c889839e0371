"""The stand-in tree's own size table, for checking the size estimator against real builds.

The shipped table (``runtime/estimates/size_model.json``) was measured on LiteRT's tree, which
does not build in a test. The stand-in (``tests/standin/cmaketree``: kernels ADD, MUL, RELU and
RELU6 in one file, SUB) builds in seconds with the same ``--backend cmake``, so it gets a table of
the same format, measured the same way: the floor from ADD alone, the average per op from all five
ops, one more point for the band. ``test_standin_sizes.py`` then builds *other* op sets and checks
that the estimate's band holds their real bytes. Re-measure with
``.venv/bin/python tests/standin_sizes.py --write`` when the stand-in or the link changes.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sizegate import COMPILERS, build_standin, compiler_version  # noqa: E402

TABLE = Path(__file__).resolve().parent / "standin" / "size_model.json"
OPS = {"ADD": 0, "MUL": 18, "RELU": 19, "RELU6": 21, "SUB": 41}
#: The op sets the table is made of: the floor, every op (the average) and one point for the band.
TABLE_SETS = {"ADD only": ["ADD"], "all 5 ops": ["ADD", "MUL", "RELU", "RELU6", "SUB"], "ADD+MUL": ["ADD", "MUL"]}
#: The op sets the estimate is checked on: none of them went into the table.
CHECK_SETS = {"ADD+SUB": ["ADD", "SUB"], "ADD+MUL+RELU": ["ADD", "MUL", "RELU"],
              "ADD+RELU+RELU6": ["ADD", "RELU", "RELU6"]}


def measure(abi: str, workdir: Path, sets: dict[str, list[str]]) -> dict[str, dict[str, int]]:
    """``{set: {"so": bytes, "aar": bytes}}``: the stripped library and the single-ABI AAR per op set."""
    sizes = {}
    for name, ops in sets.items():
        so, aar = build_standin(abi, workdir, [OPS[o] for o in ops], name)
        sizes[name] = {"so": so, "aar": aar}
    return sizes


def table_from(measured: dict[str, dict]) -> dict:
    """The size table (``size_model.json``'s format) from :data:`TABLE_SETS` measured per ABI."""
    abis, aar_points = {}, []
    for abi, row in measured.items():
        sizes = row["sizes"]
        one, every = sizes["ADD only"]["so"], sizes["all 5 ops"]["so"]
        average = round((every - one) / (len(OPS) - 1))
        abis[abi] = {"proxy_for": abi, "compiler": row["compiler"], "floor": one - average,
                     "per_op_average": average, "per_op": {},
                     "points": [{"name": n, "ops": len(TABLE_SETS[n]), "op_names": TABLE_SETS[n], **sizes[n]}
                                for n in TABLE_SETS]}
        aar_points += [(sizes[n]["so"], sizes[n]["aar"]) for n in TABLE_SETS]
    # A single-ABI AAR = fixed + ratio * library, least squares over every point.
    n = len(aar_points)
    mx, my = sum(x for x, _ in aar_points) / n, sum(y for _, y in aar_points) / n
    sxx = sum((x - mx) ** 2 for x, _ in aar_points)
    ratio = sum((x - mx) * (y - my) for x, y in aar_points) / sxx if sxx else 0.0
    ratio = min(1.0, max(0.01, ratio))
    return {"format": 1, "source": "tests/standin/cmaketree built by tests/standin_sizes.py with --backend cmake, "
                                   "Release, stripped (a test table: the stand-in's kernels are tiny)",
            "abis": abis, "aar_fixed": max(0, round(my - ratio * mx)), "aar_stored_ratio": round(ratio, 4)}


def measure_all() -> dict[str, dict]:
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        for abi, cxx in COMPILERS.items():
            version = compiler_version(cxx)
            if version is not None:
                result[abi] = {"compiler": f"{cxx} {version}", "sizes": measure(abi, Path(tmp), TABLE_SETS)}
    return result


def load_raw() -> dict:
    return json.loads(TABLE.read_text())


if __name__ == "__main__":
    data = table_from(measure_all())
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    if sys.argv[1:] == ["--write"]:
        TABLE.write_text(text)
    sys.stdout.write(text)

