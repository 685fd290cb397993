"""Persistence: the case store, its schema and migrations, and the audit log.

Names load on first use: :mod:`.read_only` (the standard-library read path of the everyday
commands) is importable without SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

__all__ = ["AuditEntry", "CaseStore", "open_store"]

__getattr__, __dir__ = lazy_exports(__name__, {name: "store" for name in __all__})

if TYPE_CHECKING:  # pragma: no cover
    from .store import AuditEntry, CaseStore, open_store
