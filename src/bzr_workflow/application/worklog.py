"""Work-log commands (add, import); the norms report over the log is a read (norms.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from ..domain.errors import BadInput, NotPermitted, Phrase, RuleRefused
from ..domain.logins import fold
from ..domain.policy import Policy
from ..domain.signing import is_admin
from ..domain.timefmt import parse_date
from ..domain.norms import TRIGGER_ACTIVITY, working_roles
from ..domain.worklog import ACTIVITIES, WorkLog
from .ports import Store
from .service import Service
from .students import key_id, keys_for, sealed_name as sealed
from ..adapters.tabular import pick, read_rows
from .text import checked


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
    """Recording advisors' work."""

    def log_add(self, advisor: str | None, rows: Sequence[dict[str, str]],
                actor: str | None, first_row: int = 1) -> dict[str, Any]:
        """Record activities; all rows or none. Advisors log their own; administrators anyone's.
        Refusals name rows as a spreadsheet numbers them (`first_row` is the first data row)."""
        policy = self.store.policy()
        known = activities(policy)
        kinds = {t.key: t.label for t in policy.contact_triggers}
        entries = [_entry(row, known, kinds, advisor or actor or "", n)
                   for n, row in enumerate(rows, first_row)]

        def command() -> dict[str, Any]:
            me = self.store.actor(actor)
            for who in sorted({e["advisor"] for e in entries}):
                if fold(who) != fold(me.login) and not is_admin(me.grants):
                    raise NotPermitted("{login} may log only their own work, not {who}'s",
                                       login=me.login, who=who)
            logins = {who: self.store.user(who).login for who in {e["advisor"] for e in entries}}
            for e in entries:  # as stored: `ZHANG` is zhang (domain/logins)
                e["advisor"] = logins[e["advisor"]]
            _check_trigger_roles(self.store, policy, entries)
            logs: dict[tuple[str, str], WorkLog] = {}
            for e in entries:
                key = (e["advisor"], e["date"][:7])
                if key not in logs:
                    logs[key] = self._worklog(*key)
            keys = keys_for(self.store, {key_id(str(e["student"])) for e in entries
                                       if e.get("student")})
            stored = [_stored(self.store, e, keys) for e in entries]
            for key, log in logs.items():
                log.record([s for e, s in zip(entries, stored)
                            if (e["advisor"], e["date"][:7]) == key], me.login)
            self.store.save(*logs.values())
            return {"recorded": len(entries), "advisors": sorted({e["advisor"] for e in entries})}
        return self.store.attempt(command)

    def log_import(self, path: str, actor: str | None) -> dict[str, Any]:
        table = read_rows(path)
        if not table:
            raise BadInput("{path}: no rows to import", path=path)
        if not any(name in table[0] for name in COLUMNS["advisor"]):
            raise BadInput("{path}: needs an advisor column (advisor or 班主任)", path=path)
        rows = [pick(row, COLUMNS) for row in table]
        for n, row in enumerate(rows, 2):
            if not row["advisor"]:
                raise BadInput("{path}: row {n} names no advisor (merged cells? unmerge them)",
                               path=path, n=n)
        return self.log_add(None, rows, actor, first_row=2)

    def _worklog(self, advisor: str, month: str) -> WorkLog:
        return self.store.load_or_start(WorkLog, advisor=advisor, month=month)


def _check_trigger_roles(store: Store, policy: Policy, entries: list[dict[str, Any]]) -> None:
    """A parent-contact trigger is logged by one whose duty it is (Jiyuan 二(五): 辅导员要……,
    班主任要……): the roles the policy names for it."""
    by_key = {t.key: t for t in policy.contact_triggers}
    for e in entries:
        trigger = by_key.get(e.get("trigger") or "") if e["activity"] == TRIGGER_ACTIVITY else None
        if trigger is None:
            continue
        person = store.user(e["advisor"])
        held = working_roles(person.grants, bool(person.classes), policy.roles)
        if not set(held) & set(trigger.roles):
            raise RuleRefused("{trigger} ({label}) is for {roles} to answer; {advisor} is not one",
                              trigger=trigger.key, label=trigger.label,
                              roles="、".join(policy.role_label(r) for r in trigger.roles),
                              advisor=e["advisor"])


def _entry(row: dict[str, str], known: dict[str, str], kinds: dict[str, str], advisor: str,
           n: int) -> dict[str, Any]:
    where = Phrase("row {n}", n=n)
    try:
        return _checked(row, known, kinds, advisor, where)
    except BadInput as exc:
        if str(exc).startswith(str(where)):
            raise
        raise BadInput("{where}: {exc}", where=where, exc=exc) from None


def _checked(row: dict[str, str], known: dict[str, str], kinds: dict[str, str], advisor: str,
             where: Phrase) -> dict[str, Any]:
    activity = (row.get("activity") or "").strip()
    if activity not in known:
        raise BadInput("{where}: unknown activity {activity!r}; known: {known}", where=where,
                       activity=activity, known=', '.join(known))
    if activity == TRIGGER_ACTIVITY:
        kind = (row.get("trigger") or "").strip()
        if kind not in kinds:
            raise BadInput("{where}: --trigger {kind!r} is not one the policy lists; give one "
                           "of: {kinds}", where=where, kind=kind,
                           kinds=', '.join(f'{k} ({v})' for k, v in kinds.items()))
        if not (row.get("student") or "").strip():
            raise BadInput("{where}: a trigger names its student (--student NAME)", where=where)
    count, hours = _count(row.get("count"), where), _hours(row.get("hours"), where)
    when = parse_date(row.get("date") or "")
    if not "2000-01-01" <= when <= "2099-12-31":
        raise BadInput("{where}: date {when} is out of range", where=where, when=when)
    return {"advisor": (row.get("advisor") or advisor).strip(), "date": when,
            "activity": activity, "count": count, "hours": hours,
            **{k: _short(row.get(k), k, where) for k in ("class", "student", "trigger", "note")}}


def _stored(store: Store, entry: dict[str, Any], keys: dict[str, bytes]) -> dict[str, Any]:
    """An entry as the log keeps it: a student's name sealed under their own key (personal
    data), with that key's id in clear so entries about one student can be matched."""
    out = {k: v for k, v in entry.items() if k != "advisor"}
    if out.get("student"):
        out.update(sealed(store, out["student"], keys))  # student, student_ref
    return out


def _count(value: str | None, where: Phrase) -> int:
    text = (value or "1").strip()
    if not re.fullmatch(r"\d{1,4}", text, re.ASCII) or not 1 <= int(text) <= MAX_COUNT:
        raise BadInput("{where}: count {text!r} must be a whole number 1-{MAX_COUNT}",
                       where=where, text=text, MAX_COUNT=MAX_COUNT)
    return int(text)


def _hours(value: str | None, where: Phrase) -> str:
    text = (value or "0").strip()
    try:
        hours = Decimal(text)
    except InvalidOperation:
        raise BadInput("{where}: hours {text!r} is not a number", where=where, text=text) from None
    if not hours.is_finite() or not Decimal(0) <= hours <= MAX_HOURS:
        raise BadInput("{where}: hours {text!r} must be 0-{MAX_HOURS}", where=where, text=text,
                       MAX_HOURS=MAX_HOURS)
    return format(hours.normalize(), "f")


def _short(value: str | None, key: str, where: Phrase) -> str:
    return checked(value, key, 500)
