"""Account services on both engines: tokens, server-side sessions, verification before a start,
and the duplicate-account signals (recorded, shown, never blocking)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.assessment.errors import NotEligible
from quiz.assessment.services import check_can_start, start_attempt
from quiz.auth import duplicates, tokens
from quiz.auth.identity import canonical_email, name_country_key
from quiz.auth.services import TokenSettings, log_in, verify_email
from quiz.auth.sessions import SessionLimits, check_session, end_all_sessions, end_session, start_session
from quiz.candidates.services import save_application
from quiz.models import AccountSignal
from tests.services.conftest import T0, assessment, candidate

SECRET = "a-test-secret-of-enough-length"
SETTINGS = TokenSettings(SECRET, verify_valid_for=timedelta(hours=48), reset_valid_for=timedelta(minutes=60))
LIMITS = SessionLimits(idle=timedelta(minutes=60), lifetime=timedelta(hours=48))
APPLICATION = {"full_name": "Ada Lovelace", "country": "Portugal", "time_zone": "UTC", "education": "Doctorate",
               "expertise": ["maths"], "languages": [{"language": "English", "proficiency": "native"}],
               "hours_per_week": 10}


@pytest.mark.parametrize(("raw", "canonical"), [
    ("Ada.Lovelace+quiz@Gmail.com", "adalovelace@gmail.com"),
    ("a.d.a@googlemail.com", "ada@gmail.com"),
    ("ada.lovelace+tag@example.org", "ada.lovelace@example.org"),  # dots matter outside Gmail
    ("ADA@Example.ORG", "ada@example.org"),
    ("+only@example.org", "+only@example.org"),  # nothing left before the tag: kept as it is
])
def test_canonical_email_rules(raw: str, canonical: str) -> None:
    assert canonical_email(raw) == canonical


def test_name_and_country_fold_case_accents_and_spaces() -> None:
    assert name_country_key("  José   Núñez ", "PORTUGAL") == name_country_key("jose nunez", "Portugal")
    assert name_country_key("José Núñez", "Spain") != name_country_key("José Núñez", "Portugal")
    assert name_country_key("", "Portugal") is None


# --- sessions -------------------------------------------------------------------------------------


def test_a_session_is_good_until_ended_idle_or_too_old(session: Session) -> None:
    user = candidate(session)
    token = start_session(session, user, T0)
    assert check_session(session, token, T0 + timedelta(minutes=59), LIMITS).record is not None
    assert check_session(session, token, T0 + timedelta(minutes=60), LIMITS).ended_because == "idle"
    assert check_session(session, "made-up", T0, LIMITS).ended_because == "unknown"
    end_session(session, token, T0 + timedelta(minutes=1))
    assert check_session(session, token, T0 + timedelta(minutes=2), LIMITS).ended_because == "logout"


def test_ending_all_sessions_ends_only_that_users(session: Session) -> None:
    ada, bob = candidate(session, "ada@example.com"), candidate(session, "bob@example.com")
    ada_tokens = [start_session(session, ada, T0) for _ in range(2)]
    bob_token = start_session(session, bob, T0)
    assert end_all_sessions(session, ada, T0, "password_changed") == 2
    assert {check_session(session, t, T0, LIMITS).ended_because for t in ada_tokens} == {"password_changed"}
    assert check_session(session, bob_token, T0, LIMITS).record is not None


# --- tokens ---------------------------------------------------------------------------------------


def test_a_verification_token_is_single_use_expiring_and_for_one_user(session: Session) -> None:
    ada, bob = candidate(session, "ada@example.com", verified=False), candidate(session, "bob@example.com",
                                                                                 verified=False)
    token = tokens.make_token(SECRET, tokens.VERIFY_EMAIL, ada, T0)
    _, fingerprint = tokens.token_user_id(SECRET, tokens.VERIFY_EMAIL, token, T0, timedelta(hours=1))
    assert not tokens.matches(tokens.VERIFY_EMAIL, bob, fingerprint)
    with pytest.raises(tokens.InvalidToken) as expired:
        verify_email(session, token, T0 + timedelta(hours=48, seconds=1), SETTINGS)
    assert expired.value.expired
    with pytest.raises(tokens.InvalidToken):  # a reset link is not a verification link
        verify_email(session, tokens.make_token(SECRET, tokens.RESET_PASSWORD, ada, T0), T0, SETTINGS)
    assert verify_email(session, token, T0 + timedelta(hours=1), SETTINGS) is ada
    assert ada.email_verified_at == T0 + timedelta(hours=1) and bob.email_verified_at is None
    with pytest.raises(tokens.InvalidToken):
        verify_email(session, token, T0 + timedelta(hours=2), SETTINGS)


# --- verification before a start ----------------------------------------------------------------


def test_an_unverified_candidate_cannot_start(bank: Session) -> None:
    user = candidate(bank, verified=False)
    with pytest.raises(NotEligible, match="Confirm your email address before you take an assessment"):
        start_attempt(bank, user, assessment(bank, "alpha-starter"), T0)
    user.email_verified_at = T0
    check_can_start(bank, user, assessment(bank, "alpha-starter"))


# --- duplicate signals ----------------------------------------------------------------------------


def _reasons(session: Session, user_id: int) -> set[tuple[int, str]]:
    return {(s.other_user_id, s.reason) for s in session.scalars(
        select(AccountSignal).where(AccountSignal.user_id == user_id))}


def test_the_same_verified_address_once_normalised_is_a_signal_both_ways(session: Session) -> None:
    first = candidate(session, "ada.lovelace@gmail.com", applied=False)
    second = candidate(session, "AdaLovelace+retake@googlemail.com", verified=False, applied=False)
    duplicates.refresh_signals(session, second, T0)
    assert _reasons(session, second.id) == set()  # not verified yet: no signal
    verify_email(session, tokens.make_token(SECRET, tokens.VERIFY_EMAIL, second, T0), T0, SETTINGS)
    assert _reasons(session, second.id) == {(first.id, "email")}
    assert _reasons(session, first.id) == {(second.id, "email")}
    [found] = duplicates.possible_duplicates(session, first)
    assert found.other is second and found.reason_texts == ["the same verified email address, once normalised"]


def test_the_same_name_country_and_device_are_signals_and_block_nothing(bank: Session) -> None:
    first = candidate(bank, "ada@example.com", applied=False)
    second = candidate(bank, "someone.else@example.net", applied=False)
    log_in(bank, first, T0, "the-same-browser-device-cookie-value-0123")
    log_in(bank, second, T0, "the-same-browser-device-cookie-value-0123")
    save_application(bank, first, APPLICATION, T0)
    save_application(bank, second, {**APPLICATION, "full_name": "  ada LOVELACE "}, T0)
    assert _reasons(bank, first.id) == {(second.id, "device"), (second.id, "name_country")}
    [found] = duplicates.possible_duplicates(bank, second)
    assert set(found.reasons) == {"device", "name_country"}
    assert duplicates.signal_counts(bank, [first.id, second.id]) == {first.id: 1, second.id: 1}
    # Signals, never bans: both may still start their one starter.
    start_attempt(bank, first, assessment(bank, "alpha-starter"), T0)
    start_attempt(bank, second, assessment(bank, "alpha-starter"), T0)


def test_other_browsers_and_other_names_give_no_signal(bank: Session) -> None:
    first, second = candidate(bank, "ada@example.com", applied=False), candidate(bank, "bob@example.com",
                                                                                  applied=False)
    log_in(bank, first, T0, "device-cookie-of-the-first-browser-0000001")
    log_in(bank, second, T0, "device-cookie-of-the-second-browser-000002")
    log_in(bank, second, T0, None)  # a browser that sent no device cookie
    save_application(bank, first, APPLICATION, T0)
    save_application(bank, second, {**APPLICATION, "country": "Spain"}, T0)
    assert _reasons(bank, first.id) == set() and _reasons(bank, second.id) == set()
