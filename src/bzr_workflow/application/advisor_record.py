"""The advisor record (阿克苏 班主任考核登记表 / 合肥 业务档案): one advisor's appointments, results with who signed them, awards, allowances paid per month, dismissals and the consequences that fired, as they stood at an instant; and its export."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from ..domain.errors import NotFound
from ..domain.policy import RULE
from ..domain.signing import advisor_refusal, may_read_advisor
from ..domain.timefmt import zone
from ..domain.user import User

if TYPE_CHECKING:
    from .reads import Reads

MAX_MONTHS = 240
"""The allowance months a record lists at most (twenty years), the latest kept."""


def advisor_record(reads: Reads, advisor: str, as_of: str | None = None,
                   reader: str | None = None) -> dict[str, Any]:
    """Everything the office files on one advisor, as it stood at `as_of` (None: now), people,
    classes and units by name beside their codes; `reader` (a signed-in login; None: the
    operator) must be the advisor, an administrator, an auditor or one who appraises them in
    one of the units they served in (signing.may_read_advisor)."""
    from ..projections import queries

    store = reads.store
    person = store.user(advisor)
    until = reads.instant(as_of)
    policy = store.policy()
    then: User | None = reads._as_of(User.create_id(person.login), until)
    if then is None:
        raise NotFound("{advisor} was not registered yet at {as_of}", advisor=person.login,
                       as_of=as_of)
    offset = reads.offset()
    with reads._read(as_of) as conn:
        appointments = queries.appointments(conn, person.login)
        awards = queries.awards_of(conn, person.login)
        dismissals = queries.cases_about(conn, offset, person.login, "dismissal")
        position = queries.view_position(conn)
        today = until.astimezone(zone(offset)).date() if until else \
            date.fromisoformat(store.today(policy))
        months = _months(appointments, today)
        allowances = []
        if policy.allowance is not None:
            for month in months:
                sheet = queries.allowance(conn, policy.allowance, month, policy.period,
                                          store.calendar())
                allowances += [_paid(month, line) for line in sheet["lines"]
                               if line["advisor"] == person.login]
    _require_reader(reads, person.login, appointments, reader)
    names = _Names(reads)
    record = {
        "advisor": person.login, "name": then.name, "as_of": as_of,
        "appointments": [_appointment(a, names) for a in appointments],
        "results": _results(reads, then, names),
        "awards": [_award(a, policy, names) for a in awards],
        "allowances": allowances,
        "allowance_total": round(sum(a["amount"] for a in allowances), 2),
        "dismissals": [_dismissal(d, names) for d in dismissals],
        "consequences": [dict(c) for c in then.consequences],
        "position": position, "head": reads.seal.digest_at(position),
    }
    return reads._open(record)  # type: ignore[no-any-return]


def _require_reader(reads: Reads, advisor: str, appointments: list[dict[str, Any]],
                    reader: str | None) -> None:
    if reader is None:
        return
    store = reads.store
    me = store.user(reader)
    paths = []
    for appt in appointments:
        try:
            paths.append(store.unit(store.school_class(appt["class"]).unit).path)
        except NotFound:
            continue
    wf = store.policy().workflows.get("appraisal")
    if not may_read_advisor(advisor, paths, me.login, me.grants, wf):
        raise advisor_refusal(me.login, advisor)


class _Names:
    """People, classes and units by name, asked once each; an unknown code stands as itself."""

    def __init__(self, reads: Reads) -> None:
        self.store = reads.store
        self._seen: dict[tuple[str, str], str] = {}

    def _name(self, kind: str, code: str | None) -> str | None:
        if not code:
            return None
        key = (kind, code)
        if key not in self._seen:
            try:
                found = self.store.user(code) if kind == "user" else \
                    self.store.school_class(code) if kind == "class" else self.store.unit(code)
                self._seen[key] = str(found.name)
            except NotFound:
                self._seen[key] = code
        return self._seen[key]

    def person(self, login: str | None) -> str | None:
        return self._name("user", login)

    def klass(self, code: str | None) -> str | None:
        return self._name("class", code)

    def unit(self, code: str | None) -> str | None:
        return self._name("unit", code)

    def unit_of_class(self, code: str) -> str | None:
        try:
            return self.store.school_class(code).unit
        except NotFound:
            return None


def _appointment(row: dict[str, Any], names: _Names) -> dict[str, Any]:
    unit = names.unit_of_class(row["class"])
    return {"class": row["class"], "class_name": names.klass(row["class"]), "unit": unit,
            "unit_name": names.unit(unit), "start": row["start"], "end": row["end"],
            "state": row["state"], "end_reason": row.get("end_reason"),
            "full_term": row.get("full_term"), "case": row["case"],
            "appointed_by": row.get("appointed_by"),
            "appointed_by_name": names.person(row.get("appointed_by"))}


def _results(reads: Reads, user: User, names: _Names) -> list[dict[str, Any]]:
    """Each period's final result, oldest first, with who signed each level of its case (an
    imported result names the file's digest instead)."""
    out = []
    for period in sorted(user.results):
        held = user.results[period]
        ref = str(held.get("case") or "")
        row: dict[str, Any] = {"period": period, "grade": held["grade"],
                               "total": float(held["total"]) if held.get("total") else None,
                               "case": ref, "imported": ref.startswith("import:"),
                               "digest": None, "signed": []}
        if row["imported"]:
            row["digest"] = _digest(reads, user.login, period)
        elif ref:
            row["signed"] = _signers(reads, ref, names)
        out.append(row)
    return out


