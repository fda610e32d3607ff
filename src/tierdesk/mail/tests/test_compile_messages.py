"""scripts/compile_messages.py (the i18n tooling that ships with the mail templates): run as a
command, as CI and `make demo` run it, on catalogs written to a temporary locale directory."""

from __future__ import annotations

import gettext
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import override_settings

from tierdesk.accounts.tests.factories import ContactFactory
from tierdesk.tickets.services import ticket_take
from tierdesk.tickets.tests.factories import make_ticket

pytest.importorskip("polib", reason="polib is a dev dependency")

SCRIPT = Path(__file__).resolve().parents[4] / "scripts" / "compile_messages.py"
HEADER = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

"""
DUTCH = (
    HEADER
    + """msgid "New"
msgstr "Nieuw"

msgid "Open"
msgstr "In behandeling"

#, python-format
msgid "The status of your ticket %(reference)s has changed from \\"%(old_status)s\\" to \\"%(new_status)s\\"."
msgstr "De status van uw ticket %(reference)s is gewijzigd van \\"%(old_status)s\\" naar \\"%(new_status)s\\"."

#, python-format
msgid "%(count)s ticket"
msgid_plural "%(count)s tickets"
msgstr[0] "%(count)s melding"
msgstr[1] "%(count)s meldingen"

msgctxt "verb"
msgid "Close"
msgstr "Sluiten"

#, fuzzy
msgid "Waiting"
msgstr "Wachtend"
"""
)


def write_catalog(locale_dir: Path, language: str, text: str) -> Path:
    path = locale_dir / language / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60, check=False)


def test_valid_catalogs_compile_into_mo_files_that_gettext_reads(tmp_path):
    # given a Dutch and a German catalog
    nl = write_catalog(tmp_path, "nl", DUTCH)
    de = write_catalog(tmp_path, "de", HEADER + 'msgid "Open"\nmsgstr "Offen"\n')

    # when the script compiles the directory
    result = run_script("--locale-dir", str(tmp_path))

    # then both .mo files exist and translate, plurals and contexts included, fuzzy entries left out
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"compiled {de.with_suffix('.mo')}", f"compiled {nl.with_suffix('.mo')}"]
    with nl.with_suffix(".mo").open("rb") as handle:
        dutch = gettext.GNUTranslations(handle)
    assert dutch.gettext("New") == "Nieuw"
    assert dutch.ngettext("%(count)s ticket", "%(count)s tickets", 3) == "%(count)s meldingen"
    assert dutch.ngettext("%(count)s ticket", "%(count)s tickets", 1) == "%(count)s melding"
    assert dutch.pgettext("verb", "Close") == "Sluiten"
    assert dutch.gettext("Waiting") == "Waiting"
    with de.with_suffix(".mo").open("rb") as handle:
        assert gettext.GNUTranslations(handle).gettext("Open") == "Offen"


def test_a_syntax_error_fails_with_the_file_named_and_the_good_catalogs_still_compile(tmp_path):
    # given a broken Polish catalog beside a good Dutch one
    pl = write_catalog(tmp_path, "pl", HEADER + 'msgid "Open"\nmsgstr "Otwarte\n')
    nl = write_catalog(tmp_path, "nl", DUTCH)

    # when the script runs
    result = run_script("--locale-dir", str(tmp_path))

    # then it fails, names the broken file, writes no .mo for it, and still compiles the good one
    assert result.returncode == 1
    assert f'error: {pl}:7: not a valid .po line: msgstr "Otwarte' in result.stderr
    assert "1 of 2 catalog(s) are broken and were not compiled" in result.stderr
    assert not pl.with_suffix(".mo").exists()
    assert nl.with_suffix(".mo").exists()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('msgstr "Otwarte"\n', ": cannot be parsed: Syntax error in po file (line 6)"),
        ('msgid "Open"\nmsgstr "a"\n\nmsgid "Open"\nmsgstr "b"\n', ":9: 'Open' is defined twice"),
        ('msgid "Open"\nmsgstr "a\\q"\n', ':7: not a valid .po line: msgstr "a\\q"'),
    ],
    ids=["msgstr-without-msgid", "duplicate", "unknown-escape"],
)
def test_malformed_catalogs_are_refused(tmp_path, body, problem):
    # given a catalog that msgfmt would refuse
    pl = write_catalog(tmp_path, "pl", HEADER + body)

    # when the script runs, then it fails and names the file and the problem
    result = run_script("--locale-dir", str(tmp_path))
    assert result.returncode == 1
    assert f"error: {pl}{problem}" in result.stderr
    assert not pl.with_suffix(".mo").exists()


def test_a_placeholder_the_original_lacks_is_an_error(tmp_path):
    # given a translation that uses a placeholder the original does not pass (a KeyError at run time)
    pl = write_catalog(
        tmp_path,
        "pl",
        HEADER + '#, python-format\nmsgid "Ticket %(reference)s"\nmsgstr "Zgłoszenie %(number)s"\n',
    )

    # when the script runs, then it refuses the catalog and says which entry is wrong
    result = run_script("--locale-dir", str(tmp_path))
    assert result.returncode == 1
    assert f"{pl}:" in result.stderr
    assert "the translation uses ['number'] that 'Ticket %(reference)s' does not have" in result.stderr
    assert not pl.with_suffix(".mo").exists()


def test_a_catalog_without_a_charset_is_an_error(tmp_path):
    # given a catalog whose header does not declare its charset (gettext would read it as ASCII)
    write_catalog(tmp_path, "nb", 'msgid ""\nmsgstr ""\n\nmsgid "Open"\nmsgstr "Åpen"\n')

    # when the script runs, then it fails and says what is missing
    result = run_script("--locale-dir", str(tmp_path))
    assert result.returncode == 1
    assert 'the header must say "Content-Type: text/plain; charset=UTF-8"' in result.stderr


def test_an_empty_locale_directory_is_not_an_error(tmp_path):
    result = run_script("--locale-dir", str(tmp_path))
    assert result.returncode == 0
    assert result.stdout == f"no .po files under {tmp_path}; nothing to compile\n"


def test_a_missing_locale_directory_is_a_usage_error(tmp_path):
    result = run_script("--locale-dir", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert result.stderr == f"error: {tmp_path / 'missing'} is not a directory\n"


def test_a_compiled_catalog_translates_the_customer_mail(tmp_path, personas, django_capture_on_commit_callbacks):
    # given a compiled Dutch catalog and a Dutch requester
    write_catalog(tmp_path, "nl", DUTCH)
    assert run_script("--locale-dir", str(tmp_path)).returncode == 0
    contact = ContactFactory(organisation=personas.org_a, name="Eva Bakker", email="eva@harbour.example", language="nl")

    with override_settings(LOCALE_PATHS=[tmp_path]):
        with django_capture_on_commit_callbacks(execute=True):
            ticket = make_ticket(by=personas.agent_l1, requester=contact)
        mail.outbox.clear()

        # when an agent takes the ticket
        with django_capture_on_commit_callbacks(execute=True):
            ticket_take(ticket=ticket, by=personas.agent_l1)

    # then the mail speaks Dutch, status labels included
    assert len(mail.outbox) == 1
    assert (
        f'De status van uw ticket TD#{ticket.number} is gewijzigd van "Nieuw" naar "In behandeling".'
        in mail.outbox[0].body
    )
