"""The interface every question type implements, and the values they exchange.

Pure: standard library only. A question type knows what a right answer is;
it knows nothing of attempts, clocks, databases or web requests.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from quiz.question_types.limits import (
    MAX_ID_LENGTH,
    MAX_LONG_TEXT,
    MAX_OPTION_TEXT,
    MAX_PART_POINTS,
    MAX_RUBRIC_DESCRIPTION,
    MAX_RUBRIC_ROWS,
    MAX_WORDS,
)

Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
    """`("options", 2, "text")` -> `options[2].text`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(definition)"


def _is_finite_number(value: Any) -> bool:
    """A real int or float (not bool, nan or inf); ints too big for a float count as not finite."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition, at the path of the bad field."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{format_path(self.path)}: {self.message}"


class DefinitionError(ValueError):
    """A question definition is invalid. Carries every problem found, each with its path."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class AnswerError(ValueError):
    """A candidate's answer is malformed (not merely wrong)."""


class ManualGradeError(ValueError):
    """A grader's rubric scores do not fit the rubric."""


@dataclass(frozen=True)
class ItemGrade:
    """The grade of one answer, in the type's own units.

    `possible` counts every part of the item, auto-graded and manual.
    While `pending` is true a person still has to grade the manual part and
    `earned` holds only the auto-graded part. The scoring core scales
    earned/possible to the points the question version is worth.
    """

    earned: float
    possible: float
    pending: bool = False
    detail: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.possible <= 0:
            raise ValueError("possible must be positive")
        if not (0 <= self.earned <= self.possible + 1e-9):
            raise ValueError(f"earned {self.earned} outside 0..{self.possible}")

    @property
    def fraction(self) -> float:
        return min(1.0, self.earned / self.possible)


@dataclass(frozen=True)
class RubricCriterion:
    id: str
    description: str
    points: float


