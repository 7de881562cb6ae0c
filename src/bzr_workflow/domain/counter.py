"""Hands out the short, sequential case references (R-1, R-2 ...) of one workflow prefix."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .ids import key_id


class CaseCounter(Aggregate):
    TOPIC = "bzr.counter"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.counter.created"

    class Started(Aggregate.Created):
        TOPIC = "bzr.counter.started"
        class_version = 1
        prefix: str

    class Allocated(Aggregate.Event):
        TOPIC = "bzr.counter.allocated"
        class_version = 1
        first: int
        count: int

    @staticmethod
    def create_id(prefix: str, *_: Any, **__: Any) -> UUID:
        return key_id("counter", prefix)

    @event(Started)
    def __init__(self, prefix: str) -> None:
        self.prefix, self.last = prefix, 0

    def allocate(self, count: int = 1) -> list[str]:
        first = self.last + 1
        self._allocated(first=first, count=count)
        return [f"{self.prefix}-{n}" for n in range(first, first + count)]

    @event(Allocated)
    def _allocated(self, first: int, count: int) -> None:
        self.last = first + count - 1
