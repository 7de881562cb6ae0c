"""The decisions view (the audit log): one row per decision, with the label of its step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from ..domain.case import Case
from ..domain.command import Command
from ..domain.history import audit_entry, decided_at, has_entry
from . import tables as t
from .batch import BatchWriter, insert_values
from .cases import CASE_EVENTS, CaseProjection

if TYPE_CHECKING:
    from .policyof import PolicyOf


COLUMNS = ("position", "at", "actor", "action", "case_ref", "target", "step", "step_label",
           "to_step", "comment", "via", "session", "address", "batch", "on_behalf_of")
_VIA = COLUMNS.index("via")  # via, session, address, batch: a command's provenance, in order


def stamp_text(stored: str) -> str | None:
    """What SQLite's driver writes for the instant stored as this text (`datetime.isoformat()`,
    which the transcoder wrote and reads back exactly): `str()` of it, the same with a space
    between date and time; None if the text is not of that form."""
    if len(stored) > 19 and stored[10] == "T":
        return f"{stored[:10]} {stored[11:]}"
    return None


class DecisionProjection:
    """Every event with an audit entry → a row of bzr_decisions, held as a list of the values
    in `COLUMNS` order (no dict a row: there is one for nearly every event) until the flush."""

    def __init__(self, writer: BatchWriter, cases: CaseProjection, policy_of: PolicyOf) -> None:
        self.writer, self.cases, self.policy_of = writer, cases, policy_of
        self._labels: dict[tuple[int, int, str, str | None], str | None] = {}
        self._first: int | None = None  # the batch's first position
        self._recent: dict[int, list[Any]] = {}  # this batch's rows, by position, in order
        self.as_text = False  # SQLite: a record's time given as the text the driver would write

    def record(self, ev: Any, position: int, kind: type | None = None,
               case: dict[str, Any] | None = None) -> None:
        """`kind`: the event's class, when `ev` is a stored record read as attributes; `case`:
        the row of the event's case, when the caller has it."""
        kind = kind or type(ev)
        if self._first is None:
            self._first = position
        if kind is Command.Recorded:
            self.came_from(ev, position)
            return
        entry = audit_entry(ev, kind)
        if not entry:
            return
        ref, label = None, None
        if kind in CASE_EVENTS:
            case = case or self.cases.row(ev.originator_id)
            ref = case["ref"]
            label = self._label(case["policy_version"], case["refinement"], case["kind"],
                                entry["step"])
        at: Any = None
        if self.as_text and kind is not Case.Finalised:  # Finalised: its due, if it has one
            at = stamp_text(getattr(ev, "timestamp_text", ""))
        self._recent[position] = [
            position, at or decided_at(ev, kind), entry["actor"], entry["action"], ref,
            entry["target"], entry["step"], label, entry["to_step"], entry["comment"],
            None, None, None, None, entry["on_behalf_of"]]

    def records(self, kind: type) -> bool:
        """Whether events of this class make or change decision rows."""
        return kind is Command.Recorded or has_entry(kind)

    def came_from(self, ev: Command.Recorded, position: int) -> None:
        """The command's provenance on the rows of the `count` events stored just before it:
        in the batch's buffer, or (a command cut by a batch boundary) by an UPDATE."""
        values = [ev.via or None, ev.session or None, ev.address or None, ev.batch or None]
        start = position - ev.count
        if self._first is not None and start >= self._first:
            for p in range(start, position):
                if p in self._recent:
                    self._recent[p][_VIA:_VIA + 4] = values
            return
        self.send()  # the rows of this batch the UPDATE may reach
        d = t.decisions.c
        self.writer.write(update(t.decisions).where(d.position >= start, d.position < position)
                          .values(dict(zip(COLUMNS[_VIA:_VIA + 4], values))))

    def send(self) -> None:
        """Writes the rows held so far: a command after them changes them by an UPDATE."""
        rows = [tuple(row) for row in self._recent.values()]
        self._first, self._recent = None, {}
        if rows:
            insert_values(self.writer.conn, t.decisions, COLUMNS, rows)

    def flushed(self) -> None:
        """The batch is written: its rows are no longer ours to change in memory."""
        self._first, self._recent = None, {}

    def _label(self, version: int, refinement: int, kind: str, step: str | None) -> str | None:
        key = (version, refinement, kind, step)
        if key not in self._labels:
            wf = self.policy_of(version, refinement).workflow(kind)
            self._labels[key] = wf.step(step).label if step in wf.step_ids() else None
        return self._labels[key]
