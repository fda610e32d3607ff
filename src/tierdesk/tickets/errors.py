"""Error codes of the tickets domain; tests assert these codes, not messages."""

from __future__ import annotations

from tierdesk.core.errors import Conflict, Forbidden, NotFound, ValidationFailed


class TicketNotFound(NotFound):
    code = "ticket.not_found"


class TicketVersionConflict(Conflict):
    code = "ticket.version_conflict"


class TransitionNotAllowed(ValidationFailed):
    code = "ticket.transition_not_allowed"
    http_status = 409


class HandoverNoteRequired(ValidationFailed):
    code = "ticket.handover_note_required"


class BugReferenceRequired(ValidationFailed):
    code = "ticket.bug_reference_required"


class ResolutionRequired(ValidationFailed):
    code = "ticket.resolution_required"


class TicketActionForbidden(Forbidden):
    code = "ticket.forbidden"


class AttachmentTooLarge(ValidationFailed):
    code = "attachment.too_large"
    http_status = 413


class AttachmentNotFound(NotFound):
    code = "attachment.not_found"


class InvalidTimeEntry(ValidationFailed):
    code = "time_entry.invalid"


class ConfirmationLinkInvalid(ValidationFailed):
    code = "ticket.confirmation_link_invalid"
    http_status = 410


class RuleInvalid(ValidationFailed):
    code = "rule.invalid"


class RuleNotFound(NotFound):
    code = "rule.not_found"


class RuleVersionConflict(Conflict):
    code = "rule.version_conflict"


class DuplicateRule(ValidationFailed):
    code = "rule.duplicate_name"
    http_status = 409


class ReplyConflict(Conflict):
    """A newer public reply arrived after the one the author saw (collision detection): sending
    needs `confirm_despite_newer`. Carries what the desk needs to show the newer replies and to
    offer "send anyway" against the ticket as it is now."""

    code = "ticket.reply_conflict"

    def __init__(self, message: str, *, newer_comment_ids: tuple[int, ...], current_version: int) -> None:
        super().__init__(message)
        self.newer_comment_ids = newer_comment_ids
        self.current_version = current_version
