"""What every in-process report needs, loaded once for a whole batch.

The batch's default pool forks its workers from a forkserver that imports this module
first (``batch.default_executor``): papermill and its engines, nbformat, nbconvert with
our exporter and its compiled template, pandas, matplotlib (Agg) and the report
modules. Each worker then starts with all of it, instead of importing it anew (about
1.5 s a worker), and the server loads it while ``tswt reports`` is still choosing the
cases. Only code is loaded here: nothing that reads the environment, the store or the
team's files (a worker reads those per report, as before).

Importing this module is the point of it; nothing here is meant to be called.
"""

from __future__ import annotations


def _load() -> None:
    from .batch import without_iri_grammars

    without_iri_grammars()
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.dates  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import matplotlib.pyplot  # noqa: F401 - reports.html closes each figure through it
    import pandas  # noqa: F401
    import papermill  # noqa: F401
    import papermill.engines  # noqa: F401

    from . import execute, formulation, inprocess, outcomes, review  # noqa: F401
    from ..plots import outcomes as _plots  # noqa: F401
    from .export import _exporter

    _exporter().template  # noqa: B018 - the Jinja template compiled once, in the server


try:
    _load()
except Exception:  # pragma: no cover - a worker then imports what it needs itself
    pass
