"""The case page (as it stands, or as it stood on a day) and its forms: sign off, veto, return, withdraw, take back, reassign."""

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

router = APIRouter(include_in_schema=False)


@router.get("/cases/{ref}")
def case_page(ref: str, request: Request, app: Door, who: Reader,
              as_of: str | None = None) -> Response:
    view = app.reads.case_view(ref, who.login, as_of or None)
    return render(request, "case.html", who=who, view=view, **extras(app, who, view))


def extras(app: WorkflowApp, who: Caller, view: Any) -> dict[str, Any]:
    """What a kind's own pages add to the case page (an appraisal's forms)."""
    from .appraisalpages import appraisal_context

    extra = appraisal_context(app, who, view)
    if "reassign" in view.actions:  # the 转办 form's choice: holders of the step's role
        extra["assignees"] = app.handovers.assignees(view.case["id"])
    return extra


def acted(request: Request, app: WorkflowApp, who: Caller, ref: str,
          act: Callable[[], dict[str, Any]]) -> Response:
    """Run one command; 303 back to the case page, or the page again with the refusal on it."""
    try:
        done = act()
    except WorkflowError as exc:
        view = app.reads.case_view(ref, who.login)
        return render(request, "case.html", status_of(exc), who=who, view=view,
                      refusal=refusal_of(exc, language(request)), **extras(app, who, view))
    return see(f"/cases/{done['id']}")


@router.post("/cases/{ref}/approve")
def approve(ref: str, request: Request, app: Door, who: Poster,
            comment: str = Form("")) -> Response:
    return acted(request, app, who, ref,
                 lambda: app.cases.approve(ref, who.login, comment or None))


@router.post("/cases/{ref}/veto")
def veto(ref: str, request: Request, app: Door, who: Poster, reason: str = Form("")) -> Response:
    return acted(request, app, who, ref, lambda: app.cases.veto(ref, who.login, reason))


@router.post("/cases/{ref}/return")
def return_case(ref: str, request: Request, app: Door, who: Poster,
                reason: str = Form("")) -> Response:
    return acted(request, app, who, ref, lambda: app.cases.return_case(ref, who.login, reason))


@router.post("/cases/{ref}/withdraw")
def withdraw(ref: str, request: Request, app: Door, who: Poster,
             reason: str = Form("")) -> Response:
    return acted(request, app, who, ref,
                 lambda: app.cases.withdraw(ref, who.login, reason or None))


@router.post("/cases/{ref}/takeback")
def takeback(ref: str, request: Request, app: Door, who: Poster,
             reason: str = Form("")) -> Response:
    return acted(request, app, who, ref, lambda: app.handovers.take_back(ref, who.login, reason))


@router.post("/cases/{ref}/reassign")
def reassign(ref: str, request: Request, app: Door, who: Poster, to: str = Form(""),
             reason: str = Form("")) -> Response:
    return acted(request, app, who, ref,
                 lambda: app.handovers.reassign(ref, who.login, to, reason))
