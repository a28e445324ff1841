"""A number, right within an absolute or relative tolerance."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from quiz.question_types.base import AnswerError, Checker, ItemGrade, QuestionType, format_number
from quiz.question_types.limits import MAX_UNIT_LENGTH

# What a person types: 12.5, -3, +4, .5, 1e-6. Deliberately no thousands separators,
# no `nan`/`inf`, no underscores (all of which float() would accept).
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
# A decimal comma, as much of Europe writes it: 8,3  -0,25  ,5. Only one comma and no point.
_DECIMAL_COMMA = re.compile(r"([+-]?\d*),(\d+)")
# Absorbs binary rounding (0.1 + 0.2 vs 0.3) without widening any real tolerance.
_EPSILON = 1e-9


@dataclass(frozen=True)
class NumericSpec:
    prompt: str
    explanation: str
    correct: float
    absolute: float | None = None  # exactly one of absolute / relative is set
    relative: float | None = None
    unit: str | None = None


def parse_number(raw: Any) -> float:
    if isinstance(raw, bool):
        raise AnswerError("enter a number, e.g. 12.5")
    if isinstance(raw, (int, float)):
        try:
            value = float(raw)
        except OverflowError:
            raise AnswerError("that number is too large") from None
    elif isinstance(raw, str):
        text = _decimal_point(raw.strip())
        if not _NUMBER.fullmatch(text):
            raise AnswerError(f"{text!r} is not a number; enter e.g. 12.5, -3 or 1e-6")
        value = float(text)
    else:
        raise AnswerError("enter a number, e.g. 12.5")
    if not math.isfinite(value):
        raise AnswerError("enter a finite number")
    return value


def _decimal_point(text: str) -> str:
    """A decimal comma becomes a point where that is the only reading (8,3 -> 8.3; 0,125 -> 0.125).

    Three digits after the comma of a number that does not start with 0 (1,000 or 12,500) read as
    thousands too, and several separators (1,234.5 or 1.234,5) could be either convention: those are
    refused with the exact digits to type."""
    if "," not in text:
        return text
    match = _DECIMAL_COMMA.fullmatch(text)
    if match is not None:
        whole, fraction = match.groups()
        digits = whole.lstrip("+-")
        if len(fraction) != 3 or digits in ("", "0"):
            return f"{whole}.{fraction}"
        thousands = f"{whole}{fraction}"
        raise AnswerError(f"{text!r} is unclear: type {thousands} if the comma separates thousands, "
                          f"or {whole}.{fraction} if it is a decimal comma")
    raise AnswerError(f"{text!r}: type the number without thousands separators and with a decimal point, "
                      "e.g. 1234.5")


class Numeric(QuestionType):
    name = "numeric"
    label = "Numeric"

    def parse_definition(self, raw: Mapping[str, Any]) -> NumericSpec:
        check = Checker(raw)
        check.only({"prompt", "explanation", "correct", "tolerance", "unit"})
        prompt, explanation = self.common(check)
        correct = check.number("correct")
        absolute = relative = None
        tolerance = check.mapping("tolerance", {"absolute", "relative"})
        if tolerance is not None:
            given = [k for k in ("absolute", "relative") if tolerance.get(k) is not None]
            if len(given) != 1:
                check.fail(("tolerance",), "give exactly one of absolute or relative")
            absolute = check.number("absolute", required=False, exclusive_minimum=0,
                                    path=("tolerance", "absolute"), source=tolerance)
            relative = check.number("relative", required=False, exclusive_minimum=0,
                                    path=("tolerance", "relative"), source=tolerance)
            if relative is not None and correct == 0:
                # relative to 0 is 0: only an exact answer would ever be right
                check.fail(("tolerance", "relative"), "cannot be used when correct is 0; use absolute")
        unit = check.text("unit", required=False, max_length=MAX_UNIT_LENGTH) or None
        check.done()
        return NumericSpec(prompt, explanation, correct, absolute, relative, unit)

    def to_definition(self, spec: NumericSpec) -> dict[str, Any]:
        tolerance = {"absolute": spec.absolute} if spec.absolute is not None else {"relative": spec.relative}
        return {
            "prompt": spec.prompt,
            "explanation": spec.explanation,
            "correct": spec.correct,
            "tolerance": tolerance,
            "unit": spec.unit,
        }

    def normalise_answer(self, spec: NumericSpec, raw: Any) -> float | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        return parse_number(raw)

    def grade(self, spec: NumericSpec, answer: Any, manual: Mapping[str, Any] | None = None) -> ItemGrade:
        if answer is None:
            return ItemGrade(0.0, 1.0, detail={"answered": False})
        difference = abs(answer - spec.correct)
        allowed = spec.absolute if spec.absolute is not None else spec.relative * abs(spec.correct)
        allowed += _EPSILON * max(abs(spec.correct), abs(answer))
        right = difference <= allowed
        return ItemGrade(1.0 if right else 0.0, 1.0, detail={"correct": right, "difference": difference})

    def correct_answer(self, spec: NumericSpec) -> float:
        return spec.correct

    def summarise(self, spec: NumericSpec, answer: Any) -> str:
        if answer is None:
            return "(no answer)"
        return f"{format_number(answer)} {spec.unit}" if spec.unit else format_number(answer)
