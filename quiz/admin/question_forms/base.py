"""The form every question type's form extends: the common fields, the lists of rows, and
problems put back next to the field they concern."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from flask_wtf import FlaskForm
from wtforms import FieldList, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import Field

from quiz.admin.question_forms.rows import MAX_ROWS
from quiz.question_types import Problem, get_type
from quiz.question_types.base import format_number, format_path

_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def text_value(value: str | None) -> str:
    """Text as the browser sent it, with the line breaks a bank file has (textareas send CRLF)."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


def number_value(value: str | None) -> int | float | str | None:
    """"" -> None (left out), "3" -> 3, "2.5" -> 2.5, anything else is passed on for the type to refuse."""
    text = (value or "").strip()
    if not text:
        return None
    if _INTEGER.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        return float(text)
    return text


def shown_number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return format_number(value)


def _capitalised(message: str) -> str:
    return message[:1].upper() + message[1:]


# --- the common form ----------------------------------------------------------------------------


class QuestionForm(FlaskForm):
    """Fields every type shares. Subclasses add theirs and translate to and from a definition."""

    type_name: ClassVar[str]
    #: FieldLists of rows: name -> (the row field that must not be blank, what the rows are called)
    ROW_LISTS: ClassVar[dict[str, tuple[str, str]]] = {}
    #: problem path prefixes -> the field showing them (the longest prefix wins)
    PATHS: ClassVar[dict[tuple[str | int, ...], str]] = {}

    #: the version an edit started from, so a save can tell that someone else saved meanwhile
    based_on = HiddenField()
    key = StringField("Key", description="Unique in the whole bank: letters, digits, '.', '-' and '_', "
                                         "e.g. bio-mol-041. It cannot change later.",
                      render_kw={"autocomplete": "off"})
    topic = StringField("Topic", description="One of the topics the track's blueprints draw from.",
                        render_kw={"autocomplete": "off", "list": "topics"})
    difficulty = SelectField("Difficulty", validate_choice=False, description="1 (easy) to 5 (hard).",
                             choices=[SelectChoice("", "—")] + [SelectChoice(str(n)) for n in range(1, 6)])
    points = StringField("Points", description="Greater than 0, at most 100, at most 2 decimals.",
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})
    prompt = TextAreaField("Prompt", description="Markdown, shown to the candidate.", render_kw={"rows": 6})
    explanation = TextAreaField("Explanation", description="Markdown: why the key is right. Shown to admins, "
                                                           "and to candidates only where a review policy allows.",
                                render_kw={"rows": 4})

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.general_errors: list[str] = []
        self.list_errors: dict[str, list[str]] = {name: [] for name in self.ROW_LISTS}

    # --- definition <-> fields (per type) ---

    def definition(self) -> dict[str, Any]:
        return {"prompt": text_value(self.prompt.data), "explanation": text_value(self.explanation.data)}

    def fill_definition(self, definition: Mapping[str, Any]) -> None:
        self.prompt.data = definition.get("prompt", "")
        self.explanation.data = definition.get("explanation", "")

    def fill(self, key: str, topic: str, difficulty: int, points: Any, definition: Mapping[str, Any]) -> None:
        self.key.data, self.topic.data, self.difficulty.data = key, topic, str(difficulty)
        self.points.data = shown_number(int(points) if points == int(points) else float(points))
        self.fill_definition(definition)

    def start(self) -> None:
        """A new question's form: worth 1 point, with a few empty rows to fill in."""
        self.points.data = "1"

    @property
    def label(self) -> str:
        return get_type(self.type_name).label

    # --- rows ---

    def set_rows(self, name: str, rows: Sequence[Mapping[str, Any]]) -> None:
        field: FieldList = getattr(self, name)
        field.process(None, [dict(row) for row in rows])

    def _blank(self, name: str, row: Mapping[str, Any]) -> bool:
        required = self.ROW_LISTS[name][0]
        return not text_value(row.get(required)).strip()

    def compact(self) -> None:
        """Apply the rows' Position numbers, drop removed and blank rows, renumber. Done on every post,
        so the rows of a re-rendered form are exactly the rows of the definition (errors line up)."""
        for name in self.ROW_LISTS:
            entries = [entry.form.data for entry in getattr(self, name).entries]
            # A row given a new position goes before the row that already had it (moving row 4 to
            # position 1 puts it first).
            order = sorted(range(len(entries)), key=lambda i: (self._position(entries[i], i),
                                                               self._position(entries[i], i) == i + 1, i))
            kept = [i for i in order if not entries[i].get("remove") and not self._blank(name, entries[i])]
            self.rows_moved(name, kept)
            rows = []
            for new_position, i in enumerate(kept, start=1):
                rows.append({**entries[i], "position": str(new_position), "remove": False})
            self.set_rows(name, rows)

    @staticmethod
    def _position(row: Mapping[str, Any], index: int) -> float:
        value = number_value(row.get("position"))
        return float(value) if isinstance(value, (int, float)) else index + 1

    def rows_moved(self, name: str, kept: list[int]) -> None:
        """Hook: `kept` lists the old index of each row, in its new order."""

    def add_row(self, name: str) -> bool:
        if name not in self.ROW_LISTS:
            return False
        field: FieldList = getattr(self, name)
        if len(field.entries) >= MAX_ROWS:
            return False
        rows = [entry.form.data for entry in field.entries]
        rows.append(self.new_row(name, rows))
        self.set_rows(name, rows)
        return True

    def new_row(self, name: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        return {"position": str(len(rows) + 1)}

    def _row_definitions(self, name: str, *fields: str) -> list[dict[str, Any]]:
        return [{f: row[f] for f in fields} for row in (entry.form.data for entry in getattr(self, name).entries)]

    # --- errors ---

    def attach(self, problems: Sequence[Problem]) -> None:
        """Show each problem next to the field its path points at."""
        for problem in problems:
            self._attach(problem)

    def _attach(self, problem: Problem) -> None:
        path, message = problem.path, _capitalised(problem.message)
        if path and path[0] in self.ROW_LISTS:
            name = str(path[0])
            entries = getattr(self, name).entries
            if len(path) >= 2 and isinstance(path[1], int) and path[1] < len(entries):
                row = entries[path[1]].form
                target = getattr(row, str(path[2]), None) if len(path) >= 3 else None
                if not isinstance(target, Field):
                    target = getattr(row, self.ROW_LISTS[name][0])
                _add_error(target, message)
            else:
                self.list_errors[name].append(self._count_message(name, problem.message))
            return
        for length in range(len(path), 0, -1):
            target_name = self.PATHS.get(path[:length])
            if target_name is not None:
                break
        else:
            target_name = str(path[0]) if path else None
        target = getattr(self, target_name, None) if target_name else None
        if target_name in self.list_errors:
            self.list_errors[target_name].append(message)
        elif isinstance(target, Field) and target_name not in ("csrf_token",):
            _add_error(target, message)
        else:
            self.general_errors.append(f"{format_path(path)}: {problem.message}")


    def _count_message(self, name: str, message: str) -> str:
        """"must have at least 2 entries" -> "Give at least 2 options"."""
        found = re.fullmatch(r"must have (at (?:least|most) \d+) entries", message)
        if found is None:
            return _capitalised(message)
        return f"Give {found.group(1)} {self.ROW_LISTS[name][1]}"


def _add_error(field: Field, message: str) -> None:
    field.errors = [*field.errors, message]
