"""My caseload: the worker's cases, filtered by worker, state and overdue, sortable, with
the screening due date and risk flags; a click opens the case.

The list is one page of rows at a time (the caseload of a whole authority is thousands of
cases): the frame comes from the store's indexed columns in one query, and only the
cases on the page shown are read whole, for their risk flags.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import ipywidgets as w

from ..rules.timeline import STATE_LABELS
from ..store import CaseStore
from ..words import plural
from ._forms import button, check, dropdown, inert, shared, text
from .summary import risk_flags

PAGE = 20
COLUMNS = (
    ("case_id", "Case"),
    ("worker", "Worker"),
    ("state_label", "State"),
    ("screening_due", "Screening due"),
    ("days_to_due", "Days to due"),
    ("age", "Age"),
    ("risks", "Risk flags"),
    ("expected", "Expected progress"),
)
SORTS = [
    ("Screening due (soonest first)", ("screening_due", True)),
    ("Case id", ("case_id", True)),
    ("Days to due (most overdue first)", ("days_to_due", True)),
    ("State", ("state", True)),
    ("Worker", ("worker", True)),
    ("Received (newest first)", ("received", False)),
]
# The columns whose heading is a button that sorts by them (the sort list's key for each).
SORTABLE = {
    "case_id": "case_id",
    "worker": "worker",
    "state_label": "state",
    "screening_due": "screening_due",
    "days_to_due": "days_to_due",
}
# The caseload is a table to assistive technology (WCAG 1.3.1): the a11y shim gives these
# classes their roles, and a sortable heading's box its aria-sort.
TABLE, ROW, HEAD, CELL = "tswt-table", "tswt-row", "tswt-colhead", "tswt-cell"


class CaseloadView:
    """The caseload as a paged, sortable list; ``on_open(case_id)`` is called on a click."""

    def __init__(
        self,
        store: CaseStore,
        user: str,
        as_of: date | None = None,
        on_open: Callable[[str], None] | None = None,
    ) -> None:
        self.store, self.user, self.as_of = store, user, as_of or date.today()
        self.on_open = on_open
        from ..store.staff import staff_directory

        workers = store.workers()
        self.people = staff_directory(store)  # people by name, not login id
        options = [("All workers", "")] + [(self.people.name(login), login) for login in workers]
        self.worker = dropdown("Worker", options, user if user in workers else "")
        self.state = dropdown(
            "State", [("Any state", "")] + [(label, s) for s, label in STATE_LABELS.items()]
        )
        self.overdue = check("Overdue screenings only", False)
        self.sort = dropdown("Sort by", SORTS, SORTS[0][1])
        # a second press on the heading sorted by reverses the list's order
        self.reverse = False
        self.find = text("Find a case", placeholder="case id or case-management ref")
        self.find.continuous_update = False  # searched when Enter is pressed or the field is left
        self.status = w.HTML("")
        self.previous = button("Previous page")
        self.next = button("Next page")
        self.page_label = w.Label("")
        self.refresh_button = button(
            "Refresh the caseload", tooltip="Read the caseload from the store again"
        )
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.page = 0
        self._frame: Any = None
        # Widgets for one page, built once and refilled (no widget churn on paging).
        # Page widgets share their layouts and styles (fewer models for the browser to
        # build); a row is hidden through its own box's layout.
        self.open_buttons = [
            w.Button(
                description="",
                tooltip="Open this case",
                layout=shared(_column(0)),
                style=shared("button_style"),
            )
            for _ in range(PAGE)
        ]
        # The state and the risk flags wrap (HTML cells, escaped): a Label would cut them off
        # ("Suicidal ide...", "Work begun; formulation returne...").
        self.cells = [
            [
                w.HTML("", layout=shared(_column(i + 1)))
                if i == _STATE
                else w.Label("", layout=shared(_column(i + 1)), style=shared("label_style"))
                for i in range(len(COLUMNS) - 3)
            ]
            + [w.HTML("", layout=shared(_column(i))) for i in (len(_WIDTHS) - 2, len(_WIDTHS) - 1)]
            for _ in range(PAGE)
        ]
        for cells in self.cells:
            for cell in cells:
                cell.add_class(CELL)
        self.rows = [
            w.HBox([w.Box([b], layout=shared("plain")).add_class(CELL), *cells], layout=w.Layout())
            for b, cells in zip(self.open_buttons, self.cells)
        ]
        for row in self.rows:
            row.add_class(ROW)
        self.heads: dict[str, w.Box] = {}
        self.head_buttons: dict[str, w.Button] = {}
        header = w.HBox([self._head(key, title, i) for i, (key, title) in enumerate(COLUMNS)])
        header.add_class(ROW)
        for i, b in enumerate(self.open_buttons):
            b.on_click(lambda _b, i=i: self._open(i))
        # a choice from the list sorts its own way (before the refresh below sees it)
        self.sort.observe(lambda _c: setattr(self, "reverse", False), names="value")
        for control in (self.worker, self.state, self.overdue, self.sort, self.find):
            control.observe(lambda _c: self.refresh(reset=True), names="value")
        self.previous.on_click(lambda _b: self._turn(-1))
        self.next.on_click(lambda _b: self._turn(1))
        self.widget = w.VBox(
            [
                w.HBox([self.worker, self.state]),
                w.HBox([self.overdue, self.sort, self.refresh_button]),
                self.find,
                self.status,
                w.VBox([header, *self.rows]).add_class(TABLE),
                w.HBox([self.previous, self.page_label, self.next]),
            ]
        )
        self.refresh(reset=True)

    def _head(self, key: str, title: str, column: int) -> w.Box:
        """A column heading; a sortable column's is a button that sorts by it."""
        if key in SORTABLE:
            pressed = w.Button(
                description=title,
                tooltip=f"Sort by {title.lower()} (again: the other way)",
                layout=shared("auto"),
                style=shared("button_style"),
            )
            pressed.on_click(lambda _b: self.sort_by(key))
            self.head_buttons[key] = pressed
            content: w.Widget = pressed
        else:
            content = w.HTML(f"<b>{inert(title)}</b>", layout=shared("plain"))
        box = w.Box([content], layout=shared(_column(column)))
        box.add_class(HEAD)
        self.heads[key] = box
        return box

    def sort_by(self, column: str) -> None:
        """Sort by a column (its heading pressed): the list's way first, then the other."""
        key = SORTABLE[column]
        if self.sort.value[0] == key:
            self.reverse = not self.reverse
            self.refresh(reset=True)
        else:
            self.reverse = False
            self.sort.value = next(v for _label, v in SORTS if v[0] == key)

    def sorted_as(self, column: str) -> str:
        """``ascending``, ``descending`` or ``none``: the column's aria-sort."""
        key, ascending = self.sort.value
        if SORTABLE.get(column) != key:
            return "none"
        return "ascending" if ascending != self.reverse else "descending"

    def _show_sort(self) -> None:
        for column, box in self.heads.items():
            if column not in SORTABLE:
                continue
            way = self.sorted_as(column)
            for other in ("ascending", "descending", "none"):
                if other != way:
                    box.remove_class(f"tswt-sort-{other}")
            box.add_class(f"tswt-sort-{way}")

    # -- data ------------------------------------------------------------------------------

    def refresh(self, reset: bool = False) -> None:
        wanted = self.find.value.strip()
        if wanted:
            # Finding a case looks in the whole caseload: a case id typed in full is found
            # whoever holds it, whatever the worker, state and overdue filters say (a worker's
            # own cases are shown first, so the filter is often set without being noticed).
            frame = self.store.caseload(self.as_of)
            frame = frame[frame["case_id"].isin(self.found(wanted, list(frame["case_id"])))]
        else:
            frame = self.store.caseload(
                self.as_of, worker=self.worker.value or None, overdue=self.overdue.value
            )
            if self.state.value:
                frame = frame[frame["state"] == self.state.value]
        key, ascending = self.sort.value
        ascending = ascending != self.reverse
        if key == "days_to_due":
            # days to due means something only while the screening is open: those first, the
            # most overdue at the top; work begun and closed cases after them
            frame = frame.assign(_due=frame["days_to_due"].where(frame["state"] == "in_screening"))
            key = "_due"
        frame = frame.sort_values(
            [key, "case_id"], ascending=[ascending, True], na_position="last", kind="stable"
        )
        self._frame = frame.reset_index(drop=True)
        if reset:
            self.page = 0
        self._show_sort()
        self._show_page()

    def found(self, wanted: str, among: list[str]) -> set[str]:
        """The cases whose id or case-management reference contains ``wanted`` (any case)."""
        folded = wanted.casefold()
        out = {c for c in among if folded in c.casefold()}
        import json

        import sqlalchemy as sa

        from ..store import schema

        # Only the records whose text holds it are read whole (the reference is not a column).
        needle = (
            json.dumps(wanted)[1:-1].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        )
        query = sa.select(schema.cases.c.case_id).where(
            sa.func.lower(schema.cases.c.record).like(f"%{needle.lower()}%", escape="\\")
        )
        with self.store.engine.connect() as conn:
            candidates = [r[0] for r in conn.execute(query) if r[0] in set(among)]
        for case in self.store.cases(candidates):
            if folded in case.child.case_management_ref.casefold():
                out.add(case.case_id)
        return out

    @property
    def shown_ids(self) -> list[str]:
        """The case ids on the page shown, in order."""
        return [
            b.description
            for b, row in zip(self.open_buttons, self.rows)
            if row.layout.display != "none"
        ]

    def _show_page(self) -> None:
        frame = self._frame
        total = len(frame)
        pages = max(1, -(-total // PAGE))
        self.page = min(self.page, pages - 1)
        part = frame.iloc[self.page * PAGE : (self.page + 1) * PAGE]
        flags = risk_flags(self.store, list(part["case_id"]), self.as_of)
        from ..reports.expected import caseload_words  # issue 23: {} without a model

        expected = caseload_words(self.store, list(part["case_id"]), self.as_of)
        overdue = int(frame["overdue"].sum()) if total else 0
        where = " found in the whole caseload" if self.find.value.strip() else ""
        self.status.value = f"<span role='status'>{plural(total, 'case')}{where}; {overdue} with the screening overdue</span>"
        records = part.to_dict("records")
        for i, (b, cells) in enumerate(zip(self.open_buttons, self.cells)):
            if i >= len(records):
                self.rows[i].layout.display = "none"
                continue
            r = records[i]
            self.rows[i].layout.display = ""
            b.description = r["case_id"]
            b.tooltip = f"Open case {r['case_id']}"
            b.button_style = "danger" if r["overdue"] else ""
            returned = r.get("formulation_status") == "returned"
            if returned:  # a formulation sent back by the psychologist waits on the worker
                b.button_style = "warning" if not r["overdue"] else "danger"
            state = (
                f"{r['state_label']}; formulation returned" if returned else str(r["state_label"])
            )
            values = [
                "unallocated" if _missing(r["worker"]) else self.people.name(str(r["worker"])),
                state,
                _day(r["screening_due"]),
                _days(r["days_to_due"], r["overdue"]) if r["state"] == "in_screening" else "",
                "" if _missing(r["age"]) else str(r["age"]),
                flags.get(r["case_id"], ""),
                expected.get(r["case_id"], ""),
            ]
            for label, value in zip(cells, values):
                label.value = (
                    f"<span style='white-space:normal'>{inert(value)}</span>"
                    if isinstance(label, w.HTML)
                    else value
                )
        self.page_label.value = f"Page {self.page + 1} of {pages}"
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= pages - 1

    def _turn(self, step: int) -> None:
        self.page += step
        self._show_page()

    def _open(self, row: int) -> None:
        case_id = self.open_buttons[row].description
        if case_id and self.on_open is not None:
            self.on_open(case_id)


# The case, worker, state, dates and age keep their widths (a case id is never cut to
# "TSW-9..."); the risk flags and expected progress share what is left, and wrap.
_WIDTHS = ["9em", "8em", "12em", "7.5em", "8em", "3.5em", "12em", "8em"]


def _column(i: int) -> str:
    """The shared layout of column ``i`` (its heading and its cells alike)."""
    return f"grow:{_WIDTHS[i]}" if i >= len(_WIDTHS) - 2 else f"column:{_WIDTHS[i]}"


_STATE = 1  # the state's cell among the row's cells (after the worker's)


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


def _day(value: Any) -> str:
    return "" if _missing(value) else value.date().isoformat()


def _days(value: Any, overdue: bool) -> str:
    if _missing(value):
        return ""
    value = int(value)
    if overdue:
        return f"OVERDUE by {-value}"
    return "due today" if value == 0 else f"{value}"
