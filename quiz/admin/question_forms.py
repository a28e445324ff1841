"""The admin's editing forms, one per question type: form fields <-> the raw definition a type parses.

The forms only carry values: every rule lives in the question type (`parse_definition`) and in
`quiz.admin.questions.save_question`, whose problems (with paths such as `options[2].text`) are put
back next to the field they concern by `QuestionForm.attach`. Numbers are passed on as numbers when
they read as one, and as the text typed otherwise, so the type reports "must be a number".

Lists of rows (choices, ordering items, rubric criteria) work without JavaScript: an "Add a row"
submit button re-renders the form with one more empty row, a "Remove" box per row drops it, and a
"Position" number per row reorders them; rows left without text are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from string import ascii_lowercase
from typing import Any, ClassVar

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import Field

from quiz.question_types import Problem, get_type
from quiz.question_types.base import format_number, format_path

_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
MAX_ROWS = 20


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


# --- rows ---------------------------------------------------------------------------------------


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
    difficulty = SelectField("Difficulty", choices=[("", "—")] + [(str(n), str(n)) for n in range(1, 6)],
                             validate_choice=False, description="1 (easy) to 5 (hard).")
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


def _letters(rows: Sequence[Mapping[str, Any]]) -> str:
    used = {(row.get("id") or "").strip() for row in rows}
    for candidate in [*ascii_lowercase, *(a + b for a in ascii_lowercase for b in ascii_lowercase)]:
        if candidate not in used:
            return candidate
    return ""


# --- one form per type --------------------------------------------------------------------------


class _ChoiceForm(QuestionForm):
    ROW_LISTS = {"options": ("text", "options")}
    shuffle = BooleanField("Shuffle the options for each candidate", default=True)

    def start(self) -> None:
        super().start()
        self.set_rows("options", [{"id": letter, "position": str(n)} for n, letter in enumerate("abcd", start=1)])

    def new_row(self, name: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        return {"id": _letters(rows), "position": str(len(rows) + 1)}

    def fill_definition(self, definition: Mapping[str, Any]) -> None:
        super().fill_definition(definition)
        self.shuffle.data = bool(definition.get("shuffle", True))


class SingleChoiceForm(_ChoiceForm):
    type_name = "single_choice"
    options = FieldList(FormField(OptionRow), max_entries=MAX_ROWS, label="Options")
    # The index of the right row, from a radio button per row (rendered by the template).
    correct_row = StringField("Correct option")
    PATHS = {("correct",): "correct_row"}

    def rows_moved(self, name: str, kept: list[int]) -> None:
        chosen = number_value(self.correct_row.data)
        self.correct_row.data = str(kept.index(chosen)) if isinstance(chosen, int) and chosen in kept else ""

    def definition(self) -> dict[str, Any]:
        options = self._row_definitions("options", "id", "text")
        chosen = number_value(self.correct_row.data)
        correct = options[chosen]["id"] if isinstance(chosen, int) and 0 <= chosen < len(options) else None
        return {**super().definition(),
                "options": [{"id": (o["id"] or "").strip(), "text": text_value(o["text"])} for o in options],
                "correct": (correct or "").strip() or None, "shuffle": bool(self.shuffle.data)}

    def fill_definition(self, definition: Mapping[str, Any]) -> None:
        super().fill_definition(definition)
        options = list(definition.get("options", []))
        self.set_rows("options", [{"id": o["id"], "text": o["text"], "position": str(n)}
                                  for n, o in enumerate(options, start=1)])
        ids = [o["id"] for o in options]
        correct = definition.get("correct")
        self.correct_row.data = str(ids.index(correct)) if correct in ids else ""


class MultipleChoiceForm(_ChoiceForm):
    type_name = "multiple_choice"
    options = FieldList(FormField(KeyedOptionRow), max_entries=MAX_ROWS, label="Options")
    PATHS = {("correct",): "options"}

    def definition(self) -> dict[str, Any]:
        rows = [entry.form.data for entry in self.options.entries]
        return {**super().definition(),
                "options": [{"id": (r["id"] or "").strip(), "text": text_value(r["text"])} for r in rows],
                "correct": [(r["id"] or "").strip() for r in rows if r["correct"]],
                "shuffle": bool(self.shuffle.data)}

    def fill_definition(self, definition: Mapping[str, Any]) -> None:
        super().fill_definition(definition)
        correct = set(definition.get("correct", []))
        self.set_rows("options", [{"id": o["id"], "text": o["text"], "position": str(n), "correct": o["id"] in correct}
                                  for n, o in enumerate(definition.get("options", []), start=1)])

    def _attach(self, problem: Problem) -> None:
        if problem.path == ("correct",) and "at least" in problem.message:
            problem = Problem(problem.path, "tick at least one correct option")
        elif problem.path[:1] == ("correct",):
            problem = Problem(("correct",), f"correct option: {problem.message}")
        super()._attach(problem)


class TrueFalseForm(QuestionForm):
    type_name = "true_false"
    correct = RadioField("The statement is", choices=[("true", "True"), ("false", "False")], validate_choice=False)

    def definition(self) -> dict[str, Any]:
        value = {"true": True, "false": False}.get(self.correct.data or "")
        return {**super().definition(), "correct": value}

    def fill_definition(self, definition: Mapping[str, Any]) -> None:
        super().fill_definition(definition)
        correct = definition.get("correct")
        self.correct.data = "" if correct is None else ("true" if correct else "false")


class NumericForm(QuestionForm):
    type_name = "numeric"
    correct = StringField("Correct value", description="Use a decimal point, e.g. 12.5 or 1e-6.",
                          render_kw={"inputmode": "decimal", "autocomplete": "off"})
    tolerance_kind = RadioField("Tolerance", default="absolute", validate_choice=False, choices=[
        ("absolute", "Absolute: right within ± the value"),
        ("relative", "Relative: right within the value × the correct value (0.01 = 1 %)")])
    tolerance_value = StringField("Tolerance value", description="Greater than 0.",
                                  render_kw={"inputmode": "decimal", "autocomplete": "off"})
    unit = StringField("Unit", description="Optional, e.g. cm or mol/L; shown next to the answer box.",
                       render_kw={"autocomplete": "off"})
    PATHS = {("tolerance",): "tolerance_value"}

    def definition(self) -> dict[str, Any]:
        definition = {**super().definition(), "correct": number_value(self.correct.data),
                      "unit": (self.unit.data or "").strip() or None}
        value = number_value(self.tolerance_value.data)
        if value is not None:
            kind = self.tolerance_kind.data if self.tolerance_kind.data in ("absolute", "relative") else "absolute"
            definition["tolerance"] = {kind: value}
        return definition

    def fill_definition(self, definition: Mapping[str, Any]) -> None:
        super().fill_definition(definition)
        self.correct.data = shown_number(definition.get("correct"))
        tolerance = definition.get("tolerance") or {}
        kind = "relative" if tolerance.get("relative") is not None else "absolute"
        self.tolerance_kind.data, self.tolerance_value.data = kind, shown_number(tolerance.get(kind))
        self.unit.data = definition.get("unit") or ""


class ShortTextForm(QuestionForm):
    type_name = "short_text"
    accepted = TextAreaField("Accepted answers", render_kw={"rows": 4},
                             description="One per line. Spaces are tidied and a final full stop ignored "
                                         "when answers are compared.")
    case_sensitive = BooleanField("Case sensitive")
    regex = StringField("Regular expression", render_kw={"autocomplete": "off"},
                        description="Optional: an answer matching it in full is right too.")
    max_length = StringField("Maximum length", render_kw={"inputmode": "numeric", "autocomplete": "off"},
                             description="Characters a candidate may type (200 if left empty).")

    def definition(self) -> dict[str, Any]:
        lines = [line.strip() for line in text_value(self.accepted.data).split("\n") if line.strip()]
        definition = {**super().definition(), "case_sensitive": bool(self.case_sensitive.data)}
        if lines:
            definition["accepted"] = lines
        if self.regex.data:
            definition["regex"] = self.regex.data
        max_length = number_value(self.max_length.data)
        if max_length is not None:
            definition["max_length"] = max_length
        return definition

    def fill_definition(self, definition: Mapping[str, Any]) -> None:
        super().fill_definition(definition)
        self.accepted.data = "\n".join(definition.get("accepted") or [])
        self.case_sensitive.data = bool(definition.get("case_sensitive"))
        self.regex.data = definition.get("regex") or ""
        self.max_length.data = shown_number(definition.get("max_length"))

    def _attach(self, problem: Problem) -> None:
        if problem.path[:1] == ("accepted",) and len(problem.path) == 2 and isinstance(problem.path[1], int):
            problem = Problem(("accepted",), f"answer {problem.path[1] + 1}: {problem.message}")
        super()._attach(problem)


class OrderingForm(QuestionForm):
    type_name = "ordering"
    ROW_LISTS = {"items": ("text", "items")}
    items = FieldList(FormField(OptionRow), max_entries=MAX_ROWS, label="Items, in the correct order")

    def start(self) -> None:
        super().start()
        self.set_rows("items", [{"id": str(n), "position": str(n)} for n in range(1, 5)])

    def new_row(self, name: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        used = {(row.get("id") or "").strip() for row in rows}
        ident = next(str(n) for n in range(1, MAX_ROWS + 2) if str(n) not in used)
        return {"id": ident, "position": str(len(rows) + 1)}

    def definition(self) -> dict[str, Any]:
        items = self._row_definitions("items", "id", "text")
        return {**super().definition(),
                "items": [{"id": (i["id"] or "").strip(), "text": text_value(i["text"])} for i in items]}

    def fill_definition(self, definition: Mapping[str, Any]) -> None:
        super().fill_definition(definition)
        self.set_rows("items", [{"id": i["id"], "text": i["text"], "position": str(n)}
                                for n, i in enumerate(definition.get("items", []), start=1)])


class _RubricForm(QuestionForm):
    ROW_LISTS = {"rubric": ("description", "criteria")}
    rubric = FieldList(FormField(RubricRow), max_entries=MAX_ROWS, label="Rubric")
    min_words = StringField("Minimum words", render_kw={"inputmode": "numeric", "autocomplete": "off"},
                            description="Optional; shown to the candidate, not enforced (the grader sees the count).")
    max_words = StringField("Maximum words", render_kw={"inputmode": "numeric", "autocomplete": "off"},
                            description="Optional; shown to the candidate, not enforced (the grader sees the count).")

    def start(self) -> None:
        super().start()
        self.set_rows("rubric", [{"position": "1"}, {"position": "2"}])

    def _blank(self, name: str, row: Mapping[str, Any]) -> bool:
        return not any(text_value(row.get(f)).strip() for f in ("id", "description", "points"))

    def definition(self) -> dict[str, Any]:
        definition = {**super().definition(),
                      "rubric": [{"id": (r["id"] or "").strip(), "description": text_value(r["description"]),
                                  "points": number_value(r["points"])}
                                 for r in self._row_definitions("rubric", "id", "description", "points")]}
        for name in ("min_words", "max_words"):
            value = number_value(getattr(self, name).data)
            if value is not None:
                definition[name] = value
        return definition

    def fill_definition(self, definition: Mapping[str, Any]) -> None:
        super().fill_definition(definition)
        self.set_rows("rubric", [{"id": r["id"], "description": r["description"], "points": shown_number(r["points"]),
                                  "position": str(n)} for n, r in enumerate(definition.get("rubric", []), start=1)])
        self.min_words.data = shown_number(definition.get("min_words") or None)
        self.max_words.data = shown_number(definition.get("max_words"))


class EssayForm(_RubricForm):
    type_name = "essay"


class ComparisonForm(_RubricForm):
    type_name = "comparison"
    user_prompt = TextAreaField("The user's prompt", render_kw={"rows": 4}, description="Markdown.")
    response_a = TextAreaField("Response A", render_kw={"rows": 6}, description="Markdown.")
    response_b = TextAreaField("Response B", render_kw={"rows": 6}, description="Markdown.")
    better = RadioField("The better response", choices=[("a", "Response A"), ("b", "Response B")],
                        validate_choice=False)
    scale_min = StringField("Rating scale from", render_kw={"inputmode": "numeric", "autocomplete": "off"},
                            description="1 if left empty.")
    scale_max = StringField("Rating scale to", render_kw={"inputmode": "numeric", "autocomplete": "off"},
                            description="7 if left empty.")
    rating_a = StringField("Key rating of A", render_kw={"inputmode": "numeric", "autocomplete": "off"})
    rating_b = StringField("Key rating of B", render_kw={"inputmode": "numeric", "autocomplete": "off"})
    rating_tolerance = StringField("Rating tolerance", render_kw={"inputmode": "decimal", "autocomplete": "off"},
                                   description="A rating this close to the key earns its points (1 if left empty).")
    choice_points = StringField("Points for choosing the better response",
                                render_kw={"inputmode": "decimal", "autocomplete": "off"},
                                description="In the item's own units, beside the rubric (1 if left empty).")
    rating_points = StringField("Points for the two ratings", render_kw={"inputmode": "decimal", "autocomplete": "off"},
                                description="Half for each rating within the tolerance (1 if left empty).")
    PATHS = {("scale",): "scale_max", ("scale", "min"): "scale_min", ("scale", "max"): "scale_max",
             ("ratings",): "rating_b", ("ratings", "a"): "rating_a", ("ratings", "b"): "rating_b"}

    def start(self) -> None:
        super().start()
        self.set_rows("rubric", [{"position": "1"}])

    def definition(self) -> dict[str, Any]:
        definition = super().definition()
        definition.update(user_prompt=text_value(self.user_prompt.data), response_a=text_value(self.response_a.data),
                          response_b=text_value(self.response_b.data), better=self.better.data or None,
                          ratings={"a": number_value(self.rating_a.data), "b": number_value(self.rating_b.data)})
        low, high = number_value(self.scale_min.data), number_value(self.scale_max.data)
        if low is not None or high is not None:
            definition["scale"] = {"min": 1 if low is None else low, "max": 7 if high is None else high}
        for name in ("rating_tolerance", "choice_points", "rating_points"):
            value = number_value(getattr(self, name).data)
            if value is not None:
                definition[name] = value
        return definition

    def fill_definition(self, definition: Mapping[str, Any]) -> None:
        super().fill_definition(definition)
        for name in ("user_prompt", "response_a", "response_b"):
            getattr(self, name).data = definition.get(name, "")
        self.better.data = definition.get("better") or ""
        scale = definition.get("scale") or {}
        self.scale_min.data, self.scale_max.data = shown_number(scale.get("min")), shown_number(scale.get("max"))
        ratings = definition.get("ratings") or {}
        self.rating_a.data, self.rating_b.data = shown_number(ratings.get("a")), shown_number(ratings.get("b"))
        for name in ("rating_tolerance", "choice_points", "rating_points"):
            getattr(self, name).data = shown_number(definition.get(name))


FORMS: dict[str, type[QuestionForm]] = {form.type_name: form for form in (
    SingleChoiceForm, MultipleChoiceForm, TrueFalseForm, NumericForm, ShortTextForm, OrderingForm, EssayForm,
    ComparisonForm)}


def form_for(type_name: str, **kwargs: Any) -> QuestionForm:
    return FORMS[type_name](**kwargs)


# --- small forms --------------------------------------------------------------------------------


class ConfirmForm(FlaskForm):
    """Retire / restore: the confirmation page posts this (CSRF only)."""


class NewQuestionForm(Form):
    """Step one of a new question (a GET form): its track and type."""

    track = SelectField("Track", validate_choice=False)
    type = SelectField("Question type", validate_choice=False)


class SearchForm(Form):
    """The question list's filters (a GET form: nothing is written, so no CSRF token)."""

    track = SelectField("Track", validate_choice=False)
    topic = SelectField("Topic", validate_choice=False)
    type = SelectField("Type", validate_choice=False)
    difficulty = SelectField("Difficulty", validate_choice=False)
    status = SelectField("Status", validate_choice=False)
    text = StringField("Text", description="In the key, prompt, options and every other text of the question.")
