"""Wake-ups without busy polling: a committed change tells the processes that wait for it.

Three channels carry them: :data:`QUEUE` (a job became ready to start), :data:`JOB` (a job
changed: progress, result, failure; the payload is its id) and :data:`CANCEL` (a running job
is asked to stop; the payload is its id). On PostgreSQL they are ``NOTIFY`` messages heard
with ``LISTEN``, sent right after the writing transaction commits, in a small transaction of
their own that does not wait for the disk. PostgreSQL serialises the commits of transactions
that notify; kept apart, the writers' commits share disk flushes again (about a third more
claims per second with eight engines). A process that dies between its commit and its
wake-up leaves that wake-up unsent, and the waiting side's re-check covers it. On SQLite each
listener binds a Linux abstract unix datagram socket and leaves a marker file named after it in
a folder beside the database; a committed writer sends one datagram to every marker. Abstract
sockets do not cross network namespaces, so SQLite wake-ups reach only processes on one host
(and in one container); the slow re-check of the waiting side covers anything missed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import secrets
import socket
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import psycopg
from sqlalchemy import event
from sqlalchemy.orm import Session

from bot.store.database import Database, sqlite_path

_log = logging.getLogger(__name__)

QUEUE = "dreambot_queue"
JOB = "dreambot_job"
CANCEL = "dreambot_cancel"
_CHANNELS = (QUEUE, JOB, CANCEL)
_PENDING_KEY = "dreambot_wakeups"


@dataclasses.dataclass(frozen=True)
class WakeUp:
    channel: str
    payload: str


INTERRUPTED = WakeUp("interrupted", "")
"""What :meth:`Listener.wait` hears after :meth:`Listener.interrupt`."""


class Listener(Protocol):
    def wait(self, timeout: float) -> list[WakeUp]:
        """Block until wake-ups arrive (return them all) or ``timeout`` seconds pass (``[]``)."""

    def interrupt(self) -> None:
        """Make a :meth:`wait` in progress (or the next one) return :data:`INTERRUPTED` now."""

    def close(self) -> None: ...


class Notifier(Protocol):
    def publish(self, session: Session, channel: str, payload: str = "") -> None:
        """Announce ``payload`` on ``channel`` once ``session`` commits (never if it rolls back)."""

    def listen(self) -> Listener:
        """Start hearing every channel; wake-ups published from now on are not missed."""


def notifier_for(database: Database) -> Notifier:
    if not database.is_sqlite:
        return PostgresNotifier(database)
    path = sqlite_path(database.url)
    if path is None:
        return SilentNotifier()
    return SocketNotifier(path.with_name(path.name + ".wakeup"))


class PostgresNotifier:
    def __init__(self, database: Database) -> None:
        url = database.url.set(drivername="postgresql")
        self._conninfo = url.render_as_string(hide_password=False)
        self._sender: psycopg.Connection[tuple[object, ...]] | None = None
        self._sending = threading.Lock()

    def publish(self, session: Session, channel: str, payload: str = "") -> None:
        wakeup = WakeUp(channel, payload)
        _pending(session, "after_commit", lambda _session, wakeups: self.send(wakeups)).append(
            wakeup
        )

    def send(self, wakeups: list[WakeUp]) -> None:
        """The wake-ups of one committed transaction, in one round trip on their own connection."""
        notifies = psycopg.sql.SQL("; ").join(
            psycopg.sql.SQL("SELECT pg_notify({}, {})").format(
                psycopg.sql.Literal(wakeup.channel), psycopg.sql.Literal(wakeup.payload)
            )
            for wakeup in dict.fromkeys(wakeups)
        )
        script = psycopg.sql.SQL("BEGIN; SET LOCAL synchronous_commit TO OFF; {}; COMMIT").format(
            notifies
        )
        with self._sending:
            try:
                self._connection().execute(script)
            except psycopg.Error as exc:
                _log.warning("Wake-ups could not be sent (%s); waiting sides re-check.", exc)
                self._close_sender()

    def listen(self) -> Listener:
        return _PostgresListener(self._conninfo)

    def _connection(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._sender is None or self._sender.closed:
            self._sender = psycopg.connect(self._conninfo, autocommit=True)
            # Closed with the notifier, or when the process exits.
            weakref.finalize(self, self._sender.close)
        return self._sender

    def _close_sender(self) -> None:
        if self._sender is not None:
            self._sender.close()
            self._sender = None


class _PostgresListener:
    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._private = f"dreambot_interrupt_{secrets.token_hex(8)}"
        self._connection = psycopg.connect(conninfo, autocommit=True)
        for channel in (*_CHANNELS, self._private):
            self._connection.execute(f"LISTEN {channel}")

    def interrupt(self) -> None:
        if self._connection.closed:
            return
        with psycopg.connect(self._conninfo, autocommit=True) as connection:
            connection.execute(f"NOTIFY {self._private}")

    def wait(self, timeout: float) -> list[WakeUp]:
        notes = list(self._connection.notifies(timeout=timeout, stop_after=1))
        if notes:
            notes += self._connection.notifies(timeout=0.001)
        return [
            INTERRUPTED if note.channel == self._private else WakeUp(note.channel, note.payload)
            for note in notes
        ]

    def close(self) -> None:
        self._connection.close()


class SocketNotifier:
    """Datagrams to every listener registered in ``folder``; see the module's description."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def publish(self, session: Session, channel: str, payload: str = "") -> None:
        sent = _pending(session, "after_commit", lambda _session, wakeups: self.send(wakeups))
        sent.append(WakeUp(channel, payload))

    def send(self, wakeups: list[WakeUp]) -> None:
        if not wakeups or not self.folder.is_dir():
            return
        message = "\n".join(f"{w.channel} {w.payload}" for w in dict.fromkeys(wakeups)).encode()
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
            sender.setblocking(False)
            for name in os.listdir(self.folder):
                self._send_one(sender, name, message)

    def listen(self) -> Listener:
        return _SocketListener(self.folder)

    def _send_one(self, sender: socket.socket, name: str, message: bytes) -> None:
        try:
            sender.sendto(message, _address(name))
        except ConnectionRefusedError:
            _log.debug("Wake-up listener %s is gone; removing its marker.", name)
            (self.folder / name).unlink(missing_ok=True)
        except BlockingIOError:
            _log.debug("Wake-up listener %s is not reading; it will re-check the queue.", name)


