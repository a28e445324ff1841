"""What the bank admin services share: the error both halves raise.

The services themselves live in `quiz.admin.bank_import` (upload, dry run, confirm, export) and
`quiz.admin.settings` (tiers, tracks, assessments and their blueprints); the views catch this one
base class for both.
"""

from __future__ import annotations


class BankAdminError(ValueError):
    """A request the bank or settings services refuse; the message is for the admin."""
