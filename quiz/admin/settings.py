"""The settings of tiers, tracks and assessments, edited through the web, and the rules of a blueprint.

Services: a session and plain values in, `flush()`, never `commit()`, domain errors out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from quiz.admin.bank_admin import BankAdminError
from quiz.audit import record
from quiz.bank.blueprint import shortfalls, strata_from_data
from quiz.bank.limits import MAX_TOPIC_LENGTH
from quiz.bank.load import MAX_TIME_LIMIT_MINUTES
from quiz.bank.specs import DEFAULT_REVIEW_POLICY, Stratum
from quiz.bank.pools import track_pool
from quiz.main.services import active_pool, is_offered
from quiz.models import Assessment, Tier, Track, User

MAX_STRATUM_COUNT = 200
CENT = Decimal("0.01")
#: Short names of the review policy's options, for tables.
REVIEW_SHORT = {"show_score": "score", "show_pass_fail": "pass/fail", "show_tier": "tier",
                "show_topic_breakdown": "per-topic scores", "show_answers": "answers", "show_keys": "keys",
                "show_explanations": "explanations"}


class SettingsInvalid(BankAdminError):
    pass


# --- overview and lookups --------------------------------------------------------------------------

@dataclass(frozen=True)
class AssessmentRow:
    assessment: Assessment
    offered: bool
    #: why it is not offered, when it is not
    reason: str


@dataclass(frozen=True)
class TrackRow:
    track: Track
    active_questions: int
    assessments: list[AssessmentRow]


def settings_overview(session: Session) -> tuple[list[Tier], list[TrackRow]]:
    tiers = list(session.scalars(select(Tier).order_by(Tier.rank, Tier.key)))
    tracks = session.scalars(select(Track).order_by(Track.active.desc(), Track.position, Track.key)
                             .options(selectinload(Track.assessments).selectinload(Assessment.tier))).all()
    rows = []
    for track in tracks:
        pool = track_pool(session, track)
        entries = []
        for assessment in sorted(track.assessments, key=lambda a: a.kind != "starter"):
            offered = track.active and is_offered(assessment, pool)
            if offered:
                reason = ""
            elif not track.active:
                reason = "its track is not in tracks.yaml any more"
            elif not assessment.active:
                reason = "inactive"
            else:
                reason = "the bank cannot fill its blueprint"
            entries.append(AssessmentRow(assessment, offered, reason))
        rows.append(TrackRow(track, len(pool.versions), entries))
    return tiers, rows


def tiers(session: Session) -> list[Tier]:
    return list(session.scalars(select(Tier).order_by(Tier.rank, Tier.key)))


def tier_by_key(session: Session, key: str) -> Tier | None:
    return session.scalar(select(Tier).where(Tier.key == key))


def track_by_key(session: Session, key: str) -> Track | None:
    return session.scalar(select(Track).where(Track.key == key))


def assessment_by_key(session: Session, key: str) -> Assessment | None:
    return session.scalar(select(Assessment).where(Assessment.key == key))


# --- blueprints ------------------------------------------------------------------------------------

def blueprint_problems(strata: Sequence[Stratum]) -> list[tuple[int | None, str, str]]:
    """What the loader would refuse in a blueprint, as (row index or None, field, message)."""
    problems: list[tuple[int | None, str, str]] = []
    if not strata:
        problems.append((None, "blueprint", "A blueprint needs at least one row."))
    for index, stratum in enumerate(strata):
        if not stratum.topic.strip():
            problems.append((index, "topic", "Name the topic."))
        elif len(stratum.topic) > MAX_TOPIC_LENGTH:
            problems.append((index, "topic", f"At most {MAX_TOPIC_LENGTH} characters."))
        if not 1 <= stratum.difficulty_min <= 5:
            problems.append((index, "difficulty_min", "Must be a difficulty from 1 to 5."))
        if not 1 <= stratum.difficulty_max <= 5:
            problems.append((index, "difficulty_max", "Must be a difficulty from 1 to 5."))
        elif stratum.difficulty_min > stratum.difficulty_max:
            problems.append((index, "difficulty_max", "Must not be lower than the lowest difficulty."))
        if not 1 <= stratum.count <= MAX_STRATUM_COUNT:
            problems.append((index, "count", f"Must be a whole number from 1 to {MAX_STRATUM_COUNT}."))
        for other_index, other in enumerate(strata[:index]):
            if (other.topic == stratum.topic and stratum.difficulty_min <= other.difficulty_max
                    and other.difficulty_min <= stratum.difficulty_max):
                problems.append((index, "difficulty_min",
                                 f"Overlaps row {other_index + 1} (topic {other.topic}, difficulty "
                                 f"{other.difficulty_min}-{other.difficulty_max}): a question could be drawn "
                                 "for both. Merge the rows or make their difficulties disjoint."))
                break
    return problems


def available_counts(session: Session, track_id: int, strata: Sequence[Stratum | None]) -> list[int | None]:
    """How many active questions of the track each stratum could draw from (None for no stratum)."""
    pool = active_pool(session, track_id)
    return [None if s is None else sum(1 for topic, difficulty in pool if s.admits(topic, difficulty))
            for s in strata]


def topic_table(session: Session, track_id: int) -> dict[str, list[int]]:
    """Active questions of a track by topic: counts at difficulty 1..5."""
    counts = Counter(active_pool(session, track_id))
    topics = sorted({topic for topic, _difficulty in counts})
    return {topic: [counts[(topic, d)] for d in range(1, 6)] for topic in topics}


def fill_shortfalls(session: Session, assessment: Assessment) -> list[tuple[Stratum, int]]:
    return shortfalls(strata_from_data(assessment.blueprint), active_pool(session, assessment.track_id))


# --- changes ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AssessmentSettings:
    title: str
    time_limit_minutes: int
    pass_mark: Decimal
    tier_key: str
    requires_confirmation: bool
    review_policy: dict[str, bool]
    blueprint: tuple[Stratum, ...]
    active: bool


def assessment_settings(assessment: Assessment) -> AssessmentSettings:
    return AssessmentSettings(
        title=assessment.title, time_limit_minutes=assessment.time_limit_minutes, pass_mark=assessment.pass_mark,
        tier_key=assessment.tier.key, requires_confirmation=assessment.requires_confirmation,
        review_policy={**DEFAULT_REVIEW_POLICY, **assessment.review_policy},
        blueprint=strata_from_data(assessment.blueprint), active=assessment.active)


def _assessment_state(assessment: Assessment) -> dict[str, Any]:
    return {
        "title": assessment.title, "time_limit_minutes": assessment.time_limit_minutes,
        "questions_drawn": assessment.questions_drawn, "blueprint": list(assessment.blueprint),
        "pass_mark": str(Decimal(assessment.pass_mark).quantize(CENT)), "tier": assessment.tier.key,
        "requires_confirmation": assessment.requires_confirmation,
        "review_policy": dict(assessment.review_policy), "active": assessment.active,
    }


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    changed = [name for name in after if before.get(name) != after[name]]
    return {name: before.get(name) for name in changed}, {name: after[name] for name in changed}


def _two_decimals(value: Decimal, name: str, low: Decimal, high: Decimal) -> Decimal:
    if not value.is_finite() or not low <= value <= high:
        raise SettingsInvalid(f"{name} must be from {low} to {high}.")
    if value != value.quantize(CENT):
        raise SettingsInvalid(f"{name} has at most 2 decimal places.")
    return value.quantize(CENT)


def update_assessment(session: Session, actor: User, assessment: Assessment,
                      settings: AssessmentSettings) -> list[str]:
    """Change an assessment's settings; returns the names of the settings that changed (audited).

    Attempts already started keep what they pinned (pass mark, review policy, confirmation, deadline
    and drawn questions): the change applies to attempts started afterwards.
    """
    problems = blueprint_problems(settings.blueprint)
    if problems:
        raise SettingsInvalid("The blueprint is not valid: " + "; ".join(
            (f"row {index + 1}: " if index is not None else "") + message for index, _field, message in problems))
    if not settings.title.strip() or len(settings.title) > 200:
        raise SettingsInvalid("The title is required (at most 200 characters).")
    if not 1 <= settings.time_limit_minutes <= MAX_TIME_LIMIT_MINUTES:
        raise SettingsInvalid(f"The time limit is from 1 to {MAX_TIME_LIMIT_MINUTES} minutes.")
    pass_mark = _two_decimals(settings.pass_mark, "The pass mark", Decimal(0), Decimal(100))
    unknown = set(settings.review_policy) - set(DEFAULT_REVIEW_POLICY)
    if unknown:
        raise SettingsInvalid(f"Unknown review options: {', '.join(sorted(unknown))}")
    tier = tier_by_key(session, settings.tier_key)
    if tier is None:
        raise SettingsInvalid(f"There is no tier {settings.tier_key!r}.")
    before = _assessment_state(assessment)
    assessment.title = settings.title.strip()
    assessment.time_limit_minutes = settings.time_limit_minutes
    assessment.blueprint = [stratum.to_data() for stratum in settings.blueprint]
    assessment.questions_drawn = sum(stratum.count for stratum in settings.blueprint)
    assessment.pass_mark = pass_mark
    assessment.tier = tier
    assessment.requires_confirmation = settings.requires_confirmation
    assessment.review_policy = {name: bool(settings.review_policy.get(name, False)) for name in DEFAULT_REVIEW_POLICY}
    assessment.active = settings.active
    old, new = _changes(before, _assessment_state(assessment))
    if new:
        record(session, actor, "assessment.update", "assessment", assessment.id, before=old, after=new)
    session.flush()
    return list(new)


def _tier_state(tier: Tier) -> dict[str, Any]:
    return {"name": tier.name, "hourly_rate": str(Decimal(tier.hourly_rate).quantize(CENT)), "rank": tier.rank}


def update_tier(session: Session, actor: User, tier: Tier, *, name: str, hourly_rate: Decimal,
                rank: int) -> list[str]:
    """Rename a tier or change its rate or rank; returns what changed (audited).

    Placement uses each tier's current rate; decided attempts keep the tier they were placed in.
    """
    if not name.strip() or len(name) > 100:
        raise SettingsInvalid("The tier's name is required (at most 100 characters).")
    rate = _two_decimals(hourly_rate, "The hourly rate", Decimal(0), Decimal(10000))
    if not 0 <= rank <= 1000:
        raise SettingsInvalid("The rank is a whole number from 0 to 1000.")
    before = _tier_state(tier)
    tier.name, tier.hourly_rate, tier.rank = name.strip(), rate, rank
    old, new = _changes(before, _tier_state(tier))
    if new:
        record(session, actor, "tier.update", "tier", tier.id, before=old, after=new)
    session.flush()
    return list(new)


def _track_state(track: Track) -> dict[str, Any]:
    return {"name": track.name, "description": track.description, "tier": track.tier.key}


def update_track(session: Session, actor: User, track: Track, *, name: str, description: str,
                 tier_key: str) -> list[str]:
    """Rename a track, reword its description, or change the tier a pass in it places candidates in."""
    if not name.strip() or len(name) > 100:
        raise SettingsInvalid("The track's name is required (at most 100 characters).")
    tier = tier_by_key(session, tier_key)
    if tier is None:
        raise SettingsInvalid(f"There is no tier {tier_key!r}.")
    before = _track_state(track)
    # An assessment that followed the track's tier keeps following it (the bank file leaves its tier out).
    for assessment in track.assessments:
        if assessment.tier_id == track.tier_id and assessment.tier_id != tier.id:
            record(session, actor, "assessment.update", "assessment", assessment.id,
                   before={"tier": assessment.tier.key}, after={"tier": tier.key})
            assessment.tier = tier
    track.name, track.description, track.tier = name.strip(), description.strip(), tier
    old, new = _changes(before, _track_state(track))
    if new:
        record(session, actor, "track.update", "track", track.id, before=old, after=new)
    session.flush()
    return list(new)
