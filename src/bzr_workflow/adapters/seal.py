"""The sealed log: a keyed hash chain over every stored event, written by the writer, checked read-only.

Each link is HMAC-SHA256 under a seal key kept outside the database (sealkey.py) over the
previous link and the event's position, identity, version, topic and stored bytes. The writer
makes its events' links in the same transaction as the events, in the application, under the
write lock (SQLite: es_fastpath's recorder; PostgreSQL: pgrecorder's, under the EXCLUSIVE table
lock: the database never sees the key nor anything made from it but the links), so an event
without its link was stored by someone else. `verify` only reads: it never seals, never writes,
and opens an SQLite file read-only. Links made before keys (plain SHA-256, key id NULL) verify
as legacy links, but only up to where the key file says keys began, and the chain must end in a
keyed link. Checkpoints are signed with the key file's Ed25519 key: `verify --checkpoint` with
only its public key (`--public-key`) proves a checkpoint genuine and that the log still holds it,
without the power to make one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from ..domain.errors import BadInput, IntegrityFailure, Phrase
from . import sealkey
from .rawdb import table
from .sealkey import Keyring, KeySource, SealKey
from .store import APP_NAME, Location, StoreUnavailable

GENESIS = "0" * 64
PAGE = 2000  # events read at a time when verifying
MESSAGE = "stored events are append-only"
CHECKPOINT = "bzr-workflow checkpoint 2"  # signed with Ed25519
HMAC_CHECKPOINT = "bzr-workflow checkpoint 1"  # before: signed with the seal's HMAC key
PUBLIC_ENV = "BZR_WORKFLOW_SEAL_PUBLIC_KEY"

CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def message(previous: str, position: int, originator: Any, version: int, topic: str,
            state: bytes | str) -> bytes:
    """What one link covers: the previous link's digest, then the event's place, identity and
    stored bytes."""
    identity = str(originator)
    if not CANONICAL.fullmatch(identity):  # already what str(UUID(...)) gives: skip the parse
        identity = str(UUID(identity))
    head = f"{previous}|{position}|{identity}|{version}|{topic}|".encode()
    return head + (state.encode() if isinstance(state, str) else bytes(state))


def link(previous: str, position: int, originator: Any, version: int, topic: str,
         state: bytes | str, key: SealKey | None = None) -> str:
    """One link: keyed (HMAC-SHA256) with `key`, or a legacy unkeyed SHA-256 one without."""
    data = message(previous, position, originator, version, topic, state)
    return key.mac(data) if key is not None else hashlib.sha256(data).hexdigest()


def tables(location: Location) -> tuple[str, str, str]:
    """(events, seal, position column) as this backend names them."""
    if location.is_sqlite:
        return "stored_events", "bzr_seal", "rowid"
    return (table(location, f"{APP_NAME.lower()}_events"), table(location, "bzr_seal"),
            "notification_id")


def seal_ddl(location: Location) -> list[str]:
    """The seal table (key_id NULL: a legacy unkeyed link) and its column on older stores."""
    _, seal, _ = tables(location)
    create = (f"CREATE TABLE IF NOT EXISTS {seal} (position BIGINT PRIMARY KEY,"
              " digest CHAR(64) NOT NULL, key_id VARCHAR(40))")
    if location.is_sqlite:  # the position is the rowid: no second b-tree to write each commit
        return [create.replace("BIGINT PRIMARY KEY", "INTEGER PRIMARY KEY")]
    return [create, f"ALTER TABLE {seal} ADD COLUMN IF NOT EXISTS key_id VARCHAR(40)"]


Head = tuple[int, str, "str | None"]
"""The chain's last link as the writer reads it under its lock: (position, digest, key id)."""
Row = tuple[int, Any, int, str, Any]
"""An event as linked: (position, originator id, version, topic, stored bytes)."""
ANCHOR_SQL = ("SELECT position, digest FROM {seal} WHERE key_id IS NULL AND position <"
              " (SELECT min(position) FROM {seal} WHERE key_id IS NOT NULL)"
              " ORDER BY position DESC LIMIT 1")
"""The last link before the first keyed one: where keys began (for a key file that predates
recording it)."""


