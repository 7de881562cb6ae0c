"""Which interface a command comes through, for the provenance every saved command records."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    """The CLI on the server, or a web session (or API token) at a network address."""

    via: str
    session: str = ""
    address: str = ""


CLI = Origin("cli")
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
