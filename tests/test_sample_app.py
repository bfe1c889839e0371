"""``sample-android-app/``: what can be checked without the Android SDK, AGP or Gradle 9.

The sample is Android Studio's 2026 new-project shape (Kotlin DSL, version catalog,
settings-declared repositories). Here: its files parse and name versions that go together
(AGP vs the wrapper's Gradle, per ``tests/agp_compatibility.toml``), its model is the one
the activity assumes, and the tool analyzes and verifies it as the README says.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from fake_build import make_build_out
from tflite_slim.analysis.opset import OpSet

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the [test] extra installs tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample-android-app"
APP = SAMPLE / "app"
MODEL = APP / "src/main/assets/add.tflite"
ACTIVITY = APP / "src/main/kotlin/io/tfliteslim/sample/MainActivity.kt"
COMPATIBILITY = Path(__file__).resolve().parent / "agp_compatibility.toml"

BUILD_FILES = ("settings.gradle.kts", "build.gradle.kts", "app/build.gradle.kts", "gradle.properties",
               "gradle/libs.versions.toml", "gradle/wrapper/gradle-wrapper.properties")


def catalog() -> dict:
    with open(SAMPLE / "gradle/libs.versions.toml", "rb") as f:
        return tomllib.load(f)


def version_tuple(version: str) -> Tuple[int, ...]:
    """``"9.5.0"`` -> ``(9, 5, 0)``; only plain release numbers (what a compatibility table names)."""
    assert re.fullmatch(r"\d+(\.\d+)*", version), f"not a plain release number: {version!r}"
    return tuple(int(p) for p in version.split("."))


def wrapper_gradle_version() -> str:
    text = (SAMPLE / "gradle/wrapper/gradle-wrapper.properties").read_text()
    match = re.search(r"^distributionUrl=https\\://services\.gradle\.org/distributions/gradle-([0-9.]+)-(bin|all)\.zip$",
                      text, re.M)
    assert match, "gradle-wrapper.properties has no services.gradle.org distributionUrl"
    return match.group(1)


def kotlin_block(text: str, name: str) -> str:
    """The body of the top-level ``name { ... }`` block of a Kotlin build script (braces matched)."""
    match = re.search(rf"^{re.escape(name)} \{{\n", text, re.M)
    assert match, f"no top-level `{name} {{` block"
    depth, i = 1, match.end()
    while depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[match.end():i - 1]


def sdk_levels() -> Dict[str, int]:
    app = (APP / "build.gradle.kts").read_text()
    levels = {k: re.search(rf"^\s*{k} = (\d+)$", app, re.M) for k in ("compileSdk", "minSdk", "targetSdk")}
    assert all(levels.values()), levels
    return {k: int(m.group(1)) for k, m in levels.items()}


# --- the project's shape ------------------------------------------------------------------------

def test_sample_is_kotlin_dsl_with_a_version_catalog() -> None:
    for name in BUILD_FILES:
        assert (SAMPLE / name).is_file(), name
    groovy = sorted(str(p.relative_to(SAMPLE)) for p in SAMPLE.rglob("*.gradle"))
    assert groovy == [], f"Groovy build files left in the sample: {groovy}"
    # The wrapper jar is a binary made by `gradle wrapper`; the README says how to get it.
    assert not (SAMPLE / "gradle/wrapper/gradle-wrapper.jar").exists()


@pytest.mark.parametrize("name", BUILD_FILES)
def test_sample_build_files_are_not_machine_specific(name: str) -> None:
    text = (SAMPLE / name).read_text()
    for needle in ("/work/", "/usr/", "/tmp/", "/home/", "/root/", "C:\\", ".venv"):
        assert needle not in text, f"{name} mentions {needle!r}"


def test_repositories_are_declared_in_settings_only() -> None:
    settings = (SAMPLE / "settings.gradle.kts").read_text()
    resolution = kotlin_block(settings, "dependencyResolutionManagement")
    assert "repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)" in resolution
    assert "google()" in resolution and "mavenCentral()" in resolution
    for name in ("build.gradle.kts", "app/build.gradle.kts"):
        assert "repositories" not in (SAMPLE / name).read_text(), f"{name} declares repositories"


def settings_plugin_version() -> str:
    plugins = kotlin_block((SAMPLE / "settings.gradle.kts").read_text(), "plugins")
    match = re.search(r'id\("io\.tfliteslim\.settings"\) version "([^"]+)"', plugins)
    assert match, "settings.gradle.kts does not apply io.tfliteslim.settings with a version"
    return match.group(1)


def test_settings_apply_the_settings_plugin_with_the_one_version() -> None:
    """The one place the plugins' version is written: the project plugin comes from the same jar."""
    settings = (SAMPLE / "settings.gradle.kts").read_text()
    settings_plugin_version()
    assert "tfliteSlim {" in settings
    # Our plugins come from mavenLocal (publishToMavenLocal), which serves nothing else.
    management = kotlin_block(settings, "pluginManagement")
    assert re.search(r'mavenLocal \{\s*content \{\s*includeGroupByRegex\("io\\\\\.tfliteslim\.\*"\)\s*\}\s*\}', management), \
        management


