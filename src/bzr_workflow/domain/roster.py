"""Which advisors already have a case of a kind in a period, so a bulk opening never opens one twice."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .ids import key_id
from .periods import id_key, upcast


def roster_size(roster: PeriodRoster, scope: str) -> int:
    """A quota's basis: the advisors on the roster (withdrawn ones are delisted), in the whole
    institution ("*") or in one unit; the grade's share (Suzhou) and an award's (Aksu) both
    count it."""
    if scope == "*":
        return len(roster.cases)
    return sum(1 for a in roster.cases if roster.units.get(a) == scope)


class PeriodRoster(Aggregate):
    TOPIC = "bzr.roster"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.roster.created"

    class Started(Aggregate.Created):
        TOPIC = "bzr.roster.started"
        class_version = 2
        kind: str
        period: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["period"] = upcast(state["period"])  # "2026" is the school year 2026-2027

    class Listed(Aggregate.Event):
        TOPIC = "bzr.roster.listed"
        class_version = 2
        cases: dict[str, str]
        units: dict[str, str]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["units"] = {}

    class Delisted(Aggregate.Event):
        """An advisor's case was withdrawn: they no longer count as having one in the period."""

        TOPIC = "bzr.roster.delisted"
        class_version = 1
        advisor: str

    @staticmethod
    def create_id(kind: str, period: str, *_: Any, **__: Any) -> UUID:
        return key_id("roster", f"{kind}/{id_key(period)}")

    @event(Started)
    def __init__(self, kind: str, period: str) -> None:
        self.kind, self.period = kind, period
        self.cases: dict[str, str] = {}
        self.units: dict[str, str] = {}

    def list_cases(self, cases: dict[str, str], units: dict[str, str] | None = None) -> None:
        """Record advisor → case reference (and advisor → unit) for newly opened cases."""
        if cases:
            self._listed(cases=cases, units=units or {})

    @event(Listed)
    def _listed(self, cases: dict[str, str], units: dict[str, str]) -> None:
        self.cases.update(cases)
        self.units.update(units)

    def delist(self, advisor: str) -> None:
        """Take an advisor whose case was withdrawn off the roster (they may be listed again)."""
        if advisor in self.cases:
            self._delisted(advisor=advisor)

    @event(Delisted)
    def _delisted(self, advisor: str) -> None:
        self.cases.pop(advisor, None)
        self.units.pop(advisor, None)
