"""The award recommendation form (附件2 推荐表) filled in from a case: its fields and each level's opinion."""

from __future__ import annotations

from typing import Any

from ..domain.policy import Policy
from .safe import xlsx_append

FIELDS_PER_ROW = 4


def form_model(case: dict[str, Any], history: list[dict[str, Any]], policy: Policy,
               names: dict[str, str]) -> dict[str, Any]:
    """{title, fields, deeds, opinions: [{label, comment, signer, date}]} of an award case."""
    wf = policy.workflow(case["kind"])
    form = dict(case["data"].get("form", {}))
    deeds = form.pop("主要事迹", case["data"].get("deeds", ""))
    signed = {h["step"]: h for h in history if h["action"] not in ("returned", "vetoed")
              and h["step"] and h["actor"]}
    opinions = []
    for step in wf.steps[:-1] if len(wf.steps) > 1 else wf.steps:
        entry = signed.get(step.id)
        opinions.append({"label": step.label, "comment": entry["comment"] if entry else "",
                         "signer": names.get(entry["actor"], entry["actor"]) if entry else "",
                         "date": entry["at"][:10] if entry else ""})
    return {"title": policy.award.title if policy.award else "推荐表",
            "case": case["id"], "period": case["period"], "fields": form, "deeds": deeds,
            "opinions": opinions}


def write_docx(model: dict[str, Any], path: str) -> None:
    """A table laid out like 附件2: field rows, 主要事迹, then one row per level's opinion."""
    from docx import Document

    doc = Document()
    doc.add_heading(model["title"], level=1)
    pairs = list(model["fields"].items())
    rows = [pairs[i:i + FIELDS_PER_ROW] for i in range(0, len(pairs), FIELDS_PER_ROW)]
    table = doc.add_table(rows=len(rows) + 1 + len(model["opinions"]), cols=FIELDS_PER_ROW * 2)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, (label, value) in enumerate(row):
            table.cell(r, 2 * c).text, table.cell(r, 2 * c + 1).text = label, value
    deeds_row = len(rows)
    table.cell(deeds_row, 0).text = "主要事迹"
    table.cell(deeds_row, 1).merge(table.cell(deeds_row, FIELDS_PER_ROW * 2 - 1)).text = model["deeds"]
    for n, opinion in enumerate(model["opinions"], deeds_row + 1):
        merged = table.cell(n, 0).merge(table.cell(n, FIELDS_PER_ROW * 2 - 1))
        merged.text = (f"{opinion['label']}：{opinion['comment']}\n"
                       f"负责人签字（盖章）：{opinion['signer']}\n{_date(opinion['date'])}")
    doc.add_paragraph(f"{model['case']} · {model['period']} · 事件位置 {model.get('position', '')}"
                      f" · 封印摘要 {model.get('head', '')}")
    signed = model.get("signed")  # the head signed with the seal's Ed25519 key (security.md)
    if signed:
        doc.add_paragraph(f"库标识 {signed['store']} · 公钥 {signed['public_key']}"
                          f" · 签名 {signed['signature']}")
    doc.save(path)


def write_xlsx(model: dict[str, Any], path: str) -> None:
    """The same form as a sheet: field / value rows, then opinion, signer and date per level."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "推荐表"
    xlsx_append(sheet, [model["title"]])
    signed = model.get("signed")
    xlsx_append(sheet, ["案件", model["case"], "期间", model["period"], "封印摘要",
                        model.get("head", ""), "事件位置", model.get("position", ""),
                        *(["库标识", signed["store"], "公钥", signed["public_key"],
                           "签名", signed["signature"]] if signed else [])])
    for label, value in model["fields"].items():
        xlsx_append(sheet, [label, value])
    xlsx_append(sheet, ["主要事迹", model["deeds"]])
    xlsx_append(sheet, ["栏目", "意见", "负责人签字（盖章）", "日期"])
    for opinion in model["opinions"]:
        xlsx_append(sheet, [opinion["label"], opinion["comment"], opinion["signer"],
                            opinion["date"]])
    book.save(path)


def _date(iso: str) -> str:
    if not iso:
        return "年 月 日"
    year, month, day = iso.split("-")
    return f"{year}年{int(month)}月{int(day)}日"
