"""The record of maintenance done on the store (a rebuild of the views): what, by which
administrator, when, so that `audit` shows it like any decision."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .ids import key_id


class Maintenance(Aggregate):
    TOPIC = "bzr.maintenance"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.maintenance.created"

    class Started(Aggregate.Created):
        TOPIC = "bzr.maintenance.started"
        class_version = 1

    class Performed(Aggregate.Event):
        """`what` was done (a past-tense verb, e.g. rebuilt) by `actor`; `detail` says more."""

        TOPIC = "bzr.maintenance.performed"
        class_version = 1
        what: str
        actor: str
        detail: str

    @staticmethod
    def create_id(*_: Any, **__: Any) -> UUID:
        return key_id("maintenance", "")

    @event(Started)
    def __init__(self) -> None:
        self.count = 0

    def performed(self, what: str, actor: str, detail: str) -> None:
        self._performed(what=what, actor=actor, detail=detail)

    @event(Performed)
    def _performed(self, what: str, actor: str, detail: str) -> None:
        self.count += 1
