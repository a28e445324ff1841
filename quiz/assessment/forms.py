"""The UI adapter of the question types: page fields <-> the raw answers the types accept.

The plain form post (no JavaScript) and the JSON autosave send the same field names, so one
function reads both. Field names per type:
  single_choice, true_false: choice | multiple_choice: choice (several) | numeric, short_text: value
  essay: text | code: code | ordering: rank_<token> (a position each, kept even when partial) |
  comparison: better, rating_a, rating_b, justification
Options and ordering items are sent as tokens (their display position), never as bank ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from quiz.question_types import AnswerError
from quiz.question_types.ordering import Ordering
from quiz.rendering import spoken_text

Fields = Mapping[str, Sequence[str]]

#: The types whose options are sent as tokens: the page never carries the bank's option ids,
#: which an author may have named after the verdict ("correct", "wrong_order").
TOKENISED = ("single_choice", "multiple_choice", "ordering")


@dataclass(frozen=True)
class Choice:
    token: str  # what the page sends: the option's display position, 1-based
    text: str
    selected: bool = False
    rank: int | None = None  # ordering: the position the candidate gave it

    @property
    def letter(self) -> str:
        """A, B, C…: what candidates and graders call an option ("I chose B")."""
        return option_letter(int(self.token))

    @property
    def accessible_name(self) -> str:
        """The letter and the text as a screen reader should say it, lists kept apart from plain text."""
        return f"{self.letter}. {spoken_text(self.text)}"


def option_letter(number: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA (types allow far fewer options; the letters never run out)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def display_order(definition: Mapping[str, Any], option_order: Sequence[str] | None) -> list[str]:
    """Option/item ids in the order this attempt shows them (the written order when not shuffled)."""
    written = [entry["id"] for entry in definition.get("options", definition.get("items", []))]
    return list(option_order) if option_order else written


def choices_for(type_name: str, definition: Mapping[str, Any], option_order: Sequence[str] | None,
                answer: Any) -> list[Choice]:
    texts = {entry["id"]: entry["text"] for entry in definition.get("options", definition.get("items", []))}
    order = display_order(definition, option_order)
    if type_name == "multiple_choice":
        chosen = set(answer or [])
    elif type_name == "single_choice":
        chosen = {answer}
    else:
        chosen = set()
    ranks = Ordering.positions(answer) if type_name == "ordering" else {}
    return [Choice(str(n), texts[ident], ident in chosen, ranks.get(ident)) for n, ident in enumerate(order, start=1)]


def _ids_from_tokens(values: Sequence[str], order: Sequence[str]) -> list[str]:
    ids = []
    for value in values:
        if not (value.isascii() and value.isdecimal() and len(value) < 4) or not 1 <= int(value) <= len(order):
            raise AnswerError("That is not one of the options.")
        ids.append(order[int(value) - 1])
    return ids


def _first(fields: Fields, name: str) -> str | None:
    values = fields.get(name) or []
    value = values[0] if values else None
    return value if value is not None and value.strip() != "" else None


def _ordering(fields: Fields, item_ids: Sequence[str]) -> dict[str, int] | None:
    """The positions given so far, item id -> position: partial or shared positions are kept (the
    ordering type decides how they are stored and graded), never refused."""
    ranks: dict[str, int] = {}
    for token, ident in enumerate(item_ids, start=1):
        raw = _first(fields, f"rank_{token}")
        if raw is None:
            continue
        if not (raw.isascii() and raw.isdecimal() and len(raw) < 4) or not 1 <= int(raw) <= len(item_ids):
            raise AnswerError(f"Choose a position from 1 to {len(item_ids)} for each item.")
        ranks[ident] = int(raw)
    return ranks or None


def raw_answer(type_name: str, fields: Fields, order: Sequence[str] = ()) -> Any:
    """Page fields -> the raw answer for `QuestionType.normalise_answer` (None = not answered).

    `order` is the attempt's display order of option ids (see `display_order`): tokens map back
    through it."""
    if type_name == "true_false":
        return _first(fields, "choice")
    if type_name == "single_choice":
        token = _first(fields, "choice")
        return None if token is None else _ids_from_tokens([token], order)[0]
    if type_name == "multiple_choice":
        chosen = _ids_from_tokens([v for v in fields.get("choice") or [] if v], order)
        return chosen or None
    if type_name in ("numeric", "short_text"):
        return _first(fields, "value")
    if type_name == "essay":
        return _first(fields, "text") and (fields.get("text") or [""])[0]
    if type_name == "code":
        return _first(fields, "code") and (fields.get("code") or [""])[0]
    if type_name == "ordering":
        return _ordering(fields, order)
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


class SubmitForm(FlaskForm):
    confirm = BooleanField("I have reviewed my answers and want to submit now. I cannot change them afterwards.",
                           validators=[DataRequired("Tick the box to confirm that you want to submit.")])
