"""The aggregate cache: aggregates handed out as copy-on-write views, kept current from the log's head once per command.

A cached aggregate (the master) is never changed in place and never handed out. `get` hands out
a view: a new object of the same class whose attributes are the master's, the containers in them
shared. A view that only reads costs a dict copy, not a deep copy. The first event a view triggers
(every change of state goes through `trigger_event`: the domain's `@event` methods only assign)
first deep-copies the view's own attributes, so the change never reaches the master. A command
refused after changing a view leaves the cache as it was; a saved view becomes the new master
(as a view of it: the caller's object copies again before its next change).

Whether the masters are current is asked once per command (`sync`): the log's head is compared
with the position the cache is current at; the events between (another process's, usually none)
mark their aggregates stale, and only a stale master is fast-forwarded from the store on its next
`get`. With no position known yet (a cache just made, or after a conflict) every `get`
fast-forwards, as eventsourcing's repository does.
"""

from __future__ import annotations

import threading
import weakref
from datetime import date, datetime
from decimal import Decimal
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from copy import deepcopy
from threading import RLock
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, LRUCache, Repository
from eventsourcing.domain import BaseAggregate

from .es_fastpath import fold

GAP_LIMIT = 1000
"""More events than this since the cache was current: forget every master rather than read them."""

_shared: dict[int, weakref.ref[Any]] = {}
"""Views (by id) that still share containers with a master."""
_shared_lock = RLock()


_ATOMS = frozenset({str, int, float, bool, type(None), bytes, UUID, datetime, date, Decimal})


