"""Places in a period, taken atomically with the approving case: an award's (Aksu's 十佳) or a grade's (Suzhou's 15 % of 优秀)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .errors import LimitReached, Phrase
from .ids import key_id
from .periods import id_key, upcast


class PlacesQuota(Aggregate):
    """The places of one award or one grade in a period and scope, and the cases holding them.

    Stored since the first release under the topics `bzr.quota.*` (the class was `AwardQuota`,
    the name is all that changed); its first event's field `award` names what is counted,
    `award:KEY` or `grade:GRADE` (`of_award`, `of_grade`), and is part of the id."""

    TOPIC = "bzr.quota"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.quota.created"

    class Started(Aggregate.Created):
        TOPIC = "bzr.quota.started"
        class_version = 2
        award: str
        period: str
        scope: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["period"] = upcast(state["period"])  # "2026" is the school year 2026-2027

    class PlaceTaken(Aggregate.Event):
        TOPIC = "bzr.quota.place_taken"
        class_version = 1
        case: str
        advisor: str
        places: int

    class PlaceReleased(Aggregate.Event):
        TOPIC = "bzr.quota.place_released"
        class_version = 1
        case: str

    class PassedOver(Aggregate.Event):
        """A result of the grade ranked beyond the places (`rank` of `places`): it holds none.
        Recorded on the quota so that decisions on the same places are taken one at a time."""

        TOPIC = "bzr.quota.passed_over"
        class_version = 1
        case: str
        advisor: str
        places: int
        rank: int

    @staticmethod
    def of_award(kind: str, distinction: str, period: str, scope: str) -> dict[str, str]:
        """The natural keys of an award's places (`award:` + the distinction's key)."""
        return {"award": f"{kind}:{distinction}", "period": period, "scope": scope}

    @staticmethod
    def of_grade(grade: str, period: str, scope: str) -> dict[str, str]:
        """The natural keys of a grade's places (`grade:优秀`), apart from any award's."""
        return {"award": f"grade:{grade}", "period": period, "scope": scope}

    @staticmethod
    def create_id(award: str, period: str, scope: str, *_: Any, **__: Any) -> UUID:
        return key_id("quota", f"{award}/{id_key(period)}/{scope}")

    @event(Started)
    def __init__(self, award: str, period: str, scope: str) -> None:
        self.award, self.period, self.scope = award, period, scope
        self.taken: dict[str, str] = {}

    def take(self, case: str, advisor: str, places: int, label: str, grade: bool = False) -> None:
        """Take a place for `case`; refused when all `places` are taken. `label` names the award
        ("places for 优秀班主任 2026") or, with `grade`, the grade ("优秀 places for 2026")."""
        if case in self.taken:
            return
        if len(self.taken) >= places:
            scope = Phrase(" in {scope}", scope=self.scope) if self.scope != "*" else ""
            what = Phrase("{label} places for {period}", label=label, period=self.period) \
                if grade else Phrase("places for {label} {period}", label=label,
                                     period=self.period)
            raise LimitReached("{n_taken} of {places} {what}{scope} taken ({holders})",
                               n_taken=len(self.taken), places=places, what=what, scope=scope,
                               holders=', '.join(sorted(self.taken)))
        self._taken(case=case, advisor=advisor, places=places)

    @event(PlaceTaken)
    def _taken(self, case: str, advisor: str, places: int) -> None:
        self.taken[case] = advisor

    def pass_over(self, case: str, advisor: str, places: int, rank: int) -> None:
        """Record that `case` ranked beyond the places (see PassedOver)."""
        self._passed_over(case=case, advisor=advisor, places=places, rank=rank)

    @event(PassedOver)
    def _passed_over(self, case: str, advisor: str, places: int, rank: int) -> None:
        self.taken.pop(case, None)

    def release(self, case: str) -> None:
        if case in self.taken:
            self._released(case=case)

    @event(PlaceReleased)
    def _released(self, case: str) -> None:
        self.taken.pop(case, None)
