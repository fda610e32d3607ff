"""Accounts services: organisations, contacts and phones, access notes, tokens, unlocks."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt

from tierdesk.accounts.choices import Role
from tierdesk.accounts.crypto import token_digest
from tierdesk.accounts.errors import ContactNotFound, DuplicateOrganisation, InvalidPhoneNumber, NotAllowed
from tierdesk.accounts.models import AccessNote, ApiToken, AuditEntry, Contact, Organisation
from tierdesk.accounts.phones import normalise_phone
from tierdesk.accounts.selectors import contact_find_by_phone, organisation_get_for
from tierdesk.accounts.services import (
    access_note_reveal,
    access_note_set,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    contact_create,
    contact_update,
    login_unlock,
    organisation_create,
    staff_user_create,
)
from tierdesk.core.errors import ValidationFailed


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("+31 20 123 4567", None, "+31201234567"),
        ("020-1234567", "NL", "+31201234567"),
        ("22 33 44 55", "NO", "+4722334455"),
        ("+48 12 345 67 89", None, "+48123456789"),
        ("030 12345678", "DE", "+493012345678"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(raw, region, e164):
    assert normalise_phone(raw, default_region=region) == e164


@pytest.mark.parametrize("raw", ["", "abc", "+1", "12"])
def test_bad_phone_numbers_are_refused(raw):
    with pytest.raises(InvalidPhoneNumber):
        normalise_phone(raw, default_region="NL")


def test_contact_with_phones_is_found_by_caller_number(personas):
    contact = contact_create(
        by=personas.agent_l1, organisation=personas.org_a, name="Dirk Smit", phones=["020 765 4321", "+31207654321"]
    )
    assert list(contact.phones.values_list("number", flat=True)) == ["+31207654321"]
    assert contact.language == "nl"  # the organisation's language by default
    assert contact_find_by_phone(user=personas.agent_l1, phone="+31 20 765 4321") == contact
    with pytest.raises(ContactNotFound):
        contact_find_by_phone(user=personas.agent_l1, phone="+31 20 000 0000")


def test_bad_phone_creates_no_contact(personas):
    with pytest.raises(InvalidPhoneNumber):
        contact_create(by=personas.agent_l1, organisation=personas.org_a, name="X", phones=["nonsense"])
    assert not Contact.objects.filter(name="X").exists()


def test_contact_update_replaces_phones(personas):
    contact = contact_create(by=personas.agent_l1, organisation=personas.org_a, name="Eva", phones=["0201111111"])
    contact_update(by=personas.agent_l1, contact=contact, phones=["0202222222"], is_system_admin=True)
    contact.refresh_from_db()
    assert list(contact.phones.values_list("number", flat=True)) == ["+31202222222"]
    assert contact.is_system_admin


def test_customers_cannot_manage_organisations(personas):
    with pytest.raises(NotAllowed):
        organisation_create(by=personas.customer_admin_a, name="New Org")
    with pytest.raises(NotAllowed):
        contact_create(by=personas.customer_admin_a, organisation=personas.org_a, name="Sneaky")
    assert not Organisation.objects.filter(name="New Org").exists()


def test_organisation_names_are_unique_case_insensitively(personas):
    with pytest.raises(DuplicateOrganisation):
        organisation_create(by=personas.agent_l1, name=personas.org_a.name.upper())


def test_organisation_scope_hides_foreign_ones(personas):
    assert organisation_get_for(user=personas.customer_a, organisation_id=personas.org_a.pk) == personas.org_a
    with pytest.raises(Exception, match="No such organisation"):
        organisation_get_for(user=personas.customer_a, organisation_id=personas.org_b.pk)


def test_access_notes_are_encrypted_and_every_view_is_audited(personas):
    note = access_note_set(
        by=personas.agent_l2, organisation=personas.org_a, title="VPN", body="vpn.example:443 user ops / s3cret!"
    )
    raw = bytes(AccessNote.objects.get(pk=note.pk).ciphertext)
    assert b"s3cret" not in raw
    assert (
        access_note_reveal(by=personas.agent_l1, note=note, ip_address="127.0.0.1")
        == "vpn.example:443 user ops / s3cret!"
    )
    viewed = AuditEntry.objects.get(action="access_note_viewed")
    assert (viewed.actor, viewed.ip_address) == (personas.agent_l1, "127.0.0.1")
    for outsider in (personas.customer_admin_a, personas.anonymous):
        with pytest.raises(NotAllowed):
            access_note_reveal(by=outsider, note=note)
    assert AuditEntry.objects.filter(action="access_note_viewed").count() == 1


def test_access_note_cannot_be_read_with_another_key(personas, settings):
    note = access_note_set(by=personas.agent_l2, organisation=personas.org_a, title="RDP", body="host rdp.example")
    settings.TIERDESK_FIELD_KEY = "another key"
    with pytest.raises(ValueError, match="cannot be decrypted"):
        access_note_reveal(by=personas.agent_l1, note=note)


def test_api_tokens_are_stored_as_keyed_digests(personas):
    issued = api_token_create(user=personas.agent_l1, name="pbx")
    token = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.raw.startswith("tdk_")
    assert issued.raw not in (token.digest, token.prefix)
    assert token.digest == token_digest(issued.raw)
    assert api_token_authenticate(issued.raw) == personas.agent_l1
    assert api_token_authenticate(issued.raw + "x") is None
    assert api_token_authenticate("") is None
    api_token_revoke(token=token, by=personas.agent_l1)
    assert api_token_authenticate(issued.raw) is None
    assert AuditEntry.objects.filter(action="token_revoked").count() == 1


def test_token_of_deactivated_user_stops_working(personas):
    issued = api_token_create(user=personas.agent_l1, name="pbx")
    personas.agent_l1.is_active = False
    personas.agent_l1.save()
    assert api_token_authenticate(issued.raw) is None


def test_only_owner_or_admin_revokes(personas):
    issued = api_token_create(user=personas.agent_l1, name="pbx")
    with pytest.raises(NotAllowed):
        api_token_revoke(token=issued.token, by=personas.agent_l2)
    api_token_revoke(token=issued.token, by=personas.admin)
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None


def test_only_admin_unlocks_and_it_is_audited(personas):
    AccessAttempt.objects.create(
        username="anna",
        ip_address="127.0.0.1",
        failures_since_start=5,
        user_agent="t",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/login/",
    )
    with pytest.raises(NotAllowed):
        login_unlock(by=personas.case_manager, username="anna")
    assert login_unlock(by=personas.admin, username="anna") == 1
    assert not AccessAttempt.objects.filter(username="anna").exists()
    entry = AuditEntry.objects.get(action="login_unlocked")
    assert (entry.actor, entry.target) == (personas.admin, "username:anna")


def test_staff_user_needs_a_staff_role(db):
    with pytest.raises(ValidationFailed):
        staff_user_create(username="x", password="pw-long-enough", role=Role.CUSTOMER)
