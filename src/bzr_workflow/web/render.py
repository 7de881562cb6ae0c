"""Rendering a page: templates in the reader's language, refusals as pages."""

from __future__ import annotations

import os
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from ..domain.errors import WorkflowError
from .auth import Caller, door, secure
from .errors import status_of
from .. import catalogue
from .messages import LANG_COOKIE, LANGS, headline, language, say, translator

templates = Jinja2Templates(directory=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                   "templates"))


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
                                    "who_name": name, "switch": switch,
                                    "is_admin": who is not None and _admin(request, who.login),
                                    **context},
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


def _admin(request: Request, login: str) -> bool:
    """Whether the signed-in person is an administrator (the header links /admin for them)."""
    try:
        door(request).require_admin(login)
    except WorkflowError:
        return False
    return True


def to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


def see(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def refused(request: Request, exc: WorkflowError) -> HTMLResponse:
    """A refusal as a page of its own: headline in the reader's language, the engine's line
    (the signed-in reader, if any, as the request's dependencies found them)."""
    who = getattr(request.state, "who", None)
    return render(request, "refused.html", status_of(exc), who=who,
                  refusal=refusal_of(exc, language(request)))


def refusal_of(exc: WorkflowError, lang: str = "en") -> dict[str, str]:
    """What a refusal box shows: a headline key and the engine's one line, both in the
    reader's language (`detail_lang`)."""
    return {"headline": headline(exc), "detail": catalogue.say(exc, lang), "detail_lang": lang}
