from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from quiz.auth.decorators import is_safe_next
from quiz.auth.forms import LoginForm, SignupForm
from quiz.auth.passwords import InvalidCredentialInput
from quiz.auth.services import EmailTaken, authenticate, create_candidate
from quiz.extensions import commit, db_session, limiter

bp = Blueprint("auth", __name__)

AUTH_LIMIT = "10 per minute; 50 per hour"  # per address
ACCOUNT_LIMIT = "20 per hour"  # per account


def _after_login() -> Response:
    target = request.args.get("next")
    home = url_for("candidates.dashboard") if current_user.role == "candidate" else url_for("admin.home")
    return redirect(target if is_safe_next(target) else home)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def signup() -> str | Response:
    if current_user.is_authenticated:
        return _after_login()
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = create_candidate(db_session(), form.email.data, form.password.data)
        except InvalidCredentialInput as exc:
            getattr(form, exc.field).errors.append(str(exc))
        except EmailTaken as exc:
            form.email.errors.append(str(exc))
        else:
            commit()
            login_user(user)
            flash("Welcome! Start with your application.", "success")
            return redirect(url_for("candidates.application"))
    return render_template("auth/signup.html", form=form)


def _email_key() -> str:
    """Per account, whatever address the tries come from (slows credential stuffing)."""
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
@limiter.limit(ACCOUNT_LIMIT, methods=["POST"], key_func=_email_key)
def login() -> str | Response:
    if current_user.is_authenticated:
        return _after_login()
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db_session(), form.email.data, form.password.data)
        if user is not None:
            commit()  # a hash made with older parameters was just replaced
            login_user(user)
            return _after_login()
        form.password.errors.append("The email or the password is wrong.")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("main.index"))
