"""The pages beside the cases: recruitment application, my cases, ranked results, audit search and its downloads, integrity."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ..domain.errors import Conflict, WorkflowError
from . import charts
from .deps import Door, Poster, Reader
from .errors import status_of
from .limits import OneAtATime
from .messages import language
from .render import refusal_of, render, see

router = APIRouter(include_in_schema=False)
AUDIT_ROWS = 1000  # the page shows the first so many; the downloads hold every match up to:
AUDIT_SHEET_ROWS = 100_000  # a download's rows at most (a larger search is refused: narrow it)
VERIFYING = OneAtATime(Conflict("a verify is already running; reload the page in a minute to "
                                "see it"))

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/apply")
def apply_form(request: Request, app: Door, who: Reader) -> Response:
    return render(request, "apply.html", who=who, classes=app.reads.classes(), form={})


@router.post("/apply")
def apply(request: Request, app: Door, who: Poster, class_: str = Form("", alias="class"),
          start: str = Form(""), note: str = Form("")) -> Response:
    try:
        opened = app.cases.recruit_apply(class_, None, start or None, note, who.login)
    except WorkflowError as exc:
        return render(request, "apply.html", status_of(exc), who=who,
                      classes=app.reads.classes(), refusal=refusal_of(exc, language(request)),
                      form={"class": class_, "start": start, "note": note})
    return see(f"/cases/{opened['id']}")


@router.get("/mine")
def mine(request: Request, app: Door, who: Reader) -> Response:
    return render(request, "mine.html", who=who, mine=app.reads.mine(who.login))


@router.get("/audit")
def audit(request: Request, app: Door, who: Reader, actor: str = "", case: str = "",
          since: str = "", until: str = "") -> Response:
    rows = app.reads.audit(actor or None, case or None, since or None, until or None,
                           AUDIT_ROWS, reader=who.login)
    return render(request, "audit.html", who=who, rows=rows, query=request.url.query,
                  form={"actor": actor, "case": case, "since": since, "until": until})


@router.get("/results")
def results(request: Request, app: Door, who: Reader, period: str = "",
            unit: str = "") -> Response:
    """A period's appraisal results ranked by total, with the grade quota's places (Suzhou's
    15 % of 优秀), for those who run or sign its appraisals."""
    ranked = app.reads.ranked_results(period, unit or None, reader=who.login) \
        if period else None
    figures = app.reads.result_figures(period, unit or None, reader=who.login) \
        if period else None  # drawn by web/charts.py, in _figures.html
    return render(request, "results.html", who=who, ranked=ranked, figures=figures,
                  charts=charts, form={"period": period, "unit": unit})


SHEETS = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}


@router.get("/audit.{fmt}")
def audit_sheet(fmt: str, app: Door, who: Reader, actor: str = "", case: str = "",
                since: str = "", until: str = "") -> Response:
    """The audit search as a file to download (`/audit.csv`, `/audit.xlsx`), of at most
    AUDIT_SHEET_ROWS rows."""
    body = app.reads.audit_sheet(fmt, actor or None, case or None, since or None, until or None,
                                 reader=who.login, cap=AUDIT_SHEET_ROWS)
    return Response(body, media_type=SHEETS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="audit.{fmt}"'})


@router.get("/integrity")
def integrity(request: Request, app: Door, who: Reader) -> Response:
    return render(request, "integrity.html", who=who, state=app.reads.integrity(),
                  may_verify=app.reads.may_verify(who.login))


@router.post("/integrity/verify")
def verify(app: Door, who: Poster) -> Response:
    """Recompute the seal over every event: administrators and auditors, one at a time (a
    second meanwhile is 409, code 4)."""
    app.reads.require_verifier(who.login)
    with VERIFYING.running():
        app.reads.verify()
    return see("/integrity")
