"""What the workbench page needs for WCAG 2.2 AA that ipywidgets' own markup lacks
(issue 26; docs/accessibility.md), added to the page as the server sends it:

- a title that says what the page is ("TSWT workbench", not the notebook's file name);
- theme CSS: text at 4.5:1 or more (the tab labels, the warning and success buttons), a
  focus outline that is always visible and 9.8:1 against the white page (2.4.7, 1.4.11),
  on a date too (its focus is on a part of it, day, month, year or the calendar button,
  which the browser does not count as focus-visible, or even focus, on the input);
- a small script that keeps, as widgets are drawn and redrawn:
  * the app inside a ``main`` landmark;
  * each group of radio buttons (the SDQ items) a named ``radiogroup``, and each button
    named with its item ("SDQ item 3, parent report: 1 somewhat true"), the name taken
    from the widget's tooltip (set in Python) or else its label, and its buttons sharing
    one ``name`` (one Tab stop; the arrow keys choose, as in any radio group);
  * each field's error message tied to its input (``aria-describedby``,
    ``aria-invalid``): the Python side marks a field's box ``tswt-field``;
  * the caseload a ``table`` (WCAG 1.3.1): the Python side marks its box ``tswt-table``,
    its rows ``tswt-row``, headings ``tswt-colhead`` and cells ``tswt-cell``; a sortable
    heading (a button inside it) marked ``tswt-sort-ascending``/``-descending``/``-none``
    gets that ``aria-sort``;
  * each group of checkboxes (a choice of several) a ``group`` named by its legend: the
    Python side marks its box ``tswt-checks`` and the legend ``tswt-checks-legend``;
  * the save messages in live regions that exist before the message arrives (a region
    made with its message is not announced by every screen reader): the Python side
    marks them ``tswt-live`` (:func:`live`).

Light: no import beyond the standard library (the server imports it; so does the kernel).
"""

from __future__ import annotations

import re
from typing import Any

TITLE = "TSWT workbench"
LIVE_CLASS = "tswt-live"
FIELD_CLASS = "tswt-field"
CHECKS_CLASS = "tswt-checks"
CHECKS_LEGEND = "tswt-checks-legend"

# Colours checked with WCAG's contrast formula (tests/workbench/test_accessibility.py works them
# out again): white on #a84b00 5.7:1; white on #2e7d32 5.1:1; #1f1f1f on the tab bar's
# #eeeeee 14.2:1; the focus outline #1a3f8f on white 9.8:1, on #eeeeee 8.4:1.
CSS = """
.lm-TabBar-tab, .lm-TabBar-tab .lm-TabBar-tabLabel { color: #1f1f1f !important; }
.jupyter-button.mod-warning { background-color: #a84b00 !important; color: #ffffff !important; }
.jupyter-button.mod-success { background-color: #2e7d32 !important; color: #ffffff !important; }
#rendered_cells :focus-visible, .lm-TabBar-tab:focus-visible,
#rendered_cells input[type="date"]:focus,
#rendered_cells .widget-datepicker:focus-within input[type="date"] {
  outline: 3px solid #1a3f8f !important; outline-offset: 2px !important;
}
/* 2.5.8 target size: radio buttons one above another 24px apart at least */
#rendered_cells .widget-radio-box label { min-height: 24px; line-height: 24px; }
.tswt-field [aria-invalid="true"] { border: 2px solid #a4000f !important; }
/* the sorted column's heading shows its way (the arrow is not part of its name) */
.tswt-sort-ascending .jupyter-button::after { content: " \\25B2" / ""; }
.tswt-sort-descending .jupyter-button::after { content: " \\25BC" / ""; }
.tswt-colhead .jupyter-button { font-weight: bold; white-space: normal; height: auto;
  min-height: 28px; max-width: 100%; text-align: left; line-height: 1.3; padding: 4px 8px; }
.tswt-checks-legend { display: block; text-align: right; line-height: 28px; }
.tswt-sr-only { position: absolute !important; width: 1px; height: 1px; margin: -1px;
  padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
"""