def clone(value: Any) -> Any:
    """A deep copy of plain data (dicts, lists, tuples, sets of atoms) without deepcopy's memo
    and reductors, several times faster; anything else goes to `copy.deepcopy`."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is dict:
        return {k: clone(v) for k, v in value.items()}
    if kind is list:
        return [clone(v) for v in value]
    if kind is tuple:
        return tuple(clone(v) for v in value)
    if kind is set:
        return {clone(v) for v in value}
    return deepcopy(value)


def _mark_shared(view: Any) -> None:
    key = id(view)

    def gone(_: Any, key: int = key) -> None:
        with _shared_lock:
            ref = _shared.get(key)
            if ref is not None and ref() is None:
                del _shared[key]
    with _shared_lock:
        _shared[key] = weakref.ref(view, gone)


def is_shared(obj: Any) -> bool:
    """Whether this object still shares its containers with a cached master."""
    ref = _shared.get(id(obj))
    return ref is not None and ref() is obj


def own(obj: Any) -> None:
    """Give a view its own copy of every container it shares (before it first changes)."""
    with _shared_lock:
        ref = _shared.pop(id(obj), None)
    if ref is not None and ref() is obj:
        state = obj.__dict__
        pending = state.get("_pending_events")
        copied = {k: clone(v) for k, v in state.items() if k != "_pending_events"}
        state.update(copied)
        if pending is not None:
            state["_pending_events"] = pending


def _owned_copy(master: Any) -> Any:
    """A copy of a master sharing nothing with it (to fast-forward without changing it)."""
    copy = object.__new__(type(master))
    copy.__dict__.update({k: clone(v) for k, v in master.__dict__.items()
                          if k != "_pending_events"})
    copy.__dict__["_pending_events"] = []
    return copy


def view_of(master: Any) -> Any:
    """A new object of the master's class with the master's attributes (containers shared) and
    no pending events; it copies them before its first change."""
    view = object.__new__(type(master))
    view.__dict__.update(master.__dict__)
    view.__dict__["_pending_events"] = []
    _mark_shared(view)
    return view


_original_trigger = BaseAggregate.trigger_event


def _trigger_event(self: Any, event_class: Any, **kwargs: Any) -> None:
    if id(self) in _shared:
        own(self)
    _original_trigger(self, event_class, **kwargs)


BaseAggregate.trigger_event = _trigger_event  # type: ignore[method-assign]


class ViewingRepository(Repository[UUID]):
    """eventsourcing's Repository with the cache above: views out, masters kept unchanged,
    fast-forwarded only when the log says they are stale; replays with `fold`."""

    def __init__(self, *args: Any, recorder: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recorder = recorder  # asked for the log's head
        self._lock = RLock()
        self._current_at: int | None = None  # every master has every event up to here
        self._ahead: set[int] = set()  # positions beyond it that this process saved
        self._inflight: set[tuple[UUID, int]] = set()  # events this process is saving now
        self._stale: set[UUID] = set()
        self._scope = threading.local()
        self.on_unseen: Callable[[], None] | None = None
        """Called when a sync finds events this cache did not see saved (another writer's, or
        of unknown age): what else the process holds of them (the person keys) is dropped."""

    @contextmanager
    def command(self) -> Iterator[None]:
        """One command's loads: the cache is brought current once, at the start (outside a
        command, every `get` asks the log's head first)."""
        if getattr(self._scope, "synced", False):
            yield
            return
        self.sync()
        self._scope.synced = True
        try:
            yield
        finally:
            self._scope.synced = False

    @contextmanager
    def saving(self, events: Sequence[Any]) -> Iterator[None]:
        """Around a save of these events: a sync that finds them stored before `saved` is told
        (another thread's command starting between the commit and its report) knows them for
        this process's own, not another writer's, and so does not call `on_unseen`."""
        keys = [(e.originator_id, e.originator_version) for e in events]
        with self._lock:
            self._inflight.update(keys)
        try:
            yield
        finally:
            with self._lock:
                self._inflight.difference_update(keys)

    # -- the cache's state -------------------------------------------------------------

    def forget(self) -> None:
        """Drop every master (after an erasure, or a conflict)."""
        with self._lock:
            self.cache = LRUCache(maxsize=self.cache.maxsize) if isinstance(
                self.cache, LRUCache) else self.cache
            self._current_at, self._stale, self._ahead = None, set(), set()

    def invalidate(self) -> None:
        """Mark every master stale (after a conflict: the cache may have missed an event)."""
        with self._lock:
            if isinstance(self.cache, LRUCache):
                self._stale = set(self.cache.cache)

    def evict(self, ids: Iterable[UUID]) -> None:
        """Forget these masters (their events were stored by a path that does not update them)."""
        with self._lock:
            if isinstance(self.cache, LRUCache):
                for aggregate_id in ids:
                    if aggregate_id in self.cache.cache:
                        self.cache.get(aggregate_id, evict=True)

    def sync(self) -> None:
        """Mark stale the masters of the events stored since the cache was last current
        (another process's), so that only they are read from the store again; `on_unseen`
        is called whenever there were any, or the cache does not know where it stands."""
        recorder = self.recorder
        if not isinstance(self.cache, LRUCache) or recorder is None:
            self._unseen()
            return
        head = recorder.max_notification_id() or 0
        with self._lock:
            at = self._current_at
            if at is None:  # masters of unknown age: each is read again once
                self._stale = set(self.cache.cache)
                self._current_at, self._ahead = head, set()
                self._unseen()
                return
            if head <= at:
                return
        if head - at > GAP_LIMIT:
            self.forget()
            self.sync()  # of unknown age now: calls on_unseen
            return
        notes = recorder.select_notifications(start=at, limit=head - at, stop=head,
                                              inclusive_of_start=False)
        foreign = False
        with self._lock:
            now = self._current_at
            for note in notes:  # this process's own: being saved, or reported since the read
                if not ((note.originator_id, note.originator_version) in self._inflight
                        or (now is not None and note.id <= now) or note.id in self._ahead):
                    foreign = True
                try:
                    master = self.cache.get(note.originator_id)
                except KeyError:
                    continue
                if master.version < note.originator_version:
                    self._stale.add(note.originator_id)
            if self._current_at is not None and self._current_at >= at:
                self._current_at = max(self._current_at, head)  # (at, head] all seen now
                self._ahead = {p for p in self._ahead if p > self._current_at}
                self._advance()
        if foreign:
            self._unseen()

    def _unseen(self) -> None:
        if self.on_unseen is not None:
            self.on_unseen()

    def saved(self, aggregates: Sequence[Any], positions: Sequence[int | None],
              others: Iterable[UUID]) -> None:
        """After a commit: each saved aggregate becomes its master (the caller's object turns
        into a view of it); `positions` (the events' notification ids) advance the position the
        cache is current at over every run of positions this process saved that follows it
        (threads commit in one order and report in another: a later run is held until the gap
        before it is filled by this process, or read by a sync); `others`, originators of
        events saved without their aggregate, are forgotten."""
        if not isinstance(self.cache, LRUCache):
            return
        with self._lock:
            for agg in aggregates:
                try:
                    newer = self.cache.get(agg.id).version > agg.version
                except KeyError:
                    newer = False
                if newer:  # another thread loaded it since, and saved after it
                    continue
                self.cache.put(agg.id, view_of(agg))
                _mark_shared(agg)
                self._stale.discard(agg.id)
            self.evict(others)
            if self._current_at is not None and positions and None not in positions:
                self._ahead.update(p for p in positions if p is not None and p > self._current_at)
                self._advance()

    def _advance(self) -> None:
        """Moves the position over the saved positions that follow it (under the lock)."""
        ahead, at = self._ahead, self._current_at
        if at is None:
            return
        while at + 1 in ahead:
            at += 1
            ahead.discard(at)
        self._current_at = at

    # -- loading -----------------------------------------------------------------------

    def get(self, aggregate_id: UUID, *, version: int | None = None,
            projector_func: Any = fold, **options: Any) -> Any:
        if version is not None or not isinstance(self.cache, LRUCache):
            return super().get(aggregate_id, version=version, projector_func=projector_func,
                               deepcopy_from_cache=False)
        if not getattr(self._scope, "synced", False):
            self.sync()
        with self._lock:
            try:
                master = self.cache.get(aggregate_id)
            except KeyError:
                master = None
            fresh = (master is not None and self._current_at is not None
                     and aggregate_id not in self._stale)
        if fresh:
            return view_of(master)
        if master is None:
            if self.snapshot_store is not None:
                return super().get(aggregate_id, projector_func=projector_func)
            master = projector_func(None, self.event_store.get(originator_id=aggregate_id))
            if master is None:
                raise AggregateNotFoundError(aggregate_id)
        else:
            new = list(self.event_store.get(originator_id=aggregate_id, gt=master.version))
            if new:
                master = projector_func(_owned_copy(master), new)
                if master is None:
                    raise AggregateNotFoundError(aggregate_id)
        with self._lock:
            try:
                cached = self.cache.get(aggregate_id)
            except KeyError:
                cached = None
            if cached is not None and cached.version >= master.version:
                master = cached  # another thread put one as new meanwhile
            else:
                self.cache.put(aggregate_id, master)
            self._stale.discard(aggregate_id)
        return view_of(master)