def _digest(reads: Reads, login: str, period: str) -> str | None:
    for ev in reads.store.events_of(User.create_id(login)):
        if isinstance(ev, User.ResultImported) and ev.period == period:
            return str(ev.digest)
    return None


def _signers(reads: Reads, ref: str, names: _Names) -> list[dict[str, Any]]:
    """The signatures of each level of a case (the step's own action, not scores or returns)."""
    try:
        case = reads.store.case(ref)
    except NotFound:
        return []
    wf = reads.store.case_policy(case).workflow(case.kind)
    steps = {s.id: s for s in wf.steps}
    signed = []
    for entry in reads.case_views.history(case.ref):
        step = steps.get(entry.get("step") or "")
        if step is not None and entry["action"] == step.action:
            signed.append({"step": step.id, "step_label": step.label, "actor": entry["actor"],
                           "name": names.person(entry["actor"]), "at": entry["at"],
                           "comment": entry.get("comment")})
    return signed


def _award(row: dict[str, Any], policy: Any, names: _Names) -> dict[str, Any]:
    label = None
    if policy.award is not None and row["distinction"]:
        label = next((d.label for d in policy.award.distinctions
                      if d.key == row["distinction"]), None)
    elif policy.award is not None:
        label = policy.award.label
    if label is None and "award" in policy.workflows:
        label = policy.workflows["award"].label
    return row | {"label": label, "unit_name": names.unit(row["unit"])}


def _dismissal(row: dict[str, Any], names: _Names) -> dict[str, Any]:
    return {"case": row["id"], "state": row["state"], "step_label": row["step_label"],
            "class": row["class"], "class_name": names.klass(row["class"]),
            "opened_at": row["opened_at"], "updated_at": row["updated_at"],
            "opener": row["opener"],
            "opener_name": None if row["opener"] == RULE else names.person(row["opener"]),
            "by_rule": row["opener"] == RULE}


def _paid(month: str, line: dict[str, Any]) -> dict[str, Any]:
    return {"month": month, "class": line["class"], "amount": line["amount"],
            "days": line["days"], "rule": line["rule"], "students": line["students"],
            "funding": line["funding"]}


def _months(appointments: list[dict[str, Any]], today: date) -> list[str]:
    """Every month from the first appointment's start to the last one's end (or `today`),
    never beyond `today`'s month; at most MAX_MONTHS, the latest."""
    starts = [a["start"] for a in appointments if a["start"]]
    if not starts:
        return []
    first = date.fromisoformat(min(starts))
    ends = [a["end"] for a in appointments]
    last = today if any(not e for e in ends) else min(today, date.fromisoformat(max(ends)))
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months[-MAX_MONTHS:]


def record_format(out: str, location: Any = None, force: bool = False) -> str:
    """`xlsx` or `html` from the file's ending, into an existing folder, a file the export may
    write (exports.safe.check_out: not the store's, no link, replaced only with `force`);
    checked before any store is opened."""
    from pathlib import Path

    from ..domain.errors import BadInput

    kind = Path(out).suffix.lstrip(".").lower()
    if kind not in ("xlsx", "html") or not Path(out).resolve().parent.is_dir():
        raise BadInput("--out {out}: give a .xlsx or .html file in an existing folder", out=out)
    if location is not None:
        from ..exports.safe import check_out

        check_out(out, location, force)
    return kind


class HasReads(Protocol):
    @property
    def reads(self) -> Reads: ...


def advisor_record_export(app: HasReads, advisor: str, out: str, force: bool = False,
                          reader: str | None = None, as_of: str | None = None) -> dict[str, Any]:
    """`export advisor-record`: write the record to `out` (.xlsx or .html), whole or not at
    all, an existing file replaced only with `force`; answers what was written and the seal
    digest and position the file carries."""
    from ..exports.advisor_record import write_html, write_xlsx
    from ..exports.safe import write_out

    reads = app.reads
    kind = record_format(out, reads.store.location, force)
    record = advisor_record(reads, advisor, as_of, reader)
    writer = write_xlsx if kind == "xlsx" else write_html
    write_out(out, lambda path: writer(record, path), reads.store.location, force)
    return {"advisor": record["advisor"], "name": record["name"], "file": out, "format": kind,
            "head": record["head"], "position": record["position"]}
