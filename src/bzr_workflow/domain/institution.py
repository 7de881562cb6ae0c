"""The institution: initialisation and every adopted policy version, with its text and digest."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .errors import NotFound
from .ids import institution_id
from .periods import Calendar, YearCalendar, Span


class Institution(Aggregate):
    TOPIC = "bzr.institution"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.institution.created"

    class Initialised(Aggregate.Created):
        TOPIC = "bzr.institution.initialised"
        class_version = 1
        name: str
        admin: str
        actor: str

    class PolicyAdopted(Aggregate.Event):
        TOPIC = "bzr.institution.policy_adopted"
        class_version = 1
        version: int
        policy_id: str
        digest: str
        text: str
        actor: str

    class PolicyRefined(Aggregate.Event):
        """A unit's own rules over the institution's (empty text: the refinement is withdrawn)."""

        TOPIC = "bzr.institution.policy_refined"
        class_version = 1
        number: int
        unit: str
        digest: str
        text: str
        actor: str

    class CalendarSet(Aggregate.Event):
        """A school year's academic calendar: its two terms and holidays (ISO dates)."""

        TOPIC = "bzr.institution.calendar_set"
        class_version = 1
        year: str
        terms: list[list[str]]
        holidays: list[list[str]]
        actor: str

    @staticmethod
    def create_id(*_: Any, **__: Any) -> UUID:
        return institution_id()

    @event(Initialised)
    def __init__(self, name: str, admin: str, actor: str) -> None:
        self.name, self.admin = name, admin
        self.policies: list[dict[str, Any]] = []
        self.refinements: list[dict[str, Any]] = []
        self.calendars: dict[str, dict[str, Any]] = {}

    def adopt(self, policy_id: str, digest: str, text: str, actor: str) -> int:
        version = len(self.policies) + 1
        self._adopted(version=version, policy_id=policy_id, digest=digest, text=text, actor=actor)
        return version

    @event(PolicyAdopted)
    def _adopted(self, version: int, policy_id: str, digest: str, text: str, actor: str) -> None:
        self.policies.append({"version": version, "policy_id": policy_id, "digest": digest,
                              "text": text})

    def refine(self, unit: str, digest: str, text: str, actor: str) -> int:
        number = len(self.refinements) + 1
        self._refined(number=number, unit=unit, digest=digest, text=text, actor=actor)
        return number

    @event(PolicyRefined)
    def _refined(self, number: int, unit: str, digest: str, text: str, actor: str) -> None:
        self.refinements.append({"number": number, "unit": unit, "digest": digest, "text": text})

    def set_calendar(self, year: str, terms: list[Span], holidays: list[Span], actor: str) -> None:
        """Set (or correct) one school year's calendar; checked by periods.year_calendar."""
        self._calendar_set(year=year, terms=[[a.isoformat(), b.isoformat()] for a, b in terms],
                           holidays=[[a.isoformat(), b.isoformat()] for a, b in holidays],
                           actor=actor)

    @event(CalendarSet)
    def _calendar_set(self, year: str, terms: list[list[str]], holidays: list[list[str]],
                      actor: str) -> None:
        self.calendars[year] = {"terms": terms, "holidays": holidays, "actor": actor}

    def calendar(self) -> Calendar:
        """The academic calendar: each school year set, the default for the others."""
        def span(pair: list[str]) -> Span:
            return date.fromisoformat(pair[0]), date.fromisoformat(pair[1])

        return Calendar({year: YearCalendar((span(c["terms"][0]), span(c["terms"][1])),
                                            tuple(span(h) for h in c["holidays"]))
                         for year, c in self.calendars.items()})

    def active_refinements(self) -> dict[str, dict[str, Any]]:
        """The refinement in force for each unit that has one."""
        latest = {r["unit"]: r for r in self.refinements}
        return {unit: r for unit, r in latest.items() if r["text"]}

    def refinement_for(self, unit_path: list[str]) -> int:
        """The number of the refinement of the nearest unit on the path, or 0 for none."""
        active = self.active_refinements()
        for unit in reversed(unit_path):
            if unit in active:
                return int(active[unit]["number"])
        return 0

    def refinement_record(self, number: int) -> dict[str, Any]:
        return self.refinements[number - 1]

    @property
    def current_version(self) -> int:
        return len(self.policies)

    def policy_record(self, version: int | None = None) -> dict[str, Any]:
        version = version or self.current_version
        if not 1 <= version <= len(self.policies):
            raise NotFound("no policy version {version} (adopted: 1-{n_policies})",
                           version=version, n_policies=len(self.policies))
        return self.policies[version - 1]
