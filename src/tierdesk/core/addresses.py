"""Absolute addresses of the instance, for what leaves it without a request to take scheme and
host from: links in e-mails and webhook payloads built by background tasks."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` (starting with "/") under TIERDESK_BASE_URL."""
    return f"{str(settings.TIERDESK_BASE_URL).rstrip('/')}{path}"
