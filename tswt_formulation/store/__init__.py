"""Persistence: the case store, its schema and migrations, and the audit log."""

from .store import AuditEntry, CaseStore, open_store

__all__ = ["AuditEntry", "CaseStore", "open_store"]
