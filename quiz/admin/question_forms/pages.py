"""The other forms of the question pages: the list's filters, the new-question chooser, the
retire / restore confirmation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Form, SelectField, StringField


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
