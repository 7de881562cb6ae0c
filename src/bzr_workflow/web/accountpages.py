"""Pages for one's own credentials: setting a password from an invitation, and changing it."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from ..domain.errors import BadInput, NotPermitted
from .auth import SESSION_COOKIE, cookie, door, drop_cookie, put_cookie
from .errors import NotSignedIn
from .render import page, poster, reader, render, see

router = APIRouter(include_in_schema=False)
INVITE_CSRF_COOKIE = "bzr_invite_csrf"


@router.get("/invite/{token}")
@page
async def invite_form(token: str, request: Request) -> Response:
    login = door(request).credentials.invitation(token)
    if login is None:
        raise NotPermitted("this invitation is used, expired or unknown; ask an administrator"
                           " for a new one (`user invite`)")
    csrf = secrets.token_urlsafe(24)
    response = render(request, "invite.html", login=login, csrf=csrf)
    put_cookie(response, request, INVITE_CSRF_COOKIE, csrf, path="/invite")
    return response


@router.post("/invite/{token}")
@page
async def invite(token: str, request: Request, password: str = Form(""),
                 confirm: str = Form(""), csrf: str = Form("")) -> Response:
    expected = cookie(request, INVITE_CSRF_COOKIE)
    if not expected or not hmac.compare_digest(csrf, expected):
        raise NotSignedIn("missing or wrong CSRF token: open the invitation link again")
    door(request).credentials.accept_invite(token, password, confirm)
    response = see("/login")
    drop_cookie(response, request, INVITE_CSRF_COOKIE, path="/invite")
    return response


@router.get("/password")
@page
async def password_form(request: Request) -> Response:
    return render(request, "password.html", who=reader(request))


@router.post("/password")
@page
async def password(request: Request, old: str = Form(""), new: str = Form(""),
                   confirm: str = Form(""), csrf: str = Form("")) -> Response:
    who = poster(request, csrf)
    if new != confirm:
        raise BadInput("the new password and its confirmation differ")
    door(request).credentials.change_password(who.login, old, new,
                                              cookie(request, SESSION_COOKIE) or None)
    return render(request, "password.html", who=who, done=True)
