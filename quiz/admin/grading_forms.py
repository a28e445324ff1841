"""Forms of grading and decisions. The rubric form is built per question: one points field per criterion."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, Field, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation
from wtforms.widgets import NumberInput

from quiz.question_types import RubricCriterion
from quiz.question_types.base import format_number

COMMENT_MAX = 5000
REASON_MAX = 2000


class _Points:
    """0..max in steps of half a point (the maximum itself is always allowed)."""

    def __init__(self, maximum: float):
        self.maximum = Decimal(str(maximum))

    def __call__(self, form: FlaskForm, field: Field) -> None:
        value = field.data
        top = format_number(float(self.maximum))
        if not isinstance(value, Decimal) or not value.is_finite():
            raise StopValidation(f"Enter a number of points from 0 to {top}.")
        if not Decimal(0) <= value <= self.maximum:
            raise StopValidation(f"Points must be between 0 and {top}.")
        if value != self.maximum and (value * 2) % 1 != 0:
            raise StopValidation("Use whole or half points (e.g. 1 or 1.5).")


class _PointsField(DecimalField):
    """Text that is not a number leaves `data` None; `_Points` then gives the one message
    (Decimal also reads "NaN" and "Infinity": `_Points` refuses those too)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            try:
                self.data = Decimal(str(valuelist[0]).strip())
            except (InvalidOperation, ValueError):
                self.data = None


class GradeForm(FlaskForm):
    """Use `grade_form(rubric)`: it adds `criterion_<n>` fields in the rubric's order."""

    comment = TextAreaField("Comment", validators=[Optional(), Length(max=COMMENT_MAX)],
                            description="For the record: admins see it; the candidate does not.")

    criteria: list[tuple[RubricCriterion, Field]]

    def scores(self) -> dict[str, float]:
        """Points per criterion id, as the grading service takes them."""
        return {criterion.id: float(field.data) for criterion, field in self.criteria}


def grade_form(rubric: Sequence[RubricCriterion], *, scores: Mapping[str, Any] | None = None,
               comment: str | None = None) -> GradeForm:
    """The rubric's form; on GET it is filled with existing `scores` and `comment` (a re-grade)."""

    class RubricForm(GradeForm):
        pass

    names = []
    for n, criterion in enumerate(rubric):
        top = format_number(criterion.points)
        name = f"criterion_{n}"
        setattr(RubricForm, name, _PointsField(
            f"{criterion.description} ({criterion.id})", places=None,
            description=f"0 to {top} point{'' if criterion.points == 1 else 's'}",
            widget=NumberInput(step="0.5", min=0, max=top),
            validators=[InputRequired(f"Give points for this criterion (0 to {top})."), _Points(criterion.points)]))
        names.append(name)
    data: dict[str, Any] = {}
    if scores:
        data = {f"criterion_{n}": Decimal(format_number(float(scores[c.id])))
                for n, c in enumerate(rubric) if c.id in scores}
    if comment:
        data["comment"] = comment
    form = RubricForm(data=data)
    form.criteria = [(criterion, getattr(form, name)) for criterion, name in zip(rubric, names)]
    return form


class DecisionForm(FlaskForm):
    """Confirm pass or fail; one per attempt on the decisions page (use `prefix=f"attempt-{id}"`)."""

    decision = RadioField("Decision", choices=[SelectChoice("pass", "Pass"), SelectChoice("fail", "Fail")],
                          validators=[InputRequired("Choose pass or fail.")])
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=REASON_MAX)],
                           description="Required when your decision differs from what the score says.")
    confirm = BooleanField("I have checked this attempt. The candidate is emailed the decision at once.",
                           validators=[DataRequired("Tick this box to confirm the decision.")])
