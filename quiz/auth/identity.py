"""How two accounts are compared for the duplicate signals. Pure: standard library only.

The rules are documented in docs/accounts.md; change both together.
"""

from __future__ import annotations

import unicodedata

#: Google ignores dots in the local part and serves googlemail.com as gmail.com.
DOT_BLIND_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def canonical_email(email: str) -> str:
    """The address as a mailbox provider most likely delivers it.

    Always: trimmed and lower case; the `+tag` of the local part dropped (subaddressing, supported
    by Gmail, Outlook, iCloud, Fastmail, Proton and most self-hosted servers). For gmail.com and
    googlemail.com also: every dot of the local part dropped, and the domain written gmail.com.
    """
    local, at, domain = email.strip().lower().rpartition("@")
    if not at:
        return email.strip().lower()
    local = local.split("+", 1)[0] or local
    if domain in DOT_BLIND_DOMAINS:
        domain = DOT_BLIND_DOMAINS[domain]
        local = local.replace(".", "")
    return f"{local}@{domain}"


def _fold(text: str) -> str:
    """Case, accents and spacing do not make a different person: 'José  Núñez' == 'jose nunez'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def name_country_key(full_name: str | None, country: str | None) -> str | None:
    """One key for "the same name in the same country"; None until both are known."""
    name, place = _fold(full_name or ""), _fold(country or "")
    if not name or not place:
        return None
    return f"{name}|{place}"[:320]
