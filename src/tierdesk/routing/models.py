"""Agent presence (the current row per agent and the time-stamped log of every change) and the
assignment policies per level (optionally per category: the "queue"), with their round-robin cursor.

Presence is one row per agent for now; the phone floor (issue 6) adds per-channel presence and the
system's states (ringing, on a call, wrap-up) beside `status` without changing what it means."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.choices import Level
from tierdesk.core.models import TimeStampedModel
from tierdesk.routing.choices import AssignmentMode, PresenceStatus

MAX_OPEN_TICKETS_LIMIT = 1000


class AgentPresence(models.Model):
    """What an agent said they are doing now. No row means offline (never set)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presence")
    status = models.CharField(
        _("presence"), max_length=12, choices=PresenceStatus.choices, default=PresenceStatus.OFFLINE
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_at = models.DateTimeField(_("since"))
    # When routing last gave this agent a ticket: least-loaded breaks ties by the longest wait.
    last_assigned_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("agent presence")
        verbose_name_plural = _("agent presences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.status}"


class PresenceChange(models.Model):
    """One change of an agent's presence: append-only, the source of presence reports."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presence_changes")
    status = models.CharField(max_length=12, choices=PresenceStatus.choices)
    previous_status = models.CharField(max_length=12, choices=PresenceStatus.choices)
    reason = models.CharField(max_length=200, blank=True)
    # Who made the change: the agent, a case manager, or the agent's sign-out.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["user", "at", "id"], name="presence_change_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.previous_status} -> {self.status} at {self.at:%Y-%m-%d %H:%M:%S}"


class AssignmentPolicy(TimeStampedModel):
    """How new and escalated tickets of one level (and optionally one category) find an agent.

    A category's policy wins over its level's general one (category empty); `off` on a category
    keeps that category to hand assignment while the rest of the level is routed."""

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assignment_policies",
    )
    mode = models.CharField(
        _("mode"), max_length=14, choices=AssignmentMode.choices, default=AssignmentMode.ROUND_ROBIN
    )
    max_open_tickets = models.PositiveSmallIntegerField(
        _("maximum open tickets per agent"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_OPEN_TICKETS_LIMIT)],
    )
    respect_language = models.BooleanField(
        _("match the customer's language"),
        default=True,
        help_text=_("Prefer agents who speak the requester's language; anyone when nobody available does."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The round-robin cursor: the next ticket goes to the first eligible agent after this one (by id).
    # Read and moved under the policy's row lock, so two workers never hand out the same turn.
    last_assigned_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    last_assigned_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["level", "category__name", "id"]
        verbose_name = _("assignment policy")
        verbose_name_plural = _("assignment policies")
        constraints = [
            models.UniqueConstraint(
                fields=["level"], condition=models.Q(category__isnull=True), name="assignment_policy_level_unique"
            ),
            models.UniqueConstraint(fields=["level", "category"], name="assignment_policy_level_category_unique"),
        ]

    def __str__(self) -> str:
        return self.name
