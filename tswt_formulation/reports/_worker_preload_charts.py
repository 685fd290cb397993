"""What the outcomes and review reports add to a batch worker's preload: pandas,
matplotlib (Agg, its first drawing done) and their report modules (see
:mod:`._worker_preload`, which the batch's forkserver imports first).

Importing this module is the point of it; nothing here is meant to be called.
"""

from __future__ import annotations

from ._worker_preload import _load_charts

try:
    _load_charts()
except Exception:  # noqa: BLE001, S110 # pragma: no cover - a worker then imports what it needs itself
    pass
