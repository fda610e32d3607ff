"""The partial-or-page decision for htmx requests (NetBox's `htmx_partial`)."""

from __future__ import annotations

from django.http import HttpRequest


def is_partial(request: HttpRequest) -> bool:
    """True for an htmx request that wants a fragment, not a boosted full navigation."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
