"""Personal data under a key per person, so erasing the key erases the data and not the history.

Which fields of which events are personal, and whose they are, is the table `OWNED` below: the
mapper (`PersonalMapper`) stores those fields encrypted under their owner's key, in
`enc2:LOGIN:KID:...` form, and gives the domain the clear text back (or `ERASED` once the key is
gone). The views are projected from the stored form (`reveal=False`), so they hold the same
ciphertext, and `Reads` opens it (`KeyRing.reveal`) as it answers. The per-person keys are kept
in `bzr_person_keys`, encrypted under the store key when there is one (BZR_WORKFLOW_CIPHER_KEY).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Callable, Iterator
import sqlite3
import threading
from contextlib import ExitStack, contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import TopicError, get_topic

from ..domain.case import Case
from ..domain.errors import BadInput, Conflict
from ..domain.user import User
from .rawdb import mark, missing_table, table, transaction
from .store import Location

if TYPE_CHECKING:
    from eventsourcing.domain import DomainEventProtocol

ERASED = "（已删除）"
PREFIX = "enc1:"  # a profile value sealed by the application before the mapper did it (old stores)
PREFIX2 = "enc2:"
SEALED = re.compile(r"enc2:([\w.@\-]{1,64}):([0-9a-f]{16}):([A-Za-z0-9+/=]+)")
KEYS_LOCK = 7_305_771_203
WRAPPED = "wrap1:"

CLEAR_DATA = frozenset({"distinction", "start"})
"""Keys of a case's opening data the rules and views read: not personal, kept in clear."""
CLEAR_PROFILE = frozenset({"employment"})
"""Profile fields the allowance rules compute from (专职/兼职): not personal, kept in clear."""

ATTACHED_CLEAR = frozenset({"digest", "type", "size"})
"""An attached file's digest, type and size: not personal; its name (often the advisor's own,
or a student's) is sealed under the advisor's key like the summary's text."""

Owned = tuple[str, str, frozenset[str]]
OWNED: dict[type, tuple[Owned, ...]] = {
    # (field, the field naming whose key it is under, keys of a dict field left in clear)
    User.Registered: (("name", "login", frozenset()),),
    User.ProfileUpdated: (("fields", "login", CLEAR_PROFILE),),
    Case.Opened: (("note", "opener", frozenset()), ("data", "subject", CLEAR_DATA)),
    Case.Signed: (("comment", "actor", frozenset()),),
    Case.Countersigned: (("comment", "actor", frozenset()),),
    Case.Vetoed: (("reason", "actor", frozenset()),),
    Case.Returned: (("reason", "actor", frozenset()),),
    Case.Withdrawn: (("reason", "actor", frozenset()),),
    Case.SummarySubmitted: (("text", "actor", frozenset()),
                            ("attachments", "actor", ATTACHED_CLEAR)),
    Case.VetoFlagged: (("reason", "actor", frozenset()),),
    Case.VetoCleared: (("reason", "actor", frozenset()),),
    Case.ObjectionLodged: (("reason", "actor", frozenset()),),
    Case.ObjectionResolved: (("comment", "actor", frozenset()),),
}
"""Every event field holding a person's text, and whose key it is under: free text (comments,
reasons, notes, summaries) under its author's, a person's name and profile under their own, a
nomination's data (事迹, the 推荐表's fields) under the nominee's. Every other event field is a
code, a login, a date, a number or a label from the policy: nothing personal. Nothing
snapshots, so no aggregate state is stored beside the events."""


OWNED_BY_TOPIC: dict[str, tuple[Owned, ...]] = {
    "bzr.worklog.recorded": (("entries", "actor", frozenset({"activity", "date", "count",
                                                             "hours", "class"})),),
    "bzr.notice.queued": (("subject", "person", frozenset()), ("text", "person", frozenset())),
}
"""`OWNED` continued for the events of aggregates a command imports only when it uses them
(the work log, the notices), named by their stored topic (WorkLog.Recorded, Notice.Queued)."""

_owned: dict[type, tuple[Owned, ...]] = {}


