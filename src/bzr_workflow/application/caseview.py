"""The read side of one case: the case as it stands or stood, its history, an appraisal's duties and norms, and the case page (pipeline and the reader's actions now)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..adapters.es_fastpath import fold
from ..domain.case import Case
from ..domain.errors import NotFound, WorkflowError
from ..domain.history import audit_entry, decided_at
from ..domain.pipeline import PUBLISHED
from ..domain.policy import Policy, Workflow
from ..domain.signing import reading_refusal
from ..domain.timefmt import local_iso, parse_instant
from ..domain.years import year_duties, year_entry
from .countersign import Holders, progress, step_holders
from .delegation import find_signer
from .norms import NormsReports
from .ports import Store
from .readers import reader as reader_of
from .render import case_dict
from .service import Service
from .students import with_student

ACTIONS = ("approve", "veto", "return", "withdraw", "takeback", "reassign")
DONE, PENDING, AHEAD, SKIPPED, STOPPED = "done", "pending", "ahead", "skipped", "stopped"
NOT_SIGNING = ("scored", "taken back", "reassigned")  # entries at a step that are work on it, not its decision


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
    on_behalf_of: str = ""
    """The holder the reader's `actions` are for, as their deputy ("": in their own right)."""


class CaseViews(Service):
    """The read side of one case: the case as it stands (or stood), its history, the duties
    and norms an appraisal shows, and the case page, each from one load of the case. A
    `reader` who may not read the case is refused (None, the operator's CLI, reads all)."""

    def __init__(self, store: Store, norms: NormsReports, holders: Holders) -> None:
        super().__init__(store)
        self.norms, self.holders = norms, holders

    def show(self, ref: str, as_of: str | None = None,
             reader: str | None = None) -> dict[str, Any]:
        """A case as it stands (or stood); an appraisal also shows its advisor's norm
        compliance as evidence."""
        case = self._readable(ref, reader)
        shown = self._shown(self._as_of(case, as_of) if as_of else case)
        if as_of is None:  # the holders are today's: a past day's show leaves them out
            shown |= self._countersign(case)[1]
        return shown | self._named(shown)

    def _countersign(self, case: Case) -> tuple[list[str] | None, dict[str, Any]]:
        """The pending countersign step's holders now (None: no such step) and, if so, the
        case's `countersign` progress: who signed, who is awaited (names beside logins)."""
        wf = self.store.case_policy(case).workflow(case.kind)
        holders = step_holders(case, wf, self.holders)
        if holders is None:
            return None, {}
        return holders, {"countersign": progress(self.store, case, wf, holders)}

    def history(self, ref: str, as_of: str | None = None,
                reader: str | None = None) -> list[dict[str, Any]]:
        """Every decision, each with `actor_name` beside its `actor`."""
        entries = self._history(self._readable(ref, reader), as_of)
        names = self._names([e.get(k) for e in entries for k in ("actor", "on_behalf_of")])
        return [e | {"actor_name": names.get(e["actor"]) if e.get("actor") else None,
                     "on_behalf_of_name": names.get(e["on_behalf_of"]) if e.get("on_behalf_of")
                     else None} for e in entries]

    def _named(self, shown: dict[str, Any]) -> dict[str, Any]:
        """The names beside a case's logins and codes: `subject_name`, `opener_name`,
        `class_name`, `unit_name` (None where nothing of that code is registered)."""
        people = self._names([shown.get("subject"), shown.get("opener")])
        named: dict[str, Any] = {f"{k}_name": people.get(shown[k]) if shown.get(k) else None
                                 for k in ("subject", "opener")}
        for key, load in (("class", self.store.school_class), ("unit", self.store.unit)):
            try:
                named[f"{key}_name"] = load(shown[key]).name if shown.get(key) else None
            except NotFound:
                named[f"{key}_name"] = None
        return named

    def case_view(self, ref: str, reader: str | None, as_of: str | None = None) -> CaseView:
        """What a case page shows: fields, pipeline, history, the reader's actions now."""
        case = self._readable(ref, reader)
        shown = self._shown(self._as_of(case, as_of) if as_of else case)
        shown |= self._named(shown)
        history = self._history(case, as_of)
        policy, wf, machine = self.store.case_rules(case)
        holders, signing_now = self._countersign(case)
        if not as_of:
            shown |= signing_now
        steps = pipeline(wf, policy, shown, history)
        names = self._names([shown.get("subject"), shown.get("opener"), shown.get("assignee"),
                             *(h.get(k) for h in history for k in ("actor", "on_behalf_of"))])
        if as_of or reader is None:
            return CaseView(shown, steps, history, (), False, None, as_of, names)
        me = self.store.actor(reader)
        who, blocked = find_signer(self.store, case, me, policy, wf)
        refusals = case.refusals(me.login, who.grants, policy, wf, machine, holders,
                                 who.on_behalf_of)
        actions = tuple(a for a in ACTIONS if refusals[a] is None)
        sign = blocked or refusals["approve"]
        waiting = sign if sign is not None and case.state == "open" else None
        if who.on_behalf_of:
            names |= self._names([who.on_behalf_of])
        return CaseView(shown, steps, history, actions,
                        "approve" in actions and case.step == wf.open_step, waiting, None, names,
                        who.on_behalf_of)

    def duties(self, class_code: str, policy: Policy) -> dict[str, Any]:
        """The advisor's title and the duties to judge, by the class's year of study (Hefei);
        nothing where the class has no year the policy knows."""
        klass = self.store.school_class(class_code)
        entry = year_entry(policy.years_of_study, klass.year_of_study)
        if entry is None:
            return {}
        return year_duties(entry, policy.role_label(entry.role),
                           policy.written.get("appraisal", {}).get("indicators", []))

    def _readable(self, ref: str, login: str | None) -> Case:
        """The case, loaded once; refused (NotPermitted) when `login` may not read it."""
        who = reader_of(self.store, login)
        case = self.store.case(ref)
        if who is not None and not who.case(case) and not self._deputy_of_signer(case, login):
            raise reading_refusal(case.ref, who.login, case.unit_path)
        return case

    def _deputy_of_signer(self, case: Case, login: str | None) -> bool:
        """Whether `login` may sign the case today as a holder's deputy (and so reads it), or
        acted on it (a deputy reads on after signing for someone: their decision's page)."""
        if login is None:
            return False
        if login in case.signers.values() or case.last.get("actor") == login:
            return True
        policy, wf, _ = self.store.case_rules(case)
        who, _ = find_signer(self.store, case, self.store.user(login), policy, wf)
        return bool(who.on_behalf_of)

    def _shown(self, case: Case) -> dict[str, Any]:
        policy = self.store.case_policy(case)
        shown = with_student(self.store, case_dict(case, policy))
        if shown["kind"] == "appraisal" and case.class_code and policy.years_of_study:
            shown |= self.duties(case.class_code, policy)
        if shown["kind"] == "appraisal" and shown["period"] and shown["subject"]:
            report = self.norms.report(shown["subject"], shown["period"])
            shown["norms"] = [{k: n[k] for k in ("activity", "label", "per", "min", "met", "of")}
                              for n in report["norms"]]
            # 平时考核 (Guilin 第十四条 平时考核与学期考核相结合): the period's work log beside the scores
            shown["work_log"] = {"entries": report["entries"],
                                 "activities": report["activities"]}
        return shown

    def _as_of(self, case: Case, as_of: str) -> Case:
        """The case as it stood at `as_of`, replayed once from its events."""
        events = self.store.events_of(case.id)
        opened = events[0]  # the rules (and so the time zone) are those it was opened under
        policy = self.store.policy(opened.policy_version, refinement=opened.refinement)
        until = parse_instant(as_of, policy.utc_offset)
        versions = [e.originator_version for e in events if e.timestamp <= until]
        if not versions:
            raise NotFound("{ref} did not exist yet at {until}", ref=opened.ref,
                           until=local_iso(until, policy.utc_offset))
        older: Case = fold(None, (e for e in events if e.originator_version <= versions[-1]))
        return older

    def _history(self, case: Case, as_of: str | None) -> list[dict[str, Any]]:
        policy = self.store.case_policy(case)
        wf = policy.workflow(case.kind)
        until = parse_instant(as_of, policy.utc_offset) if as_of else None
        out = []
        for ev in self.store.events_of(case.id):
            entry = audit_entry(ev)
            if entry is None or (until and ev.timestamp > until):
                continue
            entry.pop("target")
            step = entry["step"]
            entry["step_label"] = wf.step(step).label if step in wf.step_ids() else None
            out.append({"at": local_iso(decided_at(ev), policy.utc_offset), **entry})
        return out

    def _names(self, logins: list[Any]) -> dict[str, str]:
        """Each person's name as registered; a login the store does not know stands as itself."""
        names: dict[str, str] = {}
        for login in {str(x) for x in logins if x}:
            try:
                names[login] = self.store.user(login).name
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
