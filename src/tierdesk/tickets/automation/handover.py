"""The handover note of an automatic escalation: what was done at the level the ticket leaves,
so that the colleague who takes over does not ask the customer again. Reads only."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tierdesk.tickets.choices import HistoryAction, Level
from tierdesk.tickets.models import Comment, HistoryEvent, Ticket, TimeEntry

# At most this many lines of what was done; the timeline holds the rest.
MAX_LINES = 15
EXCERPT_CHARS = 160
# Rows that say nothing a colleague needs (the comments are listed with their text instead).
_SKIPPED = {HistoryAction.COMMENTED, HistoryAction.NOTE_ADDED, HistoryAction.RULE_APPLIED}


def handover_note(*, ticket: Ticket, rule_name: str, minutes: float | None) -> str:
    """The note in the desk's language (staff read it; settings.LANGUAGE_CODE)."""
    since = ticket.level_entered_at or ticket.created_at
    with translation.override(settings.LANGUAGE_CODE):
        level = Level(ticket.level).label
        lines = [_("Escalated automatically by the rule “%(rule)s”.") % {"rule": rule_name}]
        if minutes is not None:
            lines.append(
                ngettext(
                    "Time at this level (%(level)s): %(minutes)d business minute.",
                    "Time at this level (%(level)s): %(minutes)d business minutes.",
                    int(minutes),
                )
                % {"level": level, "minutes": int(minutes)}
            )
        logged = TimeEntry.objects.filter(ticket=ticket, created_at__gte=since).aggregate(total=Sum("minutes"))
        if logged["total"]:
            lines.append(
                ngettext(
                    "Time logged at this level: %(minutes)d minute.",
                    "Time logged at this level: %(minutes)d minutes.",
                    logged["total"],
                )
                % {"minutes": logged["total"]}
            )
        done = _done_since(ticket, since)
        lines.append("")
        if done:
            lines.append(_("Done at %(level)s:") % {"level": level})
            lines += done
        else:
            lines.append(_("Nothing was recorded at %(level)s yet.") % {"level": level})
    return "\n".join(lines)


def _done_since(ticket: Ticket, since: datetime) -> list[str]:
    entries: list[tuple[datetime, str]] = []
    comments = Comment.objects.filter(ticket=ticket, created_at__gte=since).select_related("author")
    for comment in comments.order_by("created_at", "id")[:MAX_LINES]:
        kind = _("Internal note") if comment.is_internal else _("Public reply")
        who = comment.author.display_name if comment.author else _("System")
        text = Truncator(" ".join(comment.body.split())).chars(EXCERPT_CHARS)
        entries.append((comment.created_at, f"{kind} ({who}): {text}"))
    events = HistoryEvent.objects.filter(ticket=ticket, at__gte=since).exclude(action__in=_SKIPPED)
    for event in events.select_related("actor").order_by("at", "id")[:MAX_LINES]:
        who = event.actor.display_name if event.actor else _("System")
        what = str(HistoryAction(event.action).label)
        if event.field:
            what = f"{what}: {event.field} {event.old_value} → {event.new_value}".rstrip(" →")
        entries.append((event.at, f"{what} ({who})"))
    entries.sort(key=lambda entry: entry[0])
    return [f"- {timezone.localtime(at):%H:%M} {text}" for at, text in entries[:MAX_LINES]]
