"""@username mentions in internal notes: finding them in a text and matching them to staff.

Pure functions (no database): the service hands in the active staff's usernames. A mention is
`@` + a username where the `@` does not follow a letter, digit or one of `.+-@` (so the middle
of an e-mail address like `anna@example.com` is no mention), and the name is not itself
followed by `@` (`@anna@example.com` is an address with a stray `@`). Sentence punctuation after
the name does not belong to it (`@anna.` and `@anna,` mention anna); a dotted username may be
followed by more dotted words (`@jan.kowalski.thanks` mentions jan.kowalski if there is no
user of that longer name)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# How many colleagues one note may notify: a pasted list of addresses must not page the desk.
MAX_MENTIONS = 20
# How many distinct @names of one note are looked up at all (bounds the query).
MAX_CANDIDATES = 100

# The characters Django's username validator allows after the first: \w . @ + -. `@` is left
# out: inside a name it makes an address, which is not a mention.
_MENTION = re.compile(r"(?<![\w.+@-])@([\w][\w.+-]*)")
_TRAILING = ".+-"


def mention_candidates(text: str) -> list[str]:
    """The names worth looking up for `text`: each @name lowercased, and for a dotted name its
    shorter prefixes after it; distinct, in order of appearance, at most MAX_CANDIDATES."""
    found: dict[str, None] = {}
    for token in _tokens(text):
        for name in _names_in(token):
            found.setdefault(name)
    return list(found)[:MAX_CANDIDATES]


def _names_in(token: str) -> list[str]:
    """`jan.kowalski.thanks.` -> [jan.kowalski.thanks, jan.kowalski, jan] (punctuation dropped)."""
    names = []
    name = token.rstrip(_TRAILING)
    while name:
        names.append(name)
        head, dot, _tail = name.rpartition(".")
        name = head.rstrip(_TRAILING) if dot else ""
    return names


def resolve_mentions(
    text: str,
    *,
    staff_ids: Mapping[str, int],
    author_id: int | None,
    limit: int = MAX_MENTIONS,
) -> tuple[int, ...]:
    """The ids of the staff members `text` mentions, in order of first mention, each once, at
    most `limit`, never the author. `staff_ids` maps lowercased usernames of active staff to
    their ids (any other name is no mention: customers, inactive users, typos)."""
    ids: list[int] = []
    for token in _tokens(text):
        user_id = next((staff_ids[name] for name in _names_in(token) if name in staff_ids), None)
        if user_id is None or user_id == author_id or user_id in ids:
            continue
        ids.append(user_id)
        if len(ids) >= limit:
            break
    return tuple(ids)


def _tokens(text: str) -> Iterable[str]:
    for match in _MENTION.finditer(text):
        if text[match.end() : match.end() + 1] != "@":
            yield match.group(1).lower()
