"""Error codes of the accounts domain."""

from __future__ import annotations

from tierdesk.core.errors import Forbidden, NotFound, ValidationFailed


class OrganisationNotFound(NotFound):
    code = "organisation.not_found"


class ContactNotFound(NotFound):
    code = "contact.not_found"


class InvalidPhoneNumber(ValidationFailed):
    code = "contact.invalid_phone"


class DuplicateOrganisation(ValidationFailed):
    code = "organisation.duplicate"


class NotAllowed(Forbidden):
    code = "accounts.forbidden"


class UserNotFound(NotFound):
    code = "user.not_found"
