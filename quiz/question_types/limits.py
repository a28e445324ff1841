"""The largest a question definition may be, field by field (the table is in docs/bank-format.md).

Every definition passes through `parse_definition`, so these caps hold for bank files, imports and
the admin editor alike. They are far above what the shipped banks use (their longest prompt is about
1,200 characters) and low enough that a page, a preview or an import of a full bank stays fast.
"""

from __future__ import annotations

#: prompt and explanation of every type; user_prompt, response_a and response_b of a comparison (Markdown)
MAX_LONG_TEXT = 10_000
#: the text of an option (choice types) or of an item (ordering)
MAX_OPTION_TEXT = 1_000
#: an option, item or rubric criterion id (the key of a single choice is such an id)
MAX_ID_LENGTH = 64
#: the description of one rubric criterion
MAX_RUBRIC_DESCRIPTION = 2_000
#: rubric criteria of one essay or comparison
MAX_RUBRIC_ROWS = 20
#: accepted answers of one short-text question (each also at most its max_length)
MAX_ACCEPTED_ANSWERS = 50
#: the highest max_length of a short-text answer
MAX_SHORT_TEXT_LENGTH = 1_000
#: a short-text regex, in characters
MAX_REGEX_LENGTH = 500
#: the unit shown beside a numeric answer
MAX_UNIT_LENGTH = 50
#: min_words / max_words of a written answer (an answer holds at most 50,000 characters)
MAX_WORDS = 10_000
#: rubric points, choice_points, rating_points and rating_tolerance
MAX_PART_POINTS = 100
#: a comparison's rating scale: its ends within ±MAX_SCALE_END, at most MAX_SCALE_STEPS steps apart
MAX_SCALE_END = 100
MAX_SCALE_STEPS = 20
