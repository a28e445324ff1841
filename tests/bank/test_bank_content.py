"""The shipped question banks are product content: complete, well-formed, drawable twice over."""

from __future__ import annotations

import random
from collections import Counter, defaultdict

import pytest

import bankfiles as bf
from quiz.bank.blueprint import draw_form
from quiz.bank.load import load_bank
from quiz.question_types import get_type

BANK = load_bank(bf.BANK_DIR)
TRACKS = {track.key: track for track in BANK.tracks}
BY_TRACK: dict[str, list] = defaultdict(list)
for _question in BANK.questions:
    BY_TRACK[_question.track].append(_question)

MINIMUM = {"general": 60, "coding": 60}
LANGUAGE_TRACKS = ("spanish", "french", "german")


def test_every_bank_file_validates_without_errors_or_warnings() -> None:
    assert BANK.errors == []
    assert BANK.warnings == []


def test_all_twelve_tracks_with_their_tiers() -> None:
    assert set(TRACKS) == {"general", "coding", "math", "chemistry", "biology", "physics", "finance", "law",
                           "medicine", "spanish", "french", "german"}
    tiers = {key: TRACKS[key].tier for key in TRACKS}
    assert {tiers[k] for k in LANGUAGE_TRACKS} == {"multilingual"}
    assert {tiers[k] for k in ("math", "chemistry", "biology", "physics")} == {"stem"}
    assert {tiers[k] for k in ("finance", "law", "medicine")} == {"professional"}
    rates = {tier.key: tier.hourly_rate for tier in BANK.tiers}
    assert rates == {"general": 20, "multilingual": 20, "coding": 40, "stem": 40, "professional": 50}


@pytest.mark.parametrize("track", sorted(TRACKS))
def test_track_size_types_and_explanations(track: str) -> None:
    questions = BY_TRACK[track]
    assert len(questions) >= MINIMUM.get(track, 40)
    assert len({q.type for q in questions}) >= 4
    for question in questions:
        assert question.definition["explanation"].strip(), f"{question.key} has no explanation"


@pytest.mark.parametrize("track", sorted(TRACKS))
def test_open_items_carry_a_rubric_with_points(track: str) -> None:
    for question in BY_TRACK[track]:
        if get_type(question.type).manual:
            rubric = question.definition["rubric"]
            assert rubric and all(criterion["points"] > 0 for criterion in rubric), question.key


def test_keys_of_closed_items_point_to_options_and_tolerances_are_positive() -> None:
    for question in BANK.questions:
        definition = question.definition
        option_ids = {o["id"] for o in definition.get("options", [])}
        if question.type == "single_choice":
            assert definition["correct"] in option_ids, question.key
        if question.type == "multiple_choice":
            assert set(definition["correct"]) <= option_ids, question.key
        if question.type == "numeric":
            assert all(value > 0 for value in definition["tolerance"].values() if value is not None), question.key


def _shown(question) -> str:  # type: ignore[no-untyped-def]
    """What the candidate reads as the question. A comparison's `prompt` is often the same
    instruction ("choose the better response..."); its question is the user's prompt."""
    parts = [question.definition["prompt"], question.definition.get("user_prompt", "")]
    return " ".join(" ".join(parts).split()).lower()


def test_no_two_questions_share_a_prompt() -> None:
    prompts = Counter(_shown(q) for q in BANK.questions)
    assert [p[:80] for p, n in prompts.items() if n > 1] == []


def test_every_key_grades_as_full_marks() -> None:
    """The stored key, given as an answer, earns everything its auto-graded part can earn."""
    for question in BANK.questions:
        question_type = get_type(question.type)
        spec = question_type.parse_definition(question.definition)
        key = question_type.correct_answer(spec)
        if key is None or question_type.runs_code:
            continue  # code is graded by running it: tests/bank/test_code_items.py runs every reference
        grade = question_type.grade(spec, question_type.normalise_answer(spec, key))
        manual = sum(c.points for c in question_type.rubric(spec))
        assert grade.earned == pytest.approx(grade.possible - manual), question.key


@pytest.mark.parametrize("assessment", [a for t in BANK.tracks for a in t.assessments], ids=lambda a: a.key)
def test_every_blueprint_can_be_drawn_twice_over_without_repeats(assessment) -> None:  # type: ignore[no-untyped-def]
    track = next(t for t in BANK.tracks if assessment in t.assessments)
    pool = [(i, q.topic, q.difficulty) for i, q in enumerate(BY_TRACK[track.key])]
    doubled = [type(s)(s.topic, s.difficulty_min, s.difficulty_max, s.count * 2) for s in assessment.blueprint]
    drawn = draw_form(doubled, pool, random.Random(7))
    assert len(drawn) == len(set(drawn)) == 2 * assessment.questions_drawn


def test_time_limits_match_the_sources() -> None:
    for track in BANK.tracks:
        starter = next(a for a in track.assessments if a.kind == "starter")
        specialist = next(a for a in track.assessments if a.kind == "specialist")
        if track.key == "coding":
            assert 90 <= starter.time_limit_minutes <= 120
        else:
            assert 45 <= starter.time_limit_minutes <= 75
        assert specialist.time_limit_minutes >= starter.time_limit_minutes
        # specialists are harder: their strata start higher
        assert min(s.difficulty_min for s in specialist.blueprint) > min(s.difficulty_min for s in starter.blueprint)
