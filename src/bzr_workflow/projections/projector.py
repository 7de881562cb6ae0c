"""Turns each stored event into view rows, inside the caller's transaction: the projections of every view over one batch writer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from . import appraisals, cases
from .appraisals import AppraisalProjection
from .awards import AwardProjection
from .batch import BatchWriter
from .cases import CASE_EVENTS, CaseProjection
from .decisions import DecisionProjection
from .organisation import OrganisationProjection
from .policyof import PolicyOf

__all__ = ["CASE_EVENTS", "PolicyOf", "Projector"]


class Projector:
    """Applies events to the views through one connection; never commits itself.

    Each view's projection says what an event means for its rows; they all write through one
    `BatchWriter`, so an event costs a few dictionary updates, not a statement."""

    KEEP = 4_000  # case rows kept between batches of one catch-up: bounded, so memory is flat

    def __init__(self, conn: Connection | None, policy_of: PolicyOf) -> None:
        self.writer = BatchWriter([cases.kept(), appraisals.kept()], self.KEEP)
        if conn is not None:
            self.writer.conn = conn
        self.cases = CaseProjection(self.writer, policy_of)
        self.appraisals = AppraisalProjection(self.writer, self.cases, policy_of)
        self.decisions = DecisionProjection(self.writer, self.cases, policy_of)
        handlers: dict[type, list[Callable[[Any, int], None]]] = {}
        for projection in (self.cases, self.appraisals, AwardProjection(self.writer, self.cases),
                           OrganisationProjection(self.writer)):
            for kind, handler in projection.handlers().items():
                handlers.setdefault(kind, []).append(handler)
        self._handlers = {kind: tuple(found) for kind, found in handlers.items()}
        self.position = 0

    def begin(self, conn: Connection, position: int) -> None:
        """Starts a batch in a new transaction at the views' recorded position. Rows kept from
        the previous batch stay valid only if no one else has projected since."""
        self.writer.begin(conn, keep=position == self.position)
        self.decisions.as_text = conn.dialect.name == "sqlite"
        self.position = position

    def prefetch(self, events: list[Any]) -> None:
        """Reads, a few queries per batch, the rows of cases these events continue."""
        self.appraisals.prefetch(self.cases.prefetch(events))

    def prefetch_ids(self, opened: set[str], touched: set[str]) -> None:
        """The same, from the ids of the cases opened and touched (events of CASE_EVENTS)."""
        self.appraisals.prefetch(self.cases.prefetch_ids(opened, touched))

    def apply(self, ev: Any, position: int, kind: type | None = None) -> None:
        """`kind`: the event's class, when `ev` is a stored record read as attributes
        (rawrebuild.py); its `originator_id` is then the id as text."""
        kind = kind or type(ev)
        self.position = position
        for handler in self._handlers.get(kind, ()):
            handler(ev, position)
        self.decisions.record(ev, position, kind)

    def handlers_of(self, kind: type) -> tuple[Any, ...]:
        """The functions that handle events of this class, in order (not bound)."""
        return tuple(getattr(h, "__func__", h) for h in self._handlers.get(kind, ()))

    def projects(self, kind: type) -> bool:
        """Whether an event of this class changes any view row."""
        return kind in self._handlers or self.decisions.records(kind)

    def flush(self) -> None:
        """Writes the buffered rows; the caller commits."""
        self.appraisals.before_flush()
        self.decisions.send()
        self.writer.flush()
        self.decisions.flushed()
