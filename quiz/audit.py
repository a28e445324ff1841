"""One way to write the audit log: who, when, what, before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from quiz.models import AuditEntry, User


def record(session: Session, actor: User | None, action: str, target_type: str, target_id: object,
           *, before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           at: datetime | None = None) -> AuditEntry:
    entry = AuditEntry(actor_id=actor.id if actor else None, action=action, target_type=target_type,
                       target_id=None if target_id is None else str(target_id), before=before, after=after)
    if at is not None:
        entry.at = at
    session.add(entry)
    return entry
