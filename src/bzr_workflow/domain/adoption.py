"""A file of past results or appointments brought in when an institution adopts the engine mid-career."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .ids import key_id


class Adoption(Aggregate):
    """One imported file, keyed by what it holds and its SHA-256 digest, so the same file is
    not brought in twice; each row it recorded names the digest's first twelve digits."""

    TOPIC = "bzr.adoption"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.adoption.created"

    class Imported(Aggregate.Created):
        TOPIC = "bzr.adoption.imported"
        class_version = 1
        what: str
        source: str
        digest: str
        rows: int
        actor: str

    @staticmethod
    def create_id(what: str, digest: str, *_: Any, **__: Any) -> UUID:
        return key_id("adoption", f"{what}/{digest}")

    @event(Imported)
    def __init__(self, what: str, source: str, digest: str, rows: int, actor: str) -> None:
        self.what, self.source, self.digest, self.rows = what, source, digest, rows


def imported_ref(digest: str, row: int | None = None) -> str:
    """How a row brought in from a file is named where a case's reference would stand."""
    return f"import:{digest[:12]}" + (f":{row}" if row is not None else "")
