"""Case commands: open (apply, nominate, any declared kind), approve, resubmit, veto, return, withdraw (reading a case is caseview.py's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from transitions import Machine

from ..domain.access import Grants, covers
from ..domain.case import Case
from ..domain.errors import (AlreadySigned, BadInput, Conflict, NotPermitted, Phrase,
                             StepNotAllowed)
from ..domain.logins import fold as fold_login
from ..domain.pipeline import PUBLISHED
from ..domain.signing import is_admin, may_open
from ..domain.policy import Policy, Workflow
from ..domain.timefmt import local_short, parse_date
from ..domain.user import User
from .countersign import Holders, progress, step_holders
from .delegation import Acting, acting, find_signer
from .effects import effects_of, run
from .hooks import Decided, Opening
from .readers import refuse_unreadable
from .render import case_dict
from .ports import Store
from .service import Service
from .students import checked_student, sealed, with_student
from .text import checked


@dataclass
class PinnedStep:
    """The step the user meant to act on, pinned on a command's first try so that its re-runs
    (after another writer got there first) still hold the user to it."""

    step: str | None


class Cases(Service):
    """Opening cases of any kind, and the decisions every kind shares. `holders` reads who
    holds a role in a unit (the users view) for a countersign step (会签 / 或签) alone."""

    def __init__(self, store: Store, holders: Holders) -> None:
        super().__init__(store)
        self.holders = holders

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
        store = self.store

        def command() -> dict[str, Any]:
            me = store.actor(actor)
            inst = store.institution()
            klass = store.school_class(class_code) if class_code else None
            if klass and unit and unit != klass.unit:
                raise BadInput("class {code} belongs to unit {unit}, not {given}",
                               code=klass.code, unit=klass.unit, given=unit)
            where = klass.unit if klass else unit
            path = store.unit(where).path if where else []
            refinement = inst.refinement_for(path)
            policy = store.policy(inst=inst, refinement=refinement)
            wf = _workflow(policy, kind)
            who = subject or (me.login if wf.opened_by_candidate else "")
            given = dict(data or {})
            student = given.pop("student", None)
            _require_fields(wf, who, class_code, period, bool(student))
            if student and "student" not in wf.requires:
                raise BadInput("a {kind} case names no student (--student is for a kind whose "
                               "policy requires one, such as discipline)", kind=wf.kind)
            if student:
                name, number = checked_student(student.get("name"), student.get("number"),
                                               "student" in wf.requires)
            _refuse_on_behalf(wf, me, who, path)  # before the subject is looked up
            if who:
                who = store.user(who).login  # as stored: `--subject ZHANG` is zhang
            _require_opener(wf, policy, me.login, me.grants, who, path)
            if wf.on_publish == "appoint" and klass:
                start = str(given.get("start") or store.today(policy))
                term = policy.staffing.term_years
                klass.check_vacancy(policy.staffing.advisors_per_class, start, term)
                store.user(who).check_can_take(klass.code, policy.staffing.max_classes_per_advisor,
                                               klass.term_over(who, start, term))
            if wf.on_publish == "dismiss" and klass:
                klass.check_advised_by(who)
            effects = effects_of(kind)
            when, facts = effects.prepare(store, Opening(policy, who, period or "", path, given))
            store.require_begun(when, policy, early, inst)
            if student:  # not a user: no account is made; the name is sealed under their key
                facts = {**facts, "student": sealed(store, name, number)}
            from .opening import counter, new_case  # opening alone: a sign-off needs no counter

            refs = counter(store, wf.prefix)
            case = new_case(refs.allocate()[0], wf, inst.current_version, refinement,
                            subject=who, opener=me.login, unit_path=path,
                            class_code=klass.code if klass else "", period=when, note=note,
                            data=facts)
            moved = run(effects.on_open, store, Decided(case, policy, wf, me.login))
            store.save(refs, case, *moved)
            return with_student(store, case_dict(case, policy))
        return store.attempt(command)

    # -- deciding -----------------------------------------------------------------------

    def approve(self, ref: str, actor: str | None, comment: str | None = None,
                step: str | None = None, returned_only: bool = False,
                shown: int | None = None) -> dict[str, Any]:
        """Sign the pending step; with `returned_only` (the `resubmit` command), only a case
        returned to its applicant is taken; with `shown` (the version a page showed the case
        at), only a case that has not changed since (batches.py)."""
        comment, pinned, store = checked(comment, "--comment"), PinnedStep(step), self.store

        def command() -> dict[str, Any]:
            me, case = store.actor(actor), store.case(ref)
            policy, wf, machine = store.case_rules(case)
            who = _acting(store, case, me, policy, wf)
            if shown is not None:
                _unchanged(case, shown)
            if returned_only:
                _require_returned(case, wf)
            _expect(case, pinned, policy)
            holders = step_holders(case, wf, self.holders)
            at = case.step
            run_decision(case, who.grants, policy,
                    lambda: case.approve(me.login, who.grants, policy, wf, machine, comment,
                                         store.today(policy), holders or (), who.on_behalf_of))
            if case.state == "open" and case.step == at and case.last["action"] == \
                    "countersigned":  # one more signature gathered: the step has not moved
                store.save(case)
                return self._shown(case, policy, wf)
            effects, decided = effects_of(case.kind), Decided(case, policy, wf, me.login)
            moved = run(effects.on_signed, store, decided)
            if case.state == PUBLISHED:
                moved += run(effects.on_published, store, decided)
            if case.final:
                moved += run(effects.on_final, store, decided)
            store.save(case, *moved)
            return self._shown(case, policy, wf)
        return store.attempt(command)

    def _shown(self, case: Case, policy: Policy, wf: Workflow) -> dict[str, Any]:
        """The case as a decision answers it; at a countersign step with its progress."""
        shown = case_dict(case, policy)
        holders = step_holders(case, wf, self.holders)
        if holders is not None:
            shown["countersign"] = progress(self.store, case, wf, holders)
        return shown

    def resubmit(self, ref: str, actor: str | None, comment: str | None = None) -> dict[str, Any]:
        """The applicant re-submits a case that was returned to them for amendment."""
        return self.approve(ref, actor, comment, returned_only=True)

    def veto(self, ref: str, actor: str | None, reason: str | None,
             step: str | None = None) -> dict[str, Any]:
        reason, pinned = checked(reason, "--reason"), PinnedStep(step)

        def decide(case: Case, me: User, policy: Policy, wf: Workflow, machine: Machine) -> None:
            _expect(case, pinned, policy)
            who = acting(self.store, case, me, policy, wf)
            run_decision(case, who.grants, policy,
                    lambda: case.veto(me.login, who.grants, policy, wf, reason,
                                      who.on_behalf_of))
        return self._end(ref, actor, decide)

    def return_case(self, ref: str, actor: str | None, reason: str | None,
                    step: str | None = None) -> dict[str, Any]:
        reason, pinned = checked(reason, "--reason"), PinnedStep(step)

        def decide(case: Case, me: User, policy: Policy, wf: Workflow, machine: Machine) -> None:
            _expect(case, pinned, policy)
            who = acting(self.store, case, me, policy, wf)
            run_decision(case, who.grants, policy,
                    lambda: case.return_(me.login, who.grants, policy, wf, machine, reason,
                                         who.on_behalf_of))
        return self._end(ref, actor, decide)

    def withdraw(self, ref: str, actor: str | None, reason: str | None) -> dict[str, Any]:
        reason = checked(reason, "--reason")

        def decide(case: Case, me: User, policy: Policy, wf: Workflow, machine: Machine) -> None:
            case.withdraw(me.login, wf, machine, reason)
        return self._end(ref, actor, decide)

    def _end(self, ref: str, actor: str | None,
             decide: Callable[[Case, User, Policy, Workflow, Machine], None]) -> dict[str, Any]:
        """A decision that may end the case (veto, return, withdraw), with its kind's effects."""
        store = self.store

        def command() -> dict[str, Any]:
            me, case = store.actor(actor), store.case(ref)
            policy, wf, machine = store.case_rules(case)
            _acting(store, case, me, policy, wf, blocked_too=False)  # the reading rule
            decide(case, me, policy, wf, machine)
            moved = run(effects_of(case.kind).on_ended, store, Decided(case, policy, wf,
                                                                        me.login))
            store.save(case, *moved)
            return self._shown(case, policy, wf)
        return store.attempt(command)


