"""The attempt page's JSON autosave, and the application form."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from quiz.extensions import session_factory
from quiz.models import CandidateApplication, User
from tests.fuzz.conftest import FUZZ
from tests.fuzz.strategies import deep_json, hostile_text, json_values
from tests.web.support import APPLICATION, candidate, post, start, stored

FIELD_NAMES = ["choice", "value", "text", "rank_1", "rank_2", "better", "rating_a", "rating_b", "justification", "x"]

payloads = st.one_of(
    json_values().map(json.dumps),
    deep_json(),
    st.binary(max_size=300),
    st.fixed_dictionaries({
        "fields": st.dictionaries(st.sampled_from(FIELD_NAMES),
                                  st.one_of(hostile_text(), st.lists(hostile_text(), max_size=3), json_values()),
                                  max_size=4),
        "seq": st.one_of(st.integers(min_value=-2, max_value=2**60), json_values())}).map(json.dumps),
)


@pytest.fixture
def attempt(app: Flask) -> tuple[FlaskClient, int]:
    client = candidate(app, "ada@example.com")
    return client, start(client, "alpha-starter")


@FUZZ
@given(position=st.integers(min_value=0, max_value=6), body=payloads)
def test_autosave_never_fails_and_a_refused_save_writes_nothing(
        app: Flask, attempt: tuple[FlaskClient, int], position: int, body: str | bytes) -> None:
    client, attempt_id = attempt
    before = stored(app, attempt_id)
    response = client.post(f"/attempts/{attempt_id}/answers/{position}", data=body, content_type="application/json")
    assert response.status_code in (200, 400, 404, 413, 422), response.status_code
    if response.status_code != 200:
        assert stored(app, attempt_id) == before
    if response.is_json:
        assert set(response.get_json()) >= ({"error"} if response.status_code != 200 else {"saved"})


def _application_of(app: Flask, email: str) -> dict | None:
    with session_factory(app)() as session:
        user = session.scalar(select(User).where(User.email == email))
        row = session.scalar(select(CandidateApplication).where(CandidateApplication.user_id == user.id))
        return None if row is None else {c.name: getattr(row, c.name) for c in CandidateApplication.__table__.columns}


@pytest.fixture
def applicant(app: Flask) -> FlaskClient:
    """A signed-up candidate without an application yet (the property's examples share it)."""
    return candidate(app, "applicant@example.com", applied=False)


APPLICATION_FIELDS = [*APPLICATION, "languages-1-language", "languages-1-proficiency", "languages-9-language",
                      "languages-11-language", "languages-0-extra"]


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(APPLICATION_FIELDS), hostile_text(), max_size=4),
       dropped=st.lists(st.sampled_from(list(APPLICATION)), max_size=2))
def test_the_application_form_never_fails_and_a_refusal_writes_nothing(
        app: Flask, applicant: FlaskClient, changes: dict[str, str], dropped: list[str]) -> None:
    client = applicant
    before = _application_of(app, "applicant@example.com")
    data = {k: v for k, v in {**APPLICATION, **changes}.items() if k not in dropped}
    response = post(client, "/application", data)
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code != 302:
        assert _application_of(app, "applicant@example.com") == before

