"""The norms report: each work norm of an advisor's roles, per window of a period, met or short, against the work log (a read: an appraisal shows it as evidence)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from ..domain.norms import answered, working_roles
from ..domain.periods import parse, period_range
from ..domain.policy import Policy
from ..domain.timefmt import zone
from ..domain.user import User
from .ports import Store
from .students import PREFIX as STUDENT_KEY, opened

if TYPE_CHECKING:  # imported where a log is read: a case page without norms never is
    from ..domain.worklog import WorkLog



class Serving(Protocol):
    """An advisor's appointments (`start`, `end`), as they stood at `as_of` (an ISO instant;
    None: now): when they served, so no norm is due before."""

    def __call__(self, advisor: str, as_of: str | None = None) -> Sequence[Mapping[str, Any]]: ...


class NormsReports:
    """Work norms against the log, over the store; when each advisor served is asked of
    `serving` (the appointments view, wired in the composition root)."""

    def __init__(self, store: Store, serving: Serving,
                 classes: Callable[[], Sequence[Mapping[str, Any]]] | None = None) -> None:
        self.store, self.serving, self.classes = store, serving, classes

    def report(self, advisor: str, period: str, role: str | None = None,
               until: datetime | None = None) -> dict[str, Any]:
        """Each norm of the advisor's roles, per window of the period: met, or short by how
        much; with `until`, against the log as it stood at that instant, judged on its day."""
        user, policy = self.store.user(advisor), self.store.policy()
        canonical = parse(period).key  # a school year or a semester, whatever the policy's period
        calendar = self.store.calendar()
        first, last = (date.fromisoformat(d) for d in period_range(canonical, calendar))
        roles = [role] if role else _roles(user, policy)
        entries = self._entries(advisor, first, last, until)
        today = date.fromisoformat(self.store.today(policy)) if until is None else \
            until.astimezone(zone(policy.utc_offset)).date()
        serving = [(date.fromisoformat(a["start"]),
                    date.fromisoformat(a["end"]) if a["end"] else None)
                   for a in self.serving(advisor, until.isoformat() if until else None)
                   if a["start"]]
        norms = [n.evaluate(entries, first, last, calendar, today, serving)
                 for n in policy.norms if n.role in roles]
        covering = self._covering(user, policy, role)
        if covering and policy.cover is not None:
            # 一(十): the classes without an advisor whose work this counsellor does, judged by
            # the 班主任's norms over the work logged for those classes
            codes = {c["class"] for c in covering}
            theirs = [e for e in entries if e.get("class") in codes]
            norms += [n.evaluate(theirs, first, last, calendar, today, serving)
                      | {"covering": sorted(codes)}
                      for n in policy.norms if n.role == policy.cover.for_role]
        report: dict[str, Any] = {"advisor": advisor, "period": canonical, "roles": roles,
                                  "norms": norms, "entries": len(entries),
                                  "activities": _counted(entries, policy)}
        if covering:
            report["covering"] = covering
        if policy.contact_triggers:
            triggers = [self._named(t) for t in answered(policy.contact_triggers, entries, today)]
            report["triggers"] = triggers
            report["unanswered"] = [t for t in triggers if t["overdue"]]
        return report

    def _covering(self, user: User, policy: Policy, role: str | None) -> list[dict[str, Any]]:
        """The classes with no advisor now in a unit where `user` holds the policy's covering
        role (Jiyuan 一(十)); none where the policy names no [cover] or `role` is another."""
        cover = policy.cover
        if cover is None or self.classes is None or (role and role != cover.role):
            return []
        units = [unit for r, unit in user.grants if r == cover.role]
        if not units:
            return []
        out = []
        for row in self.classes():
            if row["advisors"]:
                continue
            path = self.store.unit(row["unit"]).path if row["unit"] else []
            if any(not unit or unit in path for unit in units):
                out.append({"class": row["class"], "name": row["name"], "unit": row["unit"]})
        return out

    def _named(self, trigger: dict[str, Any]) -> dict[str, Any]:
        """A trigger as shown: the student's name in clear (or erased), not their key's id."""
        ref = trigger.pop("student_ref")
        name = trigger["student"]
        trigger["student"] = opened(self.store, {"name": name, "ref": ref})["name"] \
            if str(ref).startswith(STUDENT_KEY) else name
        return trigger

    def _entries(self, advisor: str, first: date, last: date,
                 until: datetime | None = None) -> list[dict[str, Any]]:
        from ..domain.worklog import WorkLog

        out: list[dict[str, Any]] = []
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            log: WorkLog | None = self._log(WorkLog.create_id(advisor, f"{year}-{month:02d}"),
                                            until)
            if log is not None:
                out += log.entries
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    def _log(self, log_id: Any, until: datetime | None) -> WorkLog | None:
        """A month's log as it stands, or as it stood at `until` (replayed from its events)."""
        if until is None:
            found: WorkLog | None = self.store.find(log_id)
            return found
        from ..adapters.es_fastpath import fold

        events = [e for e in self.store.events_of(log_id) if e.timestamp <= until]
        return fold(None, iter(events)) if events else None


def _counted(entries: list[dict[str, Any]], policy: Policy) -> list[dict[str, Any]]:
    """The period's log by activity (平时考核, Guilin 第十四条): how many entries, how many
    times (their counts) and hours, labelled by the policy."""
    from .worklog import activities

    labels = activities(policy)
    out: dict[str, dict[str, Any]] = {}
    for e in entries:
        row = out.setdefault(e["activity"], {"activity": e["activity"],
                                             "label": labels.get(e["activity"], e["activity"]),
                                             "entries": 0, "count": 0, "hours": 0.0})
        row["entries"] += 1
        row["count"] += int(e.get("count") or 1)
        row["hours"] += float(e.get("hours") or 0)
    return sorted(out.values(), key=lambda r: str(r["activity"]))


def _roles(user: User, policy: Policy) -> list[str]:
    """The roles whose norms apply: those granted, or the advisor's role for one who advises."""
    return working_roles(user.grants, bool(user.classes), policy.roles)
