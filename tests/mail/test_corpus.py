"""The e-mail corpus (tests/mail/corpus/) is reproducible, complete, and says true things about its
messages. These tests check the corpus itself with the stdlib parser; the ingest pipeline's
acceptance tests use the same files and expected.json. No database needed."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.mail.build_corpus import (
    CORPUS_DIR,
    EXPECTED_NAME,
    LARGE_ATTACHMENT_SIZE,
    LARGE_NAME,
    MARKER_SUFFIX,
    corpus_message_bytes,
    load_expected,
    read_tnef,
    sha256,
    write,
)

EXPECTED = load_expected()
ENTRIES: list[dict[str, Any]] = EXPECTED["messages"]
FIXTURE: dict[str, Any] = EXPECTED["fixture"]
OUTCOMES = {"new_ticket", "comment", "quarantine", "bounce", "ignored_auto_reply", "phishing_report", "duplicate"}
NOT_CORPUS = {".gitattributes", ".gitignore", LARGE_NAME}
WELL_FORMED = [entry for entry in ENTRIES if not entry.get("malformed")]
MALFORMED = [entry for entry in ENTRIES if entry.get("malformed")]


def _ids(entries: list[dict[str, Any]]) -> list[str]:
    return [entry["file"] for entry in entries]


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def leaves(part: EmailMessage) -> Iterator[EmailMessage]:
    """Leaf parts in MIME order, without descending into message/* parts (unlike walk())."""
    if part.get_content_maintype() == "multipart":
        for child in part.iter_parts():
            assert isinstance(child, EmailMessage)
            yield from leaves(child)
    else:
        yield part


def is_body_text(part: EmailMessage) -> bool:
    return (
        part.get_content_type() in {"text/plain", "text/html"}
        and part.get_filename() is None
        and part.get_content_disposition() != "attachment"
    )


class _HtmlText(HTMLParser):
    """A plain HTML-to-text conversion, enough to check the corpus: drops script/style/head."""

    BLOCKS = frozenset({"p", "div", "br", "tr", "h1", "h2", "li", "blockquote"})
    HIDDEN = frozenset({"script", "style", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden -= 1
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.out.append(data)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    return re.sub(r"[ \t]+", " ", "".join(parser.out))


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append({"text": "".join(self._text).strip(), "target": self._href})
            self._href = None


def picked_text(message: EmailMessage, source: str | None) -> tuple[str, str]:
    """(picked text, raw decoded content of the part it came from)."""
    bodies = [part for part in leaves(message) if is_body_text(part)]
    if source is None:
        assert bodies == [] or all(not part.get_content().strip() for part in bodies)
        return "", ""
    plain = [part for part in bodies if part.get_content_type() == "text/plain"]
    # The corpus' own rule (the pipeline's too): text/plain when there is one, else text/html.
    expected_source = "text/plain" if plain else "text/html"
    assert source == expected_source
    part = next(part for part in bodies if part.get_content_type() == source)
    content = part.get_content()
    return (content if source == "text/plain" else html_to_text(content)), content


def normalised_message_id(message: EmailMessage) -> str | None:
    value = message.get("Message-ID")
    if value is None:
        return None
    return re.sub(r"\s+", "", str(value)).strip("<>")


def sender_name(message: EmailMessage) -> str:
    address = message["From"].addresses[0]
    if address.display_name:
        return str(address.display_name)
    # Old-style "addr (Name)", as Postfix writes for MAILER-DAEMON.
    raw_from = next(value for name, value in message.raw_items() if name.lower() == "from")
    comment = re.search(r"\(([^)]*)\)\s*$", str(raw_from))
    return comment.group(1) if comment else ""


def decoded_bytes(part: EmailMessage) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload(0)
        assert isinstance(inner, EmailMessage)
        return inner.as_bytes(policy=email.policy.SMTP)
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload


def organisation_for(address: str) -> str | None:
    domain = address.rsplit("@", 1)[1].lower()
    for organisation in FIXTURE["organisations"]:
        if domain in organisation["domains"]:
            return str(organisation["name"])
    return None


def ticket(number: int) -> dict[str, Any]:
    return next(t for t in FIXTURE["tickets"] if t["number"] == number)


def thread_ids(message: EmailMessage) -> set[str]:
    found: set[str] = set()
    for header in ("In-Reply-To", "References"):
        found.update(re.findall(r"<([^>]+)>", str(message.get(header, ""))))
    return found


# --- (a) reproducible ------------------------------------------------------------------------------


def test_builder_reproduces_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    write(tmp_path)
    built = sorted(path.name for path in tmp_path.iterdir())
    committed = sorted(path.name for path in CORPUS_DIR.iterdir() if path.name not in NOT_CORPUS)
    assert built == committed
    for name in built:
        assert (tmp_path / name).read_bytes() == (CORPUS_DIR / name).read_bytes(), name


def test_the_large_message_expands_to_what_its_marker_records() -> None:
    raw = corpus_message_bytes(LARGE_NAME)  # checks size and sha256 against the marker itself
    assert len(raw) > LARGE_ATTACHMENT_SIZE
    assert not (CORPUS_DIR / LARGE_NAME).exists() or (CORPUS_DIR / LARGE_NAME).read_bytes() == raw


def test_committed_corpus_stays_small() -> None:
    total = sum(path.stat().st_size for path in CORPUS_DIR.iterdir() if path.name != LARGE_NAME)
    assert total < 1_000_000


# --- (b) complete ----------------------------------------------------------------------------------


def test_every_listed_file_exists_and_every_file_is_listed() -> None:
    listed = [entry["file"] for entry in ENTRIES]
    assert len(listed) == len(set(listed))
    assert listed == sorted(listed), "files are fed in list order; keep it the file name order"
    on_disk = set()
    for path in CORPUS_DIR.iterdir():
        if path.name in NOT_CORPUS or path.name == EXPECTED_NAME:
            continue
        on_disk.add(path.name.removesuffix(MARKER_SUFFIX))
    assert on_disk == set(listed)
    for entry in ENTRIES:
        stored = entry["marker"] if entry.get("generated") else entry["file"]
        assert (CORPUS_DIR / stored).is_file(), stored


def test_corpus_is_large_enough_and_covers_every_outcome() -> None:
    assert len(ENTRIES) >= 40
    assert {entry["outcome"] for entry in ENTRIES} == OUTCOMES
    keys = {
        "file",
        "description",
        "message_id",
        "outcome",
        "ticket_number",
        "subject",
        "from_address",
        "from_name",
        "text_contains",
        "text_excludes",
        "attachments",
        "notes",
    }
    for entry in ENTRIES:
        assert keys <= entry.keys(), entry["file"]
        assert (entry["ticket_number"] is not None) == (
            entry["outcome"] in {"comment", "bounce"} or entry["outcome"] == "ignored_auto_reply"
        ), entry["file"]


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_messages_are_on_the_wire_with_crlf_line_ends(entry: dict[str, Any]) -> None:
    raw = corpus_message_bytes(entry["file"])
    without_crlf = raw.replace(b"\r\n", b"")
    assert b"\n" not in without_crlf
    assert b"\r" not in without_crlf
    assert raw.endswith(b"\r\n")


# --- (c) the expectations are true of the messages -------------------------------------------------


@pytest.mark.parametrize("entry", WELL_FORMED, ids=_ids(WELL_FORMED))
def test_headers_decode_to_the_expected_values(entry: dict[str, Any]) -> None:
    message = parse(corpus_message_bytes(entry["file"]))
    assert [part.defects for part in message.walk() if part.defects] == []
    assert str(message.get("Subject", "")) == entry["subject"]
    assert message["From"].addresses[0].addr_spec == entry["from_address"]
    assert sender_name(message) == entry["from_name"]
    assert normalised_message_id(message) == entry["message_id"]
    assert organisation_for(entry["from_address"]) == entry["organisation"]


@pytest.mark.parametrize("entry", WELL_FORMED, ids=_ids(WELL_FORMED))
def test_picked_text_contains_the_expected_text(entry: dict[str, Any]) -> None:
    message = parse(corpus_message_bytes(entry["file"]))
    text, raw_content = picked_text(message, entry["text_source"])
    for fragment in entry["text_contains"]:
        assert fragment in text, fragment
    # What must be stripped is really there to strip, so a pipeline that strips nothing fails.
    for fragment in entry["text_excludes"]:
        assert fragment in raw_content, fragment


@pytest.mark.parametrize("entry", WELL_FORMED, ids=_ids(WELL_FORMED))
def test_attachments_are_as_expected(entry: dict[str, Any]) -> None:
    message = parse(corpus_message_bytes(entry["file"]))
    candidates = [part for part in leaves(message) if not is_body_text(part)]
    direct = [a for a in entry["attachments"] if "extracted_from" not in a]
    listed = direct + entry["dropped_parts"] + entry["refused_attachments"]
    found = [(part.get_filename(), part.get_content_type()) for part in candidates]
    assert sorted(found, key=repr) == sorted(((a["filename"], a["content_type"]) for a in listed), key=repr)
    by_key = {(part.get_filename(), part.get_content_type()): part for part in candidates}
    for expected in direct + entry["refused_attachments"]:
        part = by_key[(expected["filename"], expected["content_type"])]
        data = decoded_bytes(part)
        assert len(data) == expected["size"]
        assert sha256(data) == expected["sha256"]
        if expected.get("inline"):
            assert part.get_content_disposition() == "inline"
            assert str(part["Content-ID"]).strip("<>") == expected["content_id"]
    for expected in entry["attachments"]:
        if "extracted_from" in expected:
            container = next(part for part in candidates if part.get_filename() == expected["extracted_from"])
            files = dict(read_tnef(decoded_bytes(container))["files"])
            assert len(files[expected["filename"]]) == expected["size"]
            assert sha256(files[expected["filename"]]) == expected["sha256"]


@pytest.mark.parametrize("entry", MALFORMED, ids=_ids(MALFORMED))
def test_malformed_messages_show_defects_but_keep_their_text(entry: dict[str, Any]) -> None:
    raw = corpus_message_bytes(entry["file"])
    message = parse(raw)
    defects = [defect for part in message.walk() for defect in part.defects]
    for part in leaves(message):
        if part.get_content_maintype() != "multipart":
            part.get_payload(decode=True)  # base64 problems are recorded on decoding
            defects.extend(part.defects)
    header_defects = [defect for value in message.values() for defect in getattr(value, "defects", ())]
    assert defects or header_defects
    assert entry["outcome"] == "new_ticket"
    assert entry["raw_attached"]
    assert entry["error_note"]
    assert normalised_message_id(message) == entry["message_id"]
    for fragment in entry["text_contains"]:
        assert fragment.encode("latin-1") in raw or fragment.encode("utf-8") in raw


# --- the expectations agree with the fixture and with each other ----------------------------------


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_threading_expectations_follow_the_rules(entry: dict[str, Any]) -> None:
    message = parse(corpus_message_bytes(entry["file"]))
    ours = {mid for t in FIXTURE["tickets"] for mid in t["sent_message_ids"]}
    referenced = thread_ids(message) & ours
    if entry["outcome"] == "comment":
        number = entry["ticket_number"]
        if referenced:
            assert referenced <= set(ticket(number)["sent_message_ids"])
        else:  # the subject tag alone: only for participants or members of the ticket's organisation
            assert f"[TD#{number}]" in entry["subject"]
            sender = entry["from_address"]
            assert sender in ticket(number)["participants"] or entry["organisation"] == ticket(number)["organisation"]
    elif entry["outcome"] == "bounce":
        returned = next(p for p in leaves(message) if p.get_content_type() == "text/rfc822-headers")
        returned_ids = set(re.findall(r"Message-ID: <([^>]+)>", decoded_bytes(returned).decode("ascii")))
        assert returned_ids
        assert returned_ids <= set(ticket(entry["ticket_number"])["sent_message_ids"])
        status = next(p for p in leaves(message) if p.get_content_type() == "message/delivery-status")
        assert f"Final-Recipient: rfc822; {entry['bounced_recipient']}" in status.as_string()
        assert message["Return-Path"] == "<>"
    elif entry["outcome"] == "new_ticket" and f"[TD#{100042}]" in entry["subject"]:
        assert not referenced
        assert entry["from_address"] not in ticket(100042)["participants"]
        assert entry["organisation"] != ticket(100042)["organisation"]


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_loop_markers_and_notification_agree(entry: dict[str, Any]) -> None:
    message = parse(corpus_message_bytes(entry["file"]))
    auto = str(message.get("Auto-Submitted", "no")).lower() != "no" or "X-Autoreply" in message
    noise = str(message.get("Precedence", "")).lower() in {"bulk", "list", "junk"}
    if auto or noise:
        assert entry["notify_sender"] is False
    if entry["outcome"] == "ignored_auto_reply":
        assert auto


def test_duplicates_point_at_an_earlier_message() -> None:
    seen: dict[str, dict[str, Any]] = {}
    for entry in ENTRIES:
        if entry["outcome"] == "duplicate":
            original = seen[entry["duplicate_of"]]
            if entry["message_id"] is None:
                assert corpus_message_bytes(entry["file"]) == corpus_message_bytes(original["file"])
            else:
                assert entry["message_id"] == original["message_id"]
                assert corpus_message_bytes(entry["file"]) != corpus_message_bytes(original["file"])
        seen[entry["file"]] = entry


@pytest.mark.parametrize(
    "entry", [e for e in ENTRIES if e["outcome"] == "phishing_report"], ids=lambda e: str(e["file"])
)
def test_phishing_reports_carry_the_suspicious_mail(entry: dict[str, Any]) -> None:
    message = parse(corpus_message_bytes(entry["file"]))
    assert message["To"].addresses[0].addr_spec == entry["mailbox"]
    attached = next(part for part in leaves(message) if part.get_filename() == entry["attachments"][0]["filename"])
    inner = parse(decoded_bytes(attached))
    details = entry["phishing"]
    assert inner["From"].addresses[0].addr_spec == details["sender_address"]
    assert inner["From"].addresses[0].domain == details["sender_domain"]
    reply_to = inner.get("Reply-To")
    assert (reply_to.addresses[0].addr_spec if reply_to else None) == details["reply_to"]
    results = re.sub(r"\s+", " ", str(inner["Authentication-Results"]))
    for method, result in details["authentication"].items():
        assert f"{method}={result}" in results
    links = _Links()
    for part in leaves(inner):
        if part.get_content_type() == "text/html" and part.get_filename() is None:
            links.feed(part.get_content())
    assert links.links == details["links"]
    inner_files = [part for part in leaves(inner) if part.get_filename()]
    assert [(p.get_filename(), p.get_content_type(), sha256(decoded_bytes(p))) for p in inner_files] == [
        (a["filename"], a["content_type"], a["sha256"]) for a in details["attachments"]
    ]
    everything = inner.as_string() + "".join(decoded_bytes(p).decode("utf-8") for p in inner_files)
    for domain in details["link_domains"]:
        assert domain in everything