def test_catalog_parses_and_names_the_stock_litert_1x_runtime_and_agp() -> None:
    cat = catalog()
    versions = cat["versions"]
    assert cat["libraries"]["litert"] == {
        "group": "com.google.ai.edge.litert", "name": "litert", "version": {"ref": "litert"}}
    # The 1.x line (Interpreter API, tflite/java) is the one selective registration can trim.
    assert version_tuple(versions["litert"])[0] == 1
    assert cat["plugins"]["android-application"] == {"id": "com.android.application", "version": {"ref": "agp"}}
    # Our plugins are not in the catalog: an alias carries a version, which Gradle 8/9 refuse for the
    # project plugin once the settings plugin's jar (which holds it) is on the classpath.
    assert "tfliteslim" not in versions
    assert all(entry["id"] not in ("io.tfliteslim", "io.tfliteslim.settings") for entry in cat["plugins"].values())
    # Every reference resolves.
    for table in ("libraries", "plugins"):
        for alias, entry in cat[table].items():
            assert entry["version"]["ref"] in versions, f"{table}.{alias}"


def test_settings_plugin_version_is_the_one_gradle_plugin_builds() -> None:
    # One version for the tool and the plugin: tflite_slim.__version__, which gradle-plugin/build.gradle reads.
    script = (ROOT / "gradle-plugin/build.gradle").read_text()
    assert "__version__" in script, "gradle-plugin/build.gradle no longer takes its version from the tool"
    init = (ROOT / "pytool/tflite_slim/__init__.py").read_text()
    match = re.search(r'^__version__ = "([^"]+)"$', init, re.M)
    assert match, "pytool/tflite_slim/__init__.py sets no __version__"
    assert settings_plugin_version() == match.group(1)


def test_app_uses_the_catalog_the_plugin_and_uncompressed_models() -> None:
    app = (APP / "build.gradle.kts").read_text()
    plugins = kotlin_block(app, "plugins")
    assert "alias(libs.plugins.android.application)" in plugins
    # Requested without a version (issue 27): the settings plugin's jar already holds it.
    assert re.search(r'^\s*id\("io\.tfliteslim"\)\s*$', plugins, re.M), plugins
    assert "libs.plugins.tfliteslim" not in app
    assert "implementation(libs.litert)" in kotlin_block(app, "dependencies")
    android = kotlin_block(app, "android")
    assert 'noCompress += "tflite"' in android
    assert 'abiFilters += listOf("arm64-v8a", "x86_64")' in android
    assert kotlin_block(app, "tfliteSlim").strip()
    root = (SAMPLE / "build.gradle.kts").read_text()
    assert "alias(libs.plugins.android.application) apply false" in root
    code = "\n".join(line.split("//")[0] for line in kotlin_block(root, "plugins").splitlines())
    assert "tfliteslim" not in code, code


# --- versions that go together --------------------------------------------------------------------

def compatibility_rows() -> List[dict]:
    with open(COMPATIBILITY, "rb") as f:
        rows = tomllib.load(f)["agp"]
    for row in rows:
        assert row["source"].startswith("https://developer.android.com/"), row
        version_tuple(row["version"])  # plain numbers, or the comparisons below mean nothing
        version_tuple(row["min_gradle"])
    return rows


