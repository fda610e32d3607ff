"""Kinds of links between tickets: how a link is stored (`LinkKind`) and how each of its two
tickets names it (`LinkRole`). Pure: no ORM.

`related` is symmetric and stored once; `duplicate_of` and `caused_by` point from one ticket to
the other, and the other ticket sees them reversed, as `duplicates` and `caused`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LinkKind(models.TextChoices):
    """A stored link: `from_ticket` <kind> `to_ticket`."""

    RELATED = "related", _("Related to")
    DUPLICATE_OF = "duplicate_of", _("Duplicate of")
    CAUSED_BY = "caused_by", _("Caused by")


class LinkRole(models.TextChoices):
    """A link as one of its tickets sees it: "this ticket is <role> the other one"."""

    RELATED = "related", _("Related to")
    DUPLICATE_OF = "duplicate_of", _("Duplicate of")
    DUPLICATES = "duplicates", _("Duplicated by")
    CAUSED_BY = "caused_by", _("Caused by")
    CAUSED = "caused", _("Caused")


# The role on the other end of a directed link.
_REVERSED: dict[LinkKind, LinkRole] = {
    LinkKind.DUPLICATE_OF: LinkRole.DUPLICATES,
    LinkKind.CAUSED_BY: LinkRole.CAUSED,
}


def role_of(kind: LinkKind | str, *, is_source: bool) -> LinkRole:
    """How the ticket at one end of a stored link names it (`is_source`: it is `from_ticket`)."""
    stored = LinkKind(kind)
    if stored == LinkKind.RELATED or is_source:
        return LinkRole(stored.value)
    return _REVERSED[stored]


def stored_as(role: LinkRole | str) -> tuple[LinkKind, bool]:
    """The stored kind of a role, and whether this ticket is the link's `to_ticket` (reversed)."""
    wanted = LinkRole(role)
    for kind, reversed_role in _REVERSED.items():
        if wanted == reversed_role:
            return kind, True
    return LinkKind(wanted.value), False


def opposite_role(role: LinkRole | str) -> LinkRole:
    """The same link as the other ticket names it (`related` stays `related`)."""
    kind, is_reversed = stored_as(role)
    return role_of(kind, is_source=is_reversed)


# How the desk names the fields of the history rows of links and child tickets ("parent" is a
# ticket field and has its own name).
HISTORY_FIELD_LABELS: dict[str, object] = {
    **{role.value: role.label for role in LinkRole},
    "children": _("child tickets"),
    "open_children": _("open child tickets"),
    "comment": _("comment"),  # split off into a new ticket (services/merge.py)
}
