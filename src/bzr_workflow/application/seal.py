"""The sealed log: a hash chain over every stored event in global order, and append-only triggers."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from ..domain.errors import BadInput, IntegrityFailure
from .rawdb import mark, missing_table, table, transaction
from .store import APP_NAME, Location

GENESIS = "0" * 64
SEAL_LOCK = 7_305_771_202
PAGE = 2000  # events read at a time when sealing or verifying in Python
ROUNDS = 4  # PostgreSQL: how often a sealer looks again for events committed while it sealed
MESSAGE = "stored events are append-only"


CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def link(previous: str, position: int, originator: Any, version: int, topic: str,
         state: bytes | str) -> str:
    """One link: the previous link's digest, then the event's place, identity and stored bytes."""
    identity = str(originator)
    if not CANONICAL.fullmatch(identity):  # already what str(UUID(...)) gives: skip the parse
        identity = str(UUID(identity))
    h = hashlib.sha256(f"{previous}|{position}|{identity}|{version}|{topic}|".encode())
    h.update(state.encode() if isinstance(state, str) else bytes(state))  # str: a hand-edited row
    return h.hexdigest()


class Seal:
    """Reads and extends the chain through the database's own driver (no ORM on the write path)."""

    def __init__(self, location: Location) -> None:
        self.location = location
        sqlite = location.is_sqlite
        self.events = "stored_events" if sqlite else table(location, f"{APP_NAME.lower()}_events")
        self.table = table(location, "bzr_seal")
        self.runs = table(location, "bzr_seal_runs")
        self.function = table(location, "bzr_seal_extend")
        self.position = "rowid" if sqlite else "notification_id"
        self.mark = mark(location)
        self._pg: Any = None  # PostgreSQL: one connection kept for this Seal's transactions

    def _transaction(self) -> Any:
        if self.location.is_sqlite:  # connecting costs microseconds: a fresh one each time
            return transaction(self.location, SEAL_LOCK)
        return self._pg_transaction()

    def _connection(self) -> Any:
        """PostgreSQL: the kept connection (connecting costs ~5 ms, which a process running
        many commands would pay for each)."""
        import psycopg

        if self._pg is None or self._pg.closed:
            self._pg = psycopg.connect(self.location.libpq_conninfo(), autocommit=True)
        return self._pg

    @contextmanager
    def _pg_transaction(self) -> Iterator[Any]:
        """A transaction holding the seal lock; a broken connection is dropped and made again."""
        import psycopg

        try:
            with transaction(self.location, SEAL_LOCK, self._connection()) as conn:
                yield conn
        except psycopg.OperationalError:
            self.close()
            raise

    def close(self) -> None:
        if self._pg is not None:
            self._pg.close()
            self._pg = None

    def create(self) -> None:
        """The seal table, and triggers refusing UPDATE and DELETE on events and seal alike;
        on PostgreSQL also the function that extends the chain in one round trip."""
        with self._transaction() as conn:
            conn.execute(f"CREATE TABLE IF NOT EXISTS {self.table} "
                         "(position BIGINT PRIMARY KEY, digest CHAR(64) NOT NULL)")
            for guarded in (self.events, self.table):
                for statement in self._guards(guarded):
                    conn.execute(statement)
            if not self.location.is_sqlite:
                conn.execute(self._pg_function())

    def _pg_function(self) -> str:
        """`link` in SQL: the same bytes hashed in the same order (verify, in Python, recomputes
        every link, so the two are held equal by every verify on PostgreSQL)."""
        return f"""CREATE OR REPLACE FUNCTION {self.function}(wait boolean) RETURNS text
        LANGUAGE plpgsql AS $$
        DECLARE last_pos bigint; head text; r record; rounds int := 0; more boolean;
        BEGIN
          IF wait THEN PERFORM pg_advisory_xact_lock({SEAL_LOCK});
          ELSIF NOT pg_try_advisory_xact_lock({SEAL_LOCK}) THEN RETURN NULL;
          END IF;
          SELECT position, digest INTO last_pos, head FROM {self.table}
            ORDER BY position DESC LIMIT 1;
          IF NOT FOUND THEN last_pos := 0; head := '{GENESIS}'; END IF;
          LOOP
            more := false;
            FOR r IN SELECT notification_id, originator_id, originator_version, topic, state
                     FROM {self.events} WHERE notification_id > last_pos
                     ORDER BY notification_id LOOP
              head := encode(sha256(convert_to(head || '|' || r.notification_id || '|'
                || r.originator_id || '|' || r.originator_version || '|' || r.topic || '|',
                'UTF8') || r.state), 'hex');
              INSERT INTO {self.table} (position, digest) VALUES (r.notification_id, head);
              last_pos := r.notification_id;
              more := true;
            END LOOP;
            rounds := rounds + 1;
            EXIT WHEN NOT more OR rounds >= {ROUNDS};
          END LOOP;
          RETURN head;
        END $$"""

    def _guards(self, guarded: str) -> list[str]:
        name = guarded.replace('"', "").replace(".", "_")
        if self.location.is_sqlite:
            return [f"CREATE TRIGGER IF NOT EXISTS {name}_no_{op.lower()} BEFORE {op} ON {guarded}"
                    f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END" for op in ("UPDATE", "DELETE")]
        refuse = table(self.location, "bzr_append_only")  # in the store's own schema
        return [
            f"CREATE OR REPLACE FUNCTION {refuse}() RETURNS trigger LANGUAGE plpgsql AS"
            f" $$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$",
            f"CREATE OR REPLACE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {guarded}"
            f" FOR EACH ROW EXECUTE FUNCTION {refuse}()",
            f"CREATE OR REPLACE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {guarded}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {refuse}()"]

    def extend(self) -> str:
        """Seal every event stored since the last link; returns the head digest."""
        digest = self._extend(wait=True)
        assert digest is not None
        return digest

    def extend_unless_busy(self) -> None:
        """What each command does after it stores events. On PostgreSQL, a writer that finds
        another one sealing leaves its events to it rather than queue: the holder looks again
        for newer events before it lets go, and anything committed after its last look is
        sealed by the next command, `verify` or export."""
        self._extend(wait=False)

    def _extend(self, wait: bool) -> str | None:
        if not self.location.is_sqlite:
            return self._pg_extend(wait)
        with self._transaction() as conn:  # SQLite: writers take the database lock in turn
            row = conn.execute(f"SELECT position, digest FROM {self.table}"
                               " ORDER BY position DESC LIMIT 1").fetchone()
            last, digest = (int(row[0]), str(row[1])) if row else (0, GENESIS)
            for page in self._pages(conn, last):
                links = []
                for position, originator, version, topic, state in page:
                    digest = link(digest, position, originator, version, topic, state)
                    links.append((position, digest))
                conn.cursor().executemany(
                    f"INSERT INTO {self.table} (position, digest) VALUES ({self.mark}, {self.mark})",
                    links)
            return digest

    def _pg_extend(self, wait: bool) -> str | None:
        """One call of the sealing function on the kept connection (its own transaction)."""
        import psycopg

        try:
            row = self._connection().execute(f"SELECT {self.function}(%s)", (wait,)).fetchone()
        except psycopg.errors.UndefinedFunction:  # a store sealed before the function existed
            self.create()
            row = self._connection().execute(f"SELECT {self.function}(%s)", (wait,)).fetchone()
        except psycopg.OperationalError:
            self.close()
            raise
        return None if row[0] is None else str(row[0])

    def head(self) -> tuple[int, str]:
        """The chain's last link: (position, digest), sealing first what is not yet sealed."""
        self.extend()
        with self._transaction() as conn:
            row = conn.execute(f"SELECT position, digest FROM {self.table}"
                               " ORDER BY position DESC LIMIT 1").fetchone()
        return (int(row[0]), str(row[1])) if row else (0, GENESIS)

    def record_run(self, at: str, events: int, head: str, verified: bool, detail: str) -> None:
        """Remember that verify ran (kept beside the chain, outside it: a run is no event)."""
        with self._transaction() as conn:
            conn.execute(f"CREATE TABLE IF NOT EXISTS {self.runs} (at VARCHAR(40) NOT NULL,"
                         " events BIGINT NOT NULL, head CHAR(64) NOT NULL,"
                         " verified BOOLEAN NOT NULL, detail TEXT NOT NULL)")
            conn.execute(f"INSERT INTO {self.runs} (at, events, head, verified, detail) VALUES"
                         f" ({', '.join([self.mark] * 5)})", (at, events, head, verified, detail))

    def last_run(self) -> dict[str, Any] | None:
        """When verify last ran and what it found; None if it never ran here."""
        try:
            with self._transaction() as conn:
                row = conn.execute(f"SELECT at, events, head, verified, detail FROM {self.runs}"
                                   " ORDER BY at DESC LIMIT 1").fetchone()
        except Exception as exc:  # noqa: BLE001 - the table is made by the first run
            if missing_table(exc):
                return None
            raise
        if row is None:
            return None
        return {"at": str(row[0]), "events": int(row[1]), "head": str(row[2]),
                "verified": bool(row[3]), "detail": str(row[4])}

    def digest_at(self, position: int) -> str:
        """The link sealing everything up to `position` (what a sheet of that position reflects)."""
        self.extend()
        with self._transaction() as conn:
            row = conn.execute(f"SELECT digest FROM {self.table} WHERE position <= {self.mark}"
                               " ORDER BY position DESC LIMIT 1", (position,)).fetchone()
        return str(row[0]) if row else GENESIS

    def _pages(self, conn: Any, after: int) -> Iterator[list[Any]]:
        """The stored events after `after` in order, PAGE rows at a time (a bulk command's
        10,000 events, or verify's millions, are never held at once)."""
        while True:
            page = conn.execute(
                f"SELECT {self.position}, originator_id, originator_version, topic, state"
                f" FROM {self.events} WHERE {self.position} > {self.mark}"
                f" ORDER BY {self.position} LIMIT {PAGE}", (after,)).fetchall()
            if not page:
                return
            yield page
            after = int(page[-1][0])

    def verify(self, head: str | None = None) -> dict[str, Any]:
        """Recompute the chain from the stored events; name the first position that differs.
        Events and links are read a page at a time, so memory stays flat however long the log."""
        self.extend()
        wanted = None if head is None else head.strip().lower()
        found = wanted == GENESIS
        with self._transaction() as conn:
            digest, count = GENESIS, 0
            for page in self._pages(conn, 0):
                stored = dict(conn.execute(
                    f"SELECT position, digest FROM {self.table} WHERE position >= {self.mark}"
                    f" AND position <= {self.mark}", (page[0][0], page[-1][0])).fetchall())
                for position, originator, version, topic, state in page:
                    digest = link(digest, position, originator, version, topic, state)
                    count += 1
                    found = found or digest == wanted
                    if stored.get(position) != digest:
                        raise IntegrityFailure(f"position {position}: the stored event does not"
                                               " match its seal (edited, or the seal was)")
            sealed = int(conn.execute(f"SELECT COUNT(*) FROM {self.table}").fetchone()[0])
            if sealed != count:
                raise IntegrityFailure(f"{sealed - count} sealed event(s) are missing")
        if wanted is not None and not found:
            raise IntegrityFailure(f"{head} is not a link of this store's chain")
        return {"head": digest, "events": count, "verified": True}


def check_digest(value: str) -> str:
    text = value.strip().lower()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise BadInput(f"--head {value!r}: give a 64-character SHA-256 digest")
    return text
