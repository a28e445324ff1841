"""The forms of the types whose key is a choice: single choice, multiple choice, true or false."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wtforms import BooleanField, FieldList, FormField, RadioField, StringField
from wtforms.fields.choices import SelectChoice

from quiz.admin.question_forms.base import QuestionForm, number_value, text_value
from quiz.admin.question_forms.rows import MAX_ROWS, KeyedOptionRow, OptionRow, unused_letter
from quiz.question_types import Problem


class _ChoiceForm(QuestionForm):
    ROW_LISTS = {"options": ("text", "options")}
    shuffle = BooleanField("Shuffle the options for each candidate", default=True)

    def start(self) -> None:
        super().start()
        self.set_rows("options", [{"id": letter, "position": str(n)} for n, letter in enumerate("abcd", start=1)])

    def new_row(self, name: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        return {"id": unused_letter(rows), "position": str(len(rows) + 1)}

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
    correct = RadioField("The statement is", choices=[SelectChoice("true", "True"), SelectChoice("false", "False")],
                         validate_choice=False)

    def definition(self) -> dict[str, Any]:
        value = {"true": True, "false": False}.get(self.correct.data or "")
        return {**super().definition(), "correct": value}

    def fill_definition(self, definition: Mapping[str, Any]) -> None:
        super().fill_definition(definition)
        correct = definition.get("correct")
        self.correct.data = "" if correct is None else ("true" if correct else "false")
