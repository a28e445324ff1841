"""The account mails: what each says. Links are made by the caller (the web layer knows the host)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from quiz.mail import Mail


@dataclass(frozen=True)
class AccountLinks:
    """Absolute URLs for the mails: `verify(token)`, `reset(token)`, and the log-in and reset-request pages."""

    verify: Callable[[str], str]
    reset: Callable[[str], str]
    login: str
    forgot: str


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes % (24 * 60) == 0 and minutes >= 24 * 60:
        days = minutes // (24 * 60)
        return f"{days} day{'s' if days != 1 else ''}"
    if minutes % 60 == 0 and minutes >= 60:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def verification_mail(to: str, link: str, valid_for: timedelta) -> Mail:
    return Mail(to=to, kind="account", subject="Confirm your email address", body=(
        "Welcome! Please confirm that this address is yours by opening this link:\n\n"
        f"{link}\n\n"
        f"The link works once and for {_duration(valid_for)}. You need a confirmed address before you can "
        "start an assessment; your dashboard can send a new link at any time.\n\n"
        "If you did not create an account, ignore this message: nothing happens without the link.\n"))


def existing_account_mail(to: str, links: AccountLinks, reset_link: str, valid_for: timedelta) -> Mail:
    return Mail(to=to, kind="account", subject="You already have an account", body=(
        "Someone (probably you) tried to create an account with this address, but you already have one.\n\n"
        f"Log in here: {links.login}\n\n"
        f"Forgot your password? Choose a new one with this link (it works once and for {_duration(valid_for)}):\n\n"
        f"{reset_link}\n\n"
        "If it was not you, ignore this message: your account is unchanged.\n"))


def reset_mail(to: str, link: str, valid_for: timedelta) -> Mail:
    return Mail(to=to, kind="account", subject="Choose a new password", body=(
        "Someone (probably you) asked to reset the password of the account with this address. "
        "Choose a new password here:\n\n"
        f"{link}\n\n"
        f"The link works once and for {_duration(valid_for)}. Choosing a new password logs you out everywhere.\n\n"
        "If you did not ask for it, ignore this message: your password stays as it is.\n"))


def password_changed_mail(to: str, links: AccountLinks) -> Mail:
    return Mail(to=to, kind="account", subject="Your password was changed", body=(
        "The password of your account was just changed, and every other session of your account was logged out.\n\n"
        f"If this was not you, choose a new password at once: {links.forgot}\n"))
