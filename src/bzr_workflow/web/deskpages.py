"""The pages beside the cases: recruitment application, my cases, ranked results, audit search and its downloads, integrity."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ..application import WorkflowApp
from ..domain.errors import NotPermitted, WorkflowError
from ..domain.policy import ADMIN, AUDITOR
from .auth import door
from .errors import status_of
from .messages import language
from .render import page, poster, reader, refusal_of, render, see

router = APIRouter(include_in_schema=False)
AUDIT_ROWS = 1000  # the page shows the first so many; the downloads hold every match

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/apply")
@page
async def apply_form(request: Request) -> Response:
    who = reader(request)
    classes = door(request).reads.classes()
    return render(request, "apply.html", who=who, classes=classes, form={})


@router.post("/apply")
@page
async def apply(request: Request, class_: str = Form("", alias="class"), start: str = Form(""),
                note: str = Form(""), csrf: str = Form("")) -> Response:
    who = poster(request, csrf)
    try:
        opened = door(request).cases.recruit_apply(class_, None, start or None, note, who.login)
    except WorkflowError as exc:
        return render(request, "apply.html", status_of(exc), who=who,
                      classes=door(request).reads.classes(),
                      refusal=refusal_of(exc, language(request)),
                      form={"class": class_, "start": start, "note": note})
    return see(f"/cases/{opened['id']}")


@router.get("/mine")
@page
async def mine(request: Request) -> Response:
    who = reader(request)
    found = door(request).reads.mine(who.login)
    return render(request, "mine.html", who=who, mine=found)


@router.get("/audit")
@page
async def audit(request: Request, actor: str = "", case: str = "", since: str = "",
                until: str = "") -> Response:
    who = reader(request)
    rows = door(request).reads.audit(actor or None, case or None, since or None, until or None,
                                     AUDIT_ROWS, reader=who.login)
    return render(request, "audit.html", who=who, rows=rows, query=request.url.query,
                  form={"actor": actor, "case": case, "since": since, "until": until})


@router.get("/results")
@page
async def results(request: Request, period: str = "", unit: str = "") -> Response:
    """A period's appraisal results ranked by total, with the grade quota's places (Suzhou's
    15 % of 优秀), for those who run or sign its appraisals."""
    who = reader(request)
    app = door(request)
    ranked = None
    if period:
        require_results_reader(app, who.login)
        ranked = app.reads.ranked_results(period, unit or None, reader=who.login)
    return render(request, "results.html", who=who, ranked=ranked,
                  form={"period": period, "unit": unit})


def require_results_reader(app: WorkflowApp, login: str) -> None:
    """Results are read by the roles of the appraisal workflow, the administrator and the
    auditor (an advisor sees their own result on their case)."""
    policy = app.policy()
    wf = policy.workflows.get("appraisal")
    roles = {ADMIN, AUDITOR} | ({wf.opened_by, *(s.role for s in wf.steps)} if wf else set())
    if not any(role in roles for role, _ in app.user(login).grants):
        raise NotPermitted(f"{login} holds no role of the appraisal; results are read by"
                           f" {', '.join(sorted(roles))}", zh=f"{login} 无权查看考核结果")


SHEETS = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX}


@router.get("/audit.{fmt}")
@page
async def audit_sheet(fmt: str, request: Request, actor: str = "", case: str = "",
                      since: str = "", until: str = "") -> Response:
    """The audit search as a file to download (`/audit.csv`, `/audit.xlsx`)."""
    who = reader(request)
    body = door(request).reads.audit_sheet(fmt, actor or None, case or None, since or None,
                                           until or None, reader=who.login)
    return Response(body, media_type=SHEETS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="audit.{fmt}"'})


@router.get("/integrity")
@page
async def integrity(request: Request) -> Response:
    who = reader(request)
    state = door(request).reads.integrity()
    return render(request, "integrity.html", who=who, state=state)


@router.post("/integrity/verify")
@page
async def verify(request: Request, csrf: str = Form("")) -> Response:
    poster(request, csrf)
    door(request).reads.verify()
    return see("/integrity")
