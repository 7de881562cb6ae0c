"""Work-log commands (add, import) and the norms report an appraisal shows as evidence."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ..domain.errors import BadInput, NotPermitted
from ..domain.periods import parse, period_range
from ..domain.logins import fold
from ..domain.policy import ADMIN, Policy
from ..domain.timefmt import parse_date
from ..domain.user import User
from ..domain.norms import TRIGGER_ACTIVITY, answered
from ..domain.worklog import ACTIVITIES, WorkLog
from .service import Service
from .students import PREFIX as STUDENT_KEY, key_id, keys_for, opened, sealed_name as sealed
from ..adapters.tabular import pick, read_rows
from .text import checked

if TYPE_CHECKING:
    from .app import WorkflowApp

COLUMNS = {"advisor": ("advisor", "班主任", "辅导员", "姓名"), "date": ("date", "日期"),
           "activity": ("activity", "活动", "工作内容"), "count": ("count", "次数"),
           "hours": ("hours", "小时", "时长"), "class": ("class", "班级"),
           "student": ("student", "学生"), "trigger": ("trigger", "原因", "联系原因"),
           "note": ("note", "备注")}
MAX_COUNT, MAX_HOURS = 1000, Decimal(24 * 31)


TRIGGER_LABEL = "需联系家长的情形"


def activities(policy: Policy) -> dict[str, str]:
    """What may be logged under the policy: the common list, every activity its norms name, and
    `trigger` where it lists events that call for a parent contact."""
    triggers = {TRIGGER_ACTIVITY: TRIGGER_LABEL} if policy.contact_triggers else {}
    return ACTIVITIES | {n.activity: n.label for n in policy.norms} | triggers


class Worklog(Service):
    """Recording advisors' work, and the norms report that shows it against the policy."""

    def log_add(self, advisor: str | None, rows: Sequence[dict[str, str]],
                actor: str | None, first_row: int = 1) -> dict[str, Any]:
        """Record activities; all rows or none. Advisors log their own; administrators anyone's.
        Refusals name rows as a spreadsheet numbers them (`first_row` is the first data row)."""
        policy = self.app.policy()
        known = activities(policy)
        kinds = {t.key: t.label for t in policy.contact_triggers}
        entries = [_entry(row, known, kinds, advisor or actor or "", n)
                   for n, row in enumerate(rows, first_row)]

        def command() -> dict[str, Any]:
            me = self.app.actor(actor)
            is_admin = any(r == ADMIN for r, _ in me.grants)
            for who in sorted({e["advisor"] for e in entries}):
                if fold(who) != fold(me.login) and not is_admin:
                    raise NotPermitted(f"{me.login} may log only their own work, not {who}'s")
            logins = {who: self.app.user(who).login for who in {e["advisor"] for e in entries}}
            for e in entries:  # as stored: `ZHANG` is zhang (domain/logins)
                e["advisor"] = logins[e["advisor"]]
            logs: dict[tuple[str, str], WorkLog] = {}
            for e in entries:
                key = (e["advisor"], e["date"][:7])
                if key not in logs:
                    logs[key] = self._worklog(*key)
            keys = keys_for(self.app, {key_id(str(e["student"])) for e in entries
                                       if e.get("student")})
            stored = [_stored(self.app, e, keys) for e in entries]
            for key, log in logs.items():
                log.record([s for e, s in zip(entries, stored)
                            if (e["advisor"], e["date"][:7]) == key], me.login)
            self.app.save(*logs.values())
            return {"recorded": len(entries), "advisors": sorted({e["advisor"] for e in entries})}
        return self.app.attempt(command)

    def log_import(self, path: str, actor: str | None) -> dict[str, Any]:
        table = read_rows(path)
        if not table:
            raise BadInput(f"{path}: no rows to import")
        if not any(name in table[0] for name in COLUMNS["advisor"]):
            raise BadInput(f"{path}: needs an advisor column (advisor or 班主任)")
        rows = [pick(row, COLUMNS) for row in table]
        for n, row in enumerate(rows, 2):
            if not row["advisor"]:
                raise BadInput(f"{path}: row {n} names no advisor (merged cells? unmerge them)")
        return self.log_add(None, rows, actor, first_row=2)

    def _worklog(self, advisor: str, month: str) -> WorkLog:
        return self.app.load_or_start(WorkLog, advisor=advisor, month=month)

    def norms_report(self, advisor: str, period: str, role: str | None = None) -> dict[str, Any]:
        """Each norm of the advisor's roles, per window of the period: met, or short by how much."""
        user, policy = self.app.user(advisor), self.app.policy()
        canonical = parse(period).key  # a school year or a semester, whatever the policy's period
        calendar = self.app.calendar()
        first, last = (date.fromisoformat(d) for d in period_range(canonical, calendar))
        roles = [role] if role else _roles(user, policy)
        entries = self._entries(advisor, first, last)
        today = date.fromisoformat(self.app.today(policy))
        serving = [(date.fromisoformat(a["start"]),
                    date.fromisoformat(a["end"]) if a["end"] else None)
                   for a in self.app.reads.appointments(advisor) if a["start"]]
        norms = [n.evaluate(entries, first, last, calendar, today, serving)
                 for n in policy.norms if n.role in roles]
        report = {"advisor": advisor, "period": canonical, "roles": roles, "norms": norms,
                  "entries": len(entries)}
        if policy.contact_triggers:
            report["triggers"] = [self._named(t) for t in
                                  answered(policy.contact_triggers, entries)]
        return report

    def _named(self, trigger: dict[str, Any]) -> dict[str, Any]:
        """A trigger as shown: the student's name in clear (or erased), not their key's id."""
        ref = trigger.pop("student_ref")
        name = trigger["student"]
        trigger["student"] = opened(self.app, {"name": name, "ref": ref})["name"] \
            if str(ref).startswith(STUDENT_KEY) else name
        return trigger

    def _entries(self, advisor: str, first: date, last: date) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            log_id = WorkLog.create_id(advisor, f"{year}-{month:02d}")
            if self.app.exists(log_id):
                out += self.app.repository.get(log_id).entries
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out


