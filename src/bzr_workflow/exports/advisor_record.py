"""The advisor record as a file: an XLSX workbook (numbers as number cells, text never a formula) and a printable HTML page, each carrying the seal digest and event position it reflects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from .safe import xlsx_append

TITLE = "班主任考核登记表（业务档案）"


def _named(name: Any, code: Any) -> str:
    """A person, class or unit by name with its code beside it (never the code alone)."""
    if not code:
        return ""
    return f"{name}（{code}）" if name and name != code else str(code)


def _signed(result: Mapping[str, Any]) -> str:
    if result["imported"]:
        return f"导入（文件摘要 {result['digest'] or ''}）"
    return "；".join(f"{s['step_label']}：{s['name'] or s['actor']}（{s['at'][:10]}）"
                    for s in result["signed"])


def _full_term(value: Any) -> str:
    return "" if value is None else ("是" if value else "否")


def sections(record: Mapping[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """Each part of the record: its heading, its column headers and its rows (numbers stay
    numbers, people and places by name)."""
    return [
        ("聘任记录", ["班级", "单位", "起始日期", "结束日期", "状态", "结束原因", "任满一届", "案件"],
         [[_named(a["class_name"], a["class"]), _named(a["unit_name"], a["unit"]), a["start"],
           a["end"] or "", a["state"], a["end_reason"] or "", _full_term(a["full_term"]),
           a["case"] or ""] for a in record["appointments"]]),
        ("考核结果", ["考核期间", "等级", "总分", "案件", "签批"],
         [[r["period"], r["grade"], r["total"], r["case"], _signed(r)]
          for r in record["results"]]),
        ("奖励", ["期间", "奖项", "状态", "奖金（元）", "荣誉证书", "案件"],
         [[a["period"], a["label"] or a["distinction"] or "", a["state"], a["amount"],
           "是" if a["certificate"] else "否", a["case"] or a["result"] or ""]
          for a in record["awards"]]),
        ("津贴发放", ["月份", "班级", "天数", "人数", "金额（元）", "计算依据"],
         [[p["month"], p["class"], p["days"], p["students"], p["amount"], p["rule"]]
          for p in record["allowances"]]
         + ([["合计", "", "", "", record["allowance_total"], ""]] if record["allowances"]
            else [])),
        ("解聘", ["案件", "班级", "状态", "当前环节", "提出人", "提出时间"],
         [[d["case"], _named(d["class_name"], d["class"]), d["state"], d["step_label"] or "",
           _named("按规则自动" if d["by_rule"] else d["opener_name"], d["opener"]),
           d["opened_at"]]
          for d in record["dismissals"]]),
        ("触发的考核后果", ["后果", "处理", "期间", "依据", "开启案件"],
         [[c["label"], c["then"], c["period"], "、".join(c["caused_by"]), c["opened"] or ""]
          for c in record["consequences"]]),
    ]


def heading(record: Mapping[str, Any]) -> list[list[Any]]:
    return [[TITLE],
            ["班主任", _named(record["name"], record["advisor"]),
             "截至", record["as_of"] or "现在"],
            ["封印摘要", record["head"], "事件位置", record["position"]]]


def write_xlsx(record: Mapping[str, Any], path: str) -> None:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "班主任档案"
    for row in heading(record):
        xlsx_append(ws, row)
    for title, header, rows in sections(record):
        xlsx_append(ws, [])
        xlsx_append(ws, [title])
        xlsx_append(ws, header)
        for row in rows or [["（无）"]]:
            xlsx_append(ws, row)
    book.save(path)


def _cells(row: Sequence[Any], tag: str = "td") -> str:
    out = []
    for value in row:
        text = "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
        numeric = ' class="n"' if isinstance(value, (int, float)) else ""
        out.append(f"<{tag}{numeric}>{escape(text)}</{tag}>")
    return "".join(out)


def html_text(record: Mapping[str, Any]) -> str:
    """A page to print (A4, the seal's digest and position at its foot)."""
    top = heading(record)
    parts = [
        "<!doctype html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{escape(TITLE)} {escape(str(record['name']))}</title>",
        "<style>body{font-family:sans-serif;margin:1.5em;max-width:60em}"
        "table{border-collapse:collapse;width:100%;margin-bottom:1em}"
        "th,td{border:1px solid #444;padding:.25em .4em;text-align:left;font-size:.9em;"
        "overflow-wrap:anywhere}td.n{text-align:right}"
        "@page{size:A4;margin:15mm}footer{font-size:.75em;overflow-wrap:anywhere}</style>",
        "</head><body>", f"<h1>{escape(TITLE)}</h1>",
        f"<p>班主任：{escape(str(top[1][1]))}　截至：{escape(str(top[1][3]))}</p>"]
    for title, header, rows in sections(record):
        parts.append(f"<h2>{escape(title)}</h2>")
        if not rows:
            parts.append("<p>（无）</p>")
            continue
        parts.append(f"<table><thead><tr>{_cells(header, 'th')}</tr></thead><tbody>")
        parts += [f"<tr>{_cells(row)}</tr>" for row in rows]
        parts.append("</tbody></table>")
    parts.append(f"<footer>封印摘要 {escape(str(record['head']))}　事件位置 "
                 f"{escape(str(record['position']))}</footer></body></html>")
    return "\n".join(parts)


def write_html(record: Mapping[str, Any], path: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(html_text(record))
