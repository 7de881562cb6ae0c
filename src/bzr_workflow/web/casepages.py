"""The case page (as it stands, or as it stood on a day) and its forms: sign off, veto, return, withdraw."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ..domain.errors import WorkflowError
from .auth import Caller, door
from .errors import status_of
from .messages import language
from .render import page, poster, reader, refusal_of, render, see

router = APIRouter(include_in_schema=False)


@router.get("/cases/{ref}")
@page
async def case_page(ref: str, request: Request, as_of: str | None = None) -> Response:
    who = reader(request)
    view = door(request).reads.case_view(ref, who.login, as_of or None)
    return render(request, "case.html", who=who, view=view)


def acted(request: Request, who: Caller, ref: str, act: Callable[[], dict[str, Any]]) -> Response:
    """Run one command; 303 back to the case page, or the page again with the refusal on it."""
    try:
        done = act()
    except WorkflowError as exc:
        view = door(request).reads.case_view(ref, who.login)
        return render(request, "case.html", status_of(exc), who=who, view=view,
                      refusal=refusal_of(exc, language(request)))
    return see(f"/cases/{done['id']}")


@router.post("/cases/{ref}/approve")
@page
async def approve(ref: str, request: Request, comment: str = Form(""),
                  csrf: str = Form("")) -> Response:
    who = poster(request, csrf)
    return acted(request, who, ref,
                 lambda: door(request).cases.approve(ref, who.login, comment or None))


@router.post("/cases/{ref}/veto")
@page
async def veto(ref: str, request: Request, reason: str = Form(""),
               csrf: str = Form("")) -> Response:
    who = poster(request, csrf)
    return acted(request, who, ref, lambda: door(request).cases.veto(ref, who.login, reason))


@router.post("/cases/{ref}/return")
@page
async def return_case(ref: str, request: Request, reason: str = Form(""),
                      csrf: str = Form("")) -> Response:
    who = poster(request, csrf)
    return acted(request, who, ref,
                 lambda: door(request).cases.return_case(ref, who.login, reason))


@router.post("/cases/{ref}/withdraw")
@page
async def withdraw(ref: str, request: Request, reason: str = Form(""),
                   csrf: str = Form("")) -> Response:
    who = poster(request, csrf)
    return acted(request, who, ref,
                 lambda: door(request).cases.withdraw(ref, who.login, reason or None))
