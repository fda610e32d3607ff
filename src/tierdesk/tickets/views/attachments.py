"""Attachment downloads: scoped by `attachment_get_for`, always served as a download."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from tierdesk.core.errors import NotFound
from tierdesk.tickets.selectors import attachment_get_for
from tierdesk.tickets.views.access import staff_required


@staff_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """Content-Disposition: attachment and nosniff, so an uploaded HTML or SVG file is saved,
    never rendered in the desk's origin. FileResponse quotes the stored (already cleaned)
    file name, with an RFC 5987 form for non-ASCII names."""
    try:
        attachment = attachment_get_for(user=request.user, attachment_id=attachment_id)
        handle = attachment.file.open("rb")
    except NotFound:
        raise Http404 from None
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, no_store=True)
    return response
