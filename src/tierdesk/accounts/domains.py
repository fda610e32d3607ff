"""E-mail domains: one spelling for storing and comparing them (pure functions, no ORM)."""

from __future__ import annotations

import re

# One DNS label: letters, digits and inner hyphens, at most 63 characters (RFC 1035, after IDNA).
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_domain(value: str) -> str:
    """ "@Example.ORG." -> "example.org"; internationalised names in their IDNA (xn--) form.

    Raises ValueError for anything that is not a domain name with at least two labels."""
    domain = value.strip().lstrip("@").rstrip(".").lower()
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"{value!r} is not a domain name") from None
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(f"{value!r} is not a domain name")
    return domain


def email_domain(email: str) -> str | None:
    """The normalised domain of an address, or None when it has none we could use."""
    _local, at, domain = email.strip().rpartition("@")
    if not at or not _local:
        return None
    try:
        return normalise_domain(domain)
    except ValueError:
        return None
