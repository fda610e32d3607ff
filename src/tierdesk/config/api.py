"""The one NinjaAPI of version 1: auth, error mapping and each app's router."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from tierdesk.core.errors import DomainError

api = NinjaAPI(title="Tierdesk API", version="1", urls_namespace="api-v1", docs_url="/docs")


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body: dict[str, str] = {"code": exc.code, "message": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.http_status)
