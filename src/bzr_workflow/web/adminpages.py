"""The administration pages under /admin: units, people and their roles, classes, passwords, invitations and API tokens, policy versions and their diff, and the upload of users and classes.

Each page asks the door (`app.admin_views` to read, `app.org`, `app.credentials`, `app.imports`
to act: the same methods as the CLI), which refuses anyone but an administrator (403). Every form
carries the hidden `csrf`; a form that acts answers 303 back to its page, a refusal is a page."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool

from ..adapters.uploads import Spool, spooled, suffix_of
from ..domain.errors import BadInput
from .auth import check_csrf
from .deps import Door, Poster, Reader
from .render import render, see

router = APIRouter(include_in_schema=False, prefix="/admin")

Text = Annotated[str, Form(max_length=10_000)]
MAX_FIELDS = 8  # an upload form's fields besides its file (csrf)


def _count(value: str, what: str) -> int | None:
    """A whole number from a form field (None when empty)."""
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        raise BadInput("{what} {value!r} must be a whole number", what=what, value=value)
    return int(value)


def _choice(value: str) -> bool | None:
    """A yes/no select: '' unchanged, 'yes' or 'no'."""
    return {"yes": True, "no": False}.get(value)


@router.get("")
def index(request: Request, app: Door, who: Reader) -> Response:
    app.require_admin(who.login)
    return render(request, "admin/index.html", who=who)


@router.get("/notices")
def notices(request: Request, app: Door, who: Reader, failed: str = "") -> Response:
    """What was told whom (`notify list`): for administrators and the office."""
    rows = app.notices.list(who.login, failed == "1")
    return render(request, "admin/notices.html", who=who, notices=rows, failed=failed == "1")


# -- units -------------------------------------------------------------------------------------

@router.get("/units")
def units(request: Request, app: Door, who: Reader) -> Response:
    return render(request, "admin/units.html", who=who, units=app.admin_views.units(who.login))


@router.post("/units")
def add_unit(app: Door, who: Poster, code: Text = "", name: Text = "",
             parent: Text = "") -> Response:
    app.org.add_unit(code.strip(), name, parent.strip(), who.login)
    return see("/admin/units")


# -- people ------------------------------------------------------------------------------------

@router.get("/people")
def people(request: Request, app: Door, who: Reader) -> Response:
    return render(request, "admin/people.html", who=who,
                  people=app.admin_views.people(who.login),
                  choices=app.admin_views.grant_choices(who.login))


@router.post("/people")
def add_person(app: Door, who: Poster, login: Text = "", name: Text = "",
               grant: Text = "") -> Response:
    added = app.org.add_user(login.strip(), name, [grant] if grant else [], who.login)
    return see(f"/admin/people/{added['user']}")


@router.get("/people/{login}")
def person(login: str, request: Request, app: Door, who: Reader) -> Response:
    return _person_page(request, app, who, login)


def _person_page(request: Request, app: Door, who: Reader, login: str,
                 **shown: Any) -> Response:
    views = app.admin_views
    return render(request, "admin/person.html", who=who, person=views.person(login, who.login),
                  choices=views.grant_choices(who.login), **shown)


@router.post("/people/{login}/grant")
def grant(login: str, app: Door, who: Poster, grant: Text = "") -> Response:
    app.org.grant(login, grant, who.login)
    return see(f"/admin/people/{login}")


@router.post("/people/{login}/revoke")
def revoke(login: str, app: Door, who: Poster, grant: Text = "") -> Response:
    app.org.revoke(login, grant, who.login)
    return see(f"/admin/people/{login}")


@router.post("/people/{login}/profile")
async def profile(login: str, request: Request, app: Door, who: Poster) -> Response:
    """The name and the profile fields the forms need (an empty field clears it)."""
    form = await request.form()
    fields: dict[str, str | None] = {k: v for k, v in form.items()
                                     if k != "csrf" and isinstance(v, str)}
    await run_in_threadpool(app.org.update_user, login, fields, who.login)
    return see(f"/admin/people/{login}")


@router.post("/people/{login}/password")
def set_password(login: str, app: Door, who: Poster, password: Text = "",
                 confirm: Text = "") -> Response:
    if password != confirm:
        raise BadInput("the password and its confirmation differ")
    app.credentials.set_password(login, password, who.login)
    return see(f"/admin/people/{login}")


@router.post("/people/{login}/invite")
def invite(login: str, request: Request, app: Door, who: Poster, hours: Text = "72") -> Response:
    """The invitation link, shown on this answer once (only its digest is stored)."""
    made = app.credentials.invite(login, who.login, _count(hours, "hours") or 72)
    link = str(request.base_url).rstrip("/") + made["path"]
    return _person_page(request, app, who, login, invitation={**made, "link": link})


@router.post("/people/{login}/tokens/revoke")
def revoke_token(login: str, app: Door, who: Poster, name: Text = "") -> Response:
    app.require_admin(who.login)  # one's own token too: the CLI's `user token --revoke` for that
    app.credentials.revoke_token(login, name, who.login)
    return see(f"/admin/people/{login}")


# -- classes -----------------------------------------------------------------------------------

@router.get("/classes")
def classes(request: Request, app: Door, who: Reader) -> Response:
    return render(request, "admin/classes.html", who=who,
                  found=app.admin_views.classes(who.login))


@router.post("/classes")
def add_class(app: Door, who: Poster, code: Text = "", name: Text = "", unit: Text = "",
              students: Text = "", level: Text = "", graduating: Text = "",
              year_of_study: Text = "") -> Response:
    app.org.add_class(code.strip(), name, unit.strip(), _count(students, "students") or 0,
                      level.strip(), graduating == "yes", who.login,
                      _count(year_of_study, "year_of_study"))
    return see("/admin/classes")


@router.post("/classes/update")
def update_class(app: Door, who: Poster, code: Text = "", students: Text = "", level: Text = "",
                 graduating: Text = "", year_of_study: Text = "",
                 effective: Text = "") -> Response:
    app.org.update_class(code, _count(students, "students"), _choice(graduating),
                         effective.strip() or None, who.login, level.strip() or None,
                         _count(year_of_study, "year_of_study"))
    return see("/admin/classes")


# -- policy versions ---------------------------------------------------------------------------

@router.get("/policy")
def policy(request: Request, app: Door, who: Reader, a: str = "", b: str = "") -> Response:
    views = app.admin_views
    history = views.policy_history(who.login)
    diff = views.policy_diff(a, b, who.login) if a and b else None
    return render(request, "admin/policy.html", who=who, history=history, diff=diff,
                  form={"a": a, "b": b})


# -- uploads -----------------------------------------------------------------------------------

@router.get("/import")
def import_form(request: Request, app: Door, who: Reader, done: str = "",
                n: str = "") -> Response:
    app.require_admin(who.login)
    return render(request, "admin/import.html", who=who,
                  done={"what": done, "n": n} if done in ("users", "classes") else None)


@router.post("/import/{what}")
async def upload(what: str, request: Request, app: Door, who: Reader) -> Response:
    """`import users|classes` of an uploaded CSV or XLSX: streamed (at most UPLOAD_MAX bytes,
    the body cap's upload limit) to a file in the store's private upload folder, read through
    the file intake's checks, all rows or none; the file is removed when done."""
    if what not in ("users", "classes"):
        raise BadInput("upload {what!r}: users or classes", what=what)
    await run_in_threadpool(app.require_admin, who.login)
    intake = app.imports.import_users if what == "users" else app.imports.import_classes
    with ExitStack() as files:
        form = UploadForm(_boundary(request), lambda suffix: files.enter_context(
            spooled(app.location, suffix)))
        async for chunk in request.stream():
            form.parser.write(chunk)
        form.parser.finalize()
        check_csrf(who, form.fields.get("csrf", ""))
        if form.spool is None or form.spool.size == 0:
            raise BadInput("choose a .csv or .xlsx file to upload")
        form.spool.close()
        done = await run_in_threadpool(intake, form.spool.path, who.login, form.filename)
    return see(f"/admin/import?done={what}&n={done['imported']}")


def _boundary(request: Request) -> bytes:
    kind, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise BadInput("send the file as multipart/form-data")
    return boundary


@dataclass
class UploadForm:
    """A multipart form read as it streams (python-multipart's callbacks): its one file part
    written into a Spool opened by `open_spool` (its name checked first: .csv or .xlsx), the
    other parts kept as short text fields."""

    boundary: bytes
    open_spool: Callable[[str], Spool]
    fields: dict[str, str] = field(default_factory=dict)
    spool: Spool | None = None
    filename: str = ""
    _headers: dict[bytes, bytes] = field(default_factory=dict)
    _field: bytes = b""
    _value: bytes = b""
    _data: bytearray = field(default_factory=bytearray)
    _is_file: bool = False
    _name: str = ""

    def __post_init__(self) -> None:
        self.parser = MultipartParser(self.boundary, {
            "on_part_begin": self._begin, "on_header_field": self._header_field,
            "on_header_value": self._header_value, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished, "on_part_data": self._part_data,
            "on_part_end": self._part_end})

    def _begin(self) -> None:
        self._headers, self._data, self._is_file, self._name = {}, bytearray(), False, ""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field, self._value = b"", b""

    def _headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = params.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in params:
            if self.spool is not None:
                raise BadInput("upload one file at a time")
            name = params[b"filename"].decode("utf-8", "replace").replace("\\", "/")
            self.filename = name.rsplit("/", 1)[-1]
            self.spool, self._is_file = self.open_spool(suffix_of(self.filename)), True
        elif len(self.fields) >= MAX_FIELDS:
            raise BadInput("too many form fields")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file and self.spool is not None:
            self.spool.write(data[start:end])
            return
        self._data += data[start:end]
        if len(self._data) > 10_000:
            raise BadInput("a form field is too long")

    def _part_end(self) -> None:
        if not self._is_file:
            self.fields[self._name] = self._data.decode("utf-8", "replace")
