"""What the candidate is told by mail: the submission receipt and the decision.

Composed here, in the transaction that submits or decides (see `quiz.mail_templates` for why), and
written to the outbox with `queue_mail`.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from quiz.assessment.forms import is_answered
from quiz.mail import Mail
from quiz.mail_templates import render_mail
from quiz.models import Attempt
from quiz.notifications import base_url, queue_mail

#: The candidate's dashboard (`candidates.dashboard`; a test keeps the two equal).
DASHBOARD_PATH = "/dashboard"


def _common(session: Session, attempt: Attempt) -> dict[str, object]:
    application = attempt.user.application
    return {"name": application.full_name.strip() if application and application.full_name.strip() else None,
            "title": attempt.assessment.title, "dashboard_url": base_url(session) + DASHBOARD_PATH}


def queue_receipt(session: Session, attempt: Attempt) -> None:
    """After the submit (by the candidate, at the deadline or by the sweep), in its transaction."""
    submitted = attempt.submitted_at
    text, html = render_mail(
        "receipt", **_common(session, attempt),
        submitted_at=f"{submitted:%Y-%m-%d %H:%M:%S} UTC" if submitted else "—",
        timed_out=attempt.submit_reason in ("deadline", "sweep"),
        answered=sum(1 for item in attempt.items if is_answered(item.answer)), total=len(attempt.items),
        decided=attempt.status == "decided", waits_for_grader=any(item.pending for item in attempt.items))
    queue_mail(session, Mail(to=attempt.user.email, subject=f"We received your {attempt.assessment.title}",
                             body=text, html=html, kind="receipt"))


def queue_decision(session: Session, attempt: Attempt, *, against_score: bool, revised: bool,
                   current_tier: str | None, by_theta: bool = False) -> None:
    """`against_score`: a person decided otherwise than the scores say, so the mail does not quote a
    score that contradicts the decision; it says the attempt was reviewed. `by_theta`: the ability
    estimate decided (the percent may lie on the other side of the pass mark), and the mail says so."""
    tier = attempt.tier
    text, html = render_mail(
        "decision", **_common(session, attempt), decision=attempt.decision, reviewed=against_score,
        revised=revised, by_theta=by_theta, score=attempt.score_percent, pass_mark=attempt.pass_mark,
        starter=attempt.assessment_kind == "starter", track=attempt.assessment.track.name,
        tier_name=tier.name if tier else None, hourly_rate=tier.hourly_rate if tier else None,
        current_tier=current_tier)
    subject = f"{'Updated result' if revised else 'Your result'}: {attempt.assessment.title}"
    queue_mail(session, Mail(to=attempt.user.email, subject=subject, body=text, html=html, kind="decision"))
