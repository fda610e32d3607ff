"""A real IMAP server for tests: Debian's Dovecot, started by the test on a loopback port.

`make test` installs `dovecot-imapd` (target `mailservers`) when it runs as root and apt-get is there;
without the binary every test that asks for these fixtures is skipped with the reason. Nothing of the
system's Dovecot is used: each pytest process (each xdist worker) starts its own
`dovecot -F -c <tmp>/dovecot.conf` with its own `base_dir`, state, log, pid file and a free port on
127.0.0.1, and stops it (SIGTERM, then SIGKILL of its process group) at the end of the session. A
Dovecot the package may have started on 143/993 does not collide with it.

Fixtures (registered for every test through `pytest_plugins` in the root conftest.py):

* `dovecot`: the plain server (`ssl = no`, plaintext LOGIN allowed), session-scoped; it greets within
  about 0.1 s, and stopping takes about 1 s (Dovecot's master waits for its children).
* `imap_user`: a fresh mailbox user on `dovecot` for each test, so every test starts with an empty
  INBOX; this is the cheap reset (one passwd-file per user, seen at the next login). The users
  `support@`, `phishing@` and `helpdesk@example.test` (password `<local part>-secret`) are shared.
* `dovecot_imaps`: a second server with `ssl = yes`: IMAPS on `imaps_port` and STARTTLS on `port`,
  with a self-signed certificate for 127.0.0.1/localhost made by the test (`cryptography`);
  `server.ssl_context()` trusts exactly that certificate.

Helpers: `logged_in(server, user)` (a logged-in `imaplib` client, logged out afterwards),
`append_message(server, user, raw)` (APPEND, returns the UID from APPENDUID),
`read_uidvalidity(server, user)` and `set_uidvalidity(server, user, value)` (through `doveadm`, for the
"UIDVALIDITY changed: rescan" case). Every socket has a timeout (`TIMEOUT`); traffic stays on 127.0.0.1.

`TIERDESK_DOVECOT` points at another binary (`TIERDESK_DOVECOT=/nonexistent` shows the skip).

Dovecot refuses to run its login processes as root and mail processes with UID 0. As root the
instance therefore uses the users of Debian's package (`dovecot` for internal and mail processes,
`dovenull` for logins, login processes chrooted as usual) and makes its temporary directory readable
to them; as any other user everything runs as that user without chroot.

Pitfalls met on the way, which the poller will meet too: imaplib keeps the capabilities of the greeting,
so MOVE and UIDPLUS show only after `imap.capability()` once logged in; Dovecot derives UIDVALIDITY from
the clock, so two users (or two test runs) can share a value: it identifies nothing across mailboxes.
"""

from __future__ import annotations

import contextlib
import datetime
import grp
import imaplib
import ipaddress
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

DOVECOT = Path(os.environ.get("TIERDESK_DOVECOT", "/usr/sbin/dovecot"))
DOVEADM = Path(os.environ.get("TIERDESK_DOVEADM", "/usr/bin/doveadm"))  # used by set_uidvalidity only
HOST = "127.0.0.1"
DOMAIN = "example.test"
TIMEOUT = 10.0  # seconds, for every socket operation and for start-up and shutdown
# Shared users of every instance; tests that need an empty mailbox take `imap_user` instead.
DEFAULT_USERS = ("support", "phishing", "helpdesk")

_APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]")
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")


class DovecotUnavailable(Exception):
    """Dovecot cannot run here (binary or its system users missing): the tests are skipped."""


@dataclass(frozen=True)
class MailUser:
    name: str  # the IMAP login, an address at example.test
    password: str


@dataclass(frozen=True)
class _Identity:
    """Who Dovecot's processes run as."""

    internal_user: str
    internal_group: str
    login_user: str
    mail_uid: int
    mail_gid: int
    chroot: bool  # only root can chroot the login processes


