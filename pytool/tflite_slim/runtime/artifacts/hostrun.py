"""``verify --run --runtime DIR``: run every model through the trimmed host library itself.

``DIR`` is a host build's output (``--backend cmake --target-archs host``): its
``tensorflow-lite.aar`` holds ``classes.jar`` (the Java API) and
``jni/linux-x86_64/libtensorflowlite_jni.so``, which a desktop JVM uses as they
are (``-cp classes.jar -Djava.library.path=<dir of the .so>``). Our runner
(``java/ModelRunner.java``, compiled here against that jar) opens each model
with ``org.tensorflow.lite.Interpreter``, runs it once on zero-filled inputs,
and prints one line per model (with ``repeat``, the first invoke warms up and the
next ``repeat`` are timed: the median and the fastest are reported); the
interpreter is the trimmed library, so a
model needing an op the build left out fails with TFLite's own message
("Didn't find op for builtin opcode 'TRANSPOSE' version '2'...").

The JVM is given each model by an ASCII name of ours (a symbolic link in a
private directory), never its own path, which Java would decode in the
locale's charset (:func:`_ascii_names`).

Native code can abort the JVM on a model; the models after it are then run
in a fresh JVM, and the one it died on is reported as failed. A crashing JVM
writes ``hs_err_pid<N>.log`` (its command line, the model paths, the
environment) and may dump core into its working directory: the JVMs (javac's
too) run in a private directory of ours, removed afterwards, with the error
file inside it and core dumps off (:func:`jvm_options`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Optional, Sequence

from tflite_slim import process
from tflite_slim.analysis import runcheck
from tflite_slim.errors import BuildError, CommandFailed, ToolchainError, UsageError
from tflite_slim.runtime.artifacts import hostjar
from tflite_slim.runtime.artifacts.aar import RUNTIME_SO
from tflite_slim.runtime.artifacts.abis import HOST_ABIS, host_abi

AAR_NAME = "tensorflow-lite.aar"
RUNNER = "ModelRunner"
_LINE = "tflite-slim-run\t"
_TIME = "tflite-slim-time\t"
#: TFLite's texts for an op the resolver lacks (core/api/op_resolver.cc, core/subgraph.cc).
MISSING_OP_TEXTS = ("Didn't find op for builtin opcode", "Encountered unresolved custom op",
                    "Encountered an unresolved custom op")
OK, MISSING, FAILED = "ok", "missing op", "failed"
#: The Java heap the runner may use (it holds little: the tensors are direct buffers, native memory).
JVM_HEAP = 256 << 20
#: Private writable memory a JVM takes on top of what a model needs: the heap, metaspace, code, threads.
JVM_ALLOWANCE = JVM_HEAP + (512 << 20)
#: What a JVM may take to start and to compile nothing, on top of its models' time.
START_SECONDS = 60.0


@dataclass(frozen=True)
class RunResult:
    path: str
    status: str
    message: str = ""
    #: The runner stopped the JVM after this model ran past its time (the models after it did not run).
    timed_out: bool = False
    #: With ``repeat``: the median and the fastest of the timed invokes (after one warm-up), and how many.
    median_ns: Optional[int] = None
    min_ns: Optional[int] = None
    repeat: int = 0

    def timing(self) -> str:
        """``12.34 ms median of 5 invokes (fastest 12.01 ms)``, or empty when not timed."""
        if self.median_ns is None or self.min_ns is None:
            return ""
        return (f"{self.median_ns / 1e6:.2f} ms median of {self.repeat} invoke{'s' if self.repeat != 1 else ''} "
                f"(fastest {self.min_ns / 1e6:.2f} ms)")


def classify(status: str, message: str) -> str:
    """The runner's ``ok``/``error`` and message -> ok / missing op / failed."""
    if status == "ok":
        return OK
    return MISSING if any(t in message for t in MISSING_OP_TEXTS) else FAILED


def parse_lines(output: str, paths: Sequence[str]) -> list[RunResult]:
    """The runner's result lines (other output ignored), in order, for the models they name; a model's
    timing line, when it comes right before its result line, goes into that result."""
    results: list[RunResult] = []
    timing: Optional[tuple[int, int, int]] = None
    for line in output.splitlines():
        if line.startswith(_TIME):
            timing = _timing(line[len(_TIME):], len(results))
            continue
        if not line.startswith(_LINE):
            continue
        timed, timing = timing, None
        parts = line[len(_LINE):].split("\t", 2)
        if len(parts) != 3 or not parts[0].isdigit() or int(parts[0]) != len(results) or len(results) >= len(paths):
            continue
        message = _unescape(parts[2])
        status = classify(parts[1], message)
        median, fastest, count = timed if timed is not None and status == OK else (None, None, 0)
        results.append(RunResult(paths[int(parts[0])], status, message, timed_out=parts[1] == "timeout",
                                 median_ns=median, min_ns=fastest, repeat=count))
        if parts[1] == "timeout":
            break  # the runner's last word
    return results


