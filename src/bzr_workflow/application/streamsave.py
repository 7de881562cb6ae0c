"""Storing many events in one transaction a chunk at a time: all or nothing, in flat memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import StoredEvent

Insert = Callable[[Sequence[StoredEvent]], object]


@contextmanager
def one_transaction(recorder: Any) -> Iterator[Insert]:
    """An `insert(stored_events)` that adds to one open transaction, committed when the block
    ends and rolled back (nothing stored) when it raises. A version already taken raises
    eventsourcing's IntegrityError, a RecordConflictError, as `insert_events` does.

    eventsourcing's `insert_events` is a transaction per call; this is the same statements
    (SQLite: its `_insert_events`; PostgreSQL: our ordered insert function) in one."""
    from eventsourcing.sqlite import SQLiteApplicationRecorder

    if hasattr(recorder, "stream"):  # pgrecorder.OrderedPostgresRecorder (imports psycopg)
        with recorder.stream() as insert:
            yield insert
        return
    if not isinstance(recorder, SQLiteApplicationRecorder):
        raise TypeError(f"cannot stream events into a {type(recorder).__name__}")
    with recorder.datastore.transaction(commit=True) as cursor:
        yield lambda events: recorder._insert_events(cursor, events)  # noqa: SLF001
