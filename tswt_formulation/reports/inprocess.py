"""A papermill engine that runs a notebook's code cells in this Python process.

A report notebook is a parameters cell and a dozen one-line calls into the library. Run
through a Jupyter kernel, each report pays for the kernel's start, a message round trip
per cell and re-importing pandas and matplotlib after the reset; run here, the cells are
ordinary Python calls into modules that are already imported. The notebook stays the
definition of the report: the same cells run, and each cell's display output is captured
as a kernel would record it (the value of its last expression as ``execute_result`` with
the object's MIME bundle, printed text as ``stream``, an exception as ``error``), so the
executed notebook exports to the same HTML.

It is registered under papermill's engine entry point (the group ``papermill.engine``) as
``tswt-inprocess``, so ``papermill --engine tswt-inprocess IN.ipynb OUT.ipynb -p case_id
TSW-900001`` uses it too. Each notebook gets a fresh namespace (nothing passes from one
child's report to the next). Cells are plain Python: a notebook that uses IPython magics
(``%...``, ``!...``) needs the kernel engine. The execution timeout of the kernel engine
does not apply here.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import json
import threading
import traceback
from typing import Any

ENGINE_NAME = "tswt-inprocess"
# Output capture redirects this process's stdout and stderr: one notebook at a time.
_LOCK = threading.Lock()


def _engine_class() -> type:
    # Built on first use, not at import: importing papermill.engines loads every
    # registered engine entry point, this module's among them. Had this module imported
    # papermill at its top, importing it first (before papermill) would have papermill
    # ask for InProcessEngine while this module was still half-initialised.
    from papermill.engines import Engine

    if "InProcessEngine" in globals():  # built while papermill.engines loaded its entry points
        return globals()["InProcessEngine"]

    class InProcessEngine(Engine):
        """papermill engine: code cells run in this process, display output captured."""

        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> None:
            namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
            count = 0
            with _LOCK:
                for index, cell in enumerate(nb_man.nb.cells):
                    try:
                        nb_man.cell_start(cell, index)
                        if cell.cell_type != "code":
                            continue
                        count += 1
                        cell.execution_count = count
                        cell.outputs = run_cell(cell.source, namespace, count)
                        if cell.outputs and cell.outputs[-1].get("output_type") == "error":
                            nb_man.cell_exception(cell, cell_index=index)
                            break
                    finally:
                        nb_man.cell_complete(cell, cell_index=index)

    return InProcessEngine


def __getattr__(name: str) -> Any:
    if name == "InProcessEngine":
        cls = globals()["InProcessEngine"] = _engine_class()
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run_cell(source: str, namespace: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """Run one cell's source in ``namespace``; return its outputs as nbformat dicts."""
    outputs: list[Any] = []
    out, err = io.StringIO(), io.StringIO()
    try:
        tree = ast.parse(source, filename=f"<cell {count}>")
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            exec(compile(tree, f"<cell {count}>", "exec"), namespace)  # noqa: S102 - the user's own notebook
            value = (
                eval(compile(ast.Expression(last.value), f"<cell {count}>", "eval"), namespace)  # noqa: S307 - the notebook's own cell
                if isinstance(last, ast.Expr)
                else None
            )
    except BaseException as exc:
        _streams(outputs, out, err)
        if isinstance(exc, KeyboardInterrupt):
            raise
        lines = traceback.format_exception(exc)
        evalue = str(exc)
        if isinstance(exc, SyntaxError) and any(
            line.lstrip().startswith(("%", "!")) for line in source.splitlines()
        ):
            evalue += " (IPython magics need a Jupyter kernel: use papermill's default engine, or tswt reports --engine kernel)"
        outputs.append(
            new_output(
                "error",
                ename=type(exc).__name__,
                evalue=evalue,
                traceback=[line.rstrip("\n") for line in lines],
            )
        )
        return outputs
    _streams(outputs, out, err)
    if value is not None:
        data, metadata = mime_bundle(value)
        outputs.append(
            new_output("execute_result", data=data, metadata=metadata, execution_count=count)
        )
    return outputs


def new_output(output_type: str, **fields: Any) -> Any:
    """An output as ``nbformat.v4.new_output`` makes it, without validating each one
    against the notebook schema on its own (a dozen a report): the executed notebook is
    validated whole when it is exported."""
    from nbformat import from_dict

    return from_dict({"output_type": output_type, **fields})


def _streams(outputs: list[Any], out: io.StringIO, err: io.StringIO) -> None:
    for name, buf in (("stdout", out), ("stderr", err)):
        if buf.getvalue():
            outputs.append(new_output("stream", name=name, text=buf.getvalue()))


_REPR_METHODS = {
    "text/html": "_repr_html_",
    "text/markdown": "_repr_markdown_",
    "image/svg+xml": "_repr_svg_",
    "image/png": "_repr_png_",
    "image/jpeg": "_repr_jpeg_",
    "text/latex": "_repr_latex_",
    "application/json": "_repr_json_",
}


def mime_bundle(value: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The display data a kernel would record for a cell's value (IPython's rules, for the
    objects reports show: ``_repr_mimebundle_``, the ``_repr_*_`` methods, ``repr``)."""
    data: dict[str, Any] = {}
    metadata: dict[str, Any] = {}
    method = getattr(value, "_repr_mimebundle_", None)
    if callable(method):
        bundle = method(include=None, exclude=None)
        if isinstance(bundle, tuple):
            bundle, metadata = bundle
        data.update(bundle or {})
    for mime, name in _REPR_METHODS.items():
        method = getattr(value, name, None)
        if mime not in data and callable(method):
            result = method()
            if result is not None:
                data[mime] = result
    if "text/plain" not in data:
        data["text/plain"] = repr(value)
    # What a kernel sends is JSON: the same values as they come back from it.
    return json.loads(json.dumps(data, default=str)), json.loads(json.dumps(metadata, default=str))
