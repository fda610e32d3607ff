"""How an API request proves who it is: a bearer token (integrations) or the Django session
(the web UI, with CSRF enforced on unsafe methods), plus small helpers every router shares to
read the caller and the channel a request came through."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from tierdesk.accounts.choices import Channel
from tierdesk.accounts.models import User
from tierdesk.accounts.permissions import is_staff_member
from tierdesk.accounts.services import api_token_authenticate
from tierdesk.core.errors import Forbidden

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class CsrfFailed(Forbidden):
    code = "auth.csrf_failed"


class StaffOnly(Forbidden):
    code = "auth.staff_only"


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer tdk_...`, checked with a keyed SHA-256 digest (never a password
    hasher: it runs on every request)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token.strip())
        if user is None:
            # A token that was sent but is wrong, revoked or malformed is a hard 401: falling
            # back to a session cookie would hide a broken integration behind a browser login.
            raise AuthenticationError()
        request.user = user
        request.auth_method = "token"  # type: ignore[attr-defined]
        # The language middleware ran before we knew the user; answer in their language.
        translation.activate(user.language)
        return user


class SessionCsrfAuth(APIKeyCookie):
    """The Django session of the web UI. CSRF is checked only when the session is what
    authenticates the request, so an anonymous call gets 401 (not a CSRF 403)."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if self.csrf and not exempt and request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise CsrfFailed(str(_("CSRF check failed: send the X-CSRFToken header with the csrftoken cookie.")))
        request.auth_method = "session"  # type: ignore[attr-defined]
        return user  # type: ignore[no-any-return]


def caller(request: HttpRequest) -> User:
    """The authenticated user of an API request (set by one of the auth classes above)."""
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def request_channel(request: HttpRequest) -> str:
    """Through which channel a change arrives: the API for tokens, otherwise the UI in use."""
    if getattr(request, "auth_method", "") == "token":
        return str(Channel.API)
    return str(Channel.WEB if is_staff_member(caller(request)) else Channel.PORTAL)


def require_staff(request: HttpRequest) -> User:
    """Staff-only endpoints (queues, phone lookup) answer 403 to customers."""
    user = caller(request)
    if not is_staff_member(user):
        raise StaffOnly(str(_("Only staff members may do this.")))
    return user


def client_ip(request: HttpRequest) -> str | None:
    value: Any = request.META.get("REMOTE_ADDR")
    return str(value) if value else None
