"""How appointments end beside a dismissal: a class graduating, a term running out, and `appointment end` (resignation, transfer, an office's act)."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate

from ..domain import tenure
from ..domain.access import covers
from ..domain.errors import BadInput, NotPermitted, RuleRefused
from ..domain.policy import RULE, Policy
from ..domain.school_class import SchoolClass
from ..domain.signing import is_admin
from ..domain.timefmt import parse_date
from ..domain.user import User
from .ports import Store
from .service import Service
from .text import checked

GRADUATED = "班级毕业"
"""The reason a graduation records (the cohort's end, Aksu 第十二条 任期一般要担任一届)."""


def term_reason(term_years: int) -> str:
    return f"任期届满（{term_years}年）"


def expire_terms(store: Store, klass: SchoolClass, policy: Policy, before: str,
                 users: dict[str, User]) -> list[Aggregate]:
    """The class's appointments whose term ran out before `before` (the day a new one starts)
    end on their term's last day, as the rule's act (Aksu 第十二条: 任期一般要担任一届（三年）), so
    the class is free and the advisor may be appointed again (renewed) or another in their place.
    `users` holds the advisors already loaded in the command (loaded here when missing); the
    moved ones are returned for saving with the class."""
    moved: list[Aggregate] = []
    for held in list(klass.advisors):
        last = tenure.term_end(held["start"], policy.staffing.term_years)
        if last is None or last >= before:
            continue
        klass.release(held["advisor"], last, held["case"], RULE, tenure.TERM,
                      term_reason(policy.staffing.term_years))
        user = users.get(held["advisor"]) or store.user(held["advisor"])
        users[user.login] = user
        user.release_class(klass.code, held["case"])
        moved.append(user)
    return [klass, *moved] if moved else []


class Tenure(Service):
    """Ending appointments outside a dismissal workflow."""

    def graduate(self, code: str, day: str, actor: str | None) -> dict[str, Any]:
        """`class update CLASS --graduated DATE`: every appointment to the class ends that day
        (its last day, paid), and the class is free."""
        when = parse_date(day)

        def command() -> dict[str, Any]:
            self.store.require_admin(actor)
            klass = self.store.school_class(code)
            ended = self._end_all(klass, when, tenure.GRADUATION, GRADUATED, str(actor))
            return {"class": code, "graduated": when, "ended": ended}
        return self.store.attempt(command)

    def _end_all(self, klass: SchoolClass, day: str, cause: str, reason: str,
                 actor: str) -> list[str]:
        users: dict[str, User] = {}
        moved = expire_terms(self.store, klass, self.store.policy(), day, users)
        ended = []
        for held in list(klass.advisors):
            if held["start"] > day:
                raise RuleRefused("{advisor}'s appointment to {code} starts on {start}, after "
                                  "{day}", advisor=held["advisor"], code=klass.code,
                                  start=held["start"], day=day)
            klass.release(held["advisor"], day, held["case"], actor, cause, reason)
            user = users.get(held["advisor"]) or self.store.user(held["advisor"])
            users[user.login] = user
            user.release_class(klass.code, held["case"])
            ended.append(held["advisor"])
        self.store.save(klass, *moved, *users.values())
        return ended

    def end(self, advisor: str, code: str, day: str, reason: str,
            actor: str | None) -> dict[str, Any]:
        """`appointment end`: a resignation, a transfer or an office's act ends one appointment
        on `day` (its last day, paid), by the role the policy names (staffing.ends_by) in the
        class's unit, or an administrator."""
        when = parse_date(day)
        why = checked(reason, "--reason", 1000)
        if not why.strip():
            raise BadInput("an appointment's end says why (--reason TEXT)")

        def command() -> dict[str, Any]:
            who = self.store.actor(actor)
            policy = self.store.policy()
            klass = self.store.school_class(code)
            path = self.store.unit(klass.unit).path
            role = policy.staffing.ends_by
            if not is_admin(who.grants) and not (role and covers(who.grants, role, path)):
                if role:
                    raise NotPermitted("an appointment to {code} is ended by a {role} "
                                       "({role_label}) of {unit} or an administrator; {who} is "
                                       "neither", code=code, role=role,
                                       role_label=policy.role_label(role), unit=klass.unit,
                                       who=who.login)
                raise NotPermitted("an appointment is ended by an administrator under this "
                                   "policy; {who} is not one", who=who.login)
            users: dict[str, User] = {}
            moved = expire_terms(self.store, klass, policy, when, users)
            held = klass.appointment_of(advisor)
            if when < held["start"]:
                raise BadInput("--on {day} is before the appointment's start {start}", day=when,
                               start=held["start"])
            klass.release(advisor, when, held["case"], who.login, tenure.ENDED_BY_OFFICE, why)
            user = users.get(advisor) or self.store.user(advisor)
            users[user.login] = user
            user.release_class(klass.code, held["case"])
            self.store.save(klass, *moved, *users.values())
            return {"advisor": advisor, "class": code, "end": when, "end_reason": why,
                    "end_cause": tenure.ENDED_BY_OFFICE, "ended_by": who.login}
        return self.store.attempt(command)
