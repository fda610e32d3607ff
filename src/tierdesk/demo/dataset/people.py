"""The demo's people: the service desk's staff and five customer organisations with their contacts.

Everyone here is invented. Domains end in .example, phone numbers are written the way each
country writes them (the services store them in E.164).
"""

from __future__ import annotations

from tierdesk.accounts.choices import Channel, Level, Role
from tierdesk.demo.spec import AccessNoteSpec, ContactSpec, OrganisationSpec, StaffSpec

ADMIN = "admin"
CASE_MANAGER = "manager"
AGENT_NL_DE = "agent1"
AGENT_NO_PL = "agent2"
SECOND_LEVEL = "second"
DEVELOPER = "dev"

ALL_CHANNELS = (Channel.PHONE, Channel.EMAIL, Channel.CHAT, Channel.PORTAL)

STAFF: tuple[StaffSpec, ...] = (
    StaffSpec(ADMIN, "Lotte", "Kranenburg", Role.ADMIN, Level.SECOND, ("nl", "en"), ALL_CHANNELS),
    StaffSpec(CASE_MANAGER, "Henrik", "Dalsbø", Role.CASE_MANAGER, Level.SECOND, ("nb", "en"), ALL_CHANNELS),
    StaffSpec(AGENT_NL_DE, "Sanne", "Wielinga", Role.AGENT, Level.FIRST, ("nl", "de", "en"), ALL_CHANNELS),
    StaffSpec(AGENT_NO_PL, "Kasia", "Nowacka-Lind", Role.AGENT, Level.FIRST, ("pl", "nb", "en"), ALL_CHANNELS),
    StaffSpec(
        SECOND_LEVEL, "Jonas", "Feldhaus", Role.AGENT, Level.SECOND, ("de", "nl", "en"), (Channel.PHONE, Channel.EMAIL)
    ),
    StaffSpec(DEVELOPER, "Tomasz", "Brzeziak", Role.AGENT, Level.DEVELOPMENT, ("pl", "en"), (Channel.EMAIL,)),
)

MEEUWENHAVEN = "Meeuwenhaven Transport B.V."
LYSEFJELL = "Lysefjell Regnskap AS"
VINDKAST = "Vindkast Arkitekter AS"
MODRZEW = "Biuro Rachunkowe Modrzew Sp. z o.o."
KASTANIENHOF = "Kastanienhof Ingenieure GmbH"

ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    OrganisationSpec(
        name=MEEUWENHAVEN,
        country="NL",
        language="nl",
        notes="Haulier near the port; runs the transport planning software Vrachtplan on its own server "
        "and on 40 drivers' tablets. Planning desk staffed from 05:30.",
        contacts=(
            ContactSpec(
                "Anneke Stroobos",
                "anneke.stroobos@meeuwenhaven.example",
                "nl",
                ("010 555 0188", "06 4155 0123"),
                login="anneke",
                is_customer_admin=True,
            ),
            ContactSpec(
                "Ruud van Emmerik",
                "ruud.vanemmerik@meeuwenhaven.example",
                "nl",
                ("010 555 0190",),
                is_system_admin=True,
            ),
            ContactSpec("Daniel Okafor", "daniel.okafor@meeuwenhaven.example", "en", ("06 4155 0177",), login="daniel"),
        ),
        access_notes=(
            AccessNoteSpec(
                "VPN to the Vrachtplan server",
                "Gateway vpn.meeuwenhaven.example, account td-support, second factor on the on-call phone.\n"
                "Application server: vp-app01.meeuwenhaven.example, database: vp-db01.",
            ),
        ),
    ),
    OrganisationSpec(
        name=LYSEFJELL,
        country="NO",
        language="nb",
        notes="Accounting office with eight people; we look after their PCs, printers, mail and firewall.",
        contacts=(
            ContactSpec("Kari Lysne", "kari@lysefjell.example", "nb", ("22 55 01 01",), login="kari"),
            ContactSpec("Eirik Haugtun", "eirik@lysefjell.example", "nb", ("915 50 123",), is_system_admin=True),
        ),
        access_notes=(
            AccessNoteSpec(
                "Firewall and remote support",
                "Firewall admin at https://fw.lysefjell.example:8443, user tdadmin.\n"
                "Remote support ID of the server: 418 220 907.",
            ),
        ),
    ),
    OrganisationSpec(
        name=VINDKAST,
        country="NO",
        language="nb",
        notes="Architects' office; CAD and rendering workstations, a large-format plotter and a print server.",
        contacts=(
            ContactSpec("Silje Brennvold", "silje@vindkast.example", "nb", ("51 55 01 02",), login="silje"),
            ContactSpec(
                "Oliver Pemberton",
                "oliver@vindkast.example",
                "en",
                ("51 55 01 09",),
                is_system_admin=True,
                login="oliver",
            ),
        ),
    ),
    OrganisationSpec(
        name=MODRZEW,
        country="PL",
        language="pl",
        notes="Small accounting office; one server (accounting database, file shares, backup).",
        contacts=(
            ContactSpec("Ewa Kaczmarczyk", "ewa.kaczmarczyk@modrzew.example", "pl", ("22 555 01 01",), login="ewa"),
            ContactSpec("Marek Zawadka", "marek.zawadka@modrzew.example", "pl", ("601 555 012",), is_system_admin=True),
        ),
        access_notes=(AccessNoteSpec("Server console", "iDRAC at https://srv01-mgmt.modrzew.example, user serwis."),),
    ),
    OrganisationSpec(
        name=KASTANIENHOF,
        country="DE",
        language="de",
        notes="Structural engineers, twelve CAD seats with a licence server; we also maintain their "
        "bill-of-materials export plugin.",
        contacts=(
            ContactSpec(
                "Katrin Lindemeier", "k.lindemeier@kastanienhof.example", "de", ("030 23125 010",), login="katrin"
            ),
            ContactSpec(
                "Uwe Brandhorst",
                "u.brandhorst@kastanienhof.example",
                "de",
                ("030 23125 020", "0151 55501234"),
                is_system_admin=True,
            ),
        ),
        access_notes=(
            AccessNoteSpec(
                "Hypervisor and licence server",
                "Hypervisor console https://hv01.kastanienhof.example, user td-remote.\n"
                "Licence server VM: lic01, service 'CAD License Manager'.",
            ),
        ),
    ),
)
