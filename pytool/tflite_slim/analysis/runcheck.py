"""Load models with the real LiteRT interpreter and list the ops it resolves (``verify --run``).

The native Android build cannot run everywhere, so this checks the core
promise another way: every op the interpreter itself resolves for a model must
be in the op set tflite-slim computed. The interpreter is PyPI's
``ai-edge-litert`` (an optional dependency, extra ``run``).

What the interpreter tells (its Python API, ``ai_edge_litert.interpreter``):

* ``Interpreter(model_path=..., experimental_op_resolver_type=
  BUILTIN_WITHOUT_DEFAULT_DELEGATES)``: the InterpreterBuilder resolves every
  operator code of every subgraph against the builtin op resolver; a builtin
  op or version it does not have refuses the model here. No default delegate
  (XNNPACK) is applied, so no node is replaced by a delegate node.
* ``_interpreter.NumNodes()`` / ``NodeName(i)`` (what the private
  ``_get_ops_details()`` reads for ``op_name``): the resolved registration of
  each node of the **primary subgraph only**: the builtin op's name, or the
  custom code. The API exposes neither versions nor other subgraphs' nodes.
* ``AllocateTensors()`` prepares the nodes: an unresolved custom op (including
  a Flex op, the wheel has no Flex delegate) refuses the model here.

To still check versions and the other subgraphs, each node is matched with
the model's operator at the same index (read with the wheel's own generated
schema module, ``ai_edge_litert.schema_py_generated``, not with our reader):
the names must agree, and the operator code's version is the one the
interpreter resolved. A node whose operator at that index is another op (the
interpreter has fewer or more nodes) gets version 0, checked by name only,
never another op's version. Ops of subgraphs other than the first come from that
schema module alone (the interpreter resolved them when it was built).

Native code can abort on a malformed model, so models are loaded in a child
Python process (one JSON line per model); a child that dies is restarted after
the model it died on. The child is started isolated (``python -I``, see
:func:`child_argv`): the directory the user runs in (a downloaded model
repository, say) is never on its ``sys.path``, so a ``json.py`` planted there
is never imported. Its memory is bounded (:func:`memory_limit`): a few hundred
bytes of model can declare gigabytes of variable tensors, and such a model is
refused, not allowed to take the machine's memory. Native code
can also loop on one, so the child gives each model :data:`MODEL_SECONDS`
(a watchdog thread ends it past that, even inside native code) and the parent
kills a child that outlives its whole batch's time; either way the model is
noted as not loaded in time and the rest are still loaded.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, replace
from typing import Any, Optional, Sequence, TextIO

from tflite_slim import process
from tflite_slim.errors import UsageError
from tflite_slim.analysis.opset import OpSet
from tflite_slim.analysis.schema import CUSTOM, FLEX_PREFIX

#: The interpreter version the tests pin (pyproject ``[run]`` / ``[test]`` extras).
PINNED = "ai-edge-litert==2.3.0"
INSTALL_HINT = (f"install the LiteRT interpreter: pip install '{PINNED}' "
                "(or pip install -e '<tflite-slim checkout>[run]')")
#: Marks the child's result lines: native code may print to stdout too.
_LINE = "tflite-slim-runcheck "
#: Models per child process, well below any command-line length limit.
_BATCH = 256
_NO_DELEGATES = "BUILTIN_WITHOUT_DEFAULT_DELEGATES"
#: Longest one model may take to load (the corpus' largest loads in about a second).
MODEL_SECONDS = 120.0
#: What a child may take on top of its models: Python and the interpreter's import.
_START_SECONDS = 60.0
#: What faulthandler writes before ending a child whose model ran past MODEL_SECONDS.
_WATCHDOG_MARK = "Timeout ("
#: Memory (private writable mappings: heap, arena, tensors) a child may use to load a model of no size;
#: the corpus' largest models peak near 150 MiB. Each byte of the model adds :data:`MEMORY_PER_MODEL_BYTE`.
MEMORY_BASE = 1 << 30
MEMORY_PER_MODEL_BYTE = 4
#: What :func:`_one_line` makes of an interpreter exception that carries no message.
_BARE_ERRORS = ("RuntimeError", "ValueError")


@dataclass(frozen=True)
class ResolvedOp:
    """One op the interpreter resolved: builtin name (or custom code) and the operator code's version.

    Version 0 means unknown (the model's operator at that index could not be read).
    """

    name: str
    version: int
    custom: bool = False
    #: True when the interpreter itself named it (a node of the primary subgraph).
    from_interpreter: bool = True


@dataclass(frozen=True)
class InterpreterResult:
    """What loading one model with the interpreter gave."""

    path: str
    ops: tuple[ResolvedOp, ...] = ()
    #: None when the model loaded and its tensors were allocated.
    error: Optional[str] = None
    #: The interpreter's nodes and the model's operators disagree (a bug in this check or the wheel).
    mismatch: Optional[str] = None
    #: The interpreter was built from the model (its ops were resolved), even if it then refused it.
    built: bool = False

    @property
    def loaded(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "ops": [[o.name, o.version, o.custom, o.from_interpreter] for o in self.ops],
            "error": self.error,
            "mismatch": self.mismatch,
            "built": self.built,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "InterpreterResult":
        ops = tuple(ResolvedOp(str(n), int(v), bool(c), bool(i)) for n, v, c, i in data.get("ops", ()))
        return cls(str(data["path"]), ops, data.get("error"), data.get("mismatch"), bool(data.get("built")))


def available() -> bool:
    """Whether ``ai_edge_litert``'s interpreter can be imported here."""
    try:
        import ai_edge_litert.interpreter  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return False
    return True


def require() -> None:
    """A one-line :class:`UsageError` saying how to install the interpreter when it is missing."""
    if not available():
        raise UsageError(f"verify --run needs the ai-edge-litert package, which is not installed; {INSTALL_HINT}")


def missing_from(result: InterpreterResult, ops: OpSet) -> list[str]:
    """Ops the interpreter resolved for the model that ``ops`` lacks (``CONV_2D version 3``...)."""
    flex = set(ops.flex_op_names)
    missing = []
    for op in sorted(set(result.ops), key=lambda o: (o.name, o.version)):
        if op.custom and op.name.startswith(FLEX_PREFIX) and op.name[len(FLEX_PREFIX):] in flex:
            continue
        table = ops.custom_ops if op.custom else ops.builtin_ops
        kind = "custom op " if op.custom else ""
        if op.version == 0 and op.name not in table:
            missing.append(f"{kind}{op.name}")
        elif op.version != 0 and op.version not in table.get(op.name, ()):
            missing.append(f"{kind}{op.name} version {op.version}")
    return list(dict.fromkeys(missing))


def load_all(
    paths: Sequence[str], python: str = sys.executable, model_seconds: float = MODEL_SECONDS
) -> list[InterpreterResult]:
    """Each model loaded by the interpreter in a child process; a child that dies or hangs is noted and restarted.

    ``model_seconds`` sets the parent's limit on a child (start-up plus that
    much per model of its batch); the child's own per-model limit is
    :data:`MODEL_SECONDS`.
    """
    results: list[InterpreterResult] = []
    pending = list(paths)
    while pending:
        batch = pending[:_BATCH]
        try:
            done = process.run([*child_argv(python), *batch], check=False,
                               what="the LiteRT interpreter",
                               timeout=_START_SECONDS + model_seconds * len(batch))
            stdout, returncode, stderr = done.stdout, done.returncode, done.stderr
        except process.TimedOut as e:
            stdout, returncode, stderr = e.stdout, None, e.stderr
        lines = _result_lines(stdout)
        for path, data in zip(batch, lines):
            if data.get("path") != path:
                raise UsageError(f"the LiteRT interpreter child answered for {data.get('path')!r} instead of "
                                 f"{path!r}; reinstall ai-edge-litert")
        results += [InterpreterResult.from_json(d) for d in lines]
        pending = pending[len(lines):]
        if len(lines) < len(batch):
            if returncode == 0:
                raise UsageError(f"the LiteRT interpreter child reported {len(lines)} of {len(lines) + len(pending)} "
                                 "models; reinstall ai-edge-litert")
            if returncode is None or (returncode == 1 and _WATCHDOG_MARK in stderr):
                error = "the interpreter did not finish loading it in time (killed)"
            else:
                how = f"signal {-returncode}" if returncode < 0 else f"exit status {returncode}"
                error = f"the interpreter crashed ({how})"
            results.append(InterpreterResult(pending[0], error=error))
            pending = pending[1:]
    return results


def child_argv(python: str = sys.executable) -> list[str]:
    """The command that starts a child, isolated from the working directory and the environment.

    ``-I`` keeps the working directory (and ``PYTHONPATH``, user site) off
    ``sys.path``; the child is given this process's ``sys.path`` instead,
    minus the working directory and ``''``, with the directory tflite_slim
    itself was imported from first.
    """
    import tflite_slim

    cwd = os.path.realpath(os.getcwd())
    ours = os.path.dirname(os.path.dirname(os.path.abspath(tflite_slim.__file__)))
    path = [ours] + [p for p in sys.path if p and os.path.isabs(p) and os.path.realpath(p) != cwd and p != ours]
    code = (f"import sys; sys.path[:] = {path!r}; "
            "from tflite_slim.analysis.runcheck import main; sys.exit(main(sys.argv[1:]))")
    return [python, "-I", "-c", code]


def _result_lines(stdout: str) -> list[dict[str, Any]]:
    """The child's result lines, in order (anything else native code printed is skipped)."""
    out = []
    for line in stdout.splitlines():
        if line.startswith(_LINE):
            try:
                data = json.loads(line[len(_LINE):])
            except ValueError as e:
                raise UsageError(f"the LiteRT interpreter child wrote a malformed result ({e}); "
                                 "reinstall ai-edge-litert and tflite-slim") from e
            if not isinstance(data, dict):
                raise UsageError("the LiteRT interpreter child wrote a malformed result; reinstall tflite-slim")
            out.append(data)
    return out


def verify_run(runtime: OpSet, paths: Sequence[str], ops_file: str, err: Optional[TextIO] = None) -> int:
    """``verify --run``: 1 when the interpreter resolves an op for some model that ``runtime`` lacks, else 0.

    A model the full interpreter refuses after resolving its ops (an
    unresolved custom op, a Flex op, a malformed tensor) is reported as a
    note: the op set is still checked against every op it resolved. A model it
    never loaded (refused while resolving, crashed, killed, over the memory
    limit) is an error: nothing of it was checked.
    """
    require()
    err = err or sys.stderr
    status = 0
    for r in load_all(paths):
        if r.error and not r.built:
            # Nothing of it was checked: a model never loaded is never "ok".
            status = 1
            print(f"error: {_printable(r.path)}: the LiteRT interpreter never loaded it, so its ops were not "
                  f"checked: {_printable(r.error)}", file=err)
        elif r.error:
            print(f"note: {_printable(r.path)}: the LiteRT interpreter refused it: {_printable(r.error)}", file=err)
        if r.mismatch:
            # Versions are paired with nodes by index; a node whose operator there is another op is checked by name.
            print(f"note: {_printable(r.path)}: the interpreter's nodes and the model's operators disagree "
                  f"({_printable(r.mismatch)}); nodes not matching their operator are checked by name only",
                  file=err)
        missing = missing_from(r, runtime)
        if missing:
            status = 1
            print(f"error: {_printable(r.path)}: the LiteRT interpreter resolves {', '.join(missing)}, "
                  f"which the runtime in {ops_file} lacks; rebuild it from these models", file=err)
    return status


def _model_ops(buf: bytes) -> list[list[tuple[str, int, bool]]]:
    """Per subgraph, per operator: (builtin name or custom code, version, is custom), from the wheel's schema."""
    from ai_edge_litert import schema_py_generated as schema  # type: ignore[import-untyped]

    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    model = schema.Model.GetRootAs(buf, 0)
    codes = []
    for i in range(model.OperatorCodesLength()):
        c = model.OperatorCodes(i)
        code = max(c.BuiltinCode(), c.DeprecatedBuiltinCode())
        custom = code == CUSTOM
        name = (c.CustomCode() or b"").decode("utf-8", "replace") if custom else names.get(code, f"BUILTIN_{code}")
        codes.append((name, c.Version(), custom))
    out = []
    for s in range(model.SubgraphsLength()):
        g = model.Subgraphs(s)
        out.append([codes[g.Operators(j).OpcodeIndex()] for j in range(g.OperatorsLength())])
    return out


def probe(path: str) -> InterpreterResult:
    """Load ``path`` with the interpreter (in this process) and list what it resolved."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType  # type: ignore[import-untyped]

    try:
        # Bytes: a file name that is not valid UTF-8 (surrogate-escaped here) cannot cross pybind11 as str.
        interpreter = Interpreter(model_path=os.fsencode(path),
                                  experimental_op_resolver_type=getattr(OpResolverType, _NO_DELEGATES))
    except (ValueError, RuntimeError) as e:
        return InterpreterResult(path, error=_one_line(e))
    wrapper = interpreter._interpreter  # the API offers no public node listing
    nodes = [wrapper.NodeName(i) for i in range(wrapper.NumNodes())]
    schema_error: Optional[str] = None
    try:
        with open(path, "rb") as f:
            model = _model_ops(f.read())
    except Exception as e:  # noqa: BLE001 - the wheel's schema module on a model the interpreter accepted
        model, schema_error = [], f"the wheel's schema module cannot read the model ({_one_line(e)})"
    ops: list[ResolvedOp] = []
    mismatch = schema_error
    first = model[0] if model else []
    if len(first) != len(nodes) and mismatch is None:
        mismatch = f"the interpreter has {len(nodes)} nodes, the model's first subgraph {len(first)} operators"
    custom_names = {n for graph in model for n, _, c in graph if c}
    for i, node in enumerate(nodes):
        name, version, custom = first[i] if i < len(first) else (node, 0, node in custom_names)
        if name != node:
            if mismatch is None:
                mismatch = f"node {i}: the interpreter resolved {node}, the model's operator is {name}"
            # Another op's version is no version of this one: compare this node by name only.
            version, custom = 0, node in custom_names
        ops.append(ResolvedOp(node, version, custom))
    for graph in model[1:]:
        ops += [ResolvedOp(n, v, c, from_interpreter=False) for n, v, c in graph]
    ops = sorted(set(ops), key=lambda o: (o.name, o.version, o.custom, o.from_interpreter))
    try:
        wrapper.AllocateTensors()
    except (ValueError, RuntimeError) as e:
        return InterpreterResult(path, tuple(ops), _one_line(e), mismatch, built=True)
    return InterpreterResult(path, tuple(ops), None, mismatch, built=True)


def _printable(text: str) -> str:
    """``text`` with control characters escaped: the interpreter's messages quote names from the model."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def main(argv: Sequence[str]) -> int:
    """Child process: one JSON line per model, flushed, so a crash loses only the model it happened on.

    A watchdog thread ends the process (exit status 1, a faulthandler
    ``Timeout (...)`` dump on stderr) when one model takes longer than
    :data:`MODEL_SECONDS`: a Python signal handler would never run while
    native code loops.
    """
    import faulthandler

    for path in argv:
        limit = memory_limit(path)
        faulthandler.dump_traceback_later(MODEL_SECONDS, exit=True)
        try:
            _limit_memory(limit)
            result = probe(path)
        except MemoryError:  # Python's, or pybind11's translation of std::bad_alloc
            result = InterpreterResult(path, error=f"it needs more than {limit >> 20} MiB of memory to load "
                                                   "(the limit verify --run sets); refused")
        else:
            if result.built and result.error in _BARE_ERRORS:
                # The arena's failed allocation reaches Python as an exception without a message.
                result = replace(result, error=f"{result.error} without a message, as when memory runs out: it "
                                               f"may need more than {limit >> 20} MiB (the limit verify --run "
                                               "sets); refused")
        finally:
            faulthandler.cancel_dump_traceback_later()
            _limit_memory(None)
        print(_LINE + json.dumps(result.to_json(), sort_keys=True), flush=True)
    return 0


def memory_limit(path: str) -> int:
    """Bytes of memory a child may use while it loads ``path``: :data:`MEMORY_BASE` plus a multiple of its size."""
    try:
        size = os.stat(path).st_size
    except OSError:
        size = 0
    return MEMORY_BASE + MEMORY_PER_MODEL_BYTE * size


def _limit_memory(limit: Optional[int]) -> None:
    """Set this process's ``RLIMIT_DATA`` soft limit to ``limit`` bytes (None: back to the hard limit).

    ``RLIMIT_DATA`` (Linux 4.7+) counts private writable mappings, so every
    heap or ``mmap`` allocation of the interpreter, but not the model file it
    maps read-only. Only the soft limit moves, so it can be raised again for the
    next model. Where the limit does not exist (not Linux), nothing is bounded.
    """
    try:
        import resource
    except ImportError:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    soft = hard if limit is None or (hard != resource.RLIM_INFINITY and limit > hard) else limit
    resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
