"""Accounts: sign-up, log-in, log-out, log-in required, safe `next=`, rate limits and CSRF."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import AppFactory
from tests.web.support import (
    PASSWORD,
    candidate,
    csrf_token,
    field_errors,
    flashes,
    item_types,
    location,
    login,
    outbox,
    login_next,
    page,
    post,
    save,
    signup,
    staff,
    start,
    stored,
    text,
)

CANDIDATE_PAGES = ["/dashboard", "/application", "/assessments/alpha-starter", "/attempts/1/q/1",
                   "/attempts/1/review", "/attempts/1/state", "/attempts/1/results/some-token"]


@pytest.mark.parametrize("url", CANDIDATE_PAGES)
def test_anonymous_users_are_sent_to_log_in(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert login_next(response) == url


@pytest.mark.parametrize("url", ["/attempts/1/answers/1", "/attempts/1/flags/1", "/attempts/1/submit",
                                 "/attempts/1/results/open", "/assessments/alpha-starter"])
def test_anonymous_writes_are_sent_to_log_in(client: FlaskClient, url: str) -> None:
    response = client.post(url, data={"choice": "a"})
    assert response.status_code == 302 and login_next(response) == url


def test_an_autosave_without_a_session_gets_a_json_401_not_a_redirect(client: FlaskClient) -> None:
    """A redirect would be followed by fetch() to an HTML page that looks like success."""
    response = client.post("/attempts/1/answers/1", json={"fields": {"choice": "1"}, "seq": 1})
    assert response.status_code == 401 and response.get_json()["logged_out"] is True
    assert "Log in again" in response.get_json()["error"]


def test_log_in_returns_to_the_page_asked_for(app: Flask) -> None:
    candidate(app, "ada@example.com")
    client = app.test_client()
    redirected = client.get("/application")
    response = client.get(location(redirected))
    assert "Please log in to continue." in flashes(response)
    response = login(client, "ada@example.com", next_url="/application")
    assert response.status_code == 302 and location(response) == "/application"
    assert client.get("/application").status_code == 200


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil", "http:/evil.example",
                                    "///evil.example", "javascript:alert(1)", "evil.example"])
def test_next_redirects_only_to_this_site(app: Flask, target: str) -> None:
    candidate(app, "ada@example.com")
    client = app.test_client()
    response = client.post("/login", query_string={"next": target},
                           data={"email": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert location(response) == "/dashboard"
    # Already logged in: the log-in page redirects by the same rule.
    again = client.get("/login", query_string={"next": target})
    assert again.status_code == 302 and location(again) == "/dashboard"


def test_signup_mails_a_confirmation_link_and_the_account_logs_in(app: Flask) -> None:
    client = app.test_client()
    response = signup(client, "  Ada@Example.COM ")
    assert response.status_code == 302 and location(response) == "/signup/check-email"
    assert "We sent a message to the address you gave" in text(client.get("/signup/check-email"))
    [mail] = outbox(app, "account")
    assert mail["To"] == "ada@example.com" and mail["Subject"] == "Confirm your email address"
    assert "http://localhost/account/verify/" in mail.get_content()
    response = login(client, "ada@example.com")
    assert response.status_code == 302 and location(response) == "/dashboard"
    response = client.get("/dashboard")
    assert "complete your application" in text(response)
    assert "ada@example.com" in page(response)  # stored normalised, shown in the header


@pytest.mark.parametrize(("password", "confirm", "field", "message"), [
    ("short", "short", "password", "the password must have at least 10 characters"),
    ("aaaaaaaaaaaa", "aaaaaaaaaaaa", "password", "the password must use at least 4 different characters"),
    ("ada@example.com", "ada@example.com", "password", "the password must not be your email address"),
    (PASSWORD, PASSWORD + "x", "confirm", "The passwords differ."),
    (PASSWORD, "", "confirm", "This field is required."),
])
def test_signup_rejects_weak_or_mismatched_passwords_next_to_the_field(
        client: FlaskClient, password: str, confirm: str, field: str, message: str) -> None:
    response = signup(client, "ada@example.com", password, confirm)
    assert response.status_code == 200
    assert message in field_errors(response, field)
    assert login(client, "ada@example.com", password).status_code == 200  # no account was made


@pytest.mark.parametrize("address", ["not-an-email", "ada@localhost", "ada @example.com"])
def test_signup_rejects_a_bad_email_next_to_the_field(client: FlaskClient, address: str) -> None:
    response = signup(client, address)
    assert response.status_code == 200
    assert f"'{address.strip()}' is not a valid email address" in field_errors(response, "email")


def test_signup_with_a_taken_email_whatever_its_case_mails_the_owner_and_makes_nothing(app: Flask) -> None:
    candidate(app, "ada@example.com", applied=False)
    before = len(outbox(app, "account"))
    response = signup(app.test_client(), " ADA@Example.com", "another password 42")
    assert response.status_code == 302 and location(response) == "/signup/check-email"
    [mail] = outbox(app, "account")[before:]
    assert mail["To"] == "ada@example.com" and mail["Subject"] == "You already have an account"
    assert login(app.test_client(), "ada@example.com", "another password 42").status_code == 200  # unchanged
    assert login(app.test_client(), "ada@example.com").status_code == 302


def test_signed_in_users_are_sent_away_from_signup(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    response = client.get("/signup")
    assert response.status_code == 302 and location(response) == "/dashboard"


@pytest.mark.parametrize(("email", "password"), [("ada@example.com", "wrong password 123"),
                                                 ("nobody@example.com", PASSWORD),
                                                 ("not an email", PASSWORD)])
def test_log_in_failure_gives_one_generic_message(app: Flask, email: str, password: str) -> None:
    candidate(app, "ada@example.com")
    client = app.test_client()
    response = login(client, email, password)
    assert response.status_code == 200
    assert field_errors(response, "password") == ["The email or the password is wrong."]
    assert field_errors(response, "email") == []
    assert client.get("/dashboard").status_code == 302  # still anonymous


def test_log_in_ignores_the_email_case_and_log_out_ends_the_session(app: Flask) -> None:
    candidate(app, "ada@example.com")
    client = app.test_client()
    response = login(client, "  ADA@example.com ")
    assert response.status_code == 302 and location(response) == "/dashboard"
    assert client.get("/dashboard").status_code == 200

    response = post(client, "/logout", follow_redirects=True)
    assert "You are logged out." in flashes(response)
    assert client.get("/dashboard").status_code == 302
    assert client.get("/logout").status_code == 405  # log-out is a POST only


@pytest.mark.parametrize("role", ["grader", "admin"])
def test_staff_roles_get_403_on_candidate_pages(app: Flask, role: str) -> None:
    owner = candidate(app, "ada@example.com")
    attempt_id = start(owner, "alpha-starter")
    client = staff(app, f"{role}@example.com", role)
    for url in ["/dashboard", "/application", "/assessments/alpha-starter", f"/attempts/{attempt_id}/q/1",
                f"/attempts/{attempt_id}/review"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "You do not have access to this page." in text(response)
    assert client.post("/assessments/alpha-starter", data={"understood": "y"}).status_code == 403
    assert client.post(f"/attempts/{attempt_id}/answers/1",
                       json={"fields": {"choice": "b"}, "seq": 5}).status_code == 403
    assert client.post(f"/attempts/{attempt_id}/submit", data={"confirm": "y"}).status_code == 403
    assert stored(app, attempt_id)["status"] == "in_progress"
    assert stored(app, attempt_id)["items"][1] == (None, False, 0)


# --- rate limits -------------------------------------------------------------------------------


@pytest.fixture
def limited_app(make_app: AppFactory) -> Flask:
    return make_app(RATELIMIT_ENABLED=True)


def test_the_eleventh_log_in_within_a_minute_is_refused_with_a_clear_message(limited_app: Flask) -> None:
    candidate(limited_app, "ada@example.com")  # its one log-in POST counts towards the ten
    client = limited_app.test_client()
    for attempt in range(9):
        response = login(client, "ada@example.com", "wrong password 123")
        assert response.status_code == 200, attempt
    response = login(client, "ada@example.com", PASSWORD)  # even the right password
    assert response.status_code == 429
    body = text(response)
    assert "Too many attempts in a short time. Please wait a minute and try again" in body
    assert "10 per 1 minute" in body
    assert client.get("/dashboard").status_code == 302  # not logged in
    assert client.get("/login").status_code == 200  # reading the page is not limited


def test_sign_up_is_rate_limited_too(limited_app: Flask) -> None:
    client = limited_app.test_client()
    for n in range(10):
        assert signup(client, f"user{n}@example.com", "short", "short").status_code == 200
    response = signup(client, "late@example.com")
    assert response.status_code == 429
    assert "Too many attempts in a short time." in text(response)


# --- CSRF ----------------------------------------------------------------------------------------


@pytest.fixture
def csrf_app(make_app: AppFactory) -> Flask:
    return make_app(WTF_CSRF_ENABLED=True)


@pytest.mark.parametrize("url", ["/login", "/signup"])
def test_a_form_post_without_the_token_is_refused(csrf_app: Flask, url: str) -> None:
    client = csrf_app.test_client()
    response = client.post(url, data={"email": "ada@example.com", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 400
    assert "This form has expired or was sent from elsewhere. Reload the page and try again." in text(response)
    response = client.post(url, data={"email": "ada@example.com", "password": PASSWORD, "confirm": PASSWORD,
                                      "csrf_token": "forged"})
    assert response.status_code == 400


def test_the_pages_work_with_the_token(csrf_app: Flask) -> None:
    client = candidate(csrf_app, "ada@example.com")  # support.post adds the page's token
    assert client.get("/dashboard").status_code == 200


def test_a_json_save_without_the_csrf_header_is_refused_and_not_saved(csrf_app: Flask) -> None:
    client = candidate(csrf_app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    url = f"/attempts/{attempt_id}/answers/1"

    response = client.post(url, json={"fields": {"choice": "b"}, "seq": 1})
    assert response.status_code == 400
    response = client.post(url, json={"fields": {"choice": "b"}, "seq": 1}, headers={"X-CSRFToken": "forged"})
    assert response.status_code == 400
    assert stored(csrf_app, attempt_id)["items"][1] == (None, False, 0)

    response = save(client, attempt_id, 1, {"choice": "b"}, 1)  # with the page's token in X-CSRFToken
    assert response.status_code == 200 and response.get_json()["saved"] is True
    assert stored(csrf_app, attempt_id)["items"][1][0] == "b"


def test_a_no_js_answer_or_submit_without_the_token_changes_nothing(csrf_app: Flask) -> None:
    client = candidate(csrf_app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    assert item_types(csrf_app, attempt_id)[1] == "single_choice"
    response = client.post(f"/attempts/{attempt_id}/q/1", data={"choice": "a", "flagged": "on"})
    assert response.status_code == 400
    assert "This form has expired" in text(response)
    response = client.post(f"/attempts/{attempt_id}/submit", data={"confirm": "y"})
    assert response.status_code == 400
    response = client.post("/assessments/beta-starter", data={"understood": "y"})
    assert response.status_code == 400
    state = stored(csrf_app, attempt_id)
    assert state["status"] == "in_progress" and state["items"][1] == (None, False, 0)
    assert csrf_token(client)  # the page still offers a fresh token
