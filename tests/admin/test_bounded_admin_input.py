"""Out-of-range numbers, oversized text and hostile files in the question editor and the bank import:
a 4xx with the problem next to its field, and nothing written."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from quiz.bank.limits import MAX_TRACKS_FILE_BYTES
from quiz.question_types.limits import MAX_LONG_TEXT
from tests.admin.test_bank_admin import counts, upload
from tests.admin.test_questions import COMMON, NEW_QUESTIONS, Client, errors_of, new_url


@pytest.fixture
def admin(admin_client: FlaskClient, db: Session) -> Client:
    return Client(admin_client, db)


@pytest.mark.parametrize("points, message", [
    ("1e309", "Must be greater than 0 and at most 100"),  # before: decimal.InvalidOperation, a 500
    ("1" + "0" * 400, "Must be greater than 0 and at most 100"),
    ("-0", "Must be greater than 0 and at most 100"),
    ("NaN", "Must be a number, e.g. 1 or 2.5"),
    ("Infinity", "Must be a number, e.g. 1 or 2.5"),
    ("1e-999999", "Must have at most 2 decimal places"),
])
def test_out_of_range_points_are_refused_next_to_the_field(admin: Client, db: Session, points: str,
                                                           message: str) -> None:
    before = counts(db)
    fields, _expected = NEW_QUESTIONS["true_false"]
    response = admin.post(new_url("alpha", "true_false"),
                          data={**COMMON, "key": "new-q", **fields, "points": points})
    assert response.status_code == 422
    assert errors_of(response.get_data(as_text=True), "points") == [message]
    assert counts(db) == before


def test_a_prompt_past_its_cap_is_refused_next_to_the_field(admin: Client, db: Session) -> None:
    before = counts(db)
    fields, _expected = NEW_QUESTIONS["single_choice"]
    response = admin.post(new_url("alpha", "single_choice"),
                          data={**COMMON, "key": "new-q", **fields, "prompt": "x" * 100_000})
    assert response.status_code == 422
    assert errors_of(response.get_data(as_text=True), "prompt") == [
        f"Is 100,000 characters long; at most {MAX_LONG_TEXT:,} are allowed"]
    assert counts(db) == before


def test_an_upload_of_deeply_nested_yaml_is_a_422_listing_the_error(admin_client: FlaskClient, db: Session) -> None:
    before = counts(db)
    response = upload(admin_client, {"alpha.yaml": "format: 1\ntrack: alpha\nquestions: " + "[" * 20_000})
    assert response.status_code == 422
    assert "nested more than 20 levels deep" in response.get_data(as_text=True)
    assert counts(db) == before


def test_an_oversized_tracks_file_is_a_413_before_it_is_parsed(admin_client: FlaskClient, db: Session) -> None:
    before = counts(db)
    response = upload(admin_client, {"tracks.yaml": "format: 1\n" + "# filler\n" * (MAX_TRACKS_FILE_BYTES // 9 + 1)})
    assert response.status_code == 413
    assert f"a bank file holds at most {MAX_TRACKS_FILE_BYTES:,} bytes" in response.get_data(as_text=True)
    assert counts(db) == before