def _roles(user: User, policy: Policy) -> list[str]:
    """The roles whose norms apply: those granted, or the advisor's role for one who advises."""
    granted = sorted({r for r, _ in user.grants if r in policy.roles})
    if granted or not user.classes:
        return granted
    return [r.id for r in policy.roles.values() if r.label == "班主任"]


def _entry(row: dict[str, str], known: dict[str, str], kinds: dict[str, str], advisor: str,
           n: int) -> dict[str, Any]:
    where = f"row {n}"
    try:
        return _checked(row, known, kinds, advisor, where)
    except BadInput as exc:
        text = str(exc)
        raise BadInput(text if text.startswith(where) else f"{where}: {text}") from None


def _checked(row: dict[str, str], known: dict[str, str], kinds: dict[str, str], advisor: str,
             where: str) -> dict[str, Any]:
    activity = (row.get("activity") or "").strip()
    if activity not in known:
        raise BadInput(f"{where}: unknown activity {activity!r}; known: {', '.join(known)}")
    if activity == TRIGGER_ACTIVITY:
        kind = (row.get("trigger") or "").strip()
        if kind not in kinds:
            raise BadInput(f"{where}: --trigger {kind!r} is not one the policy lists; give one"
                           f" of: {', '.join(f'{k} ({v})' for k, v in kinds.items())}")
        if not (row.get("student") or "").strip():
            raise BadInput(f"{where}: a trigger names its student (--student NAME)")
    count, hours = _count(row.get("count"), where), _hours(row.get("hours"), where)
    when = parse_date(row.get("date") or "")
    if not "2000-01-01" <= when <= "2099-12-31":
        raise BadInput(f"{where}: date {when} is out of range")
    return {"advisor": (row.get("advisor") or advisor).strip(), "date": when,
            "activity": activity, "count": count, "hours": hours,
            **{k: _short(row.get(k), k, where) for k in ("class", "student", "trigger", "note")}}


def _stored(app: WorkflowApp, entry: dict[str, Any], keys: dict[str, bytes]) -> dict[str, Any]:
    """An entry as the log keeps it: a student's name sealed under their own key (personal
    data), with that key's id in clear so entries about one student can be matched."""
    out = {k: v for k, v in entry.items() if k != "advisor"}
    if out.get("student"):
        out.update(sealed(app, out["student"], keys))  # student, student_ref
    return out


def _count(value: str | None, where: str) -> int:
    text = (value or "1").strip()
    if not re.fullmatch(r"\d{1,4}", text, re.ASCII) or not 1 <= int(text) <= MAX_COUNT:
        raise BadInput(f"{where}: count {text!r} must be a whole number 1-{MAX_COUNT}")
    return int(text)


def _hours(value: str | None, where: str) -> str:
    text = (value or "0").strip()
    try:
        hours = Decimal(text)
    except InvalidOperation:
        raise BadInput(f"{where}: hours {text!r} is not a number") from None
    if not hours.is_finite() or not Decimal(0) <= hours <= MAX_HOURS:
        raise BadInput(f"{where}: hours {text!r} must be 0-{MAX_HOURS}")
    return format(hours.normalize(), "f")


def _short(value: str | None, key: str, where: str) -> str:
    return checked(value, key, 500)
