"""The ticket page's side of collision detection: the reply form carries the newest public reply
on the page, and after a ReplyConflict it comes back with the agent's text, the newer replies
and the "send anyway" box, set against the ticket as it is now."""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass

from django import forms

from tierdesk.core.errors import DomainError
from tierdesk.tickets.errors import ReplyConflict
from tierdesk.tickets.models import Comment


@dataclass(frozen=True)
class ReplyConflictShown:
    newer: list[Comment]


def prepare_reply_form(
    ticket_forms: MutableMapping[str, forms.Form], *, comments: Iterable[Comment], error: DomainError | None
) -> ReplyConflictShown | None:
    """Set up `ticket_forms["reply"]` for the page; return the conflict to show, if any."""
    shown = list(comments)
    form = ticket_forms["reply"]
    if isinstance(error, ReplyConflict) and form.is_bound:
        # The typed text stays; version and "seen" move on to what the page now shows, so that
        # ticking the box sends it (and sending without ticking it asks only about newer ones).
        data = dict(form.data.items())  # every field of the reply form has one value
        data["version"] = str(error.current_version)
        data["seen_comment"] = str(max(error.newer_comment_ids))
        data.pop("confirm_despite_newer", None)
        ticket_forms["reply"] = type(form)(data, form.files, auto_id=form.auto_id)
        newer = set(error.newer_comment_ids)
        return ReplyConflictShown(newer=[comment for comment in shown if comment.pk in newer])
    # Only offered as the answer to a conflict.
    form.fields.pop("confirm_despite_newer", None)
    if not form.is_bound:
        form.initial["seen_comment"] = max((c.pk for c in shown if not c.is_internal), default=0)
    return None
