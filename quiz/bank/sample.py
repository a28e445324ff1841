"""Is the public sample bank in use? The shipped question_bank/ is in the public repository, keys and all.

It is what makes the first `quiz serve` work, so it stays; but an admin must know while candidates
could be taking questions whose answers anyone can read. A question counts as the sample when its
current content hash equals a shipped question's: it does not matter where the files were loaded
from (a copy of the shipped folder is just as public), and an edited question is no longer the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quiz.bank.load import load_bank
from quiz.models import Question, QuestionVersion, Track
from quiz.paths import question_bank_dir


@lru_cache(maxsize=1)
def shipped_content_hashes() -> frozenset[str]:
    """The shipped files do not change while a process runs: read them once."""
    return frozenset(question.content_hash for question in load_bank(question_bank_dir()).questions)


@dataclass(frozen=True)
class SampleBankUse:
    public: int  # active questions of active tracks whose content is the shipped sample's
    active: int  # active questions of active tracks (the ones a candidate can be shown)

    @property
    def in_use(self) -> bool:
        return self.public > 0

    def warning(self) -> str:
        return (f"{self.public} of the {self.active} active questions are the public sample bank shipped with "
                "quiz: anyone can read their answer keys in its source. Before real candidates take assessments, "
                "load a private bank (QUESTION_BANK_PATH and `quiz init`, `quiz bank import PATH`, or Import / "
                "export) that replaces or retires them.")


def sample_bank_use(session: Session) -> SampleBankUse:
    latest = (select(QuestionVersion.question_id, func.max(QuestionVersion.number).label("number"))
              .group_by(QuestionVersion.question_id).subquery())
    current_hashes = session.scalars(
        select(QuestionVersion.content_hash)
        .join(latest, (QuestionVersion.question_id == latest.c.question_id) & (QuestionVersion.number == latest.c.number))
        .join(Question, Question.id == QuestionVersion.question_id)
        .join(Track, Track.id == Question.track_id)
        .where(Question.status == "active", Track.active)).all()
    shipped = shipped_content_hashes()
    return SampleBankUse(public=sum(1 for h in current_hashes if h in shipped), active=len(current_hashes))
