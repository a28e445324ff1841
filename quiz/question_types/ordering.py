"""Put 2-10 items in order; partial credit by pairs in the right relative order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from quiz.question_types.base import AnswerError, Checker, ItemGrade, QuestionType

MIN_ITEMS, MAX_ITEMS = 2, 10


@dataclass(frozen=True)
class OrderingSpec:
    prompt: str
    explanation: str
    items: tuple[tuple[str, str], ...]  # (id, text), in the correct order

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(ident for ident, _ in self.items)


class Ordering(QuestionType):
    name = "ordering"
    label = "Ordering"

    def parse_definition(self, raw: Mapping[str, Any]) -> OrderingSpec:
        check = Checker(raw)
        check.only({"prompt", "explanation", "items"})
        prompt, explanation = self.common(check)
        items = check.labelled_items("items", min_items=MIN_ITEMS, max_items=MAX_ITEMS)
        check.done()
        return OrderingSpec(prompt, explanation, tuple(items))

    def to_definition(self, spec: OrderingSpec) -> dict[str, Any]:
        return {
            "prompt": spec.prompt,
            "explanation": spec.explanation,
            "items": [{"id": ident, "text": text} for ident, text in spec.items],
        }

    def normalise_answer(self, spec: OrderingSpec, raw: Any) -> list[str] | None:
        if raw is None:
            return None
        expected = f"expected every item id once ({', '.join(sorted(spec.item_ids))})"
        if isinstance(raw, str) or not isinstance(raw, Sequence) or not all(isinstance(i, str) for i in raw):
            raise AnswerError(f"put the items in order: {expected}")
        unknown = [i for i in raw if i not in spec.item_ids]
        if unknown:
            raise AnswerError(f"unknown items {', '.join(map(repr, unknown))}: {expected}")
        if len(raw) != len(spec.item_ids) or set(raw) != set(spec.item_ids):
            raise AnswerError(f"the order must list each item exactly once: {expected}")
        return list(raw)

    def grade(self, spec: OrderingSpec, answer: Any, manual: Mapping[str, Any] | None = None) -> ItemGrade:
        if answer is None:
            return ItemGrade(0.0, 1.0, detail={"answered": False})
        position = {ident: i for i, ident in enumerate(answer)}
        pairs = list(combinations(spec.item_ids, 2))  # each (earlier, later) in the key
        right = sum(1 for first, second in pairs if position[first] < position[second])
        return ItemGrade(right / len(pairs), 1.0, detail={"pairs_right": right, "pairs_total": len(pairs)})

    def correct_answer(self, spec: OrderingSpec) -> list[str]:
        return list(spec.item_ids)

    def summarise(self, spec: OrderingSpec, answer: Any) -> str:
        return "(no answer)" if answer is None else " > ".join(answer)

    def shuffle_ids(self, spec: OrderingSpec) -> tuple[str, ...]:
        return spec.item_ids
