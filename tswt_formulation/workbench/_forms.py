"""The widgets every form of the workbench is made of, and their binding to the form model.

A :class:`Form` holds its inputs by the dotted path of the case-record field each one
fills (``child.date_of_birth``, ``screening.presenting_behaviours[0].sources``), each with
an error line beside it, over a widget-free :class:`~.forms.model.FormModel`: the model
turns a case into the values the form shows and the values back into the record (and
says which field a problem names); the form only moves values between its widgets and
the model (:meth:`Form.values`, :meth:`Form.show`) and shows each problem beside its
field, in the form's words (:func:`~.forms.model.in_form_words`).

Staff text is always shown inert: :func:`inert` escapes it for every HTML widget, and
plain :class:`ipywidgets.Label` widgets never interpret markup.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import ipywidgets as w
import traitlets

from ..errors import Problem, ProblemsError, StaleEdit, TswtError, ValidationFailed
from ..model import vocabulary
from .a11y import CHECKS_CLASS, CHECKS_LEGEND, FIELD_CLASS, live
from .forms.model import FormModel, Values, in_form_words

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


def kind_of(widget: w.Widget) -> str:
    """The kind of field value (:mod:`.forms.model`) a widget shows."""
    if isinstance(widget, w.DatePicker):
        return "date"
    if isinstance(widget, (w.SelectMultiple, Several)):
        return "choices"
    if isinstance(widget, w.Checkbox):
        return "flag"
    if isinstance(widget, (w.IntText, w.BoundedIntText)):
        return "number"
    if isinstance(widget, (w.Text, w.Textarea)):
        return "text"
    return "choice"


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

    @property
    def label(self) -> str:
        return str(getattr(self.widget, "description", "") or self.path)

    @property
    def value(self) -> Any:
        """The widget's value as the form model's field value (a list for a choice of
        several, None for a dropdown's "none" option)."""
        value = self.widget.value
        if value == "" and isinstance(self.widget, w.Dropdown):
            return None
        if self.to_record is not None:
            return self.to_record(value)
        if isinstance(value, tuple):
            return list(value)
        return value

    def record_value(self) -> Any:
        """The widget's value as the record holds it."""
        value = self.value
        return value.isoformat() if isinstance(value, date) else value

    def show(self, message: str) -> None:
        self.error.value = message_html(message)

    def fill(self, value: Any) -> None:
        """Show a field value (or a record value: a date may be ISO text) in the input."""
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
    """Inputs by record path bound to a :class:`~.forms.model.FormModel`, their error
    lines, and one banner for the whole form."""

    def __init__(self, model: FormModel | None = None) -> None:
        self.model = model if model is not None else FormModel()
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

    # the model's, named here as before
    aliases = property(
        lambda self: self.model.aliases, lambda self, v: setattr(self.model, "aliases", v)
    )
    groups = property(
        lambda self: self.model.groups, lambda self, v: setattr(self.model, "groups", v)
    )
    lists = property(lambda self: self.model.lists, lambda self, v: setattr(self.model, "lists", v))

    def add(
        self, path: str, widget: w.Widget, to_record: Callable[[Any], Any] | None = None
    ) -> Field:
        """Bind an input to the model's field at ``path`` (declared there if it is not:
        the kind must agree)."""
        if not getattr(widget, "description", ""):
            raise ValueError(f"{path}: every input needs a label (description) for screen readers")
        self.model.declare(path, kind_of(widget))
        item = Field(path, widget, to_record)
        self.fields[path] = item

        def fixed(_change: Any) -> None:  # a message goes when its field is changed
            if item.has_error:
                item.error.value = ""

        widget.observe(fixed, names="value")
        return item

    # -- binding: widgets <-> the model's field values ------------------------------------

    def field_values(self) -> Values:
        """What the inputs hold, as the model's field values."""
        return {path: item.value for path, item in self.fields.items()}

    def show(self, values: Mapping[str, Any]) -> None:
        """Show field values in the inputs (those not given are left as they are)."""
        for path, value in values.items():
            if path in self.fields:
                self.fields[path].fill(value)

    def values(self, paths: Iterable[str] | None = None) -> dict[str, Any]:
        """The form's values as nested record data (:meth:`.FormModel.record`)."""
        return self.model.record(self.field_values(), paths)

    def cleared(self) -> list[str]:
        """Record paths the form shows empty (:meth:`.FormModel.cleared`)."""
        return self.model.cleared(self.field_values())

    def fill(self, record: dict[str, Any]) -> None:
        """Show a case record in the form (inputs whose field is absent are reset)."""
        values = self.model.values_of(record)
        self.show({path: values[path] for path in self.fields})

    # -- what the form says -------------------------------------------------------------

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
                exact = self.model.translate(problem.field) == target.path
                shown.setdefault(target.path, []).append(
                    in_form_words(problem.message, target.label, exact)
                )
        for path, messages in shown.items():
            self.fields[path].show("\n".join(dict.fromkeys(messages)))
        if not shown:  # nothing to fix in a field: the refusal itself is the message
            heading = "Not saved."
        self.banner.value = message_html("\n".join([heading, *loose]))
        return count

    def refuse(self, problems: Iterable[Problem]) -> None:
        """Say why nothing was saved in the model's own words: each problem beside the
        field it names, the others (what the form as a whole says) in the banner."""
        loose = []
        for problem in problems:
            if problem.field in self.fields:
                self.fields[problem.field].show(problem.message)
            else:
                loose.append(problem.message)
        if loose:
            self.banner.value = message_html("\n".join(loose))

    def show_error(self, exc: TswtError) -> None:
        if isinstance(exc, ProblemsError):
            self.show_problems(exc.problems)
        else:
            self.clear()
            self.banner.value = message_html(str(exc))

    def done(self, text: str) -> None:
        self.clear()
        self.banner.value = message_html(text, "ok")


def field_for(location: str, form: Form) -> Field | None:
    """The input holding the field a validation problem names (its ``loc`` as the library
    writes it, e.g. ``referral.consent.date``): see :meth:`.forms.model.FormModel.field_for`."""
    path = form.model.field_for(location, form.fields)
    return form.fields[path] if path is not None else None


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


def beside_panel(form: w.Widget, title: str, content: w.Widget) -> w.Box:
    """A form with its panel (eligibility, the recommendation) beside it. In a window too
    narrow for both, the panel moves under the form instead of being cut off at the right
    (WCAG 2.2 1.4.10, reflow: at 1000 px the eligibility panel's words were clipped)."""
    form.layout.flex = "0 0 auto"
    panel = w.VBox(
        [heading(title), content],
        layout=w.Layout(
            margin="0 0 0 2em",
            border="1px solid #ccc",
            padding="4px 8px",
            flex="1 1 18em",
            min_width="16em",
            max_width="34em",
        ),
    )
    return w.HBox([form, panel], layout=w.Layout(flex_flow="row wrap", align_items="flex-start"))


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
    "choices",
    "field_for",
    "inert",
    "message_html",
    "table_html",
]
