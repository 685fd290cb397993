"""What the outcomes and review reports add to a batch worker's preload: pandas,
matplotlib (Agg, its first drawing done) and their report modules (see
:mod:`._worker_preload`, which the batch's forkserver imports first).

Importing this module is the point of it; nothing here is meant to be called.
"""

from __future__ import annotations

import contextlib

from ._worker_preload import _load_charts

# if this fails, a worker then imports what it needs itself
with contextlib.suppress(Exception):  # pragma: no cover
    _load_charts()
