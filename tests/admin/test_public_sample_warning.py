"""The admin overview warns while the public sample questions are active."""

from __future__ import annotations

from flask import Flask

from quiz.bank.load import load_bank
from quiz.bank.sync import sync_bank
from quiz.extensions import session_factory
from quiz.paths import question_bank_dir

WARNING = "are the public sample bank shipped with quiz"


def test_the_admin_overview_warns_while_sample_questions_are_active(app: Flask, admin_client, grader_client) -> None:  # type: ignore[no-untyped-def]
    assert WARNING not in admin_client.get("/admin/").get_data(as_text=True)  # the small private bank
    with session_factory(app)() as session:
        sync_bank(session, load_bank(question_bank_dir()))
        session.commit()
    body = admin_client.get("/admin/").get_data(as_text=True)
    assert 'id="public-sample-bank"' in body and WARNING in body
    assert WARNING not in grader_client.get("/admin/").get_data(as_text=True)  # graders cannot change the bank
