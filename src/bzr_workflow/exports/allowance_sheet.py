"""A month's allowance sheet as CSV (UTF-8 with BOM, as Excel in China expects) or XLSX."""

from __future__ import annotations

import csv
from typing import Any

from .safe import csv_rows, xlsx_append

HEADER = ["班主任", "班级", "金额（元）", "依据", "任职（案件）", "任职起始", "人数", "人数起始",
          "天数", "经费来源"]


def rows(sheet: dict[str, Any]) -> list[list[Any]]:
    """The sheet's rows: which month and event position it reflects, the lines, the totals."""
    signed = sheet.get("signed")  # the head signed with the seal's Ed25519 key (security.md)
    out: list[list[Any]] = [["月份", sheet["month"], "事件位置", sheet["position"],
                             "封印摘要", sheet.get("head", ""),
                             *(["库标识", signed["store"], "公钥", signed["public_key"],
                                "签名", signed["signature"]] if signed else [])], HEADER]
    for line in sheet["lines"]:
        funding = "; ".join(f"{f['payer']} {f['amount']:.2f}" for f in line["funding"])
        out.append([line["advisor"], line["class"], f"{line['amount']:.2f}", line["rule"],
                    line["appointment"], line["appointed_from"], line["students"],
                    line["students_since"] or "", line["days"], funding])
    out.append(["合计", "", f"{sheet['total']:.2f}"])
    out += [[payer, "", f"{amount:.2f}"] for payer, amount in sheet["payers"].items()]
    return out


def write_csv(sheet: dict[str, Any], path: str) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(csv_rows(rows(sheet)))


def write_xlsx(sheet: dict[str, Any], path: str) -> None:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = f"津贴 {sheet['month']}"
    for row in rows(sheet):
        xlsx_append(ws, row)
    book.save(path)
