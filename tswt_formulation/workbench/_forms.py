"""The pieces every form of the workbench is made of.

A :class:`Form` holds its inputs by the dotted path of the case-record field each one
fills (``child.date_of_birth``, ``screening.presenting_behaviours[0].sources``), each with
an error line beside it. Two functions carry a form to the library and back:

* :func:`form_to_case` turns the form's values (laid over the case as loaded) into the
  pydantic model, through the same validation as a case file;
* :func:`field_for` maps a validation problem's location back to the input that holds
  that field, so each message lands beside its field in the library's own words.

Staff text is always shown inert: :func:`inert` escapes it for every HTML widget, and
plain :class:`ipywidgets.Label` widgets never interpret markup.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import pairwise
from typing import Any

import ipywidgets as w
import traitlets

from ..errors import Problem, ProblemsError, StaleEdit, TswtError, ValidationFailed
from ..model import Case, case_from_data, case_to_data, vocabulary
from .a11y import CHECKS_CLASS, CHECKS_LEGEND, FIELD_CLASS, live

_INDEX = re.compile(r"\[(\d+)\]")
STYLE = {"description_width": "14em"}


@cache
def shared(kind: str) -> w.Widget:
    """One layout or style model shared by every input of a kind, made on first use.

    Each ipywidget otherwise brings its own Layout and Style models, and the browser
    builds every model: sharing them roughly thirds what a form costs to show. Never
    change a shared one (a widget whose layout changes, e.g. to hide it, gets its own).
    """
    from ipywidgets.widgets.widget_bool import CheckboxStyle
    from ipywidgets.widgets.widget_description import DescriptionStyle
    from ipywidgets.widgets.widget_string import LabelStyle, TextStyle

    makers: dict[str, Callable[[], w.Widget]] = {
        "wide": lambda: w.Layout(width="32em"),
        "area": lambda: w.Layout(width="32em", height="5em"),
        "date": lambda: w.Layout(width="26em"),
        "auto": lambda: w.Layout(width="auto"),
        "box": lambda: w.Layout(margin="0 0 2px 0"),
        "plain": lambda: w.Layout(),
        "legend": lambda: w.Layout(width="14em", padding="0 8px 0 0"),
        "text_style": lambda: TextStyle(description_width="14em"),
        "style": lambda: DescriptionStyle(description_width="14em"),
        "check_style": lambda: CheckboxStyle(description_width="initial"),
        "button_style": lambda: w.ButtonStyle(),
        "label_style": lambda: LabelStyle(),
    }
    if kind.startswith("width:"):
        return w.Layout(width=kind.split(":", 1)[1])
    if kind.startswith("column:"):  # a table column that keeps its width in a narrow window
        return w.Layout(width=kind.split(":", 1)[1], flex="0 0 auto")
    if kind.startswith("grow:"):  # a table column that takes the room left, down to its width
        return w.Layout(flex="1 1 0", min_width=kind.split(":", 1)[1])
    return makers[kind]()


def inert(text: Any) -> str:
    """Staff text made safe for an HTML widget: markup, script and entities shown as typed."""
    return html.escape("" if text is None else str(text), quote=True)


def message_html(text: str, kind: str = "error") -> str:
    """A status line: ``error`` (announced to screen readers), ``ok`` or ``note``."""
    colour = {"error": "#a4000f", "ok": "#1b5e20", "note": "#444"}[kind]
    role = ' role="alert"' if kind == "error" else ' role="status"'
    lines = "<br>".join(inert(line) for line in str(text).splitlines())
    return (
        f'<div class="tswt-{kind}"{role} style="color:{colour};white-space:normal">{lines}</div>'
        if text
        else ""
    )


def choices(list_name: str, blank: str | None = None) -> list[tuple[str, Any]]:
    """A vocabulary as (label, id) options, labels in words; ``blank`` adds a first option
    for "none" (value "", read as absent: ipywidgets shows a None value as no choice)."""
    vocab = vocabulary()[list_name]
    out: list[tuple[str, Any]] = [(label, term) for term, label in vocab.terms.items()]
    return [(blank, ""), *out] if blank is not None else out


def people(staff: Any, field: str, blank: str) -> list[tuple[str, Any]]:
    """The staff who may hold a person field (docs/permissions.md, "People are logins")
    as (name and login, login) options, after a first option for "nobody yet" (value "")."""
    from ..access.permissions import table

    allowed = table().people.get(field)
    members = [staff[login] for login in staff if allowed is None or staff[login].role in allowed]
    return [
        (blank, ""),
        *[(f"{m.name} ({m.login})", m.login) for m in sorted(members, key=lambda m: m.name)],
    ]


def label_of(list_name: str, term: str) -> str:
    return vocabulary().label(list_name, term)


# --- the form ----------------------------------------------------------------------------


@dataclass
class Field:
    """One input, the record field it fills, and its error line beside it (made when
    first needed: most inputs never show one)."""

    path: str
    widget: w.Widget
    to_record: Callable[[Any], Any] | None = None
    _error: w.HTML | None = None
    _box: w.VBox | None = None

    @property
    def box(self) -> w.VBox:
        if self._box is None:
            self._box = w.VBox(
                [self.widget] + ([self._error] if self._error is not None else []),
                layout=shared("box"),
            )
            self._box.add_class(FIELD_CLASS)  # its error is tied to its input (a11y.py)
        return self._box

    @property
    def error(self) -> w.HTML:
        if self._error is None:
            self._error = w.HTML("", layout=shared("plain"))
            if self._box is not None:
                self._box.children = (*self._box.children, self._error)
        return self._error

    @property
    def has_error(self) -> bool:
        return self._error is not None and bool(self._error.value)

    def record_value(self) -> Any:
        value = self.widget.value
        if value == "" and isinstance(self.widget, w.Dropdown):
            return None
        if self.to_record is not None:
            return self.to_record(value)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, tuple):
            return list(value)
        return value

    def show(self, message: str) -> None:
        self.error.value = message_html(message)

    def fill(self, value: Any) -> None:
        """Show a record value in the input (the reverse of :meth:`record_value`)."""
        widget = self.widget
        if isinstance(widget, w.DatePicker):
            widget.value = date.fromisoformat(value) if isinstance(value, str) else value
        elif isinstance(widget, (w.SelectMultiple, Several)):
            widget.value = tuple(value or ())
        elif isinstance(widget, w.Checkbox):
            widget.value = bool(value)
        elif (
            isinstance(widget, w.Dropdown)
            and value is None
            and any(v == "" for _l, v in widget.options)
        ):
            widget.value = ""
        elif isinstance(widget, w.Dropdown) and value not in [v for _l, v in widget.options]:
            # a value recorded before the directory knew it (a person's name typed as text):
            # shown as it is, so the form never hides it; saving it is refused by the store
            widget.options = [*widget.options, (f"{value} (not in the staff directory)", value)]
            widget.value = value
        elif isinstance(widget, (w.Text, w.Textarea)):
            widget.value = "" if value is None else str(value)
        elif isinstance(widget, (w.IntText, w.BoundedIntText)):
            widget.value = int(value or 0)
        else:
            widget.value = value


class Form:
    """Inputs by record path, their error lines, and one banner for the whole form."""

    def __init__(self) -> None:
        self.fields: dict[str, Field] = {}
        self.banner = live(w.HTML(""))
        # What the banner says, again beside the form's buttons (a long form's top is off
        # screen when its button is pressed); a status there, the banner's alert being announced.
        self.echo = live(w.HTML("", layout=shared("plain")))
        self.banner.observe(
            lambda c: setattr(
                self.echo, "value", c["new"].replace('role="alert"', 'role="status"')
            ),
            names="value",
        )
        self.aliases: dict[str, str] = {}  # record path prefix -> field path prefix (list rows)
        self.groups: dict[
            str, str
        ] = {}  # optional part of the record -> the input that says it is there
        self.lists: list[str] = []  # list paths the form owns wholly (empty when no row is filled)

    def add(
        self, path: str, widget: w.Widget, to_record: Callable[[Any], Any] | None = None
    ) -> Field:
        if not getattr(widget, "description", ""):
            raise ValueError(f"{path}: every input needs a label (description) for screen readers")
        item = Field(path, widget, to_record)
        self.fields[path] = item

        def fixed(_change: Any) -> None:  # a message goes when its field is changed
            if item.has_error:
                item.error.value = ""

        widget.observe(fixed, names="value")
        return item

    def values(self, paths: Iterable[str] | None = None) -> dict[str, Any]:
        """The form's values as nested record data (empty dates are left out, so the
        library says the field is missing rather than malformed)."""
        out: dict[str, Any] = {}
        absent = [
            g for g, key in self.groups.items() if self.fields[key].record_value() in (None, "")
        ]

        def within(path: str) -> bool:
            return any(path == g or path.startswith(g + ".") for g in absent)

        lists = [p for p in self.lists if not within(p)]
        for path in lists:
            _set(out, path, [])
        for path in paths if paths is not None else self.fields:
            value = self.fields[path].record_value()
            if value is None or within(path):
                continue
            _set(out, path, value)
        for path in lists:  # rows left out leave holes: close them
            _set(out, path, [v for v in _get(out, path) if v is not None])
        return out

    def cleared(self) -> list[str]:
        """Record paths the form shows empty (a date cleared, "none" chosen): laid over the
        case as loaded, these are removed, so what the form shows is what is saved. Lists
        the form owns are replaced whole by :meth:`values` and are not listed."""

        def owned(path: str) -> bool:
            return any(
                path == p or path.startswith(p + ".") or path.startswith(p + "[")
                for p in self.lists
            )

        out = [g for g, key in self.groups.items() if self.fields[key].record_value() in (None, "")]
        out += [p for p, f in self.fields.items() if f.record_value() is None]
        return [p for p in dict.fromkeys(out) if not owned(p)]

    def fill(self, record: dict[str, Any]) -> None:
        """Show a case record in the form (inputs whose field is absent are reset)."""
        for path, item in self.fields.items():
            item.fill(_get(record, path))

    def clear(self) -> None:
        self.banner.value = ""
        for item in self.fields.values():
            if item.has_error:
                item.error.value = ""

    def show_problems(
        self,
        problems: Iterable[Problem],
        heading: str = "Not saved: fix the fields marked in red (each message is beside its field).",
    ) -> int:
        """Put each problem beside its field; what has no field goes in the banner.
        Returns how many problems were shown."""
        self.clear()
        loose: list[str] = []
        shown: dict[str, list[str]] = {}
        count = 0
        for problem in problems:
            count += 1
            target = field_for(problem.field, self)
            if target is None:
                loose.append(
                    f"{problem.field}: {problem.message}" if problem.field else problem.message
                )
            else:
                exact = _translate(problem.field, self) == target.path
                shown.setdefault(target.path, []).append(
                    in_form_words(problem.message, target, exact)
                )
        for path, messages in shown.items():
            self.fields[path].show("\n".join(dict.fromkeys(messages)))
        if not shown:  # nothing to fix in a field: the refusal itself is the message
            heading = "Not saved."
        self.banner.value = message_html("\n".join([heading, *loose]))
        return count

    def show_error(self, exc: TswtError) -> None:
        if isinstance(exc, ProblemsError):
            self.show_problems(exc.problems)
        else:
            self.clear()
            self.banner.value = message_html(str(exc))

    def done(self, text: str) -> None:
        self.clear()
        self.banner.value = message_html(text, "ok")


#: Patterns of the case record, in the words a form uses.
PATTERN_WORDS = {
    "^[A-Za-z0-9][A-Za-z0-9/_-]{0,39}$": "letters, digits, / _ -",
}
_PATTERN = re.compile(r"^String should match pattern '(.*)' \(got (.*)\)$", re.S)


def in_form_words(message: str, field: Field, exact: bool = True) -> str:
    """A validation message as the form says it: the field's own label and plain words
    ("Case reference: required; letters, digits, / _ -"), never a pattern or a record path."""
    label = str(getattr(field.widget, "description", "") or field.path)
    match = _PATTERN.match(message)
    if match:
        allowed = PATTERN_WORDS.get(match.group(1), "not in the expected form")
        if match.group(2) in ("''", '""'):
            return f"{label}: required; {allowed}"
        return (
            f"{label}: {allowed} only, up to 40 characters, starting with a letter or digit"
            if match.group(1) in PATTERN_WORDS
            else f"{label}: {allowed} (got {match.group(2)})"
        )
    if message == "missing: this field is required" or message.startswith(
        "String should have at least 1 character"
    ):
        return f"{label}: required"
    if message.startswith("List should have at least 1 item"):
        return f"{label}: choose at least one"
    # a problem with a whole part (consent, a legal status) lands on its first input, named by it
    return message if exact else f"{label}: {message.removeprefix('missing: ')}"


def field_for(location: str, form: Form) -> Field | None:
    """The input holding the field a validation problem names (its ``loc`` as the library
    writes it, e.g. ``referral.consent.date``): the input at that path, else the one at
    the nearest enclosing path (a problem with a whole group lands beside its first input)."""
    path = _translate(location, form)
    while path:
        if path in form.fields:
            return form.fields[path]
        under = [p for p in form.fields if p.startswith(path + ".") or p.startswith(path + "[")]
        if under:
            return form.fields[under[0]]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return None


def _translate(location: str, form: Form) -> str:
    """A record location as the form's input path (list rows are kept by term, not index)."""
    for prefix, target in sorted(form.aliases.items(), key=lambda kv: -len(kv[0])):
        if (
            location == prefix
            or location.startswith(prefix + ".")
            or location.startswith(prefix + "[")
        ):
            return target + location[len(prefix) :]
    return location


