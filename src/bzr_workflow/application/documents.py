"""The office documents (CLI.md `export`, WEB.md's exports): which exist, what each holds as
plain rows (names, never logins alone; numbers as numbers), who may read each, and the log
position and seal digest each was made at. The writers (XLSX, the printable page) are
`exports/documents.py`; a new document is one row of DOCUMENTS."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..domain.access import covers
from ..domain.errors import BadInput, NotPermitted
from ..domain.signing import may_read_results, results_refusal, sees_everything
from ..domain.timefmt import local_iso

if TYPE_CHECKING:
    from .reads import Reads

AUDIT_ROWS = 100_000
"""The audit document's rows at most (as the audit downloads): a larger period is refused."""
SIGNATURES = ["审核人", "负责人", "单位盖章", "日期"]
"""The signature block the office's paper has (审核人, 负责人, the unit's seal, the date)."""


@dataclass(frozen=True)
class Asked:
    """What a document is asked for: one period or one month, maybe one unit or advisor, by
    `reader` (None: the operator at the command line, who reads everything)."""

    period: str | None = None
    month: str | None = None
    unit: str | None = None
    advisor: str | None = None
    reader: str | None = None


@dataclass(frozen=True)
class Document:
    title: str
    needs: str  # "period", "month" or "advisor": which of --period / --month / --advisor
    build: Callable[[Reads, Asked], dict[str, Any]]
    writer: str = "documents"
    """The module of exports/ whose `xlsx_bytes(model)` and `html_bytes(model)` write it."""


def names(reads: Reads) -> tuple[dict[str, str], dict[str, str], dict[str, dict[str, Any]]]:
    """People, units and classes by their codes: (login -> name, unit -> name, class -> row)."""
    people = {u["user"]: u["name"] for u in reads.users()}
    units = {u["unit"]: u["name"] for u in reads.units()}
    classes = {c["class"]: dict(c) for c in reads.classes()}
    return people, units, classes


def person(people: dict[str, str], login: str | None) -> str:
    """周杰 (zhou): the name, the login beside it."""
    if not login:
        return ""
    name = people.get(login, "")
    return f"{name}（{login}）" if name and name != login else login


def _sealed(reads: Reads, position: int) -> dict[str, Any]:
    head = reads.seal.digest_at(position)
    return {"position": position, "head": head,
            "signed": reads.seal.head_statement(position, head)}


def _view_position(reads: Reads) -> int:
    from ..projections import queries

    with reads._read() as conn:  # noqa: SLF001 - the read door's own module family
        return int(queries.view_position(conn))


def _frame(reads: Reads, name: str, asked: Asked, scope: str) -> dict[str, Any]:
    _, units, _ = names(reads)
    unit = f"{units.get(asked.unit, asked.unit)}（{asked.unit}）" if asked.unit else ""
    return {"name": name, "title": DOCUMENTS[name].title,
            "institution": reads.store.institution().name, "scope": scope, "unit": unit,
            "made_at": local_iso(reads.store.clock(), reads.offset())[:16].replace("T", " "),
            "sections": [], "totals": [], "notes": [], "signatures": list(SIGNATURES)}


def _results(reads: Reads, asked: Asked) -> list[dict[str, Any]]:
    """The period's results `asked.reader` may read; refused to a reader holding no role of
    the appraisal (signing.may_read_results), as the ranked results are."""
    assert asked.period
    if asked.reader is not None:
        me = reads.store.user(asked.reader)
        wf = reads.store.policy().workflows.get("appraisal")
        if not may_read_results(me.grants, wf):
            raise results_refusal(me.login, wf)
    return [dict(r) for r in reads.results(asked.period, asked.unit, asked.reader).rows]


