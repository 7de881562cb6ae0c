"""The delegation page (代理, linked from 我的 and the password page): one's delegations given and received, naming a deputy, revoking one."""

from __future__ import annotations

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


def page(request: Request, app: WorkflowApp, who: Caller, status: int = 200,
         exc: WorkflowError | None = None) -> Response:
    return render(request, "delegations.html", status, who=who,
                  rows=app.delegations.listing(who.login),
                  choices=app.delegations.choices(who.login),
                  refusal=refusal_of(exc, language(request)) if exc else None)


@router.get("/delegations")
def delegations(request: Request, app: Door, who: Reader) -> Response:
    return page(request, app, who)


@router.post("/delegations")
def give(request: Request, app: Door, who: Poster, to: str = Form(""), start: str = Form(""),
         until: str = Form(""), role: str = Form(""), kind: str = Form("")) -> Response:
    try:
        app.delegations.give(who.login, to.strip(), start, until, role or None, kind or None)
    except WorkflowError as exc:
        return page(request, app, who, status_of(exc), exc)
    return see("/delegations")


@router.post("/delegations/{id}/revoke")
def revoke(id: str, request: Request, app: Door, who: Poster) -> Response:
    try:
        app.delegations.revoke(who.login, id)
    except WorkflowError as exc:
        return page(request, app, who, status_of(exc), exc)
    return see("/delegations")
