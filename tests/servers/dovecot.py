"""A real Dovecot IMAP server for tests, in a temporary directory on a free loopback port.

The fixture writes a minimal configuration (a static passdb: every user name logs in with
:data:`PASSWORD`, Maildir storage per user owned by the ``dovecot`` system user because mail may
not be delivered as uid 0, no TLS on loopback) and runs ``dovecot -F -c CONF`` in the foreground.

Starting a server costs about a second, so the suite runs one per session and gives each test a
mailbox user of its own (:meth:`Dovecot.account`): users never see each other's mail. A test that
stops, restarts or rebuilds the server (an outage) asks for a private one instead
(``@pytest.mark.own_dovecot``); an account of the shared server refuses to do that.
"""

from __future__ import annotations

import copy
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Self

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

USER = "support@caplus.org.uk"
PASSWORD = "s3cret-imap"

_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl_settings}
disable_plaintext_auth = no
auth_mechanisms = plain login{oauth_mechanisms}
default_login_user = dovecot
default_internal_user = dovecot
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
mail_fsync = never
{oauth_passdb}passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
protocol imap {{
  imap_idle_notify_interval = 2 mins
}}
"""


def dovecot_available() -> str | None:
    """Why Dovecot cannot run here, or None when it can."""
    if shutil.which("dovecot") is None:
        return "dovecot is not installed (apt-get install -y dovecot-imapd)"
    try:
        pwd.getpwnam("dovecot")
    except KeyError:
        return "the dovecot system user does not exist"
    if os.geteuid() != 0:
        return "dovecot must be started as root to switch to the mail user"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dovecot:
    """One Dovecot instance; its helpers log in as :attr:`user` (:data:`USER`, or an account's)."""

    def __init__(self, root: Path | None = None, *, oauth_tokeninfo_url: str | None = None,
                 tls: bool = False) -> None:
        """Args:
            root: where config, passwords and mail live. None: a new folder directly under the
                system temp dir, removed by :meth:`close`. (Not under pytest's tmp_path: pytest
                resets ``/tmp/pytest-of-<user>`` to 0700 whenever another session starts, and
                Dovecot's unprivileged processes must reach their files.)
            oauth_tokeninfo_url: also accept XOAUTH2/OAUTHBEARER, validating bearer tokens
                against that tokeninfo endpoint (the test serves it), as Gmail does.
            tls: also listen for implicit TLS on :attr:`tls_port` with a self-signed
                certificate for 127.0.0.1, saved as :attr:`cert_file`.
        """
        self._owns_root = root is None
        if root is None:
            root = Path(tempfile.mkdtemp(prefix="privacy-triage-dovecot-"))
        self.root = root
        self.tls = tls
        self.tls_port = free_port() if tls else 0
        self.cert_file = root / "cert.pem"
        self.oauth_tokeninfo_url = oauth_tokeninfo_url
        self.port = free_port()
        self.host = "127.0.0.1"
        self.user = USER
        self.password = PASSWORD
        self._process: subprocess.Popen[bytes] | None = None
        #: An account of a server other tests use too: it may not stop or rebuild the server.
        self._shared = False
        entry = pwd.getpwnam("dovecot")
        self._uid, self._gid = entry.pw_uid, entry.pw_gid
        self._write_config()

    def _write_config(self) -> None:
        root = self.root
        for sub in ("run", "state", "mail"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        # mkdtemp makes 0700 folders; the auth and mail processes run as dovecot.
        for path in (root, *root.parents):
            if path == Path("/tmp") or path == Path("/"):
                break
            path.chmod(0o755)
        os.chown(root / "mail", self._uid, self._gid)
        oauth_passdb = oauth_mechanisms = ""
        if self.oauth_tokeninfo_url:
            oauth_conf = root / "oauth2.conf.ext"
            oauth_conf.write_text(f"tokeninfo_url = {self.oauth_tokeninfo_url}\n"
                                  "username_attribute = email\n")
            oauth_conf.chmod(0o644)
            oauth_mechanisms = " xoauth2 oauthbearer"
            oauth_passdb = ("passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n"
                            f"  args = {oauth_conf}\n}}\n")
        ssl_settings = "ssl = no"
        if self.tls:
            key = root / "key.pem"
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                 "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                 "-keyout", str(key), "-out", str(self.cert_file)],
                check=True, capture_output=True)
            key.chmod(0o600)
            ssl_settings = f"ssl = yes\nssl_cert = <{self.cert_file}\nssl_key = <{key}"
        self.conf = root / "dovecot.conf"
        self.conf.write_text(_CONF.format(root=root, port=self.port, uid=self._uid,
                                          ssl_settings=ssl_settings, tls_port=self.tls_port,
                                          gid=self._gid, oauth_passdb=oauth_passdb,
                                          password=PASSWORD,
                                          oauth_mechanisms=oauth_mechanisms))

    def account(self, user: str) -> Dovecot:
        """This running server seen as mailbox ``user`` (created at its first login).

        The account has the server's address and every mail helper, logged in as ``user``;
        it shares the process, so :meth:`start`, :meth:`stop` and :meth:`recreate_folder`
        refuse (they would cut off every other test's mailbox).
        """
        view = copy.copy(self)
        view.user = user
        view._owns_root = False
        view._shared = True
        return view

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _refuse_if_shared(self, what: str) -> None:
        if self._shared:
            raise RuntimeError(f"cannot {what} the session's shared Dovecot: mark the test "
                               "@pytest.mark.own_dovecot to get a server of its own")

    def start(self) -> None:
        """Start the server and wait until it greets on its port."""
        self._refuse_if_shared("start")
        self._process = subprocess.Popen(
            ["dovecot", "-F", "-c", str(self.conf)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.log()[-2000:]}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError(f"dovecot did not start: {self.log()[-2000:]}")
        # One login spawns the auth processes, so a test's first login does not race their
        # start-up on a loaded machine ("[UNAVAILABLE] Temporary authentication failure").
        self.client().logout()

    def stop(self) -> None:
        """Stop the server (the mail stays on disk, so a restart serves the same mailbox)."""
        self._refuse_if_shared("stop")
        if self._process is None or self._process.poll() is not None:
            return
        os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
        # Wait for the listener to go away so a restart can bind the same port.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection((self.host, self.port), timeout=0.2).close()
                time.sleep(0.05)
            except OSError:
                return

    def close(self) -> None:
        """Stop the server for good and remove a folder it created (an account: nothing)."""
        if self._shared:
            return
        self.stop()
        if self._owns_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def client(self) -> IMAPClient:
        """A logged-in client for test set-up (retries Dovecot's transient auth refusals)."""
        for attempt in range(5):
            client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
            try:
                client.login(self.user, self.password)
                return client
            except LoginError as exc:
                client.shutdown()
                if b"UNAVAILABLE" not in str(exc).encode() or attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    def append(self, raw: bytes | str, folder: str = "INBOX",
               received_at: datetime | None = None) -> None:
        """Deliver one message the way a mail server's LMTP would leave it: unseen, in folder.

        ``received_at`` sets the INTERNALDATE (the date intake stores as received); a test that
        compares dates passes its clock's time rather than letting the server use the wall's.
        """
        data = raw.encode() if isinstance(raw, str) else raw
        with self.client() as client:
            client.append(folder, data, msg_time=received_at)

    def append_many(self, messages: list[bytes], folder: str = "INBOX") -> None:
        with self.client() as client:
            for data in messages:
                client.append(folder, data)

    def recreate_folder(self, folder: str = "INBOX") -> None:
        """Give ``folder`` a new UIDVALIDITY while keeping its messages, as a server rebuild does.

        Dovecot assigns a fresh UIDVALIDITY when a Maildir's ``dovecot-uidlist`` and indexes are
        gone, so the same mail comes back under new UIDs.
        """
        self._refuse_if_shared("rebuild a folder of")
        self.stop()
        maildir = self.root / "mail" / self.user
        if folder.upper() != "INBOX":
            maildir = maildir / f".{folder}"
        for index_file in maildir.glob("dovecot*"):
            index_file.unlink()
        for sub in ("new", "cur"):
            for mail in (maildir / sub).glob("*"):
                # Drop the old UID hint (",U=...") that Maildir file names may carry.
                mail.rename(mail.with_name(mail.name.split(",U=")[0]))
        time.sleep(1.1)  # UIDVALIDITY is a timestamp: make sure it differs
        self.start()

    def uidvalidity(self, folder: str = "INBOX") -> int:
        with self.client() as client:
            return client.folder_status(folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"]

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
