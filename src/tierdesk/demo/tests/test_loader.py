"""The demo data set, loaded through the services: complete, idempotent, and all-or-nothing."""

from __future__ import annotations

import re

import pytest
from django.db.models import Count, Q

from tierdesk.accounts.choices import CUSTOMER_ROLES, STAFF_ROLES, Level, Role
from tierdesk.accounts.models import (
    AccessNote,
    AgentProfile,
    Contact,
    ContactPhone,
    Organisation,
    OrganisationDomain,
    User,
)
from tierdesk.accounts.services import staff_user_create
from tierdesk.demo.dataset import ORGANISATIONS, TICKETS, demo_logins
from tierdesk.demo.errors import DemoDataConflict
from tierdesk.demo.loader import LoadReport, demo_load
from tierdesk.routing.models import AssignmentPolicy
from tierdesk.tickets.choices import SecondLevelDecision
from tierdesk.tickets.models import (
    Comment,
    CustomField,
    HistoryEvent,
    SavedView,
    SecondLevelRequest,
    Ticket,
    TimeEntry,
)
from tierdesk.tickets.rules import board_column
from tierdesk.tickets.selectors_views import saved_views_for, view_counts

pytestmark = pytest.mark.django_db

COUNTED = (
    Organisation,
    Contact,
    ContactPhone,
    User,
    AgentProfile,
    AccessNote,
    Ticket,
    Comment,
    TimeEntry,
    HistoryEvent,
    SecondLevelRequest,
)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_loading_twice_gives_the_same_counts() -> None:
    # given the demo data loaded once
    first = demo_load()
    after_first = row_counts()

    # when it is loaded again
    second = demo_load()

    # then the first run added everything, the second nothing
    assert first == LoadReport(users=13, organisations=5, contacts=11, access_notes=4, tickets=19, workspace=11)
    assert second == LoadReport()
    assert row_counts() == after_first
    assert after_first["Ticket"] == len(TICKETS)


def test_every_board_column_has_tickets() -> None:
    # when the demo data is loaded
    demo_load()

    # then each column of the agent board shows at least two tickets
    columns = [board_column(status, level) for status, level in Ticket.objects.values_list("status", "level")]
    assert {column: columns.count(column) for column in set(columns)} == {
        "first": 4,
        "second": 4,
        "waiting": 3,
        "dev": 2,
        "done": 3,
        "closed": 3,
    }


def test_every_language_appears_among_contacts_and_tickets() -> None:
    # when the demo data is loaded
    demo_load()

    # then contacts speak, and tickets are written in, every language of the user interface
    assert set(Contact.objects.values_list("language", flat=True)) == {"nl", "nb", "pl", "de", "en"}
    assert set(Ticket.objects.values_list("requester__language", flat=True)) == {"nl", "nb", "pl", "de", "en"}


def test_each_organisation_has_one_system_administrator() -> None:
    # when the demo data is loaded
    demo_load()

    # then every organisation names exactly one of its contacts as its system administrator
    admins = Organisation.objects.annotate(n=Count("contacts", filter=Q(contacts__is_system_admin=True)))
    assert {organisation.name: organisation.n for organisation in admins} == {spec.name: 1 for spec in ORGANISATIONS}
    assert set(Organisation.objects.values_list("country", flat=True)) == {"NL", "NO", "PL", "DE"}


def test_phone_numbers_are_stored_in_e164() -> None:
    # when the demo data is loaded
    demo_load()

    # then every number was normalised by the contact service
    numbers = list(ContactPhone.objects.values_list("number", flat=True))
    assert len(numbers) == 13
    assert all(re.fullmatch(r"\+[1-9]\d{7,14}", number) for number in numbers)


