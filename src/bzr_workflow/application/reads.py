"""The read door: every query the CLI (or any other face) asks, answered in typed rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from ..domain.allowance import month_range
from ..domain.errors import BadInput, IntegrityFailure
from ..domain.ids import normalise_ref
from ..domain.periods import parse, parse_period, period_range
from ..domain.timefmt import local_iso, parse_instant
from ..adapters.seal import Seal, check_digest

__all__ = ["Reads", "check_digest", "form_format", "sheet_format"]

if TYPE_CHECKING:  # the row types only type (defining ~20 TypedDicts costs a command ~1 ms)
    from .readmodels import (Activity, AllowanceSheet, AppointmentRow, AuditRow, AwardRow,
                             CaseList, CaseRow, ClassRow, FormWritten, GradeCounts, Integrity,
                             PolicyView, ResultRow, Results, Target, UnitRow, UserRow, Verified,
                             VerifyRun)

    from ..projections import ViewConnection, Views
    from ..projections.queries import Keep
    from .app import WorkflowApp
    from .caseview import CaseView

STATES = ("open", "published", "vetoed", "withdrawn")


class Reads:
    """Queries over one application: the views (made on first use, closed with the app), the
    aggregates for what they alone hold, and the seal for the digest a sheet reflects."""

    def __init__(self, app: WorkflowApp) -> None:
        self.app = app
        self._views: Views | None = None
        self._seal: Seal | None = None
        self._last_run: VerifyRun | None = None  # verify writes nothing: remembered here

    # -- the views, the seal and the clock ------------------------------------------------

    @property
    def views(self) -> Views:
        if self._views is None:
            from ..projections import Views  # SQLAlchemy: only commands that read pay for it

            from ..adapters.eventlog import StoreLog

            self.app.institution()  # an uninitialised store says so, before any view is made
            self._views = Views(StoreLog(self.app, self.app.location),
                                self.app.policies.policy_of)
        return self._views

    @property
    def seal(self) -> Seal:
        if self._seal is None:
            self._seal = Seal(self.app.location)
        return self._seal

    def close(self) -> None:
        if self._views is not None:
            self._views.close()
        if self._seal is not None:
            self._seal.close()

    def offset(self) -> str:
        """The institution's UTC offset, in which instants are read and shown."""
        return str(self.app.policy().utc_offset)

    def instant(self, text: str | None, end: bool = True) -> datetime | None:
        """`2026-12-03` or `2026-12-03T10:02` where the institution is; a day alone means its
        end (or its start, with `end=False`)."""
        return parse_instant(text, self.offset(), end=end) if text else None

    @contextmanager
    def _read(self, as_of: str | None = None,
              position: int | None = None) -> Iterator[ViewConnection]:
        until = self.instant(as_of)
        from .app import storage_errors

        with storage_errors():
            self.app.notice_erasures()  # the views hold personal text sealed: see _open
        with self.views.read(until, position) as conn:
            yield conn

    def _open(self, rows: Any) -> Any:
        """View rows with their personal text opened (each value sealed under its person's
        key, personal.py), or read as erased where the key is gone."""
        return self.app.person_keys.reveal(rows)

    # -- cases ----------------------------------------------------------------------------

    # Every case read takes an optional `reader` (the signed-in login): a case they may not
    # read is NotPermitted, and lists leave out what they may not read. None (the CLI, the
    # operator's tool) reads everything.

    def inbox(self, actor: str | None, as_of: str | None = None,
              reader: str | None = None) -> list[CaseRow]:
        """Cases whose pending step `actor` may sign (as things stood at `as_of`)."""
        from ..projections import queries

        me, keep = self.app.actor(actor), self._keep(reader)
        with self._read(as_of) as conn:
            rows = queries.inbox(conn, me.login, queries.grants_of(conn, me.login), self.views.policy_of,
                                 self.offset(), keep)
        return cast("list[CaseRow]", self._open(rows))

    def inbox_page(self, actor: str) -> CaseList:
        """The inbox with how many cases of each kind await `actor`, labelled by the policy."""
        return self._listed(self.inbox(actor))

    def mine(self, login: str) -> CaseList:
        """The cases `login` is the subject of or opened, most recently changed first."""
        from ..projections import queries

        me = self.app.actor(login)
        with self._read() as conn:
            rows = queries.mine(conn, self.offset(), me.login)
        return self._listed(cast("list[CaseRow]", self._open(rows)))

    def _listed(self, rows: list[CaseRow]) -> CaseList:
        labels = {kind: wf.label for kind, wf in self.app.policy().workflows.items()}
        labels |= {r["kind"]: r["kind"] for r in rows if r["kind"] not in labels}
        counts: dict[str, int] = {}
        for row in rows:
            counts[row["kind"]] = counts.get(row["kind"], 0) + 1
        from .readmodels import CaseList, KindCount

        return CaseList(rows, [KindCount(kind=k, label=labels[k], count=n)
                               for k, n in counts.items()], labels)

    def case_view(self, ref: str, reader: str | None, as_of: str | None = None) -> CaseView:
        """What a case page shows: fields, pipeline, history, the reader's actions now."""
        from .caseview import CaseViews

        return CaseViews(self.app).case_view(ref, reader, as_of)

    def cases(self, kind: str | None = None, state: str | None = None,
              period: str | None = None, unit: str | None = None, limit: int | None = None,
              as_of: str | None = None, reader: str | None = None) -> list[CaseRow]:
        from ..projections import queries

        keep = self._keep(reader)
        with self._read(as_of) as conn:
            rows = queries.cases(conn, self.offset(), kind, state,
                                 parse(period).key if period else period, unit, limit, keep)
        return cast("list[CaseRow]", self._open(rows))

    def _keep(self, login: str | None) -> Keep | None:
        from .readers import reader

        who = reader(self.app, login)
        return who.row if who else None

    def case_counts(self) -> dict[str, int]:
        """How many cases are in each state."""
        return {state: len(self.cases(state=state)) for state in STATES}

    def show(self, ref: str, as_of: str | None = None,
             reader: str | None = None) -> dict[str, Any]:
        return self.app.cases.show(ref, as_of, reader)

    def history(self, ref: str, as_of: str | None = None,
                reader: str | None = None) -> list[dict[str, Any]]:
        return self.app.cases.history(ref, as_of, reader)

    def audit(self, actor: str | None = None, case: str | None = None,
              since: str | None = None, until: str | None = None, limit: int | None = None,
              as_of: str | None = None, reader: str | None = None,
              after: int | None = None) -> list[AuditRow]:
        """Decisions in the order recorded; with `after`, those after that event position."""
        from ..projections import queries

        start, end = self.instant(since, end=False), self.instant(until)
        ref, keep = normalise_ref(case) if case else None, self._keep(reader)
        with self._read(as_of) as conn:
            rows = queries.audit(conn, self.offset(), actor, ref, start, end, limit, keep, after)
        return cast("list[AuditRow]", self._open(rows))

    def audit_sheet(self, fmt: str, actor: str | None = None, case: str | None = None,
                    since: str | None = None, until: str | None = None,
                    reader: str | None = None, cap: int | None = None) -> bytes:
        """The audit search (as `reader` may read it) as a `csv` or `xlsx` file's bytes, with
        the seal digest it reflects; a search matching more than `cap` rows is refused."""
        from ..exports import audit_sheet

        if fmt not in ("csv", "xlsx"):
            raise BadInput(f"format {fmt!r}: csv or xlsx")
        found = self.audit(actor, case, since, until, cap + 1 if cap else None, reader=reader)
        if cap and len(found) > cap:
            raise BadInput(f"the search matches more than {cap} rows; narrow it (since, until,"
                           " actor or case) and download each part")
        position, head = self.seal.head()
        table = audit_sheet.rows(found, {"actor": actor, "case": case, "since": since,
                                         "until": until}, head, position)
        return (audit_sheet.csv_bytes if fmt == "csv" else audit_sheet.xlsx_bytes)(table)

    def appointments(self, advisor: str | None = None,
                     as_of: str | None = None) -> list[AppointmentRow]:
        from ..projections import queries

        with self._read(as_of) as conn:
            rows = queries.appointments(conn, advisor)
        return cast("list[AppointmentRow]", self._open(rows))

    # -- organisation ---------------------------------------------------------------------

    def units(self) -> list[UnitRow]:
        from ..projections import queries

        with self._read() as conn:
            return cast("list[UnitRow]", queries.units(conn))

    def users(self) -> list[UserRow]:
        from ..projections import queries

        with self._read() as conn:
            rows = queries.users(conn)
        return cast("list[UserRow]", self._open(rows))

    def classes(self) -> list[ClassRow]:
        from ..projections import queries

        with self._read() as conn:
            return cast("list[ClassRow]", queries.classes(conn))

    def policy_view(self, version: int | None = None, unit: str | None = None) -> PolicyView:
        """The store's policy (or an adopted `version`), as refined for `unit` if given."""
        inst = self.app.institution()
        record = inst.policy_record(version)
        refinement = inst.refinement_for(self.app.unit(unit).path) if unit else 0
        from .policyview import policy_view  # only `policy show` needs it

        view = policy_view(self.app.policy(record["version"], inst, refinement))
        view |= {"version": record["version"], "digest": record["digest"],
                 "refinement": refinement or None}
        return view

    # -- appraisal and awards -------------------------------------------------------------

    def appointed_in(self, period: str) -> list[Target]:
        """(advisor, class, unit) for every advisor appointed at some time in the period."""
        from ..projections import queries

        start, end = period_range(parse_period(period, self.app.policy().period),
                                  self.app.calendar())
        with self._read() as conn:
            return queries.appointed_in(conn, start, end)

    def results(self, period: str, unit: str | None = None) -> Results:
        """A period's results, with the seal digest of the position they reflect."""
        from ..projections import queries

        with self._read() as conn:
            rows = queries.results(conn, parse(period).key, unit)
            position = queries.view_position(conn)
        from .readmodels import Results

        return Results(cast("list[ResultRow]", self._open(rows)), self.seal.digest_at(position))

    def ranked_results(self, period: str, unit: str | None = None) -> dict[str, Any]:
        """The period's results ranked by total for the office deciding its 审定, each marked
        with whether it holds a place of the policy's grade quota, and that quota's count."""
        from ..domain.appraisal_rules import ranked

        found = self.results(period, unit)
        places = self.app.appraisals.grade_places(period, unit)
        holding = set(places["taken"]) if places else set()
        rows = [r | {"holds_place": r["case"] in holding} for r in ranked([dict(r) for r in found.rows])]
        return {"period": places["period"] if places else period, "ranked": rows,
                "grade_quota": places, "seal": found.head}

    def result_counts(self, period: str, unit: str | None = None) -> GradeCounts:
        """Counted by the database, not from the listed rows."""
        from ..projections import queries

        with self._read() as conn:
            return queries.result_counts(conn, parse(period).key, unit)

    def awards(self, period: str) -> list[AwardRow]:
        from ..projections import queries

        with self._read() as conn:
            rows = queries.awards(conn, parse(period).key)
        return cast("list[AwardRow]", self._open(rows))

    def award_form(self, ref: str, out: str, fmt: str | None = None,
                   force: bool = False) -> FormWritten:
        """Write an award case's recommendation form (.docx or .xlsx), sealed to now; an
        existing `out` is replaced only with `force` (see exports.safe)."""
        from ..exports.recommendation import write_docx, write_xlsx
        from ..exports.safe import check_out, write_out

        kind = form_format(out, fmt)
        check_out(out, self.app.location, force)
        model = self.app.awards.recommendation_form(ref)
        model["position"], model["head"] = self.seal.head()
        writer = write_docx if kind == "docx" else write_xlsx
        write_out(out, lambda path: writer(model, path), self.app.location, force)
        return {"case": model["case"], "file": out, "format": kind}

    # -- allowance and work ---------------------------------------------------------------

    def allowance(self, month: str, position: int | None = None,
                  out: str | None = None, force: bool = False) -> AllowanceSheet:
        """A month's allowance sheet as of now (or an event `position`), with its seal digest;
        also written to `out` (.csv or .xlsx) if given, replacing a file only with `force`."""
        from ..exports.allowance_sheet import write_csv, write_xlsx
        from ..exports.safe import check_out, write_out
        from ..projections import queries

        kind = sheet_format(month, out)
        if out:
            check_out(out, self.app.location, force)
        policy = self.app.policy()
        if policy.allowance is None:
            raise BadInput(f"policy {policy.id} sets no allowance ([allowance] section)")
        with self._read(position=position) as conn:
            sheet = self._open(queries.allowance(conn, policy.allowance, month, policy.period,
                                                 self.app.calendar()))
        sheet["head"] = self.seal.digest_at(sheet["position"])
        if out:
            writer = write_csv if kind == ".csv" else write_xlsx
            write_out(out, lambda path: writer(sheet, path), self.app.location, force)
        return cast("AllowanceSheet", sheet)

    def norms(self, advisor: str, period: str, role: str | None = None) -> dict[str, Any]:
        """Each work norm per window of the period: met, or short by how much."""
        return self.app.worklog.norms_report(advisor, period, role)

    def activities(self) -> list[Activity]:
        """What may be logged under the policy in force."""
        from .worklog import activities

        return [{"activity": k, "label": v} for k, v in activities(self.app.policy()).items()]

    # -- maintenance ----------------------------------------------------------------------

    def create_views(self) -> None:
        self.views.create()

    def rebuild(self) -> int:
        """Drop every view and project it again from the events; returns the event count."""
        return self.views.rebuild()

    def verify(self, head: str | None = None, checkpoints: list[str] | None = None) -> Verified:
        """Recompute the seal over every stored event, reading only; `head`, if given, must be
        a link, and each checkpoint file's position must still hold its digest. The last run
        is remembered by this process (for the integrity page), never written to the store."""
        wanted = check_digest(head) if head else None
        started = self.app.clock().isoformat()
        try:
            result = cast("Verified", self.seal.verify(wanted, checkpoints))
        except IntegrityFailure as exc:
            self._last_run = {"at": started, "events": 0, "head": "", "verified": False,
                              "detail": str(exc)}
            raise
        self._last_run = {"at": started, "events": result["events"], "head": result["head"],
                          "verified": True, "detail": ""}
        if wanted:
            result["head_checked"] = wanted
        return result

    def integrity(self) -> Integrity:
        """The chain's head now and when verify last ran here (in the institution's time)."""
        self.app.institution()
        position, head = self.seal.head()
        run = None if self._last_run is None else cast("VerifyRun", dict(self._last_run))
        if run is not None:
            run["at"] = local_iso(datetime.fromisoformat(run["at"]), self.offset())
        from .readmodels import Integrity

        return Integrity(position, head, run)