def _acting(store: Store, case: Case, me: User, policy: Policy, wf: Workflow,
            blocked_too: bool = True) -> Acting:
    """Who signs (see delegation.find_signer), after the reading rule: a case neither the
    actor nor a holder they stand in for may read is refused "may not read" first, unless
    (`blocked_too`) a delegation would cover the case but does not serve today: then why."""
    who, blocked = find_signer(store, case, me, policy, wf)
    if who.on_behalf_of:
        return who  # the holder may sign it, and so read it
    if blocked is not None and blocked_too:
        raise blocked  # the holder named them: why the delegation does not serve tells no secret
    refuse_unreadable(store, case, me.login, me.grants)
    return who


def _expect(case: Case, pinned: PinnedStep, policy: Policy) -> None:
    """Pin the step the user meant to sign; if it moved on meanwhile, say who signed it. A
    step the case's workflow does not have is bad input naming the ones it has."""
    ids = policy.workflow(case.kind).step_ids()
    if pinned.step and pinned.step not in ids:
        raise BadInput("unknown step (--step): a {kind} case's steps are {steps}",
                       kind=case.kind, steps=", ".join(ids))
    if pinned.step is None:
        pinned.step = case.step if case.state == "open" else ""
    elif case.step != pinned.step:
        raise _moved_on(case, pinned.step, policy)


