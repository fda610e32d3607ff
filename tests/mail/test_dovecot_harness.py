"""The Dovecot harness with real IMAP through imaplib: the operations the IMAP poller will rely on
(login, APPEND, UID FETCH, RFC822.SIZE before the body, UIDVALIDITY, STORE, MOVE, COPY + EXPUNGE)."""

from __future__ import annotations

import imaplib
import re
import socket
import ssl
from pathlib import Path

import pytest

from tests.mail.dovecot import (
    HOST,
    Dovecot,
    DovecotUnavailable,
    MailUser,
    append_message,
    logged_in,
    quote_mailbox,
    read_uidvalidity,
    set_uidvalidity,
    start_dovecot,
    status_uidvalidity,
)


def _message(subject: str, body: str = "Hello from the harness.") -> bytes:
    # CRLF line ends and an 8-bit body: what a server stores must come back byte for byte.
    return (
        "From: Ada Example <ada@customer.example>\r\n"
        "To: support@example.test\r\n"
        f"Subject: {subject}\r\n"
        f"Message-ID: <{subject.replace(' ', '-')}@customer.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        f"{body}\r\nGrüße aus Zürich.\r\n"
    ).encode()


def _fetch(imap: imaplib.IMAP4, uid: int, items: str) -> list[tuple[bytes, bytes] | bytes]:
    typ, data = imap.uid("FETCH", str(uid), items)
    assert typ == "OK", data
    return [item for item in data if item is not None]


def _body(imap: imaplib.IMAP4, uid: int) -> bytes:
    data = _fetch(imap, uid, "(BODY.PEEK[])")
    literals = [item[1] for item in data if isinstance(item, tuple)]
    assert len(literals) == 1, data
    return literals[0]


def _uids(imap: imaplib.IMAP4) -> list[int]:
    typ, data = imap.uid("SEARCH", "ALL")
    assert typ == "OK", data
    return [int(uid) for uid in (data[0] or b"").split()]


def _capabilities(imap: imaplib.IMAP4) -> set[str]:
    typ, data = imap.capability()
    assert typ == "OK", data
    return set((data[0] or b"").decode().upper().split())


def _select(imap: imaplib.IMAP4, mailbox: str = "INBOX", *, readonly: bool = False) -> None:
    typ, data = imap.select(quote_mailbox(mailbox), readonly=readonly)
    assert typ == "OK", data


def test_login_accepts_the_password_and_refuses_a_wrong_one(dovecot: Dovecot, imap_user: MailUser) -> None:
    with logged_in(dovecot, imap_user) as imap:
        assert imap.state == "AUTH"

    imap = dovecot.connect()
    try:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            imap.login(imap_user.name, imap_user.password + "x")
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            imap.login("nobody@example.test", imap_user.password)
    finally:
        imap.logout()
    # The right password still works after failures (Dovecot's auth penalty is off, see dovecot.py).
    with logged_in(dovecot, imap_user) as imap:
        assert imap.state == "AUTH"


def test_the_default_users_log_in_with_their_passwords(dovecot: Dovecot) -> None:
    for local_part in ("support", "phishing", "helpdesk"):
        user = dovecot.user(local_part)
        assert user.password == f"{local_part}-secret"
        with logged_in(dovecot, user) as imap:
            assert imap.state == "AUTH"


def test_appended_messages_come_back_byte_identical_by_increasing_uid(dovecot: Dovecot, imap_user: MailUser) -> None:
    first, second = _message("first message"), _message("second message", "Another body.")

    first_uid = append_message(dovecot, imap_user, first)
    second_uid = append_message(dovecot, imap_user, second)

    assert second_uid > first_uid
    with logged_in(dovecot, imap_user) as imap:
        _select(imap, readonly=True)
        assert _uids(imap) == [first_uid, second_uid]
        assert _body(imap, first_uid) == first
        assert _body(imap, second_uid) == second
        # BODY.PEEK leaves \Seen alone: the poller must not mark what it has not stored yet.
        flags = _fetch(imap, first_uid, "(FLAGS)")
        assert b"\\Seen" not in b" ".join(item for item in flags if isinstance(item, bytes))


def test_uidvalidity_is_stable_across_reconnects_and_differs_per_folder(dovecot: Dovecot, imap_user: MailUser) -> None:
    uid = append_message(dovecot, imap_user, _message("kept"))

    before = read_uidvalidity(dovecot, imap_user)
    after = read_uidvalidity(dovecot, imap_user)

    assert before == after > 0
    with logged_in(dovecot, imap_user) as imap:
        _select(imap, readonly=True)
        assert _uids(imap) == [uid]
        typ, data = imap.create(quote_mailbox("Processed"))
        assert typ == "OK", data
        assert status_uidvalidity(imap, "Processed") != before
    # Not across users, though: Dovecot derives it from the clock, so two users created in the same
    # second share a value. The poller must key its state by mailbox and folder, not by UIDVALIDITY.


def test_set_uidvalidity_voids_the_uids_the_poller_knows(dovecot: Dovecot, imap_user: MailUser) -> None:
    raw = _message("survives a rebuild")
    append_message(dovecot, imap_user, raw)
    before = read_uidvalidity(dovecot, imap_user)

    set_uidvalidity(dovecot, imap_user, before + 1000)

    assert read_uidvalidity(dovecot, imap_user) == before + 1000
    with logged_in(dovecot, imap_user) as imap:
        _select(imap, readonly=True)
        [uid] = _uids(imap)
        assert _body(imap, uid) == raw


