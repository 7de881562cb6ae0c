"""Which interface a command comes through, for the provenance every saved command records."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    """The CLI on the server (`session` the operating-system account that ran it, `address`
    the host), or a web session (or API token) at a network address; `batch` names the bulk
    sign-off a command belongs to."""

    via: str
    session: str = ""
    address: str = ""
    batch: str = ""
    """The bulk sign-off the command is an item of (`B-...`), "" when it stands alone."""


CLI = Origin("cli")


def operator() -> Origin:
    """The CLI as run now: by this operating-system account on this host, so the audit tells
    an operator's act on the store from a signer's on the web (`os_user`, `host`)."""
    import getpass
    import os

    try:
        account = getpass.getuser()
    except (OSError, KeyError):  # no name for the uid (a bare container): its number
        account = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return Origin("cli", account[:64], _host()[:64])


def _host() -> str:
    """gethostname(2): on POSIX uname's nodename, the same name without importing socket
    (~10 ms of a command's start); elsewhere socket's."""
    import os

    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()
_current: ContextVar[Origin | None] = ContextVar("bzr_origin", default=None)


def current() -> Origin | None:
    """The origin of the command running now; None where no interface said (tests, scripts)."""
    return _current.get()


@contextmanager
def coming_from(origin: Origin) -> Iterator[None]:
    """Commands run inside the block record `origin`."""
    token = _current.set(origin)
    try:
        yield
    finally:
        _current.reset(token)


def use(origin: Origin) -> None:
    """Set the origin for the rest of this context (one web request's task)."""
    _current.set(origin)
