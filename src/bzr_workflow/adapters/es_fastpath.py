"""The one seam onto eventsourcing 9.5's private API: replay without Protocol checks, save, streamed insert.

Each shortcut here skips a per-event runtime check or a transaction per call that our code never
needs; `tests/integration/test_es_fastpath.py` holds each against the pinned 9.5 (the private names
exist, and the shortcut stores and replays exactly what the library's own path does). Nothing
outside this module touches a name of eventsourcing's that starts with an underscore.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent, Repository
from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing.persistence import Recording, StoredEvent

from eventsourcing.sqlite import SQLiteApplicationRecorder

Insert = Callable[[Sequence[StoredEvent]], object]
PRIVATE_NAMES = {"Application": ("_record", "_take_snapshots", "_notify"),
                 "SQLiteApplicationRecorder": ("_insert_events",)}
"""What this module relies on, checked by the contract test."""


def fold(aggregate: Any, events: Iterable[Any]) -> Any:
    """eventsourcing's project_aggregate without its per-event `assert isinstance(e, <runtime
    Protocol>)`: a third of the time of replaying a long case (figures in the README)."""
    for ev in events:
        aggregate = ev.mutate(aggregate)
    return aggregate


class FoldingRepository(Repository[UUID]):
    """The Repository, replaying with `fold` unless told otherwise."""

    def get(self, aggregate_id: UUID, *, version: int | None = None,
            projector_func: Any = fold, **options: Any) -> Any:
        return super().get(aggregate_id, version=version, projector_func=projector_func,
                           **options)


def new_events(objs: Iterable[Aggregate | DomainEvent]) -> list[Any]:
    """What saving these stores: an event as it is, an aggregate's pending events."""
    events: list[Any] = []
    for obj in objs:
        if isinstance(obj, DomainEvent):
            events.append(obj)
        else:
            events.extend(obj.collect_events())
    return events


def save(app: Application[UUID], objs: Sequence[Aggregate | DomainEvent]) -> list[Recording[UUID]]:
    """`Application.save` minus its two runtime Protocol checks per object: the same recording,
    snapshotting and notifying, through the same private steps."""
    processing = ProcessingEvent[UUID]()
    processing.events.extend(new_events(objs))
    processing.aggregates.update((o.id, o) for o in objs if isinstance(o, Aggregate))
    recordings: list[Recording[UUID]] = app._record(processing)  # noqa: SLF001
    app._take_snapshots(processing)  # noqa: SLF001
    app._notify(recordings)  # noqa: SLF001
    return recordings


@contextmanager
def one_transaction(recorder: Any) -> Iterator[Insert]:
    """An `insert(stored_events)` that adds to one open transaction, committed when the block
    ends and rolled back (nothing stored) when it raises. A version already taken raises
    eventsourcing's IntegrityError, a RecordConflictError, as `insert_events` does.

    eventsourcing's `insert_events` is a transaction per call; this is the same statements
    (SQLite: its `_insert_events`; PostgreSQL: our ordered insert function) in one."""
    if hasattr(recorder, "stream"):  # pgrecorder.OrderedPostgresRecorder (imports psycopg)
        with recorder.stream() as insert:
            yield insert
        return
    if not isinstance(recorder, SQLiteApplicationRecorder):
        raise TypeError(f"cannot stream events into a {type(recorder).__name__}")
    with recorder.datastore.transaction(commit=True) as cursor:
        yield lambda events: recorder._insert_events(cursor, events)  # noqa: SLF001


class SealingSQLiteRecorder(SQLiteApplicationRecorder):
    """SQLite's recorder, linking each event into the seal in the transaction that inserts it:
    every insert (a save, or each chunk of a streamed one) goes through `_insert_events`, whose
    cursor holds the write lock from the first INSERT to the commit. `sealer` (seal.Sealer) is
    set by the application; a recorder without one refuses to write."""

    sealer: Any = None

    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        if self.sealer is None:
            raise RuntimeError("this recorder has no seal key: events are not stored unsealed")
        positions = super()._insert_events(c, stored_events, **kwargs)
        if stored_events:
            self.sealer.seal_sqlite(c, list(positions or []), list(stored_events))
        return positions
