"""The hostile strings, and what a page that shows them must (and must not) contain.

Every value a test types is `<marker> <hostile string>`: the marker (letters and digits, e.g.
`hx7name`) says which string and which field it came from, so a page can be searched for it, and
"the marker followed by 49" means `{{7*7}}` was evaluated somewhere.
"""

from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser

from tests.security.inline_code import inline_code

HOSTILE: list[str] = [
    '<script>alert("hx")</script>',
    '<img src=x onerror=alert(1) data-hostile>',
    '"><svg onload=alert(1) data-hostile>',
    "'><hostile-el data-hostile onmouseover=alert(1)>x</hostile-el>",
    '" autofocus onfocus="alert(1)" data-hostile="',
    "javascript:alert(1)",
    "[click me](javascript:alert(1)) [again](JaVaScRiPt:alert(1)) [once more](&#106;avascript:alert(1))",
    "![picture](javascript:alert(1)) ![tracker](https://evil.example/p.png)",
    '<a href="javascript:alert(1)" data-hostile>link</a> <div onclick="alert(1)">raw html</div>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) <https://evil.example/autolink>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe srcdoc="<script>alert(1)</script>" data-hostile></iframe><object data="x" data-hostile></object>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1) data-hostile>",
    "</textarea><script>alert(1)</script><textarea>",
    "</title><hostile-el data-hostile>x</hostile-el><!--",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "{{7*7}}",
    "{% for x in range(3) %}loop{% endfor %}",
    "${7*7} #{7*7} <%= 7*7 %>",
    "'; DROP TABLE users; --",
    '" OR "1"="1',
    "Robert'); DELETE FROM attempts WHERE ('1'='1",
    "\u202eevil\u202c rtl\u200f \u200b\u200c\u200d\ufeff zero-width \u2066isolate\u2069",
    "Z\u0337\u0322\u0353a\u0336\u0317l\u0335\u0316g\u0337\u0325o\u0335 \u0e01\u0e34\u0e4a combining",
    "\u2028line\u2029separator \U0001F600 \U0001F469\u200d\U0001F4BB emoji",
    "A" * 3000 + "<script>alert(1)</script>",
]

#: what a template engine would make of the template strings above
EVALUATED = ("49", "looplooploop")
#: elements that no page of the app has: finding one means markup got through
FOREIGN_TAGS = {"script", "svg", "math", "iframe", "object", "embed", "img", "style", "hostile-el", "mglyph", "base"}


def hostile_value(index: int, place: str) -> str:
    return f"{marker(index, place)} {HOSTILE[index]}"


def marker(index: int, place: str) -> str:
    return f"hx{index}{re.sub(r'[^a-z0-9]', '', place.lower())}"


class _ForeignElements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _value in attrs}
        if "data-hostile" in names:
            self.found.append(f"<{tag} data-hostile>")
        elif tag in FOREIGN_TAGS and not (tag == "script" and "src" in names):
            self.found.append(f"<{tag}>")


def page_problems(page: str) -> list[str]:
    """Why this page shows a hostile string unsafely (empty when it does not)."""
    parser = _ForeignElements()
    parser.feed(page)
    parser.close()
    problems = parser.found + inline_code(page)
    text = html_lib.unescape(page)
    for found in re.finditer(r"hx\d+[a-z0-9]+ (\S{0,12})", text):
        if found.group(1).startswith(EVALUATED):
            problems.append(f"template syntax evaluated: {found.group(0)!r}")
    return problems


def markers_shown(page: str) -> set[str]:
    return set(re.findall(r"hx\d+[a-z0-9]+", html_lib.unescape(page)))
