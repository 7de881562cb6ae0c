"""The store's event log as the views read it: notifications in order, domain events, the database URL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import ApplicationRecorder, Notification, StoredEvent

from .personal import PersonalMapper
from .store import Location


class StoreLog:
    """An application's recorder and mapper behind the narrow `projections.EventLog` protocol."""

    def __init__(self, app: Application[UUID], location: Location) -> None:
        self._recorder: ApplicationRecorder = app.recorder
        mapper = app.mapper  # the views keep personal fields sealed: Reads opens them
        self._mapper = mapper.sealed_twin() if isinstance(mapper, PersonalMapper) else mapper
        self._location = location

    def select_notifications(self, start: int | None, limit: int, stop: int | None = None,
                             topics: Sequence[str] = (), *,
                             inclusive_of_start: bool = True) -> Sequence[Notification]:
        return self._recorder.select_notifications(start, limit, stop, topics,
                                                   inclusive_of_start=inclusive_of_start)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEvent:
        """Every event this application stores is a DomainEvent (an aggregate's event)."""
        return cast(DomainEvent, self._mapper.to_domain_event(stored_event))

    def sqlalchemy_url(self) -> str:
        return self._location.sqlalchemy_url()
