"""The UI speaks en, nl, nb, pl and de: every catalog is complete and actually used."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from tierdesk.accounts.services import user_set_language

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ["nl", "nb", "pl", "de"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete(language):
    catalog = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert [entry.msgid for entry in catalog.untranslated_entries()] == []
    assert [entry.msgid for entry in catalog.fuzzy_entries()] == []
    assert catalog.metadata["Language"] == language


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="makemessages needs GNU gettext's xgettext")
def test_catalogs_hold_every_string_of_the_source(tmp_path):
    # given a fresh extraction of the source into a copy of the catalogs
    copy = tmp_path / "tierdesk"
    shutil.copytree(LOCALE.parent, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__", "static"))
    subprocess.run(
        [Path(sys.executable).parent / "django-admin", "makemessages", "-l", "nl", "--ignore=*/tests/*"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    # then it finds no string the committed Dutch catalog lacks
    fresh = {entry.msgid for entry in polib.pofile(str(copy / "locale" / "nl" / "LC_MESSAGES" / "django.po"))}
    committed = {entry.msgid for entry in polib.pofile(str(LOCALE / "nl" / "LC_MESSAGES" / "django.po"))}
    assert sorted(fresh - committed) == [], "run scripts/make_messages.sh and translate the new strings"


@pytest.mark.parametrize(
    ("language", "word"),
    [("en", "Sign out"), ("nl", "Uitloggen"), ("nb", "Logg ut"), ("pl", "Wyloguj"), ("de", "Abmelden")],
)
def test_the_desk_speaks_the_users_language(client, personas, language, word):
    # given an agent who chose a language
    user_set_language(user=personas.agent_l1, language=language)
    client.force_login(personas.agent_l1)
    # when they open the board
    html = client.get("/desk/").content.decode()
    # then it is in their language
    assert word in html
    assert f'lang="{language}"' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_statuses_are_translated(language):
    with translation.override(language):
        assert str(translation.gettext("Resolved")) != "Resolved"