def _timing(text: str, index: int) -> Optional[tuple[int, int, int]]:
    """``index <TAB> median <TAB> min <TAB> N`` for the model at ``index`` -> (median, min, N); None if malformed."""
    parts = text.split("\t")
    if len(parts) != 4 or not all(p.isdigit() for p in parts) or int(parts[0]) != index or int(parts[3]) < 1:
        return None
    return int(parts[1]), int(parts[2]), int(parts[3])


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append({"n": "\n", "t": "\t"}.get(text[i + 1], text[i + 1]))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def record_of(runtime: str) -> str:
    """Where the build record of ``runtime`` is: ``DIR/ops.json``, or for a published
    ``<artifact>-<version>-<abi>.jar`` the ``<artifact>-<version>-ops.json`` beside it."""
    path = Path(runtime)
    if path.suffix == ".jar":
        for abi in HOST_ABIS:
            if path.name.endswith(f"-{abi}.jar"):
                return str(path.with_name(path.name[:-len(f"-{abi}.jar")] + "-ops.json"))
    return os.path.join(runtime, "ops.json")


def _unpack(runtime: str, abi: str, into: Path) -> tuple[Path, Path]:
    """``classes.jar`` and the ``abi`` library of a host build, extracted into ``into``.

    ``runtime`` is the build's OUT, its AAR, or the jar ``install``/``deploy`` published under the
    classifier ``abi`` (the API classes with ``jni/<abi>/`` inside: the jar itself is the classpath).
    """
    path = Path(runtime)
    archive = path / AAR_NAME if path.is_dir() else path
    so = f"jni/{abi}/{RUNTIME_SO}"
    advice = (f"--runtime {runtime}: not a host build (needs {AAR_NAME} with classes.jar and {so}, or the "
              f"installed -{abi}.jar); build one "
              "with tflite-slim build --backend cmake --target-archs host")
    try:
        with zipfile.ZipFile(archive) as z:
            names = set(z.namelist())
            published = "classes.jar" not in names and path.is_file() and path.suffix == ".jar"
            if so not in names or ("classes.jar" not in names and not published):
                raise UsageError(advice)
            classes = archive.read_bytes() if published else z.read("classes.jar")
            library = z.read(so)
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as e:
        raise UsageError(f"{advice} ({e})") from e
    # Writing into our temporary directory: its errors (a full TMPDIR) are run_models' to explain.
    (into / "lib").mkdir()
    jar, lib = into / "classes.jar", into / "lib" / RUNTIME_SO
    jar.write_bytes(classes)
    lib.write_bytes(library)
    return jar, lib.parent


def jvm_options(private: Path) -> list[str]:
    """Options that keep a crash's traces in ``private``: the error file there, no core dump.

    ``-XX:-CreateCoredumpOnCrash`` is JDK 9+; ``-XX:+IgnoreUnrecognizedVMOptions`` lets JDK 8 start with it
    (``RLIMIT_CORE`` 0, set by :func:`run_models`, is what stops its core dumps).
    """
    return ["-XX:+IgnoreUnrecognizedVMOptions", f"-XX:ErrorFile={private}/hs_err_pid%p.log",
            "-XX:-CreateCoredumpOnCrash"]


def _no_core() -> dict[int, int]:
    try:
        import resource
    except ImportError:
        return {}
    return {resource.RLIMIT_CORE: 0}


def _java() -> str:
    javac = hostjar.find_javac()
    java = Path(javac).with_name("java")
    found = str(java) if java.is_file() else shutil.which("java")
    if found is None:
        raise ToolchainError(f"java was not found next to {javac} or on PATH: {hostjar.INSTALL_JDK}")
    return found


