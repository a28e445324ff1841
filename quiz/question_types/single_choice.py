"""One right option among 2-10."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from quiz.question_types.base import AnswerError, Checker, ItemGrade, QuestionType
from quiz.question_types.limits import MAX_ID_LENGTH

MIN_OPTIONS, MAX_OPTIONS = 2, 10


@dataclass(frozen=True)
class SingleChoiceSpec:
    prompt: str
    explanation: str
    options: tuple[tuple[str, str], ...]  # (id, text), in display order before shuffling
    correct: str
    shuffle: bool = True

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(ident for ident, _ in self.options)


class SingleChoice(QuestionType):
    name = "single_choice"
    label = "Single choice"

    def parse_definition(self, raw: Mapping[str, Any]) -> SingleChoiceSpec:
        check = Checker(raw)
        check.only({"prompt", "explanation", "options", "correct", "shuffle"})
        prompt, explanation = self.common(check)
        options = check.labelled_items("options", min_items=MIN_OPTIONS, max_items=MAX_OPTIONS)
        correct = check.text("correct", max_length=MAX_ID_LENGTH)
        if correct and options and correct not in {ident for ident, _ in options}:
            check.fail(("correct",), f"{correct!r} is not the id of an option")
        shuffle = check.boolean("shuffle", True)
        check.done()
        return SingleChoiceSpec(prompt, explanation, tuple(options), correct, shuffle)

    def to_definition(self, spec: SingleChoiceSpec) -> dict[str, Any]:
        return {
            "prompt": spec.prompt,
            "explanation": spec.explanation,
            "options": [{"id": ident, "text": text} for ident, text in spec.options],
            "correct": spec.correct,
            "shuffle": spec.shuffle,
        }

    def normalise_answer(self, spec: SingleChoiceSpec, raw: Any) -> str | None:
        if raw is None or raw == "":  # a form with nothing selected
            return None
        if not isinstance(raw, str):
            raise AnswerError("choose one option (expected an option id)")
        if raw not in spec.option_ids:
            raise AnswerError(f"{raw!r} is not one of the options ({', '.join(spec.option_ids)})")
        return raw

    def grade(self, spec: SingleChoiceSpec, answer: Any, manual: Mapping[str, Any] | None = None) -> ItemGrade:
        if answer is None:
            return ItemGrade(0.0, 1.0, detail={"answered": False})
        right = answer == spec.correct
        return ItemGrade(1.0 if right else 0.0, 1.0, detail={"correct": right})

    def correct_answer(self, spec: SingleChoiceSpec) -> str:
        return spec.correct

    def summarise(self, spec: SingleChoiceSpec, answer: Any) -> str:
        return "(no answer)" if answer is None else str(answer)

    def shuffle_ids(self, spec: SingleChoiceSpec) -> tuple[str, ...]:
        return spec.option_ids if spec.shuffle else ()
