"""The one NinjaAPI of version 1: authentication, error mapping and each app's router.

Every error body is {code, message, field?}: domain errors carry their own stable code, the
framework's own errors (401, 404, 422, unparsable bodies) are given one here."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tierdesk.accounts.api import router as accounts_router
from tierdesk.accounts.api_auth import BearerTokenAuth, SessionCsrfAuth
from tierdesk.core.errors import DomainError
from tierdesk.routing.api import router as routing_router
from tierdesk.sla.api import router as sla_router
from tierdesk.tickets.api import router as tickets_router
from tierdesk.tickets.api_appointments import router as appointments_router
from tierdesk.tickets.api_bulk import router as bulk_router
from tierdesk.tickets.api_checklists import router as checklists_router
from tierdesk.tickets.api_custom_fields import router as custom_fields_router
from tierdesk.tickets.api_links import router as links_router
from tierdesk.tickets.api_macros import router as macros_router
from tierdesk.tickets.api_merge import router as merge_router
from tierdesk.tickets.api_rules import router as rules_router
from tierdesk.tickets.api_views import router as views_router
from tierdesk.tickets.api_watchers import router as watchers_router
from tierdesk.webhooks.api import router as webhooks_router

api = NinjaAPI(
    title="Tierdesk API",
    version="1",
    description="Tickets, organisations and contacts. Authenticate with `Authorization: Bearer <token>` "
    "(`tierdesk token create --user NAME`) or the web UI's session (with the X-CSRFToken header).",
    urls_namespace="api-v1",
    docs_url="/docs",
    auth=[BearerTokenAuth(), SessionCsrfAuth()],
)
api.add_router("", bulk_router)  # first: /tickets/bulk must match before /tickets/{number}
api.add_router("", custom_fields_router)  # also first: /tickets/export.csv
api.add_router("", tickets_router)
api.add_router("", accounts_router)
api.add_router("", macros_router)
api.add_router("", links_router)
api.add_router("", views_router)
api.add_router("", merge_router)
api.add_router("", watchers_router)
api.add_router("", appointments_router)
api.add_router("", checklists_router)
api.add_router("", rules_router)
api.add_router("", sla_router)
api.add_router("", webhooks_router)
api.add_router("", routing_router)


def _error(
    request: HttpRequest, status: int, code: str, message: str, field: str | None = None, **extra: Any
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if field:
        body["field"] = field
    body.update(extra)
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.http_status, exc.code, str(exc.message), exc.field)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, "auth.required", _("Sign in, or send a valid API token as a Bearer token."))
    response["WWW-Authenticate"] = 'Bearer realm="tierdesk"'
    return response


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    # loc is (source, parameter, field...) for schemas, (source, parameter) for single values.
    location = list(first.get("loc", ()))
    field = ".".join(str(part) for part in (location[2:] if len(location) > 2 else location[1:])) or None
    message = str(first.get("msg", _("Invalid input.")))
    return _error(request, 422, "invalid", message, field, detail=exc.errors)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 429: "throttled"}
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found."))
