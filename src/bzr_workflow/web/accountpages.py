"""Pages for one's own credentials: setting a password from an invitation, and changing it."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ..domain.errors import BadInput, NotPermitted
from .auth import SESSION_COOKIE, cookie
from .deps import INVITE_TOKEN, Door, InviteSubmitted, Poster, Reader
from .errors import NotSignedIn
from .render import render, see

router = APIRouter(include_in_schema=False)


@router.get("/invite/{token}")
def invite_form(token: str, request: Request, app: Door) -> Response:
    login = app.credentials.invitation(token)
    if login is None:
        raise NotPermitted("this invitation is used, expired or unknown; ask an administrator"
                           " for a new one (`user invite`)")
    csrf = INVITE_TOKEN.new()
    return INVITE_TOKEN.issue(request, render(request, "invite.html", login=login, csrf=csrf),
                              csrf)


@router.post("/invite/{token}")
def invite(token: str, request: Request, app: Door, submitted: InviteSubmitted,
           password: str = Form(""), confirm: str = Form("")) -> Response:
    if not submitted.matches:
        raise NotSignedIn("missing or wrong CSRF token: open the invitation link again")
    app.credentials.accept_invite(token, password, confirm)
    return INVITE_TOKEN.clear(request, see("/login"))


@router.get("/password")
def password_form(request: Request, who: Reader) -> Response:
    return render(request, "password.html", who=who)


@router.post("/password")
def password(request: Request, app: Door, who: Poster, old: str = Form(""), new: str = Form(""),
             confirm: str = Form("")) -> Response:
    if new != confirm:
        raise BadInput("the new password and its confirmation differ")
    app.credentials.change_password(who.login, old, new, cookie(request, SESSION_COOKIE) or None)
    return render(request, "password.html", who=who, done=True)
