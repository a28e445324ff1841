from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, Field, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from quiz.auth.passwords import (
    MAX_PASSWORD_LENGTH,
    PASSWORD_RULE,
    InvalidCredentialInput,
    check_password_strength,
    normalise_email,
)


def _new_password(label: str = "Password") -> PasswordField:
    return PasswordField(label, validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)], description=PASSWORD_RULE)


def _repeat() -> PasswordField:
    return PasswordField("Repeat the password",
                         validators=[DataRequired(), EqualTo("password", message="The passwords differ.")])


class _NewPasswordRules:
    """The service's rules run as field validators, so every field's error shows at once."""

    password: Field

    def owner_email(self) -> str:
        return ""

    def validate_password(self, field: Field) -> None:
        try:
            check_password_strength(field.data or "", self.owner_email())
        except InvalidCredentialInput as exc:
            raise ValidationError(str(exc)) from None


class SignupForm(_NewPasswordRules, FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = _new_password()
    confirm = _repeat()

    def owner_email(self) -> str:
        try:
            return normalise_email(self.email.data or "")
        except InvalidCredentialInput:
            return ""

    def validate_email(self, field: Field) -> None:
        try:
            normalise_email(field.data or "")
        except InvalidCredentialInput as exc:
            raise ValidationError(str(exc)) from None


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)],
                       description="The address you signed up with.")


class ResetPasswordForm(_NewPasswordRules, FlaskForm):
    password = _new_password("New password")
    confirm = _repeat()

    def __init__(self, *args, email: str = "", **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._email = email

    def owner_email(self) -> str:
        return self._email


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField("Current password",
                                     validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
