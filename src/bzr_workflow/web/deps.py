"""Who is asking, as FastAPI dependencies (with the CSRF checks and the cookies that go with them).

The caller of the API and the reader of a page, each with its CSRF-checked twin for writes; the
provenance set once per request; the session cookie; the double-submit token of the forms posted
before a session exists (sign-in, invitation)."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from ..adapters import origin
from ..adapters.origin import Origin
from ..application.app import WorkflowApp
from .auth import SESSION_COOKIE, Caller, check_csrf, cookie, door, drop_cookie, identified, put_cookie
from .errors import NotSignedIn


class SignInFirst(Exception):
    """A page asked for without a live session: answered 303 to /login."""


def _identify(request: Request) -> Caller | None:
    """The session cookie or API token looked up in the store (a plain `def`: it runs in the
    threadpool, never on the event loop)."""
    return identified(request)


async def asking(request: Request,
                 who: Annotated[Caller | None, Depends(_identify)]) -> Caller | None:
    """The signed-in caller, or None; never a name the client states. The provenance of what
    the request records (`via`, the session, the address) is set here, once: on the request's
    own task, whose context the handler's threadpool thread copies when it starts (a ContextVar
    set inside a threadpool dependency would stay in that thread's copy)."""
    request.state.who = who
    if who is not None:
        origin.use(Origin(who.via, who.session, who.address))
    return who


Asking = Annotated[Caller | None, Depends(asking)]
"""Whoever is signed in, or None (pages that also serve the signed-out)."""


async def _signed_in(who: Asking) -> Caller:
    if who is None:
        raise NotSignedIn("not signed in: sign in at /login, or send Authorization: Bearer TOKEN")
    return who


ApiCaller = Annotated[Caller, Depends(_signed_in)]
"""The API's caller (401 when nobody is signed in)."""


async def _writer(request: Request, who: ApiCaller) -> Caller:
    check_csrf(who, request.headers.get("x-csrf-token"))
    return who


Writer = Annotated[Caller, Depends(_writer)]
"""The API's caller of a write: with the session cookie, the header X-CSRF-Token must be the
session's own token (a bearer token needs none)."""


async def _reader(who: Asking) -> Caller:
    if who is None:
        raise SignInFirst()
    return who


Reader = Annotated[Caller, Depends(_reader)]
"""The signed-in reader of a page (303 to /login when nobody is)."""


async def _poster(who: Reader, csrf: Annotated[str, Form()] = "") -> Caller:
    check_csrf(who, csrf)
    return who


Poster = Annotated[Caller, Depends(_poster)]
"""The signed-in sender of a form, whose hidden field `csrf` is the session's own token."""


async def _door(request: Request) -> WorkflowApp:
    return door(request)


Door = Annotated[WorkflowApp, Depends(_door)]
"""The one WorkflowApp of this process."""


# -- cookies -----------------------------------------------------------------------------------

def start_session(request: Request, response: Response, session_id: str) -> Response:
    """The session cookie: HttpOnly, SameSite=Lax; behind HTTPS `__Host-`, Secure (auth.put_cookie)."""
    put_cookie(response, request, SESSION_COOKIE, session_id)
    return response


def end_session(request: Request, response: Response) -> Response:
    drop_cookie(response, request, SESSION_COOKIE)
    return response


@dataclass(frozen=True)
class Submitted:
    """A form's double-submit token as it came: the cookie's value, and whether the form's
    hidden `csrf` matched it."""

    expected: str
    matches: bool


class FormToken:
    """CSRF for a form posted before any session exists: a random token both in a cookie (HttpOnly,
    only sent to `path`) and in the form's hidden field `csrf`; a post must carry the two alike.
    The instance is the dependency that checks a post."""

    def __init__(self, cookie: str, path: str) -> None:
        self.cookie, self.path = cookie, path

    def issue(self, request: Request, response: Response, token: str) -> Response:
        put_cookie(response, request, self.cookie, token, path=self.path)
        return response

    def clear(self, request: Request, response: Response) -> Response:
        drop_cookie(response, request, self.cookie, path=self.path)
        return response

    @staticmethod
    def new() -> str:
        return secrets.token_urlsafe(24)

    async def __call__(self, request: Request, csrf: Annotated[str, Form()] = "") -> Submitted:
        expected = cookie(request, self.cookie)
        return Submitted(expected, bool(expected) and hmac.compare_digest(csrf.encode(),
                                                                      expected.encode()))


LOGIN_TOKEN = FormToken("bzr_login_csrf", "/login")
INVITE_TOKEN = FormToken("bzr_invite_csrf", "/invite")
LoginSubmitted = Annotated[Submitted, Depends(LOGIN_TOKEN)]
InviteSubmitted = Annotated[Submitted, Depends(INVITE_TOKEN)]
