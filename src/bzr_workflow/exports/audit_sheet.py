"""The audit search as a sheet (CSV with BOM or XLSX), every cell written as data, never a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from .safe import csv_rows, xlsx_cell

HEADER = ["时间", "办理人", "操作", "案件", "对象", "环节", "环节名称", "转至", "意见", "事件位置",
          "办理人姓名", "代理对象"]
KEYS = ["at", "actor", "action", "case", "target", "step", "step_label", "to_step", "comment",
        "position", "actor_name", "on_behalf_of"]  # new ones last: the others keep their places


def rows(found: Sequence[Mapping[str, Any]], query: Mapping[str, str | None],
         head: str, position: int | None = None,
         signed: Mapping[str, str] | None = None) -> list[list[Any]]:
    """What was asked, the seal head the sheet reflects (its position and digest; `signed`:
    the store's identity, the seal's public key and its Ed25519 signature over
    "bzr-workflow checkpoint 2|store|position|head"), then one row per decision."""
    asked = [f"{k}={v}" for k, v in query.items() if v]
    out: list[list[Any]] = [["审计查询", " ".join(asked) or "全部", "封印摘要", head,
                             *(["事件位置", position] if position is not None else []),
                             *(["库标识", signed["store"], "公钥", signed["public_key"],
                                "签名", signed["signature"]] if signed else [])], HEADER]
    out += [[row.get(k) if row.get(k) is not None else "" for k in KEYS] for row in found]
    return out


def csv_bytes(table: list[list[Any]]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(csv_rows(table))
    return text.getvalue().encode("utf-8-sig")


def xlsx_bytes(table: list[list[Any]]) -> bytes:
    """Every text cell typed as a string (openpyxl would store `=...` as a formula)."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "审计"
    for r, row in enumerate(table, 1):
        for c, value in enumerate(row, 1):
            xlsx_cell(ws, r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