class Sealer:
    """The writer's side, called under the write lock (SQLite's, PostgreSQL's EXCLUSIVE table
    lock) with the chain's head and the events just inserted: checks that the head may be
    extended and makes the keyed links. A head may be extended when it is keyed with a key of
    the key file, or when it is exactly where the key file says keys began (an empty chain, or
    the end of a chain sealed before keys that `seal upgrade` took on). An unkeyed head anywhere
    else is a chain rewritten without the key: refused, so no write ever vouches for it.

    A store with no key file gets one on its first write only when its chain is empty; a chain
    with keyed links and no key file is refused (rather than sealed with a key nobody can verify
    against), one sealed before keys is sent to `seal upgrade`."""

    def __init__(self, location: Location) -> None:
        self.location = location
        self.source = KeySource(location)

    def extend(self, head: Head | None, rows: list[Row], anchor_of: Callable[[], tuple[int, str]],
               before: int | None = None) -> list[tuple[int, str, str]]:
        """The links of `rows` (in position order) after `head`, as (position, digest, key id).
        `before`: the last event's position before `rows`, which `head` must be the link of
        (an event stored without its link, or a link deleted, is refused here too)."""
        position, digest, key_id = head or (0, GENESIS, None)
        if (before or 0) != position:
            raise IntegrityFailure("refusing to write: the last stored event is at position "
                                   "{last} but the seal's last link at {position}: events were "
                                   "stored outside the writer, or links deleted; run "
                                   "`bzr-workflow verify`", last=before or 0, position=position)
        ring = self._ring(head)
        if ring.anchor is None:  # `seal key create`, or a key file from before anchors
            if head is None:
                ring = self.source.anchored((0, GENESIS))
            elif key_id is None:
                raise self._unkeyed(position, Phrase(
                    "the key file does not say where keys began"))
            else:
                ring = self.source.anchored(anchor_of())
        anchor = ring.anchor
        assert anchor is not None
        if key_id is None and (position, digest) != anchor:
            raise self._unkeyed(position, Phrase(
                "keys began at position {anchor} (the seal key file {path})", anchor=anchor[0],
                path=ring.path))
        if key_id is not None and (ring.get(str(key_id)) is None or position <= anchor[0]):
            raise IntegrityFailure("refusing to write: the seal's last link (position "
                                   "{position}) was made with key {key_id}, which the seal key "
                                   "file {path} does not hold after position {anchor}; run "
                                   "`bzr-workflow verify`", position=position, key_id=key_id,
                                   path=ring.path, anchor=anchor[0])
        key = ring.active
        links = []
        for at, originator, version, topic, state in rows:
            digest = link(digest, at, originator, version, topic, state, key)
            links.append((at, digest, key.id))
        return links

    @staticmethod
    def _unkeyed(position: int, why: Phrase) -> IntegrityFailure:
        return IntegrityFailure("refusing to write: the seal's last link (position {position}) "
                                "is unkeyed and {why}: the seal was rewritten without the key, "
                                "or the store was sealed before keys (then run `bzr-workflow "
                                "seal upgrade` once); run `bzr-workflow verify`",
                                position=position, why=why)

    def _ring(self, head: Head | None) -> Keyring:
        ring = self.source.current()
        if ring is not None:
            return ring
        if head is not None:
            if head[2] is not None:
                raise BadInput("no seal key file at {path}, and this store's links are keyed: "
                               "set {KEY_ENV} to its key file", path=self.source.path,
                               KEY_ENV=sealkey.KEY_ENV)
            raise BadInput("no seal key file at {path}, and this store was sealed before seal "
                           "keys: run `bzr-workflow seal upgrade` once", path=self.source.path)
        try:
            return self.source.create((0, GENESIS))
        except BadInput:
            if not self.source.exists():  # not another writer making it a moment ago
                raise
            return self.source.ring()

    def seal_sqlite(self, cursor: Any, positions: list[int], stored: list[Any]) -> None:
        """Link the rows just inserted on `cursor` (SQLite holds the write lock from the first
        insert to the commit, so the last link read here is the one these follow)."""
        try:
            cursor.execute("SELECT position, digest, key_id FROM bzr_seal"
                           " ORDER BY position DESC LIMIT 1")
        except sqlite3.OperationalError as exc:  # a store sealed before keys: no key ids
            if "key_id" not in str(exc):
                raise
            raise BadInput("this store was sealed before seal keys: run `bzr-workflow seal"
                           " upgrade` once") from None
        row = cursor.fetchone()
        head = None if row is None else (int(row[0]), str(row[1]), row[2])

        def anchor_of() -> tuple[int, str]:
            cursor.execute(ANCHOR_SQL.format(seal="bzr_seal"))
            found = cursor.fetchone()
            return (int(found[0]), str(found[1])) if found else (0, GENESIS)

        rows = [(p, s.originator_id, s.originator_version, s.topic, s.state)
                for p, s in zip(positions, stored, strict=True)]
        cursor.execute("SELECT max(rowid) FROM stored_events WHERE rowid < ?", (min(positions),))
        before = cursor.fetchone()[0]
        cursor.executemany("INSERT INTO bzr_seal (position, digest, key_id) VALUES (?, ?, ?)",
                           self.extend(head, rows, anchor_of, before))


