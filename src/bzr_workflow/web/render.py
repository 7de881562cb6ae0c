"""Rendering a page: templates in the reader's language, the signed-in reader, refusals as pages."""

from __future__ import annotations

import functools
import os
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ..domain.errors import WorkflowError
from .auth import Caller, caller, check_csrf, door, secure
from .errors import NotSignedIn, status_of
from .. import catalogue
from .messages import LANG_COOKIE, LANGS, headline, language, say, translator

templates = Jinja2Templates(directory=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                   "templates"))
P = ParamSpec("P")


def when(value: str | None) -> str:
    """An ISO instant as people read it: `2026-12-03 10:02` (its offset is the institution's)."""
    return value[:16].replace("T", " ") if value else ""


templates.env.filters["when"] = when


def render(request: Request, name_of_template: str, status: int = 200,
           who: Caller | None = None, **context: Any) -> HTMLResponse:
    """A page in the reader's language; `t` translates, labels come from the policy."""
    lang = language(request)
    name = _name_of(request, who.login) if who else ""
    other = "en" if lang == "zh-CN" else "zh-CN"
    switch = str(request.url.include_query_params(lang=other).replace(scheme="", netloc=""))
    response = templates.TemplateResponse(
        request, name_of_template, {"t": translator(lang), "say": say(lang), "lang": lang,
                                    "who": who,
                                    "who_name": name, "switch": switch, **context},
        status_code=status)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, samesite="lax", secure=secure(request))
    return response


def _name_of(request: Request, login: str) -> str:
    """The signed-in person's registered name, for the page's header."""
    try:
        return str(door(request).user(login).name)
    except WorkflowError:
        return login


class SignInFirst(Exception):
    """A page asked for without a live session: answered 303 to /login."""


def reader(request: Request) -> Caller:
    """The signed-in reader of a page, or SignInFirst."""
    who = caller(request)
    if who is None:
        raise SignInFirst()
    return who


def poster(request: Request, csrf: str) -> Caller:
    """The signed-in sender of a form, whose hidden `csrf` must be the session's own."""
    who = reader(request)
    check_csrf(who, csrf)
    return who


def to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


def see(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def refused(request: Request, exc: WorkflowError, who: Caller | None = None) -> HTMLResponse:
    """A refusal as a page of its own: headline in the reader's language, the engine's line."""
    return render(request, "refused.html", status_of(exc), who=who or caller(request),
                  refusal=refusal_of(exc, language(request)))


def refusal_of(exc: WorkflowError, lang: str = "en") -> dict[str, str]:
    """What a refusal box shows: a headline key and the engine's one line, both in the
    reader's language (`detail_lang`)."""
    return {"headline": headline(exc), "detail": catalogue.say(exc, lang), "detail_lang": lang}


def page(handler: Callable[P, Awaitable[Response]]) -> Callable[P, Awaitable[Response]]:
    """A page handler: not signed in is 303 to /login, a refusal is a page saying so (never
    the API's JSON). The handler takes `request` by name."""

    @functools.wraps(handler)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> Response:
        request = kwargs["request"]
        assert isinstance(request, Request)
        try:
            return await handler(*args, **kwargs)
        except SignInFirst:
            return to_login()
        except NotSignedIn as exc:  # a missing or forged CSRF token: nothing was written
            return refused(request, exc)
        except WorkflowError as exc:
            return refused(request, exc)
    return wrapped
