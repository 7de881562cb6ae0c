"""Who is asking: the signed-in user from the session cookie or an API token, and the CSRF check
(deps.py makes them FastAPI dependencies)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import Request, Response

from ..application.app import WorkflowApp
from .errors import NotSignedIn

SESSION_COOKIE = "bzr_session"


@dataclass(frozen=True)
class Caller:
    """The person a request acts for. `via` is "web" (a session cookie) or "api" (a token);
    `csrf` is the session's token, which every write made with the cookie must carry."""

    login: str
    via: str
    session: str
    csrf: str
    address: str


def door(request: Request) -> WorkflowApp:
    app: WorkflowApp = request.app.state.door
    return app


def address(request: Request) -> str:
    return request.client.host if request.client else ""


def identified(request: Request) -> Caller | None:
    """The signed-in user from the session cookie or the API token, or None (deps.py makes it
    a dependency and sets the request's provenance from it)."""
    creds = door(request).credentials
    sid = cookie(request, SESSION_COOKIE)
    if sid:
        found = creds.session(sid)
        if found is not None:
            return Caller(found.login, "web", found.session_key, found.csrf, address(request))
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        login = creds.bearer(token.strip())
        if login is not None:
            return Caller(login, "api", "token", "", address(request))
    return None


def check_csrf(who: Caller, given: str | None) -> None:
    """A write made with the session cookie carries the session's own CSRF token."""
    if who.via != "web":
        return
    if not given or not hmac.compare_digest(given.encode(), who.csrf.encode()):
        raise NotSignedIn("missing or wrong CSRF token: reload the page and try again")


def secure(request: Request) -> bool:
    """Cookies are Secure when the browser reached us over HTTPS (directly or via a proxy)."""
    return request.scope.get("scheme") == "https" or \
        request.headers.get("x-forwarded-proto", "").lower() == "https"


# Behind HTTPS every cookie of ours is named `__Host-…`: the browser then keeps it only if it
# is Secure, for Path=/ and without a Domain, so no sibling host or plain-HTTP page can plant
# or shadow it. Over plain HTTP (a test, a laptop) the bare name, as before.

def cookie_name(request: Request, name: str) -> str:
    return f"__Host-{name}" if secure(request) else name


def cookie(request: Request, name: str) -> str:
    """The value of our cookie `name` (under its `__Host-` name behind HTTPS), or ""."""
    return request.cookies.get(cookie_name(request, name), "")


def put_cookie(response: Response, request: Request, name: str, value: str,
               path: str = "/") -> None:
    """Set our cookie: HttpOnly, SameSite=Lax; behind HTTPS `__Host-`, Secure, Path=/."""
    https = secure(request)
    response.set_cookie(cookie_name(request, name), value, httponly=True, samesite="lax",
                        secure=https, path="/" if https else path)


def drop_cookie(response: Response, request: Request, name: str, path: str = "/") -> None:
    https = secure(request)
    response.delete_cookie(cookie_name(request, name), path="/" if https else path,
                           secure=https, httponly=True, samesite="lax")