# -- reading: read-only connections -----------------------------------------------------


def sqlite_stamp(location: Location) -> tuple[bool, float, int]:
    """What says a writer touched an SQLite store: its -wal beside it, the file's mtime and size."""
    path = os.path.abspath(location.path)
    try:
        st = os.stat(path)
    except OSError:
        return (False, 0.0, 0)
    return (os.path.exists(path + "-wal"), st.st_mtime, st.st_size)


@contextmanager
def read_only(location: Location, live: bool = False) -> Iterator[Any]:
    """A connection that cannot write: SQLite opened `mode=ro` (or, in a folder nobody may write,
    `immutable`), PostgreSQL in a read-only transaction. A damaged SQLite file is exit 5."""
    if location.is_sqlite:
        path = os.path.abspath(location.path)
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            raise BadInput("no store at {path}; create one with `bzr-workflow init`",
                           path=location.path)
        # A file no process has open (no -wal beside it: a copy, a backup) is read as
        # immutable, so nothing is created beside it, even where the folder is writable; a
        # live store (or one a writer opened meanwhile: `live`) is read through its WAL.
        mode = "mode=ro" if live or os.path.exists(path + "-wal") else "immutable=1"
        from urllib.parse import quote  # here: a command that writes never reads this way
        try:
            conn = sqlite3.connect(f"file:{quote(path)}?{mode}", uri=True, timeout=10)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise IntegrityFailure("{path} is damaged or not a store: {exc}", path=location.path,
                                   exc=exc) from None
        try:
            yield conn
        finally:
            conn.close()
        return
    import psycopg

    try:
        pg = psycopg.connect(location.libpq_conninfo())
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise StoreUnavailable("cannot reach {where}: {first}", where=location.describe(),
                               first=first) from None
    try:
        pg.read_only = True
        yield pg
    finally:
        pg.close()


def _missing(exc: BaseException) -> bool:
    return "no such table" in str(exc) or type(exc).__name__ == "UndefinedTable"


@dataclass
class Checkpoint:
    """A signed statement that the chain had `head` at `position`, read from a file."""

    file: str
    store: str
    position: int
    head: str
    at: str
    key: str
    """Format 2: the signer's Ed25519 public key (hex); format 1: the HMAC key's id."""
    signature: str
    data: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def hmac(self) -> bool:
        return self.data.get("format") == HMAC_CHECKPOINT

    @property
    def keyed_from(self) -> tuple[int, str] | None:
        found = self.data.get("keyed_from")
        return None if not isinstance(found, dict) else (int(found["position"]),
                                                         str(found["digest"]))


def _signed_part(data: dict[str, Any]) -> bytes:
    return json.dumps({k: v for k, v in data.items() if k != "signature"}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":")).encode()


def read_checkpoint(path: str) -> Checkpoint:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.loads(f.read(1_000_000))
        if not isinstance(data, dict) or data.get("format") not in (CHECKPOINT, HMAC_CHECKPOINT):
            raise ValueError("not a checkpoint")
        key = data["key"] if data["format"] == HMAC_CHECKPOINT else data["public_key"]
        point = Checkpoint(path, str(data["store"]), int(data["position"]), str(data["head"]),
                           str(data["at"]), str(key), str(data["signature"]), data)
        _ = point.keyed_from  # readable
        return point
    except OSError as exc:
        raise BadInput("--checkpoint {path}: {strerror}",
                       path=path, strerror=exc.strerror) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise IntegrityFailure("checkpoint {path} is not a readable checkpoint ({exc})",
                               path=path, exc=exc) from None


