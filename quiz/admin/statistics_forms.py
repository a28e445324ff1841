"""Forms of the statistics page: calibrate, choose the scoring, exposure settings, confirm a rescore."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, IntegerField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional


class CalibrateForm(FlaskForm):
    anchor = SelectField("Keep the items of an earlier calibration fixed", coerce=str, default="",
                         description="Fixed-item calibration: new items join that scale, its items do not move.")


class ScoringForm(FlaskForm):
    scoring = RadioField("Decide placements by", validators=[DataRequired("Choose percent or θ.")],
                         choices=[SelectChoice("percent", "Percent score against the pass mark"),
                                  SelectChoice("theta", "θ (IRT ability) against the θ cut")])
    calibration = SelectField("Calibration", coerce=str, default="")
    confirm = BooleanField("I understand: decisions made from now on use this; past decisions change only when I "
                           "confirm each one on the rescoring page.",
                           validators=[DataRequired("Tick the box to confirm the change.")])


class ExposureForm(FlaskForm):
    exposure_cap = DecimalField("Exposure cap (share of attempts)", places=2,
                                validators=[Optional(), NumberRange(min=0.01, max=1,
                                                                    message="Give a share from 0.01 to 1, e.g. 0.30.")],
                                description="Empty: the plain random draw. Set (e.g. 0.30): each blueprint cell draws "
                                            "its least-shown items and sets aside any above the cap.")
    min_responses = IntegerField("Minimum responses before an item is judged", default=30,
                                 validators=[InputRequired("Give a whole number of responses."),
                                             NumberRange(min=1, max=100_000,
                                                         message="Give a number from 1 to 100000.")])


class RescoreForm(FlaskForm):
    """One confirmed change of one past decision (CSRF only)."""
