"""An organisational unit (college, department, teaching site) and its place in the tree."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .ids import key_id


class Unit(Aggregate):
    TOPIC = "bzr.unit"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.unit.created"

    class Added(Aggregate.Created):
        TOPIC = "bzr.unit.added"
        class_version = 1
        code: str
        name: str
        parent: str
        path: list[str]
        actor: str

    @staticmethod
    def create_id(code: str, *_: Any, **__: Any) -> UUID:
        return key_id("unit", code)

    @event(Added)
    def __init__(self, code: str, name: str, parent: str, path: list[str], actor: str) -> None:
        self.code, self.name, self.parent, self.path = code, name, parent, list(path)
