"""Several right options among 2-12, with partial credit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from quiz.question_types.base import AnswerError, Checker, ItemGrade, QuestionType
from quiz.question_types.limits import MAX_ID_LENGTH

MIN_OPTIONS, MAX_OPTIONS = 2, 12


@dataclass(frozen=True)
class MultipleChoiceSpec:
    prompt: str
    explanation: str
    options: tuple[tuple[str, str], ...]  # (id, text)
    correct: tuple[str, ...]  # in option order, so equal keys compare equal
    shuffle: bool = True

    @property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(ident for ident, _ in self.options)


class MultipleChoice(QuestionType):
    name = "multiple_choice"
    label = "Multiple choice"

    def parse_definition(self, raw: Mapping[str, Any]) -> MultipleChoiceSpec:
        check = Checker(raw)
        check.only({"prompt", "explanation", "options", "correct", "shuffle"})
        prompt, explanation = self.common(check)
        options = check.labelled_items("options", min_items=MIN_OPTIONS, max_items=MAX_OPTIONS)
        ids = [ident for ident, _ in options]
        chosen: set[str] = set()
        for i, ident in enumerate(check.sequence("correct", min_items=1, max_items=MAX_OPTIONS)):
            if not isinstance(ident, str) or len(ident) > MAX_ID_LENGTH:
                check.fail(("correct", i), "must be an option id")
            elif ident in chosen:
                check.fail(("correct", i), f"duplicate id {ident!r}")
            elif options and ident not in ids:
                check.fail(("correct", i), f"{ident!r} is not the id of an option")
            else:
                chosen.add(ident)
        shuffle = check.boolean("shuffle", True)
        check.done()
        correct = tuple(ident for ident in ids if ident in chosen)
        return MultipleChoiceSpec(prompt, explanation, tuple(options), correct, shuffle)

    def to_definition(self, spec: MultipleChoiceSpec) -> dict[str, Any]:
        return {
            "prompt": spec.prompt,
            "explanation": spec.explanation,
            "options": [{"id": ident, "text": text} for ident, text in spec.options],
            "correct": list(spec.correct),
            "shuffle": spec.shuffle,
        }

    def normalise_answer(self, spec: MultipleChoiceSpec, raw: Any) -> list[str] | None:
        if raw is None or raw == "":
            return None
        if isinstance(raw, str):  # a form posting a single ticked box
            raw = [raw]
        if not isinstance(raw, Sequence) or not all(isinstance(i, str) for i in raw):
            raise AnswerError("choose options (expected a list of option ids)")
        unknown = [i for i in raw if i not in spec.option_ids]
        if unknown:
            raise AnswerError(f"not among the options ({', '.join(spec.option_ids)}): {', '.join(map(repr, unknown))}")
        if len(set(raw)) != len(raw):
            raise AnswerError("each option may be chosen only once")
        return [ident for ident in spec.option_ids if ident in raw]

    def grade(self, spec: MultipleChoiceSpec, answer: Any, manual: Mapping[str, Any] | None = None) -> ItemGrade:
        if answer is None:
            return ItemGrade(0.0, 1.0, detail={"answered": False})
        k = len(spec.correct)
        right = sum(1 for i in answer if i in spec.correct)
        wrong = len(answer) - right
        earned = max(0.0, (right - wrong) / k)
        return ItemGrade(earned, 1.0, detail={"right_chosen": right, "wrong_chosen": wrong, "right_total": k})

    def correct_answer(self, spec: MultipleChoiceSpec) -> list[str]:
        return list(spec.correct)

    def summarise(self, spec: MultipleChoiceSpec, answer: Any) -> str:
        if answer is None:
            return "(no answer)"
        return ", ".join(answer) if answer else "(none chosen)"

    def shuffle_ids(self, spec: MultipleChoiceSpec) -> tuple[str, ...]:
        return spec.option_ids if spec.shuffle else ()
