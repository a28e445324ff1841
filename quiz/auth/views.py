from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from quiz.auth import services
from quiz.auth.decorators import is_safe_next
from quiz.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, ResetPasswordForm, SignupForm
from quiz.auth.mails import AccountLinks
from quiz.auth.passwords import InvalidCredentialInput
from quiz.auth.tokens import InvalidToken
from quiz.auth.web_sessions import device_token, log_browser_in, log_browser_out
from quiz.db import immediate_transactions
from quiz.extensions import commit, db_session, limiter, now

bp = Blueprint("auth", __name__)

AUTH_LIMIT = "10 per minute; 50 per hour"  # per address
ACCOUNT_LIMIT = "20 per hour"  # per account
MAIL_LIMIT = "5 per hour"  # mails one address can be sent by strangers (sign-up, reset request)
RESEND_LIMIT = "3 per 15 minutes; 10 per day"  # per logged-in account


def _home() -> str:
    return url_for("candidates.dashboard") if current_user.role == "candidate" else url_for("admin.home")


def _after_login() -> Response:
    target = request.args.get("next")
    return redirect(target if is_safe_next(target) else _home())


def _links() -> AccountLinks:
    return AccountLinks(verify=lambda token: url_for("auth.verify_email", token=token, _external=True),
                        reset=lambda token: url_for("auth.reset_password", token=token, _external=True),
                        login=url_for("auth.login", _external=True),
                        forgot=url_for("auth.forgot_password", _external=True))


def _token_settings() -> services.TokenSettings:
    config = current_app.config
    return services.TokenSettings(secret=config["SECRET_KEY"],
                                  verify_valid_for=timedelta(hours=float(config["EMAIL_VERIFICATION_HOURS"])),
                                  reset_valid_for=timedelta(minutes=float(config["PASSWORD_RESET_MINUTES"])))


def _email_key() -> str:
    """Per account, whatever address the tries come from (slows credential stuffing and mail floods)."""
    return "address:" + (request.form.get("email") or "").strip().lower()[:254]


def _account_key() -> str:
    return f"account:{current_user.get_id()}" if current_user.is_authenticated else f"ip:{request.remote_addr}"


def _log_in(user, new_hash: str | None = None) -> None:  # type: ignore[no-untyped-def]
    log_browser_in(user, services.log_in(db_session(), user, now(), device_token(), new_hash=new_hash))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
@limiter.limit(MAIL_LIMIT, methods=["POST"], key_func=_email_key)
def signup() -> str | Response:
    if current_user.is_authenticated:
        return _after_login()
    form = SignupForm()
    if form.validate_on_submit():
        try:
            services.sign_up(db_session(), form.email.data, form.password.data, now(), _links(), _token_settings())
        except InvalidCredentialInput as exc:  # the form checks the same rules: only a race gets here
            getattr(form, exc.field).errors.append(str(exc))
        else:
            commit()
            # The same answer whether the address is new or already has an account.
            return redirect(url_for("auth.signup_sent"))
    return render_template("auth/signup.html", form=form)


@bp.get("/signup/check-email")
def signup_sent() -> str:
    return render_template("auth/check_email.html", purpose="signup")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
@limiter.limit(ACCOUNT_LIMIT, methods=["POST"], key_func=_email_key)
def login() -> str | Response:
    if current_user.is_authenticated:
        return _after_login()
    form = LoginForm()
    if form.validate_on_submit():
        found = services.authenticate(db_session(), form.email.data, form.password.data)
        if found is not None:
            # The password was checked in a read (READ_FIRST_POST_ENDPOINTS in quiz.app): on SQLite
            # no autosave waited for its Argon2 work. The writes take the write lock from here; the
            # user is read again inside, so one disabled meanwhile is not logged in.
            db_session().rollback()
            with immediate_transactions():
                logged_in = found.user.is_active
                if logged_in:
                    _log_in(found.user, found.new_hash)
                    commit()  # the new session row, and a hash made with older parameters replaced
            if logged_in:
                return _after_login()
            db_session().rollback()
        form.password.errors.append("The email or the password is wrong.")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    log_browser_out()
    commit()
    flash("You are logged out.", "info")
    return redirect(url_for("main.index"))


@bp.get("/account/verify/<token>")
def verify_email(token: str) -> str | Response | tuple[str, int]:
    try:
        services.verify_email(db_session(), token, now(), _token_settings())
    except InvalidToken as exc:
        return render_template("auth/link_invalid.html", message=str(exc), purpose="verify"), 400
    commit()
    if current_user.is_authenticated:
        flash("Your email address is confirmed.", "success")
        return redirect(_home())
    flash("Your email address is confirmed. Log in to continue.", "success")
    return redirect(url_for("auth.login"))


@bp.post("/account/verify/resend")
@login_required
@limiter.limit(RESEND_LIMIT, key_func=_account_key)
def resend_verification() -> Response:
    if services.resend_verification(db_session(), current_user, now(), _links(), _token_settings()):
        commit()
        flash(f"We sent a new confirmation link to {current_user.email}. It may take a few minutes to arrive.",
              "success")
    else:
        flash("Your email address is already confirmed.", "info")
    return redirect(_home())


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
@limiter.limit(MAIL_LIMIT, methods=["POST"], key_func=_email_key)
def forgot_password() -> str | Response:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(db_session(), form.email.data, now(), _links(), _token_settings())
        commit()
        return redirect(url_for("auth.forgot_sent"))
    return render_template("auth/forgot.html", form=form)


@bp.get("/password/forgot/sent")
def forgot_sent() -> str:
    return render_template("auth/check_email.html", purpose="reset")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    session, settings = db_session(), _token_settings()
    try:
        user = services.user_for_reset(session, token, now(), settings)
    except InvalidToken as exc:
        return render_template("auth/link_invalid.html", message=str(exc), purpose="reset"), 400
    form = ResetPasswordForm(email=user.email)
    if form.validate_on_submit():
        try:
            services.reset_password(session, token, form.password.data, now(), settings)
        except InvalidCredentialInput as exc:
            form.password.errors.append(str(exc))
        else:
            if current_user.is_authenticated:
                log_browser_out()
            commit()
            flash("Your password is changed, and every session of your account is logged out. "
                  "Log in with the new password.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, email=user.email)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(AUTH_LIMIT, methods=["POST"], key_func=_account_key)
def change_password() -> str | Response:
    form = ChangePasswordForm(email=current_user.email)
    if form.validate_on_submit():
        user = current_user._get_current_object()  # type: ignore[attr-defined]
        try:
            services.change_password(db_session(), user, form.current_password.data, form.password.data, now(),
                                     _links())
        except InvalidCredentialInput as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            _log_in(user)  # this browser goes on in a fresh session; every other one is logged out
            commit()
            flash("Your password is changed. Every other session of your account is logged out.", "success")
            return redirect(_home())
    return render_template("auth/change_password.html", form=form)
