"""The office documents written out: one model (application/documents.py) as an XLSX workbook
(numbers as number cells, totals as numbers, every text cell through safe.py's formula guard)
or as a printable A4 page (HTML with @page), each with the institution, the period, the log
position and seal digest it was made at, and the signature block of the office's paper."""

from __future__ import annotations

import io
from typing import Any

from .safe import xlsx_cell

SEAL_LABELS = {"position": "事件位置", "head": "封印摘要", "store": "库标识",
               "public_key": "公钥", "signature": "签名"}


def seal_rows(doc: dict[str, Any]) -> list[list[Any]]:
    """What a later `verify --head DIGEST` checks a printed copy against."""
    rows: list[list[Any]] = [[SEAL_LABELS["position"], doc["position"]],
                             [SEAL_LABELS["head"], doc["head"]]]
    signed = doc.get("signed")
    if signed:
        rows += [[SEAL_LABELS[k], signed[k]] for k in ("store", "public_key", "signature")]
    return rows


def xlsx_bytes(doc: dict[str, Any]) -> bytes:
    """One sheet: title, institution and period, then per section its heading, header, rows
    and totals, then the grand totals, notes, seal and signature lines."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    ws = book.active
    ws.title = doc["title"][:31]
    r = 1

    def put(values: list[Any], bold: bool = False) -> None:
        nonlocal r
        for c, value in enumerate(values, 1):
            cell = xlsx_cell(ws, r, c, value)
            if bold:
                cell.font = Font(bold=True)
            if isinstance(value, float):
                cell.number_format = "0.00"
        r += 1

    put([f"{doc['institution']} {doc['title']}"], bold=True)
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    put(["期间" if len(doc["scope"]) != 7 else "月份", doc["scope"],
         *(["单位", doc["unit"]] if doc.get("unit") else []), "制表时间", doc["made_at"]])
    for section in doc["sections"]:
        r += 1
        put([section["heading"]], bold=True)
        put(section["columns"], bold=True)
        for row in section["rows"]:
            put(row)
        for label, value in section["totals"]:
            put(["小计：" + label, value])
    r += 1
    for label, value in doc["totals"]:
        put([label, value], bold=True)
    for note in doc.get("notes", []):
        put([note])
    r += 1
    for row in seal_rows(doc):
        put(row)
    r += 1
    put([f"{label}：" for label in doc["signatures"]])
    for column in "ABCDEFGHIJKL":
        ws.column_dimensions[column].width = 16
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.print_options.horizontalCentered = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ doc.institution }} {{ doc.title }} {{ doc.scope }}</title>
<style>
@page { size: A4 {{ orientation }}; margin: 15mm 12mm; }
body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", SimSun, serif; font-size: 11pt;
       color: #000; margin: 0 auto; max-width: 270mm; padding: 8mm; }
h1 { text-align: center; font-size: 18pt; margin: 0 0 4pt; letter-spacing: 2pt; }
p.sub { text-align: center; margin: 0 0 10pt; }
h2 { font-size: 12pt; margin: 12pt 0 4pt; }
table { border-collapse: collapse; width: 100%; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 3pt 4pt; vertical-align: top; word-break: break-all; }
th { background: #eee; }
td.n { text-align: right; white-space: nowrap; }
table.totals td { border: none; padding: 1pt 6pt 1pt 0; }
.notes p { margin: 4pt 0; }
.seal { font-size: 8pt; color: #333; word-break: break-all; margin-top: 10pt; }
.signatures { display: flex; flex-wrap: wrap; gap: 8pt 24pt; margin-top: 18pt; }
.signatures div { flex: 1 1 40%; min-height: 36pt; border-bottom: 1px solid #000; }
@media screen and (max-width: 600px) { body { padding: 2mm; font-size: 10pt; }
  .wide { overflow-x: auto; } }
</style></head>
<body>
<h1>{{ doc.institution }}<br>{{ doc.title }}</h1>
<p class="sub">{{ "月份" if doc.scope|length == 7 else "期间" }}：{{ doc.scope }}{% if doc.unit %}　单位：{{ doc.unit }}{% endif %}　制表时间：{{ doc.made_at }}</p>
{% for section in doc.sections %}
<h2>{{ section.heading }}</h2>
<div class="wide"><table>
<thead><tr>{% for c in section.columns %}<th>{{ c }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in section.rows %}<tr>{% for v in row %}<td{% if v is number %} class="n"{% endif %}>{{ money(v) }}</td>{% endfor %}</tr>{% endfor %}</tbody>
</table></div>
<table class="totals"><tr>{% for label, value in section.totals %}<td>{{ label }}：{{ money(value) }}</td>{% endfor %}</tr></table>
{% else %}<p>（无记录）</p>{% endfor %}
<h2>合计</h2>
<table class="totals"><tr>{% for label, value in doc.totals %}<td>{{ label }}：{{ money(value) }}</td>{% endfor %}</tr></table>
{% if doc.notes %}<div class="notes">{% for note in doc.notes %}<p>{{ note }}</p>{% endfor %}</div>{% endif %}
<div class="signatures">{% for label in doc.signatures %}<div>{{ label }}：</div>{% endfor %}</div>
<div class="seal">{% for label, value in seal %}{{ label }}：{{ value }}<br>{% endfor %}
用 <code>bzr-workflow verify --head {{ doc.head }}</code> 可核对本件所据的记录。</div>
</body></html>
"""


def html_bytes(doc: dict[str, Any]) -> bytes:
    """The printable page (A4; landscape where the table is wide), every value escaped."""
    from jinja2 import Environment

    env = Environment(autoescape=True)
    widest = max((len(s["columns"]) for s in doc["sections"]), default=0)
    page = env.from_string(PAGE).render(doc=doc, seal=seal_rows(doc), money=_shown,
                                        orientation="landscape" if widest > 6 else "portrait")
    return page.encode("utf-8")


def _shown(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def write(doc: dict[str, Any], fmt: str, path: str) -> None:
    """Write `doc` as `xlsx` or `html` to `path` (a temporary file of safe.write_out)."""
    body = xlsx_bytes(doc) if fmt == "xlsx" else html_bytes(doc)
    with open(path, "wb") as handle:
        handle.write(body)
