"""The results review, once: claimed atomically by one tab, open until finished or the window ends."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import update
from sqlalchemy.orm import Session

from quiz.assessment.errors import ReviewOpenElsewhere, ReviewUnavailable
from quiz.assessment.grading import attempt_score, grade_item
from quiz.models import Attempt
from quiz.question_types import get_type

ReviewState = Literal["not_decided", "available", "open", "used"]


def review_closes_at(attempt: Attempt, window_minutes: float) -> datetime | None:
    if attempt.review_opened_at is None:
        return None
    window_end = attempt.review_opened_at + timedelta(minutes=window_minutes)
    return min(window_end, attempt.review_closed_at) if attempt.review_closed_at else window_end


def review_state(attempt: Attempt, now: datetime, window_minutes: float) -> ReviewState:
    if attempt.status != "decided":
        return "not_decided"
    if attempt.review_opened_at is None:
        return "available"
    closes_at = review_closes_at(attempt, window_minutes)
    return "open" if closes_at is not None and now < closes_at else "used"


def open_review(session: Session, attempt: Attempt, now: datetime, window_minutes: float) -> str:
    """Claim the one review; returns the token of the tab that won. The claim is a single
    conditional UPDATE, so of two tabs (or two servers) exactly one gets the row."""
    token = secrets.token_urlsafe(24)
    claimed = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == "decided", Attempt.review_opened_at.is_(None))
        .values(review_opened_at=now, review_token=token)
        .execution_options(synchronize_session=False)).rowcount
    session.refresh(attempt)
    if claimed == 1:
        return token
    state = review_state(attempt, now, window_minutes)
    if state == "open":
        raise ReviewOpenElsewhere("Your review is already open in another tab or device; it can be open in one place only.")
    if state == "not_decided":
        raise ReviewUnavailable("Your results can be reviewed once a decision has been made.")
    raise ReviewUnavailable("You have already used your one review of these results.")


def check_review(attempt: Attempt, token: str | None, now: datetime, window_minutes: float) -> None:
    state = review_state(attempt, now, window_minutes)
    if state == "open" and token is not None and secrets.compare_digest(token, attempt.review_token or ""):
        return
    if state == "open":
        raise ReviewOpenElsewhere("Your review is open in another tab or device; it can be open in one place only.")
    if state == "available":
        raise ReviewUnavailable("Open your review from the dashboard.")
    if state == "not_decided":
        raise ReviewUnavailable("Your results can be reviewed once a decision has been made.")
    raise ReviewUnavailable("You have already used your one review of these results.")


def finish_review(session: Session, attempt: Attempt, token: str | None, now: datetime, window_minutes: float) -> None:
    check_review(attempt, token, now, window_minutes)
    attempt.review_closed_at = now
    session.flush()


@dataclass(frozen=True)
class ReviewItem:
    position: int
    topic: str
    points: Decimal
    awarded: Decimal | None
    prompt: str | None = None
    answer: str | None = None
    key: str | None = None
    explanation: str | None = None


@dataclass(frozen=True)
class ReviewContent:
    """What the candidate may see, per the policy pinned on the attempt; nothing else leaves the server."""

    policy: dict[str, bool]
    percent: Decimal | None = None
    points: tuple[Decimal, Decimal] | None = None
    decision: str | None = None
    tier: Any = None
    topics: list[tuple[str, Decimal, Decimal, Decimal]] = field(default_factory=list)
    items: list[ReviewItem] = field(default_factory=list)


def review_content(attempt: Attempt) -> ReviewContent:
    policy = attempt.review_policy or {}
    score = attempt_score(attempt)
    items = []
    if policy.get("show_answers") or policy.get("show_keys") or policy.get("show_explanations"):
        for item in attempt.items:
            version = item.question_version
            question_type = get_type(version.type)
            spec = question_type.parse_definition(version.definition)
            grade = grade_item(item)
            items.append(ReviewItem(
                position=item.position, topic=version.topic, points=version.points,
                awarded=item.points_awarded if not grade.pending else None,
                prompt=version.definition.get("prompt"),
                answer=question_type.summarise(spec, item.answer) if policy.get("show_answers") else None,
                key=(question_type.summarise(spec, question_type.correct_answer(spec))
                     if policy.get("show_keys") and question_type.correct_answer(spec) is not None else None),
                explanation=version.definition.get("explanation") if policy.get("show_explanations") else None))
    return ReviewContent(
        policy=policy,
        percent=attempt.score_percent if policy.get("show_score") else None,
        points=(attempt.score_points, attempt.score_possible) if policy.get("show_score") else None,
        decision=attempt.decision if policy.get("show_pass_fail") else None,
        tier=attempt.tier if policy.get("show_tier") else None,
        topics=[(t.topic, t.earned, t.possible, t.percent) for t in score.by_topic.values()]
        if policy.get("show_topic_breakdown") else [],
        items=items)
