"""Automation rules, the record of each firing, and the pending timer of each time rule per ticket."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tierdesk.core.models import TimeStampedModel
from tierdesk.tickets.models.ticket import Ticket


class RuleTrigger(models.TextChoices):
    EVENT = "event", _("On a change")
    TIME = "time", _("When due")


class Rule(TimeStampedModel):
    """Conditions on a ticket and the actions to take when they hold (tickets/automation/).

    An event rule is evaluated after each change whose history action is in `events`; a time rule
    when its conditions become true by the passing of time (a timer per ticket, RuleTimer).
    `conditions` and `actions` are JSON lists in the shape of automation/conditions.py and
    automation/actions.py, validated by the rule services before they are stored."""

    key = models.SlugField(
        _("key"), max_length=60, unique=True, null=True, blank=True, help_text=_("Set on the rules Tierdesk ships.")
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    trigger = models.CharField(_("trigger"), max_length=10, choices=RuleTrigger.choices)
    events = models.JSONField(_("events"), default=list, blank=True)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveIntegerField(_("position"), default=100, help_text=_("Rules run in this order."))
    # Bumped by every edit: a writer that read an older version gets a conflict.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["is_enabled", "position", "id"], name="rule_enabled_order_idx")]

    def __str__(self) -> str:
        return self.name


class FiringOutcome(models.TextChoices):
    DONE = "done", pgettext_lazy("rule firing", "Done")
    FAILED = "failed", pgettext_lazy("rule firing", "Failed")


class RuleFiring(models.Model):
    """That a rule fired on a ticket in one state: unique, so that it never fires twice for the
    same state, also when a killed worker's task runs again (the row commits with the actions)."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="firings")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="rule_firings")
    state_key = models.CharField(max_length=64)
    # The chain of rules it fired in (automation/dispatch.py): firing again for the same state in
    # the same chain is a loop.
    chain_id = models.CharField(max_length=32, blank=True)
    fired_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=FiringOutcome.choices, default=FiringOutcome.DONE)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-fired_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "ticket", "state_key"], name="rule_firing_once_per_state")
        ]
        indexes = [models.Index(fields=["rule", "-fired_at", "-id"], name="rule_firing_recent_idx")]

    def __str__(self) -> str:
        return f"rule {self.rule_id} on ticket {self.ticket_id} ({self.outcome})"


class RuleTimer(models.Model):
    """The next check of a time rule on a ticket. `token` is the timer's version (convention 4):
    replanning bumps it, and a scheduled check carrying an older token does nothing."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="timers")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="rule_timers")
    due_at = models.DateTimeField()
    token = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "rule"], name="rule_timer_one_per_ticket")]
        indexes = [models.Index(fields=["due_at"], name="rule_timer_due_idx")]

    def __str__(self) -> str:
        return f"rule {self.rule_id} on ticket {self.ticket_id} at {self.due_at:%Y-%m-%d %H:%M}"
