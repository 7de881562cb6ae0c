"""GET /api/v1/exports/{name}.xlsx and .html (WEB.md "Every workflow"): the office documents of
`export NAME`, as the caller may read them (the reading rule first; the audit for
administrators and auditors)."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request, Response

from .api import only
from .deps import ApiCaller, Door

router = APIRouter(prefix="/api/v1")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPES = {"xlsx": XLSX, "html": "text/html; charset=utf-8"}
QUERY = ("period", "month", "unit", "advisor")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _document(fmt: str, name: str, request: Request, app: Door, who: ApiCaller,
              period: str | None, month: str | None, unit: str | None,
              advisor: str | None) -> Response:
    only(request, *QUERY)
    body = app.reads.document_bytes(name, fmt, period, month, unit or None, reader=who.login,
                                    advisor=advisor)
    scope = _SAFE.sub("_", period or month or "")
    disposition = "attachment" if fmt == "xlsx" else "inline"
    return Response(body, media_type=TYPES[fmt], headers={
        "Content-Disposition": f'{disposition}; filename="{_SAFE.sub("_", name)}-{scope}.{fmt}"'})


@router.get("/exports/{name}.xlsx", response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "The document as XLSX."}})
def export_xlsx(name: str, request: Request, app: Door, who: ApiCaller,
                period: str | None = None, month: str | None = None, unit: str | None = None,
                advisor: str | None = None) -> Response:
    """An office document as a workbook: `announcement`, `appraisal-summary`, `award-list`,
    `audit` (?period=) or `allowance-sheet` (?month=); numbers as number cells, with the log
    position and seal digest it was made at."""
    return _document("xlsx", name, request, app, who, period, month, unit, advisor)


@router.get("/exports/{name}.html", response_class=Response,
            responses={200: {"content": {"text/html": {}},
                             "description": "The document as a printable A4 page."}})
def export_html(name: str, request: Request, app: Door, who: ApiCaller,
                period: str | None = None, month: str | None = None, unit: str | None = None,
                advisor: str | None = None) -> Response:
    """The same document as a printable A4 page (the institution, the period, the signature
    block: 审核人, 负责人, 单位盖章, 日期)."""
    return _document("html", name, request, app, who, period, month, unit, advisor)
