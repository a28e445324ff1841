"""Found by the hostile-strings suite: an assessment title with U+2028 (a line separator) passed the
"single line" rule, and every decision mail of that assessment then failed to build (its subject)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from flask import Flask

from quiz.bank.load import load_bank
from datetime import UTC, datetime

from quiz.mail import Mail, build_message
from tests.services.conftest import write_small_bank
from tests.web.support import staff

BREAKS = ["\u2028", "\u2029", "\x0b", "\x0c", "\x1e", "\r"]  # (YAML itself folds U+0085 into a space)


@pytest.mark.parametrize("line_break", BREAKS, ids=[f"U+{ord(b):04X}" for b in BREAKS])
def test_the_bank_refuses_a_title_with_any_line_break(tmp_path: Path, line_break: str) -> None:
    folder = write_small_bank(tmp_path / "bank")
    tracks = yaml.safe_load((folder / "tracks.yaml").read_text())
    tracks["tracks"][0]["assessments"][0]["title"] = f"Alpha{line_break}starter"
    (folder / "tracks.yaml").write_text(yaml.safe_dump(tracks, allow_unicode=True))
    assert [str(e) for e in load_bank(folder).errors if "title" in str(e) and "single line" in str(e)]


@pytest.mark.parametrize("line_break", ["\u2028", "\x85"])
def test_the_settings_form_refuses_a_title_with_any_line_break(app: Flask, line_break: str) -> None:
    from tests.security.page_forms import form_fields

    admin = staff(app, "boss@example.com", "admin")
    url = "/admin/settings/assessments/alpha-starter"
    fields = {**form_fields(admin.get(url).get_data(as_text=True), url), "title": f"Alpha{line_break}starter"}
    response = admin.post(url, data=fields)
    assert response.status_code in (200, 422) and "Must be a single line." in response.get_data(as_text=True)


def test_a_subject_with_a_line_separator_still_makes_a_mail() -> None:
    message = build_message("quiz@example.com", Mail(to="ada@example.com", subject="Your result: A\u2028B", body="Hi"),
                            token="0123abcd", date=datetime(2026, 1, 5, tzinfo=UTC))
    assert message["Subject"] == "Your result: A B"


@pytest.mark.parametrize(("where", "size"), [("tier name", 100), ("track name", 100), ("assessment title", 200)])
def test_the_bank_refuses_names_longer_than_their_columns(tmp_path: Path, where: str, size: int) -> None:
    """Also found by the suite: on PostgreSQL a 101-character tier name in an upload was a 500."""
    folder = write_small_bank(tmp_path / "bank")
    tracks = yaml.safe_load((folder / "tracks.yaml").read_text())
    node = {"tier name": tracks["tiers"][0], "track name": tracks["tracks"][0],
            "assessment title": tracks["tracks"][0]["assessments"][0]}[where]
    name = "title" if where == "assessment title" else "name"
    node[name] = "x" * size
    (folder / "tracks.yaml").write_text(yaml.safe_dump(tracks))
    assert load_bank(folder).ok
    node[name] = "x" * (size + 1)
    (folder / "tracks.yaml").write_text(yaml.safe_dump(tracks))
    assert [str(e) for e in load_bank(folder).errors] == [
        next(str(e) for e in load_bank(folder).errors if f"at most {size:,} are allowed" in str(e))]
