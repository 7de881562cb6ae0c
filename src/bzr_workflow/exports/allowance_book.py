"""The allowance page's download: a month's lines by name, with amounts as number cells, the
totals per unit and per funder, and the event position and seal digest it reflects."""

from __future__ import annotations

import io
from typing import Any

from .safe import xlsx_append

HEADER = ["班主任", "登录名", "班级", "所属单位", "人数", "金额（元）", "依据"]
AMOUNT = 6  # the amount's column (1-based)


def xlsx_bytes(sheet: dict[str, Any]) -> bytes:
    """`sheet`: Reads.allowance_desk's (lines with advisor_name, class_name, unit_name; units)."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = f"津贴 {sheet['month']}"
    xlsx_append(ws, ["月份", sheet["month"], "事件位置", sheet["position"], "封印摘要",
                     sheet.get("head", "")])
    xlsx_append(ws, HEADER)
    for line in sheet["lines"]:
        xlsx_append(ws, [line["advisor_name"], line["advisor"], line["class_name"],
                         line["unit_name"], line["students"], line["amount"], line["rule"]])
    for unit in sheet["units"]:
        xlsx_append(ws, [f"{unit['name']} 小计", "", "", unit["name"], None, unit["total"]])
    for payer, amount in sheet["payers"].items():
        xlsx_append(ws, [payer, "", "", "", None, amount])
    xlsx_append(ws, ["合计", "", "", "", None, sheet["total"]])
    for row in ws.iter_rows(min_row=3, min_col=AMOUNT, max_col=AMOUNT):
        for cell in row:
            cell.number_format = "0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
