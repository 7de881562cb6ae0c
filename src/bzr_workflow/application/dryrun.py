"""A store that decides but never writes: a dry run's commands see each other's decisions in memory, and nothing reaches the log."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate, DomainEvent

from ..domain.case import Case
from ..domain.errors import WorkflowError
from ..domain.ids import case_id, institution_id, key_id, normalise_ref
from ..domain.institution import Institution
from ..domain.logins import fold
from ..domain.school_class import SchoolClass
from ..domain.unit import Unit
from ..domain.user import User
from .ports import Store

T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)


class DryStore:
    """The store's port over a real store, for a dry run (`approve --dry-run`): every load
    reads the store, or what an earlier command of the same dry run "saved"; `save` keeps the
    aggregates in memory with their events collected (dropped), and writes nothing: no event,
    no provenance. So the second case of a dry batch sees the places the first would take,
    as the real batch would. Everything else is the real store's."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._kept: dict[UUID, Aggregate] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    # -- writing nothing ------------------------------------------------------------------

    def save(self, *objs: Any, **_: Any) -> list[Any]:
        for obj in objs:
            if isinstance(obj, Aggregate):
                obj.collect_events()
                self._kept[obj.id] = obj
        return []

    def save_streamed(self, chunks: Iterable[Iterable[Aggregate | DomainEvent]]) -> None:
        for chunk in chunks:
            self.save(*chunk)

    def attempt(self, command: Callable[[], T]) -> T:
        return self._store.attempt(command)  # never a write conflict: storage errors as ever

    # -- loading: what this dry run kept first ---------------------------------------------

    def _kept_or(self, aggregate_id: UUID, load: Callable[[], T]) -> T:
        if aggregate_id in self._kept:
            found: T = copy.deepcopy(self._kept[aggregate_id])  # type: ignore[assignment]
            return found
        return load()

    def load(self, aggregate_id: UUID, missing: WorkflowError) -> Any:
        return self._kept_or(aggregate_id, lambda: self._store.load(aggregate_id, missing))

    def find(self, aggregate_id: UUID) -> Any | None:
        return self._kept_or(aggregate_id, lambda: self._store.find(aggregate_id))

    def exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self._kept or self._store.exists(aggregate_id)

    def load_or_start(self, cls: type[A], **keys: Any) -> A:
        return self._kept_or(cls.create_id(**keys), lambda: self._store.load_or_start(cls, **keys))

    def institution(self) -> Institution:
        return self._kept_or(institution_id(), self._store.institution)

    def user(self, login: str) -> User:
        return self._kept_or(key_id("user", fold(login)), lambda: self._store.user(login))

    def actor(self, login: str | None) -> User:
        return self.user(self._store.actor(login).login)  # no login, or unknown: its refusal

    def require_admin(self, login: str | None) -> User:
        return self.user(self._store.require_admin(login).login)

    def unit(self, code: str) -> Unit:
        return self._kept_or(key_id("unit", code), lambda: self._store.unit(code))

    def school_class(self, code: str) -> SchoolClass:
        return self._kept_or(key_id("class", code), lambda: self._store.school_class(code))

    def case(self, ref: str) -> Case:
        return self._kept_or(case_id(normalise_ref(ref)), lambda: self._store.case(ref))
