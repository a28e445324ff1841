"""The statistics page: flags, charts, CSV, calibrate, switch to θ, dry-run and confirmed rescoring."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.admin.simulation import simulate_candidates
from quiz.models import AuditEntry, Calibration, PsychometricSettings
from tests.services.conftest import GRACE, T0, assessment

PAGE = "/admin/statistics/alpha-starter"


@pytest.fixture
def simulated(db: Session, monkeypatch: pytest.MonkeyPatch) -> Session:
    simulate_candidates(db, assessment(db, "alpha-starter"), 120, seed=5, now=T0, grace_seconds=GRACE)
    db.commit()
    monkeypatch.setattr("quiz.admin.rescoring.MIN_CANDIDATES_FOR_THETA", 100)  # the small bank's demo
    return db


def test_only_admins_see_statistics(app, admin_client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    from tests.admin.conftest import login

    assert login(app, "grader@example.com").get(PAGE).status_code == 403
    index = admin_client.get("/admin/statistics").get_data(as_text=True)
    assert 'href="/admin/statistics/alpha-starter"' in index and ">Statistics</a>" in index
    assert admin_client.get("/admin/statistics/nope").status_code == 404


def test_the_page_shows_flags_charts_and_sorts(simulated: Session, admin_client: FlaskClient) -> None:
    html = admin_client.get(PAGE).get_data(as_text=True)
    assert "120 graded attempt(s)" in html and html.count("<svg") == 2  # no calibration: no information curve
    assert "Score distribution" in html and "Facility and discrimination" in html
    assert "<strong>flagged</strong>" in html
    # each flag with the value that raised it and its threshold
    assert re.search(r'<ul class="flags"><li>[^<]+: -?\d+\.\d\d (&lt;|&gt;) -?\d+\.\d\d</li>', html)
    assert 'href="/admin/questions/a-0/edit"' in html
    assert "Distractor table" in html
    by_facility = admin_client.get(PAGE + "?sort=facility&order=desc").get_data(as_text=True)
    keys = [line.split(">")[1].split("<")[0] for line in by_facility.split('<th scope="row"><a href=')[1:]]
    assert len(keys) == 6 and keys != sorted(keys)


def test_csv_of_the_item_table(simulated: Session, admin_client: FlaskClient) -> None:
    response = admin_client.get(PAGE + "/items.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 6 and {row["question_key"] for row in rows} == {f"a-{n}" for n in range(6)}
    assert all(0 <= float(row["facility"]) <= 1 for row in rows)


def test_calibrate_switch_to_theta_and_rescore(simulated: Session, admin_client: FlaskClient) -> None:
    html = admin_client.get(PAGE + "/rescore", follow_redirects=True).get_data(as_text=True)
    assert "Calibrate the assessment first" in html
    html = admin_client.post(PAGE + "/calibrate", data={"anchor": ""}, follow_redirects=True).get_data(as_text=True)
    assert "Calibration #1 stored: 6 items, 120 candidates" in html and html.count("<svg") >= 4
    assert "Item characteristic curve" in html and "θ cut" in html
    refused = admin_client.post(PAGE + "/scoring", data={"scoring": "theta", "calibration": ""})
    assert refused.status_code == 200 and "Tick the box to confirm the change." in refused.get_data(as_text=True)
    switched = admin_client.post(PAGE + "/scoring", data={"scoring": "theta", "calibration": "1", "confirm": "y"},
                                 follow_redirects=True).get_data(as_text=True)
    assert "now decides by θ" in switched
    settings = simulated.get(PsychometricSettings, assessment(simulated, "alpha-starter").id)
    simulated.refresh(settings)
    assert settings.scoring == "theta" and settings.calibration_id == 1
    dry = admin_client.get(PAGE + "/rescore").get_data(as_text=True)
    assert "Dry run, nothing is written" in dry and "decision(s) would change" in dry
    assert simulated.scalar(select(AuditEntry).where(AuditEntry.action == "assessment.scoring")) is not None
    assert simulated.scalars(select(Calibration)).one().created_by_id is not None


def test_exposure_settings_are_validated(simulated: Session, admin_client: FlaskClient) -> None:
    html = admin_client.post(PAGE + "/exposure", data={"exposure_cap": "3", "min_responses": "30"}).get_data(
        as_text=True)
    assert "Give a share from 0.01 to 1" in html
    html = admin_client.post(PAGE + "/exposure", data={"exposure_cap": "0.5", "min_responses": "500"},
                             follow_redirects=True).get_data(as_text=True)
    assert "exposure cap 50% of attempts" in html and "too few responses" in html


def test_after_switching_a_new_attempt_shows_percent_theta_cut_and_probability(
        simulated: Session, admin_client: FlaskClient) -> None:
    from quiz.assessment.services import save_answer, start_attempt, submit_attempt
    from tests.services.conftest import candidate

    admin_client.post(PAGE + "/calibrate", data={"anchor": ""})
    admin_client.post(PAGE + "/scoring", data={"scoring": "theta", "calibration": "1", "confirm": "y"})
    attempt = start_attempt(simulated, candidate(simulated, "late@example.com"), assessment(simulated, "alpha-starter"),
                            T0)
    for item in attempt.items:
        save_answer(simulated, attempt, item.position, "a", 1, T0, GRACE)
    submit_attempt(simulated, attempt, T0, GRACE)
    simulated.commit()
    html = admin_client.get(f"/admin/attempts/{attempt.id}/grades").get_data(as_text=True)
    assert "Percent score <strong>100.00%</strong>" in html and "Ability θ <strong>" in html
    assert "θ cut <strong>" in html and "Placement probability" in html and "Decided by θ" in html
    # the rescoring page confirms one past decision at a time
    dry = admin_client.get(PAGE + "/rescore").get_data(as_text=True)
    changed = [int(n) for n in re.findall(PAGE + r"/rescore/(\d+)", dry)]
    assert changed  # the simulated data (seed 5) has decisions that percent and θ see differently
    done = admin_client.post(f"{PAGE}/rescore/{changed[0]}", follow_redirects=True).get_data(as_text=True)
    assert f"Attempt #{changed[0]} is now decided" in done
    assert simulated.scalar(select(AuditEntry).where(AuditEntry.action == "decision.rescore")) is not None


def test_a_fixed_form_also_gets_moodles_summary(db: Session, admin_client: FlaskClient) -> None:
    target = assessment(db, "alpha-starter")
    target.blueprint, target.questions_drawn = [{"topic": "a", "difficulty": [1, 5], "count": 6}], 6
    simulate_candidates(db, target, 40, seed=2, now=T0, grace_seconds=GRACE)
    db.commit()
    html = admin_client.get(PAGE).get_data(as_text=True)
    assert "Moodle-compatible summary (fixed form)" in html and "coefficient of internal consistency" in html
    assert "6.0 per form" in html
