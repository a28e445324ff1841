"""What a validated bank holds: plain frozen values, no database."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

FORMAT_VERSION = 1
Severity = Literal["error", "warning"]

#: What the one-time results review shows unless an assessment says otherwise: no keys, so the bank is not leaked.
DEFAULT_REVIEW_POLICY: dict[str, bool] = {
    "show_score": True,
    "show_pass_fail": True,
    "show_tier": True,
    "show_topic_breakdown": True,
    "show_answers": False,
    "show_keys": False,
    "show_explanations": False,
}


@dataclass(frozen=True)
class BankIssue:
    severity: Severity
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f" {self.field}:" if self.field else ""
        return f"{where}: {self.severity}:{what} {self.message}"


@dataclass(frozen=True)
class TierSpec:
    key: str
    name: str
    hourly_rate: Decimal
    rank: int


@dataclass(frozen=True)
class Stratum:
    topic: str
    difficulty_min: int
    difficulty_max: int
    count: int

    def admits(self, topic: str, difficulty: int) -> bool:
        return topic == self.topic and self.difficulty_min <= difficulty <= self.difficulty_max

    def describe(self) -> str:
        span = (str(self.difficulty_min) if self.difficulty_min == self.difficulty_max
                else f"{self.difficulty_min}-{self.difficulty_max}")
        return f"topic {self.topic}, difficulty {span}"

    def to_data(self) -> dict[str, Any]:
        difficulty: int | list[int] = (self.difficulty_min if self.difficulty_min == self.difficulty_max
                                       else [self.difficulty_min, self.difficulty_max])
        return {"topic": self.topic, "difficulty": difficulty, "count": self.count}


@dataclass(frozen=True)
class AssessmentSpec:
    key: str
    kind: str
    title: str
    time_limit_minutes: int
    pass_mark: Decimal
    requires_confirmation: bool
    review_policy: dict[str, bool]
    blueprint: tuple[Stratum, ...]
    tier: str | None = None
    active: bool = True

    @property
    def questions_drawn(self) -> int:
        return sum(stratum.count for stratum in self.blueprint)


@dataclass(frozen=True)
class TrackSpec:
    key: str
    name: str
    tier: str
    description: str
    bank: str
    position: int
    assessments: tuple[AssessmentSpec, ...]


def content_hash(type_name: str, topic: str, difficulty: int, points: Decimal, definition: dict[str, Any]) -> str:
    """Identity of a question's content: equal hash, nothing to version."""
    canonical = json.dumps(
        {"type": type_name, "topic": topic, "difficulty": difficulty, "points": str(points),
         "definition": definition},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    track: str
    type: str
    topic: str
    difficulty: int
    points: Decimal
    definition: dict[str, Any] = field(compare=False, hash=False)
    file: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)

    @property
    def content_hash(self) -> str:
        return content_hash(self.type, self.topic, self.difficulty, self.points, self.definition)


class HasIssues:
    """Errors and warnings of anything that carries a list of `issues`."""

    issues: list[BankIssue]

    @property
    def errors(self) -> list[BankIssue]:
        return [issue for issue in self.issues if issue.severity == "error"]

    @property
    def warnings(self) -> list[BankIssue]:
        return [issue for issue in self.issues if issue.severity == "warning"]


@dataclass
class Bank(HasIssues):
    tiers: list[TierSpec] = field(default_factory=list)
    tracks: list[TrackSpec] = field(default_factory=list)
    questions: list[QuestionSpec] = field(default_factory=list)
    issues: list[BankIssue] = field(default_factory=list)
    #: tracks whose question file was read: only their missing keys are retired on import
    loaded_tracks: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.errors
