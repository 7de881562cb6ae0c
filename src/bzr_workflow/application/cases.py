"""Case commands: open (apply, nominate, any declared kind), approve, resubmit, veto, return, withdraw, show, history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from transitions import Machine

from ..domain.access import Grants, covers
from ..domain.case import Case
from ..domain.errors import AlreadySigned, BadInput, NotFound, NotPermitted, StepNotAllowed
from ..domain.history import audit_entry
from ..domain.ids import case_id, normalise_ref
from ..domain.logins import fold as fold_login
from ..domain.pipeline import PUBLISHED
from ..domain.signing import may_open
from ..domain.policy import ADMIN, Policy, Workflow
from ..domain.timefmt import local_iso, local_short, parse_date, parse_instant
from ..domain.user import User
from ..domain.years import year_duties, year_entry
from .effects import Decided, Opening, effects_of
from ..adapters.es_fastpath import fold
from .opening import counter, new_case
from .readers import refuse_unreadable, require_readable
from .render import case_dict
from .service import Service
from .students import checked_student, opened, sealed
from .text import checked


@dataclass
class PinnedStep:
    """The step the user meant to act on, pinned on a command's first try so that its re-runs
    (after another writer got there first) still hold the user to it."""

    step: str | None


class Cases(Service):
    """Opening cases of any kind, and the decisions every kind shares; a case's own events."""

    # -- opening ------------------------------------------------------------------------

    def recruit_apply(self, class_code: str, candidate: str | None, start: str | None,
                      note: str | None, actor: str | None) -> dict[str, Any]:
        data = {"start": parse_date(start)} if start else {}
        return self.open_case("recruitment", candidate, class_code, None, note, actor, data)

    def open_case(self, kind: str, subject: str | None, class_code: str | None,
                  period: str | None, note: str | None, actor: str | None,
                  data: dict[str, Any] | None = None, unit: str | None = None,
                  early: bool = False) -> dict[str, Any]:
        """Open a case of any kind; a period that has not begun is refused unless `early`."""
        note = checked(note, "--note")
        app = self.app

        def command() -> dict[str, Any]:
            me = app.actor(actor)
            inst = app.institution()
            klass = app.school_class(class_code) if class_code else None
            if klass and unit and unit != klass.unit:
                raise BadInput(f"class {klass.code} belongs to unit {klass.unit}, not {unit}")
            where = klass.unit if klass else unit
            path = app.unit(where).path if where else []
            refinement = inst.refinement_for(path)
            policy = app.policy(inst=inst, refinement=refinement)
            wf = _workflow(policy, kind)
            who = subject or (me.login if wf.opened_by_candidate else "")
            given = dict(data or {})
            student = given.pop("student", None)
            _require_fields(wf, who, class_code, period, bool(student))
            if student and "student" not in wf.requires:
                raise BadInput(f"a {wf.kind} case names no student (--student is for a kind"
                               " whose policy requires one, such as discipline)")
            if student:
                name, number = checked_student(student.get("name"), student.get("number"),
                                               "student" in wf.requires)
            _refuse_on_behalf(wf, me, who, path)  # before the subject is looked up
            if who:
                who = app.user(who).login  # as stored: `--subject ZHANG` is zhang
            _require_opener(wf, policy, me.login, me.grants, who, path)
            if wf.on_publish == "appoint" and klass:
                klass.check_vacancy(policy.staffing.advisors_per_class)
                app.user(who).check_can_take(klass.code, policy.staffing.max_classes_per_advisor)
            if wf.on_publish == "dismiss" and klass:
                klass.check_advised_by(who)
            effects = effects_of(kind)
            when, facts = effects.prepare(app, Opening(policy, who, period or "", path, given))
            app.require_begun(when, policy, early, inst)
            if student:  # not a user: no account is made; the name is sealed under their key
                facts = {**facts, "student": sealed(app, name, number)}
            refs = counter(app, wf.prefix)
            case = new_case(refs.allocate()[0], wf, inst.current_version, refinement,
                            subject=who, opener=me.login, unit_path=path,
                            class_code=klass.code if klass else "", period=when, note=note,
                            data=facts)
            moved = effects.run("on_open", app, Decided(case, policy, wf, me.login))
            app.save(refs, case, *moved)
            return self._shown(case_dict(case, policy))
        return app.attempt(command)

    # -- deciding -----------------------------------------------------------------------

    def context(self, case: Case) -> tuple[Policy, Workflow, Machine]:
        """The rules a case follows: its policy, its workflow and that workflow's rule table."""
        policy = self.app.case_policy(case)
        wf = policy.workflow(case.kind)
        return policy, wf, self.app.policies.machine(case.policy_version, case.refinement, wf)

    def approve(self, ref: str, actor: str | None, comment: str | None = None,
                step: str | None = None, returned_only: bool = False) -> dict[str, Any]:
        """Sign the pending step; with `returned_only` (the `resubmit` command), only a case
        returned to its applicant is taken."""
        comment, pinned, app = checked(comment, "--comment"), PinnedStep(step), self.app

        def command() -> dict[str, Any]:
            me, case = app.actor(actor), app.case(ref)
            refuse_unreadable(app, case, me.login, me.grants)
            policy, wf, machine = self.context(case)
            if returned_only:
                _require_returned(case, wf)
            _expect(case, pinned, policy)
            run_decision(case, me.grants, policy,
                    lambda: case.approve(me.login, me.grants, policy, wf, machine, comment,
                                         app.today(policy)))
            effects, decided = effects_of(case.kind), Decided(case, policy, wf, me.login)
            moved = effects.run("on_signed", app, decided)
            if case.state == PUBLISHED:
                moved += effects.run("on_published", app, decided)
            if case.final:
                moved += effects.run("on_final", app, decided)
            app.save(case, *moved)
            return case_dict(case, policy)
        return app.attempt(command)

    def resubmit(self, ref: str, actor: str | None, comment: str | None = None) -> dict[str, Any]:
        """The applicant re-submits a case that was returned to them for amendment."""
        return self.approve(ref, actor, comment, returned_only=True)

    def veto(self, ref: str, actor: str | None, reason: str | None,
             step: str | None = None) -> dict[str, Any]:
        reason, pinned = checked(reason, "--reason"), PinnedStep(step)

        def decide(case: Case, me: User, policy: Policy, wf: Workflow, machine: Machine) -> None:
            _expect(case, pinned, policy)
            run_decision(case, me.grants, policy,
                    lambda: case.veto(me.login, me.grants, policy, wf, reason))
        return self._end(ref, actor, decide)

    def return_case(self, ref: str, actor: str | None, reason: str | None,
                    step: str | None = None) -> dict[str, Any]:
        reason, pinned = checked(reason, "--reason"), PinnedStep(step)

        def decide(case: Case, me: User, policy: Policy, wf: Workflow, machine: Machine) -> None:
            _expect(case, pinned, policy)
            run_decision(case, me.grants, policy,
                    lambda: case.return_(me.login, me.grants, policy, wf, machine, reason))
        return self._end(ref, actor, decide)

    def withdraw(self, ref: str, actor: str | None, reason: str | None) -> dict[str, Any]:
        reason = checked(reason, "--reason")

        def decide(case: Case, me: User, policy: Policy, wf: Workflow, machine: Machine) -> None:
            case.withdraw(me.login, wf, machine, reason)
        return self._end(ref, actor, decide)

    def _end(self, ref: str, actor: str | None,
             decide: Callable[[Case, User, Policy, Workflow, Machine], None]) -> dict[str, Any]:
        """A decision that may end the case (veto, return, withdraw), with its kind's effects."""
        app = self.app

        def command() -> dict[str, Any]:
            me, case = app.actor(actor), app.case(ref)
            refuse_unreadable(app, case, me.login, me.grants)
            policy, wf, machine = self.context(case)
            decide(case, me, policy, wf, machine)
            moved = effects_of(case.kind).run("on_ended", app, Decided(case, policy, wf,
                                                                        me.login))
            app.save(case, *moved)
            return case_dict(case, policy)
        return app.attempt(command)

    # -- reading the case's own events --------------------------------------------------

    def show(self, ref: str, as_of: str | None = None,
             reader: str | None = None) -> dict[str, Any]:
        """A case as it stands (or stood); an appraisal also shows its advisor's norm
        compliance as evidence. A `reader` who may not read the case is refused."""
        require_readable(self.app, ref, reader)
        case = self._case_as_of(ref, as_of) if as_of else self.app.case(ref)
        policy = self.app.case_policy(case)
        shown = self._shown(case_dict(case, policy))
        if shown["kind"] == "appraisal" and case.class_code and policy.years_of_study:
            shown |= self.duties(case.class_code, policy)
        if shown["kind"] == "appraisal" and shown["period"] and shown["subject"]:
            report = self.app.worklog.norms_report(shown["subject"], shown["period"])
            shown["norms"] = [{k: n[k] for k in ("activity", "label", "per", "min", "met", "of")}
                              for n in report["norms"]]
        return shown

    def duties(self, class_code: str, policy: Policy) -> dict[str, Any]:
        """The advisor's title and the duties to judge, by the class's year of study (Hefei);
        nothing where the class has no year the policy knows."""
        klass = self.app.school_class(class_code)
        entry = year_entry(policy.years_of_study, klass.year_of_study)
        if entry is None:
            return {}
        return year_duties(entry, policy.role_label(entry.role),
                           policy.written.get("appraisal", {}).get("indicators", []))

    def _shown(self, shown: dict[str, Any]) -> dict[str, Any]:
        """A case as people read it: a student it names shown as `student: {name, number}`."""
        stored = shown["data"].get("student")
        if isinstance(stored, dict):
            student = opened(self.app, stored)
            shown["data"] = {**shown["data"], "student": student}
            shown["student"] = student
        return shown

    def _case_as_of(self, ref: str, as_of: str) -> Case:
        """The case as it stood at `as_of`, replayed once from its events (read once)."""
        events: list[Any] = list(self.app.events.get(case_id(normalise_ref(ref))))
        if not events:
            self.app.case(ref)  # raises what an unknown case raises
        opened = events[0]  # the rules (and so the time zone) are those it was opened under
        policy = self.app.policy(opened.policy_version, refinement=opened.refinement)
        until = parse_instant(as_of, policy.utc_offset)
        versions = [e.originator_version for e in events if e.timestamp <= until]
        if not versions:
            raise NotFound(f"{opened.ref} did not exist yet at"
                           f" {local_iso(until, policy.utc_offset)}")
        older: Case = fold(None, (e for e in events if e.originator_version <= versions[-1]))
        return older

    def history(self, ref: str, as_of: str | None = None,
                reader: str | None = None) -> list[dict[str, Any]]:
        require_readable(self.app, ref, reader)
        case = self.app.case(ref)
        policy = self.app.case_policy(case)
        wf = policy.workflow(case.kind)
        until = parse_instant(as_of, policy.utc_offset) if as_of else None
        out = []
        events: list[Any] = list(self.app.events.get(case.id))
        for ev in events:
            entry = audit_entry(ev)
            if entry is None or (until and ev.timestamp > until):
                continue
            entry.pop("target")
            step = entry["step"]
            entry["step_label"] = wf.step(step).label if step in wf.step_ids() else None
            out.append({"at": local_iso(ev.timestamp, policy.utc_offset), **entry})
        return out


