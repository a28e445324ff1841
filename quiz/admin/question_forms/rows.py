"""The rows of a question form's lists (choices, ordering items, rubric criteria).

A form names its lists in `QuestionForm.ROW_LISTS`; `QuestionForm.compact` and `add_row` apply the
rows' Position and Remove fields and add empty rows (see the package's docstring).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from string import ascii_lowercase
from typing import Any

from wtforms import BooleanField, Form, StringField, TextAreaField

MAX_ROWS = 20


class OptionRow(Form):
    """A choice or an ordering item."""

    id = StringField("Id", render_kw={"size": 6, "autocomplete": "off"})
    text = TextAreaField("Text", render_kw={"rows": 2})
    position = StringField("Position", render_kw={"size": 3, "inputmode": "numeric", "autocomplete": "off"})
    remove = BooleanField("Remove")


class KeyedOptionRow(OptionRow):
    correct = BooleanField("Correct")


class RubricRow(Form):
    id = StringField("Id", render_kw={"size": 10, "autocomplete": "off"})
    description = TextAreaField("Description", render_kw={"rows": 2})
    points = StringField("Points", render_kw={"size": 5, "inputmode": "decimal", "autocomplete": "off"})
    position = StringField("Position", render_kw={"size": 3, "inputmode": "numeric", "autocomplete": "off"})
    remove = BooleanField("Remove")


def unused_letter(rows: Sequence[Mapping[str, Any]]) -> str:
    """The first id of a..z, aa..zz that no row has yet ("" when all are taken)."""
    used = {(row.get("id") or "").strip() for row in rows}
    for candidate in [*ascii_lowercase, *(a + b for a in ascii_lowercase for b in ascii_lowercase)]:
        if candidate not in used:
            return candidate
    return ""
