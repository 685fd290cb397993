"""What every view of one case shares: the case as opened, saving the form's fields over
it (nothing saved until the whole case is valid; a stale save refused with who and when,
the typed values kept), and telling the app when the case changed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import ipywidgets as w

from .. import casework
from ..errors import StaleEdit, TswtError, ValidationFailed
from ..model import Case
from ..store import CaseStore
from ..store.audit import stale_notice
from ._forms import Form, inert, message_html, saves_once, stale_panel, table_html, typed
from .forms.model import FormModel
from .forms.records import added_items, base_record, get_path, list_item_differences, merge


class CaseView:
    """A view of the open case. Subclasses build their inputs into ``self.form`` and
    show the case in :meth:`show_case`."""

    empty_text = "Open a case from the caseload first."
    widget: w.Widget  # the view, as each subclass builds it

    def __init__(self, store: CaseStore, user: str, as_of: date | None = None) -> None:
        self.store, self.user, self.as_of = store, user, as_of or date.today()
        self.case: Case | None = None
        self.model = self.make_model()  # the form as plain data (forms/): no widget there
        self.form = Form(self.model)
        self.stale = w.VBox([])
        self.title = w.HTML(message_html(self.empty_text, "note"))
        self.on_saved: Callable[[Case], None] | None = None
        self._clean: dict[str, Any] = {}

    def make_model(self) -> FormModel:
        """The view's form model (a subclass with a model of its own makes it here)."""
        return FormModel()

    # -- unsaved typing ------------------------------------------------------------------

    def mark_clean(self) -> None:
        """What the form shows now is what is saved (after opening or saving)."""
        self._clean = {path: f.widget.value for path, f in self.form.fields.items()}

    def unsaved(self) -> bool:
        """Has anything been typed since the case was opened or last saved?"""
        return any(
            path in self.form.fields and self.form.fields[path].widget.value != value
            for path, value in self._clean.items()
        )

    def saves(
        self,
        pressed: w.Button,
        action: Callable[[], Any],
        enabled: Callable[[], bool] | None = None,
    ) -> None:
        """Wire a button of this view that saves: one press saves once, the button
        disabled while it saves (:func:`._forms.saves_once`); a click on the values just
        saved, with the case at the version just saved, saves nothing more."""
        saves_once(pressed, action, self._typed_state, enabled)

    def _typed_state(self) -> tuple[Any, ...]:
        case = self.case
        return (
            case.case_id if case is not None else None,
            case._version if case is not None else None,
            typed(self.widget),
        )

    def open(self, case_id: str, case: Case | None = None) -> None:
        """Load the case (or show ``case``, just loaded) discarding typed values of another."""
        self.case = case.model_copy(deep=True) if case is not None else self.store.get(case_id)
        if case is not None:
            self.case._version = case._version
        self.form.clear()
        self.stale.children = ()
        self.title.value = f"<h3 style='margin:4px 0'>Case {inert(case_id)}</h3>"
        self.show_case()
        self.mark_clean()

    def show_case(self) -> None:  # pragma: no cover - each view shows its part
        raise NotImplementedError

    def case_saved(self, case: Case) -> None:
        """Another view saved the open case: build on that version (typed values stay)."""
        if self.case is not None and case.case_id == self.case.case_id:
            self.case = case

    # -- saving ----------------------------------------------------------------------------

    def save_fields(
        self,
        changes: dict[str, Any],
        note: str,
        cleared: Iterable[str] = (),
        retry: Callable[[], Any] | None = None,
    ) -> Case | None:
        """Lay the form's values over the case as opened, validate the whole case, save.
        ``cleared``: record paths the form shows empty, removed from the case as opened.
        ``retry``: how to save again over another's version (a view whose changes are
        built from the case as opened, e.g. a list with one item added, rebuilds them).
        Returns the saved case, or None when nothing was saved (the form says why)."""
        if self.case is None:
            self.form.banner.value = message_html(self.empty_text)
            return None
        cleared = list(cleared)
        try:
            case = self.model.over(self.case, changes, cleared)
        except ValidationFailed as exc:
            self.form.show_problems(exc.problems)
            return None
        return self._saved(
            lambda: casework.save_case(self.store, case, user=self.user, note=note),
            changes,
            note,
            retry=retry or (lambda: self.save_fields(changes, note, cleared)),
        )

    def _saved(
        self,
        write: Callable[[], Case],
        changes: dict[str, Any] | None,
        note: str,
        retry: Callable[[], Any] | None = None,
    ) -> Case | None:
        """Run a write; show a refusal beside the form, or report the save (or that
        there was nothing to save: the store writes no version for no change)."""
        opened = self.case._version if self.case is not None else None
        try:
            saved = write()
        except StaleEdit as exc:
            self.form.clear()
            self.form.banner.value = message_html(stale_notice(exc))
            self.stale.children = (
                stale_panel(
                    exc,
                    lambda: self._theirs(changes),
                    lambda: self._rebase(retry or (lambda: self.save_fields(changes or {}, note))),
                ),
            )
            return None
        except ValidationFailed as exc:
            self.form.show_problems(exc.problems)
            return None
        except TswtError as exc:
            self.form.show_error(exc)
            return None
        self.stale.children = ()
        self.case = saved
        self.mark_clean()
        if opened is not None and saved._version == opened:
            self.form.done(
                f"Nothing to save: {saved.case_id} has no change since it was opened "
                f"(version {saved._version})."
            )
        else:
            self.form.done(
                f"Saved {saved.case_id} (version {saved._version}) as {self.user}: {note}."
            )
        if self.on_saved is not None:
            self.on_saved(saved)
        return saved

    def _theirs(self, changes: dict[str, Any] | None) -> str:
        """The version saved meanwhile, field by field beside the typed values."""
        assert self.case is not None
        theirs = base_record(self.store.get(self.case.case_id))
        mine = merge(base_record(self.case), changes or {})
        rows = []
        for path in self.form.fields:
            a, b = get_path(theirs, path), get_path(mine, path)
            if a != b:
                rows.append(
                    (self.form.fields[path].widget.description or path, _plain(a), _plain(b))
                )
        rows += [
            row
            for section in (changes or {})
            for row in list_item_differences(theirs.get(section), mine.get(section), section)
        ]
        if not rows:
            return message_html(
                "Their version differs from yours only in parts this form does not show.", "note"
            )
        return table_html(
            ["Field", "Their saved version", "Your typed value"],
            rows,
            caption="Saved meanwhile, beside your typed values",
        )

    def _rebase(self, retry: Callable[[], Any]) -> None:
        """The worker has seen the other version and chooses to save over it."""
        assert self.case is not None
        opened = base_record(self.case)
        self.case = self.store.get(self.case.case_id)
        self.absorb(added_items(opened, base_record(self.case)))
        self.stale.children = ()
        retry()

    def absorb(self, added: dict[str, list[dict[str, Any]]]) -> None:
        """Show in the form the list items the other person added meanwhile (by list
        path), so keeping my typed values never removes them: a view whose form owns
        whole lists says how. What I removed on purpose was in the case as I opened it,
        so it is never among them."""


def _plain(value: Any) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    return str(value)
