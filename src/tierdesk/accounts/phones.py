"""Phone numbers normalised to E.164 so that caller lookup is an exact index match."""

from __future__ import annotations

import phonenumbers
from django.utils.translation import gettext as _

from tierdesk.accounts.errors import InvalidPhoneNumber


def normalise_phone(raw: str, *, default_region: str | None = None) -> str:
    """Return `raw` in E.164 (+31201234567) or raise InvalidPhoneNumber."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber(_("A phone number is required."), field="phone")
    try:
        parsed = phonenumbers.parse(text, default_region.upper() if default_region else None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(_("%(value)r is not a phone number.") % {"value": raw}, field="phone") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhoneNumber(_("%(value)r is not a possible phone number.") % {"value": raw}, field="phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