class Seal:
    """The chain as stored: its tables and triggers (made by init), its head, and verify."""

    def __init__(self, location: Location) -> None:
        self.location = location
        self.events, self.table, self.position = tables(location)
        self._pg: Any = None

    def close(self) -> None:
        if self._pg is not None:
            self._pg.close()
            self._pg = None

    @contextmanager
    def _reader(self) -> Iterator[Any]:
        """For the head: SQLite, a read-only connection each time (microseconds); PostgreSQL,
        one kept read-only connection (connecting costs ~5 ms a sheet would pay each time)."""
        if self.location.is_sqlite:
            with read_only(self.location) as conn:
                yield conn
            return
        import psycopg

        if self._pg is None or self._pg.closed:
            with read_only(self.location) as probe:  # says why when it cannot connect
                probe.close()
            self._pg = psycopg.connect(self.location.libpq_conninfo(), autocommit=True)
            self._pg.read_only = True
        try:
            yield self._pg
        except psycopg.OperationalError:
            self.close()
            raise

    def create(self) -> None:
        """The seal table, and triggers refusing UPDATE and DELETE on events and seal alike."""
        # The events table first, then the seal, the order every writer takes their locks
        # (pgrecorder: the events table EXCLUSIVE, then the seal's head): on PostgreSQL a second
        # `init` on a store whose first events are being written waits for them. Seal first,
        # its ALTER held the seal while it waited for the events table, which that writer held
        # while it waited for the seal: PostgreSQL broke the deadlock by failing one of them.
        statements = [*self._guards(self.events), *seal_ddl(self.location),
                      *self._guards(self.table)]
        if self.location.is_sqlite:
            conn = sqlite3.connect(self.location.path, timeout=10, isolation_level=None)
            try:
                for statement in statements:
                    conn.execute(statement)
                columns = {r[1] for r in conn.execute("PRAGMA table_info(bzr_seal)")}
                if "key_id" not in columns:
                    conn.execute("ALTER TABLE bzr_seal ADD COLUMN key_id VARCHAR(40)")
            finally:
                conn.close()
            return
        import psycopg

        with psycopg.connect(self.location.libpq_conninfo()) as pg:
            for statement in statements:
                pg.execute(statement)

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

    def _mark(self) -> str:
        return "?" if self.location.is_sqlite else "%s"

    # -- the head, as the writers left it ---------------------------------------------------

    def head(self) -> tuple[int, str]:
        """The chain's last link: (position, digest); (0, GENESIS) for an empty log."""
        with self._reader() as conn:
            row = conn.execute(f"SELECT position, digest FROM {self.table}"
                               " ORDER BY position DESC LIMIT 1").fetchone()
        return (int(row[0]), str(row[1])) if row else (0, GENESIS)

    def digest_at(self, position: int) -> str:
        """The link sealing everything up to `position` (what a sheet of that position reflects)."""
        with self._reader() as conn:
            row = conn.execute(f"SELECT digest FROM {self.table} WHERE position <= {self._mark()}"
                               " ORDER BY position DESC LIMIT 1", (position,)).fetchone()
        return str(row[0]) if row else GENESIS

    def identity(self, conn: Any) -> str:
        """The store's identity in checkpoints: its first link (made under its key, from its
        first event's bytes, so no two stores share it)."""
        row = conn.execute(f"SELECT digest FROM {self.table} ORDER BY position LIMIT 1").fetchone()
        return str(row[0]) if row else GENESIS

    # -- checkpoints ------------------------------------------------------------------------

    def checkpoint(self, now: datetime | None = None) -> dict[str, Any]:
        """A statement of the head and of where keys began, signed with the key file's Ed25519
        key; it carries the public key (auditors compare it with the one they were given)."""
        with read_only(self.location) as conn:  # no store here: said before the key file
            ring = sealkey.load(sealkey.key_path(self.location))
            row = conn.execute(f"SELECT position, digest FROM {self.table}"
                               " ORDER BY position DESC LIMIT 1").fetchone()
            if row is None:
                raise BadInput("the log is empty: nothing to checkpoint yet")
            store = self.identity(conn)
        return self.signed(ring, {
            "format": CHECKPOINT, "store": store, "position": int(row[0]), "head": str(row[1]),
            "at": (now or datetime.now(UTC)).isoformat(timespec="seconds")})

    def signed(self, ring: Keyring, data: dict[str, Any]) -> dict[str, Any]:
        """`data` with where keys began, the public key, and the signature over all of it."""
        if ring.anchor is not None:
            data["keyed_from"] = {"position": ring.anchor[0], "digest": ring.anchor[1]}
        data["public_key"] = ring.public()
        data["signature"] = ring.sign(_signed_part(data))
        return data

    def head_statement(self, position: int, head: str) -> dict[str, str] | None:
        """What a document prints beside its head: the public key and a signature over the
        store, position and head (None when the key file cannot be read here: the document
        then carries the head alone)."""
        try:
            ring = sealkey.load(sealkey.key_path(self.location))
            public = ring.public()
        except BadInput:
            return None
        with self._reader() as conn:
            store = self.identity(conn)
        text = f"{CHECKPOINT}|{store}|{position}|{head}".encode()
        return {"store": store, "public_key": public, "signature": ring.sign(text)}

    def _check_signature(self, point: Checkpoint, ring: Keyring | None,
                         public: str | None) -> None:
        if point.hmac:
            if ring is None:
                raise BadInput("checkpoint {file} is signed with the seal's secret key (made "
                               "before public-key signatures): verifying it needs the seal key "
                               "file", file=point.file)
            key = ring.get(point.key)
            if key is None:
                raise IntegrityFailure("checkpoint {file}: signed with key {key}, which is not "
                                       "in the seal key file {path}", file=point.file,
                                       key=point.key, path=ring.path)
            if not hmac.compare_digest(key.mac(_signed_part(point.data)), point.signature):
                raise IntegrityFailure("checkpoint {file}: its signature does not match (the "
                                       "file was altered, or signed with another key)",
                                       file=point.file)
            return
        trusted = public or (ring.public() if ring is not None else None)
        if trusted is None:
            raise BadInput("checking checkpoint {file} needs the seal's public key: give "
                           "--public-key (or {PUBLIC_ENV}), or the seal key file",
                           file=point.file, PUBLIC_ENV=PUBLIC_ENV)
        if point.key.lower() != trusted.lower() or not sealkey.signed_by(
                sealkey.check_public(trusted), point.signature, _signed_part(point.data)):
            raise IntegrityFailure("checkpoint {file}: its signature does not match the seal's "
                                   "public key (the file was altered, or signed with another "
                                   "key)", file=point.file)

    # -- verify -----------------------------------------------------------------------------

    def _pages(self, conn: Any, after: int) -> Iterator[list[Any]]:
        """The stored events after `after` in order, PAGE rows at a time."""
        mark = self._mark()
        while True:
            page = conn.execute(
                f"SELECT {self.position}, originator_id, originator_version, topic, state"
                f" FROM {self.events} WHERE {self.position} > {mark}"
                f" ORDER BY {self.position} LIMIT {PAGE}", (after,)).fetchall()
            if not page:
                return
            yield page
            after = int(page[-1][0])

    def verify(self, head: str | None = None, checkpoints: list[str] | None = None,
               upgrading: bool = False, public: str | None = None) -> dict[str, Any]:
        """Recompute the chain from the stored events, reading only; exit 5 (IntegrityFailure)
        naming the first position that does not match, or the checkpoint the log no longer
        extends. Events and links are read a page at a time: memory stays flat. `upgrading`
        (seal upgrade, on a store sealed before keys): an unsealed tail and an unkeyed end pass,
        and the result says where the tail starts. `public`: the seal's public key (hex), which
        checks checkpoints without the key file; with no key file, the links are then not
        recomputed (that needs the secret key), only checked against the checkpoints."""
        if public:
            sealkey.check_public(public)
        points = [read_checkpoint(path) for path in checkpoints or []]
        before = sqlite_stamp(self.location) if self.location.is_sqlite else None
        try:
            return self._verify_once(head, points, upgrading, public, live=False)
        except IntegrityFailure:
            # Read as immutable (no writer had it open), a store a writer opened meanwhile can
            # look damaged: read it again through its WAL before saying so
            if before is None or before[0] or sqlite_stamp(self.location) == before:
                raise
            return self._verify_once(head, points, upgrading, public, live=True)

    def _verify_once(self, head: str | None, points: list[Any], upgrading: bool,
                     public: str | None, live: bool) -> dict[str, Any]:
        try:
            with read_only(self.location, live) as conn:
                self._tables_present(conn)  # no store here: said before the key file is looked for
                path = sealkey.key_path(self.location)
                ring = None
                if os.path.exists(path) or not (upgrading or (public and points)):
                    ring = sealkey.load(path)
                for point in points:
                    self._check_signature(point, ring, public)
                return self._verify(conn, ring, head, points, upgrading)
        except (sqlite3.DatabaseError, _pg_error()) as exc:
            if _missing(exc):
                raise IntegrityFailure("a table of the store is missing ({reason}): the seal or "
                                       "the events were dropped", reason=_first(exc)) from None
            raise IntegrityFailure("the store cannot be read as stored ({reason}): the file or "
                                   "database is damaged", reason=_first(exc)) from None

    def _tables_present(self, conn: Any) -> None:
        """SQLite: the file is sound; both: events and seal are there (neither: no store)."""
        if self.location.is_sqlite:
            check = conn.execute("PRAGMA quick_check").fetchall()
            if [tuple(r) for r in check] != [("ok",)]:
                raise IntegrityFailure("the store file is damaged: {reason}", reason=check[0][0])
            names = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            present = [t for t in (self.events, self.table) if t in names]
        else:
            present = [t for t in (self.events, self.table) if conn.execute(
                "SELECT to_regclass(%s)", (t,)).fetchone()[0] is not None]
        if not present:
            raise BadInput("no store in {where}; create one with `bzr-workflow init`",
                           where=self.location.describe())
        for needed in (self.events, self.table):
            if needed not in present:
                raise IntegrityFailure("the table {needed} is missing: the seal or the events "
                                       "were dropped", needed=needed)

    def _verify(self, conn: Any, ring: Keyring | None, head: str | None,
                points: list[Checkpoint], upgrading: bool = False) -> dict[str, Any]:
        """With no key file (`ring` None: public-key checking, or upgrading a store sealed
        before keys) the keyed links are taken as stored, not recomputed."""
        wanted = None if head is None else head.strip().lower()
        anchor = ring.anchor if ring is not None else next(
            (p.keyed_from for p in points if p.keyed_from is not None), None)
        at = {p.position: p for p in points}
        found = wanted == GENESIS
        mark = self._mark()
        digest, count, position, keyed = GENESIS, 0, 0, False
        seen: set[int] = set()
        tail: int | None = None  # upgrading: where the events the old version left unsealed start
        for page in self._pages(conn, 0):
            stored = {int(r[0]): (str(r[1]), r[2]) for r in conn.execute(
                f"SELECT position, digest, key_id FROM {self.table} WHERE position >= {mark}"
                f" AND position <= {mark}", (page[0][0], page[-1][0])).fetchall()}
            for position, originator, version, topic, state in page:
                position = int(position)
                sealed = stored.get(position)
                if sealed is None and upgrading:
                    tail = position if tail is None else tail
                    continue
                if tail is not None:
                    raise IntegrityFailure("position {position}: a seal link after unsealed "
                                           "events (from position {tail})", position=position,
                                           tail=tail)
                if sealed is None:
                    raise IntegrityFailure("position {position}: the event has no seal link "
                                           "(stored outside the writer, or its link deleted)",
                                           position=position)
                link_digest, key_id = sealed
                if key_id is None:
                    if keyed:
                        raise IntegrityFailure("position {position}: an unkeyed link after "
                                               "keyed ones (the seal was rewritten)",
                                               position=position)
                    if anchor is not None and position > anchor[0]:
                        raise IntegrityFailure("position {position}: an unkeyed link after "
                                               "position {anchor}, where keys began (the seal "
                                               "key file says so): the seal was rewritten "
                                               "without the key", position=position,
                                               anchor=anchor[0])
                    key = None
                else:
                    keyed = True
                    if anchor is not None and position <= anchor[0]:
                        raise IntegrityFailure("position {position}: a keyed link before "
                                               "position {anchor}, where keys began",
                                               position=position, anchor=anchor[0])
                    key = None if ring is None else ring.get(str(key_id))
                    if key is None and ring is not None:
                        raise IntegrityFailure(
                            "position {position}: sealed with key {key_id}, which is not in the "
                            "seal key file {path}", position=position, key_id=key_id,
                            path=ring.path)
                try:
                    digest = (str(link_digest) if ring is None and key_id is not None else
                              link(digest, position, originator, version, topic, state, key))
                except (ValueError, TypeError):
                    raise IntegrityFailure("position {position}: the stored event is garbled "
                                           "(originator {originator!r})", position=position,
                                           originator=originator) from None
                if not hmac.compare_digest(link_digest, digest):
                    raise IntegrityFailure("position {position}: the stored event does not "
                                           "match its seal link (the event or the link was "
                                           "changed)", position=position)
                count += 1
                if anchor is not None and position == anchor[0] and digest != anchor[1]:
                    raise IntegrityFailure("position {position}: the link where keys began is "
                                           "not the one the seal key file names (the seal was "
                                           "rewritten)", position=position)
                found = found or digest == wanted
                point = at.get(position)
                if point is not None:
                    seen.add(position)
                if point is not None and point.head != digest:
                    raise IntegrityFailure("checkpoint {file}: position {position} had {head}, "
                                           "the log now has {digest} (history was rewritten)",
                                           file=point.file, position=position, head=point.head,
                                           digest=digest)
        last_link = conn.execute(f"SELECT max(position) FROM {self.table}").fetchone()[0]
        if last_link is not None and int(last_link) > position:
            orphan = conn.execute(
                f"SELECT min(position) FROM {self.table} WHERE position > {mark}",
                (position,)).fetchone()[0]
            raise IntegrityFailure("position {orphan}: a seal link without its event (the event "
                                   "was deleted)", orphan=orphan)
        sealed_count = int(conn.execute(f"SELECT count(*) FROM {self.table}").fetchone()[0])
        if sealed_count != count:
            raise IntegrityFailure("{missing} seal link(s) have no event: events were deleted",
                                   missing=sealed_count - count)
        if count and not keyed and not upgrading:
            raise IntegrityFailure("position {position}: the chain ends in an unkeyed link: "
                                   "links rewritten without the key, or a store sealed before "
                                   "seal keys (then run `bzr-workflow seal upgrade` once, on "
                                   "the store as the old version left it)", position=position)
        if anchor is not None and anchor[0] > position:
            raise IntegrityFailure("the log ends at position {position}, before position "
                                   "{anchor} where keys began: events were removed",
                                   position=position, anchor=anchor[0])
        identity = self.identity(conn)
        for point in points:
            if point.position > position:
                raise IntegrityFailure("checkpoint {file}: position {position} is beyond the "
                                       "log's end at {end} (events were removed)",
                                       file=point.file, position=point.position,
                                       end=position)
            if point.store != identity:
                raise IntegrityFailure("checkpoint {file} is of another store, or this store's "
                                       "first events were rewritten", file=point.file)
            if point.position not in seen:
                raise IntegrityFailure("checkpoint {file}: position {position} is no longer in "
                                       "the log (its event was removed)", file=point.file,
                                       position=point.position)
        if wanted is not None and not found:
            raise IntegrityFailure("{head} is not a link of this store's chain", head=head)
        result: dict[str, Any] = {"head": digest, "position": position, "events": count,
                                  "verified": True}
        if ring is None and not upgrading:
            result["links_recomputed"] = False  # no secret key here: checked with the public one
        if upgrading:
            result |= {"keyed": keyed, "unsealed_from": tail}
        if points:
            result["checkpoints"] = [p.file for p in points]
        return result


