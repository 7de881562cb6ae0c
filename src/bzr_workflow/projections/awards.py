"""The awards view: who was put forward for which honour, what publication gave, and the rewards that follow a grade."""

from __future__ import annotations

from sqlalchemy import update

from ..domain.case import Case
from . import tables as t
from .batch import BatchWriter
from .cases import CaseProjection, Handlers


class AwardProjection:
    """Award cases → rows of bzr_awards."""

    def __init__(self, writer: BatchWriter, cases: CaseProjection) -> None:
        self.writer, self.cases = writer, cases

    def handlers(self) -> Handlers:
        return {Case.Opened: self.opened, Case.AwardGranted: self.granted,
                Case.Rewarded: self.rewarded}

    def opened(self, ev: Case.Opened, position: int) -> None:
        if ev.kind == "award":
            self.writer.insert(t.awards, dict(
                ref=ev.ref, advisor=ev.subject, period=ev.period, unit=ev.unit or None,
                distinction=ev.data.get("distinction", ""), amount=None, certificate=False))

    def granted(self, ev: Case.AwardGranted, position: int) -> None:
        ref = self.cases.row(ev.originator_id)["ref"]
        self.writer.write(update(t.awards).where(t.awards.c.ref == ref)
                          .values(amount=ev.amount or None, certificate=ev.certificate))

    def rewarded(self, ev: Case.Rewarded, position: int) -> None:
        """A reward that follows a final grade: its row is keyed by the appraisal's reference
        (the awards query shows it with no award case)."""
        row = self.cases.row(ev.originator_id)
        self.writer.insert(t.awards, dict(
            ref=row["ref"], advisor=row["subject"], period=row["period"], unit=row["unit"],
            distinction="", amount=ev.amount or None, certificate=ev.certificate))
