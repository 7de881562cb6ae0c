"""A class of students: its unit, head count and the advisors appointed to it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .errors import LimitReached, RuleRefused
from .ids import key_id
from .tenure import term_end


class SchoolClass(Aggregate):
    TOPIC = "bzr.class"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.class.created"

    class Added(Aggregate.Created):
        TOPIC = "bzr.class.added"
        class_version = 2
        code: str
        name: str
        unit: str
        students: int
        level: str
        graduating: bool
        actor: str
        year_of_study: int

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["year_of_study"] = 0  # before years of study were recorded: not given

    class Reclassified(Aggregate.Event):
        """The class's level or year of study changed, from `effective` on."""

        TOPIC = "bzr.class.reclassified"
        class_version = 1
        code: str
        level: str
        year_of_study: int
        effective: str
        actor: str

    class Updated(Aggregate.Event):
        TOPIC = "bzr.class.updated"
        class_version = 1
        code: str
        students: int
        graduating: bool
        effective: str
        actor: str

    class AdvisorAppointed(Aggregate.Event):
        TOPIC = "bzr.class.advisor_appointed"
        class_version = 1
        code: str
        advisor: str
        start: str
        case: str
        actor: str

    class AdvisorReleased(Aggregate.Event):
        """An appointment ended: `end` is its last day (paid), `cause` why (tenure: dismissal,
        graduation, term, ended) and `reason` in words."""

        TOPIC = "bzr.class.advisor_released"
        class_version = 2
        code: str
        advisor: str
        end: str
        case: str
        actor: str
        cause: str
        reason: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["cause"] = "dismissal" if state["case"].startswith("D") else "ended"
            state["reason"] = ""

    @staticmethod
    def create_id(code: str, *_: Any, **__: Any) -> UUID:
        return key_id("class", code)

    @event(Added)
    def __init__(self, code: str, name: str, unit: str, students: int, level: str,
                 graduating: bool, actor: str, year_of_study: int = 0) -> None:
        self.code, self.name, self.unit, self.level = code, name, unit, level
        self.students, self.graduating = students, graduating
        self.year_of_study = year_of_study
        self.advisors: list[dict[str, str]] = []

    def reclassify(self, level: str | None, year_of_study: int | None, effective: str,
                   actor: str) -> None:
        """Record a new level or year of study (the one not given stays as it is)."""
        self._reclassified(code=self.code, level=self.level if level is None else level,
                           year_of_study=self.year_of_study if year_of_study is None
                           else year_of_study, effective=effective, actor=actor)

    @event(Reclassified)
    def _reclassified(self, code: str, level: str, year_of_study: int, effective: str,
                      actor: str) -> None:
        self.level, self.year_of_study = level, year_of_study

    def update(self, students: int | None, graduating: bool | None, effective: str,
               actor: str) -> None:
        self._updated(code=self.code, students=self.students if students is None else students,
                      graduating=self.graduating if graduating is None else graduating,
                      effective=effective, actor=actor)

    @event(Updated)
    def _updated(self, code: str, students: int, graduating: bool, effective: str, actor: str) -> None:
        self.students, self.graduating = students, graduating

    def running(self, on: str, term_years: int) -> list[dict[str, str]]:
        """The appointments that still hold the class on `on`: one whose term (the policy's
        term_years, Aksu 第十二条) ran out before it no longer does, released or not yet."""
        return [a for a in self.advisors
                if not ((last := term_end(a["start"], term_years)) and last < on)]

    def term_over(self, advisor: str, on: str, term_years: int) -> bool:
        """Whether `advisor` holds this class only by a term that ran out before `on`."""
        return any(a["advisor"] == advisor for a in self.advisors) and not any(
            a["advisor"] == advisor for a in self.running(on, term_years))

    def check_vacancy(self, limit: int, on: str = "", term_years: int = 0) -> None:
        """Refused when `limit` appointments hold the class (on `on`, counting terms)."""
        held = self.running(on, term_years) if on else self.advisors
        if len(held) >= limit:
            names = ", ".join(f"{a['advisor']} since {a['start']}" for a in held)
            raise LimitReached(
                "class {code} already has {n_advisors} active advisor(s) ({names}); the policy "
                "allows {limit}", code=self.code, n_advisors=len(held), names=names,
                limit=limit)

    def appoint(self, advisor: str, start: str, case: str, actor: str, limit: int) -> None:
        self.check_vacancy(limit)
        self._appointed(code=self.code, advisor=advisor, start=start, case=case, actor=actor)

    @event(AdvisorAppointed)
    def _appointed(self, code: str, advisor: str, start: str, case: str, actor: str) -> None:
        self.advisors.append({"advisor": advisor, "start": start, "case": case})

    def check_advised_by(self, advisor: str) -> None:
        if not any(a["advisor"] == advisor for a in self.advisors):
            current = ", ".join(a["advisor"] for a in self.advisors) or "nobody"
            raise RuleRefused("{advisor} does not advise class {code} (advised by {current})",
                              advisor=advisor, code=self.code, current=current)

    def release(self, advisor: str, end: str, case: str, actor: str, cause: str = "ended",
                reason: str = "") -> None:
        """End `advisor`'s appointment to this class with `end` its last day; the class is free
        for a new advisor at once."""
        self.check_advised_by(advisor)
        self._released(code=self.code, advisor=advisor, end=end, case=case, actor=actor,
                       cause=cause, reason=reason)

    def appointment_of(self, advisor: str) -> dict[str, str]:
        """The advisor's running appointment to this class (refused when they hold none)."""
        self.check_advised_by(advisor)
        return next(a for a in self.advisors if a["advisor"] == advisor)

    @event(AdvisorReleased)
    def _released(self, code: str, advisor: str, end: str, case: str, actor: str, cause: str,
                  reason: str) -> None:
        self.advisors = [a for a in self.advisors if a["advisor"] != advisor]
