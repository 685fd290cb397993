"""What every in-process report needs, loaded once for a whole batch.

The batch's default pool forks its workers from a forkserver that imports this module
first (``batch.default_executor``): papermill and its engines, nbformat, nbconvert with
our exporter and its compiled template, the store (SQLAlchemy), the package's own
measure definitions, rules and vocabularies, and the formulation report. For the reports
with charts the server also imports :mod:`._worker_preload_charts` (pandas, matplotlib,
the outcomes and review reports); a formulation report needs neither. Each worker then
starts with all of it, instead of importing it anew (about 1.5 s a worker), and the
server loads it while ``tswt reports`` is still choosing the cases. Only code is loaded
here: nothing that reads the environment, the store or the team's files (a worker reads
those per report, as before).

Importing this module is the point of it; nothing here is meant to be called.
"""

from __future__ import annotations

import contextlib


def _load() -> None:
    from .batch import without_iri_grammars

    without_iri_grammars()
    import papermill
    import papermill.engines  # noqa: F401

    from ..measures.definition import _builtin
    from ..model.vocabulary import _cached
    from ..rules.rulefile import default_rules
    from ..store import store as _store  # noqa: F401 - SQLAlchemy
    from . import execute, formulation, inprocess  # noqa: F401

    # The package's own definitions, rules and vocabularies (never the team's: those
    # depend on the environment of the batch, and are read in the worker).
    _builtin()
    default_rules()
    _cached(None)
    _first_export()


def _load_charts() -> None:
    """What the outcomes and the review reports add: pandas, matplotlib, their modules."""
    import matplotlib.backends.backend_agg
    import matplotlib.dates
    import matplotlib.figure
    import matplotlib.pyplot  # noqa: F401 - reports.html closes each figure through it
    import pandas  # noqa: F401

    from ..plots import outcomes as _plots  # noqa: F401
    from . import outcomes, review  # noqa: F401

    _first_figure()


def _first_export() -> None:
    """nbconvert's exporter with its template compiled and its page selectors parsed."""
    import nbformat

    from .export import _exporter

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                outputs=[
                    nbformat.v4.new_output(
                        "display_data",
                        data={
                            "text/html": '<img alt="" src="data:image/png;base64,">',
                            "text/plain": "",
                        },
                    )
                ]
            )
        ]
    )
    _exporter().from_notebook_node(nb, resources={"tswt": {}, "tswt_css": ""})


def _first_figure() -> None:
    """matplotlib's first drawing (date axes, text, legend, PNG): its lazy set-up done."""
    import numpy as np
    from matplotlib.figure import Figure

    from ..plots.figures import _date_axis
    from .html import figure

    fig = Figure(figsize=(2.0, 1.5), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(
        np.array(["2026-01-01", "2026-06-01"], dtype="datetime64[D]"), [1, 2], marker="o", label="x"
    )
    ax.axhspan(0, 1, hatch="//", facecolor="none")
    _date_axis(ax)
    fig.legend(loc="outside lower center")
    figure(fig)


# if this fails, a worker then imports what it needs itself
with contextlib.suppress(Exception):  # pragma: no cover
    _load()
