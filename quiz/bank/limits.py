"""The largest a bank may be: files, bytes, entries and the fields of tracks.yaml.

Question fields are capped by their types (quiz/question_types/limits.py); the table of both is in
docs/bank-format.md. A bank within these caps validates and previews in well under the time a
web worker is given (see benchmarks/import_preview.py).
"""

from __future__ import annotations

#: bytes of tracks.yaml (the shipped one is about 19 KB)
MAX_TRACKS_FILE_BYTES = 256 * 1024
#: bytes of one track's question file (the largest shipped one is about 105 KB)
MAX_TRACK_FILE_BYTES = 2 * 1024 * 1024
#: nesting of mappings and lists in any bank file (a question needs 4: questions, entry, options, option)
MAX_YAML_DEPTH = 20
MAX_TIERS = 20
#: tracks in tracks.yaml, hence also track files in a bank
MAX_TRACKS = 100
MAX_BLUEPRINT_ROWS = 30
MAX_QUESTIONS_PER_FILE = 2_000
#: names of tiers and tracks, assessment titles, topics
MAX_NAME_LENGTH = 100
MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2_000
MAX_TOPIC_LENGTH = 100
