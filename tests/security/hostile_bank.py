"""The bank of the hostile-strings suite: one track whose starter draws one question of each type.

`hostile_bank_files(index)` is the same bank with a hostile value in every text an author types
(question prompts, options, explanations, rubrics, accepted answers, units, the track, tier and
assessment names): what an admin would upload through Import / export.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

from tests.security.hostile import hostile_value, marker

#: the caps of docs/bank-format.md for the fields whose cap a hostile string can pass
FIELD_CAPS = {"bankoption": 1000, "bankitem": 1000, "bankaccepted": 1000, "bankunit": 50, "bankrubric": 2000,
              "imptrackdesc": 2000}

TYPES = ["single_choice", "multiple_choice", "true_false", "numeric", "short_text", "ordering", "essay", "comparison"]


def _questions(text: Callable[[str, str], str]) -> list[dict]:
    rubric = [{"id": "content", "description": text("bankrubric", "Right content"), "points": 2}]
    common = {"difficulty": 1, "points": 1}

    def q(type_name: str, **fields: object) -> dict:
        return {"key": f"hx-{type_name}", "type": type_name, "topic": f"t-{type_name}", **common,
                "prompt": text("bankprompt", f"Which {type_name}?"), "explanation": text("bankexpl", "Because."),
                **fields}

    options = [{"id": "a", "text": text("bankoption", "Right")}, {"id": "b", "text": "Wrong"}]
    return [
        q("single_choice", options=options, correct="a"),
        q("multiple_choice", options=options, correct=["a"]),
        q("true_false", correct=True),
        q("numeric", correct=10, tolerance={"absolute": 1}, unit=text("bankunit", "km")),
        q("short_text", accepted=[text("bankaccepted", "Paris")], max_length=1000),
        q("ordering", items=[{"id": "x", "text": text("bankitem", "First")}, {"id": "y", "text": "Second"}]),
        {**q("essay", rubric=rubric), "points": 2},
        {**q("comparison", user_prompt=text("bankuserprompt", "Summarise."),
             response_a=text("bankresponse", "Short."), response_b="Long.", better="a",
             scale={"min": 1, "max": 5}, ratings={"a": 5, "b": 2}, rating_tolerance=0, choice_points=1,
             rating_points=1, rubric=rubric), "points": 4},
    ]


def _tracks(text: Callable[[str, str], str], line: Callable[[str, str], str]) -> dict:
    policy = dict.fromkeys(["show_score", "show_pass_fail", "show_tier", "show_topic_breakdown", "show_answers",
                            "show_keys", "show_explanations"], True)
    return {"format": 1,
            "tiers": [{"key": "basic", "name": line("imptier", "Basic"), "hourly_rate": 20, "rank": 1}],
            "tracks": [{"key": "hx", "name": line("imptrack", "Hostile"), "tier": "basic", "bank": "hx.yaml",
                        "description": text("imptrackdesc", "Strings that bite."),
                        "assessments": [{
                            "key": "hx-starter", "kind": "starter", "title": line("imptitle", "Hostile starter"),
                            "time_limit_minutes": 60, "pass_mark": 100, "requires_confirmation": True,
                            "review_policy": policy,
                            "blueprint": [{"topic": f"t-{t}", "difficulty": 1, "count": 1} for t in TYPES]}]}]}


def hostile_bank_files(index: int | None) -> dict[str, str]:
    """The bank's files; with an index, every authored text carries that hostile string."""
    def text(place: str, plain: str) -> str:
        if index is None:
            return plain
        value = hostile_value(index, place)
        cap = FIELD_CAPS.get(place)
        if cap is None or len(value) <= cap:
            return value
        # Over the field's documented cap (docs/bank-format.md): keep the marker and the string's
        # dangerous end (the long string ends in a script tag).
        head = marker(index, place) + " "
        return head + value[len(value) - (cap - len(head)):]

    def line(place: str, plain: str) -> str:
        """Names and titles are single lines (they go into email subjects) of at most 100 characters (their
        columns): the string's line breaks become spaces, and a long one is cut."""
        return " ".join(text(place, plain).split())[:100]

    dump = lambda data: yaml.safe_dump(data, sort_keys=False, allow_unicode=True)  # noqa: E731
    return {"tracks.yaml": dump(_tracks(text, line)),
            "hx.yaml": dump({"format": 1, "track": "hx", "questions": _questions(text)})}


def write_hostile_bank(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in hostile_bank_files(None).items():
        (folder / name).write_text(content)
    return folder
