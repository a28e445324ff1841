from __future__ import annotations

from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

EDUCATION = ("Secondary school", "Associate degree", "Bachelor's degree", "Master's degree", "Doctorate",
             "Professional degree (JD, MD, ...)", "Other")
PROFICIENCY = ("native", "fluent", "professional", "basic")
TIME_ZONES = sorted(available_timezones())


class LanguageForm(Form):
    language = StringField("Language", validators=[Optional(), Length(max=60)])
    # Checked in ApplicationForm.validate_languages: empty rows are allowed and carry no choice.
    proficiency = SelectField("Proficiency",
                              choices=[SelectChoice("", "—")] + [SelectChoice(p, p.capitalize()) for p in PROFICIENCY],
                              validate_choice=False)


class ApplicationForm(FlaskForm):
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    country = StringField("Country of residence", validators=[DataRequired(), Length(max=100)])
    time_zone = SelectField("Time zone", choices=TIME_ZONES, default="UTC", validators=[DataRequired()])
    education = SelectField("Highest education", choices=EDUCATION, validators=[DataRequired()])
    expertise = StringField("Fields of expertise", validators=[DataRequired(), Length(max=500)],
                            description="Separate them with commas, e.g. statistics, Python, contract law.")
    languages = FieldList(FormField(LanguageForm), min_entries=3, max_entries=10, label="Languages")
    hours_per_week = IntegerField("Hours available per week",
                                  validators=[InputRequired(), NumberRange(min=1, max=80)])

    def validate_languages(self, field: FieldList) -> None:
        named = [entry.form for entry in field.entries if (entry.form.language.data or "").strip()]
        if not named:
            raise ValidationError("Name at least one language you work in.")
        for entry in named:
            if entry.proficiency.data not in PROFICIENCY:
                raise ValidationError(f"Choose your proficiency in {entry.language.data.strip()}.")

    def values(self) -> dict:
        return {
            "full_name": self.full_name.data.strip(),
            "country": self.country.data.strip(),
            "time_zone": self.time_zone.data,
            "education": self.education.data,
            "expertise": [part.strip() for part in self.expertise.data.split(",") if part.strip()],
            "languages": [{"language": e.form.language.data.strip(), "proficiency": e.form.proficiency.data}
                          for e in self.languages.entries if (e.form.language.data or "").strip()],
            "hours_per_week": self.hours_per_week.data,
        }

    def fill(self, application) -> None:  # type: ignore[no-untyped-def]
        self.full_name.data, self.country.data = application.full_name, application.country
        self.time_zone.data, self.education.data = application.time_zone, application.education
        self.expertise.data = ", ".join(application.expertise)
        self.hours_per_week.data = application.hours_per_week
        for entry, language in zip(self.languages.entries, application.languages):
            entry.form.language.data, entry.form.proficiency.data = language["language"], language["proficiency"]


class StartForm(FlaskForm):
    understood = BooleanField("I understand I can take this assessment only once.",
                              validators=[DataRequired("Confirm that you understand you can take it only once.")])


class PracticeForm(FlaskForm):
    """The practice question's post: only its CSRF token is a field here; the answer fields are the
    attempt page's own, read by `quiz.assessment.forms.raw_answer`."""