def owned(kind: type) -> tuple[Owned, ...]:
    """The personal fields of an event class: `OWNED`, else `OWNED_BY_TOPIC` by its own topic."""
    found = _owned.get(kind)
    if found is None:
        found = _owned[kind] = OWNED.get(kind) or OWNED_BY_TOPIC.get(get_topic(kind), ())
    return found


class PersonKeys:
    """The one mutable table: keys may be destroyed (person erase), events never are."""

    def __init__(self, location: Location) -> None:
        self.location, self.table = location, table(location, "bzr_person_keys")
        self.mark = mark(location)
        self._made = False
        self._lite = threading.local()  # SQLite: a connection kept for reading keys
        self._opened: list[sqlite3.Connection] = []
        self._pg = threading.local()  # PostgreSQL: a connection kept per thread, not one per key
        self._pg_opened: list[Any] = []

    @contextmanager
    def _transaction(self, read: bool = False) -> Iterator[Any]:
        """A short transaction on the keys table; a connection the server dropped is made
        again once, and a database busy or unreachable is a Conflict (exit 4), as for events."""
        try:
            with ExitStack() as stack:
                if self.location.is_sqlite and read:  # a read takes no write lock
                    conn = getattr(self._lite, "conn", None)
                    if conn is None:  # one per thread (the web server's workers)
                        conn = self._lite.conn = sqlite3.connect(
                            self.location.path, timeout=10, isolation_level=None,
                            check_same_thread=False)  # closed by whoever closes the app
                        self._opened.append(conn)
                elif self.location.is_sqlite:
                    conn = stack.enter_context(transaction(self.location, KEYS_LOCK))
                else:
                    try:
                        conn = stack.enter_context(transaction(self.location, KEYS_LOCK,
                                                               self._connection()))
                    except Exception as exc:  # noqa: BLE001 - a dropped connection: once more
                        if not _unreachable(exc):
                            raise
                        self._drop_connection()
                        conn = stack.enter_context(transaction(self.location, KEYS_LOCK,
                                                               self._connection()))
                yield conn
        except Exception as exc:
            if _unreachable(exc) and not missing_table(exc):
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise Conflict("the database is busy or unreachable ({first})",
                               first=first) from None
            raise

    def _connection(self) -> Any:
        conn = getattr(self._pg, "conn", None)
        if conn is None or conn.closed or conn.broken:
            import psycopg

            conn = self._pg.conn = psycopg.connect(self.location.libpq_conninfo(),
                                                   autocommit=True)
            self._pg_opened.append(conn)
        return conn

    def _drop_connection(self) -> None:
        """This thread's PostgreSQL connection, which the server dropped: the next makes one."""
        conn = getattr(self._pg, "conn", None)
        if conn is not None:
            conn.close()
            self._pg.conn = None

    def close(self) -> None:
        for conn in self._opened:
            conn.close()
        self._opened.clear()
        self._lite = threading.local()
        for conn in self._pg_opened:
            conn.close()
        self._pg_opened.clear()
        self._pg = threading.local()

    def create(self) -> None:
        if self._made:
            return
        with self._transaction() as conn:
            conn.execute(f"CREATE TABLE IF NOT EXISTS {self.table}"
                         " (login VARCHAR(64) PRIMARY KEY, key_b64 TEXT NOT NULL)")
        self._made = True

    def get(self, login: str) -> bytes | None:
        try:
            with self._transaction(read=True) as conn:
                row = conn.execute(f"SELECT key_b64 FROM {self.table} WHERE login = {self.mark}",
                                   (login,)).fetchone()
        except Exception as exc:
            if missing_table(exc):  # a store made before personal data: nobody has a key
                return None
            raise
        return self._unwrap(login, row[0]) if row else None

    def ensure(self, login: str) -> bytes:
        found = self.get(login)  # most often there: no write lock taken
        if found is not None:
            return found
        self.create()
        with self._transaction() as conn:
            row = conn.execute(f"SELECT key_b64 FROM {self.table} WHERE login = {self.mark}",
                               (login,)).fetchone()
            if row:
                return self._unwrap(login, row[0])
            key = os.urandom(32)
            conn.execute(f"INSERT INTO {self.table} (login, key_b64) VALUES"
                         f" ({self.mark}, {self.mark})", (login, self._wrap(login, key)))
            return key

    def get_many(self, logins: list[str]) -> dict[str, bytes]:
        """The keys these people have (a read of many rows: a list of cases, of users)."""
        found: dict[str, bytes] = {}
        try:
            with self._transaction(read=True) as conn:
                for i in range(0, len(logins), 500):
                    part = logins[i:i + 500]
                    marks = ", ".join([self.mark] * len(part))
                    for login, stored in conn.execute(
                            f"SELECT login, key_b64 FROM {self.table} WHERE login IN ({marks})",
                            part).fetchall():
                        found[login] = self._unwrap(login, stored)
        except Exception as exc:
            if missing_table(exc):
                return {}
            raise
        return found

    def ensure_many(self, logins: list[str]) -> dict[str, bytes]:
        """`ensure` for many people in one transaction (a bulk import registers hundreds)."""
        found = {login: key for login in logins if (key := self.get(login)) is not None}
        missing = [login for login in logins if login not in found]
        if missing:
            self.create()
            with self._transaction() as conn:
                for login in missing:
                    row = conn.execute(f"SELECT key_b64 FROM {self.table} WHERE login ="
                                       f" {self.mark}", (login,)).fetchone()
                    if row:
                        found[login] = self._unwrap(login, row[0])
                        continue
                    found[login] = os.urandom(32)
                    conn.execute(f"INSERT INTO {self.table} (login, key_b64) VALUES"
                                 f" ({self.mark}, {self.mark})",
                                 (login, self._wrap(login, found[login])))
        return found

    def erase(self, login: str) -> bool:
        """Delete the key, overwriting the freed bytes (SQLite: secure_delete, then the WAL
        checkpointed and truncated so no older copy of the page stays in it; PostgreSQL: the
        table rewritten. The server's own WAL and any backup still hold what they held.)"""
        self.create()
        if self.location.is_sqlite:
            conn = sqlite3.connect(self.location.path, timeout=10, isolation_level=None)
            try:
                conn.execute("PRAGMA secure_delete = ON")
                conn.execute("BEGIN IMMEDIATE")
                cur = conn.execute(f"DELETE FROM {self.table} WHERE login = ?", (login,))
                conn.execute("COMMIT")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                return bool(cur.rowcount)
            finally:
                conn.close()
        with self._transaction() as conn:
            cur = conn.execute(f"DELETE FROM {self.table} WHERE login = {self.mark}", (login,))
            erased = bool(cur.rowcount)
        try:  # PostgreSQL: rewrite the (small) table, so the deleted row's bytes are not kept
            self._connection().execute(f"VACUUM FULL {self.table}")
        except Exception:  # noqa: BLE001, S110 - the key is deleted; this only tidies the file
            pass
        return erased

    def _store_key(self) -> bytes | None:
        return base64.b64decode(self.location.cipher_key) if self.location.cipher_key else None

    def _wrap(self, login: str, key: bytes) -> str:
        """With a store key, a person's key is kept encrypted under it (bound to the login)."""
        store = self._store_key()
        if store is None:
            return base64.b64encode(key).decode()
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(12)
        sealed = AESGCM(store).encrypt(nonce, key, login.encode())
        return WRAPPED + base64.b64encode(nonce + sealed).decode()

    def _unwrap(self, login: str, stored: str) -> bytes:
        if not stored.startswith(WRAPPED):
            return base64.b64decode(stored)  # kept before there was a store key
        store = self._store_key()
        if store is None:
            raise BadInput("the personal-data keys are encrypted; set BZR_WORKFLOW_CIPHER_KEY"
                           " to this store's key")
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        raw = base64.b64decode(stored[len(WRAPPED):])
        try:
            return AESGCM(store).decrypt(raw[:12], raw[12:], login.encode())
        except InvalidTag:
            raise BadInput("the personal-data keys are encrypted with another key; set"
                           " BZR_WORKFLOW_CIPHER_KEY to this store's key") from None


