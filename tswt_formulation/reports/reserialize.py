"""nbconvert's last step, ``str(BeautifulSoup(html, "html.parser"))``, done as a stream.

``HTMLExporter.from_notebook_node`` parses the rendered page into a BeautifulSoup tree
to give alt text to images without it (and a tabindex to JupyterLab's cell wrappers,
which our template never writes), then prints the tree back. For the caseload review at
100,000 cases that tree is a 3.6 MB page of some 250,000 tags: seconds of building
objects only to print them again. The page our template renders is well formed (every
element closed in order), and for such a page Beautiful Soup's output is the same token
stream printed its way: tag and attribute names in lower case, attributes sorted, their
values quoted its way, void elements as ``<br/>``, text with ``&``, ``<`` and ``>``
escaped (not in ``style``/``script``), entities and character references resolved,
whitespace-only text outside ``pre``/``textarea`` cut to one space or newline, and the
doctype followed by a newline. :func:`reserialize` prints that with the same tokenizer
(``html.parser``, which Beautiful Soup uses) and Beautiful Soup's own escaping
functions, without the tree; anything it does not handle the same way for certain (an
element closed out of order or left open, an end tag for a void element, ``<p/>``, a
processing instruction or CDATA, a meta charset to rewrite, JupyterLab's classes)
returns ``None``, and the caller takes Beautiful Soup's way. Tests check both give the
same page for the reports.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

NO_ALT = "No description has been provided for this image"  # nbconvert's words


class _Unsure(Exception):
    """The page has something Beautiful Soup's tree might print differently."""


class _Printer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)  # as Beautiful Soup's parser
        from bs4.builder import HTMLTreeBuilder
        from bs4.builder._htmlparser import BeautifulSoupHTMLParser
        from bs4.dammit import EntitySubstitution

        self._void: set[str] = HTMLTreeBuilder.DEFAULT_EMPTY_ELEMENT_TAGS or set()
        self._lists = HTMLTreeBuilder.DEFAULT_CDATA_LIST_ATTRIBUTES
        self._keep_space = HTMLTreeBuilder.DEFAULT_PRESERVE_WHITESPACE_TAGS
        self._escape = EntitySubstitution.substitute_xml
        self._quote = EntitySubstitution.quoted_attribute_value
        self._entities = EntitySubstitution.HTML_ENTITY_TO_CHARACTER
        self._charref = BeautifulSoupHTMLParser._dereference_numeric_character_reference
        self.out: list[str] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.missing_alt = 0

    # -- text --------------------------------------------------------------------
    def _flush(self) -> None:
        if not self.text:
            return
        data = "".join(self.text)
        self.text = []
        if not data.strip(" \n\t\x0c\r") and not any(t in self._keep_space for t in self.stack):
            data = "\n" if "\n" in data else " "
        if self.stack and self.stack[-1] in ("style", "script"):
            self.out.append(data)
        else:
            self.out.append(self._escape(data))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        char = self._entities.get(name)
        self.text.append(char if char is not None else "&" + name)

    def handle_charref(self, name: str) -> None:
        char, _replaced, extra = self._charref(name)
        if char:
            self.text.append(char)
        if extra:
            self.text.append(extra)

    # -- markup ------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._flush()
        values: dict[str, str] = {}
        for key, value in attrs:
            values[key] = "" if value is None else value  # a repeated one: the last
        if tag == "img" and "alt" not in values:
            values["alt"] = NO_ALT
            self.missing_alt += 1
        if tag == "meta" and ("http-equiv" in values or values.get("charset", "utf-8") != "utf-8"):
            raise _Unsure("a meta charset Beautiful Soup rewrites")
        lists = self._lists.get("*", set()) | self._lists.get(tag, set())
        parts = [tag]
        for key in sorted(values):
            value = values[key]
            if key in lists:
                value = " ".join(value.split())  # split on ASCII whitespace, as it does
                if any(c in value for c in "\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u3000"):
                    raise _Unsure("a class with non-ASCII whitespace")
            parts.append(f"{key}={self._quote(self._escape(value))}")
        if tag in self._void:
            self.out.append("<" + " ".join(parts) + "/>")
        else:
            self.out.append("<" + " ".join(parts) + ">")
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self._void:
            raise _Unsure(f"<{tag}/>")
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self._flush()
        if not self.stack or self.stack[-1] != tag:
            raise _Unsure(f"</{tag}> out of order")
        self.stack.pop()
        self.out.append(f"</{tag}>")

    def handle_comment(self, data: str) -> None:
        self._flush()
        self.text.append(data)
        self._flush_raw("<!--", "-->")

    def handle_decl(self, decl: str) -> None:
        self._flush()
        if not decl.startswith("DOCTYPE "):
            raise _Unsure("a declaration other than a doctype")
        self.text.append(decl[len("DOCTYPE ") :])
        self._flush_raw("<!DOCTYPE ", ">\n")

    def _flush_raw(self, prefix: str, suffix: str) -> None:
        data = "".join(self.text)
        self.text = []
        if not data.strip(" \n\t\x0c\r") and not any(t in self._keep_space for t in self.stack):
            data = "\n" if "\n" in data else (" " if data else "")
        self.out.append(prefix + data + suffix)

    def unknown_decl(self, data: str) -> None:
        raise _Unsure("CDATA or an unknown declaration")

    def handle_pi(self, data: str) -> None:
        raise _Unsure("a processing instruction")


def reserialize(html: str) -> tuple[str, int] | None:
    """(the page as ``str(BeautifulSoup(html, "html.parser"))`` prints it after
    nbconvert gives images without alt text its own, how many those were), or ``None``
    when only Beautiful Soup can say for certain."""
    if "jp-Notebook" in html or "\x00" in html:
        return None
    printer = _Printer()
    try:
        printer.feed(html)
        printer.close()
        printer._flush()
    except _Unsure:
        return None
    except AssertionError:  # html.parser rejects the markup: Beautiful Soup says why
        return None
    if printer.stack:
        return None
    return "".join(printer.out), printer.missing_alt


def exporter_class() -> Any:
    """``HTMLExporter`` with its last step streamed (Beautiful Soup's way when unsure)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class StreamedHTMLExporter(HTMLExporter):
        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            # HTMLExporter.from_notebook_node (nbconvert 7) up to its BeautifulSoup.
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            streamed = reserialize(html)
            if streamed is None:
                from bs4 import BeautifulSoup

                soup = BeautifulSoup(html, features="html.parser")
                missing = 0
                for elem in soup.select("img:not([alt])"):
                    elem.attrs["alt"] = NO_ALT
                    missing += 1
                for elem in soup.select(".jp-Notebook div.jp-Cell-inputWrapper"):
                    elem.attrs["tabindex"] = "0"
                for elem in soup.select(".jp-Notebook div.jp-OutputArea-output"):
                    elem.attrs["tabindex"] = "0"
                streamed = str(soup), missing
            page, missing = streamed
            if missing:
                self.log.warning("Alternative text is missing on %s image(s).", missing)
            return page, resources

    return StreamedHTMLExporter
