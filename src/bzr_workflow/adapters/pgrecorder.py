"""PostgreSQL event recorder: one round trip per save, with positions committed in their order."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing.persistence import (InterfaceError, OperationalError, ProgrammingError,
                                       StoredEvent)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier


class OrderedPostgresRecorder(PostgresApplicationRecorder):
    """eventsourcing 9.5's insert function (POSTGRES_ENABLE_DB_FUNCTIONS) does not take the
    EXCLUSIVE table lock that its ordinary insert path takes. Without it two writers can commit
    their `notification_id`s out of order: B commits 220 while A's 219 is still in flight, and
    every reader that resumes "after the last position it saw" (the views' catch-up) passes
    over 219 for good. This recorder's function takes the lock first, so the sequence is handed
    out and committed by one writer at a time, and keeps the single round trip.

    Under that lock the same function also links each inserted event into the seal (seal.py):
    HMAC-SHA256 computed in SQL as sha256(outer || sha256(inner || message)) from the seal key's
    padded forms, passed with the call (the key is never stored in the database). So an event
    is committed with its link or not at all. `sealer` (seal.Sealer) is set by the application;
    a recorder without one refuses to write.

    The function has its own name, so a store made before it existed gets it (and the seal's
    key_id column) on its first save rather than keep the old one."""

    sealer: Any = None

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        name = f"{events_table_name}_insert_sealed"
        self.check_identifier_length(name)
        self.pg_function_name_insert_events = name
        schema, table = Identifier(datastore.schema), Identifier(events_table_name)
        seal = SQL("{schema}.bzr_seal").format(schema=schema)
        self.sql_invoke_pg_function_insert_events = SQL(
            "SELECT * FROM {schema}.{function}(%s, %s, %s, %s)").format(
            schema=schema, function=Identifier(name))
        self.sql_create_seal = [
            SQL("CREATE TABLE IF NOT EXISTS {seal} (position BIGINT PRIMARY KEY,"
                " digest CHAR(64) NOT NULL, key_id VARCHAR(40))").format(seal=seal),
            SQL("ALTER TABLE {seal} ADD COLUMN IF NOT EXISTS key_id VARCHAR(40)").format(
                seal=seal)]
        self.sql_create_pg_function_insert_events = SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}(events {schema}.{event}[],"
            " p_inner bytea, p_outer bytea, p_key text) "
            "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$"
            " DECLARE head text; r record; BEGIN"
            " SET LOCAL lock_timeout = '{lock_timeout}s';"
            " LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE;"
            " NOTIFY {channel};"
            " SELECT s.digest INTO head FROM {seal} s ORDER BY s.position DESC LIMIT 1;"
            " IF NOT FOUND THEN head := '{genesis}'; END IF;"
            " FOR r IN WITH ins AS (INSERT INTO {schema}.{table} AS t"
            " (originator_id, originator_version, topic, state)"
            " SELECT e.originator_id, e.originator_version, e.topic, e.state FROM unnest(events) e"
            " RETURNING t.notification_id, t.originator_id, t.originator_version, t.topic, t.state)"
            " SELECT * FROM ins ORDER BY ins.notification_id LOOP"
            "  head := encode(sha256(p_outer || sha256(p_inner || convert_to(head || '|'"
            " || r.notification_id || '|' || r.originator_id || '|' || r.originator_version"
            " || '|' || r.topic || '|', 'UTF8') || r.state)), 'hex');"
            "  INSERT INTO {seal} (position, digest, key_id) VALUES (r.notification_id, head, p_key);"
            "  RETURN NEXT r.notification_id;"
            " END LOOP;"
            " END; $BODY$").format(
            schema=schema, function=Identifier(name), table=table, seal=seal,
            event=Identifier(self.stored_event_type_name), channel=Identifier(self.channel_name),
            lock_timeout=datastore.lock_timeout, genesis=SQL("0" * 64))
        self.sql_create_statements[self.create_insert_function_statement_index] = (
            self.sql_create_pg_function_insert_events)
        self.sql_create_statements[self.create_insert_function_statement_index:
                                   self.create_insert_function_statement_index] = (
            self.sql_create_seal)

    def arguments(self, stored_events: Sequence[StoredEvent]) -> tuple[Any, ...]:
        if self.sealer is None:
            raise RuntimeError("this recorder has no seal key: events are not stored unsealed")
        key = self.sealer.pg_key()
        inner, outer = key.pads()
        return ([self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic,
                                                e.state) for e in stored_events],
                inner, outer, key.id)

    def _create_function(self, curs: Any) -> None:
        for statement in self.sql_create_seal:
            curs.execute(statement, prepare=False)
        curs.execute(self.sql_create_pg_function_insert_events, prepare=False)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _insert_sealed(self, stored_events: Sequence[StoredEvent]) -> Sequence[int]:
        arguments = self.arguments(stored_events)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.sql_invoke_pg_function_insert_events, arguments, prepare=True)
            return [r[self.pg_function_name_insert_events] for r in curs.fetchall()]

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any
                      ) -> Sequence[int] | None:
        if not stored_events:
            return []
        ids: Sequence[int]
        try:
            ids = self._insert_sealed(stored_events)  # untyped: under @retry
        except ProgrammingError as exc:
            if not isinstance(exc.__cause__, psycopg.errors.UndefinedFunction):
                raise
            with self.datastore.transaction(commit=True) as curs:  # a store older than it
                self._create_function(curs)
            ids = self._insert_sealed(stored_events)
        return ids

    @contextmanager
    def stream(self) -> Iterator[Callable[[Sequence[StoredEvent]], object]]:
        """Inserts through the ordered, sealing function into one transaction (streamsave)."""
        with self.datastore.transaction(commit=True) as curs:
            qualified = f'"{self.datastore.schema}"."{self.pg_function_name_insert_events}"'
            if curs.execute("SELECT to_regproc(%s) AS found",
                            (qualified,)).fetchone()["found"] is None:  # type: ignore[index]
                self._create_function(curs)

            def insert(events: Sequence[StoredEvent]) -> None:
                if events:
                    curs.execute(self.sql_invoke_pg_function_insert_events,
                                 self.arguments(events), prepare=True)
            yield insert
