"""Case commands: open (apply, nominate, any declared kind), approve, veto, return, withdraw, show, history."""

from __future__ import annotations

from typing import Any

from ..domain.access import covers
from ..domain.case import Case
from ..domain.counter import CaseCounter
from ..domain.errors import AlreadySigned, BadInput, NotFound, NotPermitted
from ..domain.history import audit_entry
from ..domain.ids import case_id, normalise_ref
from ..domain.pipeline import PUBLISHED, machine_for
from ..domain.policy import ADMIN, Policy, Workflow
from ..domain.timefmt import local_iso, local_short, parse_date, parse_instant
from .app import fold
from .organisation import OrganisationCommands
from .text import checked
from .render import case_dict



def _text(value: str | None, what: str) -> str:
    return checked(value, what)


class CaseCommands(OrganisationCommands):

    # -- opening ------------------------------------------------------------------------

    def recruit_apply(self, class_code: str, candidate: str | None, start: str | None,
                      note: str | None, actor: str | None) -> dict[str, Any]:
        data = {"start": parse_date(start)} if start else {}
        return self.open_case("recruitment", candidate, class_code, None, note, actor, data)

    def open_case(self, kind: str, subject: str | None, class_code: str | None,
                  period: str | None, note: str | None, actor: str | None,
                  data: dict[str, Any] | None = None, unit: str | None = None) -> dict[str, Any]:
        note = _text(note, "--note")

        def command() -> dict[str, Any]:
            me = self.actor(actor)
            inst = self.institution()
            klass = self.school_class(class_code) if class_code else None
            if klass and unit and unit != klass.unit:
                raise BadInput(f"class {klass.code} belongs to unit {klass.unit}, not {unit}")
            where = klass.unit if klass else unit
            path = self.unit(where).path if where else []
            refinement = inst.refinement_for(path)
            policy = self.policy(inst=inst, refinement=refinement)
            wf = _workflow(policy, kind)
            who = subject or (me.login if wf.opened_by_candidate else "")
            _require_fields(wf, who, class_code, period)
            if who:
                self.user(who)
            _require_opener(wf, policy, me.login, me.grants, who, path)
            if wf.on_publish == "appoint" and klass:
                klass.check_vacancy(policy.staffing.advisors_per_class)
                self.user(who).check_can_take(klass.code, policy.staffing.max_classes_per_advisor)
            if wf.on_publish == "dismiss" and klass:
                klass.check_advised_by(who)
            when, facts = self._prepare_opening(kind, policy, who, period or "", path,
                                                dict(data or {}))
            counter = self._counter(wf.prefix)
            ref = counter.allocate()[0]
            case = self._new_case(ref, wf, inst.current_version, refinement, subject=who,
                                  opener=me.login, unit_path=path,
                                  class_code=klass.code if klass else "", period=when,
                                  note=note, data=facts)
            self.save(counter, case, *self._opening_effects(case, policy))
            return case_dict(case, policy)
        return self.attempt(command)

    # -- hooks the award and appraisal layers fill in: aggregates saved with the case ------

    def _prepare_opening(self, kind: str, policy: Policy, subject: str, period: str,
                         unit_path: list[str], data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Check and complete what a new case records (period, data) before it is raised."""
        return period, data

    def _opening_effects(self, case: Case, policy: Policy) -> list[Any]:
        return []

    def _signing_effects(self, case: Case, policy: Policy, wf: Workflow, actor: str) -> list[Any]:
        return []

    def _ending_effects(self, case: Case, policy: Policy, wf: Workflow) -> list[Any]:
        """When a case is vetoed, returned or withdrawn."""
        return []

    @staticmethod
    def _new_case(ref: str, wf: Workflow, version: int, refinement: int, *, subject: str,
                  opener: str, unit_path: list[str], class_code: str = "", period: str = "",
                  note: str = "", data: dict[str, Any] | None = None, action: str = "") -> Case:
        """A case raised under `wf`: at its first step, recording the rules it follows."""
        return Case(ref=ref, kind=wf.kind, policy_version=version,
                    action=action or wf.open_action, open_step=wf.open_step,
                    step=wf.first_step.id, subject=subject, opener=opener,
                    unit=unit_path[-1] if unit_path else "", unit_path=unit_path,
                    class_code=class_code, period=period, note=note, data=data or {},
                    refinement=refinement, opener_signs=wf.opener_signs)

    def _counter(self, prefix: str) -> CaseCounter:
        return self.load_or_start(CaseCounter, prefix=prefix)

    # -- deciding -----------------------------------------------------------------------

    def case(self, ref: str) -> Case:
        ref = normalise_ref(ref)
        case: Case = self.load(case_id(ref), f"unknown case {ref} (see `cases`)")
        return case

    def _context(self, case: Case) -> tuple[Policy, Workflow, Any]:
        policy = self.case_policy(case)
        wf = policy.workflow(case.kind)
        return policy, wf, machine_for(self.policy_key(case.policy_version, case.refinement), wf)

    def case_policy(self, case: Case) -> Policy:
        """The rules the case was opened under: its version, refined for its unit if it was."""
        return self.policy(case.policy_version, refinement=case.refinement)

    def approve(self, ref: str, actor: str | None, comment: str | None = None,
                step: str | None = None) -> dict[str, Any]:
        comment, expected = _text(comment, "--comment"), [step]

        def command() -> dict[str, Any]:
            me, case = self.actor(actor), self.case(ref)
            policy, wf, machine = self._context(case)
            self._expect(case, expected, policy)
            self._decide(case, me.grants, policy,
                         lambda: case.approve(me.login, me.grants, policy, wf, machine, comment,
                                              self.today(policy)))
            if wf.on_publish == "appoint" and case.class_code and case.state == "open":
                self.school_class(case.class_code).check_vacancy(policy.staffing.advisors_per_class)
            extra = self._signing_effects(case, policy, wf, me.login)
            extra += self._publication_effects(case, policy, wf, me.login)
            extra += self._after_final(case, policy, me.login)
            self.save(case, *extra)
            return case_dict(case, policy)
        return self.attempt(command)

    def _after_final(self, case: Case, policy: Policy, actor: str) -> list[Any]:
        """Hook for what a final result sets in motion (the appraisal layer fills it in)."""
        return []

    def _publication_effects(self, case: Case, policy: Policy, wf: Workflow,
                             actor: str) -> list[Any]:
        """Aggregates saved with the case when it is published, so cross-case rules hold atomically."""
        if case.state != PUBLISHED or wf.on_publish not in ("appoint", "dismiss") \
                or not case.class_code:
            return []
        klass, advisor = self.school_class(case.class_code), self.user(case.subject)
        if wf.on_publish == "dismiss":
            klass.release(case.subject, self.today(policy), case.ref, actor)
            advisor.release_class(klass.code, case.ref)
            return [klass, advisor]
        start = case.data.get("start") or self.today(policy)
        klass.appoint(case.subject, start, case.ref, actor, policy.staffing.advisors_per_class)
        advisor.take_class(klass.code, case.ref, policy.staffing.max_classes_per_advisor)
        return [klass, advisor]

    def veto(self, ref: str, actor: str | None, reason: str | None,
             step: str | None = None) -> dict[str, Any]:
        reason, expected = _text(reason, "--reason"), [step]

        def command() -> dict[str, Any]:
            me, case = self.actor(actor), self.case(ref)
            policy, wf, _ = self._context(case)
            self._expect(case, expected, policy)
            self._decide(case, me.grants, policy,
                         lambda: case.veto(me.login, me.grants, policy, wf, reason))
            self.save(case, *self._ending_effects(case, policy, wf))
            return case_dict(case, policy)
        return self.attempt(command)

    def return_case(self, ref: str, actor: str | None, reason: str | None,
                    step: str | None = None) -> dict[str, Any]:
        reason, expected = _text(reason, "--reason"), [step]

        def command() -> dict[str, Any]:
            me, case = self.actor(actor), self.case(ref)
            policy, wf, machine = self._context(case)
            self._expect(case, expected, policy)
            self._decide(case, me.grants, policy,
                         lambda: case.return_(me.login, me.grants, policy, wf, machine, reason))
            self.save(case, *self._ending_effects(case, policy, wf))
            return case_dict(case, policy)
        return self.attempt(command)

    def withdraw(self, ref: str, actor: str | None, reason: str | None) -> dict[str, Any]:
        reason = _text(reason, "--reason")

        def command() -> dict[str, Any]:
            me, case = self.actor(actor), self.case(ref)
            policy, wf, machine = self._context(case)
            case.withdraw(me.login, wf, machine, reason)
            self.save(case, *self._ending_effects(case, policy, wf))
            return case_dict(case, policy)
        return self.attempt(command)

    def _expect(self, case: Case, expected: list[str | None], policy: Policy) -> None:
        """Pin the step the user meant to sign; if it moved on meanwhile, say who signed it."""
        if expected[0] is None:
            expected[0] = case.step if case.state == "open" else ""
        elif case.step != expected[0]:
            raise _moved_on(case, expected[0], policy)

    def _decide(self, case: Case, grants: Any, policy: Policy, decide: Any) -> None:
        """Run a decision; a user who lacks the role only because the case moved on is told so."""
        try:
            decide()
        except NotPermitted:
            wf, last = policy.workflow(case.kind), case.last["step"]
            if last in [s.id for s in wf.steps] and covers(grants, wf.step(last).role,
                                                            case.unit_path):
                raise _moved_on(case, last, policy) from None
            raise

    # -- reading the case's own events --------------------------------------------------

    def show(self, ref: str, as_of: str | None = None) -> dict[str, Any]:
        if as_of:
            case = self._case_as_of(ref, as_of)
        else:
            case = self.case(ref)
        return case_dict(case, self.case_policy(case))

    def _case_as_of(self, ref: str, as_of: str) -> Case:
        """The case as it stood at `as_of`, replayed once from its events (read once)."""
        events: list[Any] = list(self.events.get(case_id(normalise_ref(ref))))
        if not events:
            self.case(ref)  # raises what an unknown case raises
        opened = events[0]  # the rules (and so the time zone) are those it was opened under
        policy = self.policy(opened.policy_version, refinement=opened.refinement)
        until = parse_instant(as_of, policy.utc_offset)
        versions = [e.originator_version for e in events if e.timestamp <= until]
        if not versions:
            raise NotFound(f"{opened.ref} did not exist yet at"
                           f" {local_iso(until, policy.utc_offset)}")
        older: Case = fold(None, (e for e in events if e.originator_version <= versions[-1]))
        return older

    def _events_of(self, case: Case) -> list[Any]:
        return list(self.events.get(case.id))

    def history(self, ref: str, as_of: str | None = None) -> list[dict[str, Any]]:
        case = self.case(ref)
        policy = self.case_policy(case)
        wf = policy.workflow(case.kind)
        until = parse_instant(as_of, policy.utc_offset) if as_of else None
        out = []
        for ev in self._events_of(case):
            entry = audit_entry(ev)
            if entry is None or (until and ev.timestamp > until):
                continue
            entry.pop("target")
            step = entry["step"]
            entry["step_label"] = wf.step(step).label if step in wf.step_ids() else None
            out.append({"at": local_iso(ev.timestamp, policy.utc_offset), **entry})
        return out


def _moved_on(case: Case, step_id: str, policy: Policy) -> AlreadySigned:
    wf, last = policy.workflow(case.kind), case.last
    label = wf.step(step_id).label if step_id in wf.step_ids() else step_id
    when = local_short(case.modified_on, policy.utc_offset)
    now = f"it now awaits {wf.step(case.step).label}" if case.step else f"it is {case.state}"
    return AlreadySigned(f"{case.ref}: {label} was already {last['action']} by {last['actor']}"
                         f" at {when}; {now}")


def _workflow(policy: Policy, kind: str) -> Workflow:
    if kind not in policy.workflows:
        raise BadInput(f"policy {policy.id} declares no workflow {kind!r};"
                       f" it has: {', '.join(policy.workflows)}")
    return policy.workflow(kind)


def _require_fields(wf: Workflow, subject: str, class_code: str | None,
                    period: str | None) -> None:
    given = {"subject": subject, "class": class_code, "period": period}
    flag = {"subject": "--subject (or --candidate)", "class": "--class", "period": "--period"}
    for need in wf.requires:
        if not given[need]:
            raise BadInput(f"a {wf.kind} case needs {flag[need]}")


def _require_opener(wf: Workflow, policy: Policy, login: str, grants: Any, subject: str,
                    path: list[str]) -> None:
    if covers(grants, ADMIN, path):
        return
    if wf.opened_by_candidate:
        if subject != login:
            raise NotPermitted(f"{wf.open_label}: candidates apply for themselves;"
                               f" {login} may not apply on behalf of {subject}")
        return
    if not covers(grants, wf.opened_by, path):
        unit = f" of {path[-1]}" if path else ""
        raise NotPermitted(f"{wf.open_label} is done by a {wf.opened_by}"
                           f" ({policy.role_label(wf.opened_by)}){unit}; {login} is not one")

