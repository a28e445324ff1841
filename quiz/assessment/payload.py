"""The JSON bodies of the attempt page's requests, read within bounds.

Python's json module parses by recursion: a body of a few thousand `[` ends in a RecursionError,
which no `silent=True` catches. So the body's size and nesting are checked before it is parsed,
with a scan that costs one pass over the brackets outside strings.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: An essay of 50,000 characters, each escaped as \\uXXXX, still fits.
MAX_JSON_BYTES = 512 * 1024
#: {"fields": {"choice": ["1"]}, "seq": 1} is 3 deep; nothing the page sends is deeper.
MAX_JSON_DEPTH = 8

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


class PayloadRefused(ValueError):
    """The body is not a JSON object the endpoint can read; `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def nesting_depth(body: bytes) -> int:
    """How deeply lists and objects nest in `body` (brackets inside strings do not count)."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub(b'""', body)):
        depth += 1 if bracket.group() in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


def json_body(body: bytes, expected: str) -> Any:
    """The parsed body, or PayloadRefused saying what is wrong; `expected` says what the endpoint wants."""
    if len(body) > MAX_JSON_BYTES:
        raise PayloadRefused(f"The request body is {len(body):,} bytes; at most {MAX_JSON_BYTES:,} are accepted.", 413)
    if nesting_depth(body) > MAX_JSON_DEPTH:
        raise PayloadRefused(f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep. {expected}")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise PayloadRefused(f"The body is not JSON. {expected}") from None
