"""Who the synthetic caseload's people are: its case ids, its workers, referrers and
managers, and the staff directory of the synthetic team (invented logins only)."""

from __future__ import annotations

from typing import Any

SYNTHETIC_ID_BASE = 900_000
#: How many synthetic ids there are: TSW-900001 .. TSW-999999, then TSW-900000 for the
#: 100,000th (numbering starts at 900001, so every demo id already published stays).
SYNTHETIC_IDS = 100_000


def synthetic_id(number: int) -> str:
    """The case id of the ``number``-th synthetic case (1 .. 100,000)."""
    if not 1 <= number <= SYNTHETIC_IDS:
        raise ValueError(f"synthetic case number {number} is outside 1..{SYNTHETIC_IDS}")
    return f"TSW-{SYNTHETIC_ID_BASE + number % SYNTHETIC_IDS:06d}"


def synthetic_number(case_id: str) -> int | None:
    """The inverse of :func:`synthetic_id` (None for an id outside the synthetic range)."""
    if len(case_id) != 10 or not case_id.startswith("TSW-9") or not case_id[4:].isdigit():
        return None
    return int(case_id[4:]) - SYNTHETIC_ID_BASE or SYNTHETIC_IDS


WORKERS = ("a.okafor", "b.kowalski", "c.mensah", "d.hughes", "e.patel", "f.oconnor", "g.lindqvist")
REFERRERS = (
    "J. Adeyemi",
    "K. Brennan",
    "L. Chowdhury",
    "M. Dubois",
    "N. Evans",
    "P. Fraser",
    "R. Gill",
)
MANAGERS = (
    "t.harper",
    "u.iqbal",
    "v.jensen",
)  # staff logins (demo_staff), as every person field holds

REVIEWERS = ("dr.r.ahmed", "dr.k.osei")


# Who the demo's login ids are (invented people), for the store's staff directory.
_DEMO_STAFF = (
    ("a.okafor", "A. Okafor", "therapeutic_social_worker"),
    ("b.kowalski", "B. Kowalski", "therapeutic_social_worker"),
    ("c.mensah", "C. Mensah", "therapeutic_social_worker"),
    ("d.hughes", "D. Hughes", "therapeutic_social_worker"),
    ("e.patel", "E. Patel", "therapeutic_social_worker"),
    ("f.oconnor", "F. O'Connor", "therapeutic_social_worker"),
    ("g.lindqvist", "G. Lindqvist", "therapeutic_social_worker"),
    ("dr.r.ahmed", "Dr R. Ahmed", "clinical_psychologist"),
    ("dr.k.osei", "Dr K. Osei", "clinical_psychologist"),
    ("t.harper", "T. Harper", "team_manager"),
    ("u.iqbal", "U. Iqbal", "team_manager"),
    ("v.jensen", "V. Jensen", "team_manager"),
    ("s.price", "S. Price", "senior_practitioner"),
    ("s.adeyemi", "S. Adeyemi", "personal_adviser"),
)
# The training store's administrator: sets up the directory and restores the demo's cases.
DEMO_ADMIN = ("it.admin", "I. Tanaka", "administrator")


def demo_staff() -> list[Any]:
    """The staff directory of the synthetic team: every login the demo uses, named."""
    from ..store.staff import StaffMember

    return [StaffMember(login, name, role) for login, name, role in (DEMO_ADMIN, *_DEMO_STAFF)]
