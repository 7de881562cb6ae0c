"""The event-sourced application: opening the store, loading aggregates and policies, retrying on conflict."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import (AggregateNotFoundError, Application, ProcessingEvent,
                                      Repository)
from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing.persistence import (MapperDeserialisationError, OperationalError,
                                       PersistenceError, ProgrammingError,
                                       RecordConflictError)

from ..domain.errors import BadInput, Conflict, NotFound, NotPermitted, WorkflowError
from ..domain.ids import institution_id, key_id
from ..domain.institution import Institution
from ..domain.policy import ADMIN, Policy
from ..domain.policy_file import parse_policy, parse_refined
from ..domain.timefmt import local_iso
from ..domain.user import User
from .store import APP_NAME, Location

T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)
MAX_ATTEMPTS = 30
CACHED_AGGREGATES = 1000  # an LRU of aggregates (fast-forwarded from the store on each load)
_POLICY_CACHE: dict[str, Policy] = {}


class StoreMissing(BadInput):
    """The store has not been initialised."""


class StoreUnavailable(Conflict):
    """The database could not be reached or stayed locked."""


def fold(aggregate: Any, events: Iterable[Any]) -> Any:
    """eventsourcing's project_aggregate without its per-event `assert isinstance(e, <runtime
    Protocol>)`, which cost ~15 us an event: a third of replaying a 200-event case."""
    for ev in events:
        aggregate = ev.mutate(aggregate)
    return aggregate


def _new_events(objs: Iterable[Aggregate | DomainEvent]) -> list[Any]:
    """What saving these stores: an event as it is, an aggregate's pending events."""
    events: list[Any] = []
    for obj in objs:
        if isinstance(obj, DomainEvent):
            events.append(obj)
        else:
            events.extend(obj.collect_events())
    return events


class FoldingRepository(Repository[UUID]):
    """The Repository, replaying with `fold` unless told otherwise."""

    def get(self, aggregate_id: UUID, *, version: int | None = None,
            projector_func: Any = fold, **options: Any) -> Any:
        return super().get(aggregate_id, version=version, projector_func=projector_func,
                           **options)


class BaseApp(Application[UUID]):
    """Opens the event store at a Location; every command runs through `attempt`."""

    name = APP_NAME

    def __init__(self, location: Location, create_tables: bool = False) -> None:
        self.location = location
        self._seal: Any = None  # kept: on PostgreSQL it holds a connection
        self._keys: dict[tuple[int, int], str] = {}  # (policy version, refinement) -> policy key
        super().__init__(env=location.es_env(create_tables))

    def close(self) -> None:
        if self._seal is not None:
            self._seal.close()
        super().close()

    def construct_repository(self) -> Repository[UUID]:
        base = super().construct_repository()
        return FoldingRepository(
            event_store=base.event_store, snapshot_store=base.snapshot_store,
            cache_maxsize=CACHED_AGGREGATES, fastforward=True,
            fastforward_skipping=False, deepcopy_from_cache=True)

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """eventsourcing's save, minus its two runtime Protocol checks per object (about 15 us
        each, a sixth of opening 10,000 appraisals): we save only Aggregates and their events."""
        if kwargs or not all(isinstance(o, (Aggregate, DomainEvent)) for o in objs):
            return super().save(*objs, **kwargs)
        processing = ProcessingEvent[UUID]()
        processing.events.extend(_new_events(objs))
        processing.aggregates.update((o.id, o) for o in objs if not isinstance(o, DomainEvent))
        recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        return recordings

    def save_streamed(self, chunks: Iterable[Iterable[Aggregate | DomainEvent]]) -> None:
        """Save each chunk's aggregates and events as the chunk comes, all in one transaction:
        a bulk command stays all or nothing while memory holds one chunk of events, mapped to
        stored form, rather than all of them. (Nothing here snapshots or has followers, and the
        aggregate cache fast-forwards from the store, so `save`'s after-steps have no work.)"""
        from .streamsave import one_transaction

        to_stored = self.mapper.to_stored_event
        with one_transaction(self.recorder) as insert:
            for chunk in chunks:
                insert([to_stored(e) for e in _new_events(chunk)])

    # -- loading ------------------------------------------------------------------------

    def load(self, aggregate_id: UUID, missing: str) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(missing) from None

    def load_or_start(self, cls: type[A], **keys: Any) -> A:
        """The aggregate these natural keys name, or a new one to save with the command's others
        (two commands starting it at once conflict on version 1, and one re-runs)."""
        try:
            found: A = self.repository.get(cls.create_id(**keys))
            return found
        except AggregateNotFoundError:
            return cls(**keys)

    def exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository

    def institution(self) -> Institution:
        missing = f"no store in {self.location.describe()}; create one with `bzr-workflow init`"
        try:
            inst: Institution = self.load(institution_id(), missing)
            return inst
        except ProgrammingError:
            raise StoreMissing(missing) from None

    def user(self, login: str) -> User:
        try:
            user: User = self.load(key_id("user", login), f"unknown user {login!r} (see `user list`)")
        except NotFound:
            self.institution()  # on a store never initialised, say that instead
            raise
        return user

    def actor(self, login: str | None) -> User:
        if not login:
            raise BadInput("say who is acting: --as USER (or BZR_WORKFLOW_ACTOR)")
        return self.user(login)

    def require_admin(self, login: str | None) -> User:
        user = self.actor(login)
        if not any(role == ADMIN for role, _ in user.grants):
            raise NotPermitted(f"{user.login} is not an administrator (role admin)")
        return user

    def policy(self, version: int | None = None, inst: Institution | None = None,
               refinement: int = 0) -> Policy:
        """A policy version as adopted, or as a unit's refinement (by number) overrides it."""
        known = self._keys.get((version, refinement)) if version is not None else None
        if known in _POLICY_CACHE:
            return _POLICY_CACHE[known]
        inst = inst or self.institution()
        key = self.policy_key(version, refinement, inst)
        if key not in _POLICY_CACHE:
            record = inst.policy_record(version)
            if refinement:
                ref = inst.refinement_record(refinement)
                _POLICY_CACHE[key] = parse_refined(record["text"], ref["text"],
                                                   f"refinement of unit {ref['unit']}")
            else:
                _POLICY_CACHE[key] = parse_policy(record["text"], record["policy_id"])
        return _POLICY_CACHE[key]

    def policy_key(self, version: int | None, refinement: int = 0,
                   inst: Institution | None = None) -> str:
        """Names one effective rule set: the version's digest, and the refinement's if any.
        A numbered version or refinement never changes once adopted, so its key is kept."""
        if version is not None and (version, refinement) in self._keys:
            return self._keys[version, refinement]
        inst = inst or self.institution()
        key = str(inst.policy_record(version)["digest"])
        key += ":" + inst.refinement_record(refinement)["digest"] if refinement else ""
        if version is not None:
            self._keys[version, refinement] = key
        return key

    def policy_for_unit(self, unit_path: list[str], inst: Institution | None = None) -> Policy:
        inst = inst or self.institution()
        return self.policy(inst=inst, refinement=inst.refinement_for(unit_path))

    clock: Callable[[], datetime] = staticmethod(lambda: datetime.now(UTC))
    """Where business dates come from (announcement ends, flags, default start); tests set it."""

    def today(self, policy: Policy) -> str:
        """Today's date where the institution is."""
        return local_iso(self.clock(), policy.utc_offset)[:10]

    def seal_new_events(self) -> None:
        """Extend the hash chain over what was just stored. The events are committed already:
        should this fail (a lock held too long), the next command or `verify` seals them."""
        from .seal import Seal

        if self._seal is None:
            self._seal = Seal(self.location)
        seal = self._seal
        try:
            seal.extend_unless_busy()
        except Exception:  # noqa: BLE001 - derived data; recomputed from the events later
            try:
                seal.create()
                seal.extend_unless_busy()
            except Exception:  # noqa: BLE001, S110 - the same: sealed by the next writer
                pass

    # -- running commands ---------------------------------------------------------------

    def attempt(self, command: Callable[[], T]) -> T:
        """Run load → decide → save, re-running it when another writer got there first."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                with _storage_errors():
                    result = command()
                self.seal_new_events()
                return result
            except RecordConflictError:
                time.sleep(random.uniform(0.001, 0.004) * (attempt + 1))
        raise Conflict("the case kept changing while this command ran; try it again")


@contextmanager
def _storage_errors() -> Iterator[None]:
    try:
        yield
    except RecordConflictError:
        raise
    except (PersistenceError, MapperDeserialisationError) as exc:
        raise translate_storage_error(exc) from None


def translate_storage_error(exc: BaseException) -> WorkflowError:
    """What a storage failure means to the user, as a refusal with its exit code."""
    text = _first_line(exc)
    if isinstance(exc, MapperDeserialisationError):
        return BadInput("cannot read the stored events: they are encrypted, or encrypted with"
                        " another key; set BZR_WORKFLOW_CIPHER_KEY to this store's key")
    if isinstance(exc, ProgrammingError) or "no such table" in text:
        return StoreMissing(f"no store here ({text}); create one with `bzr-workflow init`")
    if "not a database" in text:
        return BadInput(f"the --db file is not a bzr-workflow store ({text})")
    if isinstance(exc, OperationalError):
        return StoreUnavailable(f"the database is busy or unreachable ({text})")
    return StoreUnavailable(f"the database refused the command ({text})")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
