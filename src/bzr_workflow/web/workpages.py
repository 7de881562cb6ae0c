"""The pages of the year's other work (issue 21 items 3-5): awards and the 推荐表, the month's
allowance, the work log and its norms, opening any case. Each: who is asking, one call to the
door, one template; a refused form shows again with the refusal on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ..application import WorkflowApp
from ..domain.errors import WorkflowError
from .auth import Caller
from .deps import Door, Poster, Reader
from .errors import status_of
from .messages import language
from .render import refusal_of, render, see
from .workapi import FORMS, case_data

router = APIRouter(include_in_schema=False)

NOT_DUE = {"before the appointment": "norms.before_appointment",
           "after the appointment": "norms.after_appointment",
           "not over yet": "norms.not_over", "still ahead": "norms.ahead",
           "holiday": "norms.holiday", "between terms": "norms.between_terms"}
"""Why a window is not held to its norm (domain/norms.not_due), as the page's keys."""


def _posted(request: Request, act: Callable[[], dict[str, Any]],
            again: Callable[[], Response]) -> Response:
    """Run one command: 303 to the case it opened, or the form again with the refusal."""
    try:
        done = act()
    except WorkflowError as exc:
        request.state.refusal = (status_of(exc), refusal_of(exc, language(request)))
        return again()
    return see(f"/cases/{done['id']}")


def _refusal(request: Request) -> tuple[int, dict[str, str] | None]:
    return getattr(request.state, "refusal", (200, None))


# -- awards --------------------------------------------------------------------------------

@router.get("/awards")
def awards_page(request: Request, app: Door, who: Reader, period: str = "") -> Response:
    """A period's awards the reader may read, the places left where a quota binds, and the
    nomination form (for those who may nominate)."""
    return awards(request, app, who, period)


def awards(request: Request, app: WorkflowApp, who: Caller, period: str,
           form: dict[str, str] | None = None) -> Response:
    status, refusal = _refusal(request)
    return render(request, "awards.html", status, who=who, refusal=refusal,
                  desk=app.reads.award_desk(period, who.login),
                  form=form or {"period": period})


@router.post("/awards")
def nominate(request: Request, app: Door, who: Poster, advisor: str = Form(""),
             period: str = Form(""), deeds: str = Form(""),
             distinction: str = Form("")) -> Response:
    form = {"advisor": advisor, "period": period, "deeds": deeds, "distinction": distinction}
    return _posted(request,
                   lambda: app.awards.nominate(advisor, period, deeds, distinction or None,
                                               who.login),
                   lambda: awards(request, app, who, period, form))


@router.get("/cases/{ref}/form")
def award_form_page(ref: str, request: Request, app: Door, who: Reader) -> Response:
    """The 推荐表 as it stands: the fields filled in at nomination, each level's opinion, and
    the downloads."""
    return render(request, "award_form.html", who=who, ref=ref,
                  form=app.reads.recommendation_form(ref, who.login))


@router.get("/cases/{ref}/form.{fmt}")
def award_form_file(ref: str, fmt: str, app: Door, who: Reader) -> Response:
    body = app.reads.award_sheet(ref, fmt, who.login)
    return Response(body, media_type=FORMS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{ref}-form.{fmt}"'})


# -- allowance, work log, norms ------------------------------------------------------------

@router.get("/allowance")
def allowance(request: Request, app: Door, who: Reader, month: str = "") -> Response:
    """The month's allowance sheet: each line with the rule that computed it, totals per unit
    and per funder, the position and seal digest it reflects."""
    sheet = app.reads.allowance_desk(month, who.login) if month else None
    return render(request, "allowance.html", who=who, sheet=sheet, month=month)


@router.get("/allowance.xlsx")
def allowance_xlsx(app: Door, who: Reader, month: str = "") -> Response:
    """The month's sheet as the XLSX `allowance --out` writes (amounts as number cells)."""
    return Response(app.reads.allowance_xlsx(month, who.login), media_type=FORMS["xlsx"],
                    headers={"Content-Disposition":
                             f'attachment; filename="allowance-{month}.xlsx"'})


@router.get("/log")
def log_page(request: Request, app: Door, who: Reader) -> Response:
    """The phone-sized form advisors log a talk, a visit or a meeting with (`log add`)."""
    return log_form(request, app, who)


def log_form(request: Request, app: WorkflowApp, who: Caller,
             form: dict[str, str] | None = None) -> Response:
    status, refusal = _refusal(request)
    return render(request, "log.html", status, who=who, refusal=refusal,
                  choices=app.reads.log_form(who.login), form=form or {},
                  done=request.query_params.get("done"))


@router.post("/log")
def log_add(request: Request, app: Door, who: Poster, activity: str = Form(""),
            date: str = Form(""), count: str = Form("1"), hours: str = Form("0"),
            class_: str = Form("", alias="class"), student: str = Form(""),
            trigger: str = Form(""), note: str = Form("")) -> Response:
    """`log add` for the signed-in advisor; 303 back to the form, saying it was logged."""
    row = {"activity": activity, "date": date, "count": count or "1", "hours": hours or "0",
           "class": class_, "student": student, "trigger": trigger, "note": note}
    try:
        app.worklog.log_add(None, [row], who.login)
    except WorkflowError as exc:
        request.state.refusal = (status_of(exc), refusal_of(exc, language(request)))
        return log_form(request, app, who, row)
    return see(f"/log?done={date}")


@router.get("/norms")
def norms(request: Request, app: Door, who: Reader, period: str = "",
          advisor: str = "") -> Response:
    """Compliance with each work norm per week, month or semester; windows outside the
    appointment or still ahead are not due, never short."""
    report = app.reads.norms_for(advisor or who.login, period, who.login) if period else None
    return render(request, "norms.html", who=who, report=report, not_due=NOT_DUE,
                  form={"period": period, "advisor": advisor})


# -- opening any case ----------------------------------------------------------------------

@router.get("/open")
def open_page(request: Request, app: Door, who: Reader, kind: str = "") -> Response:
    """The kinds of case the reader may open (signing.may_open), one form."""
    return open_form(request, app, who, kind)


def open_form(request: Request, app: WorkflowApp, who: Caller, kind: str,
              form: dict[str, str] | None = None) -> Response:
    status, refusal = _refusal(request)
    return render(request, "open.html", status, who=who, refusal=refusal,
                  desk=app.reads.open_desk(who.login), form=form or {"kind": kind})


@router.post("/open")
def open_case(request: Request, app: Door, who: Poster, kind: str = Form(""),
              subject: str = Form(""), class_: str = Form("", alias="class"),
              period: str = Form(""), note: str = Form(""), ground: str = Form(""),
              student: str = Form(""), student_number: str = Form("")) -> Response:
    form = {"kind": kind, "subject": subject, "class": class_, "period": period, "note": note,
            "ground": ground, "student": student, "student_number": student_number}
    return _posted(request,
                   lambda: app.cases.open_case(kind, subject or None, class_ or None,
                                               period or None, note, who.login,
                                               case_data(ground, student, student_number)),
                   lambda: open_form(request, app, who, kind, form))
