"""Absolute addresses of the instance, for what leaves it without a request to take scheme and
host from: links in e-mails and webhook payloads built by background tasks."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings

FALLBACK_MAIL_DOMAIN = "tierdesk.invalid"


def absolute_url(path: str) -> str:
    """`path` (starting with "/") under TIERDESK_BASE_URL."""
    return f"{str(settings.TIERDESK_BASE_URL).rstrip('/')}{path}"


def mail_domain() -> str:
    """The domain of the desk's sending address (DEFAULT_FROM_EMAIL): our Message-IDs and
    iCalendar UIDs are made at it, and replies are trusted by it (mail/threading.py)."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2].lower() or FALLBACK_MAIL_DOMAIN