def _expect(case: Case, pinned: PinnedStep, policy: Policy) -> None:
    """Pin the step the user meant to sign; if it moved on meanwhile, say who signed it. A
    step the case's workflow does not have is bad input naming the ones it has."""
    ids = policy.workflow(case.kind).step_ids()
    if pinned.step and pinned.step not in ids:
        raise BadInput("unknown step (--step): a {kind} case's steps are {steps}".format(
            kind=case.kind, steps=", ".join(ids)))
    if pinned.step is None:
        pinned.step = case.step if case.state == "open" else ""
    elif case.step != pinned.step:
        raise _moved_on(case, pinned.step, policy)


def _require_returned(case: Case, wf: Workflow) -> None:
    """Only a case waiting at its open step (returned for amendment) can be re-submitted."""
    if case.state == "open" and case.step == wf.open_step:
        return
    where = f"it awaits {wf.step(case.step).label}" if case.state == "open" and case.step \
        else f"it is {case.state}"
    raise StepNotAllowed(f"{case.ref} was not returned for amendment ({where}); nothing to"
                         " re-submit", zh=f"{case.ref} 未被退回，无需重新提交")


def run_decision(case: Case, grants: Grants, policy: Policy, decide: Callable[[], None]) -> None:
    """Run a decision; a user who lacks the role only because the case moved on is told so."""
    try:
        decide()
    except NotPermitted:
        wf, last = policy.workflow(case.kind), case.last["step"]
        if last in [s.id for s in wf.steps] and covers(grants, wf.step(last).role,
                                                        case.unit_path):
            raise _moved_on(case, last, policy) from None
        raise


