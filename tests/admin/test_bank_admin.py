"""Bank import (dry run, confirm) and export through the web; tier, track and assessment settings."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quiz.assessment.services import save_answer, start_attempt, submit_attempt
from quiz.bank.export import export_bank
from quiz.clock import FrozenClock
from quiz.db import set_immediate_transactions
from quiz.extensions import set_clock
from quiz.models import AuditEntry, Question, QuestionVersion, Tier, Track, User
from tests.services.conftest import GRACE, T0, assessment, candidate

# --- helpers ---------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_leaked_write_locks() -> object:
    """A test request that writes leaves this thread's SQLite transactions taking the write lock
    (quiz.db's context variable outlives the request in the test client): a test's own session
    would then block the next request. Start and leave each test with the default."""
    set_immediate_transactions(False)
    yield
    set_immediate_transactions(False)


def counts(db: Session) -> dict[str, int]:
    # A fresh snapshot before (the web requests commit in their own sessions), and no transaction left
    # open after: once a test request has run, this thread's SQLite transactions take the write lock.
    db.rollback()
    found = {
        "questions": db.scalar(select(func.count()).select_from(Question)),
        "active": db.scalar(select(func.count()).select_from(Question).where(Question.status == "active")),
        "versions": db.scalar(select(func.count()).select_from(QuestionVersion)),
        "audit": db.scalar(select(func.count()).select_from(AuditEntry)),
    }
    db.rollback()
    return found


def upload(client: FlaskClient, files: dict[str, str | bytes], **extra: object):  # type: ignore[no-untyped-def]
    data: dict[str, object] = {"files": [(io.BytesIO(text.encode() if isinstance(text, str) else text), name)
                                         for name, text in files.items()], **extra}
    return client.post("/admin/bank/import", data=data, content_type="multipart/form-data")


def token_of(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def exported(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def changed_alpha(client: FlaskClient) -> str:
    """alpha.yaml as exported, with a-0 reworded, a-5 gone and a-new added."""
    doc = yaml.safe_load(exported(client, "/admin/bank/export/alpha"))
    questions = doc["questions"]
    questions[0]["prompt"] = "Question a-0, reworded: which is right?"
    doc["questions"] = [q for q in questions if q["key"] != "a-5"] + [
        {**questions[1], "key": "a-new", "prompt": "A new question: which is right?"}]
    return yaml.safe_dump(doc, sort_keys=False)


def imports_dir(app: Flask) -> Path:
    return Path(app.instance_path) / "imports"


def staged(app: Flask) -> list[Path]:
    root = imports_dir(app)
    return sorted(root.iterdir()) if root.exists() else []


# --- import: dry run, confirm ----------------------------------------------------------------------


def test_import_page_offers_upload_and_every_export(admin_client: FlaskClient) -> None:
    html = admin_client.get("/admin/bank/import").get_data(as_text=True)
    assert "<h1>Import and export the question bank</h1>" in html
    assert 'type="file"' in html and "multiple" in html and 'enctype="multipart/form-data"' in html
    for url in ("/admin/bank/export/alpha", "/admin/bank/export/beta", "/admin/bank/tracks.yaml",
                "/admin/bank/export.zip"):
        assert url in html


def test_dry_run_shows_the_changes_and_writes_nothing(app: Flask, admin_client: FlaskClient, db: Session) -> None:
    text = changed_alpha(admin_client)
    before = counts(db)
    response = upload(admin_client, {"alpha.yaml": text})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Import preview (dry run)" in html
    assert re.search(r"Added \(1\).*a-new", html, re.S)
    assert re.search(r"New versions \(1\).*a-0", html, re.S)
    assert re.search(r"Retired \(1\).*a-5", html, re.S)
    assert "Confirm import" in html
    assert counts(db) == before
    assert db.scalar(select(Question.status).where(Question.key == "a-5")) == "active"
    assert len(staged(app)) == 1  # kept for the confirmation, in a private folder
    assert staged(app)[0].stat().st_mode & 0o077 == 0


def test_confirm_applies_the_previewed_import_once(app: Flask, admin_client: FlaskClient, db: Session) -> None:
    before = counts(db)
    token = token_of(upload(admin_client, {"alpha.yaml": changed_alpha(admin_client)}).get_data(as_text=True))
    response = admin_client.post("/admin/bank/import/confirm", data={"token": token})
    assert response.status_code == 302
    html = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported alpha.yaml: 1 added, 1 new versions, 1 retired" in html

    after = counts(db)
    assert after["questions"] == before["questions"] + 1
    assert after["versions"] == before["versions"] + 2
    assert after["active"] == before["active"]  # one added, one retired
    assert after["audit"] == before["audit"] + 1
    entry = db.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    admin = db.scalar(select(User).where(User.email == "admin@example.com"))
    assert (entry.action, entry.actor_id) == ("bank.import", admin.id)
    assert entry.after["added"] == ["a-new"] and entry.after["retired"] == ["a-5"]
    # Only alpha was uploaded: beta is untouched.
    assert db.scalar(select(func.count()).select_from(Question).join(Track)
                     .where(Track.key == "beta", Question.status == "retired")) == 0
    assert staged(app) == []
    db.rollback()

    again = admin_client.post("/admin/bank/import/confirm", data={"token": token}, follow_redirects=True)
    assert "no longer available" in again.get_data(as_text=True)
    assert counts(db) == after


def test_errors_are_listed_with_file_and_line_and_nothing_is_written(
        app: Flask, admin_client: FlaskClient, db: Session) -> None:
    alpha = """format: 1
track: alpha
questions:
- key: a-0
  type: single_choice
  topic: a
  difficulty: 9
  points: 1
  prompt: Which?
  options: [{id: a, text: right}, {id: b, text: wrong}]
  correct: a
"""
    tracks = exported(admin_client, "/admin/bank/tracks.yaml").replace("tier: pro", "tier: platinum", 1)
    tier_line = next(n for n, line in enumerate(tracks.splitlines(), 1) if "tier: platinum" in line)
    before = counts(db)
    html = upload(admin_client, {"alpha.yaml": alpha, "tracks.yaml": tracks}).get_data(as_text=True)
    assert "The files have errors" in html and "Nothing was written" in html
    assert re.search(r"<td><code>tracks.yaml</code></td><td>%d</td>.*unknown tier &#39;platinum&#39;" % tier_line,
                     html, re.S), html
    assert "Confirm import" not in html
    assert counts(db) == before
    assert staged(app) == []

    # The track file alone: its bad difficulty, at its line.
    html = upload(admin_client, {"alpha.yaml": alpha}).get_data(as_text=True)
    assert re.search(r"<td><code>alpha.yaml</code></td><td>7</td><td><code>a-0.difficulty</code></td>", html), html
    assert counts(db) == before


def test_round_trip_import_export_import_changes_nothing_the_second_time(
        admin_client: FlaskClient, db: Session) -> None:
    token = token_of(upload(admin_client, {"alpha.yaml": changed_alpha(admin_client)}).get_data(as_text=True))
    assert admin_client.post("/admin/bank/import/confirm", data={"token": token}).status_code == 302
    after_first = counts(db)

    files = {"tracks.yaml": exported(admin_client, "/admin/bank/tracks.yaml"),
             "alpha.yaml": exported(admin_client, "/admin/bank/export/alpha"),
             "beta.yaml": exported(admin_client, "/admin/bank/export/beta")}
    html = upload(admin_client, files).get_data(as_text=True)
    assert "Nothing would change" in html
    assert "Confirm import" not in html
    assert counts(db) == after_first


def test_export_is_what_quiz_bank_export_writes(admin_client: FlaskClient, db: Session, tmp_path: Path) -> None:
    written = {path.name: path.read_bytes() for path in export_bank(db, tmp_path / "cli")}
    db.rollback()
    for url, name in (("/admin/bank/export/alpha", "alpha.yaml"), ("/admin/bank/export/beta", "beta.yaml"),
                      ("/admin/bank/tracks.yaml", "tracks.yaml")):
        response = admin_client.get(url)
        assert response.status_code == 200
        assert response.data == written[name]
        assert f'filename={name}' in response.headers["Content-Disposition"]
        assert response.headers["Content-Disposition"].startswith("attachment")
    archive = zipfile.ZipFile(io.BytesIO(admin_client.get("/admin/bank/export.zip").data))
    assert {name: archive.read(f"question_bank/{name}") for name in written} == written
    assert admin_client.get("/admin/bank/export/nope").status_code == 404


def test_an_expired_preview_cannot_be_confirmed(app: Flask, admin_client: FlaskClient, db: Session) -> None:
    token = token_of(upload(admin_client, {"alpha.yaml": changed_alpha(admin_client)}).get_data(as_text=True))
    before = counts(db)
    set_clock(app, FrozenClock(T0 + timedelta(minutes=61)))
    html = admin_client.post("/admin/bank/import/confirm", data={"token": token},
                             follow_redirects=True).get_data(as_text=True)
    assert "no longer available" in html and "one hour" in html
    assert counts(db) == before
    assert staged(app) == []  # purged
    html = admin_client.post("/admin/bank/import/confirm", data={"token": "../../etc"},
                             follow_redirects=True).get_data(as_text=True)
    assert "no longer available" in html


def test_another_admin_cannot_confirm_someone_elses_preview(app: Flask, admin_client: FlaskClient, db: Session) -> None:
    from quiz.auth.passwords import hash_password
    from tests.admin.conftest import PASSWORD, login

    db.add(User(email="admin2@example.com", password_hash=hash_password(PASSWORD), role="admin"))
    db.commit()
    token = token_of(upload(admin_client, {"alpha.yaml": changed_alpha(admin_client)}).get_data(as_text=True))
    before = counts(db)
    other = login(app, "admin2@example.com")
    html = other.post("/admin/bank/import/confirm", data={"token": token}, follow_redirects=True).get_data(as_text=True)
    assert "no longer available" in html
    assert counts(db) == before


def test_cancel_forgets_the_preview(app: Flask, admin_client: FlaskClient, db: Session) -> None:
    token = token_of(upload(admin_client, {"alpha.yaml": changed_alpha(admin_client)}).get_data(as_text=True))
    before = counts(db)
    html = admin_client.post("/admin/bank/import/cancel", data={"token": token},
                             follow_redirects=True).get_data(as_text=True)
    assert "nothing was written" in html
    assert staged(app) == [] and counts(db) == before


def test_a_bank_changed_since_the_preview_is_previewed_again(admin_client: FlaskClient, db: Session) -> None:
    token = token_of(upload(admin_client, {"alpha.yaml": changed_alpha(admin_client)}).get_data(as_text=True))
    # Meanwhile someone edits a setting: the preview's composed bank is stale.
    assert admin_client.post("/admin/settings/tiers/pro", data={"name": "Professional", "hourly_rate": "55",
                                                                 "rank": "2"}).status_code == 302
    before = counts(db)
    html = admin_client.post("/admin/bank/import/confirm", data={"token": token}).get_data(as_text=True)
    assert "The bank changed since your preview" in html and "Confirm import" in html
    assert counts(db) == before
    # The edit is kept by the new preview, which can be confirmed.
    response = admin_client.post("/admin/bank/import/confirm", data={"token": token_of(html)})
    assert response.status_code == 302
    assert counts(db)["versions"] == before["versions"] + 2
    assert db.scalar(select(Tier.hourly_rate).where(Tier.key == "pro")) == Decimal("55.00")


def test_a_conflict_writes_nothing(admin_client: FlaskClient, db: Session) -> None:
    tracks = yaml.safe_load(exported(admin_client, "/admin/bank/tracks.yaml"))
    starter, specialist = tracks["tracks"][0]["assessments"]
    starter["kind"], specialist["kind"] = "specialist", "starter"  # same keys, swapped kinds
    before = counts(db)
    html = upload(admin_client, {"tracks.yaml": yaml.safe_dump(tracks, sort_keys=False)}).get_data(as_text=True)
    assert "cannot be imported" in html and "its track and kind cannot change" in html
    assert "Confirm import" not in html
    assert counts(db) == before


@pytest.mark.parametrize(("files", "message"), [
    ({}, "Choose at least one file."),
    ({"notes.txt": "hello"}, "only .yaml or .yml files"),
    ({"gamma.yaml": "format: 1\ntrack: gamma\nquestions: []\n"}, "is not the bank of any track in tracks.yaml"),
])
def test_uploads_are_checked(admin_client: FlaskClient, db: Session, files: dict[str, str], message: str) -> None:
    before = counts(db)
    html = upload(admin_client, files).get_data(as_text=True)
    assert message in html
    assert counts(db) == before


def test_a_subfolder_path_in_an_upload_name_is_dropped(admin_client: FlaskClient) -> None:
    html = upload(admin_client, {"../bank/alpha.yaml": changed_alpha(admin_client)}).get_data(as_text=True)
    assert "Import preview (dry run)" in html and "<code>alpha.yaml</code>" in html


def test_uploads_are_limited_to_5_mb(admin_client: FlaskClient, db: Session) -> None:
    before = counts(db)
    response = upload(admin_client, {"alpha.yaml": b"#" * (5 * 1024 * 1024 + 100 * 1024)})
    assert response.status_code == 413
    assert "at most 5 MB" in response.get_data(as_text=True)
    assert counts(db) == before


# --- settings ---------------------------------------------------------------------------------------


def assessment_form(db: Session, key: str, **changes: object) -> dict[str, object]:
    """The edit form as the page fills it, with changes."""
    db.rollback()
    a = assessment(db, key)
    data: dict[str, object] = {
        "title": a.title, "time_limit_minutes": a.time_limit_minutes, "pass_mark": str(a.pass_mark),
        "tier": a.tier.key,
    }
    for name in ("requires_confirmation", "active", *a.review_policy):
        value = a.active if name == "active" else (a.requires_confirmation if name == "requires_confirmation"
                                                   else a.review_policy[name])
        if value:
            data[name] = "y"
    for index, stratum in enumerate(a.blueprint):
        low, high = (stratum["difficulty"],) * 2 if isinstance(stratum["difficulty"], int) else stratum["difficulty"]
        data.update({f"blueprint-{index}-topic": stratum["topic"], f"blueprint-{index}-difficulty_min": low,
                     f"blueprint-{index}-difficulty_max": high, f"blueprint-{index}-count": stratum["count"]})
    data.update(changes)
    db.rollback()
    return {name: value for name, value in data.items() if value is not None}


def test_settings_page_lists_tracks_assessments_and_tiers(admin_client: FlaskClient) -> None:
    html = admin_client.get("/admin/settings").get_data(as_text=True)
    assert "<h1>Tracks, assessments and tiers</h1>" in html
    assert "Changes apply to attempts started after the change" in html
    assert "overwrites what you edit here" in html and "/admin/bank/tracks.yaml" in html
    for text in ("Alpha starter", "Beta specialist", "/admin/settings/assessments/alpha-starter",
                 "/admin/settings/tiers/basic", "/admin/settings/tracks/beta", "offered"):
        assert text in html


def test_assessment_edit_form_shows_the_settings_and_whether_the_bank_fills_them(admin_client: FlaskClient) -> None:
    html = admin_client.get("/admin/settings/assessments/alpha-starter").get_data(as_text=True)
    assert "Changes apply to attempts started after the change." in html
    assert "The current bank can fill the saved blueprint." in html
    assert 'name="blueprint-0-topic"' in html and 'value="a"' in html
    assert 'name="blueprint-2-topic"' in html  # blank rows to add strata
    assert 'name="show_keys"' in html and 'name="pass_mark"' in html
    assert admin_client.get("/admin/settings/assessments/nope").status_code == 404


def test_editing_an_assessment_saves_and_audits(admin_client: FlaskClient, db: Session) -> None:
    data = assessment_form(db, "alpha-starter", pass_mark="62.5", time_limit_minutes="45", show_keys="y",
                           show_score=None, requires_confirmation="y", tier="pro", **{
                               "blueprint-0-difficulty_max": "2", "blueprint-0-count": "2",
                               "blueprint-1-topic": "a", "blueprint-1-difficulty_min": "3",
                               "blueprint-1-difficulty_max": "5", "blueprint-1-count": "2"})
    response = admin_client.post("/admin/settings/assessments/alpha-starter", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.rollback()
    a = assessment(db, "alpha-starter")
    assert (a.pass_mark, a.time_limit_minutes, a.tier.key, a.requires_confirmation) == (Decimal("62.50"), 45, "pro", True)
    assert a.review_policy["show_keys"] is True and a.review_policy["show_score"] is False
    assert a.blueprint == [{"topic": "a", "difficulty": [1, 2], "count": 2},
                           {"topic": "a", "difficulty": [3, 5], "count": 2}]
    assert a.questions_drawn == 4
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "assessment.update"))
    assert entry.target_id == str(a.id)
    assert entry.before["pass_mark"] == "50.00" and entry.after["pass_mark"] == "62.50"
    assert entry.before["time_limit_minutes"] == 60 and entry.after["time_limit_minutes"] == 45
    assert "title" not in entry.after  # only what changed

    # Saving again unchanged writes no audit row.
    audit = counts(db)["audit"]
    assert admin_client.post("/admin/settings/assessments/alpha-starter",
                             data=assessment_form(db, "alpha-starter")).status_code == 302
    assert counts(db)["audit"] == audit


@pytest.mark.parametrize(("changes", "message"), [
    ({"blueprint-1-topic": "a", "blueprint-1-difficulty_min": "3", "blueprint-1-difficulty_max": "4",
      "blueprint-1-count": "1"}, "Overlaps row 1 (topic a, difficulty 1-5)"),
    ({"blueprint-0-difficulty_max": "6"}, "Must be a difficulty from 1 to 5."),
    ({"blueprint-0-difficulty_min": "4", "blueprint-0-difficulty_max": "2"}, "Must not be lower than the lowest"),
    ({"blueprint-0-count": "0"}, "Must be a whole number from 1 to 200."),
    ({"blueprint-1-topic": "b"}, "Required (or tick Remove to drop the row)."),
    ({"blueprint-0-remove": "y"}, "A blueprint needs at least one row."),
    ({"pass_mark": "50.123"}, "Use at most 2 decimal places."),
    ({"pass_mark": "101"}, "Must be a number from 0 to 100."),
    ({"pass_mark": "NaN"}, "Must be a number from 0 to 100."),
    ({"time_limit_minutes": "0"}, "Number must be between 1 and 600."),
])
def test_a_bad_assessment_edit_is_refused_with_a_message_next_to_the_field(
        admin_client: FlaskClient, db: Session, changes: dict[str, str], message: str) -> None:
    before = counts(db)
    response = admin_client.post("/admin/settings/assessments/alpha-starter",
                                 data=assessment_form(db, "alpha-starter", **changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert counts(db) == before
    db.rollback()
    assert assessment(db, "alpha-starter").pass_mark == Decimal("50.00")


def test_a_blueprint_error_is_shown_in_its_row(admin_client: FlaskClient, db: Session) -> None:
    html = admin_client.post("/admin/settings/assessments/alpha-starter", data=assessment_form(
        db, "alpha-starter", **{"blueprint-1-topic": "a", "blueprint-1-difficulty_min": "2",
                                "blueprint-1-difficulty_max": "2", "blueprint-1-count": "1"})).get_data(as_text=True)
    row = re.search(r'<tr class="invalid">\s*<th scope="row">(\d+)</th>(.*?)</tr>', html, re.S)
    assert row and row.group(1) == "2" and "Overlaps row 1" in row.group(2)


def test_a_blueprint_the_bank_cannot_fill_is_saved_and_shown_as_not_offered(
        admin_client: FlaskClient, db: Session) -> None:
    data = assessment_form(db, "alpha-starter", **{"blueprint-0-count": "50"})
    assert admin_client.post("/admin/settings/assessments/alpha-starter", data=data).status_code == 302
    html = admin_client.get("/admin/settings/assessments/alpha-starter").get_data(as_text=True)
    assert "The current bank cannot fill the saved blueprint" in html and "needs 50, the bank has 6" in html
    assert "the bank cannot fill its blueprint" in admin_client.get("/admin/settings").get_data(as_text=True)


def test_add_a_row_saves_nothing(admin_client: FlaskClient, db: Session) -> None:
    before = counts(db)
    html = admin_client.post("/admin/settings/assessments/alpha-starter",
                             data=assessment_form(db, "alpha-starter", add_row="1", pass_mark="80")).get_data(as_text=True)
    assert 'name="blueprint-1-topic"' in html
    assert counts(db) == before
    db.rollback()
    assert assessment(db, "alpha-starter").pass_mark == Decimal("50.00")


def test_a_running_attempt_keeps_its_pass_mark_after_an_edit(admin_client: FlaskClient, db: Session) -> None:
    user = candidate(db, "runner@example.com")
    attempt = start_attempt(db, user, assessment(db, "alpha-starter"), T0)
    db.commit()
    response = admin_client.post("/admin/settings/assessments/alpha-starter",
                                 data=assessment_form(db, "alpha-starter", pass_mark="90"))
    assert response.status_code == 302
    db.rollback()
    assert assessment(db, "alpha-starter").pass_mark == Decimal("90.00")
    assert attempt.pass_mark == Decimal("50.00")
    for n, item in enumerate(attempt.items):  # half right: 50 %, a pass only under the pinned mark
        save_answer(db, attempt, item.position, "a" if n % 2 == 0 else "b", 1, T0, GRACE)
    submit_attempt(db, attempt, T0 + timedelta(minutes=5), GRACE)
    db.commit()
    assert (attempt.score_percent, attempt.decision) == (Decimal("50.00"), "pass")

    later = start_attempt(db, candidate(db, "later@example.com"), assessment(db, "alpha-starter"), T0)
    assert later.pass_mark == Decimal("90.00")


def test_editing_a_tier_saves_and_audits(admin_client: FlaskClient, db: Session) -> None:
    html = admin_client.get("/admin/settings/tiers/basic").get_data(as_text=True)
    assert "<h1>Edit tier Basic</h1>" in html and 'value="20.00"' in html
    response = admin_client.post("/admin/settings/tiers/basic", data={"name": "Basic plus", "hourly_rate": "22.5",
                                                                      "rank": "1"})
    assert response.status_code == 302
    db.rollback()
    tier = db.scalar(select(Tier).where(Tier.key == "basic"))
    assert (tier.name, tier.hourly_rate) == ("Basic plus", Decimal("22.50"))
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "tier.update"))
    assert entry.before == {"name": "Basic", "hourly_rate": "20.00"}
    assert entry.after == {"name": "Basic plus", "hourly_rate": "22.50"}


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "", "hourly_rate": "20", "rank": "1"}, "This field is required."),
    ({"name": "Basic", "hourly_rate": "-1", "rank": "1"}, "Must be a number from 0 to 10000."),
    ({"name": "Basic", "hourly_rate": "20.001", "rank": "1"}, "Use at most 2 decimal places."),
    ({"name": "Basic", "hourly_rate": "lots", "rank": "1"}, "Not a valid decimal value."),
])
def test_a_bad_tier_edit_is_refused(admin_client: FlaskClient, db: Session, data: dict[str, str], message: str) -> None:
    before = counts(db)
    html = admin_client.post("/admin/settings/tiers/basic", data=data).get_data(as_text=True)
    assert message in html
    assert counts(db) == before


def test_editing_a_track_moves_the_assessments_that_follow_its_tier(admin_client: FlaskClient, db: Session) -> None:
    response = admin_client.post("/admin/settings/tracks/alpha", data={"name": "Alpha!", "description": "New words.",
                                                                       "tier": "pro"})
    assert response.status_code == 302
    db.rollback()
    track = db.scalar(select(Track).where(Track.key == "alpha"))
    assert (track.name, track.description, track.tier.key) == ("Alpha!", "New words.", "pro")
    assert {a.tier.key for a in track.assessments} == {"pro"}
    actions = db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions.count("track.update") == 1 and actions.count("assessment.update") == 2


def test_settings_edits_survive_export_and_reimport(admin_client: FlaskClient, db: Session) -> None:
    """After an edit, the downloaded tracks.yaml carries it; an older one would undo it, and the preview says so."""
    older = exported(admin_client, "/admin/bank/tracks.yaml")
    assert admin_client.post("/admin/settings/assessments/beta-starter", data=assessment_form(
        db, "beta-starter", pass_mark="75.25")).status_code == 302
    html = upload(admin_client, {"tracks.yaml": exported(admin_client, "/admin/bank/tracks.yaml")}).get_data(as_text=True)
    assert "Nothing would change" in html
    html = upload(admin_client, {"tracks.yaml": older}).get_data(as_text=True)
    assert "assessment beta-starter: pass_mark 75.25 → 50" in html


# --- access -----------------------------------------------------------------------------------------

MY_ROUTES = [("GET", "/admin/bank/import"), ("POST", "/admin/bank/import"), ("POST", "/admin/bank/import/confirm"),
             ("POST", "/admin/bank/import/cancel"), ("GET", "/admin/bank/export/alpha"),
             ("GET", "/admin/bank/tracks.yaml"), ("GET", "/admin/bank/export.zip"), ("GET", "/admin/settings"),
             ("GET", "/admin/settings/assessments/alpha-starter"),
             ("POST", "/admin/settings/assessments/alpha-starter"), ("GET", "/admin/settings/tiers/basic"),
             ("POST", "/admin/settings/tiers/basic"), ("GET", "/admin/settings/tracks/alpha"),
             ("POST", "/admin/settings/tracks/alpha")]


def test_graders_get_403_everywhere_here(grader_client: FlaskClient, db: Session) -> None:
    before = counts(db)
    for method, url in MY_ROUTES:
        assert grader_client.open(url, method=method, data={"pass_mark": "1", "name": "x", "hourly_rate": "1",
                                                            "rank": "1"}).status_code == 403, (method, url)
    assert counts(db) == before


def test_the_navigation_links_here(admin_client: FlaskClient, grader_client: FlaskClient) -> None:
    html = admin_client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/bank/import"' in html and 'href="/admin/settings"' in html
    html = grader_client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/bank/import"' not in html and 'href="/admin/settings"' not in html


def test_stale_staged_imports_are_purged(app: Flask, admin_client: FlaskClient) -> None:
    upload(admin_client, {"alpha.yaml": changed_alpha(admin_client)})
    assert len(staged(app)) == 1
    set_clock(app, FrozenClock(T0 + timedelta(hours=2)))
    upload(admin_client, {"alpha.yaml": changed_alpha(admin_client)})
    assert len(staged(app)) == 1  # the old one is gone, the new one is there
