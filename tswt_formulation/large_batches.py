"""Bulk work (a file of thousands of cases) with Python's cyclic garbage collector paused.

Parsing and validating a large file creates millions of small objects that stay alive
until the import ends. The collector is triggered by allocations and each full collection
walks every live object, so with the collector running an import's time grows faster
than the number of cases (10,000 cases took twice as long as 10 x 1,000). Nothing made
during an import forms reference cycles that must be freed before it ends, so the
collector is paused for its duration and resumed (not forced) afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block (re-entrant)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