def _moved_on(case: Case, step_id: str, policy: Policy) -> AlreadySigned:
    wf, last = policy.workflow(case.kind), case.last
    label = wf.step(step_id).label if step_id in wf.step_ids() else step_id
    when = local_short(case.modified_on, policy.utc_offset)
    now = f"it now awaits {wf.step(case.step).label}" if case.step else f"it is {case.state}"
    now_zh = f"现待「{wf.step(case.step).label}」" if case.step else f"现已{case.state}"
    return AlreadySigned(f"{case.ref}: {label} was already {last['action']} by {last['actor']}"
                         f" at {when}; {now}",
                         zh=f"{case.ref}：「{label}」已由 {last['actor']} 于 {when} 办理"
                            f"（{last['action']}）；{now_zh}")


def _workflow(policy: Policy, kind: str) -> Workflow:
    if kind not in policy.workflows:
        raise BadInput(f"policy {policy.id} declares no workflow {kind!r};"
                       f" it has: {', '.join(policy.workflows)}")
    return policy.workflow(kind)


def _require_fields(wf: Workflow, subject: str, class_code: str | None,
                    period: str | None, student: bool = False) -> None:
    given = {"subject": subject, "class": class_code, "period": period, "student": student}
    flag = {"subject": "--subject (or --candidate)", "class": "--class", "period": "--period",
            "student": "--student NAME --student-number NO"}
    for need in wf.requires:
        if not given[need]:
            raise BadInput(f"a {wf.kind} case needs {flag[need]}")


def _refuse_on_behalf(wf: Workflow, me: User, subject: str, path: list[str]) -> None:
    """A candidate applies for themselves: applying for anyone else is refused in the same
    words whether that login exists or not, so the refusal tells no one who is registered."""
    if not subject or not wf.opened_by_candidate or covers(me.grants, ADMIN, path):
        return
    if fold_login(subject) != fold_login(me.login):
        raise NotPermitted("{label}: candidates apply for themselves; {login} may not apply on"
                           " behalf of someone else".format(label=wf.open_label, login=me.login))


def _require_opener(wf: Workflow, policy: Policy, login: str, grants: Grants, subject: str,
                    path: list[str]) -> None:
    if wf.opened_by_candidate and not covers(grants, ADMIN, path):
        if subject != login:
            raise NotPermitted(f"{wf.open_label}: candidates apply for themselves;"
                               f" {login} may not apply on behalf of {subject}")
        return
    if not may_open(wf, grants, path):
        unit = f" of {path[-1]}" if path else ""
        raise NotPermitted(f"{wf.open_label} is done by a {wf.opened_by}"
                           f" ({policy.role_label(wf.opened_by)}){unit}; {login} is not one")

