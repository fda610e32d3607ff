"""Request guards that apply to every view and endpoint alike."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse

NUL_MARKERS = (b"\x00", b"\\u0000")


class RejectNulBytesMiddleware:
    """Refuse NUL characters in query strings and non-file bodies with a clear 400.

    PostgreSQL text cannot hold NUL (the database would answer with an error, i.e. a 500), and no
    legitimate form or API input contains one. Django's form fields refuse them already; this also
    covers query parameters and JSON bodies. Multipart bodies are left to the forms, so that file
    uploads are not read into memory here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            return JsonResponse(
                {"code": "bad_request", "message": "NUL characters are not accepted."},
                status=400,
            )
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        query = unquote_to_bytes(request.META.get("QUERY_STRING", ""))
        if b"\x00" in query:
            return True
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method in ("GET", "HEAD", "OPTIONS") or content_type.startswith("multipart/"):
            return False
        body = request.body
        if content_type.startswith("application/x-www-form-urlencoded"):
            body = unquote_to_bytes(body.replace(b"+", b" "))
        return any(marker in body for marker in NUL_MARKERS)


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # htmx and the admin set a few inline styles; scripts, the XSS vector, stay 'self' only.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Send a strict Content-Security-Policy with every response that does not set its own (file
    downloads set a stricter sandbox). No page of ours needs inline or remote script."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