SCRIPT = """
(function () {
  'use strict';
  var made = 0;
  function idOf(el, prefix) { if (!el.id) { made += 1; el.id = prefix + '-' + made; } return el.id; }
  function set(el, name, value) { if (el.getAttribute(name) !== value) el.setAttribute(name, value); }
  function unset(el, name) { if (el.hasAttribute(name)) el.removeAttribute(name); }
  function fix() {
    var main = document.getElementById('rendered_cells');
    if (main) { set(main, 'role', 'main'); set(main, 'aria-label', 'TSWT workbench'); }
    document.querySelectorAll('label.widget-label[title="null"], label.widget-label[title=""]')
      .forEach(function (l) { unset(l, 'title'); });
    document.querySelectorAll('.widget-radio').forEach(function (w) {
      var label = w.querySelector(':scope > .widget-label');
      var box = w.querySelector(':scope > .widget-radio-box');
      if (!box) return;
      var name = (w.getAttribute('title') || (label && label.getAttribute('title')) ||
                  (label && label.textContent) || '').trim();
      set(box, 'role', 'radiogroup');
      if (name) set(box, 'aria-label', name);
      var group = idOf(box, 'tswt-group');
      box.querySelectorAll('label').forEach(function (option) {
        var input = option.querySelector('input');
        if (!input) return;
        // one name for the group: one Tab stop, the arrow keys move between the options
        set(input, 'name', group);
        if (name) set(input, 'aria-label', name + ': ' + option.textContent.trim());
      });
    });
    var roles = [['.tswt-table', 'table'], ['.tswt-row', 'row'],
                 ['.tswt-colhead', 'columnheader'], ['.tswt-cell', 'cell']];
    roles.forEach(function (pair) {
      document.querySelectorAll(pair[0]).forEach(function (el) { set(el, 'role', pair[1]); });
    });
    document.querySelectorAll('.tswt-table').forEach(function (t) { set(t, 'aria-label', 'Caseload'); });
    document.querySelectorAll('.tswt-colhead').forEach(function (h) {
      var way = ['ascending', 'descending', 'none'].filter(function (w) {
        return h.classList.contains('tswt-sort-' + w);
      })[0];
      if (way) set(h, 'aria-sort', way); else unset(h, 'aria-sort');
    });
    document.querySelectorAll('.tswt-checks').forEach(function (box) {
      set(box, 'role', 'group');
      var legend = box.querySelector('.tswt-checks-legend');
      if (legend) set(box, 'aria-labelledby', idOf(legend, 'tswt-legend'));
    });
    document.querySelectorAll('.tswt-live').forEach(function (region) {
      var inner = region.querySelector(':scope > .widget-html-content') || region;
      set(inner, 'aria-live', 'polite');
      set(inner, 'aria-atomic', 'true');
    });
    document.querySelectorAll('.tswt-field').forEach(function (box) {
      var error = box.querySelector('.tswt-error');
      box.querySelectorAll('input, select, textarea').forEach(function (control) {
        if (error && error.textContent.trim()) {
          set(control, 'aria-describedby', idOf(error, 'tswt-error'));
          set(control, 'aria-invalid', 'true');
        } else {
          unset(control, 'aria-describedby');
          unset(control, 'aria-invalid');
        }
      });
    });
  }
  var queued = false;
  function later() {
    if (queued) return;
    queued = true;
    window.requestAnimationFrame(function () { queued = false; fix(); });
  }
  window.tswtA11yFix = fix;  // for bench/bench_a11y.py to time one pass
  function start() {
    fix();
    new MutationObserver(later).observe(document.body, {
      childList: true, subtree: true, characterData: true,
      attributes: true, attributeFilter: ['title', 'class']
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
"""

_TITLE = re.compile(rb"<title>[^<]*</title>", re.IGNORECASE)
_HEAD_END = re.compile(rb"</head>", re.IGNORECASE)


def accessible_page(chunk: bytes) -> bytes:
    """A chunk of the workbench page with the title, the CSS and the script added (they
    go where ``<title>`` and ``</head>`` are; other chunks pass unchanged)."""
    if b"<title" in chunk:
        chunk = _TITLE.sub(b"<title>" + TITLE.encode() + b"</title>", chunk, count=1)
    if b"</head>" in chunk.lower():
        extra = (
            "<style id='tswt-a11y-css'>" + CSS + "</style>"
            "<script id='tswt-a11y-js'>" + SCRIPT + "</script>"
        ).encode()
        chunk = _HEAD_END.sub(lambda m: extra + m.group(0), chunk, count=1)
    return chunk


def live(widget: Any) -> Any:
    """Mark an HTML widget whose messages are to be announced (a live region from the
    start, so the first message is read out too). Returns the widget."""
    widget.add_class(LIVE_CLASS)
    return widget
