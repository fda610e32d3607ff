"""Attachment downloads on the desk: staff only, through the one download path."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from tierdesk.core.errors import NotFound
from tierdesk.tickets.downloads import attachment_download_for
from tierdesk.tickets.views.access import staff_required


@staff_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    try:
        return attachment_download_for(user=request.user, attachment_id=attachment_id)
    except NotFound:
        raise Http404 from None
