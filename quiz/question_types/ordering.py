"""Put 2-10 items in order; partial credit by pairs in the right relative order.

An answer is either a complete order (a list of every item id once, the canonical form) or, while
the candidate is still working, a partial one: a mapping of item id -> position (1..n) where items
may be missing or share a position. A partial order is kept, never refused (the candidate's work is
not lost), and graded by the same pairs: a pair counts only when both items have a position and the
earlier item's position is strictly smaller. See docs/scoring.md.
"""

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

    def normalise_answer(self, spec: OrderingSpec, raw: Any) -> list[str] | dict[str, int] | None:
        if raw is None:
            return None
        if isinstance(raw, Mapping):
            return self._normalise_positions(spec, raw)
        expected = f"expected every item id once ({', '.join(sorted(spec.item_ids))})"
        if isinstance(raw, str) or not isinstance(raw, Sequence) or not all(isinstance(i, str) for i in raw):
            raise AnswerError(f"put the items in order: {expected}")
        unknown = [i for i in raw if i not in spec.item_ids]
        if unknown:
            raise AnswerError(f"unknown items {', '.join(map(repr, unknown))}: {expected}")
        if len(raw) != len(spec.item_ids) or set(raw) != set(spec.item_ids):
            raise AnswerError(f"the order must list each item exactly once: {expected}")
        return list(raw)

    def _normalise_positions(self, spec: OrderingSpec, raw: Mapping[Any, Any]) -> list[str] | dict[str, int] | None:
        """{item id: position}: a complete order becomes the list; a partial one stays a mapping,
        in the written order of the items so equal answers are stored alike."""
        count = len(spec.item_ids)
        unknown = [i for i in raw if i not in spec.item_ids]
        if unknown:
            raise AnswerError(f"unknown items {', '.join(map(repr, unknown))} "
                              f"(the items are {', '.join(sorted(spec.item_ids))})")
        for ident, place in raw.items():
            if isinstance(place, bool) or not isinstance(place, int) or not 1 <= place <= count:
                raise AnswerError(f"the position of {ident!r} must be a whole number from 1 to {count}")
        if not raw:
            return None
        if sorted(raw.values()) == list(range(1, count + 1)):
            return sorted(raw, key=raw.__getitem__)
        return {ident: raw[ident] for ident in spec.item_ids if ident in raw}

    @staticmethod
    def positions(answer: Any) -> dict[str, int]:
        """Item id -> position (1-based) of a canonical answer, complete or partial."""
        if isinstance(answer, Mapping):
            return dict(answer)
        return {ident: n for n, ident in enumerate(answer or (), start=1)}

    def grade(self, spec: OrderingSpec, answer: Any, manual: Mapping[str, Any] | None = None) -> ItemGrade:
        if answer is None:
            return ItemGrade(0.0, 1.0, detail={"answered": False})
        position = self.positions(answer)
        pairs = list(combinations(spec.item_ids, 2))  # each (earlier, later) in the key
        right = sum(1 for first, second in pairs
                    if first in position and second in position and position[first] < position[second])
        detail: dict[str, Any] = {"pairs_right": right, "pairs_total": len(pairs)}
        if isinstance(answer, Mapping):
            detail["complete"] = False
        return ItemGrade(right / len(pairs), 1.0, detail=detail)

    def notice(self, spec: OrderingSpec, answer: Any) -> str | None:
        if not isinstance(answer, Mapping):
            return None
        texts = dict(spec.items)
        problems = []
        for place in sorted(set(answer.values())):
            sharing = [f"“{texts[i]}”" for i in spec.item_ids if answer.get(i) == place]
            if len(sharing) > 1:
                problems.append(f"position {place} is given to {_and(sharing)}")
        missing = [f"“{texts[i]}”" for i in spec.item_ids if i not in answer]
        if missing:
            problems.append(f"{_and(missing)} {'has' if len(missing) == 1 else 'have'} no position yet")
        return (f"Saved, but the order is not complete: {'; '.join(problems)}. "
                f"Give each item a different position from 1 to {len(spec.item_ids)}.")

    def correct_answer(self, spec: OrderingSpec) -> list[str]:
        return list(spec.item_ids)

    def summarise(self, spec: OrderingSpec, answer: Any) -> str:
        if answer is None:
            return "(no answer)"
        if not isinstance(answer, Mapping):
            return " > ".join(answer)
        ranks = sorted(set(answer.values()))
        line = " > ".join(" = ".join(i for i in spec.item_ids if answer.get(i) == place) for place in ranks)
        missing = [i for i in spec.item_ids if i not in answer]
        return f"{line} (incomplete{'; no position: ' + ', '.join(missing) if missing else ''})"

    def shuffle_ids(self, spec: OrderingSpec) -> tuple[str, ...]:
        return spec.item_ids


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
