"""The product's uniqueness rules hold in the database itself, on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests.factories import T0, make_attempt, make_track, make_user


def _starter(track):  # type: ignore[no-untyped-def]
    return next(a for a in track.assessments if a.kind == "starter")


def _specialist(track):  # type: ignore[no-untyped-def]
    return next(a for a in track.assessments if a.kind == "specialist")


def test_a_second_starter_attempt_fails_at_the_database(session: Session) -> None:
    general, coding = make_track(session, "general"), make_track(session, "coding")
    candidate = make_user(session)
    make_attempt(session, candidate, _starter(general))
    with pytest.raises(IntegrityError):
        make_attempt(session, candidate, _starter(coding))


def test_the_same_assessment_twice_fails_at_the_database(session: Session) -> None:
    track = make_track(session)
    candidate = make_user(session)
    make_attempt(session, candidate, _specialist(track))
    with pytest.raises(IntegrityError):
        make_attempt(session, candidate, _specialist(track))


def test_a_voided_attempt_frees_exactly_one_more_start(session: Session) -> None:
    track = make_track(session)
    candidate = make_user(session)
    first = make_attempt(session, candidate, _starter(track))
    first.status, first.voided_at, first.voided_reason = "voided", T0, "server outage during the attempt"
    session.flush()
    make_attempt(session, candidate, _starter(track))  # allowed once more
    with pytest.raises(IntegrityError):
        make_attempt(session, candidate, _starter(track))


def test_other_candidates_and_specialists_are_not_limited(session: Session) -> None:
    general, coding = make_track(session, "general"), make_track(session, "coding")
    alice, bob = make_user(session), make_user(session)
    make_attempt(session, alice, _starter(general))
    make_attempt(session, bob, _starter(general))
    make_attempt(session, alice, _specialist(coding))
    make_attempt(session, alice, _specialist(general))
    session.commit()


def test_voided_status_and_voided_time_go_together(session: Session) -> None:
    track = make_track(session)
    candidate = make_user(session)
    attempt = make_attempt(session, candidate, _starter(track))
    attempt.status = "voided"  # without voided_at: refused
    with pytest.raises(IntegrityError):
        session.flush()


def test_an_attempt_cannot_pretend_to_be_of_another_kind(session: Session) -> None:
    """The one-starter index reads the attempt's copy of the kind; the database keeps it honest."""
    track = make_track(session)
    attempt = make_attempt(session, make_user(session), _specialist(track))
    assert attempt.assessment_kind == "specialist"
    attempt.assessment_kind = "starter"
    with pytest.raises(IntegrityError):
        session.flush()