def _unchanged(case: Case, shown: int) -> None:
    """A case is signed only as it was shown: one that changed since is refused (exit 4)."""
    if case.version != shown:
        raise Conflict("{ref} changed after it was shown to you (version {shown}, now "
                       "{version}); look at it again before signing", ref=case.ref,
                       shown=shown, version=case.version)


def _require_returned(case: Case, wf: Workflow) -> None:
    """Only a case waiting at its open step (returned for amendment) can be re-submitted."""
    if case.state == "open" and case.step == wf.open_step:
        return
    if case.state == "open" and case.step:
        raise StepNotAllowed("{ref} was not returned for amendment (it awaits {label}); nothing "
                             "to re-submit", ref=case.ref, label=wf.step(case.step).label)
    raise StepNotAllowed("{ref} was not returned for amendment (it is {state}); nothing to "
                         "re-submit", ref=case.ref, state=case.state)


def run_decision(case: Case, grants: Grants, policy: Policy, decide: Callable[[], None]) -> None:
    """Run a decision; a user who lacks the role only because the case moved on is told so."""
    try:
        decide()
    except NotPermitted:
        wf, last = policy.workflow(case.kind), case.last["step"]
        if getattr(case, "assignee", ""):  # another holder of the step: refused as it is
            raise
        if last in [s.id for s in wf.steps] and covers(grants, wf.step(last).role,
                                                        case.unit_path):
            raise _moved_on(case, last, policy) from None
        raise


def _moved_on(case: Case, step_id: str, policy: Policy) -> AlreadySigned:
    wf, last = policy.workflow(case.kind), case.last
    label = wf.step(step_id).label if step_id in wf.step_ids() else step_id
    when = local_short(case.modified_on, policy.utc_offset)
    if case.step:
        return AlreadySigned("{ref}: {label} was already {action} by {actor} at {when}; it now "
                             "awaits {next}", ref=case.ref, label=label, action=last["action"],
                             actor=last["actor"], when=when, next=wf.step(case.step).label)
    return AlreadySigned("{ref}: {label} was already {action} by {actor} at {when}; it is "
                         "{state}", ref=case.ref, label=label, action=last["action"],
                         actor=last["actor"], when=when, state=case.state)


def _workflow(policy: Policy, kind: str) -> Workflow:
    if kind not in policy.workflows:
        raise BadInput("policy {id} declares no workflow {kind!r}; it has: {kinds}", id=policy.id,
                       kind=kind, kinds=', '.join(policy.workflows))
    return policy.workflow(kind)


def _require_fields(wf: Workflow, subject: str, class_code: str | None,
                    period: str | None, student: bool = False) -> None:
    given = {"subject": subject, "class": class_code, "period": period, "student": student}
    flag = {"subject": "--subject (or --candidate)", "class": "--class", "period": "--period",
            "student": "--student NAME --student-number NO"}
    for need in wf.requires:
        if not given[need]:
            raise BadInput("a {kind} case needs {need}", kind=wf.kind, need=flag[need])


def _refuse_on_behalf(wf: Workflow, me: User, subject: str, path: list[str]) -> None:
    """A candidate applies for themselves: applying for anyone else is refused in the same
    words whether that login exists or not, so the refusal tells no one who is registered."""
    if not subject or not wf.opened_by_candidate or is_admin(me.grants):
        return
    if fold_login(subject) != fold_login(me.login):
        raise NotPermitted("{label}: candidates apply for themselves; {login} may not apply on "
                           "behalf of someone else", label=wf.open_label, login=me.login)


def _require_opener(wf: Workflow, policy: Policy, login: str, grants: Grants, subject: str,
                    path: list[str]) -> None:
    if wf.opened_by_candidate and not is_admin(grants):
        if subject != login:
            raise NotPermitted("{open_label}: candidates apply for themselves; {login} may not "
                               "apply on behalf of {subject}", open_label=wf.open_label,
                               login=login, subject=subject)
        return
    if not may_open(wf, grants, path):
        unit = Phrase(" of {unit}", unit=path[-1]) if path else ""
        raise NotPermitted("{open_label} is done by a {opened_by} ({role}){unit}; {login} is "
                           "not one", open_label=wf.open_label, opened_by=wf.opened_by,
                           role=policy.role_label(wf.opened_by), unit=unit, login=login)

