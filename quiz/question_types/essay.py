"""A written answer graded by a person against a rubric."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from quiz.question_types.base import (
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


@dataclass(frozen=True)
class EssaySpec:
    prompt: str
    explanation: str
    rubric: tuple[RubricCriterion, ...]
    min_words: int = 0
    max_words: int | None = None


class Essay(QuestionType):
    name = "essay"
    label = "Essay"
    manual = True

    def parse_definition(self, raw: Mapping[str, Any]) -> EssaySpec:
        check = Checker(raw)
        check.only({"prompt", "explanation", "rubric", "min_words", "max_words"})
        prompt, explanation = self.common(check)
        rubric = check.rubric()
        min_words, max_words = check.word_limits()
        check.done()
        return EssaySpec(prompt, explanation, rubric, min_words, max_words)

    def to_definition(self, spec: EssaySpec) -> dict[str, Any]:
        return {
            "prompt": spec.prompt,
            "explanation": spec.explanation,
            "rubric": rubric_to_definition(spec.rubric),
            "min_words": spec.min_words,
            "max_words": spec.max_words,
        }

    def normalise_answer(self, spec: EssaySpec, raw: Any) -> str | None:
        if raw is None:
            return None
        return written_text(raw, spec.max_words)

    def grade(self, spec: EssaySpec, answer: Any, manual: Mapping[str, Any] | None = None) -> ItemGrade:
        possible = rubric_total(spec.rubric)
        if answer is None:
            return ItemGrade(0.0, possible, detail={"answered": False})
        earned = grade_written(spec.rubric, answer, manual)
        detail = word_limit_detail(answer, spec.min_words, spec.max_words)
        if earned is None:
            return ItemGrade(0.0, possible, pending=True, detail=detail)
        return ItemGrade(earned, possible, detail=detail)

    def correct_answer(self, spec: EssaySpec) -> None:
        return None

    def summarise(self, spec: EssaySpec, answer: Any) -> str:
        words = 0 if answer is None else count_words(answer)
        if not words:
            return "(no answer)"
        return f"({words} word{'' if words == 1 else 's'})"

    def rubric(self, spec: EssaySpec) -> tuple[RubricCriterion, ...]:
        return spec.rubric
