"""The organisation views: units, users and their grants, classes with their head-count history, and appointments."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from ..domain.school_class import SchoolClass
from ..domain.unit import Unit
from ..domain.user import User
from . import tables as t
from .batch import BatchWriter
from .cases import Handlers


class OrganisationProjection:
    """Unit, user and class events → rows of the organisation tables."""

    def __init__(self, writer: BatchWriter) -> None:
        self.writer = writer

    def handlers(self) -> Handlers:
        return {Unit.Added: self.unit_added, User.Registered: self.user_registered,
                User.RoleGranted: self.role_granted, User.RoleRevoked: self.role_revoked,
                User.ProfileUpdated: self.profile_updated, SchoolClass.Added: self.class_added,
                SchoolClass.Updated: self.class_updated,
                SchoolClass.Reclassified: self.class_reclassified,
                SchoolClass.AdvisorAppointed: self.advisor_appointed,
                SchoolClass.AdvisorReleased: self.advisor_released}

    def unit_added(self, ev: Unit.Added, position: int) -> None:
        self.writer.insert(t.units, dict(code=ev.code, name=ev.name, parent=ev.parent or None,
                                         path="/".join(ev.path)))

    def user_registered(self, ev: User.Registered, position: int) -> None:
        self.writer.insert(t.users, dict(login=ev.login, name=ev.name,
                                         registered_at=ev.timestamp))

    def role_granted(self, ev: User.RoleGranted, position: int) -> None:
        self.writer.insert(t.grants, dict(login=ev.login, role=ev.role, unit=ev.unit,
                                          granted_by=ev.actor, granted_at=ev.timestamp))

    def role_revoked(self, ev: User.RoleRevoked, position: int) -> None:
        g = t.grants.c
        self.writer.write(delete(t.grants).where(g.login == ev.login, g.role == ev.role,
                                                 g.unit == ev.unit))

    def profile_updated(self, ev: User.ProfileUpdated, position: int) -> None:
        if ev.fields.get("name"):
            self.writer.write(update(t.users).where(t.users.c.login == ev.login)
                              .values(name=ev.fields["name"]))
        if "employment" in ev.fields:
            self.writer.write(update(t.users).where(t.users.c.login == ev.login)
                              .values(employment=ev.fields["employment"] or None))

    def class_added(self, ev: SchoolClass.Added, position: int) -> None:
        self.writer.insert(t.classes, dict(
            code=ev.code, name=ev.name, unit=ev.unit, students=ev.students, level=ev.level,
            graduating=ev.graduating, year_of_study=ev.year_of_study or None))
        self._history(position, ev.code, "", ev.students, ev.graduating, ev.level)

    def class_updated(self, ev: SchoolClass.Updated, position: int) -> None:
        self.writer.write(update(t.classes).where(t.classes.c.code == ev.code)
                          .values(students=ev.students, graduating=ev.graduating))
        level = self.writer.read(select(t.classes.c.level)
                                 .where(t.classes.c.code == ev.code)).scalar_one()
        self._history(position, ev.code, ev.effective, ev.students, ev.graduating, level)

    def class_reclassified(self, ev: SchoolClass.Reclassified, position: int) -> None:
        c = t.classes.c
        self.writer.write(update(t.classes).where(c.code == ev.code)
                          .values(level=ev.level, year_of_study=ev.year_of_study or None))
        row = self.writer.read(select(c.students, c.graduating)
                               .where(c.code == ev.code)).one()
        self._history(position, ev.code, ev.effective, row.students, row.graduating, ev.level)

    def _history(self, position: int, code: str, effective: str, students: int,
                 graduating: bool, level: str) -> None:
        """Head counts with the date they take effect, for the months they are paid on."""
        self.writer.insert(t.class_history, dict(
            position=position, code=code, effective=effective, students=students,
            graduating=graduating, level=level))

    def advisor_appointed(self, ev: SchoolClass.AdvisorAppointed, position: int) -> None:
        self.writer.insert(t.appointments, dict(
            case_ref=ev.case, advisor=ev.advisor, class_code=ev.code, start=ev.start, end=None,
            state="active", appointed_by=ev.actor))

    def advisor_released(self, ev: SchoolClass.AdvisorReleased, position: int) -> None:
        a = t.appointments.c
        self.writer.write(update(t.appointments)
                          .where(a.class_code == ev.code, a.advisor == ev.advisor,
                                 a.state == "active")
                          .values(end=ev.end, state="ended", end_cause=ev.cause,
                                  end_reason=ev.reason, ended_by=ev.actor))