def _pg_error() -> type[BaseException]:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - a dependency
        return sqlite3.DatabaseError
    return psycopg.Error


def _first(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def check_digest(value: str) -> str:
    text = value.strip().lower()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise BadInput("--head {value!r}: give a 64-character SHA-256 digest", value=value)
    return text


def write_checkpoint(data: dict[str, Any], path: str) -> None:
    """A checkpoint into a new file (never over an existing one)."""
    try:
        with open(path, "x", encoding="utf-8") as f:
            f.write(json.dumps(data, indent=2) + "\n")
    except FileExistsError:
        raise BadInput("--out {path} exists already; give a new file", path=path) from None
    except OSError as exc:
        raise BadInput("--out {path}: {strerror}", path=path, strerror=exc.strerror) from None


def _anchor_upgrade(sealer: Sealer, anchor: tuple[int, str]) -> SealKey:
    """The key file, saying keys begin after `anchor` (the old chain's last link): made, or an
    older key file given its anchor. A key file that says keys began elsewhere is refused: its
    store was keyed, so an unkeyed chain now is one rewritten without the key."""
    source = sealer.source
    if not source.exists():
        return source.create(anchor).active
    ring = source.ring()
    if ring.anchor is not None and ring.anchor != anchor:
        raise IntegrityFailure("the seal key file {path} says keys began at position {anchor}: "
                               "this store's chain was keyed, and is unkeyed now: it was "
                               "rewritten without the key (`seal upgrade` is for a store sealed "
                               "before keys, once)", path=ring.path, anchor=ring.anchor[0])
    return source.anchored(anchor).active


def upgrade(location: Location, sealer: Sealer, record: Callable[[], object]) -> dict[str, Any]:
    """Bring a store sealed before seal keys under its key: link its unsealed tail (the old
    version sealed after each commit, so a tail may be left), then, if the chain still ends in
    an unkeyed link, `record` the upgrade as a command, whose link the writer keys. Taken as it
    is: what the store holds when this runs is what the key vouches for."""
    seal = Seal(location)
    seal.create()
    checked = seal.verify(upgrading=True)  # the old links must hold before the key vouches
    if checked["keyed"]:
        raise BadInput("this store's chain is keyed already: there is nothing to upgrade")
    events, table_name, position = tables(location)
    mark = seal._mark()  # noqa: SLF001 - the same class's dialect
    if location.is_sqlite:
        conn: Any = sqlite3.connect(location.path, timeout=10, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
    else:
        import psycopg

        conn = psycopg.connect(location.libpq_conninfo())
        conn.execute(f"LOCK TABLE {events} IN EXCLUSIVE MODE")
    try:
        if conn.execute(f"SELECT 1 FROM {table_name} WHERE key_id IS NOT NULL"
                        " LIMIT 1").fetchone() is not None:
            raise BadInput("another writer keyed the chain meanwhile: run verify instead")
        row = conn.execute(f"SELECT position, digest, key_id FROM {table_name}"
                           " ORDER BY position DESC LIMIT 1").fetchone()
        last, digest = (int(row[0]), str(row[1])) if row else (0, GENESIS)
        key = _anchor_upgrade(sealer, (last, digest))
        tail = conn.execute(f"SELECT {position}, originator_id, originator_version, topic, state"
                            f" FROM {events} WHERE {position} > {mark} ORDER BY {position}",
                            (last,)).fetchall()
        links = []
        for pos, originator, version, topic, state in tail:
            digest = link(digest, int(pos), originator, version, topic, state, key)
            links.append((int(pos), digest, key.id))
        if links:
            cursor = conn.cursor()
            cursor.executemany(f"INSERT INTO {table_name} (position, digest, key_id)"
                               f" VALUES ({mark}, {mark}, {mark})", links)
        conn.execute("COMMIT") if location.is_sqlite else conn.commit()
    except BaseException:
        conn.execute("ROLLBACK") if location.is_sqlite else conn.rollback()
        raise
    finally:
        conn.close()
    if not links:
        record()
    end, head = seal.head()
    return {"sealed": len(links), "position": end, "head": head, "key": key.id}


class Checkpointer:
    """The server's checkpoints: one at start, then one every `every` seconds in which the
    log grew, each a new file `checkpoint-<UTC time>-<position>.json` in `folder`."""

    def __init__(self, location: Location, folder: str, every: float) -> None:
        if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
            raise BadInput("--checkpoint-dir {folder}: not a folder this process may write to",
                           folder=folder)
        self.seal, self.folder, self.every = Seal(location), folder, every
        self.written = -1
        import threading

        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="checkpoints", daemon=True)

    def start(self) -> None:
        self.write()  # at start, in the caller: a key or store problem is said before serving
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def write(self) -> str | None:
        """A checkpoint file if the head moved since the last one; its path, or None."""
        data = self.seal.checkpoint()
        if data["position"] == self.written:
            return None
        stamp = data["at"].replace(":", "").replace("-", "").replace("+0000", "Z")
        path = os.path.join(self.folder, f"checkpoint-{stamp}-{data['position']}.json")
        write_checkpoint(data, path)
        self.written = int(data["position"])
        return path

    def _run(self) -> None:
        import sys

        while not self._stop.wait(self.every):
            try:
                self.write()
            except Exception as exc:  # noqa: BLE001 - the server keeps serving; said on stderr
                print(f"checkpoint not written: {_first(exc)}", file=sys.stderr, flush=True)