def run_models(runtime: str, paths: Sequence[str], *, abi: Optional[str] = None, java: Optional[str] = None,
               javac: Optional[str] = None, model_seconds: Optional[float] = None,
               repeat: int = 0) -> list[RunResult]:
    """Run every model through the host build ``runtime`` (OUT or its AAR); one result per path, in order.

    The bounds of ``verify --run`` hold here too: each model gets ``model_seconds`` (default
    :data:`runcheck.MODEL_SECONDS`; the runner stops the JVM past that, and we kill one that outlives its whole
    batch), and the JVM's private writable memory is bounded by ``RLIMIT_DATA`` at
    :data:`JVM_ALLOWANCE` plus :func:`runcheck.memory_limit` of the largest model it runs. The model past its
    time is reported failed; the rest run in a fresh JVM. ``repeat`` > 0: each model that runs is invoked
    once more to warm up, then ``repeat`` times timed (:attr:`RunResult.median_ns`); its time limit covers them all.
    """
    if repeat < 0:
        raise UsageError(f"--repeat {repeat}: give 0 (no timing) or more timed invokes")
    if model_seconds is None:
        model_seconds = runcheck.MODEL_SECONDS
    try:
        abi = abi or host_abi()
    except ValueError as e:
        raise UsageError(f"--runtime: {e}") from e
    javac = javac or hostjar.find_javac()
    java = java or _java()
    try:
        return _run_in_tmp(runtime, paths, abi, java, javac, model_seconds, repeat)
    except OSError as e:  # raised only by what we write into the temporary directory
        where = e.filename or tempfile.gettempdir()
        raise UsageError(f"cannot write the files verify --run --runtime needs in {where}: {e.strerror or e}; "
                         "free space there or set TMPDIR to a directory with room") from e


def _run_in_tmp(runtime: str, paths: Sequence[str], abi: str, java: str, javac: str,
                model_seconds: float, repeat: int) -> list[RunResult]:
    results: list[RunResult] = []
    with tempfile.TemporaryDirectory(prefix="tflite-slim-run-") as tmp:
        jar, library_dir = _unpack(runtime, abi, Path(tmp))
        classes = Path(tmp) / "runner"
        classes.mkdir()
        # The JVMs' working directory: what a crash writes stays in here and goes with it.
        private = Path(tmp) / "jvm"
        private.mkdir()
        source = classes / f"{RUNNER}.java"
        source.write_text(resources.files("tflite_slim.runtime.artifacts").joinpath(f"java/{RUNNER}.java").read_text())
        try:
            process.run([javac, *(f"-J{o}" for o in jvm_options(private)), "-nowarn", "-cp", str(jar),
                         "-d", str(classes), str(source)], what="javac", cwd=str(private), limits=_no_core())
        except CommandFailed as e:
            raise BuildError(f"{jar} has no usable org.tensorflow.lite.Interpreter (built without "
                             f"the experimental API?): {e}") from e
        names = _ascii_names(paths, Path(tmp) / "models")
        remaining = list(paths)
        while remaining:
            largest = max(runcheck.memory_limit(p) for p in remaining)
            argv = [java, *jvm_options(private), f"-Xmx{JVM_HEAP >> 20}m",
                    f"-XX:MaxDirectMemorySize={largest >> 20}m", f"-Dtflite.slim.modelSeconds={model_seconds:g}",
                    f"-Dtflite.slim.repeat={repeat}",
                    f"-Djava.library.path={library_dir}", "-cp", f"{jar}:{classes}", RUNNER,
                    *(names[p] for p in remaining)]
            try:
                done = process.run(argv, check=False, what="java", cwd=str(private),
                                   timeout=START_SECONDS + model_seconds * len(remaining),
                                   limits={**_no_core(), **_data_limit(JVM_ALLOWANCE + largest)})
                stdout, stderr, returncode = done.stdout, done.stderr, done.returncode
            except process.TimedOut as e:  # the runner's own watchdog did not get to say so
                stdout, stderr, returncode = e.stdout, e.stderr, None
            batch = parse_lines(stdout, remaining)
            results += batch
            if len(batch) == len(remaining):
                break
            if batch and batch[-1].timed_out:
                remaining = remaining[len(batch):]  # the runner stopped the JVM after saying why
                continue
            died = remaining[len(batch)]
            if returncode is None:
                message = (f"it did not finish within {model_seconds:g} s (the limit verify --run sets); "
                           "the JVM was killed")
            else:
                tail = (stderr.strip().splitlines() or [""])[-1]
                message = f"the JVM stopped on this model (exit status {returncode}) {tail}".strip()
            results.append(RunResult(died, FAILED, message))
            remaining = remaining[len(batch) + 1:]
    return results


def _ascii_names(paths: Sequence[str], into: Path) -> dict[str, str]:
    """An ASCII name in ``into`` for each model: a symbolic link to it, what the JVM is given.

    A path goes to the JVM as an argument, which Java decodes in the locale's charset: a name that is not
    UTF-8 fails under any locale, ``modèle.tflite`` under ``LC_ALL=C``. ``<n>.tflite`` in our own directory
    reads the same bytes under every locale; results are mapped back to the paths by their index.
    """
    into.mkdir()
    names: dict[str, str] = {}
    for path in paths:
        if path not in names:
            link = into / f"{len(names)}.tflite"
            os.symlink(os.path.abspath(path), link)
            names[path] = str(link)
    return names


def _data_limit(limit: int) -> dict[int, int]:
    try:
        import resource
    except ImportError:
        return {}
    return {resource.RLIMIT_DATA: limit}
