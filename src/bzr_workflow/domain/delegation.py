"""Delegation while away (代理): a holder names a deputy who signs for them within dates, a role and a kind; revocable, never passed on."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .access import Grants
from .errors import BadInput, NotFound, NotPermitted, SeparationOfDuties, WorkflowError
from .ids import key_id
from .policy import Policy, Workflow
from .signing import Sheet, acted_at, other_levels, step_label

PREFIX = "DG"
ACTIVE, UPCOMING, ENDED, REVOKED = "active", "upcoming", "ended", "revoked"
_ID = re.compile(r"^(?:DG-?)?(\d+)$", re.IGNORECASE | re.ASCII)


def normalise_id(text: str) -> str:
    """'DG-3', 'dg3' and '3' all name delegation DG-3."""
    match = _ID.match(text.strip())
    if not match:
        raise BadInput("{text!r} is not a delegation id (like DG-3)", text=text)
    return f"{PREFIX}-{int(match.group(1))}"


class Terms(NamedTuple):
    """One delegation: `holder` lets `deputy` sign for them from `start` to `until` (dates in
    the policy's time zone, both inclusive), only at steps of `role` and in cases of `kind`
    when those are given."""

    id: str
    holder: str
    deputy: str
    start: str
    until: str
    role: str
    kind: str
    given_by: str
    revoked_by: str

    def state(self, today: str) -> str:
        if self.revoked_by:
            return REVOKED
        if today < self.start:
            return UPCOMING
        return ENDED if today > self.until else ACTIVE

    def covers_kind(self, kind: str) -> bool:
        return not self.kind or self.kind == kind

    def grants(self, holder_grants: Grants) -> list[list[str]]:
        """The holder's own grants the deputy signs with: all of them, or those of `role`."""
        return [[r, u] for r, u in holder_grants if not self.role or r == self.role]

    def as_dict(self, today: str) -> dict[str, Any]:
        return {"id": self.id, "holder": self.holder, "deputy": self.deputy,
                "from": self.start, "until": self.until, "role": self.role or None,
                "kind": self.kind or None, "state": self.state(today),
                "given_by": self.given_by, "revoked_by": self.revoked_by or None}


class Deputyship(Aggregate):
    """Every delegation one deputy has received (the one aggregate a deputy's sign-off loads)."""

    TOPIC = "bzr.deputyship"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.deputyship.created"

    class Started(Aggregate.Created):
        TOPIC = "bzr.deputyship.started"
        class_version = 1
        deputy: str

    class Given(Aggregate.Event):
        TOPIC = "bzr.deputyship.given"
        class_version = 1
        actor: str
        id: str
        holder: str
        deputy: str
        start: str
        until: str
        role: str
        kind: str

    class Revoked(Aggregate.Event):
        TOPIC = "bzr.deputyship.revoked"
        class_version = 1
        actor: str
        id: str
        holder: str
        deputy: str

    @staticmethod
    def create_id(deputy: str, *_: Any, **__: Any) -> UUID:
        return deputyship_id(deputy)

    @event(Started)
    def __init__(self, deputy: str) -> None:
        self.deputy = deputy
        self.terms: dict[str, dict[str, str]] = {}

    def all(self) -> list[Terms]:
        """Every delegation received, the first given first."""
        return sorted((Terms(id=i, **t) for i, t in self.terms.items()), key=_number)

    def get(self, delegation: str) -> Terms:
        if delegation not in self.terms:
            raise NotFound("unknown delegation {id}", id=delegation)
        return Terms(id=delegation, **self.terms[delegation])

    def give(self, actor: str, delegation: str, holder: str, start: str, until: str, role: str,
             kind: str) -> None:
        self._given(actor=actor, id=delegation, holder=holder, deputy=self.deputy, start=start,
                    until=until, role=role, kind=kind)

    @event(Given)
    def _given(self, actor: str, id: str, holder: str, deputy: str, start: str, until: str,
               role: str, kind: str) -> None:
        self.terms[id] = {"holder": holder, "deputy": deputy, "start": start, "until": until,
                          "role": role, "kind": kind, "given_by": actor, "revoked_by": ""}

    def revoke(self, actor: str, delegation: str, may: bool) -> None:
        """`may`: the actor is an administrator (the holder may always revoke their own)."""
        terms = self.get(delegation)
        if actor != terms.holder and not may:
            raise NotPermitted("{actor} may not revoke delegation {id}: only its holder "
                               "{holder} or an administrator may", actor=actor, id=delegation,
                               holder=terms.holder)
        if terms.revoked_by:
            raise BadInput("delegation {id} was already revoked by {by}", id=delegation,
                           by=terms.revoked_by)
        self._revoked(actor=actor, id=delegation, holder=terms.holder, deputy=self.deputy)

    @event(Revoked)
    def _revoked(self, actor: str, id: str, holder: str, deputy: str) -> None:
        self.terms[id] = {**self.terms[id], "revoked_by": actor}


class DelegationRegister(Aggregate):
    """Hands out delegation ids and remembers whose each is (a revocation by id finds the
    deputy's aggregate here; a sign-off never loads it)."""

    TOPIC = "bzr.delegations"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.delegations.created"

    class Started(Aggregate.Created):
        TOPIC = "bzr.delegations.started"
        class_version = 1

    class Registered(Aggregate.Event):
        TOPIC = "bzr.delegations.registered"
        class_version = 1
        id: str
        holder: str
        deputy: str

    @staticmethod
    def create_id(*_: Any, **__: Any) -> UUID:
        return key_id("delegations", "")

    @event(Started)
    def __init__(self) -> None:
        self.entries: dict[str, list[str]] = {}  # id -> [holder, deputy]

    def register(self, holder: str, deputy: str) -> str:
        delegation = f"{PREFIX}-{len(self.entries) + 1}"
        self._registered(id=delegation, holder=holder, deputy=deputy)
        return delegation

    @event(Registered)
    def _registered(self, id: str, holder: str, deputy: str) -> None:
        self.entries[id] = [holder, deputy]

    def deputy_of(self, delegation: str) -> str:
        if delegation not in self.entries:
            raise NotFound("unknown delegation {id} (see `delegate --list`)", id=delegation)
        return self.entries[delegation][1]

    def concerning(self, login: str | None) -> list[str]:
        """The deputies whose delegations `login` gave or received (None: everybody's)."""
        return sorted({d for h, d in self.entries.values() if login is None or login in (h, d)})


def deputyship_id(deputy: str) -> UUID:
    return key_id("deputyship", deputy)


def _number(terms: Terms) -> int:
    return int(terms.id.rsplit("-", 1)[1])


# -- the rules ------------------------------------------------------------------------------

def check_terms(holder: str, deputy: str, start: str, until: str, today: str, role: str,
                kind: str, holder_grants: Grants, policy: Policy) -> None:
    """What a delegation must be: to someone else, dates in order and not wholly past, a kind
    the policy has, and only what the holder holds in their own right (a role they hold, and
    at least one role that signs a step): what someone holds only as a deputy is never passed
    on."""
    if deputy == holder:
        raise BadInput("{holder} cannot delegate to themselves", holder=holder)
    if until < start:
        raise BadInput("a delegation ends ({until}) before it begins ({start})", until=until,
                       start=start)
    if until < today:
        raise BadInput("a delegation until {until} is over already (today is {today})",
                       until=until, today=today)
    if kind and kind not in policy.workflows:
        raise BadInput("policy {id} declares no workflow {kind!r}; it has: {kinds}",
                       id=policy.id, kind=kind, kinds=", ".join(policy.workflows))
    signing_roles = {s.role for wf in policy.workflows.values() for s in wf.steps
                     if not kind or wf.kind == kind}
    held = {r for r, _ in holder_grants}
    if role and role not in held:
        raise NotPermitted("{holder} holds no role {role} of their own to delegate (what "
                           "someone holds only as a deputy is never passed on)", holder=holder,
                           role=role)
    if not (held & signing_roles if not role else {role} & signing_roles):
        raise NotPermitted("{holder} holds no role of their own that signs a step, so has "
                           "nothing to delegate (what someone holds only as a deputy is never "
                           "passed on)", holder=holder)


def deputy_refusal(sheet: Sheet, deputy: str, holder: str, wf: Workflow) -> WorkflowError | None:
    """The deputy's own limits on top of the holder's right: never a case about the deputy
    (its subject or applicant), and never a second level of one case for the deputy either."""
    if deputy in (sheet.subject, sheet.applicant):
        return SeparationOfDuties("{deputy} is the subject or applicant of {ref} and may not "
                                  "sign it, not even for {holder}", deputy=deputy,
                                  ref=sheet.ref, holder=holder)
    other = other_levels(sheet, deputy, wf)
    if other:
        return SeparationOfDuties(
            "{deputy} already acted at {other} of {ref}; one person signs at most one level "
            "of a case under this policy, for themselves or for {holder}", deputy=deputy,
            other=step_label(wf, other[0]), ref=sheet.ref, holder=holder)
    return None


def window_refusal(terms: Terms, today: str) -> WorkflowError:
    """Why a delegation that would cover the case does not let its deputy sign today."""
    if terms.revoked_by:
        return NotPermitted("delegation {id} from {holder} to {deputy} was revoked by {by}; "
                            "{deputy} no longer signs for {holder}", id=terms.id,
                            holder=terms.holder, deputy=terms.deputy, by=terms.revoked_by)
    return NotPermitted("delegation {id} from {holder} to {deputy} runs from {start} to "
                        "{until}; today is {today}", id=terms.id, holder=terms.holder,
                        deputy=terms.deputy, start=terms.start, until=terms.until, today=today)


def signed_for(signers: Mapping[str, str], step: str, deputy: str,
               holder: str) -> dict[str, str]:
    """The signers once `deputy` signed `step` for `holder`: the holder signed the level, and
    the deputy acted at it, so the one-level rule counts both people."""
    return acted_at({**signers, step: holder}, step, deputy)


def acted_for(signers: Mapping[str, str], step: str, deputy: str,
              holder: str) -> dict[str, str]:
    """The signers once `deputy` entered scores or flags at `step` for `holder`."""
    return acted_at(acted_at(signers, step, holder), step, deputy)


def acted_by(signers: Mapping[str, str], step: str, actor: str,
             on_behalf_of: str) -> dict[str, str]:
    """The signers once `actor` entered scores or flags at `step`, for `on_behalf_of` when a
    deputy did (the aggregate and the cases view both keep them so)."""
    if on_behalf_of:
        return acted_for(signers, step, actor, on_behalf_of)
    return acted_at(signers, step, actor)