def test_every_printed_login_signs_in_with_its_role() -> None:
    # when the demo data is loaded
    demo_load()

    # then each printed username and password belong to an active user of the printed kind
    for login in demo_logins():
        user = User.objects.get(username=login.username)
        assert user.is_active
        assert user.check_password(login.password), login.username
        assert (user.role in CUSTOMER_ROLES) == bool(login.organisation), login.username
    staff = User.objects.filter(role__in=STAFF_ROLES)
    assert sorted(staff.values_list("role", "agent__level")) == sorted(
        [
            (Role.ADMIN, Level.SECOND),
            (Role.CASE_MANAGER, Level.SECOND),
            (Role.AGENT, Level.FIRST),
            (Role.AGENT, Level.FIRST),
            (Role.AGENT, Level.SECOND),
            (Role.AGENT, Level.DEVELOPMENT),
        ]
    )
    assert User.objects.filter(role=Role.CUSTOMER_ADMIN).count() == 1


def test_tickets_carry_replies_notes_time_and_second_level_requests() -> None:
    # when the demo data is loaded
    demo_load()

    # then the tickets show the whole conversation and their requesters are the intended contacts
    assert Comment.objects.filter(is_internal=False).count() == 13
    assert Comment.objects.filter(is_internal=True).count() == 16
    assert TimeEntry.objects.count() == 14
    assert sorted(SecondLevelRequest.objects.values_list("decision", flat=True)) == [
        SecondLevelDecision.APPROVED,
        SecondLevelDecision.PENDING,
    ]
    requesters = dict(Ticket.objects.values_list("subject", "requester__email"))
    assert requesters == {spec.subject: spec.requester for spec in TICKETS}
    assert Ticket.objects.filter(bug_key="").count() == 17


def test_existing_staff_login_is_kept() -> None:
    # given an agent1 created before the demo data
    existing = staff_user_create(username="agent1", password="own-password-123", role=Role.AGENT)

    # when the demo data is loaded
    report = demo_load()

    # then the loader works with that account and leaves its password alone
    assert report.users == 12
    assert User.objects.get(username="agent1") == existing
    assert User.objects.get(username="agent1").check_password("own-password-123")
    assert Ticket.objects.filter(assignee=existing).count() == 4


def test_a_conflicting_row_stops_the_load_and_writes_nothing() -> None:
    # given a customer contact whose login name the demo needs for a staff member
    organisation = Organisation.objects.create(name="Elsewhere Ltd", country="NL")
    contact = Contact.objects.create(organisation=organisation, name="Someone Else", email="else@elsewhere.example")
    User.objects.create_user(username="manager", password="x-1234567", role=Role.CUSTOMER)
    before = row_counts()

    # when the demo data is loaded
    with pytest.raises(DemoDataConflict) as caught:
        demo_load()

    # then it names the conflict, and the database is as it was
    assert caught.value.code == "demo.conflict"
    assert "'manager'" in caught.value.message
    assert row_counts() == before
    assert contact.user is None


def test_every_demo_customer_has_the_case_manager_the_p1_rule_alerts(db):
    demo_load()
    assert set(Organisation.objects.values_list("case_manager__username", flat=True)) == {"manager"}


def test_the_workspace_is_set_up_for_trying_it_out() -> None:
    report = demo_load()
    # shared views every agent sees on the ticket list, with tickets behind them
    agent = User.objects.filter(role=Role.AGENT).order_by("pk").first()
    assert agent is not None
    shared = list(SavedView.objects.filter(is_shared=True).order_by("position", "id"))
    assert [view.name for view in shared] == ["Burning: P1 and P2", "First level, nobody on it", "Waiting"]
    assert {view.name for view in saved_views_for(user=agent)} >= {view.name for view in shared}
    assert sum(view_counts(user=agent, views=shared).values()) > 0
    assert set(CustomField.objects.values_list("key", flat=True)) == {"asset_tag", "operating_system"}
    # every organisation can place single sign-on customers by its mail domain
    assert OrganisationDomain.objects.values("organisation").distinct().count() == len(ORGANISATIONS)
    policy = AssignmentPolicy.objects.get()
    assert (policy.mode, policy.is_active) == ("least_loaded", False)
    assert report.workspace == 3 + 2 + 1 + OrganisationDomain.objects.count()
    assert demo_load().workspace == 0
