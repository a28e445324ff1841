from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from quiz.auth.passwords import MIN_PASSWORD_LENGTH


class SignupForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=f"At least {MIN_PASSWORD_LENGTH} characters.")
    confirm = PasswordField("Repeat the password",
                            validators=[DataRequired(), EqualTo("password", message="The passwords differ.")])


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
