"""The appraisal pages: opening a period's appraisals, the case page's appraisal forms (self-summary, scores with their running total, veto items) and the 公示 with its objections, resolutions and finalisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from ..application import WorkflowApp
from ..application.caseview import CaseView
from ..domain.errors import BadInput, WorkflowError
from .auth import Caller, check_csrf
from .casepages import acted
from .deps import Door, Poster, Reader
from .errors import NotSignedIn, status_of
from .messages import language
from .render import refusal_of, render, see
from .uploads import download, is_multipart, receive

router = APIRouter(include_in_schema=False)
FIELDS_MAX = 400  # inputs a scoring form may post


async def _fields(request: Request) -> FormData:
    """The form as posted (the scoring form's inputs are named by the policy's keys, so they
    are not declared one by one; the advisors chosen come as repeated `advisors`)."""
    return await request.form(max_fields=FIELDS_MAX)


Fields = Annotated[FormData, Depends(_fields)]


def texts(form: FormData) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


def appraisal_context(app: WorkflowApp, who: Caller, view: CaseView,
                      entered: dict[str, str] | None = None) -> dict[str, Any]:
    """What the case page adds for an appraisal: the scoring form of the step at hand (with
    a preview of what `entered` would give) and whether the reader writes the self-summary."""
    case = view.case
    if case.get("kind") != "appraisal" or view.as_of:
        return {}
    return {"scoring": app.reads.scoring_form(case["id"], who.login, entered),
            "writes_summary": case["state"] == "open" and case.get("subject") == who.login}


# -- opening a period's appraisals ----------------------------------------------------------

@router.get("/appraisals")
def appraisals_page(request: Request, app: Door, who: Reader, period: str = "") -> Response:
    listed = app.reads.cases("appraisal", None, period, None, reader=who.login) \
        if period else []
    return render(request, "appraisals.html", who=who, period=period, listed=listed,
                  advisors=_advisors(app), labels=_names(app))


@router.post("/appraisals")
def open_appraisals(request: Request, app: Door, who: Poster, fields: Fields) -> Response:
    """Opens the period's appraisals for every advisor (`all`) or the chosen ones
    (`advisors`, repeatable); 303 to the period's list."""
    period = str(fields.get("period") or "").strip()
    everyone = fields.get("all") == "on"
    chosen = [a for a in fields.getlist("advisors") if isinstance(a, str) and a]
    try:
        if everyone == bool(chosen):
            raise BadInput("give either advisors (a list of users) or all: true")
        targets = app.reads.appraisal_targets(period, chosen)
        app.appraisals.open_appraisals(period, targets, who.login, bool(chosen))
    except WorkflowError as exc:
        return render(request, "appraisals.html", status_of(exc), who=who, period=period,
                      listed=[], advisors=_advisors(app), labels=_names(app),
                      refusal=refusal_of(exc, language(request)))
    return see(f"/appraisals?period={period}")


def _advisors(app: WorkflowApp) -> list[dict[str, Any]]:
    """The people who advise a class now, by name with their class, for the chooser."""
    names = _names(app)
    return [{"user": a, "name": names.get(a, a), "class_name": c["name"]}
            for c in app.reads.classes() for a in c["advisors"]]


def _names(app: WorkflowApp) -> dict[str, str]:
    return {u["user"]: u["name"] for u in app.reads.users()}


# -- the case page's appraisal forms --------------------------------------------------------

@router.post("/cases/{ref}/summary")
async def summary(ref: str, request: Request, app: Door, who: Reader) -> Response:
    """The self-summary form (`multipart/form-data`: `csrf`, `summary`, files in
    `attachments`; a plain form without files is taken as well). Whoever may not submit it is
    refused before the body is read; the files stream into the store's folder under the upload
    caps (web/uploads.py); 303 back to the case page, or the page again with the refusal."""
    if not is_multipart(request):
        form = await request.form(max_files=0, max_fields=FIELDS_MAX)
        check_csrf(who, str(form.get("csrf") or ""))
        text = str(form.get("summary") or "")
        return await run_in_threadpool(
            acted, request, app, who, ref,
            lambda: app.appraisals.submit_summary(ref, who.login, text))
    try:
        await run_in_threadpool(app.appraisals.may_attach, ref, who.login)
    except NotSignedIn:
        raise
    except WorkflowError as exc:
        return await run_in_threadpool(acted, request, app, who, ref, _raising(exc))
    batch = app.appraisals.files.batch()
    try:
        fields = await receive(request, batch, csrf_of=who)
    except NotSignedIn:
        raise
    except WorkflowError as exc:
        return await run_in_threadpool(acted, request, app, who, ref, _raising(exc))
    return await run_in_threadpool(
        acted, request, app, who, ref,
        lambda: app.appraisals.submit_summary(ref, who.login, fields.get("summary", ""), batch))


