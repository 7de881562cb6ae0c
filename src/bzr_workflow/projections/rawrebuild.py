"""Catch-up and rebuild straight from the stored records: each event's stored JSON read as its fields, no event object made.

The event path (catchup.py) turns every stored event into its class through eventsourcing's
mapper (a Notification and a UUID per row, the JSON decoded with a Python hook on every object),
then the projections read the event's attributes. Here the rows are read as they are stored
(`RecordLog.select_records`), the JSON parsed at C speed (`RecordLog.state_of`: the mapper's own
result), upcast with the event class's `upcast_vN_vN+1` statics exactly as the mapper would, and
handed to the same projection handlers as a `Fields` (the decoded dict read as attributes, the
originator's id as text). Events of a class that changes no view are not decoded at all.

Only the classes in `RAW` go this way, each at the `class_version` its projections were read
for: the handlers of those read nothing of an event but its fields and `str(originator_id)`.
A topic not in `RAW`, a class whose `class_version` has moved on since, or a class that is no
longer the one the topic names, goes through the event path, one event at a time, in order, in
the same batch and through the same writer, so what the views become cannot differ.

`BZR_WORKFLOW_VIEWS_PATH=events` sends every event through the event path (tests compare the two
byte for byte, the bench times both).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from ..domain.accounts import Accounts
from ..domain.adoption import Adoption
from ..domain.case import Case
from ..domain.command import Command
from ..domain.counter import CaseCounter
from ..domain.delegation import DelegationRegister, Deputyship, acted_by
from ..domain.institution import Institution
from ..domain.maintenance import Maintenance
from ..domain.notice import Notice, NoticeFollower, NoticeSettings
from ..domain.quota import PlacesQuota
from ..domain.roster import PeriodRoster
from ..domain.school_class import SchoolClass
from ..domain.unit import Unit
from ..domain.user import User
from ..domain.worklog import WorkLog
from . import tables
from .appraisals import AppraisalProjection
from .cases import CASE_EVENTS, CaseProjection
from .projector import Projector

PATH_ENV = "BZR_WORKFLOW_VIEWS_PATH"

Record = tuple[int, str, int, str, bytes]
"""(position, originator id as text, originator version, topic, stored state)."""

RAW: dict[type, int] = {
    Case.Opened: 4, Case.Signed: 2, Case.Vetoed: 2, Case.Returned: 2, Case.Withdrawn: 1,
    Case.SummarySubmitted: 2, Case.Scored: 2, Case.VetoFlagged: 2, Case.VetoCleared: 2,
    Case.AnnouncementOpened: 1, Case.ObjectionLodged: 1, Case.ObjectionResolved: 1,
    Case.Finalised: 2, Case.AwardGranted: 1, Case.PlaceDecided: 1, Case.Rewarded: 1,
    Command.Recorded: 2, Institution.Initialised: 1, Institution.PolicyAdopted: 1,
    Institution.PolicyRefined: 1, Institution.CalendarSet: 1, Adoption.Imported: 1,
    Maintenance.Started: 1, Maintenance.Performed: 1, Unit.Added: 1,
    User.Registered: 1, User.RoleGranted: 1, User.RoleRevoked: 1, User.ProfileUpdated: 1,
    User.PersonErased: 1, User.ClassTaken: 1, User.ClassReleased: 1, User.ResultRecorded: 2,
    User.ResultImported: 1, User.TrainingRecorded: 1, User.ConsequenceRecorded: 2,
    User.PasswordSet: 1, User.InvitationIssued: 1, User.TokenIssued: 1, User.TokenRevoked: 1,
    User.LockedOut: 1, SchoolClass.Added: 2, SchoolClass.Updated: 1,
    SchoolClass.Reclassified: 1, SchoolClass.AdvisorAppointed: 1,
    SchoolClass.AdvisorReleased: 2, CaseCounter.Started: 1, CaseCounter.Allocated: 1,
    PeriodRoster.Started: 2, PeriodRoster.Listed: 2, PeriodRoster.Delisted: 1,
    PlacesQuota.Started: 2, PlacesQuota.PlaceTaken: 1, PlacesQuota.PlaceReleased: 1,
    PlacesQuota.PassedOver: 1, Accounts.Counted: 1, Accounts.LoginAdded: 1,
    Accounts.AdminAdded: 1, Accounts.AdminRemoved: 1, WorkLog.Started: 1, WorkLog.Recorded: 1,
    Case.Countersigned: 1, Case.TakenBack: 1, Case.Reassigned: 1,
    Deputyship.Started: 1, Deputyship.Given: 1, Deputyship.Revoked: 1,
    DelegationRegister.Started: 1, DelegationRegister.Registered: 1,
    NoticeSettings.Configured: 1, NoticeSettings.Changed: 1, NoticeFollower.Started: 1,
    NoticeFollower.Followed: 1, Notice.Queued: 1, Notice.Claimed: 1, Notice.Sent: 1,
    Notice.Failed: 1,
}
"""The event classes projected from their records, each with the class_version its handlers
(and audit entry) were read for: they use only the event's fields and str(originator_id)."""