def _by_unit(rows: list[dict[str, Any]], units: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        code = row.get("unit") or ""
        label = f"{units.get(code, code)}（{code}）" if code else "—"
        grouped.setdefault(label, []).append(row)
    return grouped


# -- the documents ---------------------------------------------------------------------------

def appraisal_summary(reads: Reads, asked: Asked) -> dict[str, Any]:
    """考核汇总表: every advisor's indicator scores, total, grade and veto items, by unit, with
    how many of each grade per unit."""
    position = _view_position(reads)
    rows = _results(reads, asked)
    people, units, _ = names(reads)
    view = reads.policy_view()
    appraisal = view.get("appraisal") or {}
    indicators = appraisal.get("indicators", [])
    vetoes = {v["key"]: v["label"] for v in appraisal.get("veto_items", [])}
    grades = [g["label"] for g in appraisal.get("grades", [])]
    doc = _frame(reads, "appraisal-summary", asked, str(asked.period)) | _sealed(reads, position)
    columns = ["班主任", "案件", *[_indicator_head(i) for i in indicators], "总分", "等级",
               "否决项", "状态"]
    everyone: dict[str, int] = {}
    for unit, found in _by_unit(rows, units).items():
        lines: list[list[Any]] = []
        counts: dict[str, int] = {}
        for row in found:
            scores = reads.store.case(row["case"]).scores
            lines.append([person(people, row["advisor"]), row["case"],
                          *[_number(scores.get(i["key"])) for i in indicators],
                          _number(row["total"]), row["grade"] or "",
                          "；".join(vetoes.get(k, k) for k in row["vetoed_items"]),
                          _state(row)])
            grade = row["grade"] or "未评"
            counts[grade] = counts.get(grade, 0) + 1
            everyone[grade] = everyone.get(grade, 0) + 1
        doc["sections"].append({"heading": unit, "columns": columns, "rows": lines,
                                "totals": [["人数", len(found)],
                                           *[[g, n] for g, n in _in_order(counts, grades)]]})
    doc["totals"] = [["合计人数", len(rows)], *[[g, n] for g, n in _in_order(everyone, grades)]]
    return doc


def announcement(reads: Reads, asked: Asked) -> dict[str, Any]:
    """公示名单: the period's results published and under 公示 (not yet final), by unit, with
    the 公示's last day and where to object. Every signed-in person of the institution may
    read a 公示 while it runs (issue 21 item 2); who objected is not on it."""
    assert asked.period
    position = _view_position(reads)
    everyone = [dict(r) for r in reads.results(asked.period, asked.unit).rows]
    rows = [r for r in everyone if r["state"] == "published" and r["announcement_until"]]
    people, units, _ = names(reads)
    doc = _frame(reads, "announcement", asked, asked.period) | _sealed(reads, position)
    columns = ["序号", "班主任", "单位", "考核等级", "总分", "公示截止"]
    number = 0
    for unit, found in _by_unit(rows, units).items():
        lines = []
        for row in found:
            number += 1
            lines.append([number, person(people, row["advisor"]), unit, row["grade"] or "",
                          _number(row["total"]), row["announcement_until"]])
        doc["sections"].append({"heading": unit, "columns": columns, "rows": lines,
                                "totals": [["人数", len(found)]]})
    doc["totals"] = [["公示人数", len(rows)]]
    ends = sorted({str(r["announcement_until"]) for r in rows})
    if ends:
        from datetime import date, timedelta

        from ..domain.appraisal_rules import rules_of

        days = rules_of(reads.store.policy()).announcement_days
        first = (date.fromisoformat(ends[0]) - timedelta(days=days)).isoformat()
        doc["notes"].append(f"公示期：{first} 至 {ends[-1]}（{days} 天）。")
    doc["notes"].append("如有异议，请在公示期内登录系统，在本人可见的公示页面（/announcements?period="
                        f"{asked.period}）提出书面异议，或向{_office(reads)}反映。")
    return doc


def award_list(reads: Reads, asked: Asked) -> dict[str, Any]:
    """评优名单: the period's awards and rewards that follow a grade, by unit, with amounts."""
    assert asked.period
    readable = None
    if asked.reader is not None:
        _results(reads, asked)  # the same readers as the results
        readable = {r["case"] for r in reads.results(asked.period, None, asked.reader).rows} | \
            {c["id"] for c in reads.cases("award", None, asked.period, None, reader=asked.reader)}
    position = _view_position(reads)
    rows = [dict(r) for r in reads.awards(asked.period)]
    if asked.unit:
        under = {u["unit"] for u in reads.units() if f"/{asked.unit}/" in f"{u['path']}/"}
        rows = [r for r in rows if r["unit"] in under]
    if readable is not None:
        rows = [r for r in rows if (r["case"] or r["result"]) in readable]
    people, units, _ = names(reads)
    doc = _frame(reads, "award-list", asked, asked.period) | _sealed(reads, position)
    columns = ["序号", "班主任", "荣誉", "案件", "状态", "奖励金额（元）", "证书"]
    number, money = 0, 0.0
    for unit, found in _by_unit(rows, units).items():
        lines, subtotal = [], 0.0
        for row in found:
            number += 1
            amount = row["amount"] or 0.0
            subtotal += amount
            lines.append([number, person(people, row["advisor"]), row["distinction"] or "",
                          row["case"] or row["result"] or "", row["step_label"] or row["state"],
                          amount, _certificate(row["certificate"])])
        money += subtotal
        doc["sections"].append({"heading": unit, "columns": columns, "rows": lines,
                                "totals": [["人数", len(found)], ["金额合计", round(subtotal, 2)]]})
    doc["totals"] = [["合计人数", len(rows)], ["奖励金额合计", round(money, 2)]]
    return doc


def allowance_sheet(reads: Reads, asked: Asked) -> dict[str, Any]:
    """津贴发放表: each line's advisor and class by name, head count, rule and amount, totals per
    unit and per funder (Suzhou: 学校 and 各二级学院继续教育专户, 50/50). A reader sees the lines
    of the units their roles cover (an institution-wide role: all); one with no role, none."""
    assert asked.month
    sheet = reads.allowance(asked.month)
    people, units, classes = names(reads)
    paths = {u["unit"]: u["path"].strip("/").split("/") for u in reads.units()}
    keep = _unit_filter(reads, asked.reader, paths)
    doc = _frame(reads, "allowance-sheet", asked, asked.month)
    doc |= {"position": sheet["position"], "head": sheet["head"], "signed": sheet.get("signed")}
    payers = list(dict.fromkeys(f["payer"] for line in sheet["lines"]  # Suzhou: each 二级学院
                                for f in line["funding"]))         # pays its own half
    columns = ["班主任", "班级", "人数", "依据", "天数", "金额（元）", *payers]
    grouped: dict[str, list[list[Any]]] = {}
    unit_totals: dict[str, float] = {}
    by_payer: dict[str, float] = {p: 0.0 for p in payers}
    total = 0.0
    for line in sheet["lines"]:
        klass = classes.get(line["class"], {})
        unit = klass.get("unit", "")
        if asked.unit and asked.unit not in paths.get(unit, [unit]):
            continue
        if not keep(unit):
            continue
        label = f"{units.get(unit, unit)}（{unit}）" if unit else "—"
        shares = {f["payer"]: f["amount"] for f in line["funding"]}
        grouped.setdefault(label, []).append(
            [person(people, line["advisor"]), f"{klass.get('name', line['class'])}（{line['class']}）",
             line["students"], line["rule"], line["days"], line["amount"],
             *[shares.get(p, 0.0) for p in payers]])
        unit_totals[label] = unit_totals.get(label, 0.0) + line["amount"]
        total += line["amount"]
        for p in payers:
            by_payer[p] += shares.get(p, 0.0)
    for label, lines in grouped.items():
        sums = [round(sum(row[6 + i] for row in lines), 2) for i in range(len(payers))]
        doc["sections"].append({"heading": label, "columns": columns, "rows": lines,
                                "totals": [["人次", len(lines)],
                                           ["金额合计", round(unit_totals[label], 2)],
                                           *[[p, s] for p, s in zip(payers, sums)]]})
    doc["totals"] = [["合计金额", round(total, 2)],
                     *[[f"{p}承担", round(v, 2)] for p, v in by_payer.items()]]
    if sheet.get("note"):
        doc["notes"].append(sheet["note"])
    return doc


def audit(reads: Reads, asked: Asked) -> dict[str, Any]:
    """A period's decisions, oldest first, as projected from the events up to the seal's head
    (like the audit downloads); for administrators and auditors."""
    assert asked.period
    if asked.reader is not None and not sees_everything(reads.store.user(asked.reader).grants):
        raise NotPermitted("{login} may not export the audit; administrators and auditors may",
                           login=asked.reader)
    from ..domain.periods import parse_period, period_range

    start, end = period_range(parse_period(asked.period, reads.store.policy().period),
                              reads.store.calendar())
    position, head = reads.seal.head()
    rows = reads.audit(since=start, until=end, limit=AUDIT_ROWS + 1, position=position)
    if len(rows) > AUDIT_ROWS:
        raise BadInput("the period has more than {cap} decisions; export the audit by "
                       "`audit --since --until` in parts", cap=AUDIT_ROWS)
    people, _, _ = names(reads)
    doc = _frame(reads, "audit", asked, asked.period)
    doc |= {"position": position, "head": head,
            "signed": reads.seal.head_statement(position, head)}
    columns = ["时间", "办理人", "操作", "案件", "对象", "环节", "意见", "事件位置"]
    lines = [[r["at"], person(people, r["actor"]), r["action"], r["case"] or "",
              person(people, r["target"]) if r["target"] in people else (r["target"] or ""),
              r["step_label"] or r["step"] or "", r["comment"] or "", r["position"]]
             for r in rows]
    doc["sections"].append({"heading": f"{start} — {end}", "columns": columns, "rows": lines,
                            "totals": [["记录数", len(lines)]]})
    doc["totals"] = [["记录数", len(lines)]]
    return doc


DOCUMENTS: dict[str, Document] = {
    "announcement": Document("公示名单", "period", announcement),
    "appraisal-summary": Document("考核汇总表", "period", appraisal_summary),
    "allowance-sheet": Document("津贴发放表", "month", allowance_sheet),
    "award-list": Document("评优名单", "period", award_list),
    "audit": Document("审计记录", "period", audit),
}
"""Every document `export` writes. `advisor-record` (业务档案) joins with one row, e.g.
`"advisor-record": Document("业务档案", "advisor", lambda reads, asked: reads.advisor_record(
asked.advisor, reader=asked.reader), "advisor_record")`, and leaves KNOWN_NOT_YET."""
KNOWN_NOT_YET: tuple[str, ...] = ()
"""Documents CLI.md names that this build does not write yet."""


OWN_SHAPE = ("advisor-record",)
"""Documents of a shape of their own (application/advisor_record.py), beside DOCUMENTS."""


def check_asked(name: str, asked: Asked) -> Document | None:
    """The document `name`, refused (exit 2) when unknown, not built yet, or asked with the
    wrong one of period and month: checked before any store is opened."""
    spec = DOCUMENTS.get(name)
    if name in OWN_SHAPE:
        if not asked.advisor:
            raise BadInput("export advisor-record takes --advisor (advisor=USER)")
        return None
    if spec is None:
        if name in KNOWN_NOT_YET:
            raise BadInput("export {name}: not available in this version yet; the documents are: "
                           "{known}", name=name, known=", ".join(DOCUMENTS))
        raise BadInput("unknown document {name!r}; the documents are: {known}", name=name,
                       known=", ".join(DOCUMENTS))
    if spec.needs == "period" and (not asked.period or asked.month):
        raise BadInput("export {name} takes --period (a period such as 2026-2027), not --month",
                       name=name)
    if spec.needs == "month" and (not asked.month or asked.period):
        raise BadInput("export {name} takes --month (YYYY-MM), not --period", name=name)
    if spec.needs == "advisor" and not asked.advisor:
        raise BadInput("export {name} takes --advisor USER", name=name)
    if asked.month:
        from ..domain.allowance import month_range

        month_range(asked.month)
    return spec


def document(reads: Reads, name: str, asked: Asked) -> dict[str, Any]:
    """The document `name` as plain rows (see check_asked); the reading rule first."""
    spec = check_asked(name, asked)
    if spec is None:  # a shape of its own: reads.advisor_record, reads.advisor_record_bytes
        raise BadInput("export {name} is written by its own writer; ask for its file", name=name)
    if asked.unit:
        reads.store.unit(asked.unit)  # an unknown unit is refused, not an empty document
    return spec.build(reads, asked) | {"writer": spec.writer}


# -- helpers ---------------------------------------------------------------------------------

def _unit_filter(reads: Reads, login: str | None,
                 paths: dict[str, list[str]]) -> Callable[[str], bool]:
    if login is None:
        return lambda unit: True
    grants = reads.store.user(login).grants
    if sees_everything(grants) or any(not u for _, u in grants):
        return lambda unit: True
    if not grants:
        raise NotPermitted("{login} holds no role; the allowance sheet is read by the roles of "
                           "the units it pays", login=login)
    return lambda unit: any(covers(grants, role, paths.get(unit, [unit])) for role, _ in grants)


def _indicator_head(indicator: dict[str, Any]) -> str:
    if indicator.get("max") is not None:
        return f"{indicator['label']}（满分{_plain(indicator['max'])}）"
    if indicator.get("weight") is not None:
        return f"{indicator['label']}（权重{_plain(indicator['weight'])}%）"
    return str(indicator["label"])


def _plain(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else str(number)


def _number(value: Any) -> Any:
    """A score as a number cell (int where whole); a grade given as text stays text."""
    if value is None or value == "":
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return int(number) if number.is_integer() else number


def _certificate(value: Any) -> str:
    if value is True:
        return "是"
    return str(value) if value else ""


def _state(row: dict[str, Any]) -> str:
    if row["final"]:
        return "已定"
    if row["state"] == "published" and row["announcement_until"]:
        return "公示中"
    return str(row["step_label"] or row["state"])


def _in_order(counts: dict[str, int], grades: list[str]) -> list[tuple[str, int]]:
    known = [(g, counts[g]) for g in grades if g in counts]
    return known + [(g, n) for g, n in counts.items() if g not in grades]


def _office(reads: Reads) -> str:
    """The office that runs the 公示: the label of the appraisal's last step's role."""
    policy = reads.store.policy()
    wf = policy.workflows.get("appraisal")
    if wf is None or not wf.steps:
        return "主管部门"
    role = wf.steps[-1].role
    labels = {r["id"]: r["label"] for r in reads.policy_view().get("roles", [])}
    return str(labels.get(role, role))
