"""The forms of the types graded by a person against a rubric: essay and comparison."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wtforms import FieldList, FormField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from quiz.admin.question_forms.base import QuestionForm, number_value, shown_number, text_value
from quiz.admin.question_forms.rows import MAX_ROWS, RubricRow


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
    better = RadioField("The better response",
                        choices=[SelectChoice("a", "Response A"), SelectChoice("b", "Response B")],
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