def test_size_is_known_before_the_body_is_downloaded(dovecot: Dovecot, imap_user: MailUser) -> None:
    raw = _message("sized", "x" * 5000)
    uid = append_message(dovecot, imap_user, raw)

    with logged_in(dovecot, imap_user) as imap:
        _select(imap, readonly=True)
        data = _fetch(imap, uid, "(RFC822.SIZE)")

    assert all(isinstance(item, bytes) for item in data), "no literal, so no body was sent"
    match = re.search(rb"RFC822\.SIZE (\d+)", b" ".join(item for item in data if isinstance(item, bytes)))
    assert match is not None, data
    assert int(match.group(1)) == len(raw)


def test_store_seen_flag_is_kept_for_the_next_session(dovecot: Dovecot, imap_user: MailUser) -> None:
    seen_uid = append_message(dovecot, imap_user, _message("to be seen"))
    unseen_uid = append_message(dovecot, imap_user, _message("left alone"))

    with logged_in(dovecot, imap_user) as imap:
        _select(imap)
        typ, data = imap.uid("STORE", str(seen_uid), "+FLAGS.SILENT", "(\\Seen)")
        assert typ == "OK", data

    with logged_in(dovecot, imap_user) as imap:
        _select(imap, readonly=True)
        typ, data = imap.uid("SEARCH", "SEEN")
        assert typ == "OK", data
        assert [int(uid) for uid in (data[0] or b"").split()] == [seen_uid]
        typ, data = imap.uid("SEARCH", "UNSEEN")
        assert [int(uid) for uid in (data[0] or b"").split()] == [unseen_uid]


def test_uid_move_into_a_created_folder(dovecot: Dovecot, imap_user: MailUser) -> None:
    raw = _message("to be moved")
    moved_uid = append_message(dovecot, imap_user, raw)
    staying_uid = append_message(dovecot, imap_user, _message("staying"))

    with logged_in(dovecot, imap_user) as imap:
        # imaplib keeps the greeting's capabilities; the logged-in ones (MOVE, UIDPLUS) need asking.
        assert {"MOVE", "UIDPLUS"} <= _capabilities(imap)
        typ, data = imap.create(quote_mailbox("Tierdesk Processed"))
        assert typ == "OK", data
        _select(imap)
        typ, data = imap.uid("MOVE", str(moved_uid), quote_mailbox("Tierdesk Processed"))
        assert typ == "OK", data
        assert _uids(imap) == [staying_uid]
        _select(imap, "Tierdesk Processed", readonly=True)
        [new_uid] = _uids(imap)
        assert _body(imap, new_uid) == raw


def test_uid_copy_then_expunge_removes_only_that_message(dovecot: Dovecot, imap_user: MailUser) -> None:
    raw = _message("copied away")
    copied_uid = append_message(dovecot, imap_user, raw)
    staying_uid = append_message(dovecot, imap_user, _message("staying"))

    with logged_in(dovecot, imap_user) as imap:
        typ, data = imap.create(quote_mailbox("Archive"))
        assert typ == "OK", data
        _select(imap)
        typ, data = imap.uid("COPY", str(copied_uid), quote_mailbox("Archive"))
        assert typ == "OK", data
        # Both are marked deleted; UID EXPUNGE (UIDPLUS) removes only the one named, unlike EXPUNGE.
        typ, data = imap.uid("STORE", f"{copied_uid},{staying_uid}", "+FLAGS.SILENT", "(\\Deleted)")
        assert typ == "OK", data
        typ, data = imap.uid("EXPUNGE", str(copied_uid))
        assert typ == "OK", data
        assert _uids(imap) == [staying_uid]
        _select(imap, "Archive", readonly=True)
        [archived_uid] = _uids(imap)
        assert _body(imap, archived_uid) == raw


def test_imaps_serves_the_test_certificate(dovecot_imaps: Dovecot) -> None:
    user = dovecot_imaps.add_user()
    assert dovecot_imaps.imaps_port is not None

    with logged_in(dovecot_imaps, user, tls=True) as imap:
        assert isinstance(imap.sock, ssl.SSLSocket)
        assert imap.sock.version() in {"TLSv1.2", "TLSv1.3"}
        typ, _data = imap.select("INBOX")
        assert typ == "OK"
    # Verification is real: a client that does not trust the test certificate refuses it.
    with pytest.raises(ssl.SSLCertVerificationError):
        imaplib.IMAP4_SSL(HOST, dovecot_imaps.imaps_port, ssl_context=ssl.create_default_context(), timeout=5)
    # The plain port offers STARTTLS with the same certificate.
    imap = dovecot_imaps.connect()
    try:
        imap.starttls(ssl_context=dovecot_imaps.ssl_context())
        imap.login(user.name, user.password)
        assert imap.state == "AUTH"
    finally:
        imap.logout()


def test_a_missing_binary_means_unavailable_not_an_error(tmp_path: Path) -> None:
    with pytest.raises(DovecotUnavailable, match="is missing"):
        start_dovecot(binary=tmp_path / "no-dovecot")


def test_stop_ends_the_server_and_removes_its_files(dovecot: Dovecot) -> None:
    # Needs the `dovecot` fixture only to skip where Dovecot is missing; it starts its own instance.
    server = start_dovecot(users=())
    assert server.log_path.exists()

    server.stop()

    assert server.process.returncode is not None
    assert not server.root.exists()
    with pytest.raises(ConnectionRefusedError), socket.create_connection((HOST, server.port), timeout=2):
        pass
