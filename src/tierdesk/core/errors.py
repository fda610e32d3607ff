"""Domain errors with stable codes; the API and the views map them to responses in one place."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose. `code` is stable and tested."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field


class NotFound(DomainError):
    """Unknown, or outside the caller's scope: the two must look the same."""

    code = "not_found"
    http_status = 404


class Forbidden(DomainError):
    """The caller may see the object but not do this to it."""

    code = "forbidden"
    http_status = 403


class Conflict(DomainError):
    """The object changed since the caller read it (version check)."""

    code = "conflict"
    http_status = 409


class ValidationFailed(DomainError):
    """Input that is well-formed but breaks a domain rule."""

    code = "invalid"
    http_status = 422
