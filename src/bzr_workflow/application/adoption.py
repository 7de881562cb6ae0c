"""Adopting the engine mid-career: past results and appointments imported from a file, all rows or none."""

from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

from ..domain.adoption import Adoption, imported_ref
from ..domain.errors import AlreadyExists, BadInput, Phrase, WorkflowError
from ..domain.periods import parse_period
from ..domain.policy import Policy
from ..domain.school_class import SchoolClass
from ..domain.timefmt import parse_date
from ..domain.user import User
from .service import Service
from ..adapters.tabular import pick, read_rows

RESULT_COLUMNS = {"advisor": ("advisor", "user", "账号", "工号", "班主任"),
                  "period": ("period", "期间", "学期", "学年"),
                  "grade": ("grade", "等级", "考核等级", "考核结果"),
                  "total": ("total", "得分", "总分")}
APPOINTMENT_COLUMNS = {"advisor": ("advisor", "user", "账号", "工号", "班主任"),
                       "class": ("class", "code", "班级代码"),
                       "start": ("start", "起始日期", "聘任日期"),
                       "end": ("end", "终止日期", "解聘日期")}


class Moved(NamedTuple):
    """The advisors and classes an import changed, each loaded once."""

    users: dict[str, User]
    classes: dict[str, SchoolClass]


def _digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Adopting(Service):
    """`import results` and `import appointments`: each row checked, then all saved at once with
    the file's digest, so the rules over consecutive results (Aksu 第九条) count them at once."""

    def import_results(self, path: str, actor: str | None) -> dict[str, Any]:
        rows = [pick(r, RESULT_COLUMNS) for r in read_rows(path)]
        digest = _digest(path)

        def command() -> dict[str, Any]:
            self.store.require_admin(actor)
            record = self._record("results", path, digest, len(rows), str(actor))
            policy = self.store.policy()
            users: dict[str, User] = {}
            seen: set[tuple[str, str]] = set()
            for n, row in enumerate(rows, 2):
                self._result(row, Phrase("{path}: row {n}", path=path, n=n), policy, users, seen,
                             digest, str(actor))
            self.store.save(record, *users.values())
            return {"imported": len(rows), "digest": digest, "advisors": sorted(users)}
        return self.store.attempt(command)

    def _result(self, row: dict[str, str], where: Phrase, policy: Policy, users: dict[str, User],
                seen: set[tuple[str, str]], digest: str, actor: str) -> None:
        try:
            period = parse_period(row["period"], policy.period)
            grades = policy.appraisal.grade_labels() if policy.appraisal else []
            if row["grade"] not in grades:
                raise BadInput("grade {grade!r} is not a grade of {id} (one of {grades})",
                               grade=row['grade'], id=policy.id, grades=', '.join(grades))
            total = _total(row["total"])
            user = users.get(row["advisor"]) or self.store.user(row["advisor"])
        except BadInput as exc:
            raise BadInput("{where}: {exc}", where=where, exc=exc) from None
        if (user.login, period) in seen:
            raise BadInput("{where}: a second result for {login} in {period}", where=where,
                           login=user.login, period=period)
        seen.add((user.login, period))
        try:
            user.import_result(period, row["grade"], total, digest, actor)
        except AlreadyExists as exc:
            raise AlreadyExists("{where}: {exc}", where=where, exc=exc) from None
        users[user.login] = user

    def import_appointments(self, path: str, actor: str | None) -> dict[str, Any]:
        rows = [pick(r, APPOINTMENT_COLUMNS) for r in read_rows(path)]
        digest = _digest(path)
        # Oldest first, so an appointment that ended leaves its class free for the next one.
        numbered = sorted(enumerate(rows, 2), key=lambda nr: (nr[1]["start"], nr[0]))

        def command() -> dict[str, Any]:
            self.store.require_admin(actor)
            record = self._record("appointments", path, digest, len(rows), str(actor))
            moved = Moved({}, {})
            for n, row in numbered:
                try:
                    self._appointment(row, imported_ref(digest, n), moved, str(actor))
                except WorkflowError as exc:
                    raise type(exc)("{path}: row {n}: {exc}", path=path, n=n, exc=exc) from None
            self.store.save(record, *moved.users.values(), *moved.classes.values())
            return {"imported": len(rows), "digest": digest,
                    "appointments": [imported_ref(digest, n) for n, _ in numbered]}
        return self.store.attempt(command)

    def _appointment(self, row: dict[str, str], ref: str, moved: Moved, actor: str) -> None:
        """One past or current appointment: the class's side, and the advisor's while it runs."""
        start = parse_date(row["start"])
        end = parse_date(row["end"]) if row["end"] else ""
        if end and end <= start:
            raise BadInput("end {end} is not after start {start}", end=end, start=start)
        user = moved.users.get(row["advisor"]) or self.store.user(row["advisor"])
        klass = moved.classes.get(row["class"]) or self.store.school_class(row["class"])
        staffing = self.store.policy().staffing
        klass.appoint(user.login, start, ref, actor, staffing.advisors_per_class)
        if end:
            klass.release(user.login, end, ref, actor)
        else:
            user.take_class(klass.code, ref, staffing.max_classes_per_advisor)
        moved.users[user.login], moved.classes[klass.code] = user, klass

    def _record(self, what: str, path: str, digest: str, rows: int, actor: str) -> Adoption:
        if not rows:
            raise BadInput("{path}: no rows to import", path=path)
        if self.store.exists(Adoption.create_id(what, digest)):
            raise AlreadyExists("{path}: this file (sha256 {digest}…) was already imported as "
                                "{what}", path=path, digest=digest[:12], what=what)
        return Adoption(what=what, source=Path(path).name, digest=digest, rows=rows,
                        actor=actor)


def _total(text: str) -> str:
    if not text:
        return ""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BadInput("total {text!r} is not a number", text=text) from None
    if not 0 <= value <= 1000:
        raise BadInput("total {text!r} is out of range", text=text)
    return text
