"""The Sessions suite (issue 8): a session ends when it should and a copied cookie is then worthless;
reset and verification links are signed, expiring and single-use; sign-up and reset never tell
whether an address has an account; an unconfirmed address cannot start. On SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from quiz.clock import FrozenClock
from quiz.extensions import session_factory
from quiz.models import AttemptItem, LoginSession, User
from tests.web.conftest import AppFactory
from tests.web.support import (
    PASSWORD,
    apply,
    attempt_count,
    candidate,
    csrf_token,
    field_errors,
    flashes,
    location,
    login,
    login_next,
    mail_link,
    outbox,
    page,
    post,
    post_json,
    signup,
    staff,
    start,
    take_mail,
    text,
)

IDLE_MINUTES = 60
LIFETIME_HOURS = 48
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def app(make_app: AppFactory, db_url: str) -> Flask:
    """The shipped limits (not the web suite's relaxed ones), on each engine."""
    return make_app(DATABASE_URL=db_url, SESSION_IDLE_MINUTES=IDLE_MINUTES, SESSION_LIFETIME_HOURS=LIFETIME_HOURS)


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replay(app: Flask, cookie: str) -> FlaskClient:
    """Another browser that was handed a copy of the session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def _session_token(app: Flask, client: FlaskClient) -> str | None:
    return app.session_interface.get_signing_serializer(app).loads(_cookie(client)).get("quiz_session")


def _refused_with(client: FlaskClient, message: str) -> None:
    response = client.get("/dashboard")
    assert response.status_code == 302 and login_next(response) == "/dashboard"
    shown = flashes(client.get(location(response)))
    assert any(message in flash for flash in shown), shown


# --- the session ends, and a copy of its cookie with it ------------------------------------------


def test_a_cookie_replayed_after_log_out_is_refused(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    copied = _cookie(client)
    assert _replay(app, copied).get("/dashboard").status_code == 200  # the copy works while the session lives

    post(client, "/logout")
    thief = _replay(app, copied)
    _refused_with(thief, "This session was logged out. Log in again to continue.")
    saved = post_json(_replay(app, copied), "/attempts/1/answers/1", {"fields": {"choice": "1"}, "seq": 1})
    assert saved.status_code == 401 and saved.get_json() == {
        "error": "You are logged out. Log in again in another tab; your answers so far are saved.",
        "logged_out": True, "reason": "logout"}


def test_a_password_change_ends_every_other_session_and_keeps_this_browser_in(app: Flask) -> None:
    laptop = candidate(app, "ada@example.com")
    phone = app.test_client()
    assert login(phone, "ada@example.com").status_code == 302
    laptop_before = _cookie(laptop)

    response = post(laptop, "/account/password", {"current_password": PASSWORD, "password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and location(response) == "/dashboard"
    assert "Every other session of your account is logged out." in text(laptop.get("/dashboard"))
    _refused_with(phone, "Your password was changed, which logged out this session. Log in with the new password.")
    _refused_with(_replay(app, laptop_before), "Your password was changed")  # this browser's old cookie too
    assert login(app.test_client(), "ada@example.com").status_code == 200  # the old password is gone
    assert login(app.test_client(), "ada@example.com", NEW_PASSWORD).status_code == 302
    [mail] = [m for m in outbox(app, "account") if m["Subject"] == "Your password was changed"]
    assert mail["To"] == "ada@example.com"


@pytest.mark.parametrize(("current", "new", "field", "message"), [
    ("wrong password 1", NEW_PASSWORD, "current_password", "The current password is wrong."),
    (PASSWORD, "short", "password", "the password must have at least 10 characters"),
    (PASSWORD, PASSWORD, "password", "The new password is the same as the current one."),
])
def test_a_password_change_is_refused_next_to_the_field_and_ends_nothing(
        app: Flask, current: str, new: str, field: str, message: str) -> None:
    client = candidate(app, "ada@example.com")
    other = app.test_client()
    login(other, "ada@example.com")
    response = post(client, "/account/password", {"current_password": current, "password": new, "confirm": new})
    assert response.status_code == 200 and message in field_errors(response, field)
    assert other.get("/dashboard").status_code == 200


def test_an_idle_session_is_refused_after_the_idle_timeout(app: Flask, clock: FrozenClock) -> None:
    client = candidate(app, "ada@example.com")
    clock.advance(minutes=IDLE_MINUTES - 1)
    assert client.get("/dashboard").status_code == 200  # a request resets the idle time
    clock.advance(minutes=IDLE_MINUTES - 1)
    assert client.get("/dashboard").status_code == 200
    clock.advance(minutes=IDLE_MINUTES)
    _refused_with(client, f"You were logged out after {IDLE_MINUTES} minutes without activity.")


def test_an_attempt_page_that_polls_never_idles_out(app: Flask, clock: FrozenClock) -> None:
    """The attempt page polls its state every 30 s (static/attempt.js); a 4-minute step is far coarser."""
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    for _ in range(15 * 3):  # three hours
        clock.advance(minutes=4)
        response = client.get(f"/attempts/{attempt_id}/state", headers={"Accept": "application/json"})
        assert response.status_code == 200, response.get_data(as_text=True)


def _autosave(client: FlaskClient, attempt_id: int, seq: int):  # type: ignore[no-untyped-def]
    return post_json(client, f"/attempts/{attempt_id}/answers/1", {"fields": {"choice": "1"}, "seq": seq})


def test_autosaves_keep_the_session_alive_and_are_refused_once_it_idles_out(make_app: AppFactory, db_url: str,
                                                                            clock: FrozenClock) -> None:
    """The autosave checks its session in its own query: the same rule and effects as any page."""
    app = make_app(DATABASE_URL=db_url, SESSION_IDLE_MINUTES=10, SESSION_LIFETIME_HOURS=LIFETIME_HOURS)
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    for seq in (1, 2, 3):  # 24 minutes in all, never 10 without a save
        clock.advance(minutes=8)
        assert _autosave(client, attempt_id, seq).status_code == 200
    clock.advance(minutes=10)
    refused = _autosave(client, attempt_id, 4)
    assert refused.status_code == 401 and refused.get_json()["reason"] == "idle"
    _refused_with(client, "You were logged out after 10 minutes without activity.")  # the browser's log-in is gone


def test_an_autosave_with_the_cookie_of_a_logged_out_session_is_refused(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    copied = _cookie(client)
    assert _autosave(_replay(app, copied), attempt_id, 1).status_code == 200
    post(client, "/logout")
    refused = _autosave(_replay(app, copied), attempt_id, 2)
    assert refused.status_code == 401 and refused.get_json()["reason"] == "logout"
    with session_factory(app)() as session:
        assert session.scalar(select(AttemptItem.answer_seq).where(AttemptItem.attempt_id == attempt_id,
                                                                   AttemptItem.position == 1)) == 1


def test_an_autosave_of_a_disabled_account_is_refused(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    with session_factory(app)() as session:
        session.scalar(select(User).where(User.email == "ada@example.com")).is_active = False
        session.commit()
    refused = _autosave(client, attempt_id, 1)
    assert refused.status_code == 401 and refused.get_json()["logged_out"] is True


def test_a_session_ends_at_its_absolute_lifetime_however_busy(make_app: AppFactory, db_url: str,
                                                              clock: FrozenClock) -> None:
    app = make_app(DATABASE_URL=db_url, SESSION_IDLE_MINUTES=60, SESSION_LIFETIME_HOURS=2)
    client = candidate(app, "ada@example.com")
    for _ in range(5):
        clock.advance(minutes=20)
        assert client.get("/dashboard").status_code == 200
    clock.advance(minutes=20)  # two hours since log-in
    _refused_with(client, "Your session ended after 2 hours, the longest a session lasts.")


def test_the_session_and_the_csrf_token_rotate_at_log_in(make_app: AppFactory, db_url: str) -> None:
    app = make_app(DATABASE_URL=db_url, WTF_CSRF_ENABLED=True)
    client = candidate(app, "ada@example.com")
    first_session = _session_token(app, client)
    post(client, "/logout")

    anonymous_token = csrf_token(client)
    assert login(client, "ada@example.com").status_code == 302
    second_session = _session_token(app, client)
    assert first_session and second_session and first_session != second_session
    assert csrf_token(client) != anonymous_token
    refused = client.post("/logout", data={"csrf_token": anonymous_token})  # the pre-log-in token is dead
    assert refused.status_code == 400
    assert client.get("/dashboard").status_code == 200
    with session_factory(app)() as session:  # only hashes are stored, never the cookie's token
        hashes = set(session.scalars(select(LoginSession.token_hash)))
    assert second_session not in hashes and len(hashes) == 2


def test_a_session_cookie_from_before_the_upgrade_is_refused(app: Flask) -> None:
    """A cookie signed with the right key but without a server-side session (e.g. made before this
    release) opens nothing."""
    candidate(app, "ada@example.com")
    forged = app.test_client()
    with forged.session_transaction() as cookie_session:
        cookie_session["_user_id"] = "1"
        cookie_session["_fresh"] = True
    _refused_with(forged, "Your session has ended. Log in again to continue.")


# --- verification --------------------------------------------------------------------------------


def _signed_up(app: Flask, client: FlaskClient, address: str = "ada@example.com") -> str:
    """Sign up; returns the path of the confirmation link."""
    assert location(signup(client, address)) == "/signup/check-email"
    return mail_link(take_mail(app, address, "Confirm your email address"), "/account/verify/")


def _verified(app: Flask, address: str) -> bool:
    with session_factory(app)() as session:
        return session.scalar(select(User.email_verified_at).where(User.email == address)) is not None


def test_the_verification_link_works_once(app: Flask) -> None:
    client = app.test_client()
    link = _signed_up(app, client)
    assert not _verified(app, "ada@example.com")
    response = client.get(link)
    assert response.status_code == 302 and location(response) == "/login"
    assert "Your email address is confirmed. Log in to continue." in flashes(client.get("/login"))
    assert _verified(app, "ada@example.com")

    again = client.get(link)
    assert again.status_code == 400
    assert "This link was already used, or is no longer valid." in text(again)


def test_the_verification_link_expires(app: Flask, clock: FrozenClock) -> None:
    client = app.test_client()
    link = _signed_up(app, client)
    clock.advance(hours=48, seconds=1)
    response = client.get(link)
    assert response.status_code == 400 and "This link has expired." in text(response)
    assert not _verified(app, "ada@example.com")


def test_a_link_for_one_user_never_works_for_another(app: Flask) -> None:
    import base64
    import json

    ada_link = _signed_up(app, app.test_client(), "ada@example.com")
    _signed_up(app, app.test_client(), "bob@example.com")
    payload, rest = ada_link.removeprefix("/account/verify/").split(".", 1)
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    with session_factory(app)() as session:
        bob_id = session.scalar(select(User.id).where(User.email == "bob@example.com"))
    data["u"] = bob_id  # Ada's token, rewritten to name Bob
    forged = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")
    response = app.test_client().get(f"/account/verify/{forged}.{rest}")
    assert response.status_code == 400 and "This link is not valid." in text(response)
    assert not _verified(app, "bob@example.com") and not _verified(app, "ada@example.com")


def test_an_unverified_candidate_cannot_start_and_can_ask_for_a_new_link(app: Flask) -> None:
    client = candidate(app, "ada@example.com", verified=False)
    board = text(client.get("/dashboard"))
    assert "Confirm your email address" in board and "Resend the verification mail" in board
    instructions = text(client.get("/assessments/alpha-starter"))
    assert "Confirm your email address before you take an assessment" in instructions

    response = post(client, "/assessments/alpha-starter", {"understood": "y"})
    assert response.status_code == 302 and location(response) == "/dashboard"
    assert "Confirm your email address before you take an assessment" in " ".join(flashes(client.get("/dashboard")))
    assert attempt_count(app) == 0

    response = post(client, "/account/verify/resend")
    assert response.status_code == 302
    assert "We sent a new confirmation link to ada@example.com." in " ".join(flashes(client.get("/dashboard")))
    link = mail_link(take_mail(app, "ada@example.com", "Confirm your email address"), "/account/verify/")
    response = client.get(link)
    assert response.status_code == 302 and location(response) == "/dashboard"
    start(client, "alpha-starter")
    assert attempt_count(app) == 1


def test_resending_the_verification_mail_is_rate_limited(make_app: AppFactory, db_url: str) -> None:
    app = make_app(DATABASE_URL=db_url, RATELIMIT_ENABLED=True)
    client = candidate(app, "ada@example.com", verified=False)
    for _ in range(3):
        assert post(client, "/account/verify/resend").status_code == 302
    response = post(client, "/account/verify/resend")
    assert response.status_code == 429 and "Too many attempts in a short time." in text(response)
    assert len([m for m in outbox(app, "account") if m["Subject"] == "Confirm your email address"]) == 3


# --- password reset --------------------------------------------------------------------------------


def _reset_link(app: Flask, address: str = "ada@example.com") -> str:
    response = post(app.test_client(), "/password/forgot", {"email": address})
    assert response.status_code == 302 and location(response) == "/password/forgot/sent"
    return mail_link(take_mail(app, address, "Choose a new password"), "/password/reset/")


def _reset(client: FlaskClient, link: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    return post(client, link, {"password": password, "confirm": password})


def test_a_reset_link_works_once_and_logs_the_account_out_everywhere(app: Flask) -> None:
    logged_in = candidate(app, "ada@example.com")
    link = _reset_link(app)
    browser = app.test_client()
    assert "For the account ada@example.com." in text(browser.get(link))
    response = _reset(browser, link)
    assert response.status_code == 302 and location(response) == "/login"
    _refused_with(logged_in, "Your password was reset, which logged out this session.")
    assert login(app.test_client(), "ada@example.com", NEW_PASSWORD).status_code == 302

    for reused in (browser.get(link), _reset(app.test_client(), link, "yet another password 9")):
        assert reused.status_code == 400
        assert "This link was already used, or is no longer valid." in text(reused)
    assert login(app.test_client(), "ada@example.com", "yet another password 9").status_code == 200


def test_a_reset_link_expires(app: Flask, clock: FrozenClock) -> None:
    candidate(app, "ada@example.com")
    link = _reset_link(app)
    clock.advance(minutes=60, seconds=1)
    response = _reset(app.test_client(), link)
    assert response.status_code == 400 and "This link has expired." in text(response)
    assert login(app.test_client(), "ada@example.com", NEW_PASSWORD).status_code == 200  # unchanged


def test_a_weak_new_password_keeps_the_link_usable(app: Flask) -> None:
    candidate(app, "ada@example.com")
    link = _reset_link(app)
    response = _reset(app.test_client(), link, "ada@example.com")
    assert response.status_code == 200
    assert "the password must not be your email address" in field_errors(response, "password")
    assert _reset(app.test_client(), link).status_code == 302


def test_a_reset_link_confirms_an_unverified_address(app: Flask) -> None:
    candidate(app, "ada@example.com", verified=False)
    _reset(app.test_client(), _reset_link(app))
    assert _verified(app, "ada@example.com")


# --- no answer tells whether an address has an account ------------------------------------------


def _without_csrf(html: str) -> str:
    """Each browser has its own CSRF token, and each response its own style nonce; everything else
    must be the same."""
    return re.sub(r'(name="csrf-token" content|name="csp-nonce" content|name="csrf_token"[^>]*value)="[^"]*"',
                  r'\1=""', html)


def _answer(response) -> tuple[int, str, str, list[str]]:  # type: ignore[no-untyped-def]
    cookies = sorted(header.split("=", 1)[0] for header in response.headers.getlist("Set-Cookie"))
    return response.status_code, location(response), _without_csrf(page(response)), cookies


def test_sign_up_answers_the_same_for_a_known_and_an_unknown_address(app: Flask) -> None:
    candidate(app, "ada@example.com")
    known_client, unknown_client = app.test_client(), app.test_client()
    known = signup(known_client, "ada@example.com", "some new password 1")
    unknown = signup(unknown_client, "new@example.com", "some new password 1")
    assert _answer(known) == _answer(unknown)
    assert _answer(known_client.get(location(known))) == _answer(unknown_client.get(location(unknown)))
    # The difference goes only to the address's own mailbox.
    assert take_mail(app, "ada@example.com", "You already have an account")
    assert take_mail(app, "new@example.com", "Confirm your email address")


def test_a_reset_request_answers_the_same_for_a_known_and_an_unknown_address(app: Flask) -> None:
    candidate(app, "ada@example.com")
    known_client, unknown_client = app.test_client(), app.test_client()
    known = post(known_client, "/password/forgot", {"email": "ada@example.com"})
    unknown = post(unknown_client, "/password/forgot", {"email": "nobody@example.com"})
    assert _answer(known) == _answer(unknown)
    assert _answer(known_client.get(location(known))) == _answer(unknown_client.get(location(unknown)))
    assert [m["To"] for m in outbox(app, "account") if m["Subject"] == "Choose a new password"] == ["ada@example.com"]


# --- sign-up shows every error at once, and the rule before the first try (issue 10, point 10) ----


def test_sign_up_shows_every_fields_error_at_once(app: Flask) -> None:
    client = app.test_client()
    assert "using at least 4 different characters, and not your email address" in text(client.get("/signup"))
    response = signup(client, "not-an-email", "aaaaaaaaaaaa", "something else")
    assert response.status_code == 200
    assert field_errors(response, "email") == ["'not-an-email' is not a valid email address"]
    assert field_errors(response, "password") == ["the password must use at least 4 different characters"]
    assert field_errors(response, "confirm") == ["The passwords differ."]
    assert "Please correct the 3 fields marked below." in text(response)
    assert outbox(app, "account") == []


def test_a_new_candidate_can_fill_in_the_application_before_confirming(app: Flask) -> None:
    client = candidate(app, "ada@example.com", applied=False, verified=False)
    response = apply(client)
    assert response.status_code == 302 and location(response) == "/dashboard"


# --- possible duplicates, shown to admins (signals, never bans) -----------------------------------


def test_admins_see_possible_duplicates_and_nobody_is_blocked(app: Flask) -> None:
    browser = candidate(app, "ada.lovelace@gmail.com")
    post(browser, "/logout")
    # The same person again, on the same browser, with a Gmail variant of the same address.
    assert location(signup(browser, "AdaLovelace+again@gmail.com")) == "/signup/check-email"
    response = browser.get(mail_link(take_mail(app, "adalovelace+again@gmail.com", "Confirm your email address"),
                                     "/account/verify/"))
    assert response.status_code == 302
    assert login(browser, "adalovelace+again@gmail.com").status_code == 302
    assert apply(browser).status_code == 302  # the same name and country as the first account
    start(browser, "alpha-starter")  # never blocked
    other = candidate(app, "unrelated@example.org", applied=False)
    assert apply(other, full_name="Grace Hopper").status_code == 302

    admin = staff(app, "admin@example.com", "admin")
    with session_factory(app)() as session:
        ids = {u.email: u.id for u in session.scalars(select(User))}
    first, second = ids["ada.lovelace@gmail.com"], ids["adalovelace+again@gmail.com"]
    page_of_first = text(admin.get(f"/admin/candidates/{first}"))
    assert "Possible duplicate of" in page_of_first and "adalovelace+again@gmail.com" in page_of_first
    for reason in ("the same verified email address, once normalised", "logged in from the same browser",
                   "the same full name and country"):
        assert reason in page_of_first
    assert "ada.lovelace@gmail.com" in text(admin.get(f"/admin/candidates/{second}"))
    assert "None found" in text(admin.get(f"/admin/candidates/{ids['unrelated@example.org']}"))

    listed = text(admin.get("/admin/candidates?signals=y"))
    assert "2 candidates with possible duplicate accounts" in listed
    assert "ada.lovelace@gmail.com" in listed and "unrelated@example.org" not in listed
    assert "1 account</a>" in listed
    assert "unrelated@example.org" in text(admin.get("/admin/candidates"))
