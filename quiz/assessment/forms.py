"""The UI adapter of the question types: page fields <-> the raw answers the types accept.

The plain form post (no JavaScript) and the JSON autosave send the same field names, so one
function reads both. Field names per type:
  single_choice, true_false: choice | multiple_choice: choice (several) | numeric, short_text: value
  essay: text | ordering: rank_<item id> | comparison: better, rating_a, rating_b, justification
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from quiz.question_types import AnswerError

Fields = Mapping[str, Sequence[str]]


def _first(fields: Fields, name: str) -> str | None:
    values = fields.get(name) or []
    value = values[0] if values else None
    return value if value is not None and value.strip() != "" else None


def _ordering(fields: Fields, item_ids: Sequence[str]) -> list[str] | None:
    ranks: dict[str, int] = {}
    for ident in item_ids:
        raw = _first(fields, f"rank_{ident}")
        if raw is None:
            continue
        try:
            ranks[ident] = int(raw)
        except ValueError:
            raise AnswerError("Choose a position for each item.") from None
    if not ranks:
        return None
    if len(ranks) < len(item_ids):
        raise AnswerError(f"Give every item a position from 1 to {len(item_ids)}.")
    if sorted(ranks.values()) != list(range(1, len(item_ids) + 1)):
        raise AnswerError(f"Give each item a different position from 1 to {len(item_ids)}.")
    return sorted(item_ids, key=ranks.__getitem__)


def raw_answer(type_name: str, fields: Fields, item_ids: Sequence[str] = ()) -> Any:
    """Page fields -> the raw answer for `QuestionType.normalise_answer` (None = not answered)."""
    if type_name in ("single_choice", "true_false"):
        return _first(fields, "choice")
    if type_name == "multiple_choice":
        chosen = [v for v in fields.get("choice") or [] if v]
        return chosen or None
    if type_name in ("numeric", "short_text"):
        return _first(fields, "value")
    if type_name == "essay":
        return _first(fields, "text") and (fields.get("text") or [""])[0]
    if type_name == "ordering":
        return _ordering(fields, item_ids)
    if type_name == "comparison":
        answer = {name: _first(fields, name) for name in ("better", "rating_a", "rating_b")}
        answer["justification"] = (fields.get("justification") or [None])[0]
        return answer
    raise AnswerError(f"unknown question type {type_name!r}")


def is_answered(answer: Any) -> bool:
    if answer is None or answer == []:
        return False
    if isinstance(answer, dict):
        return any(v not in (None, "") for v in answer.values())
    return True


def ranks_of(answer: Any) -> dict[str, int]:
    """For an ordering answer: item id -> the position the candidate gave it (1-based)."""
    return {ident: position for position, ident in enumerate(answer or [], start=1)}


class SubmitForm(FlaskForm):
    confirm = BooleanField("I have reviewed my answers and want to submit now. I cannot change them afterwards.",
                           validators=[DataRequired("Tick the box to confirm that you want to submit.")])
