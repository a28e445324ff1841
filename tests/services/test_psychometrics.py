"""Statistics, calibration, θ scoring, rescoring and exposure on the database (both engines)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quiz.admin import statistics as statistics_service
from quiz.admin.rescoring import apply_rescore, rescore, set_exposure, set_scoring
from quiz.admin.simulation import simulate_candidates
from quiz.admin.statistics import StatisticsError, calibrate, statistics_report
from quiz.assessment.placement import stored_placement
from quiz.assessment.services import save_answer, start_attempt, submit_attempt
from quiz.bank.load import load_bank
from quiz.bank.sync import sync_bank
from quiz.models import AttemptAbility, AuditEntry, Calibration, OutboxMail, Question, User
from tests.conftest import BANK_DIR
from tests.services.conftest import GRACE, T0, assessment, candidate


@pytest.fixture
def general(session: Session):  # type: ignore[no-untyped-def]
    sync_bank(session, load_bank(BANK_DIR))
    session.commit()
    return assessment(session, "general-starter")


def _admin(session: Session) -> User:
    admin = User(email="admin@example.com", password_hash="x", role="admin")
    session.add(admin)
    session.flush()
    return admin


def test_simulation_statistics_calibration_and_theta_placement(session: Session, general, monkeypatch) -> None:
    report = simulate_candidates(session, general, 260, seed=3, now=T0, grace_seconds=GRACE)
    session.commit()
    assert report.decided == 260 and set(report.bad.values()) == {"miskeyed", "too_easy", "no_discrimination",
                                                                  "dead_distractor"}
    stats = statistics_report(session, general)
    by_key = {row.key: row for row in stats.rows}
    assert stats.form.candidates == 260 and stats.form.form_length == 12
    kinds = {kind: key for key, kind in report.bad.items()}
    codes = {kind: {f.code for f in by_key[key].report.flags} for kind, key in kinds.items()}
    assert "facility_high" in codes["too_easy"]
    assert {"discrimination_low", "key_suspect"} <= codes["miskeyed"]
    assert "discrimination_low" in codes["no_discrimination"]
    assert "distractor_rare" in codes["dead_distractor"]
    assert sum(row.exposure for row in stats.rows if row.version.topic == "fact_checking") == pytest.approx(2)

    admin = _admin(session)
    first = calibrate(session, general, admin, T0)
    again = calibrate(session, general, admin, T0)
    session.commit()
    # stored with its data, reproducible, never overwritten
    assert first.id != again.id and session.scalar(select(func.count()).select_from(Calibration)) == 2
    assert first.parameters == again.parameters and first.data_hash == again.data_hash
    assert first.converged and first.candidates == 260 and len(first.quadrature["nodes"]) == 41
    manual = {row.key for row in stats.rows if row.version.type in ("essay", "comparison")}
    assert manual and not manual & {p["question_key"] for p in first.parameters}  # left out of IRT
    miskeyed = next(p for p in first.parameters if p["question_key"] == kinds["miskeyed"])
    assert miskeyed["a"] < 0

    # the dry run lists what θ would change and writes nothing
    dry = rescore(session, general)
    assert len(dry.rows) == 260 and all(row.placement is not None for row in dry.rows)
    assert session.scalar(select(func.count()).select_from(AttemptAbility)) == 0

    with pytest.raises(StatisticsError, match="needs at least 1000"):
        monkeypatch.setattr("quiz.admin.rescoring.MIN_CANDIDATES_FOR_THETA", 1000)
        set_scoring(session, general, admin, "theta", T0)
    monkeypatch.undo()
    settings = set_scoring(session, general, admin, "theta", T0)
    session.commit()
    assert settings.scoring == "theta" and settings.theta_cut == pytest.approx(dry.cut)
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "assessment.scoring")).after["scoring"] == \
        "theta"

    # a new candidate is decided by θ, and the record keeps percent, θ, the cut and the probability
    newcomer = candidate(session, "new@example.com")
    attempt = start_attempt(session, newcomer, general, T0)
    for item in attempt.items:
        save_answer(session, attempt, item.position, None, 1, T0, GRACE)
    submit_attempt(session, attempt, T0, GRACE)
    session.commit()
    [decision_mail] = session.scalars(select(OutboxMail).where(OutboxMail.to_address == "new@example.com",
                                                                OutboxMail.kind == "decision")).all()
    assert "ability estimate" in decision_mail.body_text and "ability estimate" in decision_mail.body_html
    ability = stored_placement(session, attempt)
    assert ability is not None and ability.scoring == "theta" and ability.theta_cut == settings.theta_cut
    assert attempt.decision == ("pass" if ability.theta >= ability.theta_cut else "fail") == "fail"
    assert ability.p_above_cut < 0.05 and ability.items_used >= 6

    # switching changed no past decision; an admin confirms one at a time
    changed = [row for row in rescore(session, general).changed if row.attempt.id != attempt.id]
    assert changed, "a 70% pass mark on partial-credit percent and on θ disagree somewhere"
    target = changed[0].attempt
    before = target.decision
    assert apply_rescore(session, general, target, admin, T0) == changed[0].by_theta != before
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "decision.rescore")).before == \
        {"decision": before}
    with pytest.raises(StatisticsError, match="nothing to change"):
        apply_rescore(session, general, target, admin, T0)


def test_calibration_needs_data_and_anchors_of_its_own_assessment(session: Session, general) -> None:
    admin = _admin(session)
    with pytest.raises(StatisticsError, match="Not enough data"):
        calibrate(session, general, admin, T0)
    simulate_candidates(session, general, 120, seed=4, now=T0, grace_seconds=GRACE)
    set_exposure(session, general, admin, None, 20, T0)
    base = calibrate(session, general, admin, T0)
    fixed = calibrate(session, general, admin, T0, anchor=base)
    assert fixed.anchor_id == base.id and all(p["fixed"] for p in fixed.parameters)
    assert [(p["a"], p["b"]) for p in fixed.parameters] == [(p["a"], pytest.approx(p["b"], abs=1e-12))
                                                            for p in base.parameters]
    with pytest.raises(StatisticsError, match="θ scoring needs at least"):
        set_scoring(session, general, admin, "theta", T0)


def test_the_exposure_cap_evens_out_the_draw(session: Session, general) -> None:
    admin = _admin(session)
    set_exposure(session, general, admin, Decimal("0.30"), 30, T0)
    for n in range(60):
        start_attempt(session, candidate(session, f"c{n}@example.com"), general, T0, seed=n)
    shown = statistics_service.shown_by_question(session, general)
    questions = session.scalars(select(Question).where(Question.track_id == general.track_id)).all()
    for stratum in general.blueprint:
        low, high = stratum["difficulty"]
        eligible = [q.id for q in questions
                    if q.current.topic == stratum["topic"] and low <= q.current.difficulty <= high]
        counts = [shown.get(question_id, 0) for question_id in eligible]
        # least exposed first: each cell spreads its draws evenly, so no item is in more than 30 %
        # of the 60 attempts unless the cell is too small to allow it
        assert sum(counts) == 60 * stratum["count"] and max(counts) - min(counts) <= 1, stratum
        assert max(counts) <= max(18, -(-60 * stratum["count"] // len(eligible)))
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "assessment.psychometrics")) is not None
    with pytest.raises(StatisticsError, match="exposure cap"):
        set_exposure(session, general, admin, Decimal("1.5"), 30, T0)
