"""Bank files -> validated specs. Pure (no database); collects every problem, each with file and line."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from quiz.bank import limits
from quiz.bank.blueprint import shortfalls
from quiz.bank.specs import (
    FORMAT_VERSION,
    DEFAULT_REVIEW_POLICY,
    AssessmentSpec,
    Bank,
    BankIssue,
    QuestionSpec,
    Stratum,
    TierSpec,
    TrackSpec,
)
from quiz.bank.yamlio import LineDict, YamlSyntaxError, line_of, load_with_lines
from quiz.coderun.sandbox import unavailable_reason
from quiz.question_types import DefinitionError, get_type
from quiz.question_types.base import format_path

TRACKS_FILE = "tracks.yaml"
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
QUESTION_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
COMMON_QUESTION_FIELDS = ("key", "type", "topic", "difficulty", "points")
MAX_TIME_LIMIT_MINUTES = 600
CENT = Decimal("0.01")


class _File:
    """Problems found in one file, each placed at the line of the field it concerns.

    Paths are always full paths from the document root, so the line can be found
    by walking the line-tracking YAML tree.
    """

    def __init__(self, bank: Bank, name: str):
        self.bank, self.name = bank, name
        self.root: Any = None
        #: path of a question -> its key, so every error of a question is labelled by its key
        self.labels: dict[tuple[str | int, ...], str] = {}

    def error(self, path: tuple[str | int, ...], message: str, *, field: str | None = None) -> None:
        self._add("error", path, message, field)

    def warning(self, path: tuple[str | int, ...], message: str) -> None:
        self._add("warning", path, message, None)

    def _add(self, severity: Any, path: tuple[str | int, ...], message: str, field: str | None) -> None:
        if field is None and path[:2] in self.labels:
            field = f"{self.labels[path[:2]]}.{format_path(path[2:])}"
        shown = field if field is not None else (format_path(path) if path else "")
        self.bank.issues.append(BankIssue(severity, self.name, line_of(self.root, path), shown, message))

    def read(self, path: Path, max_bytes: int) -> Any:
        try:
            size = path.stat().st_size
            if size > max_bytes:
                # refused before it is read: parsing megabytes of YAML would outlast a web worker
                self.error((), f"is {size:,} bytes; a bank file holds at most {max_bytes:,} bytes "
                               "(see docs/bank-format.md)")
                return None
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            self.error((), f"cannot read the file: {exc.strerror or exc}")
            return None
        except UnicodeDecodeError:
            self.error((), "is not UTF-8 text")
            return None
        try:
            data, duplicates = load_with_lines(text)
        except YamlSyntaxError as exc:
            self.bank.issues.append(BankIssue("error", self.name, exc.line, "", f"YAML syntax: {exc}"))
            return None
        for line, key in duplicates:
            self.bank.issues.append(BankIssue("error", self.name, line, key, "this key appears twice here"))
        self.root = data
        if not isinstance(data, LineDict):
            self.error((), "must be a YAML mapping (see docs/bank-format.md)")
            return None
        if data.get("format") != FORMAT_VERSION:
            self.error(("format",), f"must be {FORMAT_VERSION} (the bank format version)")
        return data


def _text(f: _File, node: Mapping[str, Any], name: str, where: tuple[str | int, ...], *,
          required: bool = True, pattern: re.Pattern[str] | None = None, default: str = "",
          max_length: int = limits.MAX_NAME_LENGTH) -> str:
    value = node.get(name)
    if value is None:
        if required:
            f.error(where + (name,), "is required")
        return default
    if not isinstance(value, str) or (required and not value.strip()):
        f.error(where + (name,), "must be non-empty text")
        return default
    if len(value) > max_length:
        f.error(where + (name,), f"is {len(value):,} characters long; at most {max_length:,} are allowed")
        return default
    if pattern is not None and not pattern.match(value):
        f.error(where + (name,), f"{value!r} is not a valid key (lower case letters, digits, - and _)")
    if max_length is not None and len(value.strip()) > max_length:
        # the database column's size: PostgreSQL refuses a longer value (SQLite would keep it)
        f.error(where + (name,), f"must be at most {max_length} characters (this one has {len(value.strip())})")
    return value


def is_single_line(value: str) -> bool:
    """No line break of any kind: email headers also break at U+2028, U+2029, U+0085, \\v, \\f and the
    file/group/record separators, so a title with one of them made the decision mail unbuildable."""
    return len(value.strip().splitlines()) <= 1 and "\r" not in value and "\n" not in value.strip()


def _single_line(f: _File, node: Mapping[str, Any], name: str, where: tuple[str | int, ...], *,
                 max_length: int | None = None) -> str:
    """Text shown in one line (titles go into email subjects, where a line break is not allowed)."""
    value = _text(f, node, name, where, max_length=max_length or limits.MAX_TITLE_LENGTH)
    if not is_single_line(value):
        f.error(where + (name,), "must be a single line")
    return value.strip()


def _int(f: _File, node: Mapping[str, Any], name: str, where: tuple[str | int, ...], *,
         low: int, high: int, default: int | None = None) -> int:
    value = node.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        f.error(where + (name,), f"must be a whole number from {low} to {high}")
        return low
    return value


def _decimal(f: _File, node: Mapping[str, Any], name: str, where: tuple[str | int, ...], *,
             low: Decimal, high: Decimal, low_exclusive: bool = False) -> Decimal:
    """A number stored with 2 decimals: more precision would be rounded away in the database,
    and every later import would see a change that is not there."""
    value = node.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        f.error(where + (name,), "must be a number" if value is not None else "is required")
        return low
    number = Decimal(str(value))
    if not number.is_finite():
        f.error(where + (name,), "must be a finite number")
        return low
    if number > high or number < low or (low_exclusive and number == low):
        # checked first: quantizing a number like 1e40 to cents overflows Decimal's precision
        bound = f"greater than {low}" if low_exclusive else f"at least {low}"
        f.error(where + (name,), f"must be {bound} and at most {high}")
        return low
    if number != number.quantize(CENT):
        f.error(where + (name,), "must have at most 2 decimal places")
    return number.quantize(CENT)


def _bool(f: _File, node: Mapping[str, Any], name: str, where: tuple[str | int, ...], default: bool) -> bool:
    value = node.get(name, default)
    if not isinstance(value, bool):
        f.error(where + (name,), "must be true or false")
        return default
    return value


def _list(f: _File, node: Mapping[str, Any], name: str, where: tuple[str | int, ...]) -> list[Any]:
    value = node.get(name)
    if not isinstance(value, list):
        f.error(where + (name,), "must be a list" if value is not None else "is required (a list)")
        return []
    return value


def _unknown(f: _File, node: Mapping[str, Any], where: tuple[str | int, ...], allowed: set[str]) -> None:
    for name in node:
        if name not in allowed:
            f.error(where + (str(name),), f"unknown field (allowed: {', '.join(sorted(allowed))})")


def _mapping_entries(f: _File, node: Mapping[str, Any], name: str, where: tuple[str | int, ...] = (), *,
                     max_items: int) -> list[tuple[tuple[str | int, ...], LineDict]]:
    """The entries of a list of mappings, each with its full path; past `max_items` the list is refused
    and only its first entries are looked at."""
    entries = []
    values = _list(f, node, name, where)
    if len(values) > max_items:
        f.error(where + (name,), f"has {len(values):,} entries; at most {max_items:,} are allowed")
        values = values[:max_items]
    for index, entry in enumerate(values):
        if isinstance(entry, LineDict):
            entries.append((where + (name, index), entry))
        else:
            f.error(where + (name, index), "must be a mapping")
    return entries


def _tiers(f: _File, doc: LineDict, bank: Bank) -> None:
    for where, node in _mapping_entries(f, doc, "tiers", max_items=limits.MAX_TIERS):
        _unknown(f, node, where, {"key", "name", "hourly_rate", "rank"})
        key = _text(f, node, "key", where, pattern=SLUG)
        if any(t.key == key for t in bank.tiers):
            f.error(where + ("key",), f"tier {key!r} is defined twice")
        bank.tiers.append(TierSpec(
            key=key, name=_text(f, node, "name", where, max_length=100),
            hourly_rate=_decimal(f, node, "hourly_rate", where, low=Decimal(0), high=Decimal(10000)),
            rank=_int(f, node, "rank", where, low=0, high=1000, default=0)))


def _difficulty_range(f: _File, entry: LineDict, where: tuple[str | int, ...]) -> tuple[int, int]:
    difficulty = entry.get("difficulty")
    if isinstance(difficulty, int) and not isinstance(difficulty, bool):
        low = high = difficulty
    elif (isinstance(difficulty, list) and len(difficulty) == 2
          and all(isinstance(d, int) and not isinstance(d, bool) for d in difficulty)):
        low, high = difficulty
    else:
        f.error(where + ("difficulty",), "must be a difficulty 1-5 or a range [low, high]")
        return 1, 1
    if not 1 <= low <= high <= 5:
        f.error(where + ("difficulty",), "must lie within 1-5, low before high")
    return low, high


def _blueprint(f: _File, node: LineDict, where: tuple[str | int, ...]) -> tuple[Stratum, ...]:
    if not isinstance(node.get("blueprint"), list) or not node["blueprint"]:
        f.error(where + ("blueprint",), "must be a non-empty list of {topic, difficulty, count}")
        return ()
    strata: list[Stratum] = []
    for at, entry in _mapping_entries(f, node, "blueprint", where, max_items=limits.MAX_BLUEPRINT_ROWS):
        _unknown(f, entry, at, {"topic", "difficulty", "count"})
        topic = _text(f, entry, "topic", at, max_length=limits.MAX_TOPIC_LENGTH)
        low, high = _difficulty_range(f, entry, at)
        stratum = Stratum(topic, low, high, _int(f, entry, "count", at, low=1, high=200))
        if any(o.topic == topic and low <= o.difficulty_max and o.difficulty_min <= high for o in strata):
            f.error(at + ("difficulty",),
                    f"overlaps another stratum of topic {topic!r}: a question could be drawn for both")
        strata.append(stratum)
    return tuple(strata)


def _review_policy(f: _File, node: LineDict, where: tuple[str | int, ...]) -> dict[str, bool]:
    policy = dict(DEFAULT_REVIEW_POLICY)
    raw = node.get("review_policy")
    if raw is None:
        return policy
    where = where + ("review_policy",)
    if not isinstance(raw, LineDict):
        f.error(where, "must be a mapping of show_* options to true/false")
        return policy
    for name, value in raw.items():
        if name not in DEFAULT_REVIEW_POLICY:
            f.error(where + (name,), f"unknown option (allowed: {', '.join(DEFAULT_REVIEW_POLICY)})")
        elif not isinstance(value, bool):
            f.error(where + (name,), "must be true or false")
        else:
            policy[name] = value
    return policy


ASSESSMENT_FIELDS = {"key", "kind", "title", "time_limit_minutes", "pass_mark", "requires_confirmation",
                     "review_policy", "blueprint", "tier", "active"}


def _assessments(f: _File, track: LineDict, track_where: tuple[str | int, ...], seen_keys: set[str],
                 tier_keys: set[str]) -> tuple[AssessmentSpec, ...]:
    specs: list[AssessmentSpec] = []
    # more than two are refused below (one starter, at most one specialist); 10 bounds the work first
    for where, node in _mapping_entries(f, track, "assessments", track_where, max_items=10):
        _unknown(f, node, where, ASSESSMENT_FIELDS)
        key = _text(f, node, "key", where, pattern=SLUG)
        if key in seen_keys:
            f.error(where + ("key",), f"assessment {key!r} is defined twice")
        seen_keys.add(key)
        kind = _text(f, node, "kind", where)
        if kind and kind not in ("starter", "specialist"):
            f.error(where + ("kind",), "must be starter or specialist")
        tier = node.get("tier")
        if tier is not None and (not isinstance(tier, str) or tier not in tier_keys):
            f.error(where + ("tier",), f"unknown tier {tier!r} (tiers: {', '.join(sorted(tier_keys))})")
        specs.append(AssessmentSpec(
            key=key, kind=kind, title=_single_line(f, node, "title", where, max_length=200),
            time_limit_minutes=_int(f, node, "time_limit_minutes", where, low=1, high=MAX_TIME_LIMIT_MINUTES),
            pass_mark=_decimal(f, node, "pass_mark", where, low=Decimal(0), high=Decimal(100)),
            requires_confirmation=_bool(f, node, "requires_confirmation", where, False),
            review_policy=_review_policy(f, node, where),
            blueprint=_blueprint(f, node, where),
            tier=tier if isinstance(tier, str) else None,
            active=_bool(f, node, "active", where, True)))
    kinds = [a.kind for a in specs]
    if "assessments" in track and kinds.count("starter") != 1:
        f.error(track_where + ("assessments",), "a track needs exactly one starter assessment")
    if kinds.count("specialist") > 1:
        f.error(track_where + ("assessments",), "a track has at most one specialist assessment")
    return tuple(specs)


def _tracks(f: _File, doc: LineDict, bank: Bank) -> None:
    tier_keys = {t.key for t in bank.tiers}
    assessment_keys: set[str] = set()
    banks: set[str] = set()
    for position, (where, node) in enumerate(_mapping_entries(f, doc, "tracks", max_items=limits.MAX_TRACKS)):
        _unknown(f, node, where, {"key", "name", "tier", "description", "bank", "assessments"})
        key = _text(f, node, "key", where, pattern=SLUG)
        if any(t.key == key for t in bank.tracks):
            f.error(where + ("key",), f"track {key!r} is defined twice")
        tier = _text(f, node, "tier", where)
        if tier and tier not in tier_keys:
            f.error(where + ("tier",), f"unknown tier {tier!r} (tiers: {', '.join(sorted(tier_keys))})")
        bank_file = _text(f, node, "bank", where, max_length=200)
        if bank_file and (Path(bank_file).name != bank_file or not bank_file.endswith((".yaml", ".yml"))
                          or bank_file == TRACKS_FILE):
            f.error(where + ("bank",), f"must be the name of a .yaml file in the bank folder, other than {TRACKS_FILE}")
            bank_file = ""  # never read a file outside the bank folder
        elif bank_file in banks:
            f.error(where + ("bank",), f"{bank_file} is the bank of another track too")
        banks.add(bank_file)
        bank.tracks.append(TrackSpec(
            key=key, name=_text(f, node, "name", where, max_length=100), tier=tier,
            description=_text(f, node, "description", where, required=False,
                              max_length=limits.MAX_DESCRIPTION_LENGTH), bank=bank_file,
            position=position, assessments=_assessments(f, node, where, assessment_keys, tier_keys)))


def _question(f: _File, node: LineDict, where: tuple[str | int, ...], track: str,
              keys: dict[str, str]) -> QuestionSpec | None:
    errors_before = len(f.bank.errors)
    key = node.get("key")
    if not isinstance(key, str) or not QUESTION_KEY.match(key):
        f.error(where + ("key",), "is required: letters, digits, '.', '-' and '_' (at most 100)")
        key = ""
    elif key in keys:
        f.error(where + ("key",), f"key {key!r} is already used in {keys[key]}")
    else:
        keys[key] = f.name
    label = key or format_path(where)
    f.labels[where] = label
    type_name = node.get("type")
    question_type = None
    if type_name is None:
        f.error(where + ("type",), "is required")
    elif not isinstance(type_name, str):
        f.error(where + ("type",), "must be the name of a question type")
    else:
        try:
            question_type = get_type(type_name)
        except KeyError as exc:
            f.error(where + ("type",), str(exc))
    topic = _text(f, node, "topic", where, max_length=limits.MAX_TOPIC_LENGTH)
    difficulty = _int(f, node, "difficulty", where, low=1, high=5)
    points = _decimal(f, node, "points", where, low=Decimal(0), high=Decimal(100), low_exclusive=True)
    definition: dict[str, Any] = {}
    if question_type is not None:
        raw = {name: value for name, value in node.items() if name not in COMMON_QUESTION_FIELDS}
        try:
            definition = question_type.to_definition(question_type.parse_definition(raw))
        except DefinitionError as exc:
            for problem in exc.problems:
                f.error(where + problem.path, problem.message)
    if len(f.bank.errors) > errors_before:
        return None
    if question_type is not None and question_type.runs_code:
        reason = unavailable_reason(definition.get("language"))
        if reason:  # never run unsandboxed: the item stays out, and blueprints needing it are not offered
            f.warning(where, f"code item refused on this machine: {reason}")
            return None
    return QuestionSpec(key=key, track=track, type=str(type_name), topic=topic, difficulty=difficulty,
                        points=points, definition=definition,
                        file=f.name, line=node.line)


def _questions(bank: Bank, folder: Path, track: TrackSpec, keys: dict[str, str]) -> None:
    f = _File(bank, track.bank)
    path = folder / track.bank
    if not path.is_file():
        f.error((), f"missing: track {track.key!r} names it as its bank in {TRACKS_FILE}")
        return
    doc = f.read(path, limits.MAX_TRACK_FILE_BYTES)
    if doc is None:
        return
    _unknown(f, doc, (), {"format", "track", "questions"})
    if doc.get("track") != track.key:
        f.error(("track",), f"must be {track.key!r}, the track whose bank this file is")
    bank.loaded_tracks.add(track.key)
    for where, node in _mapping_entries(f, doc, "questions", max_items=limits.MAX_QUESTIONS_PER_FILE):
        spec = _question(f, node, where, track.key, keys)
        if spec is not None:
            bank.questions.append(spec)


def _warn_unfillable(bank: Bank) -> None:
    by_track: dict[str, list[QuestionSpec]] = {}
    for question in bank.questions:
        by_track.setdefault(question.track, []).append(question)
    for track in bank.tracks:
        pool = [(q.topic, q.difficulty) for q in by_track.get(track.key, [])]
        topics = {s.topic for a in track.assessments for s in a.blueprint}
        for assessment in track.assessments:
            missing = shortfalls(assessment.blueprint, pool)
            if missing and not pool:
                bank.issues.append(BankIssue("warning", track.bank, 0, assessment.key,
                                             "not offered to candidates: the track has no questions yet"))
            elif missing:
                detail = "; ".join(f"{s.describe()}: needs {s.count}, has {n}" for s, n in missing)
                bank.issues.append(BankIssue(
                    "warning", track.bank, 0, assessment.key,
                    f"not offered to candidates until the bank can fill its blueprint ({detail})"))
        for topic in sorted({q.topic for q in by_track.get(track.key, [])} - topics):
            bank.issues.append(BankIssue(
                "warning", track.bank, 0, "topic",
                f"topic {topic!r} is in no blueprint of track {track.key!r}: its questions are never drawn"))


def load_bank(folder: Path) -> Bank:
    """Read and validate a bank folder. Never raises for bad content: see `Bank.issues`."""
    bank = Bank()
    f = _File(bank, TRACKS_FILE)
    if not (folder / TRACKS_FILE).is_file():
        f.error((), f"not found in {folder}: a bank folder holds {TRACKS_FILE} and one file per track")
        return bank
    doc = f.read(folder / TRACKS_FILE, limits.MAX_TRACKS_FILE_BYTES)
    if doc is None:
        return bank
    _unknown(f, doc, (), {"format", "tiers", "tracks"})
    _tiers(f, doc, bank)
    _tracks(f, doc, bank)
    keys: dict[str, str] = {}
    for track in bank.tracks:
        if track.bank:
            _questions(bank, folder, track, keys)
    named = {t.bank for t in bank.tracks} | {TRACKS_FILE}
    for path in sorted(folder.glob("*.y*ml")):
        if path.name not in named:
            bank.issues.append(BankIssue("warning", path.name, 0, "",
                                         f"not the bank of any track in {TRACKS_FILE}; ignored"))
    if bank.ok:
        _warn_unfillable(bank)
    return bank
