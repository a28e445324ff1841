"""Read a form off a page the way a browser would submit it, so a test can change a few fields."""

from __future__ import annotations

import html as html_lib
from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action, self.fields = action, {}  # type: ignore[var-annotated]
        self.found = self._inside = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            # a form without an action posts to the page's own address
            self._inside = html_lib.unescape(a.get("action", self.action)) == self.action and not self.found
            self.found = self.found or self._inside
        if not self._inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields[name] = a.get("value", "on")
            else:
                self.fields[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea, self.fields[name] = name, ""
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = (self._select, a.get("value", ""))
            if "selected" in a:
                self.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            if self._select not in self.fields and self._first_option:
                self.fields[self._select] = self._first_option[1]
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data.removeprefix("\n") if not self.fields[self._textarea] else data


def form_fields(page: str, action: str) -> dict[str, str]:
    """The fields the first form posting to `action` (the page's own URL when the form names none)
    would send as it stands (no button pressed)."""
    reader = _FormReader(action)
    reader.feed(page)
    assert reader.found, f"no form posting to {action}"
    return reader.fields
