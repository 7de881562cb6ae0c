"""The event-sourced application and the one composition root: the store (the port every service is given), and the services wired with the siblings they need."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing.persistence import (Mapper, MapperDeserialisationError, PersistenceError,
                                       ProgrammingError, Recording, RecordConflictError)
from transitions import Machine

from ..domain.case import Case
from ..domain.command import Command
from ..domain.errors import BadInput, Conflict, NotFound, NotPermitted, RuleRefused, WorkflowError
from ..domain.ids import case_id, institution_id, key_id, normalise_ref
from ..domain.institution import Institution
from ..domain.periods import Calendar
from ..domain.periods import parse as parse_period_text
from ..domain.logins import fold
from ..domain.policy import Policy, Workflow
from ..domain.school_class import SchoolClass
from ..domain.signing import is_admin
from ..domain.timefmt import local_iso
from ..domain.unit import Unit
from ..domain.user import User
from ..adapters import es_fastpath, origin
from ..adapters.aggcache import ViewingRepository
from ..adapters.personal import KeyRing, PersonalMapper
from .policybook import PolicyBook
from ..adapters.store import StoreMissing, APP_NAME, Location
from .failures import storage_errors, translate_storage_error

if TYPE_CHECKING:  # each service's module is imported when the service is first used
    from .appraisal import Appraisals
    from .award import Awards
    from .batches import Batches
    from .cases import Cases
    from .caseview import CaseViews
    from .delegation import Delegations
    from .handover import Handovers
    from .deadlines import Deadlines
    from .imports import Imports
    from .norms import NormsReports
    from .training import Trainings
    from .organisation import Organisation
    from .ranking import Ranking
    from .tenure import Tenure
    from .worklog import Worklog
    from ..projections import Views
    from .adminview import AdminViews
    from .credentials import Credentials
    from .notices import Notices
    from .reads import Reads

__all__ = ["WorkflowApp", "storage_errors", "translate_storage_error"]

T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)
MAX_ATTEMPTS = 30
CACHED_AGGREGATES = 10_000
"""An LRU of aggregates (copy-on-write views out, aggcache.py). A sign-off loads the case, its
class, the signer and the subject: at 1,000, an institution's few thousand of them fell out of the
cache before their next use (issue 24: 1.72 ms a sign-off against 1.20 ms at 10,000, 500 cases
signed three times). Each holds about 2 KiB (9,000 users, classes and one-step cases measured at
17 MiB), so a long-running server's full cache is some 20-40 MiB."""


