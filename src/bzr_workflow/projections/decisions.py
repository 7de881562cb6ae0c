"""The decisions view (the audit log): one row per decision, with the label of its step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from ..domain.command import Command
from ..domain.history import audit_entry, decided_at, has_entry
from . import tables as t
from .batch import BatchWriter
from .cases import CASE_EVENTS, CaseProjection

if TYPE_CHECKING:
    from .policyof import PolicyOf


class DecisionProjection:
    """Every event with an audit entry → a row of bzr_decisions."""

    def __init__(self, writer: BatchWriter, cases: CaseProjection, policy_of: PolicyOf) -> None:
        self.writer, self.cases, self.policy_of = writer, cases, policy_of
        self._labels: dict[tuple[int, int, str, str | None], str | None] = {}
        self._first: int | None = None  # the batch's first position
        self._recent: dict[int, dict[str, Any]] = {}  # this batch's rows, by position

    def record(self, ev: Any, position: int, kind: type | None = None) -> None:
        """`kind`: the event's class, when `ev` is a stored record read as attributes."""
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
            case = self.cases.row(ev.originator_id)
            ref = case["ref"]
            label = self._label(case["policy_version"], case["refinement"], case["kind"],
                                entry["step"])
        row = {"position": position, "at": decided_at(ev, kind), "case_ref": ref, "step_label": label,
               **entry, "via": None, "session": None, "address": None, "batch": None}
        self._recent[position] = row
        self.writer.insert(t.decisions, row)

    def records(self, kind: type) -> bool:
        """Whether events of this class make or change decision rows."""
        return kind is Command.Recorded or has_entry(kind)

    def came_from(self, ev: Command.Recorded, position: int) -> None:
        """The command's provenance on the rows of the `count` events stored just before it:
        in the batch's buffer, or (a command cut by a batch boundary) by an UPDATE."""
        values = {"via": ev.via or None, "session": ev.session or None,
                  "address": ev.address or None, "batch": ev.batch or None}
        start = position - ev.count
        if self._first is not None and start >= self._first:
            for p in range(start, position):
                if p in self._recent:
                    self._recent[p].update(values)
            return
        d = t.decisions.c
        self.writer.write(update(t.decisions).where(d.position >= start, d.position < position)
                          .values(**values))

    def flushed(self) -> None:
        """The batch is written: its rows are no longer ours to change in memory."""
        self._first, self._recent = None, {}

    def _label(self, version: int, refinement: int, kind: str, step: str | None) -> str | None:
        key = (version, refinement, kind, step)
        if key not in self._labels:
            wf = self.policy_of(version, refinement).workflow(kind)
            self._labels[key] = wf.step(step).label if step in wf.step_ids() else None
        return self._labels[key]
