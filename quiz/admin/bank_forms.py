"""Forms of the bank import page and of the tier, track and assessment settings."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, StopValidation, \
    ValidationError

from quiz.admin.bank_import import MAX_UPLOAD_BYTES, MAX_UPLOAD_FILES, upload_name_problem
from quiz.admin.settings import MAX_STRATUM_COUNT, AssessmentSettings, blueprint_problems
from quiz.bank.load import MAX_TIME_LIMIT_MINUTES, is_single_line
from quiz.bank.specs import DEFAULT_REVIEW_POLICY, Stratum

CENT = Decimal("0.01")

REVIEW_LABELS = {
    "show_score": "Show the score",
    "show_pass_fail": "Show pass or fail",
    "show_tier": "Show the tier a pass places them in",
    "show_topic_breakdown": "Show the score per topic",
    "show_answers": "Show the candidate's own answers",
    "show_keys": "Show the correct answers (keys: reveals the bank)",
    "show_explanations": "Show the explanations",
}


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class TwoDecimals:
    """A finite number within [low, high] with at most 2 decimal places, as the bank loader requires."""

    def __init__(self, low: Decimal, high: Decimal):
        self.low, self.high = low, high

    def __call__(self, form: Form, field: DecimalField) -> None:
        value = field.data
        if value is None:
            return
        try:
            if not value.is_finite() or not self.low <= value <= self.high:
                raise StopValidation(f"Must be a number from {self.low} to {self.high}.")
            if value != value.quantize(CENT):
                raise StopValidation("Use at most 2 decimal places.")
        except InvalidOperation:
            raise StopValidation(f"Must be a number from {self.low} to {self.high}.") from None


# --- import ----------------------------------------------------------------------------------------

def upload_name(filename: str) -> str:
    """The name a file is staged under: its base name, made safe."""
    return secure_filename(PurePosixPath(filename.replace("\\", "/")).name)


class ImportForm(FlaskForm):
    files = MultipleFileField(
        "Bank files", render_kw={"accept": ".yaml,.yml"},
        description=(f"tracks.yaml and/or track files such as general.yaml (.yaml or .yml, up to {MAX_UPLOAD_FILES} "
                     f"files, {MAX_UPLOAD_BYTES // (1024 * 1024)} MB in all)."))

    def validate_files(self, field: MultipleFileField) -> None:
        chosen = [f for f in (field.data or []) if isinstance(f, FileStorage) and f.filename]
        if not chosen:
            raise ValidationError("Choose at least one file.")
        if len(chosen) > MAX_UPLOAD_FILES:
            raise ValidationError(f"At most {MAX_UPLOAD_FILES} files at a time.")
        names: list[str] = []
        for storage in chosen:
            name = upload_name(storage.filename or "")
            problem = upload_name_problem(name)
            if problem:
                raise ValidationError(f"{storage.filename}: only .yaml or .yml files can be imported.")
            if name in names:
                raise ValidationError(f"{name} is chosen twice.")
            names.append(name)

    def uploads(self) -> list[tuple[str, bytes]]:
        return [(upload_name(f.filename or ""), f.read()) for f in (self.files.data or [])
                if isinstance(f, FileStorage) and f.filename]


class TokenForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(message="This preview has no token: upload the files again.")])


# --- settings --------------------------------------------------------------------------------------

class StratumForm(Form):
    topic = StringField("Topic", filters=[_strip], validators=[Optional(), Length(max=100)])
    difficulty_min = IntegerField("Lowest difficulty", validators=[Optional()], render_kw={"min": 1, "max": 5})
    difficulty_max = IntegerField("Highest difficulty", validators=[Optional()], render_kw={"min": 1, "max": 5})
    count = IntegerField("Questions drawn", validators=[Optional()], render_kw={"min": 1, "max": MAX_STRATUM_COUNT})
    remove = BooleanField("Remove this row")

    def is_blank(self) -> bool:
        return not self.topic.data and not any(
            (f.raw_data or [""])[0].strip() for f in (self.difficulty_min, self.difficulty_max, self.count))


def _single_line(_form: Any, field: StringField) -> None:
    if field.data and not is_single_line(field.data):
        raise ValidationError("Must be a single line.")


class AssessmentForm(FlaskForm):
    title = StringField("Title", filters=[_strip], validators=[
        DataRequired(), Length(max=200), _single_line])
    time_limit_minutes = IntegerField(
        "Time limit (minutes)", validators=[InputRequired(), NumberRange(min=1, max=MAX_TIME_LIMIT_MINUTES)],
        description="Before any extra time given to a candidate as an accommodation.")
    pass_mark = DecimalField(
        "Pass mark (percent)", places=2, validators=[InputRequired(), TwoDecimals(Decimal(0), Decimal(100))],
        description="0 to 100, at most 2 decimals. A score equal to the pass mark passes.")
    tier = SelectField("Tier a pass places the candidate in", validators=[DataRequired()])
    requires_confirmation = BooleanField("A person confirms every decision (human confirmation)")
    show_score = BooleanField(REVIEW_LABELS["show_score"])
    show_pass_fail = BooleanField(REVIEW_LABELS["show_pass_fail"])
    show_tier = BooleanField(REVIEW_LABELS["show_tier"])
    show_topic_breakdown = BooleanField(REVIEW_LABELS["show_topic_breakdown"])
    show_answers = BooleanField(REVIEW_LABELS["show_answers"])
    show_keys = BooleanField(REVIEW_LABELS["show_keys"])
    show_explanations = BooleanField(REVIEW_LABELS["show_explanations"])
    active = BooleanField("Active (offered to candidates when the bank can fill the blueprint)")
    blueprint = FieldList(FormField(StratumForm), min_entries=1, max_entries=30, label="Blueprint")

    #: problems of the blueprint as a whole (not of one row)
    blueprint_errors: list[str]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.blueprint_errors = []

    def review_fields(self) -> list[BooleanField]:
        return [getattr(self, name) for name in DEFAULT_REVIEW_POLICY]

    @classmethod
    def data_from(cls, settings: AssessmentSettings) -> dict[str, Any]:
        return {
            "title": settings.title, "time_limit_minutes": settings.time_limit_minutes,
            "pass_mark": settings.pass_mark, "tier": settings.tier_key,
            "requires_confirmation": settings.requires_confirmation, "active": settings.active,
            **{name: settings.review_policy.get(name, False) for name in DEFAULT_REVIEW_POLICY},
            "blueprint": [{"topic": s.topic, "difficulty_min": s.difficulty_min, "difficulty_max": s.difficulty_max,
                           "count": s.count} for s in settings.blueprint],
        }

    def kept_rows(self) -> list[tuple[int, StratumForm]]:
        """(index, row form) of the rows that are neither removed nor blank."""
        return [(index, entry.form) for index, entry in enumerate(self.blueprint.entries)
                if not entry.form.remove.data and not entry.form.is_blank()]

    @staticmethod
    def row_stratum(row: StratumForm) -> Stratum | None:
        values = (row.difficulty_min.data, row.difficulty_max.data, row.count.data)
        if not row.topic.data or any(v is None for v in values) or any(f.errors for f in row):
            return None
        return Stratum(row.topic.data, *values)

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        kept = self.kept_rows()
        if not kept:
            self.blueprint_errors.append("A blueprint needs at least one row.")
            return False
        strata: list[Stratum] = []
        forms: list[StratumForm] = []
        for _index, row in kept:
            for name in ("topic", "difficulty_min", "difficulty_max", "count"):
                f = getattr(row, name)
                if f.data in (None, "") and not f.errors:
                    f.errors.append("Required (or tick Remove to drop the row).")
            stratum = self.row_stratum(row)
            if stratum is None:
                ok = False
                continue
            strata.append(stratum)
            forms.append(row)
        for index, name, message in blueprint_problems(strata):
            if index is not None:  # "no rows at all" is handled above; rows with errors are not missing
                ok = False
                getattr(forms[index], name).errors.append(message)
        return ok

    def settings(self) -> AssessmentSettings:
        strata = tuple(s for _i, row in self.kept_rows() if (s := self.row_stratum(row)) is not None)
        return AssessmentSettings(
            title=self.title.data, time_limit_minutes=self.time_limit_minutes.data, pass_mark=self.pass_mark.data,
            tier_key=self.tier.data, requires_confirmation=self.requires_confirmation.data,
            review_policy={name: bool(getattr(self, name).data) for name in DEFAULT_REVIEW_POLICY},
            blueprint=strata, active=self.active.data)


class TierForm(FlaskForm):
    name = StringField("Name", filters=[_strip], validators=[DataRequired(), Length(max=100)])
    hourly_rate = DecimalField(
        "Hourly rate (USD)", places=2, validators=[InputRequired(), TwoDecimals(Decimal(0), Decimal(10000))],
        description="The \"starting at\" rate candidates see. Placement compares the current rates of tiers.")
    rank = IntegerField("Rank", validators=[InputRequired(), NumberRange(min=0, max=1000)],
                        description="Breaks ties between tiers of equal rate: the higher rank wins.")


class TrackForm(FlaskForm):
    name = StringField("Name", filters=[_strip], validators=[DataRequired(), Length(max=100)])
    description = TextAreaField("Description", filters=[_strip], validators=[Length(max=2000)],
                                description="Shown to candidates choosing a track.")
    tier = SelectField("Tier", validators=[DataRequired()],
                       description="The tier a pass in this track places candidates in. Assessments that "
                                   "follow the track's tier follow the change.")
