"""@mentions in a note's text, as pure functions: which names are candidates, and which staff
members a text mentions (word boundaries, e-mail addresses, punctuation, unknown and inactive
names, the author, duplicates, the limit)."""

from __future__ import annotations

import pytest

from tierdesk.tickets.mentions import MAX_CANDIDATES, mention_candidates, resolve_mentions

# Active staff by lowercased username (what the service hands in): inactive users and
# customers are simply not in it.
STAFF = {"anna": 1, "bo": 2, "jan.kowalski": 3, "mia-k": 4, "zoë": 5, "l2": 6}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@anna can you look?", (1,)),
        ("Ping @Anna and @BO.", (1, 2)),  # case-insensitive; the full stop is no part of the name
        ("(@anna), [@bo]; @l2!", (1, 2, 6)),
        ("@anna: done? @bo's turn", (1, 2)),
        ("Mail anna@harbour.example or bo@x.example", ()),  # addresses are no mentions
        ("@anna@harbour.example wrote", ()),  # an address behind a stray @
        ("foo.@anna bar+@bo baz-@l2", ()),  # glued to a word's punctuation: no boundary
        ("email@anna", ()),
        ("@@anna", ()),
        ("@jan.kowalski please", (3,)),  # dotted usernames
        ("thanks @jan.kowalski.", (3,)),
        ("@jan.kowalski.thanks for that", (3,)),  # the longest known prefix at a dot
        ("@anna.please check", (1,)),
        ("@mia-k and @mia", (4,)),  # hyphens belong to names; "mia" is nobody
        ("@zoë knows", (5,)),  # Unicode letters
        ("@nobody @ghost", ()),  # unknown names
        ("@customer_anna", ()),
        ("@anna @ANNA @anna.", (1,)),  # each colleague once
        ("@bo then @anna then @bo", (2, 1)),  # in order of first mention
        ("", ()),
        ("@", ()),
        ("anna", ()),
    ],
)
def test_resolve_mentions(text, expected):
    assert resolve_mentions(text, staff_ids=STAFF, author_id=None) == expected


def test_the_author_is_never_mentioned():
    assert resolve_mentions("@anna note to self, cc @bo", staff_ids=STAFF, author_id=1) == (2,)


def test_an_inactive_colleague_is_not_in_the_map_and_not_mentioned():
    active = {name: pk for name, pk in STAFF.items() if name != "bo"}
    assert resolve_mentions("@anna @bo", staff_ids=active, author_id=None) == (1,)


def test_at_most_the_limit_of_colleagues():
    many = {f"agent{i}": i for i in range(1, 31)}
    text = " ".join(f"@agent{i}" for i in range(1, 31))
    assert resolve_mentions(text, staff_ids=many, author_id=None) == tuple(range(1, 21))
    assert resolve_mentions(text, staff_ids=many, author_id=None, limit=3) == (1, 2, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi @Anna, see @jan.Kowalski.thanks", ["anna", "jan.kowalski.thanks", "jan.kowalski", "jan"]),
        ("anna@harbour.example", []),
        ("@bo @bo @BO", ["bo"]),
        ("no names here", []),
    ],
)
def test_mention_candidates(text, expected):
    assert mention_candidates(text) == expected


def test_candidates_are_bounded():
    text = " ".join(f"@name{i}" for i in range(500))
    assert len(mention_candidates(text)) == MAX_CANDIDATES
