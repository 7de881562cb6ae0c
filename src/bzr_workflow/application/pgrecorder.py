"""PostgreSQL event recorder: one round trip per save, with positions committed in their order."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing.persistence import ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg.sql import SQL, Identifier


class OrderedPostgresRecorder(PostgresApplicationRecorder):
    """eventsourcing 9.5's insert function (POSTGRES_ENABLE_DB_FUNCTIONS) does not take the
    EXCLUSIVE table lock that its ordinary insert path takes. Without it two writers can commit
    their `notification_id`s out of order: B commits 220 while A's 219 is still in flight, and
    every reader that resumes "after the last position it saw" (the views' catch-up, the seal)
    passes over 219 for good. This recorder's function takes the lock first, so the sequence is
    handed out and committed by one writer at a time, and keeps the single round trip.

    The function has its own name, so a store made before it existed gets it on its first save
    rather than keep the old, unlocked one."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        name = f"{events_table_name}_insert"
        self.check_identifier_length(name)
        self.pg_function_name_insert_events = name
        schema, table = Identifier(datastore.schema), Identifier(events_table_name)
        self.sql_invoke_pg_function_insert_events = SQL(
            "SELECT * FROM {schema}.{function}((%s))").format(schema=schema,
                                                               function=Identifier(name))
        self.sql_create_pg_function_insert_events = SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}(events {schema}.{event}[]) "
            "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ BEGIN"
            " SET LOCAL lock_timeout = '{lock_timeout}s';"
            " LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE;"
            " NOTIFY {channel};"
            " RETURN QUERY INSERT INTO {schema}.{table} AS t"
            " (originator_id, originator_version, topic, state)"
            " SELECT originator_id, originator_version, topic, state FROM unnest(events)"
            " RETURNING notification_id;"
            " END; $BODY$").format(
            schema=schema, function=Identifier(name), table=table,
            event=Identifier(self.stored_event_type_name), channel=Identifier(self.channel_name),
            lock_timeout=datastore.lock_timeout)
        self.sql_create_statements[self.create_insert_function_statement_index] = (
            self.sql_create_pg_function_insert_events)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any
                      ) -> Sequence[int] | None:
        ids: Sequence[int] | None
        try:
            ids = super().insert_events(stored_events, **kwargs)  # untyped: under @retry
        except ProgrammingError as exc:
            if not isinstance(exc.__cause__, psycopg.errors.UndefinedFunction):
                raise
            with self.datastore.transaction(commit=True) as curs:  # a store older than it
                curs.execute(self.sql_create_pg_function_insert_events, prepare=False)
            ids = super().insert_events(stored_events, **kwargs)
        return ids

    @contextmanager
    def stream(self) -> Iterator[Callable[[Sequence[StoredEvent]], object]]:
        """Inserts through the ordered function into one transaction (streamsave)."""
        with self.datastore.transaction(commit=True) as curs:
            qualified = f'"{self.datastore.schema}"."{self.pg_function_name_insert_events}"'
            if curs.execute("SELECT to_regproc(%s) AS found",
                            (qualified,)).fetchone()["found"] is None:  # type: ignore[index]
                curs.execute(self.sql_create_pg_function_insert_events, prepare=False)

            def insert(events: Sequence[StoredEvent]) -> None:
                curs.execute(self.sql_invoke_pg_function_insert_events, ([
                    self.construct_pg_stored_event(e.originator_id, e.originator_version,
                                                   e.topic, e.state) for e in events],),
                    prepare=True)
            yield insert
