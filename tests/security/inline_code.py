"""Finding inline script, event handlers, javascript: URLs and inline styles in HTML (templates or pages).

The Content-Security-Policy allows none of them (quiz/web_security.py), so any one found here
would either break under the policy or mean injected markup got through.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _InlineCodeFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower(): value for name, value in attrs}
        if tag == "script":
            if "src" not in names:
                self.found.append(f"inline <script> at line {self.getpos()[0]}")
            self._in_script = "src" in names  # a body beside a src is inline code too
        if tag == "style":
            self.found.append(f"<style> element at line {self.getpos()[0]}")
        for name, value in names.items():
            if name.startswith("on"):
                self.found.append(f"event handler {name}= on <{tag}> at line {self.getpos()[0]}")
            if name == "style":
                self.found.append(f"style= attribute on <{tag}> at line {self.getpos()[0]}")
            if value and re.match(r"\s*(javascript|vbscript|data):", value, re.I) and name in (
                    "href", "src", "action", "formaction", "xlink:href", "srcdoc"):
                self.found.append(f"{name}={value[:30]!r} on <{tag}> at line {self.getpos()[0]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"script body beside src at line {self.getpos()[0]}")


def inline_code(html: str) -> list[str]:
    """What in this HTML the policy would refuse to run or apply: empty when there is nothing."""
    finder = _InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.found