def agp_row(agp: str) -> dict:
    major_minor = version_tuple(agp)[:2]
    rows = [r for r in compatibility_rows() if version_tuple(r["version"]) == major_minor]
    assert len(rows) == 1, f"AGP {agp}: add its row (from its release notes) to {COMPATIBILITY.name}"
    return rows[0]


def test_wrapper_gradle_is_one_the_catalogs_agp_supports() -> None:
    agp = catalog()["versions"]["agp"]
    row = agp_row(agp)
    gradle = wrapper_gradle_version()
    assert version_tuple(gradle) >= version_tuple(row["min_gradle"]), (
        f"AGP {agp} needs Gradle {row['min_gradle']}+ ({row['source']}); the wrapper has {gradle}")
    # The template's line: AGP 9 (Variant API only, built-in Kotlin), which needs Gradle 9.
    assert version_tuple(agp)[0] >= 9 and version_tuple(gradle)[0] >= 9


def test_sdk_levels_are_ones_the_catalogs_agp_supports() -> None:
    row = agp_row(catalog()["versions"]["agp"])
    levels = sdk_levels()
    assert levels["compileSdk"] <= row["max_api"], (row, levels)
    assert levels["minSdk"] <= levels["targetSdk"] <= levels["compileSdk"]
    # Google Play: new apps and updates target a recent API level (35 since 2025-08-31).
    assert levels["targetSdk"] >= 35


@pytest.mark.parametrize("agp, gradle, ok", [
    ("9.3.1", "9.5.0", True),
    ("9.3.1", "9.4.1", False),     # 9.3 needs 9.5.0
    ("9.0.0", "9.1.0", True),
    ("9.0.1", "8.14.3", False),
    ("8.7.3", "8.9", True),
    ("9.2.0", "9.4.1", True),
])
def test_compatibility_data_orders_versions_numerically(agp: str, gradle: str, ok: bool) -> None:
    """The check above on known pairs: numeric, not string, order (9.10 > 9.5)."""
    assert (version_tuple(gradle) >= version_tuple(agp_row(agp)["min_gradle"])) is ok


