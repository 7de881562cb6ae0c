"""What each stored event means to an auditor: who did what, at which step, with which comment."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .case import Case
from .delegation import DelegationRegister, Deputyship
from .institution import Institution
from .school_class import SchoolClass
from .unit import Unit
from .user import User


def audit_entry(ev: Any, kind: type | None = None) -> dict[str, Any] | None:
    """{actor, action, step, to_step, comment, target, on_behalf_of} of an event (on_behalf_of:
    the holder a deputy decided for, else None); None for bookkeeping events. `kind`: the
    event class, when `ev` holds an event's fields without being one (a stored record read as
    attributes, projections/rawrebuild.py)."""
    fn = _entry(kind or type(ev))
    if not fn:
        return None
    entry: dict[str, Any] = fn(ev)
    entry["on_behalf_of"] = getattr(ev, "on_behalf_of", "") or None
    return entry


def decided_at(ev: Any, kind: type | None = None) -> datetime:
    """When an event's decision took effect: the instant a 公示 ran for one the engine
    finalised by itself (`Finalised.due`, whenever a process noticed it), else when stored."""
    due = getattr(ev, "due", "") if (kind or type(ev)) is Case.Finalised else ""
    timestamp: datetime = ev.timestamp
    return datetime.fromisoformat(due).astimezone(UTC) if due else timestamp


def has_entry(kind: type) -> bool:
    """Whether events of this class have an audit entry."""
    return _entry(kind) is not None


_LATER = frozenset(f"{__name__.rpartition('.')[0]}.{name}"
                   for name in ("adoption", "maintenance", "notice"))
"""The modules whose events' entries are added when one of their events is first looked up:
a command that never meets one (`show`) never imports them."""
_added_later = False


def _entry(kind: type) -> Any:
    global _added_later
    fn = _ENTRIES.get(kind)
    if fn is None and not _added_later and kind.__module__ in _LATER:
        _ENTRIES.update(_later_entries())
        _added_later = True
        fn = _ENTRIES.get(kind)
    return fn


def _e(actor: str, action: str, target: str, step: str = "", to_step: str = "",
       comment: str = "") -> dict[str, Any]:
    return {"actor": actor, "action": action, "step": step or None, "to_step": to_step or None,
            "comment": comment, "target": target}


_ENTRIES: dict[type, Any] = {
    Case.Opened: lambda e: _e(e.opener, e.action, "", e.open_step, e.step, e.note),
    Case.Signed: lambda e: _e(e.actor, e.action, "", e.step, e.to_step, e.comment),
    Case.Countersigned: lambda e: _e(e.actor, "countersigned", "", e.step, "", e.comment),
    Case.Vetoed: lambda e: _e(e.actor, "vetoed", "", e.step, "", e.reason),
    Case.Returned: lambda e: _e(e.actor, "returned", "", e.step, e.to_step, e.reason),
    Case.Withdrawn: lambda e: _e(e.actor, "withdrawn", "", e.step, "", e.reason),
    Case.TakenBack: lambda e: _e(e.actor, "taken back", "", e.to_step, e.to_step, e.reason),
    Case.Reassigned: lambda e: _e(e.actor, "reassigned", "", e.step,
                                  comment=f"→ {e.to}: {e.reason}"),
    Case.SummarySubmitted: lambda e: _e(e.actor, "submitted", "", comment=e.text),
    Case.Scored: lambda e: _e(e.actor, "scored", "", e.step, comment=_changes(e)),
    Case.VetoFlagged: lambda e: _e(e.actor, "flagged", "", comment=f"{e.item}: {e.reason}"),
    Case.VetoCleared: lambda e: _e(e.actor, "cleared", "", comment=f"{e.item}: {e.reason}"),
    Case.ObjectionLodged: lambda e: _e(e.actor, "objected", "",
                                       comment=f"objection {e.number}: {e.reason}"),
    Case.ObjectionResolved: lambda e: _e(e.actor, e.outcome, "", "", e.to_step,
                                         f"objection {e.number}: {e.comment}"),
    Case.Finalised: lambda e: _e(e.actor, "finalised", "",
                                 comment=" ".join(x for x in (e.grade, e.total) if x)),
    Case.AwardGranted: lambda e: _e("", "granted", "", comment=_granted(e)),
    Case.Rewarded: lambda e: _e(e.actor, "rewarded", "", comment=f"{e.grade}: {_granted(e)}"),
    Case.PlaceDecided: lambda e: _e(e.actor, "placed" if e.placed else "regraded", "", e.step,
                                    comment=e.reason),
    Deputyship.Given: lambda e: _e(e.actor, "delegated", f"delegation:{e.id}",
                                   comment=_delegation(e)),
    Deputyship.Revoked: lambda e: _e(e.actor, "revoked", f"delegation:{e.id}",
                                     comment=f"{e.holder} → {e.deputy}"),
    User.ProfileUpdated: lambda e: _e(e.actor, "updated", f"user:{e.login}",
                                      comment=", ".join(sorted(e.fields))),
    User.PersonErased: lambda e: _e(e.actor, "erased", f"user:{e.login}",
                                    comment="personal data key destroyed"),
    User.ResultRecorded: lambda e: _e(e.actor, "result recorded", f"user:{e.login}",
                                      comment=f"{e.period} {e.grade} ({e.case})"),
    User.ResultImported: lambda e: _e(e.actor, "result imported", f"user:{e.login}",
                                      comment=f"{e.period} {e.grade} (sha256 {e.digest})"),
    User.TrainingRecorded: lambda e: _e(e.actor, "training recorded", f"user:{e.login}",
                                        comment=f"{e.training} {e.on}"),
    User.ConsequenceRecorded: lambda e: _e(e.actor, "consequence", f"user:{e.login}",
                                           comment=_consequence(e)),
    User.PasswordSet: lambda e: _e(e.actor, f"password {e.how}", f"user:{e.login}"),
    User.InvitationIssued: lambda e: _e(e.actor, "invited", f"user:{e.login}",
                                        comment=f"until {e.expires}"),
    User.TokenIssued: lambda e: _e(e.actor, "token issued", f"user:{e.login}", comment=e.name),
    User.TokenRevoked: lambda e: _e(e.actor, "token revoked", f"user:{e.login}", comment=e.name),
    User.LockedOut: lambda e: _e("", "locked out", f"user:{e.login}", comment=f"until {e.until}"),
    Institution.Initialised: lambda e: _e(e.actor, "initialised", f"institution:{e.name}"),
    Institution.PolicyAdopted: lambda e: _e(e.actor, "adopted", f"policy:{e.policy_id}",
                                            comment=f"version {e.version}, sha256 {e.digest[:12]}"),
    Unit.Added: lambda e: _e(e.actor, "added", f"unit:{e.code}", comment=e.name),
    User.Registered: lambda e: _e(e.actor, "registered", f"user:{e.login}", comment=e.name),
    User.RoleGranted: lambda e: _e(e.actor, "granted", f"user:{e.login}", comment=_grant(e)),
    User.RoleRevoked: lambda e: _e(e.actor, "revoked", f"user:{e.login}", comment=_grant(e)),
    SchoolClass.Added: lambda e: _e(e.actor, "added", f"class:{e.code}",
                                    comment=f"{e.name}, {e.students} students, unit {e.unit}"),
    SchoolClass.Updated: lambda e: _e(e.actor, "updated", f"class:{e.code}",
                                      comment=f"{e.students} students"
                                      + (", graduating" if e.graduating else "")
                                      + (f", from {e.effective}" if e.effective else "")),
    SchoolClass.Reclassified: lambda e: _e(e.actor, "updated", f"class:{e.code}",
                                           comment=f"level {e.level or '(none)'}"
                                           + (f", year {e.year_of_study}" if e.year_of_study
                                              else "")
                                           + (f", from {e.effective}" if e.effective else "")),
    SchoolClass.AdvisorAppointed: lambda e: _e(e.actor, "appointed", f"class:{e.code}",
                                               comment=f"{e.advisor} from {e.start} ({e.case})"),
    SchoolClass.AdvisorReleased: lambda e: _e(e.actor, "released", f"class:{e.code}",
                                              comment=f"{e.advisor} until {e.end} ({e.case})"
                                              + (f": {e.cause}" if e.cause else "")
                                              + (f", {e.reason}" if e.reason else "")),
}


def _later_entries() -> dict[type, Any]:
    from .adoption import Adoption
    from .maintenance import Maintenance
    from .notice import NoticeSettings

    return {
        Adoption.Imported: lambda e: _e(e.actor, "imported", f"{e.what}:{e.digest[:12]}",
                                        comment=f"{e.source}: {e.rows} rows, sha256 {e.digest}"),
        Maintenance.Performed: lambda e: _e(e.actor, e.what, "store", comment=e.detail),
        NoticeSettings.Configured: lambda e: _e(e.actor, "updated", "notices",
                                                comment=_notify(e)),
        NoticeSettings.Changed: lambda e: _e(e.actor, "updated", "notices", comment=_notify(e)),
    }


def bookkeeping() -> tuple[type, ...]:
    """The events with no audit entry by design (counters, rosters, registers)."""
    from .accounts import Accounts
    from .counter import CaseCounter
    from .maintenance import Maintenance
    from .roster import PeriodRoster

    return (CaseCounter.Started, CaseCounter.Allocated, User.ClassTaken, User.ClassReleased,
            Case.AnnouncementOpened, PeriodRoster.Started, PeriodRoster.Listed,
            PeriodRoster.Delisted, Accounts.Counted, Accounts.LoginAdded,
            Accounts.AdminAdded, Accounts.AdminRemoved, Maintenance.Started,
            Deputyship.Started, DelegationRegister.Started, DelegationRegister.Registered)


def _delegation(ev: Any) -> str:
    bounds = "".join(f", {k} {v}" for k, v in (("role", ev.role), ("kind", ev.kind)) if v)
    return f"{ev.holder} → {ev.deputy}, {ev.start}..{ev.until}{bounds}"


def _changes(ev: Any) -> str:
    parts = [f"{k} {old if old is not None else '-'}→{new}" for k, (old, new) in ev.changes.items()]
    parts += [f"bonus {k} {old if old is not None else '-'}→{new}"
              for k, (old, new) in ev.bonus_changes.items()]
    return ", ".join(parts)


def _consequence(ev: Any) -> str:
    opened = f", opened {ev.opened}" if ev.opened else ""
    return f"{ev.label} ({ev.then}) after {', '.join(ev.caused_by)}{opened}"


def _grant(ev: Any) -> str:
    return f"{ev.role}@{ev.unit}" if ev.unit else ev.role


def _granted(ev: Any) -> str:
    amount = f"{ev.amount} yuan" if ev.amount else ""
    return ", ".join(x for x in (amount, "certificate" if ev.certificate else "") if x)


def _notify(e: Any) -> str:
    """How notices go out, as the audit shows it (a webhook by its host: its URL holds a token)."""
    s = e.settings
    smtp = f"smtp {s['smtp_host']}:{s['smtp_port']} from {s['sender']}" if s.get("smtp_host") else ""
    hooks = [h.split("/")[2] if h.count("/") >= 2 else h for h in s.get("webhooks", [])]
    return "; ".join(x for x in (smtp, *(f"webhook {h}" for h in hooks)) if x)
