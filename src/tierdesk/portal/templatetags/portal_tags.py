"""Template helpers of the portal: plain-word states and links to other apps' pages."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse

from tierdesk.portal import wording
from tierdesk.tickets.models import Ticket

register = template.Library()


@register.filter
def plain_status(ticket: Ticket) -> str:
    return wording.status_in_words(ticket)


@register.filter
def plain_status_value(value: str) -> str:
    return wording.status_value_in_words(value)


@register.simple_tag
def url_or(name: str, fallback: str) -> str:
    """The named URL, or `fallback` while the app that owns the name has not registered it.

    Sign-in, sign-out and the landing page belong to another app; the portal must render
    whether or not that app's URLs are mounted yet."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback
