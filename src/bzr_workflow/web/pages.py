"""The pages people use (rendered on the server, working without JavaScript): sign-in and the inbox."""

from __future__ import annotations

import hmac
import os
import secrets
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ..domain.errors import AccountLocked, SignInFailed
from .auth import (LOGIN_CSRF_COOKIE, SESSION_COOKIE, Caller, address, caller, check_csrf, door,
                   secure)
from .messages import LANG_COOKIE, LANGS, language, translator

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                   "templates"))


def render(request: Request, name: str, status: int = 200, who: Caller | None = None,
           **context: Any) -> HTMLResponse:
    """A page in the reader's language; `t` translates, labels come from the policy."""
    lang = language(request)
    response = templates.TemplateResponse(
        request, name, {"t": translator(lang), "lang": lang, "who": who, **context},
        status_code=status)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, samesite="lax", secure=secure(request))
    return response


def to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


@router.get("/login")
async def login_form(request: Request) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", csrf=token)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax",
                        secure=secure(request), path="/login")
    return response


@router.post("/login")
async def login(request: Request, user: str = Form(""), password: str = Form(""),
                csrf: str = Form("")) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf, expected):
        return render(request, "login.html", 401, csrf=expected or "", error="login.failed")
    try:
        done = door(request).credentials.sign_in(user, password, address(request))
    except (SignInFailed, AccountLocked) as exc:
        locked = isinstance(exc, AccountLocked)
        return render(request, "login.html", 423 if locked else 401, csrf=expected,
                      error="login.locked" if locked else "login.failed", user=user)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(SESSION_COOKIE, done.session_id, httponly=True, samesite="lax",
                        secure=secure(request), path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, csrf: str = Form("")) -> Response:
    who = caller(request)
    if who is None:
        return to_login()
    check_csrf(who, csrf)
    door(request).credentials.sign_out(request.cookies.get(SESSION_COOKIE, ""))
    response = to_login()
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
async def inbox(request: Request) -> Response:
    who = caller(request)
    if who is None:
        return to_login()
    rows = door(request).reads.inbox(who.login)
    return render(request, "inbox.html", who=who, rows=rows)