def _parts(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for piece in path.split("."):
        name, *indices = _INDEX.split(piece)
        parts.append(name)
        parts += [int(i) for i in indices if i != ""]
    return parts


def _get(record: Any, path: str) -> Any:
    node = record
    for key in _parts(path):
        if isinstance(key, int):
            node = node[key] if isinstance(node, list) and key < len(node) else None
        else:
            node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    """Set ``a.b[2].c`` in nested dicts and lists."""
    parts = _parts(path)
    node: Any = target
    for key, nxt in pairwise(parts):
        if isinstance(key, int):
            while len(node) <= key:
                node.append(None)
            if node[key] is None:
                node[key] = [] if isinstance(nxt, int) else {}
            node = node[key]
        else:
            if key not in node or node[key] is None:
                node[key] = [] if isinstance(nxt, int) else {}
            node = node[key]
    last = parts[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append(None)
    node[last] = value


def unset(record: dict[str, Any], path: str) -> None:
    """Remove ``a.b.c`` from nested record data (nothing when it is not there)."""
    *parents, last = _parts(path)
    node: Any = record
    for key in parents:
        node = (
            node[key]
            if isinstance(key, int) and isinstance(node, list) and key < len(node)
            else (node.get(key) if isinstance(key, str) and isinstance(node, dict) else None)
        )
        if node is None:
            return
    if isinstance(last, str) and isinstance(node, dict):
        node.pop(last, None)


def merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` laid over it (dicts merged, anything else replaced)."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


#: The field that names a list item of the record (a history factor by its factor, a risk by its kind...).
ITEM_KEYS = ("factor", "behaviour", "kind", "number")


def item_key(items: Any) -> str | None:
    """The key naming the items of a record list (None when it is not a list of named items)."""
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        return None
    return next((k for k in ITEM_KEYS if all(k in i for i in items)), None)


def _term_label(term: Any) -> str:
    for vocab in vocabulary().lists.values():
        terms = getattr(vocab, "terms", {})
        if isinstance(term, str) and term in terms:
            return str(terms[term])
    return str(term)


def list_item_differences(theirs: Any, mine: Any, path: str = "") -> list[tuple[str, str, str]]:
    """Every list item that differs between two records, as (what, theirs, mine) rows in
    words ("History factors: Physical abuse", "evidence ...; sources ...", "(not in yours)")."""
    rows: list[tuple[str, str, str]] = []
    if isinstance(theirs, dict) or isinstance(mine, dict):
        a, b = theirs if isinstance(theirs, dict) else {}, mine if isinstance(mine, dict) else {}
        for key in dict.fromkeys([*a, *b]):
            rows += list_item_differences(a.get(key), b.get(key), f"{path}.{key}" if path else key)
        return rows
    key = item_key(theirs) or item_key(mine)
    if key is None:
        return rows
    a = {i[key]: i for i in theirs or []}
    b = {i[key]: i for i in mine or []}
    name = path.rsplit(".", 1)[-1].replace("_", " ").capitalize()

    def described(item: dict[str, Any] | None, whose: str) -> str:
        if item is None:
            return f"(not in {whose})"
        return (
            "; ".join(
                f"{k.replace('_', ' ')} {', '.join(map(str, v)) if isinstance(v, list) else v}"
                for k, v in item.items()
                if k != key and v not in ("", None, [])
            )
            or "recorded"
        )

    for ident in dict.fromkeys([*a, *b]):
        if a.get(ident) != b.get(ident):
            rows.append(
                (
                    f"{name}: {_term_label(ident)}",
                    described(a.get(ident), "theirs"),
                    described(b.get(ident), "yours"),
                )
            )
    return rows


def added_items(opened: Any, theirs: Any) -> dict[str, list[dict[str, Any]]]:
    """The list items the other person added since the record was opened, by list path."""
    out: dict[str, list[dict[str, Any]]] = {}

    def walk(a: Any, b: Any, path: str) -> None:
        if isinstance(b, dict):
            for k, v in b.items():
                walk(a.get(k) if isinstance(a, dict) else None, v, f"{path}.{k}" if path else k)
            return
        key = item_key(b)
        if key is None:
            return
        before = {i.get(key) for i in a or [] if isinstance(i, dict)}
        new = [i for i in b if i[key] not in before]
        if new:
            out[path] = new

    walk(opened, theirs, "")
    return out


def form_to_case(record: dict[str, Any], loaded: Case | None = None) -> Case:
    """The case a form describes: its record data (the form's values laid over the case
    as loaded) validated as a case file is, carrying the version it was loaded at so a
    stale save is refused. Raises :class:`ValidationFailed` with every problem."""
    where = str(record.get("case_id") or "new case")
    case = case_from_data(record, where)
    if loaded is not None:
        case._version = loaded._version
    return case


def base_record(case: Case | None) -> dict[str, Any]:
    return case_to_data(case) if case is not None else {}


# --- small widgets -----------------------------------------------------------------------


def text(description: str, value: str = "", placeholder: str = "") -> w.Text:
    return w.Text(
        value=value,
        description=description,
        placeholder=placeholder,
        layout=shared("wide"),
        style=shared("text_style"),
    )


def area(description: str, value: str = "", placeholder: str = "") -> w.Textarea:
    return w.Textarea(
        value=value,
        description=description,
        placeholder=placeholder,
        layout=shared("area"),
        style=shared("text_style"),
    )


def day(description: str, value: date | None = None) -> w.DatePicker:
    return w.DatePicker(
        value=value, description=description, style=shared("style"), layout=shared("date")
    )


def check(description: str, value: bool = False) -> w.Checkbox:
    """A labelled checkbox whose label is shown whole."""
    return w.Checkbox(
        value=value,
        description=description,
        indent=False,
        layout=shared("auto"),
        style=shared("check_style"),
    )


def dropdown(description: str, options: list[tuple[str, Any]], value: Any = None) -> w.Dropdown:
    """A labelled choice; with no ``value``, the first option is chosen."""
    chosen = value if value is not None or not options else options[0][1]
    return w.Dropdown(
        options=options,
        value=chosen,
        description=description,
        layout=shared("wide"),
        style=shared("style"),
    )


class Several(w.HBox):
    """A choice of several: a named group of labelled checkboxes (keyboard: Tab to each,
    Space ticks it), its ``value`` the tuple of the values ticked, in the options' order.

    It stands where a multi-select list stood (issue 26: a list's Shift and Ctrl choices
    are awkward by keyboard and not announced well); the a11y shim makes the box a
    ``group`` named by its legend.
    """

    value = traitlets.Tuple()

    def __init__(self, description: str, options: list[tuple[str, Any]]) -> None:
        self.description = description
        self.options = list(options)
        self.checks = [check(label, False) for label, _v in self.options]
        self._syncing = False
        legend = w.HTML(
            f"<span class='{CHECKS_LEGEND}'>{inert(description)}</span>",
            layout=shared("legend"),
        )
        super().__init__([legend, w.VBox(self.checks, layout=shared("plain"))])
        self.add_class(CHECKS_CLASS)
        for box in self.checks:
            box.observe(self._ticked, names="value")
        self.observe(self._set, names="value")

    def _ticked(self, _change: Any) -> None:
        if self._syncing:
            return
        self.value = tuple(v for (_l, v), box in zip(self.options, self.checks) if box.value)

    def _set(self, change: Any) -> None:
        chosen = set(change["new"])
        self._syncing = True
        try:
            for (_l, v), box in zip(self.options, self.checks):
                box.value = v in chosen
        finally:
            self._syncing = False


def several(description: str, options: list[tuple[str, Any]], rows: int = 7) -> Several:
    """A labelled choice of several, as a group of checkboxes (``rows`` is not used: every
    option is shown)."""
    del rows
    return Several(description, options)


def button(description: str, style: str = "", tooltip: str = "") -> w.Button:
    """A button; it has its own layout, so it can be hidden."""
    return w.Button(
        description=description,
        button_style=style,
        tooltip=tooltip or description,
        layout=w.Layout(width="auto"),
        style=shared("button_style"),
    )


def heading(title: str, level: int = 3) -> w.HTML:
    return w.HTML(
        f"<h{level} style='margin:8px 0 4px 0'>{inert(title)}</h{level}>", layout=shared("plain")
    )


def typed(widget: w.Widget) -> list[Any]:
    """Every value a person can set in a widget tree (inputs, ticks, choices), in order:
    what a save button's second click is compared with. What the app shows (HTML, labels,
    the chart) is not typed and is left out."""
    out: list[Any] = []
    shown = (w.HTML, w.HTMLMath, w.Label, w.Image)
    stack = [widget]
    while stack:
        node = stack.pop()
        if isinstance(node, w.ValueWidget) and not isinstance(node, shown):
            out.append((id(node), node.value))
        stack.extend(reversed(getattr(node, "children", ()) or ()))
    return out


def saves_once(
    pressed: w.Button,
    action: Callable[[], Any],
    state: Callable[[], Any],
    enabled: Callable[[], bool] | None = None,
) -> None:
    """Wire a button that saves (save, decide, submit, approve, return, record) so that one
    press saves once, however it is clicked: the button is disabled while its save runs
    (the browser then sends no more clicks), and a click that arrives on the values it has
    just saved (a double-click's second click, queued before the first was done) saves
    nothing more; what the first click said stays. ``action`` returns what it saved, or
    None when nothing was (refused: the next click is a new try). ``state`` is what the
    click is compared with (the case's version and everything typed); ``enabled`` says
    whether the button is usable once the save is done (default: it is)."""
    just_saved: list[Any] = []

    def clicked(_button: Any) -> None:
        if pressed.disabled:
            return  # a save of this button is running
        if just_saved and just_saved[0] == state():
            return  # the values just saved, clicked again: saved once
        just_saved.clear()
        pressed.disabled = True
        result = None
        try:
            result = action()
        finally:
            pressed.disabled = not enabled() if enabled is not None else False
        if result is not None:
            just_saved.append(state())

    pressed.on_click(clicked)


def stale_panel(exc: StaleEdit, theirs: Callable[[], str], rebase: Callable[[], None]) -> w.VBox:
    """What a refused stale save shows: who saved and when (the library's message), the
    other person's version beside the typed values on request, and a way to save the
    typed values over it knowingly."""
    shown = w.HTML("")
    show = button(
        "Show their version", tooltip="Show the version saved meanwhile, beside your typed values"
    )
    keep = button("Keep my typed values and save over theirs", "warning")

    def _show(_: Any) -> None:
        shown.value = theirs()

    def _keep(_: Any) -> None:
        if keep.disabled:
            return  # pressed already (a double-click): saved over theirs once
        keep.disabled = True  # the panel goes once the save is done; a new one if refused again
        rebase()

    show.on_click(_show)
    keep.on_click(_keep)
    return w.VBox(
        [
            w.HTML(message_html(str(exc) + "\nYour typed values are still in the form.")),
            w.HBox([show, keep]),
            shown,
        ]
    )


def table_html(headers: list[str], rows: Iterable[Iterable[Any]], caption: str = "") -> str:
    """A small HTML table; every cell escaped."""
    head = "".join(f"<th style='text-align:left;padding:2px 8px'>{inert(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f"<td style='padding:2px 8px;vertical-align:top'>{inert(c)}</td>" for c in row)
        + "</tr>"
        for row in rows
    )
    cap = f"<caption style='text-align:left'>{inert(caption)}</caption>" if caption else ""
    return f"<table style='border-collapse:collapse'>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


__all__ = [
    "Field",
    "Form",
    "ValidationFailed",
    "base_record",
    "choices",
    "field_for",
    "form_to_case",
    "inert",
    "merge",
    "message_html",
    "table_html",
]