class _SocketListener:
    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._name = f"{os.getpid()}-{secrets.token_hex(8)}"
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.bind(_address(self._name))
        self._marker = folder / self._name
        self._marker.touch()

    def wait(self, timeout: float) -> list[WakeUp]:
        self._socket.settimeout(max(timeout, 0.0001))
        try:
            messages = [self._socket.recv(65536)]
        except TimeoutError:
            return []
        self._socket.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            while True:
                messages.append(self._socket.recv(65536))
        return [_parse(line) for message in messages for line in message.decode().splitlines()]

    def interrupt(self) -> None:
        with (
            socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender,
            contextlib.suppress(OSError),  # closed already: nobody is waiting
        ):
            sender.sendto(f"{INTERRUPTED.channel} ".encode(), _address(self._name))

    def close(self) -> None:
        self._marker.unlink(missing_ok=True)
        self._socket.close()


class SilentNotifier:
    """For an in-memory SQLite database: nobody else can listen, waiting sides re-check."""

    def publish(self, session: Session, channel: str, payload: str = "") -> None:
        return None

    def listen(self) -> Listener:
        return _SilentListener()


class _SilentListener:
    def __init__(self) -> None:
        self._interrupted = threading.Event()

    def wait(self, timeout: float) -> list[WakeUp]:
        if self._interrupted.wait(timeout):
            self._interrupted.clear()
            return [INTERRUPTED]
        return []

    def interrupt(self) -> None:
        self._interrupted.set()

    def close(self) -> None:
        return None


def _pending(
    session: Session, when: str, send: Callable[[Session, list[WakeUp]], None]
) -> list[WakeUp]:
    """The wake-ups ``session`` has yet to send; the first call has ``send`` run at ``when``.

    ``when`` is a session event: ``before_commit`` to send inside the transaction,
    ``after_commit`` to send once it is durable. A rolled-back session sends nothing.
    """
    pending: list[WakeUp] | None = session.info.get(_PENDING_KEY)
    if pending is None:
        pending = session.info[_PENDING_KEY] = []

        def run(_session: Session) -> None:
            wakeups = session.info.pop(_PENDING_KEY, [])
            if wakeups:
                send(session, wakeups)

        event.listen(session, when, run, once=True)
    return pending


def _address(name: str) -> bytes:
    return b"\0dreambot-" + name.encode()


def _parse(line: str) -> WakeUp:
    channel, _, payload = line.partition(" ")
    return WakeUp(channel, payload)
