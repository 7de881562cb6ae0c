"""The decisions view (the audit log): one row per decision, with the label of its step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.history import audit_entry
from . import tables as t
from .batch import BatchWriter
from .cases import CASE_EVENTS, CaseProjection

if TYPE_CHECKING:
    from .projector import PolicyOf


class DecisionProjection:
    """Every event with an audit entry → a row of bzr_decisions."""

    def __init__(self, writer: BatchWriter, cases: CaseProjection, policy_of: PolicyOf) -> None:
        self.writer, self.cases, self.policy_of = writer, cases, policy_of
        self._labels: dict[tuple[int, int, str, str | None], str | None] = {}

    def record(self, ev: Any, position: int) -> None:
        entry = audit_entry(ev)
        if not entry:
            return
        ref, label = None, None
        if type(ev) in CASE_EVENTS:
            case = self.cases.row(ev.originator_id)
            ref = case["ref"]
            label = self._label(case["policy_version"], case["refinement"], case["kind"],
                                entry["step"])
        self.writer.insert(t.decisions, {"position": position, "at": ev.timestamp,
                                         "case_ref": ref, "step_label": label, **entry})

    def _label(self, version: int, refinement: int, kind: str, step: str | None) -> str | None:
        key = (version, refinement, kind, step)
        if key not in self._labels:
            wf = self.policy_of(version, refinement).workflow(kind)
            self._labels[key] = wf.step(step).label if step in wf.step_ids() else None
        return self._labels[key]
