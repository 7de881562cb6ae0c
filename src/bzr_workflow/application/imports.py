"""Importing users and classes (and, through adoption.py, past results and appointments) from CSV or XLSX: every row checked first, then all saved at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..domain.errors import AlreadyExists, BadInput, Phrase
from ..domain.school_class import SchoolClass
from ..domain.user import User
from ..domain.accounts import Accounts
from .accounts import accounts
from .organisation import MAX_STUDENTS, Organisation, check_code, new_login
from .ports import Store
from ..adapters.tabular import pick, read_numbered_rows
from .text import checked, checked_name
from .service import Service

USER_COLUMNS = {"user": ("user", "login", "账号", "工号"), "name": ("name", "姓名"),
                "roles": ("roles", "role", "角色")}
CLASS_COLUMNS = {"class": ("class", "code", "班级代码"), "name": ("name", "班级名称"),
                 "unit": ("unit", "单位", "教学点"), "students": ("students", "人数"),
                 "level": ("level", "层次"), "graduating": ("graduating", "毕业班"),
                 "year_of_study": ("year_of_study", "年级")}
YES = ("1", "y", "yes", "true", "是")


class Imports(Service):
    """Users and classes from a spreadsheet, all rows or none (each user registered, and each
    grant and class checked, by the organisation's rules)."""

    def __init__(self, store: Store, org: Organisation) -> None:
        super().__init__(store)
        self.org = org

    def import_users(self, path: str, actor: str | None,
                     shown: str | None = None) -> dict[str, Any]:
        """`shown`: the file's name as its refusals name it (an upload's own name, not the
        path it was spooled to)."""
        users = self._import(path, USER_COLUMNS, self._import_user, actor, shown)
        return {"imported": len(users), "users": [u.login for u in users]}

    def import_classes(self, path: str, actor: str | None,
                       shown: str | None = None) -> dict[str, Any]:
        classes = self._import(path, CLASS_COLUMNS, self._import_class, actor, shown)
        return {"imported": len(classes), "classes": [c.code for c in classes]}

    def import_results(self, path: str, actor: str | None) -> dict[str, Any]:
        """Past final results (adopting mid-career): see `adoption.Adopting`."""
        from .adoption import Adopting

        return Adopting(self.store).import_results(path, actor)

    def import_appointments(self, path: str, actor: str | None) -> dict[str, Any]:
        """Past and current appointments (adopting mid-career): see `adoption.Adopting`."""
        from .adoption import Adopting

        return Adopting(self.store).import_appointments(path, actor)

    def _import(self, path: str, columns: dict[str, tuple[str, ...]], build: Callable[..., Any],
                actor: str | None, shown: str | None = None) -> list[Any]:
        """Build an aggregate per row (rows numbered as the spreadsheet numbers them), then save
        them all in one transaction: all rows or none."""
        rows = [(n, pick(r, columns)) for n, r in read_numbered_rows(path)]

        def command() -> list[Any]:
            self.store.require_admin(actor)
            seen: set[str] = set()
            registry = accounts(self.store) if columns is USER_COLUMNS else None
            built = [build(row, Phrase("{path}: row {n}", path=shown or path, n=n), seen,
                           str(actor),
                           registry)
                     for n, row in rows]
            self.store.save(*built, *([registry] if registry else []))
            return built
        return self.store.attempt(command)

    def _import_user(self, row: dict[str, str], where: Phrase, seen: set[str], actor: str,
                     registry: Accounts | None) -> User:
        try:
            login = new_login(row["user"])
            name = checked_name(row["name"], "name")
            grants = [self.org.checked_grant(spec.strip())
                      for spec in row["roles"].replace("；", ";").split(";") if spec.strip()]
        except BadInput as exc:
            raise BadInput("{where}: {exc}", where=where, exc=exc) from None
        if login in seen:
            raise AlreadyExists("{where}: user {login} already exists", where=where, login=login)
        seen.add(login)
        assert registry is not None
        try:
            return self.org.register(registry, login, name, grants, actor)
        except (AlreadyExists, BadInput) as exc:
            raise type(exc)("{where}: {exc}", where=where, exc=exc) from None

    def _import_class(self, row: dict[str, str], where: Phrase, seen: set[str],
                      actor: str, _registry: Accounts | None) -> SchoolClass:
        try:
            code = check_code(row["class"], "class")
            name = checked_name(row["name"], "name")
            self.store.unit(row["unit"])
            students = int(row["students"]) if _ascii_digits(row["students"]) else -1
            if not 0 <= students <= MAX_STUDENTS:
                raise BadInput("students {students!r} must be 0-{MAX_STUDENTS}",
                               students=row['students'], MAX_STUDENTS=MAX_STUDENTS)
            level = checked(row["level"], "level", 64)
            year = _year(row["year_of_study"])
            self.org.check_class_rules(self.store.unit(row["unit"]).path, level, year,
                                           "column level")
        except BadInput as exc:
            raise BadInput("{where}: {exc}", where=where, exc=exc) from None
        if code in seen or self.store.exists(SchoolClass.create_id(code)):
            raise AlreadyExists("{where}: class {code} already exists", where=where, code=code)
        seen.add(code)
        return SchoolClass(code=code, name=name, unit=row["unit"], students=students, level=level,
                           graduating=row["graduating"].strip().lower() in YES, actor=actor,
                           year_of_study=year or 0)


def _year(text: str) -> int | None:
    """A year of study as the column writes it (1, 2 …), None when empty."""
    if not text:
        return None
    if not _ascii_digits(text) or not 1 <= int(text) <= 20:
        raise BadInput("year_of_study {text!r} must be a year of study such as 1, 2, 3, 4",
                       text=text)
    return int(text)


def _ascii_digits(text: str) -> bool:
    """0-9 only: str.isdigit() also holds for "²" and "٣", which int() refuses or misreads."""
    return text.isascii() and text.isdigit() and len(text) <= 9
