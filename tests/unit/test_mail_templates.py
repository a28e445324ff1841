"""Mail templates render without Flask: HTML escaped, plain text as typed, a missing value an error."""

from __future__ import annotations

from decimal import Decimal

import pytest
from jinja2 import UndefinedError

from quiz.mail_templates import render_mail

RECEIPT = {"title": "Alpha starter", "dashboard_url": "https://quiz.example.org/dashboard",
           "submitted_at": "2026-03-02 09:05:00 UTC", "timed_out": False, "answered": 3, "total": 4,
           "decided": False, "waits_for_grader": True}


def test_a_hostile_name_is_escaped_in_html_and_kept_as_typed_in_text() -> None:
    text, html = render_mail("receipt", name='<script>alert("x")</script> & Co', **RECEIPT)
    assert text.startswith('Dear <script>alert("x")</script> & Co,\n')
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; Co" in html


def test_without_a_name_the_greeting_is_neutral() -> None:
    text, html = render_mail("receipt", name=None, **RECEIPT)
    assert text.startswith("Hello,\n") and "<p>Hello,</p>" in html


def test_a_missing_value_is_an_error_not_an_empty_gap() -> None:
    with pytest.raises(UndefinedError):
        render_mail("receipt", name=None, **{k: v for k, v in RECEIPT.items() if k != "answered"})


@pytest.mark.parametrize(("value", "shown"), [(Decimal("52.39"), "52.39 %"), (Decimal("70.00"), "70 %"),
                                              (Decimal("100.00"), "100 %")])
def test_percentages_are_shown_without_trailing_zeros(value: Decimal, shown: str) -> None:
    text, _html = render_mail("decision", name=None, title="T", dashboard_url="u", decision="fail", reviewed=False,
                              revised=False, by_theta=False, score=value, pass_mark=Decimal("99.50"), starter=True,
                              track="Alpha",
                              tier_name=None, hourly_rate=None, current_tier=None)
    assert f"Your score was {shown}, below the pass mark of 99.5 %" in text
