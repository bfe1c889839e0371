"""Build output directories (contract 2) for the Maven tests, without a build.

An AAR of the real layout (``AndroidManifest.xml``, ``classes.jar``,
``jni/<abi>/*.so``) and an ``ops.json`` build record made from an
:class:`OpSet`; ``payload`` varies the native library's bytes so tests can
make "same op set, different bytes".
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Optional, Sequence

from tflite_slim.analysis.opset import FlexOp, OpSet, opset_to_json

BASIC = OpSet({"ADD": (1, 2), "CONV_2D": (1, 2, 3), "SOFTMAX": (1,)}, ("Convolution2DTransposeBias",), ())
WITH_FLEX = OpSet({"ADD": (1,)}, (), (FlexOp("AddV2", (("T", "DT_FLOAT"),)), FlexOp("Erf")))
_FIXED = (1980, 1, 1, 0, 0, 0)


def make_aar(path: Path, package: str, abis: Sequence[str], payload: bytes = b"") -> Path:
    """A byte-stable AAR zip of the layout Bazel's aar rules produce."""
    jar = io.BytesIO()
    with zipfile.ZipFile(jar, "w") as j:
        j.writestr(zipfile.ZipInfo("META-INF/MANIFEST.MF", _FIXED), "Manifest-Version: 1.0\n")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        manifest = f'<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="{package}"/>\n'
        z.writestr(zipfile.ZipInfo("AndroidManifest.xml", _FIXED), manifest)
        z.writestr(zipfile.ZipInfo("classes.jar", _FIXED), jar.getvalue())
        for abi in abis:
            z.writestr(zipfile.ZipInfo(f"jni/{abi}/libtensorflowlite_jni.so", _FIXED), b"\x7fELF" + payload)
    return path


def make_build_out(
    out: Path,
    ops: OpSet = BASIC,
    *,
    tf_version: str = "2.16.1",
    commit: Optional[str] = None,
    abis: Sequence[str] = ("arm64-v8a", "armeabi-v7a"),
    payload: bytes = b"",
    plan_salt: str = "",
    model_sha256: str = "0" * 64,
) -> Path:
    """``out`` filled like ``tflite-slim build --out out`` leaves it; returns ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    make_aar(out / "tensorflow-lite.aar", "org.tensorflow.lite", abis, payload)
    flex = ops.has_flex
    if flex:
        make_aar(out / "tensorflow-lite-select-tf-ops.aar", "org.tensorflow.lite.flex", abis, payload)
    plan = hashlib.sha256(
        json.dumps([ops.canonical(), list(abis), tf_version, commit, plan_salt], sort_keys=True).encode()
    ).hexdigest()
    record = {
        "format_version": 1,
        "tensorflow": {"version": tf_version, "commit": commit},
        "abis": list(abis),
        "experimental_api": False,
        "plan_fingerprint": plan,
        "op_set": opset_to_json(ops),
        "models": [{"path": "model.tflite", "sha256": model_sha256}],
        "artifacts": {
            "runtime": "tensorflow-lite.aar",
            "select_tf_ops": "tensorflow-lite-select-tf-ops.aar" if flex else None,
        },
    }
    (out / "ops.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return out