def test_litert_release_is_a_tag_of_the_real_tree() -> None:
    """The plugin builds `--litert-version V` from LiteRT's tag vV: it must exist and be that 1.x release."""
    git_dir = os.environ.get("TFLITE_SLIM_REAL_LITERT")
    if not git_dir:
        pytest.skip("TFLITE_SLIM_REAL_LITERT (a google-ai-edge/LiteRT checkout or git dir) is not set")
    version = catalog()["versions"]["litert"]
    shown = subprocess.run(["git", "-C", git_dir, "show", f"v{version}:litert/version.bzl"],
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert f'LITERT_FULL_VERSION = "{version}"' in shown.stdout


# --- the model and what the tool says about it -----------------------------------------------------

def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tflite_slim", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_sample_model_is_what_the_app_runs() -> None:
    """The asset the activity loads exists, and has the ops, shapes and types its code assumes."""
    tflite = pytest.importorskip("tflite")
    activity = ACTIVITY.read_text()
    assert 'const val MODEL = "add.tflite"' in activity
    assert "Array(1) { Array(8) { y -> Array(8) { x -> FloatArray(3)" in activity
    model = tflite.Model.GetRootAsModel(MODEL.read_bytes(), 0)
    graph = model.Subgraphs(0)
    for tensor_index in (graph.Inputs(0), graph.Outputs(0)):
        tensor = graph.Tensors(tensor_index)
        assert list(tensor.ShapeAsNumpy()) == [1, 8, 8, 3]
        assert tensor.Type() == tflite.TensorType.FLOAT32
    ops = [model.OperatorCodes(graph.Operators(i).OpcodeIndex()) for i in range(graph.OperatorsLength())]
    assert [(max(o.BuiltinCode(), o.DeprecatedBuiltinCode()), o.Version()) for o in ops] == [
        (tflite.BuiltinOperator.ADD, 1),
        (tflite.BuiltinOperator.ADD, 1),
    ]


def test_sample_model_matches_the_shared_corpus_copy(shared_models: Path, expected: dict) -> None:
    """Its origin, as the asset README says: TensorFlow's Java test model, byte for byte."""
    digest = hashlib.sha256(MODEL.read_bytes()).hexdigest()
    assert digest == expected["litert-repo/tflite__java__src__testdata__add.bin"]["sha256"]


def readme_block(readme: Path, heading: str) -> List[str]:
    """The lines of the first fenced block after ``heading``."""
    text = readme.read_text()
    start = text.index(heading)
    open_ = text.index("```\n", start) + 4
    return text[open_:text.index("```", open_)].rstrip("\n").split("\n")


@pytest.mark.parametrize("readme, heading", [
    (ROOT / "README.md", "the expected `tfliteReport` output for the sample app's model"),
    (SAMPLE / "README.md", "`./gradlew :app:tfliteReport` prints"),
])
def test_readme_report_is_the_tools_analysis_of_the_sample(readme: Path, heading: str) -> None:
    """The op table the READMEs show for the sample is what `tflite-slim analyze` prints for it."""
    r = cli("analyze", "src/main/assets", cwd=APP)
    assert r.returncode == 0, r.stderr
    lines = readme_block(readme, heading)
    assert lines[0] == "> Task :app:tfliteReport"
    assert lines[-1].startswith("tflite-slim: op report in ")
    assert "\n".join(lines[1:-1]) + "\n" == r.stdout


def test_sample_readme_coordinates_are_the_plans() -> None:
    """The runtime coordinates the sample README shows (hash elided) are the shape `plan` computes."""
    version = catalog()["versions"]["litert"]
    r = cli("plan", "src/main/assets", "--litert-version", version, "--target-archs", "arm64-v8a,x86_64", cwd=APP)
    assert r.returncode == 0, r.stderr
    runtime = re.search(r"^publishes (\S+)$", r.stdout, re.M).group(1)
    readme = (SAMPLE / "README.md").read_text()
    shown = set(re.findall(r"io\.tfliteslim:litert:\S+-<12 hex>", readme))
    assert shown, "the sample README names no slim runtime coordinates"
    for coordinates in shown:
        pattern = re.escape(coordinates).replace(re.escape("<12 hex>"), "[0-9a-f]{12}")
        assert re.fullmatch(pattern, runtime), (coordinates, runtime)


def test_tool_verifies_the_sample_model_against_its_op_set(tmp_path: Path) -> None:
    """analyze -> ops.json -> verify passes; a runtime without ADD v1 fails, naming the op and model."""
    ops = tmp_path / "ops.json"
    r = cli("analyze", "src/main/assets", "--format", "json", "-o", str(ops), cwd=APP)
    assert r.returncode == 0, r.stderr
    assert json.loads(ops.read_text())["union"]["builtin_ops"] == {"ADD": [1]}
    r = cli("verify", "--ops", str(ops), "src/main/assets", cwd=APP)
    assert (r.returncode, r.stdout) == (0, f"ok: the runtime in {ops} covers the 1 model\n"), r.stderr

    without_add = make_build_out(tmp_path / "conv-only", OpSet({"CONV_2D": (1,)}, (), ()))
    r = cli("verify", "--ops", str(without_add / "ops.json"), "src/main/assets", cwd=APP)
    assert r.returncode == 1
    assert "ADD version 1: needed by src/main/assets/add.tflite" in r.stdout + r.stderr


def test_the_real_interpreter_runs_the_sample_model_as_the_activity_shows() -> None:
    """LiteRT's interpreter (PyPI ai-edge-litert) resolves the model and gives output = 3 x input."""
    np = pytest.importorskip("numpy")
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("ai-edge-litert is not installed (the [test] extra pins it)")
        pytest.skip("ai-edge-litert is not installed (pip install -e '.[test]')")
    interpreter = Interpreter(model_path=str(MODEL))
    interpreter.allocate_tensors()
    # The activity's input: value = y * 24 + x * 3 + c.
    data = np.arange(8 * 8 * 3, dtype=np.float32).reshape(1, 8, 8, 3)
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], data)
    interpreter.invoke()
    out = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
    assert np.array_equal(out, 3 * data)
    # What the sample README says the screen shows.
    readme = (SAMPLE / "README.md").read_text()
    assert f"input[0][0][1] = [{', '.join(str(float(v)) for v in data[0, 0, 1])}]" in readme
    assert f"output[0][0][1] = [{', '.join(str(float(v)) for v in out[0, 0, 1])}] (3 x input)" in readme
