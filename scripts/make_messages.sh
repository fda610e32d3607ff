#!/bin/sh
# Extract every translatable string of the tierdesk package into
# src/tierdesk/locale/<lang>/LC_MESSAGES/django.po (merging with what is translated already).
# Needs GNU gettext's xgettext/msgmerge (Debian: apt-get install gettext); compiling the
# catalogs afterwards does not: python scripts/compile_messages.py
# Extra arguments go to makemessages, e.g. scripts/make_messages.sh --no-obsolete
set -eu
repo="$(cd "$(dirname "$0")/.." && pwd)"
django_admin="${DJANGO_ADMIN:-}"
if [ -z "$django_admin" ]; then
    if [ -x "$repo/.venv/bin/django-admin" ]; then
        django_admin="$repo/.venv/bin/django-admin"
    else
        django_admin="django-admin"
    fi
fi
cd "$repo/src/tierdesk"
# makemessages writes into ./locale only when the directory exists.
mkdir -p locale
# Tests are left out: their strings are fixtures, not user interface.
exec "$django_admin" makemessages -l nl -l nb -l pl -l de --ignore=.venv --ignore="*/tests/*" --ignore=tests "$@"
