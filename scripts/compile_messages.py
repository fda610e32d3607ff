#!/usr/bin/env python3
"""Compile every src/tierdesk/locale/<lang>/LC_MESSAGES/*.po into its .mo, without GNU gettext.

A fresh machine often lacks msgfmt, so this uses polib (pure Python). polib itself is lenient
(it reads an unterminated string by dropping its last character), so the script first checks
every line against the .po grammar, then what msgfmt -c would catch and what breaks at run
time: a charset other than UTF-8 (Django reads catalogs as UTF-8), duplicate entries, and
python-format placeholders in a translation that the original does not have (a KeyError in
production). Fuzzy and untranslated entries are left out, as msgfmt does.

    python scripts/compile_messages.py [--locale-dir DIR]

Exit status: 0 when every catalog compiled, 1 when any catalog is broken (the others are
still compiled; a broken one keeps its old .mo), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import polib

DEFAULT_LOCALE_DIR = Path(__file__).resolve().parent.parent / "src" / "tierdesk" / "locale"
# %(name)s, %s, %d, %%: the python-format specifiers (conversion flags, width, precision).
PERCENT_SPEC = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<type>[diouxXeEfFgGcrsa%])"
)
BRACE_SPEC = re.compile(r"(?<!\{)\{(?P<name>[^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")
# A C string with the escapes msgfmt accepts; a .po line is a keyword and a string, or a string
# that continues the previous one.
PO_STRING = r'"(?:[^"\\]|\\(?:[\\"abfnrtv]|[0-7]{1,3}|x[0-9A-Fa-f]+))*"'
PO_LINE = re.compile(rf"^\s*(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?{PO_STRING}\s*$")


class CatalogError(Exception):
    """A .po file that must not be compiled; the message names the file and the line."""


def _percent_specs(text: str) -> tuple[set[str], int]:
    """Named placeholders and the count of positional ones (%% is not a placeholder)."""
    names: set[str] = set()
    positional = 0
    for match in PERCENT_SPEC.finditer(text):
        if match.group("type") == "%":
            continue
        if match.group("name") is not None:
            names.add(match.group("name"))
        else:
            positional += 1
    return names, positional


def _check_entry(entry: polib.POEntry, path: Path) -> list[str]:
    problems: list[str] = []
    originals = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
    translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
    where = f"{path}:{entry.linenum}"
    if "python-format" in entry.flags:
        allowed = set().union(*(_percent_specs(text)[0] for text in originals))
        positional = max(_percent_specs(text)[1] for text in originals)
        for text in translations:
            if not text:
                continue
            names, count = _percent_specs(text)
            unknown = names - allowed
            if unknown:
                problems.append(f"{where}: the translation uses {sorted(unknown)} that {entry.msgid!r} does not have")
            if count != positional and not entry.msgid_plural:
                problems.append(
                    f"{where}: {positional} positional placeholder(s) in {entry.msgid!r}, {count} in the translation"
                )
    if "python-brace-format" in entry.flags:
        allowed = {m.group("name") for text in originals for m in BRACE_SPEC.finditer(text)}
        for text in translations:
            unknown = {m.group("name") for m in BRACE_SPEC.finditer(text)} - allowed
            if unknown:
                problems.append(f"{where}: the translation uses {sorted(unknown)} that {entry.msgid!r} does not have")
    return problems


def _check_lines(text: str, path: Path) -> list[str]:
    """Lines that are neither blank, nor a comment, nor a keyword with a well-formed string."""
    return [
        f"{path}:{number}: not a valid .po line: {line.strip()[:80]}"
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#") and not PO_LINE.match(line)
    ]


def load_catalog(path: Path) -> polib.POFile:
    """Parse and check one .po file; raise CatalogError with every problem found."""
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot be read as UTF-8: {exc}") from exc
    problems = _check_lines(text, path)
    if problems:
        raise CatalogError("\n".join(problems))
    try:
        catalog = polib.pofile(text, wrapwidth=0)
    except (OSError, ValueError) as exc:
        raise CatalogError(f"{path}: cannot be parsed: {exc}") from exc
    charset = catalog.metadata.get("Content-Type", "").lower().partition("charset=")[2].strip()
    if charset not in {"utf-8", "utf8"}:
        problems.append(f'{path}: the header must say "Content-Type: text/plain; charset=UTF-8"')
    seen: set[tuple[str | None, str]] = set()
    for entry in catalog:
        key = (entry.msgctxt, entry.msgid)
        if entry.obsolete:
            continue
        if key in seen:
            problems.append(f"{path}:{entry.linenum}: {entry.msgid!r} is defined twice")
        seen.add(key)
    for entry in catalog.translated_entries():
        problems.extend(_check_entry(entry, path))
    if problems:
        raise CatalogError("\n".join(problems))
    return catalog


def compile_catalog(path: Path) -> Path:
    """Write `path`'s .mo beside it, atomically, so a running server never reads half a file."""
    catalog = load_catalog(path)
    target = path.with_suffix(".mo")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".mo.tmp")
    os.close(handle)
    try:
        catalog.save_as_mofile(temporary)
        os.chmod(temporary, 0o644)  # mkstemp makes it 0600; the web server may run as another user
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


def find_catalogs(locale_dir: Path) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--locale-dir", type=Path, default=DEFAULT_LOCALE_DIR, help="default: %(default)s")
    args = parser.parse_args(argv)
    locale_dir: Path = args.locale_dir
    if not locale_dir.is_dir():
        sys.stderr.write(f"error: {locale_dir} is not a directory\n")
        return 2
    catalogs = find_catalogs(locale_dir)
    if not catalogs:
        sys.stdout.write(f"no .po files under {locale_dir}; nothing to compile\n")
        return 0
    broken = 0
    for path in catalogs:
        try:
            target = compile_catalog(path)
        except CatalogError as exc:
            broken += 1
            sys.stderr.write(f"error: {exc}\n")
        else:
            sys.stdout.write(f"compiled {target}\n")
    if broken:
        sys.stderr.write(f"{broken} of {len(catalogs)} catalog(s) are broken and were not compiled\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
