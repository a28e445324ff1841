"""The forms of the types whose key is a value or an order: numeric, short text, ordering."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wtforms import BooleanField, FieldList, FormField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from quiz.admin.question_forms.base import QuestionForm, number_value, shown_number, text_value
from quiz.admin.question_forms.rows import MAX_ROWS, OptionRow
from quiz.question_types import Problem


class NumericForm(QuestionForm):
    type_name = "numeric"
    correct = StringField("Correct value", description="Use a decimal point, e.g. 12.5 or 1e-6.",
                          render_kw={"inputmode": "decimal", "autocomplete": "off"})
    tolerance_kind = RadioField("Tolerance", default="absolute", validate_choice=False, choices=[
        SelectChoice("absolute", "Absolute: right within ± the value"),
        SelectChoice("relative", "Relative: right within the value × the correct value (0.01 = 1 %)")])
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
                        description="Optional, in RE2 syntax (no backreferences or lookarounds): an answer "
                                    "matching it in full is right too.")
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