FUSED = (CaseProjection.scored, AppraisalProjection.scored)
"""The handlers of Case.Scored that `RecordProjector.scored` does in one (their functions)."""


class RecordLog(Protocol):
    """What reading the records needs of a store, beside the event path's `EventLog`."""

    def select_records(self, start: int, limit: int) -> Sequence[Record]: ...

    def state_of(self, stored: bytes, stamp_text: bool = False) -> dict[str, Any]: ...

    def to_domain_event(self, stored_event: StoredEvent) -> Any: ...


def records_of(log: Any) -> RecordLog | None:
    """The log, if its records can be read and the environment does not ask for events."""
    if os.environ.get(PATH_ENV, "") == "events":
        return None
    if callable(getattr(log, "select_records", None)) and callable(getattr(log, "state_of", None)):
        return log  # type: ignore[no-any-return]
    return None


class Fields:
    """A stored event's decoded state read as attributes: what a projection reads of an event."""

    originator_id: str

    def __init__(self, state: dict[str, Any]) -> None:
        self.__dict__ = state


class RecordProjector:
    """Projects batches of records through a `Projector`; counts what went which way."""

    def __init__(self, projector: Projector, log: RecordLog) -> None:
        self.projector, self.log = projector, log
        self.plan: dict[str, tuple[type, bool]] = {}  # topic -> (class, projects anything)
        for kind, version in RAW.items():
            if getattr(kind, "class_version", 1) == version:
                self.plan[str(getattr(kind, "TOPIC"))] = (kind, projector.projects(kind))
        self.case_topics = frozenset(k.TOPIC for k in CASE_EVENTS)
        self.opened_topic = Case.Opened.TOPIC
        # Case.Scored by `scored` while its handlers are the ones it was written for
        self.fused = projector.handlers_of(Case.Scored) == FUSED
        self.raw = 0
        self.skipped = 0
        self.events = 0

    def project(self, records: Sequence[Record]) -> None:
        """Applies the records, in order, after reading the rows of the cases they continue."""
        projector, plan, state_of = self.projector, self.plan, self.log.state_of
        case_topics, opened_topic = self.case_topics, self.opened_topic
        projector.prefetch_ids({r[1] for r in records if r[3] == opened_topic},
                               {r[1] for r in records if r[3] in case_topics})
        apply, decisions = projector.apply, projector.decisions
        scored = Case.Scored if self.fused else None
        for position, originator, version, topic, stored in records:
            found = plan.get(topic)
            if found is None:
                self.events += 1
                apply(self.log.to_domain_event(StoredEvent(
                    originator_id=UUID(originator), originator_version=version, topic=topic,
                    state=stored)), position)
                continue
            kind, projects = found
            if not projects:  # no view row: only the batch's first position is noted
                self.skipped += 1
                projector.position = position
                decisions.record(None, position, kind)
                continue
            state = state_of(stored, True)
            upcast(kind, state)
            state["originator_id"] = originator
            state["originator_version"] = version
            self.raw += 1
            if kind is scored:
                self.scored(Fields(state), position)
            else:
                apply(Fields(state), position, kind)

    def scored(self, ev: Any, position: int) -> None:
        """Case.Scored (two events in three): what `Projector.apply` does with it (the
        handlers of CaseProjection and AppraisalProjection, then the decision), the case's row
        looked up once."""
        projector = self.projector
        projector.position = position
        case = projector.writer.row_by(tables.cases, ev.originator_id, True)
        case["signers"] = acted_by(case["signers"], ev.step, ev.actor, ev.on_behalf_of)
        projector.appraisals.rescored(case["ref"], ev)
        projector.decisions.record(ev, position, Case.Scored, case)


def upcast(kind: type, state: dict[str, Any]) -> None:
    """The mapper's upcasting, on the decoded state: each `upcast_vN_vN+1` up to the class's."""
    current = getattr(kind, "class_version", 1)
    stored = state.pop("class_version", 1)
    while stored < current:
        step: Callable[[dict[str, Any]], None] = getattr(kind, f"upcast_v{stored}_v{stored + 1}")
        step(state)
        stored += 1
