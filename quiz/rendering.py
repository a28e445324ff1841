"""Markdown in question content: rendered with markdown-it-py, then sanitised with nh3.

Bank authors are admins, but content is rendered into pages candidates use: nothing but
plain formatting survives (no scripts, styles, event handlers or iframes).
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

_ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "sub", "sup", "del",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "code": {"class"}, "th": {"align"}, "td": {"align"}}


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> Markup:
    html = _markdown.render(text or "")
    clean = nh3.clean(html, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
    return Markup(clean)


_SPOKEN_INLINE = ("text", "code_inline", "softbreak", "hardbreak")


@lru_cache(maxsize=4096)
def spoken_text(text: str) -> str:
    """Markdown as one line of plain text that keeps what the formatting says: a screen reader
    hears "Bulleted list: apples; pears" and "Numbered list: 1. apples; 2. pears" for two options
    whose words are the same (their rendered text alone would give both the name "apples pears")."""
    parts: list[str] = []
    lists: list[list[int | None]] = []  # per open list: [next number] or [None] when bulleted
    for token in _markdown.parse(text or ""):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            ordered = token.type == "ordered_list_open"
            lists.append([int(token.attrGet("start") or 1) if ordered else None])
            parts.append(("Numbered list: " if ordered else "Bulleted list: "))
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            parts.append(". ")
        elif token.type == "list_item_open" and lists:
            number = lists[-1][0]
            if number is not None:
                parts.append(f"{number}. ")
                lists[-1][0] = number + 1
        elif token.type == "list_item_close":
            parts.append("; ")
        elif token.type == "inline":
            parts.append("".join(" " if child.type in ("softbreak", "hardbreak") else child.content
                                 for child in token.children or () if child.type in _SPOKEN_INLINE))
        elif token.type in ("paragraph_close", "heading_close") and not lists:
            parts.append(" ")
        elif token.type in ("fence", "code_block"):
            parts.append("Code: " + token.content.strip() + " ")
    spoken = "".join(parts)
    spoken = re.sub(r"\s*;\s*\.\s*", ". ", spoken)  # the last item of a list ends it
    spoken = re.sub(r"\s+", " ", spoken).strip()
    return spoken.rstrip(".;").strip()


def topic_name(key: str) -> str:
    """A topic key as people read it: "fact_checking" -> "Fact checking", "code-review" -> "Code review"."""
    words = re.sub(r"[_\-]+", " ", key or "").strip()
    return words[:1].upper() + words[1:]
