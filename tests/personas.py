"""Personas shared by every test: one of each role, and customers of two organisations."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from tierdesk.accounts.choices import Level, Role
from tierdesk.accounts.models import Contact, Organisation, User
from tierdesk.accounts.tests.factories import AgentFactory, ContactFactory, OrganisationFactory, customer_user


@dataclass
class Personas:
    org_a: Organisation
    org_b: Organisation
    agent_l1: User
    agent_l2: User
    developer: User
    case_manager: User
    admin: User
    contact_a: Contact
    contact_a2: Contact
    contact_b: Contact
    customer_a: User  # requester in org A
    customer_a2: User  # another customer user in org A
    customer_admin_a: User  # sees all of org A
    customer_b: User  # org B
    anonymous: AnonymousUser


@pytest.fixture
def personas(db: None) -> Personas:
    org_a = OrganisationFactory.create(name="Harbour Freight Systems", country="NL", language="nl")
    org_b = OrganisationFactory.create(name="Fjordline Office Services", country="NO", language="nb")
    contact_a = ContactFactory.create(organisation=org_a, name="Anna Vermeulen", email="anna@harbour.example")
    contact_a2 = ContactFactory.create(organisation=org_a, name="Bram de Wit", email="bram@harbour.example")
    contact_admin_a = ContactFactory.create(organisation=org_a, name="Cora Jansen", email="cora@harbour.example")
    contact_b = ContactFactory.create(
        organisation=org_b, name="Ola Nordby", email="ola@fjordline.example", language="nb"
    )
    return Personas(
        org_a=org_a,
        org_b=org_b,
        agent_l1=AgentFactory.create(username="l1", role=Role.AGENT, profile__level=Level.FIRST),
        agent_l2=AgentFactory.create(username="l2", role=Role.AGENT, profile__level=Level.SECOND),
        developer=AgentFactory.create(username="dev", role=Role.AGENT, profile__level=Level.DEVELOPMENT),
        case_manager=AgentFactory.create(username="cm", role=Role.CASE_MANAGER, profile__level=Level.SECOND),
        admin=AgentFactory.create(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True),
        contact_a=contact_a,
        contact_a2=contact_a2,
        contact_b=contact_b,
        customer_a=customer_user(contact_a, username="anna"),
        customer_a2=customer_user(contact_a2, username="bram"),
        customer_admin_a=customer_user(contact_admin_a, admin=True, username="cora"),
        customer_b=customer_user(contact_b, username="ola"),
        anonymous=AnonymousUser(),
    )