def _raising(exc: WorkflowError) -> Callable[[], dict[str, Any]]:
    def again() -> dict[str, Any]:
        raise exc
    return again


@router.get("/cases/{ref}/attachments/{digest}")
def attachment(ref: str, digest: str, request: Request, app: Door, who: Reader) -> Response:
    """A file attached to the self-summary, downloaded by a reader of the case."""
    return download(*app.appraisals.attachment(ref, who.login, digest))


@router.post("/cases/{ref}/scores")
def scores(ref: str, request: Request, app: Door, who: Poster, fields: Fields) -> Response:
    """One input per indicator scored at this step, named by its key (bonus items
    `bonus.KEY`); empty inputs are left as they are."""
    items, bonus = _scores_of(texts(fields))
    return acted(request, app, who, ref,
                 lambda: app.appraisals.score(ref, who.login, items, bonus))


@router.post("/cases/{ref}/scores/preview")
def preview(ref: str, request: Request, app: Door, who: Poster, fields: Fields) -> Response:
    """The case page again with the total and grade the entered scores would give; nothing
    is written."""
    view = app.reads.case_view(ref, who.login)
    entered = {k: v for k, v in texts(fields).items() if k != "csrf"}
    return render(request, "case.html", who=who, view=view,
                  **appraisal_context(app, who, view, entered))


@router.post("/cases/{ref}/veto-items")
def veto_item(ref: str, request: Request, app: Door, who: Poster, item: str = Form(""),
              reason: str = Form("")) -> Response:
    return acted(request, app, who, ref,
                 lambda: app.appraisals.flag_veto(ref, who.login, item, reason))


def _scores_of(fields: dict[str, str]) -> tuple[list[str], list[str]]:
    items, bonus = [], []
    for key, value in fields.items():
        if key == "csrf" or not value.strip():
            continue
        if key.startswith("bonus."):
            bonus.append(f"{key[6:]}={value}")
        else:
            items.append(f"{key}={value}")
    return items, bonus


# -- the 公示 ---------------------------------------------------------------------------------

@router.get("/announcements")
def announcements(request: Request, app: Door, who: Reader, period: str = "") -> Response:
    """The period's results under announcement, to every signed-in person; the office (who
    resolves objections) also sees the objections and who lodged them, and finalises."""
    shown = app.reads.announcements(period, who.login) if period else None
    return render(request, "announcements.html", who=who, period=period, shown=shown)


def _announced(request: Request, app: WorkflowApp, who: Caller, period: str, act: Any,
               back_to_case: bool) -> Response:
    """Run one command of the 公示; 303 to the case page (objections: to the 公示, which
    the objector may read where the case page they may not), or the 公示 with the refusal."""
    try:
        done = act()
    except WorkflowError as exc:
        shown = app.reads.announcements(period, who.login) if period else None
        return render(request, "announcements.html", status_of(exc), who=who, period=period,
                      shown=shown, refusal=refusal_of(exc, language(request)))
    if back_to_case:
        return see(f"/cases/{done['id']}")
    return see(f"/announcements?period={done['period']}&objected={done['id']}")


@router.post("/cases/{ref}/objections")
def objection(ref: str, request: Request, app: Door, who: Poster, reason: str = Form(""),
              period: str = Form("")) -> Response:
    return _announced(request, app, who, period,
                      lambda: app.appraisals.lodge_objection(ref, who.login, reason), False)


@router.post("/cases/{ref}/resolve")
def resolve(ref: str, request: Request, app: Door, who: Poster, objection: str = Form(""),
            outcome: str = Form(""), comment: str = Form(""),
            period: str = Form("")) -> Response:
    def act() -> dict[str, Any]:
        if outcome not in ("upheld", "dismissed"):
            raise BadInput('give either "upheld": true or "dismissed": true')
        if not (objection.isascii() and objection.isdigit() and len(objection) <= 7):
            raise BadInput("objection {value!r} must be an objection's number", value=objection)
        return app.appraisals.resolve_objection(ref, who.login, int(objection),
                                                outcome == "upheld", comment)
    return _announced(request, app, who, period, act, True)


@router.post("/cases/{ref}/finalise")
def finalise(ref: str, request: Request, app: Door, who: Poster,
             period: str = Form("")) -> Response:
    return _announced(request, app, who, period,
                      lambda: app.appraisals.finalise(ref, who.login), True)
