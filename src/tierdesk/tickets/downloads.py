"""The one way an attachment leaves the server, shared by the API, the desk and the portal."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext as _

from tierdesk.tickets.errors import AttachmentNotFound
from tierdesk.tickets.selectors import attachment_get_for


def attachment_download_for(*, user: Any, attachment_id: int) -> FileResponse:
    """The attachment as a download of opaque bytes, if the user may see it.

    Always `Content-Disposition: attachment`, `application/octet-stream`, nosniff and a sandbox
    policy, so an uploaded HTML or SVG file is saved, never rendered in our origin; never cached
    by shared caches. FileResponse quotes the (already cleaned) name, with an RFC 5987 form for
    non-ASCII names. An unknown, foreign or internal-to-a-customer file raises AttachmentNotFound."""
    attachment = attachment_get_for(user=user, attachment_id=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise AttachmentNotFound(_("The file of this attachment is missing.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.filename, content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
