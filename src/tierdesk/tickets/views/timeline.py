"""The ticket's history timeline: comments and history events interleaved by time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from tierdesk.tickets.choices import HistoryAction
from tierdesk.tickets.models import Comment, HistoryEvent

# A reply or a note is shown as its comment; its history row would only repeat it.
ACTIONS_SHOWN_AS_COMMENTS = frozenset({HistoryAction.COMMENTED, HistoryAction.NOTE_ADDED})


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    comment: Comment | None = None
    event: HistoryEvent | None = None
    # False when a comment in the timeline already shows the event's note (a handover note,
    # a reopen reason, a declined request's answer): the text is then not printed twice.
    shows_note: bool = True

    @property
    def is_internal(self) -> bool:
        item = self.comment or self.event
        return bool(item is not None and item.is_internal)

    @property
    def testid(self) -> str:
        if self.comment is not None:
            return f"timeline-comment-{self.comment.pk}"
        return f"timeline-event-{self.event.pk if self.event is not None else ''}"


def build_timeline(comments: Iterable[Comment], events: Iterable[HistoryEvent]) -> list[TimelineEntry]:
    """Oldest first. At the same instant an event (e.g. "escalated") comes before the comment
    written with it (the handover note), which reads naturally."""
    comment_list = list(comments)
    bodies = [c.body for c in comment_list]
    entries = [
        (e.at, 0, e.pk, TimelineEntry(at=e.at, event=e, shows_note=not _repeats_a_comment(e.note, bodies)))
        for e in events
        if e.action not in ACTIONS_SHOWN_AS_COMMENTS
    ]
    entries += [(c.created_at, 1, c.pk, TimelineEntry(at=c.created_at, comment=c)) for c in comment_list]
    entries.sort(key=lambda item: item[:3])
    return [entry for *_key, entry in entries]


def _repeats_a_comment(note: str, bodies: list[str]) -> bool:
    # Services store a comment's text (or its first 500 characters) as the event's note.
    text = note.strip()
    return bool(text) and any(body.strip().startswith(text) for body in bodies)