@dataclass
class Dovecot:
    """One running instance; `port` is plain IMAP, `imaps_port` is set when TLS is on."""

    root: Path
    port: int
    imaps_port: int | None
    cafile: Path | None
    process: subprocess.Popen[bytes]
    identity: _Identity
    users: dict[str, MailUser] = field(default_factory=dict)

    @property
    def log_path(self) -> Path:
        return self.root / "dovecot.log"

    def log(self) -> str:
        return _read(self.log_path)

    def add_user(self, local_part: str | None = None, password: str | None = None) -> MailUser:
        """A new user with an empty mailbox; Dovecot sees it at the next login (no restart)."""
        name = f"{local_part or 'box-' + secrets.token_hex(4)}@{DOMAIN}"
        user = MailUser(name=name, password=password or secrets.token_urlsafe(12))
        if name in self.users:
            raise ValueError(f"{name} exists already")
        self.users[name] = user
        home = self.root / "home" / name
        line = f"{name}:{{PLAIN}}{user.password}:{self.identity.mail_uid}:{self.identity.mail_gid}::{home}::\n"
        # One passwd-file per user (the path has %u): Dovecot re-reads a changed passwd-file at most
        # once a second, so a user appended to a shared file could stay unknown for that second.
        users_file = self.root / "users" / name
        users_file.write_text(line)
        users_file.chmod(0o644)  # read by the auth process, which runs as the internal user
        return user

    def user(self, local_part: str) -> MailUser:
        return self.users[f"{local_part}@{DOMAIN}"]

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this instance's certificate only (hostname checked)."""
        if self.cafile is None:
            raise RuntimeError("this Dovecot runs without TLS; use the dovecot_imaps fixture")
        return ssl.create_default_context(cafile=str(self.cafile))

    def connect(self, *, tls: bool = False) -> imaplib.IMAP4:
        """A connected, not yet logged-in client; `tls` uses the IMAPS port."""
        if tls:
            if self.imaps_port is None:
                raise RuntimeError("this Dovecot runs without TLS; use the dovecot_imaps fixture")
            return imaplib.IMAP4_SSL(HOST, self.imaps_port, ssl_context=self.ssl_context(), timeout=TIMEOUT)
        return imaplib.IMAP4(HOST, self.port, timeout=TIMEOUT)

    def stop(self) -> None:
        _stop(self.process)
        shutil.rmtree(self.root, ignore_errors=True)


# --- helpers for tests -------------------------------------------------------------------------------


@contextlib.contextmanager
def logged_in(server: Dovecot, user: MailUser, *, tls: bool = False) -> Iterator[imaplib.IMAP4]:
    imap = server.connect(tls=tls)
    try:
        imap.login(user.name, user.password)
        yield imap
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            imap.logout()


def quote_mailbox(name: str) -> str:
    """imaplib sends mailbox names as they are; quote them so names with spaces survive."""
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def append_message(server: Dovecot, user: MailUser, raw: bytes, *, mailbox: str = "INBOX", flags: str = "") -> int:
    """APPEND `raw` (bytes as they are, CRLF line ends expected) and return its UID (UIDPLUS)."""
    with logged_in(server, user) as imap:
        typ, data = imap.append(quote_mailbox(mailbox), flags or None, None, raw)
    match = _APPENDUID.search(b" ".join(item for item in data if isinstance(item, bytes)))
    if typ != "OK" or match is None:
        raise AssertionError(f"APPEND failed: {typ} {data!r}")
    return int(match.group(2))


def read_uidvalidity(server: Dovecot, user: MailUser, *, mailbox: str = "INBOX") -> int:
    with logged_in(server, user) as imap:
        return status_uidvalidity(imap, mailbox)


def set_uidvalidity(server: Dovecot, user: MailUser, value: int, *, mailbox: str = "INBOX") -> None:
    """Give a mailbox a new UIDVALIDITY, as a server does after a rebuild: every UID is void then."""
    command = [str(DOVEADM), "-c", str(server.root / "dovecot.conf"), "mailbox", "update", "-u", user.name]
    subprocess.run([*command, "--uid-validity", str(value), mailbox], check=True, capture_output=True, timeout=TIMEOUT)


def status_uidvalidity(imap: imaplib.IMAP4, mailbox: str = "INBOX") -> int:
    typ, data = imap.status(quote_mailbox(mailbox), "(UIDVALIDITY)")
    match = _UIDVALIDITY.search(b" ".join(item for item in data if isinstance(item, bytes)))
    if typ != "OK" or match is None:
        raise AssertionError(f"STATUS failed: {typ} {data!r}")
    return int(match.group(1))


# --- starting and stopping ---------------------------------------------------------------------------


def _identity() -> _Identity:
    if os.getuid() != 0:
        me = pwd.getpwuid(os.getuid())
        group = grp.getgrgid(me.pw_gid).gr_name
        return _Identity(me.pw_name, group, me.pw_name, me.pw_uid, me.pw_gid, chroot=False)
    try:
        internal = pwd.getpwnam("dovecot")
        pwd.getpwnam("dovenull")
    except KeyError as missing:
        raise DovecotUnavailable(f"Debian's dovecot users are missing ({missing}); reinstall dovecot-core") from None
    return _Identity("dovecot", "dovecot", "dovenull", internal.pw_uid, internal.pw_gid, chroot=True)