class WorkflowApp(Application[UUID]):
    """One event store: load, decide in the domain, save (re-run on conflict), under the policy
    in force; it implements the port (`ports.Store`) and is the one composition root. The
    commands and queries are grouped by subject as services, each given the store and the
    siblings it needs, here and nowhere else: `org`, `cases`, `appraisals`, `awards`,
    `worklog`, `imports`, `credentials` (commands) and `reads` (every query)."""

    name = APP_NAME

    def __init__(self, location: Location, create_tables: bool = False) -> None:
        self.location = location
        self.policies = PolicyBook(self.institution)
        self.person_keys = KeyRing(location)
        self._erasures_at: int | None = None  # the log's head when erasures were last looked for
        self._erasures_checked = 0.0
        super().__init__(env=location.es_env(create_tables))
        from ..adapters.seal import Sealer

        # Each event's seal link is written by the recorder, in the event's own transaction.
        self.sealer = Sealer(location)
        self.recorder.sealer = self.sealer  # type: ignore[attr-defined]

    def close(self) -> None:
        if "reads" in self.__dict__:
            self.reads.close()
        if "credentials" in self.__dict__:
            self.credentials.close()
        self.person_keys.keys.close()
        super().close()

    # -- the composition root: every service, given the store and its siblings -----------
    # Commands never read the views; the read side (`reads`, `case_views`, `norms`) never
    # calls a command. Each service gets the store's port and exactly the siblings listed.

    @cached_property
    def org(self) -> Organisation:
        from .organisation import Organisation

        return Organisation(self)

    @cached_property
    def tenure(self) -> Tenure:
        """Appointments ending outside a dismissal: graduation, `appointment end`."""
        from .tenure import Tenure

        return Tenure(self)

    @cached_property
    def ranking(self) -> Ranking:
        """A period's results decided at a grade quota's step at once, best first."""
        from .ranking import Ranking

        return Ranking(self, self.cases)

    @cached_property
    def cases(self) -> Cases:
        from .cases import Cases

        return Cases(self, holders=lambda role, path: self.reads.holders(role, path))

    @cached_property
    def batches(self) -> Batches:
        """Bulk sign-off: each case by `cases`; `approve --inbox` lists the inbox (`reads`)."""
        from .batches import Batches

        return Batches(self, self.cases, lambda actor: self.reads.inbox(actor))

    @cached_property
    def delegations(self) -> Delegations:
        """Delegation while away (代理): given, listed, revoked."""
        from .delegation import Delegations

        return Delegations(self)

    @cached_property
    def handovers(self) -> Handovers:
        """Take back (拿回) and reassign (转办); the 转办 form lists holders from the views."""
        from .handover import Handovers

        return Handovers(self, lambda: [dict(u) for u in self.reads.users()])

    @cached_property
    def appraisals(self) -> Appraisals:
        from ..adapters.files import FileStore, files_root
        from .appraisal import Appraisals

        return Appraisals(self, FileStore(files_root(self.location)))

    @cached_property
    def deadlines(self) -> Deadlines:
        """What the engine decides by itself when a time runs (a 公示 finalised by rule)."""
        from .deadlines import Deadlines

        return Deadlines(self)

    @cached_property
    def awards(self) -> Awards:
        from .award import Awards

        return Awards(self, self.cases)

    @cached_property
    def trainings(self) -> Trainings:
        from .training import Trainings

        return Trainings(self)

    @cached_property
    def worklog(self) -> Worklog:
        from .worklog import Worklog

        return Worklog(self)

    @cached_property
    def imports(self) -> Imports:
        from .imports import Imports

        return Imports(self, self.org)

    @cached_property
    def credentials(self) -> Credentials:
        from .credentials import Credentials  # lazily: argon2 is for signing in, not commands
        return Credentials(self)

    @cached_property
    def norms(self) -> NormsReports:
        """Work norms against the log; when an advisor served comes from the views."""
        from .norms import NormsReports

        return NormsReports(self, serving=lambda advisor, as_of=None: self.reads.appointments(advisor, as_of),
                            classes=lambda: self.reads.classes())

    @cached_property
    def case_views(self) -> CaseViews:
        from .caseview import CaseViews

        return CaseViews(self, self.norms,
                         holders=lambda role, path: self.reads.holders(role, path))

    @cached_property
    def reads(self) -> Reads:
        from .reads import Reads  # lazily: the views bring SQLAlchemy, which commands never need
        return Reads(self, self.new_views, self.case_views, self.norms, WorkflowApp)

    @cached_property
    def notices(self) -> Notices:
        """The notices' outbox: `tick(now)` queues what the log tells and sends what is due
        (`notify send`; `remind` and `serve`'s scheduler call it too)."""
        from ..adapters.courier import Courier
        from ..adapters.eventlog import StoreLog
        from .notices import Notices
        return Notices(self, StoreLog(self, self.location), lambda: self.reads.users(),
                       Courier())

    @cached_property
    def admin_views(self) -> AdminViews:
        """What the administration pages read (administrators only)."""
        from .adminview import AdminViews
        return AdminViews(self, self.reads, self.org, self.credentials)

    def new_views(self) -> Views:
        """A set of views over this store (`reads` keeps one; tests and the bench make more)."""
        from ..adapters.eventlog import StoreLog
        from ..projections import Views  # SQLAlchemy: only commands that read pay for it

        return Views(StoreLog(self, self.location), self.policies.policy_of)

    # -- storing --------------------------------------------------------------------------

    @property
    def repository(self) -> ViewingRepository:
        return cast(ViewingRepository, super().repository)

    def construct_repository(self) -> Repository[UUID]:
        """Aggregates handed out as copy-on-write views of the cached ones (aggcache.py)."""
        base = super().construct_repository()
        repository = ViewingRepository(
            event_store=base.event_store, snapshot_store=base.snapshot_store,
            cache_maxsize=CACHED_AGGREGATES, fastforward=True, recorder=self.recorder)
        repository.on_unseen = self.person_keys.forget  # an erasure elsewhere is an event
        return repository

    def construct_mapper(self) -> Mapper[UUID]:
        """Events stored with their personal fields under each person's key (personal.py)."""
        return PersonalMapper(super().construct_mapper(), self.person_keys)

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Store what the aggregates decided, in one transaction, followed by where the command
        came from (`origin`); we save only aggregates and their events, so the library's
        runtime Protocol checks are skipped (es_fastpath)."""
        if kwargs or not all(isinstance(o, (Aggregate, DomainEvent)) for o in objs):
            recordings = super().save(*objs, **kwargs)
            self.repository.evict(r.domain_event.originator_id for r in recordings)
            return recordings
        came_from = origin.current()
        if came_from is not None:
            count = sum(1 if isinstance(o, DomainEvent) else len(o.pending_events) for o in objs)
            if count:
                objs = (*objs, _provenance(came_from, count))
        events = [e for o in objs for e in ([o] if isinstance(o, DomainEvent) else o.pending_events)]
        self.person_keys.prepare(events)
        with self.repository.saving(events):
            recordings = es_fastpath.save(self, objs)
            saved = [o for o in objs if isinstance(o, Aggregate)]
            ids = {o.id for o in saved}
            self.repository.saved(saved, [r.notification.id for r in recordings],
                                  {r.domain_event.originator_id for r in recordings} - ids)
        return recordings

    def save_streamed(self, chunks: Iterable[Iterable[Aggregate | DomainEvent]]) -> None:
        """Save each chunk's aggregates and events as the chunk comes, all in one transaction:
        a bulk command stays all or nothing while memory holds one chunk of events, mapped to
        stored form, rather than all of them. (Nothing here snapshots or has followers, and the
        aggregate cache fast-forwards from the store, so `save`'s after-steps have no work.)"""
        to_stored, count, came_from = self.mapper.to_stored_event, 0, origin.current()
        with es_fastpath.one_transaction(self.recorder) as insert:
            for chunk in chunks:
                events = es_fastpath.new_events(chunk)
                count += len(events)
                insert([to_stored(e) for e in events])
                self.repository.evict({e.originator_id for e in events})
            if came_from is not None and count:
                provenance = es_fastpath.new_events([_provenance(came_from, count)])
                insert([to_stored(e) for e in provenance])

    # -- loading ------------------------------------------------------------------------

    def load(self, aggregate_id: UUID, missing: WorkflowError) -> Any:
        """The aggregate, or the refusal `missing` says when it was never recorded."""
        self.look_for_erasures()  # an aggregate cached decoded must not outlive an erasure
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise missing from None

    def find(self, aggregate_id: UUID) -> Any | None:
        """The aggregate saved under this id, or None where none was."""
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def events_of(self, aggregate_id: UUID) -> list[Any]:
        """One aggregate's events, in order (history, a case as it stood)."""
        return list(self.events.get(aggregate_id))

    def events_with(self, topics: Sequence[str], page: int = 1000) -> Iterator[DomainEvent]:
        """Every stored event of these topics, in the order they came, a page at a time."""
        start: int | None = None
        while True:
            notes = self.recorder.select_notifications(start, page, None, topics,
                                                       inclusive_of_start=start is None)
            for note in notes:
                yield cast(DomainEvent, self.mapper.to_domain_event(note))
            if len(notes) < page:
                return
            start = notes[-1].id

    def load_or_start(self, cls: type[A], **keys: Any) -> A:
        """The aggregate these natural keys name, or a new one to save with the command's others
        (two commands starting it at once conflict on version 1, and one re-runs)."""
        try:
            found: A = self.repository.get(cls.create_id(**keys))
            return found
        except AggregateNotFoundError:
            return cls(**keys)

    erasure_check_seconds = 2.0
    """How often a long-running process looks for erasures made by another (then drops the
    aggregates it holds decoded)."""

    def notice_erasures(self) -> None:
        """Forget the person keys fetched so far; and, at most every `erasure_check_seconds`,
        drop the cached aggregates if anyone was erased since the last look."""
        self.person_keys.forget()
        self.look_for_erasures()

    def look_for_erasures(self) -> None:
        """At most every `erasure_check_seconds` (every load and read asks): if anyone was
        erased since the last look, drop the cached aggregates and the person keys. The first
        look drops them too, whatever this process read before it, since it cannot know what
        was erased before then: so an erased name is gone within the interval, whichever read
        came first."""
        now = time.monotonic()
        if now - self._erasures_checked < self.erasure_check_seconds:
            return
        try:
            head = self.recorder.max_notification_id() or 0
            seen = self._erasures_at
            erased = seen is None or (head > seen and bool(self.recorder.select_notifications(
                start=seen, limit=head - seen, stop=head, topics=[User.PersonErased.TOPIC],
                inclusive_of_start=False)))
        except (PersistenceError, MapperDeserialisationError):
            return  # no store, or unreachable: the command itself says so, in its own words
        self._erasures_checked, self._erasures_at = now, head
        if erased:
            self.person_keys.forget()
            self.forget_cached()

    def forget_cached(self) -> None:
        """Drop the aggregates this process holds decoded (after an erasure)."""
        self.repository.forget()

    def exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository

    def has(self, kind: str, code: str = "") -> bool:
        """Whether the store holds the institution (`has("institution")`), or a unit, user or
        class of this code (`has("unit", "site-nanning")`)."""
        return self.exists(institution_id() if kind == "institution" else key_id(kind, code))

    def institution(self) -> Institution:
        """The institution; a store without one is named (its path made absolute, or its
        server) only then, not on each of the many loads of it."""
        self.look_for_erasures()  # as `load`
        try:
            inst: Institution = self.repository.get(institution_id())
            return inst
        except (AggregateNotFoundError, ProgrammingError):
            raise StoreMissing("no store in {where}; create one with `bzr-workflow init`",
                               where=self.location.describe()) from None

    def user(self, login: str) -> User:
        """The user a login names once folded (`Admin`, `ａｄｍｉｎ` name `admin`; domain/logins)."""
        missing = NotFound("unknown user {login!r} (see `user list`)", login=login)
        folded = fold(login)
        try:
            user: User = self.load(key_id("user", folded), missing)
        except NotFound:
            self.institution()  # on a store never initialised, say that instead
            from .accounts import legacy_login

            stored = legacy_login(self, folded)
            if stored is None:
                raise
            user = self.load(key_id("user", stored), missing)
        return user

    def actor(self, login: str | None) -> User:
        if not login:
            raise BadInput("say who is acting: --as USER (or BZR_WORKFLOW_ACTOR)")
        return self.user(login)

    def require_admin(self, login: str | None) -> User:
        user = self.actor(login)
        if not is_admin(user.grants):
            raise NotPermitted("{login} is not an administrator (role admin)", login=user.login)
        return user

    def unit(self, code: str) -> Unit:
        unit: Unit = self.load(key_id("unit", code),
                               NotFound("unknown unit {code!r} (see `unit add`)", code=code))
        return unit

    def school_class(self, code: str) -> SchoolClass:
        klass: SchoolClass = self.load(key_id("class", code),
                                       NotFound("unknown class {code!r} (see `class list`)",
                                                code=code))
        return klass

    def case(self, ref: str) -> Case:
        ref = normalise_ref(ref)
        case: Case = self.load(case_id(ref), NotFound("unknown case {ref} (see `cases`)",
                                                      ref=ref))
        return case

    # -- the rules in force -------------------------------------------------------------

    def policy(self, version: int | None = None, inst: Institution | None = None,
               refinement: int = 0) -> Policy:
        """A policy version as adopted, or as a unit's refinement (by number) overrides it."""
        return self.policies.policy(version, refinement, inst)

    def policy_of(self, version: int, refinement: int = 0) -> Policy:
        """A numbered version (and refinement) as adopted."""
        return self.policies.policy_of(version, refinement)

    def policy_for_unit(self, unit_path: list[str], inst: Institution | None = None) -> Policy:
        return self.policies.for_unit(unit_path, inst)

    def case_policy(self, case: Case) -> Policy:
        """The rules the case was opened under: its version, refined for its unit if it was."""
        return self.policies.policy(case.policy_version, case.refinement)

    def case_rules(self, case: Case) -> tuple[Policy, Workflow, Machine]:
        """The rules a case follows: its policy, its workflow and that workflow's rule table."""
        policy = self.case_policy(case)
        wf = policy.workflow(case.kind)
        return policy, wf, self.policies.machine(case.policy_version, case.refinement, wf)

    clock: Callable[[], datetime] = staticmethod(lambda: datetime.now(UTC))
    """Where business dates come from (announcement ends, flags, default start); tests set it."""

    def today(self, policy: Policy) -> str:
        """Today's date where the institution is."""
        return local_iso(self.clock(), policy.utc_offset)[:10]

    def calendar(self, inst: Institution | None = None) -> Calendar:
        """The institution's academic calendar (`calendar set`; the default for a year not set)."""
        return (inst or self.institution()).calendar()

    def require_begun(self, period: str, policy: Policy, early: bool,
                      inst: Institution | None = None) -> None:
        """Refuse to open a period that has not begun, unless the opener says --early."""
        if early or not period:
            return
        start = parse_period_text(period).start(self.calendar(inst))
        if start.isoformat() > self.today(policy):
            raise RuleRefused("{period} has not begun (it begins on {start}); pass --early to "
                              "open it before then", period=period, start=start)

    # -- running commands ---------------------------------------------------------------

    def attempt(self, command: Callable[[], T]) -> T:
        """Run load → decide → save, re-running it when another writer got there first."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                with storage_errors():
                    self.look_for_erasures()
                    with self.repository.command():  # the cache brought current once; the
                        # person keys dropped if the log holds events it did not see saved
                        result = command()
                return result
            except RecordConflictError:
                self.repository.invalidate()  # what the cache may have missed is read again
                time.sleep(random.uniform(0.001, 0.004) * (attempt + 1))
        raise Conflict("the case kept changing while this command ran; try it again")


def _provenance(came_from: origin.Origin, count: int) -> Command:
    return Command(came_from.via, came_from.session, came_from.address, count, came_from.batch)
