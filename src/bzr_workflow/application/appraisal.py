"""Appraisal commands: bulk opening, self-summary, scores, veto items, 公示 objections, finalisation."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..domain.case import Case
from ..domain.errors import BadInput, NotPermitted, RuleRefused
from ..domain.institution import Institution
from ..domain.periods import parse_period
from ..domain.roster import PeriodRoster
from ..domain.signing import may_open
from ..domain.user import User
from ..domain.quota import AwardQuota
from .appraisal_effects import (KIND, appraisal_roster, grade_quota_key, grade_quota_of,
                                roster_size)
from .cases import run_decision
from .readers import refuse_unreadable
from .effects import Decided, effects_of
from .opening import counter, new_case
from .render import SiblingDicts, case_dict
from .service import Service
from .text import checked

Progress = Callable[[int], None]
Target = tuple[str, str, str]  # (advisor, class, unit)
CHUNK = 1000  # bulk opening: events mapped and stored per chunk, in the one transaction


def parse_items(pairs: Sequence[str], what: str) -> dict[str, str]:
    """KEY=VALUE pairs from the command line."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise BadInput(f"{what} {pair!r}: write KEY=VALUE")
        out[key.strip()] = value.strip()
    return out


class Appraisals(Service):
    """Appraisal commands: opening a period's cases, summaries, scores, veto items, 公示, finalising."""

    def targets(self, period: str, advisors: Sequence[str] = ()) -> list[Target]:
        """Whom `open_appraisals` would open for: the named advisors, or every advisor
        appointed at some time in the period. Under a policy that appoints nobody (no
        recruitment workflow: Jiyuan), every holder of a role its work norms name, in that unit."""
        if advisors:
            return self.appraisal_targets(advisors)
        appointed = self.app.reads.appointed_in(period)
        policy = self.app.policy()
        if "recruitment" in policy.workflows:
            return appointed
        norm_roles = {n.role for n in policy.norms}
        seen = {t[0] for t in appointed}
        for row in self.app.reads.users():
            units = [unit for role, _, unit in (g.partition("@") for g in row["roles"])
                     if role in norm_roles and unit]
            if units and row["user"] not in seen:
                appointed.append((row["user"], "", units[0]))
                seen.add(row["user"])
        return appointed

    def appraisal_targets(self, advisors: Sequence[str]) -> list[Target]:
        """(advisor, class, unit) for named advisors, from their current appointments; one
        who holds no class is appraised in the unit where they hold a role the policy's work
        norms name (Jiyuan appraises its 辅导员 and 班主任, whom no recruitment appoints)."""
        out = []
        norm_roles = {n.role for n in self.app.policy().norms}
        for login in advisors:
            user = self.app.user(login)
            if not user.classes:
                units = [unit for role, unit in user.grants if role in norm_roles and unit]
                if not units:
                    raise RuleRefused(f"{login} advises no class and holds no role the work"
                                      " norms name in a unit, so has nothing to be appraised on")
                out.append((login, "", units[0]))
                continue
            klass = self.app.school_class(user.classes[0])
            out.append((user.login, klass.code, klass.unit))
        return out

    def open_appraisals(self, period: str, targets: Sequence[Target], actor: str | None,
                        explicit: bool, progress: Progress | None = None, early: bool = False
                        ) -> Sequence[dict[str, Any]]:
        """One case per advisor, all in one transaction; advisors who have one are skipped.
        A period that has not begun under the calendar is refused unless `early`."""
        def command() -> Sequence[dict[str, Any]]:
            me, inst = self.app.actor(actor), self.app.institution()
            policy = self.app.policy(inst=inst)
            canonical = parse_period(period, policy.period)
            roster = appraisal_roster(self.app, canonical)
            paths: dict[str, list[str]] = {}
            todo: list[Target] = []
            seen: set[str] = set()
            for advisor, klass, unit in targets:
                if advisor in roster.cases or advisor in seen:
                    continue
                if unit not in paths:
                    paths[unit] = self.app.unit(unit).path
                if self._may_open(me, paths[unit], inst, explicit, advisor):
                    todo.append((advisor, klass, unit))
                    seen.add(advisor)
            if todo:  # after the permission checks: who may not open it is told that first
                self.app.require_begun(canonical, policy, early, inst)
            return self._open_many(inst, me.login, canonical, roster, todo, paths, progress)
        return self.app.attempt(command)

    def _may_open(self, me: User, path: list[str], inst: Institution, explicit: bool,
                  who: str) -> bool:
        wf = self.app.policy_for_unit(path, inst).workflow(KIND)
        if may_open(wf, me.grants, path):
            return True
        if explicit:
            raise NotPermitted(f"{wf.open_label} for {who} is done by a {wf.opened_by} of"
                               f" {path[-1] if path else 'the institution'}; {me.login} is not one")
        return False

    def _open_many(self, inst: Institution, opener: str, period: str, roster: PeriodRoster,
                   todo: list[Target], paths: dict[str, list[str]],
                   progress: Progress | None) -> Sequence[dict[str, Any]]:
        if not todo:
            return []
        base = self.app.policy(inst=inst)
        refs_counter = counter(self.app, base.workflow(KIND).prefix)
        refs = refs_counter.allocate(len(todo))
        leaf = {unit: path[-1] if path else "" for unit, path in paths.items()}  # a case's unit
        roster.list_cases({t[0]: ref for t, ref in zip(todo, refs)},
                          {t[0]: leaf[t[2]] for t in todo})
        shown = SiblingDicts()
        # The first case under each rule set is built as an aggregate; its siblings' Opened
        # events and dicts are copies with their identity changed (a test holds them equal).
        # Events are stored a chunk at a time as they are made, in one transaction.
        first: dict[int, tuple[Case.Opened, dict[str, Any]]] = {}

        def chunks() -> Iterator[list[Any]]:
            chunk: list[Any] = [refs_counter, roster]
            for n, ((advisor, klass, unit), ref) in enumerate(zip(todo, refs), 1):
                refinement, path = inst.refinement_for(paths[unit]), paths[unit]
                if refinement in first:
                    opened, shape = first[refinement]
                    chunk.append(Case.opened_like(opened, ref, advisor, path, klass))
                else:
                    policy = self.app.policy(inst=inst, refinement=refinement)
                    case = new_case(ref, policy.workflow(KIND), inst.current_version,
                                          refinement, subject=advisor, opener=opener,
                                          unit_path=path, class_code=klass, period=period)
                    shape = case_dict(case, policy)
                    first[refinement] = (case.pending_events[0], shape)  # type: ignore[assignment]
                    chunk.append(case)
                shown.add(ref, advisor, klass, leaf[unit], shape)
                if n % CHUNK == 0:
                    yield chunk
                    chunk = []
                if progress and n % 100 == 0:
                    progress(100)
            yield chunk

        self.app.save_streamed(chunks())
        if progress:
            progress(len(todo) % 100)
        return shown

    def submit_summary(self, ref: str, actor: str | None, text: str) -> dict[str, Any]:
        text = checked(text, "the self-summary")

        def command() -> dict[str, Any]:
            me = self.app.actor(actor)
            case = self._appraisal(ref, me)
            case.submit_summary(me.login, text)
            self.app.save(case)
            return case_dict(case, self.app.case_policy(case))
        return self.app.attempt(command)

    def score(self, ref: str, actor: str | None, items: Sequence[str],
              bonus: Sequence[str] = ()) -> dict[str, Any]:
        scores, extra = parse_items(items, "--item"), parse_items(bonus, "--bonus")
        if not scores and not extra:
            raise BadInput("give at least one --item KEY=VALUE (or --bonus KEY=VALUE)")

        def command() -> dict[str, Any]:
            me = self.app.actor(actor)
            case = self._appraisal(ref, me)
            policy, wf, _ = self.app.cases.context(case)
            run_decision(case, me.grants, policy,
                         lambda: case.score(me.login, me.grants, policy, wf, scores, extra))
            self.app.save(case)
            return case_dict(case, policy)
        return self.app.attempt(command)

    def flag_veto(self, ref: str, actor: str | None, item: str, reason: str | None,
                  clear: bool = False) -> dict[str, Any]:
        reason = checked(reason, "--reason")

        def command() -> dict[str, Any]:
            me = self.app.actor(actor)
            case = self._appraisal(ref, me)
            policy, wf, _ = self.app.cases.context(case)
            case.flag_veto(me.login, me.grants, policy, wf, item, reason, self.app.today(policy), clear)
            self.app.save(case)
            return case_dict(case, policy)
        return self.app.attempt(command)

    def lodge_objection(self, ref: str, actor: str | None, reason: str | None) -> dict[str, Any]:
        reason = checked(reason, "--reason")

        def command() -> dict[str, Any]:
            me, case = self.app.actor(actor), self.app.case(ref)
            policy = self.app.case_policy(case)
            today = self.app.today(policy)
            if not _announced(case, today):  # 公示 makes a case public: anyone may object
                self._acted_on(case, me)
            case.lodge_objection(me.login, reason, today)
            self.app.save(case)
            return case_dict(case, policy)
        return self.app.attempt(command)

    def resolve_objection(self, ref: str, actor: str | None, number: int, upheld: bool,
                          comment: str | None) -> dict[str, Any]:
        comment = checked(comment, "--comment")

        def command() -> dict[str, Any]:
            me = self.app.actor(actor)
            case = self._appraisal(ref, me)
            policy, wf, _ = self.app.cases.context(case)
            case.resolve_objection(me.login, me.grants, policy, wf, number, upheld, comment)
            moved = effects_of(case.kind).run("on_ended", self.app,
                                              Decided(case, policy, wf, me.login)) \
                if case.state == "open" else []  # upheld: re-graded, so its place is given back
            self.app.save(case, *moved)
            return case_dict(case, policy)
        return self.app.attempt(command)

    def finalise(self, ref: str, actor: str | None) -> dict[str, Any]:
        def command() -> dict[str, Any]:
            me = self.app.actor(actor)
            case = self._appraisal(ref, me)
            policy, wf, _ = self.app.cases.context(case)
            case.finalise(me.login, me.grants, policy, wf, self.app.today(policy))
            moved = effects_of(case.kind).run("on_final", self.app, Decided(case, policy, wf,
                                                                             me.login))
            self.app.save(case, *moved)
            return case_dict(case, policy)
        return self.app.attempt(command)

    def finalise_period(self, period: str, actor: str | None) -> dict[str, Any]:
        """Finalise every appraisal of the period whose announcement is over; say why not the rest."""
        canonical = parse_period(period, self.app.policy().period)
        done, waiting = [], {}
        for ref in sorted(appraisal_roster(self.app, canonical).cases.values(), key=_ref_order):
            try:
                self.finalise(ref, actor)
                done.append(ref)
            except (RuleRefused, NotPermitted) as exc:
                waiting[ref] = str(exc)
        return {"period": canonical, "finalised": done, "not_finalised": waiting}

    def grade_places(self, period: str, unit: str | None = None) -> dict[str, Any] | None:
        """Where the policy caps a grade (Suzhou's 15 % of 优秀): the period's roster, the places
        it gives, and the results holding them; None where the policy caps no grade (or caps it
        per unit and no unit is named)."""
        policy = self.app.policy()
        rule = grade_quota_of(policy)
        if rule is None or (rule.scope == "unit" and not unit):
            return None
        canonical = parse_period(period, policy.period)
        scope = rule.scope_of(unit or "")
        roster = roster_size(self.app, canonical, scope)
        quota_id = AwardQuota.create_id(**grade_quota_key(rule, canonical, scope))
        taken: dict[str, str] = self.app.repository.get(quota_id).taken \
            if self.app.exists(quota_id) else {}
        return {"grade": rule.grade, "period": canonical, "scope": scope,
                "share": float(rule.share), "rounding": rule.rounding, "roster": roster,
                "places": rule.places(roster), "taken": sorted(taken, key=_ref_order),
                "step": rule.step}

    def _appraisal(self, ref: str, me: User) -> Case:
        """The appraisal `ref`, for `me` to act on: a case they may not read is refused so
        before anything else about it (even its kind) is said."""
        return self._acted_on(self.app.case(ref), me)

    def _acted_on(self, case: Case, me: User) -> Case:
        refuse_unreadable(self.app, case, me.login, me.grants)
        if case.kind != KIND:
            raise BadInput(f"{case.ref} is a {case.kind} case, not an appraisal")
        return case


def _announced(case: Case, today: str) -> bool:
    """Whether the case is under public announcement (公示) today: published, not final, its
    announcement running. Such a case is shown to all, and anyone may object to it; of any
    other case, a stranger is told only that they may not read it."""
    notice = case.announcement
    return (case.kind == KIND and case.state == "published" and not case.final
            and bool(notice) and today <= str(notice["until"]))


def _ref_order(ref: str) -> int:
    return int(ref.rsplit("-", 1)[1])
