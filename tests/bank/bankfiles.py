"""Tiny bank folders written as YAML text, for the tests of tests/bank (a plain module, not a fixture file).

The test modules of this folder import it as `import bankfiles`: pytest's default
(prepend) import mode puts tests/bank/ on sys.path before it imports them.

The minimal bank: one tier `basic`, one track `alpha` (file `alpha.yaml`) with one
starter assessment `alpha-starter` drawing 2 questions of topic `basics`, and
single_choice questions `q-001`, `q-002`, `q-003`.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BANK_DIR = REPO_ROOT / "question_bank"

KEYS = ("q-001", "q-002", "q-003")


def track_entry(key: str = "alpha", *, tier: str = "basic", pass_mark: object = 70, count: int = 2,
                topic: str = "basics", kind: str = "starter", bank: str | None = None) -> str:
    """One entry of the `tracks:` list of tracks.yaml (indented for it)."""
    return f"""\
  - key: {key}
    name: {key.capitalize()}
    tier: {tier}
    description: The {key} track.
    bank: {bank or key + '.yaml'}
    assessments:
      - key: {key}-{kind}
        kind: {kind}
        title: {key.capitalize()} {kind} assessment
        time_limit_minutes: 30
        pass_mark: {pass_mark}
        blueprint:
          - {{topic: {topic}, difficulty: [1, 3], count: {count}}}
"""


def tracks_yaml(*entries: str, rate: object = 20) -> str:
    """tracks.yaml with the tier `basic` and the given track entries (default: the track alpha)."""
    return f"""\
format: 1
tiers:
  - key: basic
    name: Basic
    hourly_rate: {rate}
    rank: 1
tracks:
{''.join(entries or (track_entry(),))}"""


def single_choice(key: str, *, prompt: str = "Which letter comes first?", topic: str = "basics",
                  difficulty: int = 1) -> str:
    """One valid single_choice question, as an entry of the `questions:` list."""
    return f"""\
  - key: {key}
    type: single_choice
    topic: {topic}
    difficulty: {difficulty}
    points: 1
    prompt: {prompt}
    explanation: A comes before B.
    options:
      - {{id: a, text: A}}
      - {{id: b, text: B}}
    correct: a
"""


def track_file(track: str, *questions: str) -> str:
    """A track's question file holding the given question entries."""
    if not questions:
        return f"format: 1\ntrack: {track}\nquestions: []\n"
    return f"format: 1\ntrack: {track}\nquestions:\n{''.join(questions)}"


def write_bank(folder: Path, tracks: str, files: dict[str, str]) -> Path:
    """Write tracks.yaml and the given files (name -> text) into `folder`; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tracks.yaml").write_text(tracks, encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def minimal_bank(folder: Path, keys: tuple[str, ...] = KEYS, *, prompts: dict[str, str] | None = None,
                 rate: object = 20, pass_mark: object = 70) -> Path:
    """The smallest valid bank (no errors, no warnings); `prompts` overrides some keys' prompts."""
    prompts = prompts or {}
    questions = [single_choice(k, prompt=prompts.get(k, f"Which letter comes first ({k})?")) for k in keys]
    return write_bank(folder, tracks_yaml(track_entry(pass_mark=pass_mark), rate=rate),
                      {"alpha.yaml": track_file("alpha", *questions)})


def line_no(text: str, needle: str) -> int:
    """The 1-based number of the one line of `text` containing `needle`."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(found) == 1, f"{needle!r} is on lines {found}, expected exactly one"
    return found[0]
