"""The pages people use (rendered on the server, working without JavaScript): sign-in, the inbox, and the areas' routers."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..domain.errors import AccountLocked, SignInFailed
from . import accountpages, casepages, deskpages
from .auth import (LOGIN_CSRF_COOKIE, SESSION_COOKIE, address, caller, check_csrf, cookie, door,
                   drop_cookie, put_cookie)
from .render import page, reader, render, to_login

router = APIRouter(include_in_schema=False)
router.include_router(casepages.router)
router.include_router(deskpages.router)
router.include_router(accountpages.router)


@router.get("/login")
async def login_form(request: Request) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", csrf=token)
    put_cookie(response, request, LOGIN_CSRF_COOKIE, token, path="/login")
    return response


@router.post("/login")
async def login(request: Request, user: str = Form(""), password: str = Form(""),
                csrf: str = Form("")) -> Response:
    expected = cookie(request, LOGIN_CSRF_COOKIE)
    if not expected or not hmac.compare_digest(csrf, expected):
        return render(request, "login.html", 401, csrf=expected or "", error="login.failed")
    try:
        done = door(request).credentials.sign_in(user, password, address(request))
    except (SignInFailed, AccountLocked) as exc:
        locked = isinstance(exc, AccountLocked)
        return render(request, "login.html", 423 if locked else 401, csrf=expected,
                      error="login.locked" if locked else "login.failed", user=user)
    response = RedirectResponse("/", status_code=303)
    put_cookie(response, request, SESSION_COOKIE, done.session_id)
    drop_cookie(response, request, LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, csrf: str = Form("")) -> Response:
    who = caller(request)
    if who is None:
        return to_login()
    check_csrf(who, csrf)
    door(request).credentials.sign_out(cookie(request, SESSION_COOKIE))
    response = to_login()
    drop_cookie(response, request, SESSION_COOKIE)
    return response


@router.get("/")
@page
async def inbox(request: Request) -> Response:
    who = reader(request)
    found = door(request).reads.inbox_page(who.login)
    return render(request, "inbox.html", who=who, inbox=found)
