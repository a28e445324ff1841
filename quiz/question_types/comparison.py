"""Two AI responses: pick the better, rate both, justify the choice.

The choice and the ratings are graded at once; the justification by a person.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from quiz.question_types.base import (
    AnswerError,
    Checker,
    ItemGrade,
    QuestionType,
    RubricCriterion,
    count_words,
    grade_written,
    rubric_to_definition,
    rubric_total,
    word_limit_detail,
    written_text,
)
from quiz.question_types.limits import MAX_ID_LENGTH, MAX_LONG_TEXT, MAX_PART_POINTS, MAX_SCALE_END, MAX_SCALE_STEPS

ANSWER_KEYS = ("better", "rating_a", "rating_b", "justification")
_INTEGER = re.compile(r"[+-]?\d+")


@dataclass(frozen=True)
class ComparisonSpec:
    prompt: str
    explanation: str
    user_prompt: str
    response_a: str
    response_b: str
    better: str  # "a" or "b"
    rating_a: int
    rating_b: int
    rubric: tuple[RubricCriterion, ...]
    scale_min: int = 1
    scale_max: int = 7
    rating_tolerance: float = 1.0
    choice_points: float = 1.0
    rating_points: float = 1.0
    min_words: int = 0
    max_words: int | None = None


class Comparison(QuestionType):
    name = "comparison"
    label = "Comparison"
    manual = True

    def parse_definition(self, raw: Mapping[str, Any]) -> ComparisonSpec:
        check = Checker(raw)
        check.only({"prompt", "explanation", "user_prompt", "response_a", "response_b", "better", "scale",
                    "ratings", "rating_tolerance", "choice_points", "rating_points", "rubric",
                    "min_words", "max_words"})
        prompt, explanation = self.common(check)
        user_prompt = check.text("user_prompt", max_length=MAX_LONG_TEXT)
        response_a = check.text("response_a", max_length=MAX_LONG_TEXT)
        response_b = check.text("response_b", max_length=MAX_LONG_TEXT)
        better = check.text("better", max_length=MAX_ID_LENGTH).strip().lower()
        if better and better not in ("a", "b"):
            check.fail(("better",), "must be a or b")
        low, high = 1, 7
        scale = check.mapping("scale", {"min", "max"}, required=False)
        if scale is not None:
            low = check.number("min", path=("scale", "min"), source=scale, integer=True,
                               minimum=-MAX_SCALE_END, maximum=MAX_SCALE_END)
            high = check.number("max", path=("scale", "max"), source=scale, integer=True,
                                minimum=-MAX_SCALE_END, maximum=MAX_SCALE_END)
            if low is not None and high is not None and low >= high:
                check.fail(("scale", "max"), f"must be greater than min ({low})")
            elif low is not None and high is not None and high - low > MAX_SCALE_STEPS:
                # the candidate's page shows one choice per step
                check.fail(("scale", "max"), f"must be at most {MAX_SCALE_STEPS} above min ({low})")
                high = None
        scale_ok = low is not None and high is not None and low < high
        ratings = check.mapping("ratings", {"a", "b"})
        key: dict[str, int | None] = {}
        for side in ("a", "b"):
            value = None
            if ratings is not None:
                value = check.number(side, path=("ratings", side), source=ratings, integer=True)
            if value is not None and scale_ok and not low <= value <= high:
                check.fail(("ratings", side), f"must be within the scale {low}..{high}")
                value = None
            key[side] = value
        if better in ("a", "b") and None not in key.values():
            worse = "b" if better == "a" else "a"
            if key[worse] > key[better]:
                # a key that rates the worse response higher contradicts itself
                check.fail(("ratings",), f"rate {better} at least as high as {worse}: better is {better}")
        rating_tolerance = check.number("rating_tolerance", required=False, default=1.0, minimum=0,
                                        maximum=MAX_PART_POINTS)
        choice_points = check.number("choice_points", required=False, default=1.0, minimum=0,
                                     maximum=MAX_PART_POINTS)
        rating_points = check.number("rating_points", required=False, default=1.0, minimum=0,
                                     maximum=MAX_PART_POINTS)
        rubric = check.rubric()
        min_words, max_words = check.word_limits()
        check.done()
        return ComparisonSpec(prompt, explanation, user_prompt, response_a, response_b, better,
                              key["a"], key["b"], rubric, low, high, rating_tolerance,
                              choice_points, rating_points, min_words, max_words)

    def to_definition(self, spec: ComparisonSpec) -> dict[str, Any]:
        return {
            "prompt": spec.prompt,
            "explanation": spec.explanation,
            "user_prompt": spec.user_prompt,
            "response_a": spec.response_a,
            "response_b": spec.response_b,
            "better": spec.better,
            "scale": {"min": spec.scale_min, "max": spec.scale_max},
            "ratings": {"a": spec.rating_a, "b": spec.rating_b},
            "rating_tolerance": spec.rating_tolerance,
            "choice_points": spec.choice_points,
            "rating_points": spec.rating_points,
            "rubric": rubric_to_definition(spec.rubric),
            "min_words": spec.min_words,
            "max_words": spec.max_words,
        }

    def normalise_answer(self, spec: ComparisonSpec, raw: Any) -> dict[str, Any] | None:
        if raw is None:
            return None
        if not isinstance(raw, Mapping):
            raise AnswerError(f"expected a mapping with {', '.join(ANSWER_KEYS)}")
        unknown = sorted(str(k) for k in raw if k not in ANSWER_KEYS)
        if unknown:
            raise AnswerError(f"unknown parts {', '.join(unknown)} (expected {', '.join(ANSWER_KEYS)})")
        answer = {
            "better": self._better(raw.get("better")),
            "rating_a": self._rating(spec, raw.get("rating_a"), "A"),
            "rating_b": self._rating(spec, raw.get("rating_b"), "B"),
            "justification": None,
        }
        if raw.get("justification") is not None:
            answer["justification"] = written_text(raw["justification"], spec.max_words, "the justification")
        blank = answer["justification"] is None or not answer["justification"].strip()
        if blank and all(answer[k] is None for k in ("better", "rating_a", "rating_b")):
            return None
        return answer

    @staticmethod
    def _better(raw: Any) -> str | None:
        if raw is None or raw == "":
            return None
        if isinstance(raw, str) and raw.strip().lower() in ("a", "b"):
            return raw.strip().lower()
        raise AnswerError("choose the better response: a or b")

    @staticmethod
    def _rating(spec: ComparisonSpec, raw: Any, side: str) -> int | None:
        expected = f"a whole number from {spec.scale_min} to {spec.scale_max}"
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, str) and _INTEGER.fullmatch(raw.strip()):
            value = int(raw.strip())
        elif isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        elif isinstance(raw, float) and raw.is_integer():  # JSON clients may send 5.0
            value = int(raw)
        else:
            raise AnswerError(f"rating of response {side} must be {expected}")
        if not spec.scale_min <= value <= spec.scale_max:
            raise AnswerError(f"rating of response {side} must be {expected}, not {value}")
        return value

    def grade(self, spec: ComparisonSpec, answer: Any, manual: Mapping[str, Any] | None = None) -> ItemGrade:
        possible = spec.choice_points + spec.rating_points + rubric_total(spec.rubric)
        if answer is None:
            return ItemGrade(0.0, possible, detail={"answered": False})
        choice = spec.choice_points if answer.get("better") == spec.better else 0.0
        ratings = 0.0
        for given, key in ((answer.get("rating_a"), spec.rating_a), (answer.get("rating_b"), spec.rating_b)):
            if given is not None and abs(given - key) <= spec.rating_tolerance:
                ratings += spec.rating_points / 2
        justification = grade_written(spec.rubric, answer.get("justification"), manual)
        earned = choice + ratings + (justification or 0.0)
        detail = {"choice": choice, "ratings": ratings, "justification": justification,
                  **word_limit_detail(answer.get("justification"), spec.min_words, spec.max_words)}
        return ItemGrade(earned, possible, pending=justification is None, detail=detail)

    def correct_answer(self, spec: ComparisonSpec) -> dict[str, Any]:
        return {"better": spec.better, "rating_a": spec.rating_a, "rating_b": spec.rating_b, "justification": None}

    def summarise(self, spec: ComparisonSpec, answer: Any) -> str:
        if answer is None:
            return "(no answer)"
        better = answer.get("better")
        parts = [f"better {better.upper()}" if better else "no choice"]
        a, b = answer.get("rating_a"), answer.get("rating_b")
        if a is None and b is None:
            parts.append("no ratings")
        else:
            parts.append(f"ratings {'-' if a is None else a}/{'-' if b is None else b}")
        words = count_words(answer.get("justification") or "")
        parts.append(f"{words}-word justification" if words else "no justification")
        return "; ".join(parts)

    def rubric(self, spec: ComparisonSpec) -> tuple[RubricCriterion, ...]:
        return spec.rubric