def form_format(out: str, fmt: str | None) -> str:
    """`docx` or `xlsx`: the form's format, from --format or the file's ending, into an
    existing folder (checked before any store is opened)."""
    from pathlib import Path

    kind = fmt or Path(out).suffix.lstrip(".").lower()
    if kind not in ("docx", "xlsx"):
        raise BadInput(f"--out {out}: give a .docx or .xlsx file, or --format")
    if not Path(out).resolve().parent.is_dir():
        raise BadInput(f"--out {out}: the folder does not exist")
    return kind


def sheet_format(month: str, out: str | None) -> str:
    """A valid month, and `.csv`, `.xlsx` or "" (no file): checked before any store is opened."""
    from pathlib import Path

    month_range(month)
    kind = Path(out).suffix.lower() if out else ""
    if out and (kind not in (".csv", ".xlsx") or not Path(out).resolve().parent.is_dir()):
        raise BadInput(f"--out {out}: give a .csv or .xlsx file in an existing folder")
    return kind


def views_of(app: WorkflowApp) -> Views:
    """A second, private set of views over `app`'s store (tests and the bench; commands read
    through `app.reads`, which keeps its own)."""
    from ..adapters.eventlog import StoreLog
    from ..projections import Views

    return Views(StoreLog(app, app.location), app.policies.policy_of)
