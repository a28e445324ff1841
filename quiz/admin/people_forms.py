"""Forms of the candidates and records pages: searching, accommodations, voiding, audit filters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from quiz.admin.people import MAX_FACTOR, MIN_FACTOR

PRESET_FACTORS = ("1.00", "1.25", "1.50", "2.00")
OTHER = "other"
VOID_REASON_MIN = 10


class CandidateSearchForm(FlaskForm):
    """A GET form: build it with `formdata=request.args` and `meta={"csrf": False}`."""

    q = StringField("Email or name", validators=[Optional(), Length(max=200)])
    signals = BooleanField("Only possible duplicate accounts")


class AccommodationForm(FlaskForm):
    factor = RadioField(
        "Extra-time factor",
        choices=[SelectChoice("1.00", "1.0 × (no extra time)"), SelectChoice("1.25", "1.25 ×"),
                 SelectChoice("1.50", "1.5 ×"), SelectChoice("2.00", "2.0 ×"), SelectChoice(OTHER, "Another factor")],
        default="1.00", validators=[DataRequired("Choose a factor.")])
    # No Optional(): it would stop validate_other_factor when the box is empty.
    other_factor = StringField("Another factor", validators=[Length(max=10)],
                               description=f"A number from {MIN_FACTOR} to {MAX_FACTOR}, e.g. 1.75.")
    reason = TextAreaField("Private reason", validators=[Length(max=2000)],
                           description="Kept private to admins. Required for any factor above 1.0.")

    def chosen(self) -> Decimal | None:
        """The factor asked for, or None when it is not a valid number."""
        raw = (self.other_factor.data or "").strip() if self.factor.data == OTHER else self.factor.data
        try:
            value = Decimal(raw or "")
        except InvalidOperation:
            return None
        return value if value.is_finite() else None

    def validate_other_factor(self, field: StringField) -> None:
        if self.factor.data != OTHER:
            return
        value = self.chosen()
        if not (field.data or "").strip():
            raise ValidationError("Type the factor, e.g. 1.75.")
        if value is None:
            raise ValidationError("The factor must be a number such as 1.75.")
        if not MIN_FACTOR <= value <= MAX_FACTOR:
            raise ValidationError(f"The factor must be between {MIN_FACTOR} and {MAX_FACTOR}.")
        if value != value.quantize(Decimal("0.01")):
            raise ValidationError("Use at most two decimals, e.g. 1.75.")

    def validate_reason(self, field: TextAreaField) -> None:
        value = self.chosen()
        if value is not None and value != MIN_FACTOR and not (field.data or "").strip():
            raise ValidationError("Give the reason for the accommodation (kept private).")

    def fill(self, factor: Decimal, reason: str | None) -> None:
        text = f"{Decimal(factor):.2f}"
        if text in PRESET_FACTORS:
            self.factor.data = text
        else:
            self.factor.data, self.other_factor.data = OTHER, text
        self.reason.data = reason or ""


class VoidForm(FlaskForm):
    reason = TextAreaField(
        "Reason (the technical failure)",
        validators=[DataRequired("Give the reason: describe the technical failure."),
                    Length(min=VOID_REASON_MIN, max=2000,
                           message=f"Describe the technical failure in {VOID_REASON_MIN} to 2000 characters.")],
        description="Kept with the attempt and in the audit log, e.g. “Browser crashed at question 4; "
                    "support ticket #123.”")


class AuditFilterForm(FlaskForm):
    """A GET form: build it with `formdata=request.args` and `meta={"csrf": False}`; the select
    choices come from what the log holds (`set_choices`)."""

    actor = SelectField("Who", validators=[Optional()])
    action = SelectField("Action", validators=[Optional()])
    target_type = SelectField("Target type", validators=[Optional()])
    since = DateField("From (UTC)", validators=[Optional()], format="%Y-%m-%d")
    until = DateField("To (UTC, inclusive)", validators=[Optional()], format="%Y-%m-%d")

    def set_choices(self, actors: list[tuple[int, str]], actions: list[str], target_types: list[str]) -> None:
        self.actor.choices = ([SelectChoice("", "Anyone"), SelectChoice("system")]
                              + [SelectChoice(str(ident), email) for ident, email in actors])
        self.action.choices = [SelectChoice("", "Any action")] + [SelectChoice(a) for a in actions]
        self.target_type.choices = [SelectChoice("", "Any target")] + [SelectChoice(t) for t in target_types]

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date is before the start date.")

    def filters(self) -> dict[str, str | date | None]:
        return {"actor": self.actor.data or None, "action": self.action.data or None,
                "target_type": self.target_type.data or None, "since": self.since.data, "until": self.until.data}