class Checker:
    """Collects problems while a definition is parsed, so all of them are reported at once."""

    def __init__(self, raw: Any):
        self.problems: list[Problem] = []
        if not isinstance(raw, Mapping):
            self.problems.append(Problem((), "must be a mapping of fields"))
            raw = {}
        self.raw: Mapping[str, Any] = raw

    def fail(self, path: Path, message: str) -> None:
        self.problems.append(Problem(path, message))

    def done(self) -> None:
        if self.problems:
            raise DefinitionError(self.problems)

    def only(self, allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        for name in self.raw:
            if name not in allowed:
                self.fail((str(name),), f"unknown field (allowed: {', '.join(sorted(allowed))})")

    # --- typed getters: on a problem they record it and return a safe placeholder ---

    def text(self, name: str, *, max_length: int, required: bool = True, default: str = "",
             path: Path | None = None, source: Mapping[str, Any] | None = None) -> str:
        source = self.raw if source is None else source
        where = path if path is not None else (name,)
        if name not in source or source[name] is None:
            if required:
                self.fail(where, "is required")
            return default
        value = source[name]
        if not isinstance(value, str):
            self.fail(where, f"must be text, not {type(value).__name__}")
            return default
        if required and not value.strip():
            self.fail(where, "must not be empty")
        if len(value) > max_length:
            self.fail(where, f"is {len(value):,} characters long; at most {max_length:,} are allowed")
            return default
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self.raw.get(name, default)
        if not isinstance(value, bool):
            self.fail((name,), "must be true or false")
            return default
        return value

    def number(self, name: str, *, required: bool = True, default: float | None = None,
               minimum: float | None = None, exclusive_minimum: float | None = None,
               maximum: float | None = None, path: Path | None = None,
               source: Mapping[str, Any] | None = None, integer: bool = False) -> float | None:
        source = self.raw if source is None else source
        where = path if path is not None else (name,)
        if name not in source or source[name] is None:
            if required:
                self.fail(where, "is required")
            return default
        value = source[name]
        if not _is_finite_number(value):
            self.fail(where, "must be a number")
            return default
        if integer and value != int(value):
            self.fail(where, "must be a whole number")
            return default
        if minimum is not None and value < minimum:
            self.fail(where, f"must be at least {minimum:g}")
        if exclusive_minimum is not None and value <= exclusive_minimum:
            self.fail(where, f"must be greater than {exclusive_minimum:g}")
        if maximum is not None and value > maximum:
            self.fail(where, f"must be at most {maximum:g}")
            return default
        return int(value) if integer else float(value)

    def sequence(self, name: str, *, max_items: int, min_items: int = 0) -> list[Any]:
        """The list `name`; past `max_items` it is refused and only its first entries are looked at."""
        value = self.raw.get(name)
        if value is None:
            self.fail((name,), "is required")
            return []
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            self.fail((name,), "must be a list")
            return []
        if len(value) < min_items:
            self.fail((name,), f"must have at least {min_items} entries")
        if len(value) > max_items:
            self.fail((name,), f"must have at most {max_items} entries")
            return list(value[:max_items])
        return list(value)

    def labelled_items(self, name: str, *, min_items: int, max_items: int) -> list[tuple[str, str]]:
        """A list of `{id, text}` entries with unique, non-empty ids (choices, ordering items)."""
        items: list[tuple[str, str]] = []
        seen: set[str] = set()
        for i, entry in enumerate(self.sequence(name, min_items=min_items, max_items=max_items)):
            if not isinstance(entry, Mapping):
                self.fail((name, i), "must be a mapping with id and text")
                continue
            for extra in set(entry) - {"id", "text"}:
                self.fail((name, i, str(extra)), "unknown field (allowed: id, text)")
            ident = self.text("id", path=(name, i, "id"), source=entry, max_length=MAX_ID_LENGTH)
            label = self.text("text", path=(name, i, "text"), source=entry, max_length=MAX_OPTION_TEXT)
            if ident in seen:
                self.fail((name, i, "id"), f"duplicate id {ident!r}")
            seen.add(ident)
            items.append((ident, label))
        return items

    def rubric(self, name: str = "rubric") -> tuple[RubricCriterion, ...]:
        criteria: list[RubricCriterion] = []
        seen: set[str] = set()
        for i, entry in enumerate(self.sequence(name, min_items=1, max_items=MAX_RUBRIC_ROWS)):
            if not isinstance(entry, Mapping):
                self.fail((name, i), "must be a mapping with id, description and points")
                continue
            for extra in set(entry) - {"id", "description", "points"}:
                self.fail((name, i, str(extra)), "unknown field (allowed: id, description, points)")
            ident = self.text("id", path=(name, i, "id"), source=entry, max_length=MAX_ID_LENGTH)
            description = self.text("description", path=(name, i, "description"), source=entry,
                                    max_length=MAX_RUBRIC_DESCRIPTION)
            points = self.number("points", path=(name, i, "points"), source=entry, exclusive_minimum=0,
                                 maximum=MAX_PART_POINTS)
            if ident in seen:
                self.fail((name, i, "id"), f"duplicate criterion id {ident!r}")
            seen.add(ident)
            criteria.append(RubricCriterion(ident, description, points or 1.0))
        return tuple(criteria)

    def mapping(self, name: str, allowed: Iterable[str], *, required: bool = True) -> Mapping[str, Any] | None:
        """A nested mapping such as `tolerance` or `scale`; its unknown keys are reported at `name.key`."""
        value = self.raw.get(name)
        if value is None:
            if required:
                self.fail((name,), "is required")
            return None
        if not isinstance(value, Mapping):
            self.fail((name,), "must be a mapping")
            return None
        allowed = set(allowed)
        for key in value:
            if key not in allowed:
                self.fail((name, str(key)), f"unknown field (allowed: {', '.join(sorted(allowed))})")
        return value

    def word_limits(self) -> tuple[int, int | None]:
        """`min_words` (default 0) and optional `max_words` of a written answer."""
        before = len(self.problems)
        min_words = self.number("min_words", required=False, default=0, minimum=0, maximum=MAX_WORDS, integer=True)
        max_words = self.number("max_words", required=False, minimum=1, maximum=MAX_WORDS, integer=True)
        # compare only two valid limits, so one bad value is reported once
        if len(self.problems) == before and max_words is not None and max_words < min_words:
            self.fail(("max_words",), f"must be at least min_words ({min_words})")
        return int(min_words or 0), (None if max_words is None else int(max_words))


def rubric_to_definition(rubric: Sequence[RubricCriterion]) -> list[dict[str, Any]]:
    return [{"id": c.id, "description": c.description, "points": c.points} for c in rubric]


def grade_rubric(rubric: Sequence[RubricCriterion], scores: Mapping[str, Any]) -> float:
    """Sum a grader's points per criterion; every criterion must be scored within 0..its points."""
    if not isinstance(scores, Mapping):
        raise ManualGradeError("rubric scores must be a mapping of criterion id to points")
    known = {c.id for c in rubric}
    unknown = sorted(set(scores) - known)
    if unknown:
        raise ManualGradeError(f"unknown rubric criteria: {', '.join(map(str, unknown))}")
    total = 0.0
    for criterion in rubric:
        if criterion.id not in scores:
            raise ManualGradeError(f"criterion {criterion.id!r} has no score")
        value = scores[criterion.id]
        if not _is_finite_number(value):
            raise ManualGradeError(f"criterion {criterion.id!r}: score must be a number")
        if not 0 <= value <= criterion.points:
            raise ManualGradeError(
                f"criterion {criterion.id!r}: score must be between 0 and {criterion.points:g}")
        total += float(value)
    return total


def count_words(text: str) -> int:
    """Words are whitespace-separated tokens: simple, and the same for candidate and grader."""
    return len(text.split())


#: Hard cap of a written answer. The word limit is not enforced when saving: refusing an
#: autosave would drop the candidate's latest text, so text over the limit is kept and flagged
#: to the grader instead (see `word_limit_detail`).
MAX_WRITTEN_CHARACTERS = 50_000


def written_text(raw: Any, max_words: int | None, what: str = "the answer") -> str:
    """A written answer (essay, justification): any text up to the hard cap."""
    if not isinstance(raw, str):
        raise AnswerError(f"{what} must be text")
    if len(raw) > MAX_WRITTEN_CHARACTERS:
        raise AnswerError(f"{what} is {len(raw)} characters long; at most {MAX_WRITTEN_CHARACTERS} can be saved")
    return raw


def word_limit_detail(text: str | None, min_words: int, max_words: int | None) -> dict[str, Any]:
    """Word count and whether it is outside the limits, for the grader to see."""
    words = count_words(text or "")
    return {"words": words, "under_min_words": bool(text) and words < min_words,
            "over_max_words": max_words is not None and words > max_words}


def grade_written(rubric: Sequence[RubricCriterion], text: str | None,
                  manual: Mapping[str, Any] | None) -> float | None:
    """Points of a manually graded text: 0 when blank, None while it waits for a grader."""
    if text is None or not text.strip():
        return 0.0
    if manual is None:
        return None
    return grade_rubric(rubric, manual)


def rubric_total(rubric: Sequence[RubricCriterion]) -> float:
    return float(sum(c.points for c in rubric))


def format_number(value: float) -> str:
    """`42.0` -> `42`, `0.1` -> `0.1`: short but exact enough for tables and CSV."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


class QuestionType(ABC):
    """One kind of question. Subclasses are registered by `name` in `quiz.question_types.registry`.

    Every definition shares `prompt` (Markdown shown to the candidate) and
    `explanation` (Markdown, why the key is right; shown to admins, and to
    candidates only where a review policy allows).
    """

    name: ClassVar[str]
    label: ClassVar[str]
    #: true when some part of the item is graded by a person
    manual: ClassVar[bool] = False
    #: true when the grade comes from running code (the runner passes its results as `manual`)
    runs_code: ClassVar[bool] = False

    @abstractmethod
    def parse_definition(self, raw: Mapping[str, Any]) -> Any:
        """Validate bank/admin input and return the type's frozen Spec. Raises DefinitionError."""

    @abstractmethod
    def to_definition(self, spec: Any) -> dict[str, Any]:
        """The canonical JSON definition; `parse_definition(to_definition(s)) == s`."""

    @abstractmethod
    def normalise_answer(self, spec: Any, raw: Any) -> Any:
        """Form or JSON data -> canonical JSON-serialisable answer. Raises AnswerError if malformed.

        `None` (no answer) passes through as `None`.
        """

    @abstractmethod
    def grade(self, spec: Any, answer: Any, manual: Mapping[str, Any] | None = None) -> ItemGrade:
        """Deterministic grade of a canonical answer (`None` = unanswered, worth 0, never pending).

        `manual` holds a grader's points per rubric criterion for types with a
        manual part; without it such an answer is returned pending.
        """

    @abstractmethod
    def correct_answer(self, spec: Any) -> Any:
        """The key, in canonical answer form (None for purely manual items)."""

    @abstractmethod
    def summarise(self, spec: Any, answer: Any) -> str:
        """One line describing an answer, for tables and CSV."""

    def shuffle_ids(self, spec: Any) -> tuple[str, ...]:
        """Ids whose display order an attempt shuffles (choices, ordering items); empty if none."""
        return ()

    def rubric(self, spec: Any) -> tuple[RubricCriterion, ...]:
        """The rubric of the manual part, empty for auto-graded types."""
        return ()

    def notice(self, spec: Any, answer: Any) -> str | None:
        """What the candidate should know about a canonical answer that is kept but not finished
        (an ordering with items left out or sharing a position); None when there is nothing to say."""
        return None

    @staticmethod
    def common(check: Checker) -> tuple[str, str]:
        return check.text("prompt", max_length=MAX_LONG_TEXT), check.text("explanation", max_length=MAX_LONG_TEXT)