def _free_port() -> int:
    # A short race remains between closing and Dovecot binding; `start_dovecot` retries on it.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _config(root: Path, port: int, imaps_port: int | None, identity: _Identity) -> str:
    tls = (
        f"ssl = yes\nssl_cert = <{root / 'cert.pem'}\nssl_key = <{root / 'key.pem'}\nssl_min_protocol = TLSv1.2\n"
        if imaps_port is not None
        else "ssl = no\n"
    )
    login_chroot = "" if identity.chroot else "  chroot =\n"
    return f"""# Written by tests/mail/dovecot.py for one test session; nothing from /etc/dovecot is read.
instance_name = {root.name}
base_dir = {root / "run"}
state_dir = {root / "state"}
log_path = {root / "dovecot.log"}
protocols = imap
listen = {HOST}
shutdown_clients = yes
{tls}# Loopback tests log in with LOGIN over the plain port.
disable_plaintext_auth = no
auth_mechanisms = plain login
# A wrong password is answered within half a second, not after the default 2 s.
auth_failure_delay = 0
default_internal_user = {identity.internal_user}
default_internal_group = {identity.internal_group}
default_login_user = {identity.login_user}
first_valid_uid = {identity.mail_uid}
first_valid_gid = {identity.mail_gid}
mail_location = maildir:~/Maildir
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root / "users"}/%u
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root / "users"}/%u
}}
service imap-login {{
{login_chroot}  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {imaps_port or 0}
  }}
}}
service anvil {{
{login_chroot}  # No auth penalty: after a failed login anvil would delay every next login from
  # 127.0.0.1 by 2 to 15 s. Without this socket Dovecot skips the penalty.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


def _write_certificate(root: Path) -> Path:
    """A self-signed EC certificate for 127.0.0.1 and localhost, valid for a day."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tierdesk test IMAP")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = root / "cert.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path = root / "key.pem"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)  # read by Dovecot's config process, which runs as the starting user
    return cert_path


def _greets(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1.0) as probe:
            return probe.recv(256).startswith(b"* OK")
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # the master stops its children (shutdown_clients)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=TIMEOUT)
    # Children left behind by a master that died hold the listening sockets: end the whole group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait(timeout=TIMEOUT)


def _launch(
    root: Path, identity: _Identity, *, binary: Path, tls: bool
) -> tuple[subprocess.Popen[bytes], int, int | None]:
    port = _free_port()
    imaps_port = _free_port() if tls else None
    config = root / "dovecot.conf"
    config.write_text(_config(root, port, imaps_port, identity))
    with (root / "stderr.log").open("ab") as stderr:
        process = subprocess.Popen(
            [str(binary), "-F", "-c", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,  # own process group, so teardown can end every child
        )
    return process, port, imaps_port


def start_dovecot(*, binary: Path = DOVECOT, tls: bool = False, users: tuple[str, ...] = DEFAULT_USERS) -> Dovecot:
    """Start an instance and return once its IMAP port greets; `stop()` ends it and removes its files."""
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        raise DovecotUnavailable(f"{binary} is missing (make test installs Debian's dovecot-imapd when run as root)")
    identity = _identity()
    root = Path(tempfile.mkdtemp(prefix="tierdesk-dovecot-"))
    try:
        return _start_in(root, identity, binary=binary, tls=tls, users=users)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def _start_in(root: Path, identity: _Identity, *, binary: Path, tls: bool, users: tuple[str, ...]) -> Dovecot:
    # pytest's tmp_path lies under a 0700 directory; Dovecot's unprivileged processes must reach this one.
    root.chmod(0o755)
    (root / "home").mkdir()
    if os.getuid() == 0:
        os.chown(root / "home", identity.mail_uid, identity.mail_gid)
    (root / "users").mkdir()
    cafile = _write_certificate(root) if tls else None
    for attempt in range(3):
        process, port, imaps_port = _launch(root, identity, binary=binary, tls=tls)
        deadline = time.monotonic() + TIMEOUT
        while process.poll() is None and time.monotonic() < deadline:
            if _greets(port):
                server = Dovecot(root, port, imaps_port, cafile, process, identity)
                for local_part in users:
                    server.add_user(local_part, f"{local_part}-secret")
                return server
            time.sleep(0.02)
        _stop(process)
        output = _read(root / "stderr.log") + _read(root / "dovecot.log")
        if "Address already in use" in output and attempt < 2:
            (root / "stderr.log").unlink(missing_ok=True)
            (root / "dovecot.log").unlink(missing_ok=True)
            continue  # another process took the free port between probe and bind
        raise RuntimeError(f"Dovecot did not greet on {HOST}:{port} within {TIMEOUT} s:\n{output}")
    raise AssertionError("unreachable")


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


@contextlib.contextmanager
def running_dovecot(*, tls: bool = False) -> Iterator[Dovecot]:
    try:
        server = start_dovecot(tls=tls)
    except DovecotUnavailable as reason:
        pytest.skip(str(reason))
    try:
        yield server
    finally:
        server.stop()


# --- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


@pytest.fixture(scope="session")
def dovecot_imaps() -> Iterator[Dovecot]:
    with running_dovecot(tls=True) as server:
        yield server


@pytest.fixture
def imap_user(dovecot: Dovecot) -> MailUser:
    return dovecot.add_user()
