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


class SignInRefused(Forbidden):
    """Single sign-on or a second factor did not let the person in; the message says why in
    words they can act on, the code says it for tests and the audit log."""

    code = "sso.refused"


class SecondFactorInvalid(ValidationFailed):
    code = "totp.invalid"


class SecondFactorLocked(Forbidden):
    code = "totp.locked"
