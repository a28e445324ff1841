"""A few words, matched against accepted answers or a regular expression.

Regexes are written by admins and matched against what candidates type, so they run on RE2, whose
matching time grows linearly with the answer: a pattern like `(a+)+$` cannot take exponential time
as it can with Python's backtracking `re`. RE2 has no backreferences or lookarounds; such a regex
is refused when the definition is parsed.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import re2

from quiz.question_types.base import AnswerError, Checker, ItemGrade, QuestionType
from quiz.question_types.limits import MAX_ACCEPTED_ANSWERS, MAX_LONG_TEXT, MAX_REGEX_LENGTH, MAX_SHORT_TEXT_LENGTH

DEFAULT_MAX_LENGTH = 200


class RegexRefused(ValueError):
    """RE2 cannot take the pattern (a syntax error, a backreference, a lookaround, too big)."""


@functools.lru_cache(maxsize=512)
def compiled_regex(pattern: str, case_sensitive: bool) -> Any:
    """The RE2 program of a pattern; compiled once per process, grading calls it for every answer."""
    options = re2.Options()
    options.case_sensitive = case_sensitive
    options.log_errors = False  # the refusal is reported to the admin, not to stderr
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        reason = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        raise RegexRefused(reason) from None


def tidy(text: str) -> str:
    """Trim and collapse every run of whitespace to one space."""
    return " ".join(text.split())


def comparable(text: str) -> str:
    """What is compared: one Unicode form (an accent typed as a separate mark still matches),
    tidy spaces, and no closing full stop or exclamation mark (people end answers with them)."""
    return tidy(unicodedata.normalize("NFC", text)).rstrip(".!").rstrip()


@dataclass(frozen=True)
class ShortTextSpec:
    prompt: str
    explanation: str
    accepted: tuple[str, ...] = ()
    case_sensitive: bool = False
    regex: str | None = None
    max_length: int = DEFAULT_MAX_LENGTH

    def matches(self, answer: str) -> bool:
        answer = comparable(answer)
        if self.case_sensitive:
            if answer in (comparable(a) for a in self.accepted):
                return True
        elif answer.casefold() in (comparable(a).casefold() for a in self.accepted):
            return True
        if self.regex is None:
            return False
        return compiled_regex(self.regex, self.case_sensitive).fullmatch(answer) is not None


class ShortText(QuestionType):
    name = "short_text"
    label = "Short text"

    def parse_definition(self, raw: Mapping[str, Any]) -> ShortTextSpec:
        check = Checker(raw)
        check.only({"prompt", "explanation", "accepted", "case_sensitive", "regex", "max_length"})
        prompt, explanation = self.common(check)
        case_sensitive = check.boolean("case_sensitive", False)
        max_length = check.number("max_length", required=False, default=DEFAULT_MAX_LENGTH,
                                  minimum=1, maximum=MAX_SHORT_TEXT_LENGTH, integer=True)
        regex = check.text("regex", required=False, default=None, max_length=MAX_REGEX_LENGTH)
        if regex is not None:
            if not regex.strip():
                check.fail(("regex",), "must not be empty (leave it out instead)")
            else:
                try:
                    compiled_regex(regex, case_sensitive)
                except RegexRefused as exc:
                    check.fail(("regex",), f"is not a regular expression RE2 accepts ({exc}); RE2 has no "
                                           "backreferences or lookarounds (see docs/bank-format.md)")
        has_regex = check.raw.get("regex") is not None
        accepted: list[str] = []
        if check.raw.get("accepted") is None and not has_regex:
            check.fail(("accepted",), "is required unless regex is given")
        elif check.raw.get("accepted") is not None:
            entries = check.sequence("accepted", min_items=0 if has_regex else 1, max_items=MAX_ACCEPTED_ANSWERS)
            for i, entry in enumerate(entries):
                if not isinstance(entry, str) or not entry.strip():
                    check.fail(("accepted", i), "must be non-empty text")
                    continue
                if len(entry) > MAX_LONG_TEXT:  # not even worth tidying
                    check.fail(("accepted", i), f"is longer than max_length ({max_length})")
                    continue
                if max_length >= 1 and len(tidy(entry)) > max_length:
                    # the candidate could never type it
                    check.fail(("accepted", i), f"is longer than max_length ({max_length})")
                accepted.append(entry)
        check.done()
        return ShortTextSpec(prompt, explanation, tuple(accepted), case_sensitive, regex, int(max_length))

    def to_definition(self, spec: ShortTextSpec) -> dict[str, Any]:
        return {
            "prompt": spec.prompt,
            "explanation": spec.explanation,
            "accepted": list(spec.accepted),
            "case_sensitive": spec.case_sensitive,
            "regex": spec.regex,
            "max_length": spec.max_length,
        }

    def normalise_answer(self, spec: ShortTextSpec, raw: Any) -> str | None:
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise AnswerError("the answer must be text")
        answer = tidy(raw)
        if len(answer) > spec.max_length:
            raise AnswerError(f"the answer has {len(answer)} characters; at most {spec.max_length} are allowed")
        return answer or None

    def grade(self, spec: ShortTextSpec, answer: Any, manual: Mapping[str, Any] | None = None) -> ItemGrade:
        if answer is None:
            return ItemGrade(0.0, 1.0, detail={"answered": False})
        right = spec.matches(answer)
        return ItemGrade(1.0 if right else 0.0, 1.0, detail={"correct": right})

    def correct_answer(self, spec: ShortTextSpec) -> str | None:
        return spec.accepted[0] if spec.accepted else None

    def summarise(self, spec: ShortTextSpec, answer: Any) -> str:
        return "(no answer)" if answer is None else answer
