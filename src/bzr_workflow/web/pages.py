"""The pages people use (rendered on the server, working without JavaScript): sign-in, the inbox, and the areas' routers."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..application.app import WorkflowApp
from ..domain.errors import AccountLocked, SignInFailed
from . import (accountpages, adminpages, advisorpages, appraisalpages, batchpages, casepages,
               deadlinepages, delegationpages, deskpages, routes, workpages)
from .auth import SESSION_COOKIE, address, check_csrf, cookie
from .deps import (LOGIN_TOKEN, Asking, Door, LoginSubmitted, Reader, end_session,
                   start_session)
from .errors import TooManySignIns
from .limits import checking_password
from .render import render, to_login

router = APIRouter(include_in_schema=False)
routes.extend(router, casepages.router, deskpages.router, accountpages.router,
              appraisalpages.router, workpages.router, advisorpages.router, adminpages.router,
              batchpages.router, delegationpages.router, deadlinepages.router)


@router.get("/login")
def login_form(request: Request) -> Response:
    token = LOGIN_TOKEN.new()
    return LOGIN_TOKEN.issue(request, render(request, "login.html", csrf=token), token)


@router.post("/login")
async def login(request: Request, app: Door, submitted: LoginSubmitted, user: str = Form(""),
                password: str = Form("")) -> Response:
    """Sign in from the form: the check runs in a worker thread among at most PASSWORD_CHECKS."""
    if not submitted.matches:
        return render(request, "login.html", 401, csrf=submitted.expected, error="login.failed")
    if request.app.state.signin_limit.blocked(address(request)):  # not even a turn in the queue
        return render(request, "login.html", 429, csrf=submitted.expected,
                      error="login.throttled", user=user)
    return await checking_password(request, _login, request, app, submitted.expected, user,
                                   password)


def _login(request: Request, app: WorkflowApp, csrf: str, user: str, password: str) -> Response:
    try:
        with request.app.state.signin_limit.attempt(address(request)):
            done = app.credentials.sign_in(user, password, address(request))
    except TooManySignIns:
        return render(request, "login.html", 429, csrf=csrf, error="login.throttled", user=user)
    except (SignInFailed, AccountLocked) as exc:
        locked = isinstance(exc, AccountLocked)
        return render(request, "login.html", 423 if locked else 401, csrf=csrf,
                      error="login.locked" if locked else "login.failed", user=user)
    response = start_session(request, RedirectResponse("/", status_code=303), done.session_id)
    return LOGIN_TOKEN.clear(request, response)


@router.post("/logout")
def logout(request: Request, app: Door, who: Asking, csrf: str = Form("")) -> Response:
    if who is None:
        return to_login()
    check_csrf(who, csrf)
    app.credentials.sign_out(cookie(request, SESSION_COOKIE))
    return end_session(request, to_login())


@router.get("/")
def inbox(request: Request, app: Door, who: Reader) -> Response:
    return render(request, "inbox.html", who=who, inbox=app.reads.inbox_page(who.login))
