"""Simulated candidates for trying the statistics, calibration and θ scoring without real ones.

Each simulated candidate has a true θ ~ N(0, 1); each question known 2PL parameters, derived
from its difficulty and the seed. Candidates go through the real path: `start_attempt` draws
their form (with exposure control when the assessment has a cap), answers are right with the
2PL probability, manual parts are scored as a grader would score a right or wrong answer, and
`submit_attempt` grades and decides. A few questions are made deliberately bad so the flags
have something to find. Meant for a copy of a database: it writes real rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quiz.assessment.services import start_attempt, submit_attempt
from quiz.bank.blueprint import strata_from_data
from quiz.models import Assessment, CandidateApplication, Question, User
from quiz.notifications import discard_unsent
from quiz.question_types import get_type

EMAIL_DOMAIN = "simulated.invalid"  # a reserved domain: no simulated candidate is ever mailed
UNUSABLE_PASSWORD = "!simulated"  # not an Argon2 hash: nobody can log in as a simulated candidate
BAD_KINDS = ("miskeyed", "too_easy", "no_discrimination", "dead_distractor")


@dataclass
class SimulationReport:
    candidates: int
    decided: int
    parameters: dict[str, tuple[float, float]]  # question key -> true (a, b)
    bad: dict[str, str] = field(default_factory=dict)  # question key -> what was made wrong with it


def _true_parameters(questions: list[Question], rng: np.random.Generator) -> dict[str, tuple[float, float]]:
    found = {}
    for question in sorted(questions, key=lambda q: q.key):
        version = question.current
        a = float(np.clip(np.exp(rng.normal(np.log(1.3), 0.25)), 0.6, 2.5))
        b = float(np.clip(0.6 * (version.difficulty - 2) + rng.normal(0, 0.5), -2.5, 2.5))
        found[question.key] = (a, b)
    return found


def _pool(session: Session, assessment: Assessment) -> list[Question]:
    strata = strata_from_data(assessment.blueprint)
    questions = session.scalars(select(Question).where(Question.track_id == assessment.track_id,
                                                       Question.status == "active").order_by(Question.key))
    return [q for q in questions if any(s.admits(q.current.topic, q.current.difficulty) for s in strata)]


def _choose_bad(questions: list[Question], rng: random.Random) -> dict[str, str]:
    singles = [q.key for q in questions if q.current.type == "single_choice"
               and len(q.current.definition["options"]) >= 3]
    rng.shuffle(singles)
    return dict(zip(singles, BAD_KINDS))


def _answer(kind: str, spec: Any, right: bool, bad: str | None, theta: float, rng: random.Random) -> Any:
    correct = get_type(kind).correct_answer(spec)
    if kind == "single_choice":
        others = [o for o in spec.option_ids if o != spec.correct]
        if bad == "miskeyed":
            # the stronger the candidate, the likelier they pick what is really right: the first distractor
            return others[0] if rng.random() < 1 / (1 + np.exp(-1.5 * theta)) else rng.choice(spec.option_ids)
        if right:
            return correct
        return rng.choice(others[:-1] if bad == "dead_distractor" else others)
    if right:
        if kind == "comparison":
            return {**correct, "justification": "A simulated justification."}
        return "A simulated answer." if kind == "essay" else correct
    if kind == "true_false":
        return not correct
    if kind == "multiple_choice":
        wrong = [o for o in spec.option_ids if o not in correct]
        return sorted(set(correct[1:]) | ({rng.choice(wrong)} if wrong else set()))
    if kind == "numeric":
        return correct + 10 * (1 + abs(correct))
    if kind == "ordering":
        return list(reversed(correct))
    if kind == "comparison":
        return {"better": "b" if correct["better"] == "a" else "a", "rating_a": None, "rating_b": None,
                "justification": "A simulated justification."}
    return "A simulated answer." if kind == "essay" else "not the answer"


def simulate_candidates(session: Session, assessment: Assessment, candidates: int, seed: int, now: datetime,
                        grace_seconds: float, *, progress: Any = None) -> SimulationReport:
    """Create `candidates` simulated candidates who each take and finish the assessment before `now`."""
    rng, draw = np.random.default_rng(seed), random.Random(seed)
    questions = _pool(session, assessment)
    parameters = _true_parameters(questions, rng)
    bad = _choose_bad(questions, draw)
    for key, kind in bad.items():
        a, b = parameters[key]
        parameters[key] = {"too_easy": (1.0, -4.5), "no_discrimination": (0.02, 0.0)}.get(kind, (a, b))
    theta = rng.normal(0, 1, candidates)
    start = now - timedelta(minutes=assessment.time_limit_minutes + 5)
    decided = 0
    earlier = session.scalar(select(func.count()).select_from(User).where(User.email.like(f"%@{EMAIL_DOMAIN}")))
    for n in range(candidates):
        # Verified, so the start accepts them (their reserved domain is never mailed).
        user = User(email=f"sim{seed}-{earlier + n}@{EMAIL_DOMAIN}", password_hash=UNUSABLE_PASSWORD, role="candidate",
                    email_verified_at=start)
        user.application = CandidateApplication(full_name=f"Simulated candidate {n}", country="Nowhere",
                                                time_zone="UTC", education="Simulated", expertise=[], languages=[],
                                                hours_per_week=10)
        session.add(user)
        session.flush()
        attempt = start_attempt(session, user, assessment, start, seed=draw.getrandbits(62))
        for item in attempt.items:
            version = item.question_version
            question_type = get_type(version.type)
            spec = question_type.parse_definition(version.definition)
            a, b = parameters.get(version.question.key, (1.0, 0.0))
            right = draw.random() < 1 / (1 + np.exp(-a * (theta[n] - b)))
            bad_kind = bad.get(version.question.key)
            item.answer = question_type.normalise_answer(
                spec, _answer(version.type, spec, right, bad_kind, float(theta[n]), draw))
            item.answer_seq, item.saved_at = 1, start
            rubric = question_type.rubric(spec)
            if rubric:
                item.manual_scores = {c.id: (c.points if right else 0) for c in rubric}
                item.graded_at, item.grader_comment = start, "simulated grade"
        decided += submit_attempt(session, attempt, start + timedelta(minutes=20), grace_seconds) is not None
        if progress is not None:
            progress(n + 1)
    discard_unsent(session, EMAIL_DOMAIN)  # receipts and decisions of simulated candidates
    return SimulationReport(candidates, decided, parameters, bad)
