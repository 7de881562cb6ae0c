"""What a case page shows: the case, its pipeline as steps, its history and what the reader may do now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..domain.errors import NotFound, WorkflowError
from ..domain.pipeline import PUBLISHED
from ..domain.policy import Policy, Workflow
from .service import Service

ACTIONS = ("approve", "veto", "return", "withdraw")
DONE, PENDING, AHEAD, SKIPPED, STOPPED = "done", "pending", "ahead", "skipped", "stopped"
NOT_SIGNING = ("scored",)  # entries at a step that are work on it, not its decision


@dataclass(frozen=True)
class StepView:
    """One step of the pipeline as it stands: `state` is done, pending, ahead, skipped (never
    reached: the case ended before it) or stopped (where a veto or withdrawal ended it); who
    decided it, how and when (from the history) for done and stopped steps."""

    id: str
    label: str
    role: str
    role_label: str
    state: str
    actor: str | None = None
    action: str | None = None
    at: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class CaseView:
    """Everything a case page shows. `actions` are those the domain lets the reader take now
    (none when replaying a day: `as_of`); `resubmit` says approving re-submits a returned case;
    `waiting` is the engine's refusal saying why the reader may not sign the pending step
    (the page renders it in the reader's language)."""

    case: dict[str, Any]
    steps: list[StepView]
    history: list[dict[str, Any]]
    actions: tuple[str, ...]
    resubmit: bool
    waiting: WorkflowError | None
    as_of: str | None
    names: dict[str, str] = field(default_factory=dict)
    """The people the page names (subject, opener, everyone in the history): login -> name."""


class CaseViews(Service):
    """The case page's one read: fields, pipeline, history, and the actions open to the reader."""

    def case_view(self, ref: str, reader: str | None, as_of: str | None = None) -> CaseView:
        app = self.app
        shown = app.cases.show(ref, as_of, reader)
        history = app.cases.history(ref, as_of, reader)
        case = app.case(ref)
        policy, wf, machine = app.cases.context(case)
        steps = pipeline(wf, policy, shown, history)
        names = self._names([shown.get("subject"), shown.get("opener"),
                             *(h.get("actor") for h in history)])
        if as_of or reader is None:
            return CaseView(shown, steps, history, (), False, None, as_of, names)
        me = app.actor(reader)
        refusals = case.refusals(me.login, me.grants, policy, wf, machine)
        actions = tuple(a for a in ACTIONS if refusals[a] is None)
        sign = refusals["approve"]
        waiting = sign if sign is not None and case.state == "open" else None
        return CaseView(shown, steps, history, actions,
                        "approve" in actions and case.step == wf.open_step, waiting, None, names)

    def _names(self, logins: list[Any]) -> dict[str, str]:
        """Each person's name as registered; a login the store does not know stands as itself."""
        names: dict[str, str] = {}
        for login in {str(x) for x in logins if x}:
            try:
                names[login] = self.app.user(login).name
            except NotFound:
                names[login] = login
        return names


def pipeline(wf: Workflow, policy: Policy, shown: dict[str, Any],
             history: Sequence[dict[str, Any]]) -> list[StepView]:
    """The open step and then each step in order, with its state and, for a decided step,
    the latest decision recorded at it."""
    ids = wf.step_ids()
    states = _states(ids, shown["state"], shown["step"], shown["last"].get("step") or "")
    decided = {e["step"]: e for e in history if e.get("step") and e["action"] not in NOT_SIGNING}
    out = []
    for step_id, state in zip(ids, states):
        step = wf.step(step_id)
        entry = decided.get(step_id) if state in (DONE, STOPPED) else None
        out.append(StepView(step.id, step.label, step.role, policy.role_label(step.role), state,
                            *((entry["actor"], entry["action"], entry["at"],
                               entry["comment"] or None) if entry else ())))
    return out


def _states(ids: list[str], state: str, step: str | None, last_step: str) -> list[str]:
    """Done before where the case is, pending there, ahead after; a published case is done
    throughout; a vetoed or withdrawn one stopped where it ended, the rest skipped."""
    if state == PUBLISHED:
        return [DONE] * len(ids)
    if state == "open" and step in ids:
        at = ids.index(step)
        return [DONE] * at + [PENDING] + [AHEAD] * (len(ids) - at - 1)
    at = ids.index(last_step) if last_step in ids else 0
    return [DONE] * at + [STOPPED] + [SKIPPED] * (len(ids) - at - 1)
