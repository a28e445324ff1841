"""A statement that is true or false."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from quiz.question_types.base import AnswerError, Checker, ItemGrade, QuestionType


@dataclass(frozen=True)
class TrueFalseSpec:
    prompt: str
    explanation: str
    correct: bool


class TrueFalse(QuestionType):
    name = "true_false"
    label = "True / false"

    def parse_definition(self, raw: Mapping[str, Any]) -> TrueFalseSpec:
        check = Checker(raw)
        check.only({"prompt", "explanation", "correct"})
        prompt, explanation = self.common(check)
        if check.raw.get("correct") is None:
            check.fail(("correct",), "is required")
            correct = False
        else:
            correct = check.boolean("correct", False)
        check.done()
        return TrueFalseSpec(prompt, explanation, correct)

    def to_definition(self, spec: TrueFalseSpec) -> dict[str, Any]:
        return {"prompt": spec.prompt, "explanation": spec.explanation, "correct": spec.correct}

    def normalise_answer(self, spec: TrueFalseSpec, raw: Any) -> bool | None:
        if raw is None or raw == "":
            return None
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
            return raw.strip().lower() == "true"
        raise AnswerError("answer true or false")

    def grade(self, spec: TrueFalseSpec, answer: Any, manual: Mapping[str, Any] | None = None) -> ItemGrade:
        if answer is None:
            return ItemGrade(0.0, 1.0, detail={"answered": False})
        right = answer == spec.correct
        return ItemGrade(1.0 if right else 0.0, 1.0, detail={"correct": right})

    def correct_answer(self, spec: TrueFalseSpec) -> bool:
        return spec.correct

    def summarise(self, spec: TrueFalseSpec, answer: Any) -> str:
        return "(no answer)" if answer is None else ("true" if answer else "false")
