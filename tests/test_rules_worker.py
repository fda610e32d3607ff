"""Each shipped rule end to end through a real `tierdesk worker` process: the change commits, the
worker evaluates the rules, plans the time rule's timer as a deferred task (`run_after`), runs it
when due and carries out the actions, mails included (to an SMTP server on 127.0.0.1).

The desk's default calendar is made open around the clock, so that the business-time clocks run
whatever the hour of the test run; the tickets are backdated to a few seconds before each rule's
threshold, so each timer falls due a few seconds after the worker has planned it."""

from __future__ import annotations

from email import message_from_bytes
from email.utils import getaddresses
from pathlib import Path

from tests.test_worker_recovery import desk_database, logs, relay_on_loopback, stop, wait_for, worker

# Seconds each timer lies ahead when the worker plans it.
LEAD = 6

SETUP = f"""
from datetime import time, timedelta
from django.db import transaction
from django.utils import timezone
from tierdesk.accounts.choices import Role
from tierdesk.accounts.services import contact_create, organisation_create, organisation_update, staff_user_create
from tierdesk.sla.models import BusinessCalendar, OpeningHours
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.services import ticket_create, ticket_resolve

calendar = BusinessCalendar.objects.get(is_default=True)
calendar.opening_hours.all().delete()
calendar.closed_days.all().delete()
BusinessCalendar.objects.filter(pk=calendar.pk).update(country="", subdivision="")
for weekday in range(7):
    OpeningHours.objects.create(calendar=calendar, weekday=weekday, opens=time(0), closes=time(0))

agent = staff_user_create(username="wren", password=None, role=Role.AGENT)
manager = staff_user_create(username="moss", password=None, role=Role.CASE_MANAGER)
manager.email = "moss@desk.example"
manager.save()
org = organisation_create(by=agent, name="Saltmarsh Ferry Works", country="NL", language="en")
organisation_update(by=agent, organisation=org, case_manager_id=manager.pk)
contact = contact_create(by=agent, organisation=org, name="Tove Marsh", email="tove@saltmarsh.example")

def backdate(ticket, **ages):
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(**{{name: now - age for name, age in ages.items()}})

lead = timedelta(seconds={LEAD})
with transaction.atomic():  # the rules see the backdated ticket: they run after this commit
    p1 = ticket_create(by=agent, requester=contact, organisation=org, subject="Quay gates down",
                       urgency="high", impact="high")
    backdate(p1, created_at=timedelta(minutes=15) - lead, level_entered_at=timedelta(minutes=10),
             status_changed_at=timedelta(minutes=10))
with transaction.atomic():
    slow = ticket_create(by=agent, requester=contact, organisation=org, subject="Ticket printer jams")
    backdate(slow, created_at=timedelta(minutes=30) - lead, level_entered_at=timedelta(minutes=30) - lead,
             status_changed_at=timedelta(minutes=30) - lead)
with transaction.atomic():
    done = ticket_create(by=agent, requester=contact, organisation=org, subject="Timetable screen blank")
    ticket_resolve(ticket=done, resolution="Replaced the HDMI cable.", by=agent)
    backdate(done, resolved_at=timedelta(days=5) - lead, status_changed_at=timedelta(days=5) - lead)
print(p1.number, slow.number, done.number)
"""

TICKET_STATE = "SELECT level, status, assignee_id FROM tickets_ticket WHERE number = %s"
FIRINGS = (
    "SELECT r.key, f.outcome FROM tickets_rulefiring f JOIN tickets_rule r ON r.id = f.rule_id "
    "JOIN tickets_ticket t ON t.id = f.ticket_id WHERE t.number = %s ORDER BY f.id"
)
DEFERRED_TIMERS = (
    "SELECT count(*) FROM django_tasks_database_dbtaskresult "
    "WHERE task_path = 'tierdesk.tickets.tasks.rule_timer_due' AND run_after IS NOT NULL"
)


def recipients_and_subjects(messages: list[bytes]) -> list[tuple[str, str]]:
    found = []
    for raw in messages:
        message = message_from_bytes(raw)
        for _name, address in getaddresses([str(message["To"])]):
            found.append((address, " ".join(str(message["Subject"]).split())))
    return found


def test_each_shipped_rule_runs_through_a_real_worker(tmp_path: Path) -> None:
    with relay_on_loopback(held=False) as (relay, smtp_port), desk_database(tmp_path, smtp_port) as desk:
        p1, slow, done = (int(number) for number in desk.tierdesk("shell", "-v", "0", "-c", SETUP).split())

        with worker(desk, "worker-rules") as process:

            def firings(number: int) -> list[tuple[str, str]]:
                return [(key, outcome) for key, outcome in desk.rows(FIRINGS, number)]

            # the P1 nobody answered: the case manager is alerted
            wait_for(desk, "the P1 alert", lambda: firings(p1) or None)
            assert firings(p1) == [("p1-no-response-15-minutes", "done")]
            # the slow first-level case: escalated to second level, unassigned
            wait_for(desk, "the escalation", lambda: True if desk.rows(TICKET_STATE, slow)[0][0] == "second" else None)
            assert firings(slow) == [("escalate-after-30-minutes", "done")]
            # the resolved ticket nobody confirmed: reminded, then closed
            wait_for(desk, "the auto-close", lambda: True if desk.rows(TICKET_STATE, done)[0][1] == "closed" else None)
            assert firings(done) == [("remind-before-auto-close", "done"), ("auto-close-after-5-working-days", "done")]

            def mails_arrived() -> bool | None:
                seen = recipients_and_subjects(relay.messages)
                wanted = {("moss@desk.example", f"[TD#{p1}] Quay gates down")}
                return True if wanted <= set(seen) and len(seen) >= 7 else None

            wait_for(desk, "the mails", mails_arrived)
            assert stop(desk, process) == 0

        # the time rules ran from deferred timer tasks, not from a scan
        assert desk.rows(DEFERRED_TIMERS)[0][0] >= 3, logs(desk)
        mails = recipients_and_subjects(relay.messages)
        assert mails.count(("moss@desk.example", f"[TD#{p1}] Quay gates down")) == 1
        # the requester of the resolved ticket: received, resolved, the reminder, closed
        assert sum(address == "tove@saltmarsh.example" for address, subject in mails if f"#{done}]" in subject) == 4
        assert desk.rows(TICKET_STATE, slow)[0][2] is None