def _unreachable(exc: BaseException) -> bool:
    """An OperationalError of either driver: locked, dropped, unreachable."""
    return type(exc).__name__ in ("OperationalError", "AdminShutdown", "ConnectionTimeout") \
        or type(exc).__module__.startswith("psycopg") and "Operational" in \
        " ".join(c.__name__ for c in type(exc).__mro__)


def kid(key: bytes) -> str:
    """Which key a value was sealed under: a key made after an erasure has another."""
    return hashlib.sha256(b"bzr-person-key" + key).hexdigest()[:16]


def seal_value(key: bytes, text: str) -> str:
    """The old (enc1) form, kept for reading stores that have it."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    return PREFIX + base64.b64encode(nonce + AESGCM(key).encrypt(nonce, text.encode(), None)).decode()


def open_value(key: bytes | None, value: Any) -> str:
    """The clear text of an enc1 value, or ERASED once the person's key is gone (or replaced
    by a key made after an erasure)."""
    text = str(value or "")
    if not text.startswith(PREFIX):
        return text
    if key is None:
        return ERASED
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    raw = base64.b64decode(text[len(PREFIX):])
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], None).decode()
    except InvalidTag:
        return ERASED


class KeyRing:
    """The person keys fetched so far, each once; `forget` drops them in every thread, whenever
    an erasure may have happened: before each read of the views, after an erasure here, and when
    a command finds in the log events it did not write (aggcache's `on_unseen`: an erasure is
    stored as an event before its key is deleted)."""

    def __init__(self, location: Location) -> None:
        self.keys = PersonKeys(location)
        self._local = threading.local()  # each thread's own: the web runs commands in a pool
        self._epoch = 0  # moved by `forget`: a thread's keys fetched before it are dropped
        self._epoch_lock = threading.Lock()

    @property
    def _cache(self) -> dict[str, bytes | None]:
        """The keys this thread fetched since the last `forget`."""
        local, epoch = self._local, self._epoch
        if getattr(local, "epoch", None) != epoch:
            local.cache, local.epoch = {}, epoch
        cache: dict[str, bytes | None] = local.cache
        return cache

    def forget(self) -> None:
        with self._epoch_lock:
            self._epoch += 1

    def key_for_writing(self, login: str) -> bytes:
        key = self._cache.get(login)
        if key is None:
            key = self.keys.ensure(login)  # a new key when the old one was erased
            self._cache[login] = key
        return key

    def prepare(self, events: list[Any]) -> None:
        """Make, in one transaction, the keys these events' personal fields will be sealed
        under, before the events' own transaction (SQLite has one writer at a time)."""
        owners = {str(vars(e).get(owner) or "") for e in events
                  for field, owner, _ in owned(type(e)) if vars(e).get(field)}
        wanted = sorted(o for o in owners if o and self._cache.get(o) is None)
        if wanted:
            self._cache.update(self.keys.ensure_many(wanted))

    def key(self, login: str) -> bytes | None:
        cache = self._cache  # once: another thread's `forget` makes the next one a new dict
        if login not in cache:
            cache[login] = self.keys.get(login)
        return cache[login]

    def seal(self, login: str, text: str) -> str:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        key = self.key_for_writing(login)
        nonce = os.urandom(12)
        sealed = AESGCM(key).encrypt(nonce, text.encode(), login.encode())
        return f"{PREFIX2}{login}:{kid(key)}:{base64.b64encode(nonce + sealed).decode()}"

    def open(self, value: str) -> str:
        """Clear text of one `enc2:` value; ERASED when its key is gone or was replaced."""
        found = SEALED.fullmatch(value)
        if not found:
            return value
        login, key_id, body = found.groups()
        key = self.key(login)
        if key is None or kid(key) != key_id:
            return ERASED
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        raw = base64.b64decode(body)
        try:
            return AESGCM(key).decrypt(raw[:12], raw[12:], login.encode()).decode()
        except InvalidTag:
            return ERASED

    def reveal(self, obj: Any) -> Any:
        """`obj` (rows, dicts, lists, JSON text from a view) with every sealed value opened;
        the keys it needs are fetched first, all at once."""
        logins: set[str] = set()
        _sealed_logins(obj, logins)
        wanted = sorted(login for login in logins if login not in self._cache)
        if wanted:
            found = self.keys.get_many(wanted)
            self._cache.update({login: found.get(login) for login in wanted})
        return self._reveal(obj)

    def _reveal(self, obj: Any) -> Any:
        if isinstance(obj, str):
            if PREFIX2 not in obj:
                return obj
            if obj.startswith(PREFIX2):
                return self.open(obj)
            return SEALED.sub(lambda m: _json_safe(self.open(m.group(0))), obj)
        if isinstance(obj, dict):
            return {k: self._reveal(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self._reveal(v) for v in obj]
        if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
            return tuple(self._reveal(v) for v in obj)
        return obj


def _sealed_logins(obj: Any, into: set[str]) -> None:
    if isinstance(obj, str):
        if PREFIX2 in obj:
            into.update(m.group(1) for m in SEALED.finditer(obj))
    elif isinstance(obj, dict):
        for v in obj.values():
            _sealed_logins(v, into)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _sealed_logins(v, into)


def _json_safe(text: str) -> str:
    """Opened text put back inside a JSON string a view kept (flags, explanations)."""
    import json

    return json.dumps(text, ensure_ascii=False)[1:-1]


def _seal_tree(value: Any, seal: Callable[[str], str], clear: frozenset[str]) -> Any:
    if isinstance(value, str):
        return seal(value) if value else value
    if isinstance(value, dict):
        return {k: v if k in clear else _seal_tree(v, seal, clear) for k, v in value.items()}
    if isinstance(value, list):
        return [_seal_tree(v, seal, clear) for v in value]
    return value


def _open_tree(value: Any, open_: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return open_(value) if value.startswith(PREFIX2) else value
    if isinstance(value, dict):
        return {k: _open_tree(v, open_) for k, v in value.items()}
    if isinstance(value, list):
        return [_open_tree(v, open_) for v in value]
    return value


_every_imported = False


def every_event_class() -> bool:
    """Imports every module of the domain, so that each stored topic names a defined class;
    False when that was already done (nothing more can be found)."""
    global _every_imported
    if _every_imported:
        return False
    import importlib
    import pkgutil

    from .. import domain

    for module in pkgutil.iter_modules(domain.__path__):
        importlib.import_module(f"{domain.__name__}.{module.name}")
    _every_imported = True
    return True


class PersonalMapper(Mapper[Any]):
    """eventsourcing's Mapper, with each event's personal fields (`OWNED`) stored under their
    owner's key. `reveal=False` (what the views read) leaves them sealed."""

    def __init__(self, base: Mapper[Any], ring: KeyRing, reveal: bool = True) -> None:
        super().__init__(base.transcoder, base.compressor, base.cipher)
        self.ring, self.reveal = ring, reveal

    def sealed_twin(self) -> PersonalMapper:
        return PersonalMapper(self, self.ring, reveal=False)

    def to_stored_event(self, domain_event: DomainEventProtocol[Any]) -> StoredEvent:
        fields = owned(type(domain_event))
        if fields:
            state = dict(vars(domain_event))
            for field, owner, clear in fields:
                login = str(state.get(owner) or "")
                if login and field in state:
                    state[field] = _seal_tree(state[field], partial(self.ring.seal, login),
                                              clear)
            twin = object.__new__(type(domain_event))
            object.__setattr__(twin, "__dict__", state)
            domain_event = twin
        return super().to_stored_event(domain_event)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[Any]:
        try:
            event = super().to_domain_event(stored_event)
        except TopicError:
            # A topic registered by a domain module this process has not imported yet (the
            # composition root imports a service's modules when it is first used): import them
            # all, once, and decode again; a topic still unknown after that is an error.
            if not every_event_class():
                raise
            event = super().to_domain_event(stored_event)
        if self.reveal:
            fields = owned(type(event))
            if fields:
                state = vars(event)
                for field, _, _ in fields:
                    if field in state:
                        state[field] = _open_tree(state[field], self.ring.open)
        return event
