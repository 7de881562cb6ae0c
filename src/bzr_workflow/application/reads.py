"""The read door: every query the CLI (or any other face) asks, answered in typed rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

from ..domain.allowance import month_range
from ..domain.errors import BadInput, IntegrityFailure, NotPermitted
from ..domain.ids import normalise_ref
from ..domain.periods import parse, parse_period, period_range
from ..domain.timefmt import local_iso, parse_instant
from ..adapters.seal import Seal, check_digest
from ..domain.signing import may_read_advisor, may_read_results, results_refusal
from .deputyview import deputy_rows
from .failures import storage_errors
from .ports import Store

__all__ = ["Reads", "check_digest", "export_format", "form_format", "sheet_format"]

if TYPE_CHECKING:  # the row types only type (defining ~20 TypedDicts costs a command ~1 ms)
    from .readmodels import (Activity, AllowanceSheet, AppointmentRow, AuditRow, AwardRow,
                             CaseList, CaseRow, ClassRow, FormWritten, GradeCounts, Integrity,
                             Overdue,
                             PolicyView, ResultRow, Results, Target, UnitRow, UserRow, Verified,
                             VerifyRun)

    from ..projections import ViewConnection, Views
    from ..projections.queries import Keep
    from ..adapters.store import Location
    from .caseview import CaseView, CaseViews
    from .norms import NormsReports

STATES = ("open", "published", "vetoed", "withdrawn")


class Reads:
    """Queries over one store: the views (made on first use by `make_views`, closed with the
    app), the aggregates for what they alone hold (one case: `case_views`; the work norms:
    `norms`), and the seal for the digest a sheet reflects. It calls no command service."""

    def __init__(self, store: Store, make_views: Callable[[], Views], case_views: CaseViews,
                 norms: NormsReports, open_copy: Callable[[Location], Any]) -> None:
        self.store, self._make_views, self._open_copy = store, make_views, open_copy
        self.case_views, self._norms = case_views, norms
        self._views: Views | None = None
        self._seal: Seal | None = None
        self._last_run: VerifyRun | None = None  # verify writes nothing: remembered here

    # -- the views, the seal and the clock ------------------------------------------------

    @property
    def views(self) -> Views:
        if self._views is None:
            self.store.institution()  # an uninitialised store says so, before any view is made
            self._views = self._make_views()
        return self._views

    @property
    def seal(self) -> Seal:
        if self._seal is None:
            self._seal = Seal(self.store.location)
        return self._seal

    def close(self) -> None:
        if self._views is not None:
            self._views.close()
        if self._seal is not None:
            self._seal.close()

    def offset(self) -> str:
        """The institution's UTC offset, in which instants are read and shown."""
        return str(self.store.policy().utc_offset)

    def instant(self, text: str | None, end: bool = True) -> datetime | None:
        """`2026-12-03` or `2026-12-03T10:02` where the institution is; a day alone means its
        end (or its start, with `end=False`)."""
        return parse_instant(text, self.offset(), end=end) if text else None

    @contextmanager
    def _read(self, as_of: str | None = None,
              position: int | None = None) -> Iterator[ViewConnection]:
        until = self.instant(as_of)
        with storage_errors():
            self.store.notice_erasures()  # the views hold personal text sealed: see _open
        with self.views.read(until, position) as conn:
            yield conn

    def _open(self, rows: Any) -> Any:
        """View rows with their personal text opened (each value sealed under its person's
        key, personal.py), or read as erased where the key is gone."""
        return self.store.person_keys.reveal(rows)

    # -- cases ----------------------------------------------------------------------------

    # Every case read takes an optional `reader` (the signed-in login): a case they may not
    # read is NotPermitted, and lists leave out what they may not read. None (the CLI, the
    # operator's tool) reads everything.

    def inbox(self, actor: str | None, as_of: str | None = None,
              reader: str | None = None) -> list[CaseRow]:
        """Cases whose pending step `actor` may sign (as things stood at `as_of`), and those
        they may sign as a holder's deputy, marked `on_behalf_of` (application/deputyview)."""
        me, keep = self.store.actor(actor), self._keep(reader)
        with self._inbox_read(as_of) as (conn, queries, deadlines):
            policy_of = self.store.policy_of
            rows = queries.inbox(conn, me.login, queries.grants_of(conn, me.login), policy_of,
                                 self.offset(), keep)
            today = as_of[:10] if as_of else self.store.today(self.store.policy())
            rows += deputy_rows(self.store, conn, me.login, {r["id"] for r in rows},
                                policy_of, self.offset(), today, queries)
            rows = queries.with_names(conn, rows)
            rows = deadlines.with_due(conn, rows, policy_of, self.store.calendar(),
                                      self._now(as_of), self.offset())
        return cast("list[CaseRow]", self._open(rows))

    @contextmanager
    def _inbox_read(self, as_of: str | None) -> Iterator[tuple[Any, Any, Any]]:
        """(connection, what reads the cases on it, what reads their due instants): on SQLite,
        views that hold every event are read through the driver alone (projections.lite, no
        SQLAlchemy: a command's start); anything else through `Views`, which catches up."""
        if as_of is None and self.store.location.is_sqlite:
            from ..projections import lite

            with storage_errors():
                self.store.notice_erasures()  # as _read does
            with lite.current(self.store.location) as conn:
                if conn is not None:
                    yield conn, lite, lite
                    return
        from ..projections import deadlines, queries

        with self._read(as_of) as view:
            yield view, queries, deadlines

    # -- deadlines (domain/workdays.py): due and overdue steps, 公示 that have run ---------

    def _now(self, as_of: str | None = None, now: datetime | None = None) -> datetime:
        return now or self.instant(as_of) or self.store.clock()

    def _with_due(self, conn: Any, rows: list[dict[str, Any]],
                  as_of: str | None) -> list[dict[str, Any]]:
        from ..projections import deadlines

        return deadlines.with_due(conn, rows, self.views.policy_of, self.store.calendar(),
                                  self._now(as_of), self.offset())

    def overdue(self, reader: str | None = None, as_of: str | None = None,
                now: datetime | None = None) -> list[Overdue]:
        """Every open step past its time limit (as things stood at `as_of`, else at `now`, else
        the clock's now), of the cases `reader` may read (administrators and auditors, and the
        operator: all)."""
        from ..projections import deadlines, queries

        keep = self._keep(reader)
        with self._read(as_of) as conn:
            rows = deadlines.overdue(conn, self.views.policy_of, self.store.calendar(),
                                     self._now(as_of, now), self.offset(), keep)
            rows = queries.with_names(conn, rows)
        return cast("list[Overdue]", self._open(rows))

    def announcements_ran(self, today: str) -> list[str]:
        """The appraisals whose 公示 ended before `today` with no open objection, not final."""
        from ..projections import deadlines

        with self._read() as conn:
            return deadlines.announcements_ran(conn, today)

    def inbox_page(self, actor: str) -> CaseList:
        """The inbox with how many cases of each kind await `actor`, labelled by the policy."""
        return self._listed(self.inbox(actor))

    def mine(self, login: str) -> CaseList:
        """The cases `login` is the subject of or opened, most recently changed first."""
        from ..projections import queries

        me = self.store.actor(login)
        with self._read() as conn:
            rows = queries.with_names(conn, queries.mine(conn, self.offset(), me.login))
        return self._listed(cast("list[CaseRow]", self._open(rows)))

    def _listed(self, rows: list[CaseRow]) -> CaseList:
        labels = {kind: wf.label for kind, wf in self.store.policy().workflows.items()}
        labels |= {r["kind"]: r["kind"] for r in rows if r["kind"] not in labels}
        counts: dict[str, int] = {}
        for row in rows:
            counts[row["kind"]] = counts.get(row["kind"], 0) + 1
        from .readmodels import CaseList, KindCount

        return CaseList(rows, [KindCount(kind=k, label=labels[k], count=n)
                               for k, n in counts.items()], labels)

    def case_view(self, ref: str, reader: str | None, as_of: str | None = None) -> CaseView:
        """What a case page shows: fields, pipeline, history, the reader's actions now."""
        return self.case_views.case_view(ref, reader, as_of)

    def cases(self, kind: str | None = None, state: str | None = None,
              period: str | None = None, unit: str | None = None, limit: int | None = None,
              as_of: str | None = None, reader: str | None = None) -> list[CaseRow]:
        from ..projections import queries

        keep = self._keep(reader)
        with self._read(as_of) as conn:
            rows = queries.cases(conn, self.offset(), kind, state,
                                 parse(period).key if period else period, unit, limit, keep)
            rows = queries.with_names(conn, rows)
        return cast("list[CaseRow]", self._open(rows))

    def _readable_refs(self, reader: str | None, period: str,
                       unit: str | None, as_of: str | None = None) -> set[str] | None:
        """The appraisal cases of the period `reader` may read; None when they read all."""
        if self._keep(reader) is None:
            return None
        return {r["id"] for r in self.cases("appraisal", None, period, unit, as_of=as_of,
                                            reader=reader)}

    def _keep(self, login: str | None) -> Keep | None:
        from .readers import reader

        who = reader(self.store, login)
        return who.row if who else None

    def case_counts(self) -> dict[str, int]:
        """How many cases are in each state."""
        return {state: len(self.cases(state=state)) for state in STATES}

    def show(self, ref: str, as_of: str | None = None,
             reader: str | None = None) -> dict[str, Any]:
        """A case as it stands (or stood at `as_of`), from its own events."""
        return self.case_views.show(ref, as_of, reader)

    def history(self, ref: str, as_of: str | None = None,
                reader: str | None = None) -> list[dict[str, Any]]:
        """The case's decisions from its own events, each with the bulk sign-off it was an item
        of (`batch`, None when it stood alone; from the decisions view, where the provenance is)."""
        from ..projections import queries

        entries = self.case_views.history(ref, as_of, reader)
        with self._read() as conn:
            marks = queries.batches(conn, normalise_ref(ref), self.offset())
        return [e | {"batch": marks.get((e["at"], e["actor"], e["action"], e["step"] or ""))}
                for e in entries]

    def audit(self, actor: str | None = None, case: str | None = None,
              since: str | None = None, until: str | None = None, limit: int | None = None,
              as_of: str | None = None, reader: str | None = None,
              position: int | None = None, after: int | None = None) -> list[AuditRow]:
        """The decisions asked for, in the order recorded; with `after`, those after that event
        position; with `position`, projected afresh from the events up to it (not read from the
        stored views, which an insider could edit)."""
        from ..projections import queries

        start, end = self.instant(since, end=False), self.instant(until)
        ref, keep = normalise_ref(case) if case else None, self._keep(reader)
        with self._read(as_of, position) as conn:
            rows = queries.audit(conn, self.offset(), actor, ref, start, end, limit, keep, after)
            rows = queries.with_names(conn, rows)
        if keep is not None:  # where and in which session each signer acted: for
            for row in rows:  # administrators and auditors (and the operator) only
                row["session"] = row["address"] = None
        return cast("list[AuditRow]", self._open(rows))

    def audit_sheet(self, fmt: str, actor: str | None = None, case: str | None = None,
                    since: str | None = None, until: str | None = None,
                    reader: str | None = None, cap: int | None = None) -> bytes:
        """The audit search (as `reader` may read it) as a `csv` or `xlsx` file's bytes, with
        the seal digest it reflects. Its rows are projected from the events up to that digest's
        position, not read from the stored views: the digest vouches for what the sheet says.
        Where the key file is at hand, the head is signed (Ed25519) and the public key printed.
        A search matching more than `cap` rows is refused."""
        from ..exports import audit_sheet

        if fmt not in ("csv", "xlsx"):
            raise BadInput("format {fmt!r}: csv or xlsx", fmt=fmt)
        position, head = self.seal.head()
        found = self.audit(actor, case, since, until, cap + 1 if cap else None, reader=reader,
                           position=position)
        if cap and len(found) > cap:
            raise BadInput("the search matches more than {cap} rows; narrow it (since, until, "
                           "actor or case) and download each part", cap=cap)
        table = audit_sheet.rows(found, {"actor": actor, "case": case, "since": since,
                                         "until": until}, head, position,
                                 self.seal.head_statement(position, head))
        return (audit_sheet.csv_bytes if fmt == "csv" else audit_sheet.xlsx_bytes)(table)

    def appointments(self, advisor: str | None = None,
                     as_of: str | None = None) -> list[AppointmentRow]:
        from ..projections import queries

        policy = self.store.policy()
        today = as_of[:10] if as_of else self.store.today(policy)
        with self._read(as_of) as conn:
            rows = queries.with_names(conn, queries.appointments(conn, advisor, today,
                                                                 policy.staffing.term_years))
        return cast("list[AppointmentRow]", self._open(rows))

    # -- organisation ---------------------------------------------------------------------

    def units(self) -> list[UnitRow]:
        from ..projections import queries

        with self._read() as conn:
            rows = queries.units(conn)
            names = {r["unit"]: r["name"] for r in rows}
        return cast("list[UnitRow]", [r | {"parent_name": names.get(r["parent"] or "")}
                                      for r in rows])

    def users(self) -> list[UserRow]:
        from ..projections import queries

        with self._read() as conn:
            rows = queries.users(conn)
        return cast("list[UserRow]", self._open(rows))

    def holders(self, role: str, unit_path: Sequence[str]) -> list[str]:
        """The logins holding `role` in a unit on `unit_path` or institution-wide, as the
        users view has them now: a countersign step's holders (domain.signing.Countersign)."""
        from ..projections import queries

        with self._read() as conn:
            return queries.holders(conn, role, unit_path)

    def classes(self) -> list[ClassRow]:
        from ..projections import queries

        policy = self.store.policy()
        with self._read() as conn:
            rows = queries.with_names(conn, queries.classes(
                conn, self.store.today(policy), policy.staffing.term_years))
            people = queries.with_names(conn, [{"advisor": a} for r in rows
                                               for a in r["advisors"]])
        named = {p["advisor"]: p["advisor_name"] for p in people}
        for row in rows:
            row["advisor_names"] = [named.get(a) or a for a in row["advisors"]]
        return cast("list[ClassRow]", self._open(rows))

    def policy_view(self, version: int | None = None, unit: str | None = None) -> PolicyView:
        """The store's policy (or an adopted `version`), as refined for `unit` if given."""
        inst = self.store.institution()
        record = inst.policy_record(version)
        refinement = inst.refinement_for(self.store.unit(unit).path) if unit else 0
        from .policyview import policy_view  # only `policy show` needs it

        view = policy_view(self.store.policy(record["version"], inst, refinement))
        view |= {"version": record["version"], "digest": record["digest"],
                 "refinement": refinement or None}
        return view

    # -- appraisal and awards -------------------------------------------------------------

    def appointed_in(self, period: str) -> list[Target]:
        """(advisor, class, unit) for every advisor appointed at some time in the period."""
        from ..projections import queries

        start, end = period_range(parse_period(period, self.store.policy().period),
                                  self.store.calendar())
        with self._read() as conn:
            return queries.appointed_in(conn, start, end)

    def appraisal_targets(self, period: str, advisors: Sequence[str] = ()) -> list[Target]:
        """Whom `appraisals.open_appraisals` would open for: the named advisors (from their
        aggregates), or every advisor appointed at some time in the period (from the views)."""
        from . import targets

        if advisors:
            return targets.named(self.store, advisors)
        return targets.everyone(self.store, self.appointed_in(period), self.users())

    def _as_of(self, aggregate_id: Any, until: datetime | None) -> Any | None:
        """The aggregate as it stood at `until` (None: as it stands), replayed from its events;
        None where it did not exist yet."""
        if until is None:
            return self.store.find(aggregate_id)
        from ..adapters.es_fastpath import fold

        events = [e for e in self.store.events_of(aggregate_id) if e.timestamp <= until]
        return fold(None, iter(events)) if events else None

    def grade_places(self, period: str, unit: str | None = None,
                     as_of: str | None = None) -> dict[str, Any] | None:
        """Where the policy caps a grade (Suzhou's 15 % of 优秀): the period's roster, the places
        it gives, and the results holding them; None where the policy caps no grade (or caps it
        per unit and no unit is named)."""
        from ..domain.periods import parse_period
        from ..domain.quota import PlacesQuota
        from ..domain.roster import roster_size
        from .appraisal_effects import appraisal_roster, grade_places_id, grade_quota_of

        policy = self.store.policy()
        rule = grade_quota_of(policy)
        if rule is None or (rule.scope == "unit" and not unit):
            return None
        canonical = parse_period(period, policy.period)
        scope = rule.scope_of(unit or "")
        until = self.instant(as_of)
        if until is None:
            roster = roster_size(appraisal_roster(self.store, canonical), scope)
        else:
            from ..domain.roster import PeriodRoster
            from .appraisal_effects import KIND

            then = self._as_of(PeriodRoster.create_id(kind=KIND, period=canonical), until)
            roster = roster_size(then, scope) if then is not None else 0
        quota: PlacesQuota | None = self._as_of(grade_places_id(rule, canonical, scope), until)
        taken = quota.taken if quota is not None else {}
        return {"grade": rule.grade, "period": canonical, "scope": scope,
                "share": float(rule.share), "rounding": rule.rounding, "roster": roster,
                "places": rule.places(roster), "taken": sorted(taken, key=_ref_order),
                "step": rule.step}

    def results(self, period: str, unit: str | None = None,
                reader: str | None = None, as_of: str | None = None) -> Results:
        """A period's results (as the office saw them at `as_of`), with the seal digest of the
        position they reflect; with a `reader`, only the results of cases they may read (a site
        head: their own unit's). Past results brought in by `import results` are listed too,
        marked `imported` with the file's digest (see `imported_results`)."""
        from ..projections import queries

        with self._read(as_of) as conn:
            rows = queries.with_names(conn, [r | {"imported": False, "digest": None}
                                             for r in queries.results(conn, parse(period).key,
                                                                      unit)])
            position = queries.view_position(conn)
        readable = self._readable_refs(reader, period, unit, as_of)
        if readable is not None:
            rows = [r for r in rows if r["case"] in readable]
        rows += self.imported_results(period, unit, reader, as_of)
        from .readmodels import Results

        return Results(cast("list[ResultRow]", self._open(rows)), self.seal.digest_at(position))

    def imported_results(self, period: str, unit: str | None = None,
                         reader: str | None = None,
                         as_of: str | None = None) -> list[dict[str, Any]]:
        """The period's results imported from files (`import results`, adopting mid-career),
        read from their events (recorded by `as_of`): final and published, with no case; the
        unit is that of the class the advisor was appointed to in the period, if any. A reader
        bound to units sees those of their units; the advisor sees their own."""
        from ..domain.user import User
        from .readers import reader as reader_of

        key = parse(period).key
        until = self.instant(as_of)
        found = [ev for ev in cast("Iterator[User.ResultImported]",
                                   self.store.events_with([User.ResultImported.TOPIC]))
                 if ev.period == key and (until is None or ev.timestamp <= until)]
        if not found:
            return []
        units = {advisor: u for advisor, _klass, u in self._appointed(key, as_of)}
        who = reader_of(self.store, reader)
        appraisal = self.store.policy().workflows.get("appraisal")
        rows: list[dict[str, Any]] = []
        for ev in found:
            where = units.get(ev.login)
            path = self.store.unit(where).path if where else []
            if unit and unit not in path:
                continue
            if who is not None and not may_read_advisor(ev.login, [path], who.login, who.grants,
                                                        appraisal):
                continue
            rows.append({"advisor": ev.login, "period": key,
                         "total": ev.total or None, "grade": ev.grade, "vetoed_items": [],
                         "state": "published", "final": True, "case": f"import:{ev.digest[:12]}",
                         "unit": where, "step_label": None, "announcement_until": None,
                         "objections_open": 0, "explanation": None, "imported": True,
                         "digest": ev.digest})
        return sorted(rows, key=lambda r: (r["unit"] or "", r["advisor"]))

    def _appointed(self, period: str, as_of: str | None = None) -> list[Target]:
        from ..projections import queries

        start, end = period_range(period, self.store.calendar())
        with self._read(as_of) as conn:
            return queries.appointed_in(conn, start, end)

    def ranked_results(self, period: str, unit: str | None = None,
                       reader: str | None = None, as_of: str | None = None) -> dict[str, Any]:
        """The period's results ranked by total for the office deciding its 审定, each marked
        with whether it holds a place of the policy's grade quota, and that quota's count. A
        `reader` who holds no role of the appraisal is refused (signing.may_read_results); one
        who may, ranks and sees named only what they may read (the quota's counts, which name
        no one, stay whole)."""
        from ..domain.appraisal_rules import ranked

        if reader is not None:
            me, wf = self.store.user(reader), self.store.policy().workflows.get("appraisal")
            if not may_read_results(me.grants, wf):
                raise results_refusal(me.login, wf)
        found = self.results(period, unit, reader, as_of)
        places = self.grade_places(period, unit, as_of)
        holding = set(places["taken"]) if places else set()
        readable = self._readable_refs(reader, period, unit)
        if places and readable is not None:
            places["taken"] = [ref for ref in places["taken"] if ref in readable]
        rows = [r | {"holds_place": r["case"] in holding} for r in ranked([dict(r) for r in found.rows])]
        return {"period": places["period"] if places else period, "ranked": rows,
                "grade_quota": places, "seal": found.head}

    def result_counts(self, period: str, unit: str | None = None,
                      as_of: str | None = None) -> dict[str, GradeCounts]:
        """The final results counted per grade and unit (`final`), the provisional ones apart
        (`provisional`: not final yet, their grade may still change). Counted by the database,
        not from the listed rows; imported results count as final ones (under the unit of the
        class the advisor had in the period, or '-')."""
        from ..projections import queries

        key = parse(period).key
        with self._read(as_of) as conn:
            counts = {"final": queries.result_counts(conn, key, unit, final=True),
                      "provisional": queries.result_counts(conn, key, unit, final=False)}
        for row in self.imported_results(period, unit, as_of=as_of):
            for place in ("*", row["unit"] or "-"):
                bucket = counts["final"].setdefault(place, {})
                bucket[row["grade"]] = bucket.get(row["grade"], 0) + 1
        return counts

    def counts_for(self, reader: str, period: str, unit: str | None = None,
                   as_of: str | None = None) -> dict[str, GradeCounts]:
        """`result_counts` for a signed-in `reader`: counts name no one, but are read only by
        those who read a period's results (signing.may_read_results)."""
        me, wf = self.store.user(reader), self.store.policy().workflows.get("appraisal")
        if not may_read_results(me.grants, wf):
            raise results_refusal(me.login, wf)
        return self.result_counts(period, unit, as_of)

    def awards(self, period: str, as_of: str | None = None) -> list[AwardRow]:
        """A period's awards (as they stood at `as_of`)."""
        from ..projections import queries

        with self._read(as_of) as conn:
            rows = queries.with_names(conn, queries.awards(conn, parse(period).key))
        return cast("list[AwardRow]", self._open(rows))

    def award_form(self, ref: str, out: str, fmt: str | None = None,
                   force: bool = False, reader: str | None = None) -> FormWritten:
        """Write an award case's recommendation form (.docx or .xlsx), sealed to now; an
        existing `out` is replaced only with `force` (see exports.safe)."""
        from ..exports.recommendation import write_docx, write_xlsx
        from ..exports.safe import write_out

        kind = form_format(out, fmt, self.store.location, force)
        model = self.recommendation_form(ref, reader)
        model["position"], model["head"] = self.seal.head()
        model["signed"] = self.seal.head_statement(model["position"], model["head"])
        writer = write_docx if kind == "docx" else write_xlsx
        write_out(out, lambda path: writer(model, path), self.store.location, force)
        return {"case": model["case"], "file": out, "format": kind}

    def recommendation_form(self, ref: str, reader: str | None = None) -> dict[str, Any]:
        """The filled-in 推荐表 of an award case: fields at nomination, each level's opinion.
        A `reader` who may not read the case is refused so before its kind is looked at."""
        from ..exports.recommendation import form_model
        from .readers import require_readable
        from .render import case_dict

        require_readable(self.store, ref, reader)
        case = self.store.case(ref)
        if case.kind != "award":
            raise BadInput("{ref} is a {kind} case; forms are for award cases", ref=case.ref,
                           kind=case.kind)
        policy = self.store.case_policy(case)
        history = self.case_views.history(case.ref)
        names = {h["actor"]: self.store.user(h["actor"]).name for h in history if h["actor"]}
        return form_model(case_dict(case, policy), history, policy, names)

    def advisor_record(self, advisor: str, as_of: str | None = None,
                       reader: str | None = None) -> dict[str, Any]:
        """One advisor's record (考核登记表 / 业务档案): see application/advisor_record.py."""
        from .advisor_record import advisor_record

        return advisor_record(self, advisor, as_of, reader)

    # -- allowance and work ---------------------------------------------------------------

    def allowance(self, month: str, position: int | None = None,
                  out: str | None = None, force: bool = False) -> AllowanceSheet:
        """A month's allowance sheet as of now (or an event `position`), with its seal digest;
        also written to `out` (.csv or .xlsx) if given, replacing a file only with `force`."""
        from ..exports.allowance_sheet import write_csv, write_xlsx
        from ..exports.safe import write_out
        from ..projections import queries

        kind = sheet_format(month, out, self.store.location, force)
        policy = self.store.policy()
        if policy.allowance is None:
            raise BadInput("policy {id} sets no allowance ([allowance] section)", id=policy.id)
        with self._read(position=position) as conn:
            sheet = self._open(queries.allowance(conn, policy.allowance, month, policy.period,
                                                 self.store.calendar(),
                                                 policy.staffing.term_years))
        sheet["head"] = self.seal.digest_at(sheet["position"])
        sheet["signed"] = self.seal.head_statement(sheet["position"], sheet["head"])
        if out:
            writer = write_csv if kind == ".csv" else write_xlsx
            write_out(out, lambda path: writer(sheet, path), self.store.location, force)
        return cast("AllowanceSheet", sheet)

    def norms(self, advisor: str, period: str, role: str | None = None,
              as_of: str | None = None) -> dict[str, Any]:
        """Each work norm per window of the period: met, or short by how much (with `as_of`,
        against the log as it stood then, on that day)."""
        return self._norms.report(advisor, period, role, self.instant(as_of))

    def activities(self) -> list[Activity]:
        """What may be logged under the policy in force."""
        from .worklog import activities

        return [{"activity": k, "label": v} for k, v in activities(self.store.policy()).items()]

    # -- the desk pages and their API (issue 21 items 3-5): the reading rule first ---------

    def awards_for(self, period: str, reader: str | None) -> list[AwardRow]:
        """`awards` as `reader` may see it: the rows whose award case (or, for a reward that
        follows a grade, whose appraisal) they may read; all for the CLI (None)."""
        rows = self.awards(period)
        if self._keep(reader) is None:
            return rows
        readable = {r["id"] for r in self.cases(reader=reader)}
        return [r for r in rows if (r["case"] or r["result"]) in readable]

    def award_places(self, period: str) -> list[dict[str, Any]]:
        """Where a quota binds an award (Aksu's 十佳: ten; a share of the appraised): each
        honour's places, the cases holding them and the places left, from the quota aggregate
        the signatures take places in (award_effects.take_place). A quota per unit is not
        listed (its places depend on the unit)."""
        from ..domain.quota import PlacesQuota
        from ..domain.roster import roster_size
        from .appraisal_effects import appraisal_roster
        from .award_effects import KIND, _period, rules_of

        policy = self.store.policy()
        if KIND not in policy.workflows:
            return []
        award = rules_of(policy)
        rules = ([award.rule()] if award.eligible_grades or not award.distinctions else []) \
            + list(award.distinctions)
        found = []
        for rule in rules:
            if award.quota_scope == "unit":
                continue
            canonical = _period(period, award.period_kind(policy.period), rule.label)
            scope = award.scope("")
            limit = award.places(rule, roster_size(appraisal_roster(self.store, canonical),
                                                   scope))
            if limit is None:
                continue
            quota: PlacesQuota | None = self.store.find(PlacesQuota.create_id(
                **PlacesQuota.of_award(KIND, rule.key, canonical, scope)))
            taken = sorted(quota.taken if quota is not None else {}, key=_ref_order)
            found.append({"distinction": rule.key, "label": rule.label, "period": canonical,
                          "places": limit, "taken": taken, "left": max(limit - len(taken), 0)})
        return found

    def award_desk(self, period: str, reader: str) -> dict[str, Any]:
        """The awards page: the period's awards `reader` may read (with names), the places
        left where a quota binds, and what a nomination form offers (advisors serving now, the
        policy's honours)."""
        from .award_effects import KIND, rules_of

        policy = self.store.policy()
        names = {u["user"]: u["name"] for u in self.users()}
        units = {u["unit"]: u["name"] for u in self.units()}
        rows = [dict(r) | {"advisor_name": names.get(r["advisor"], r["advisor"]),
                           "unit_name": units.get(r["unit"] or "", r["unit"] or "")}
                for r in self.awards_for(period, reader)] if period else []
        serving = sorted({a for c in self.classes() for a in c["advisors"]})
        award = rules_of(policy) if KIND in policy.workflows else None
        me = self.store.user(reader)
        return {"period": period, "awards": rows,
                "places": self.award_places(period) if period else [],
                "may_nominate": KIND in policy.workflows and KIND in self._openable(me.grants),
                "advisors": [{"user": a, "name": names.get(a, a)} for a in serving],
                "distinctions": [{"key": d.key, "label": d.label}
                                 for d in (award.distinctions if award else ())],
                "needs_distinction": bool(award and award.distinctions
                                          and not award.eligible_grades)}

    def award_sheet(self, ref: str, fmt: str, reader: str) -> bytes:
        """An award case's 推荐表 as the bytes of a .docx or .xlsx (`award form`, for a
        download), sealed to now; the reading rule first."""
        import tempfile
        from pathlib import Path

        self.recommendation_form(ref, reader)  # the reading rule first, then an award case
        if fmt not in ("docx", "xlsx"):
            raise BadInput("format {fmt!r} must be docx or xlsx", fmt=fmt)
        with tempfile.TemporaryDirectory(prefix="bzr-form-") as folder:
            out = str(Path(folder) / f"form.{fmt}")
            self.award_form(ref, out, fmt, reader=reader)
            return Path(out).read_bytes()

    def allowance_for(self, month: str, reader: str | None) -> AllowanceSheet:
        """`allowance` for the office (signing.may_read_office): every advisor's pay is not
        for every reader."""
        from ..domain.errors import Phrase
        from ..domain.signing import may_read_office, office_refusal

        month_range(month)
        if reader is not None:
            me = self.store.user(reader)
            if not may_read_office(me.grants, self.store.policy()):
                raise office_refusal(me.login, Phrase("the allowance sheet"))
        return self.allowance(month)

    def allowance_xlsx(self, month: str, reader: str | None) -> bytes:
        """The allowance page's download (exports.allowance_book): the lines by name, amounts
        as number cells, totals per unit and funder, the seal digest; for the office."""
        from ..exports.allowance_book import xlsx_bytes

        return xlsx_bytes(self.allowance_desk(month, reader))

    def allowance_desk(self, month: str, reader: str | None) -> dict[str, Any]:
        """The allowance page: the month's lines with names, class and unit names and the rule
        that computed each, and the totals per unit."""
        sheet: dict[str, Any] = dict(self.allowance_for(month, reader))
        names = {u["user"]: u["name"] for u in self.users()}
        classes = {c["class"]: c for c in self.classes()}
        units = {u["unit"]: u["name"] for u in self.units()}
        totals: dict[str, float] = {}
        lines = []
        for line in sheet["lines"]:
            known = classes.get(line["class"])
            unit = known["unit"] if known else ""
            lines.append(line | {"advisor_name": names.get(line["advisor"], line["advisor"]),
                                 "class_name": known["name"] if known else line["class"],
                                 "unit": unit, "unit_name": units.get(unit, unit)})
            totals[unit] = round(totals.get(unit, 0.0) + line["amount"], 2)
        sheet["lines"] = lines
        sheet["units"] = [{"unit": u, "name": units.get(u, u), "total": v}
                          for u, v in sorted(totals.items())]
        return sheet

    def norms_for(self, advisor: str, period: str, reader: str | None) -> dict[str, Any]:
        """`norms` for the advisor themself or the office (signing.may_read_work)."""
        from ..domain.signing import may_read_work

        if reader is not None:
            me, whose = self.store.user(reader), self.store.user(advisor)
            if not may_read_work(me.login, me.grants, whose.login, self.store.policy()):
                raise NotPermitted("{login} may read only their own work log and norms, "
                                   "not {advisor}'s", login=me.login, advisor=whose.login)
            advisor = whose.login
        return self.norms(advisor, period) | {"advisor_name": self.store.user(advisor).name}

    def log_form(self, reader: str) -> dict[str, Any]:
        """What the work-log form offers: the policy's activities, the reader's classes, the
        parent-contact triggers where the policy lists them."""
        me = self.store.user(reader)
        policy = self.store.policy()
        mine = [c for c in self.classes() if me.login in c["advisors"]]
        return {"activities": self.activities(), "classes": mine,
                "triggers": [{"key": t.key, "label": t.label} for t in policy.contact_triggers]}

    def _openable(self, grants: Any) -> list[str]:
        from ..domain.signing import openable

        paths = [()] + [tuple(self.store.unit(u["unit"]).path) for u in self.units()]
        return openable(self.store.policy(), grants, paths)

    def open_desk(self, reader: str) -> dict[str, Any]:
        """The `/open` page: the kinds `reader` may open (signing.may_open), with what their
        forms choose from: people by name, classes, the policy's dismissal grounds."""
        policy = self.store.policy()
        kinds = self._openable(self.store.user(reader).grants)
        return {"kinds": [{"kind": k, "label": policy.workflows[k].label,
                           "requires": list(policy.workflows[k].requires)} for k in kinds],
                "student": any("student" in policy.workflows[k].requires for k in kinds),
                "people": self.users(), "classes": self.classes(),
                "grounds": [{"key": g.key, "label": g.label}
                            for g in policy.dismissal_triggers if not g.automatic],
                "period": policy.period}

    # -- maintenance ----------------------------------------------------------------------

    def create_views(self) -> None:
        self.views.create()

    def rebuild(self) -> int:
        """Drop every view and project it again from the events; returns the event count."""
        return self.views.rebuild()

    def may_verify(self, login: str) -> bool:
        """Verifying from the web reads every event: administrators and auditors may ask."""
        from ..domain.signing import sees_everything

        return sees_everything(self.store.user(login).grants)

    def require_verifier(self, login: str) -> None:
        if not self.may_verify(login):
            raise NotPermitted("{login} may not run verify from the web; administrators and "
                               "auditors may", login=login)

    def verify(self, head: str | None = None, checkpoints: list[str] | None = None) -> Verified:
        """Recompute the seal over every stored event, reading only; `head`, if given, must be
        a link, and each checkpoint file's position must still hold its digest; then the views
        must be what the events make (viewcheck). The last run
        is remembered by this process (for the integrity page), never written to the store."""
        wanted = check_digest(head) if head else None
        started = self.store.clock().isoformat()
        try:
            result = cast("Verified", self.seal.verify(wanted, checkpoints))
            from .viewcheck import check_views

            result.update(cast("Verified", check_views(self.store.location, self._open_copy)))
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
        self.store.institution()
        position, head = self.seal.head()
        run = None if self._last_run is None else cast("VerifyRun", dict(self._last_run))
        if run is not None:
            run["at"] = local_iso(datetime.fromisoformat(run["at"]), self.offset())
        from .readmodels import Integrity

        return Integrity(position, head, run)

    # -- office documents (application/documents.py; written by exports/documents.py) ------

    def document(self, name: str, period: str | None = None, month: str | None = None,
                 unit: str | None = None, reader: str | None = None,
                 advisor: str | None = None) -> dict[str, Any]:
        """The office document `name` (公示名单, 考核汇总表, 津贴发放表, 评优名单, audit) as plain
        rows with the log position and seal digest it was made at; `reader` sees only what
        they may read."""
        from .documents import Asked, document

        return document(self, name, Asked(period, month, unit, advisor, reader))

    def document_bytes(self, name: str, fmt: str, period: str | None = None,
                       month: str | None = None, unit: str | None = None,
                       reader: str | None = None, advisor: str | None = None) -> bytes:
        """The document as an `xlsx` workbook or a printable `html` page."""
        if fmt not in ("xlsx", "html"):
            raise BadInput("format {fmt!r}: xlsx or html", fmt=fmt)
        if name == "advisor-record":  # one advisor's file: a document of its own shape
            return self.advisor_record_bytes(advisor, fmt, reader)
        return _written(self.document(name, period, month, unit, reader, advisor), fmt)

    def advisor_record_bytes(self, advisor: str | None, fmt: str,
                             reader: str | None = None) -> bytes:
        """One advisor's record (考核登记表 / 业务档案) as a workbook or a printable page."""
        import os
        import tempfile

        from ..exports.advisor_record import html_text, write_xlsx
        from .advisor_record import advisor_record

        if not advisor:
            raise BadInput("export advisor-record takes --advisor (advisor=USER)")
        record = advisor_record(self, advisor, None, reader)
        if fmt == "html":
            return html_text(record).encode("utf-8")
        folder = os.path.dirname(os.path.abspath(self.store.location.path)) \
            if self.store.location.is_sqlite else None
        with tempfile.TemporaryDirectory(prefix=".bzr-record-", dir=folder) as scratch:
            path = os.path.join(scratch, "record.xlsx")
            write_xlsx(record, path)
            with open(path, "rb") as handle:
                return handle.read()

    def result_figures(self, period: str, unit: str | None = None,
                       reader: str | None = None) -> dict[str, Any]:
        """The results page's figures: grades per unit, indicator averages, the quota's places
        (application/figures.py), only what `reader` may read."""
        from .figures import result_figures

        return result_figures(self, period, unit, reader)

    def allowance_figures(self, months: list[str], reader: str | None = None) -> dict[str, Any]:
        """Each month's allowance total per unit, for the allowance page."""
        from .figures import allowance_figures

        return allowance_figures(self, months, reader)

    def export(self, name: str, out: str, period: str | None = None, month: str | None = None,
               unit: str | None = None, force: bool = False,
               advisor: str | None = None) -> dict[str, Any]:
        """Write the document to `out` (.xlsx or .html), whole or not at all, never over the
        store or an existing file without `force` (exports.safe)."""
        from ..exports.safe import write_out

        fmt = export_format(out, self.store.location, force)
        doc = self.document(name, period, month, unit, None, advisor)
        body = _written(doc, fmt)

        def write(path: str) -> None:
            with open(path, "wb") as handle:
                handle.write(body)
        write_out(out, write, self.store.location, force)
        return {"document": name, "title": doc["title"], "file": out, "format": fmt,
                "scope": doc["scope"], "position": doc["position"], "head": doc["head"],
                "totals": {label: value for label, value in doc["totals"]}}

    # -- the appraisal pages (issue 21 items 1-2) -------------------------------------------

    def scoring_form(self, ref: str, reader: str,
                     entered: dict[str, str] | None = None) -> dict[str, Any] | None:
        """The scoring form of the case's step now for `reader` (None: nothing for them to
        score); `entered` previews a total and grade without writing anything."""
        from .appraisalview import AppraisalViews

        return AppraisalViews(self.store).scoring_form(ref, reader, entered)

    def announcements(self, period: str, reader: str) -> dict[str, Any]:
        """The period's 公示: public to every signed-in person; objectors for the office."""
        from .appraisalview import AppraisalViews

        return AppraisalViews(self.store).announcements(period, reader)


def form_format(out: str, fmt: str | None, location: Location | None = None,
                force: bool = False) -> str:
    """`docx` or `xlsx`: the form's format, from --format or the file's ending, into an
    existing folder; with the store's `location`, also a file `exports.safe.check_out` allows
    (not the store's, no link, replaced only with `force`). Checked before any store is opened."""
    from pathlib import Path

    kind = fmt or Path(out).suffix.lstrip(".").lower()
    if kind not in ("docx", "xlsx"):
        raise BadInput("--out {out}: give a .docx or .xlsx file, or --format", out=out)
    if not Path(out).resolve().parent.is_dir():
        raise BadInput("--out {out}: the folder does not exist", out=out)
    _check_out(out, location, force)
    return kind


def _written(doc: dict[str, Any], fmt: str) -> bytes:
    """The document's bytes, by the exports/ module its table row names."""
    from importlib import import_module

    writer = import_module(f"bzr_workflow.exports.{doc['writer']}")
    return cast(bytes, (writer.xlsx_bytes if fmt == "xlsx" else writer.html_bytes)(doc))


def export_format(out: str, location: Location | None = None, force: bool = False) -> str:
    """`xlsx` or `html`, from the file's ending, checked as `form_format` checks a file."""
    from pathlib import Path

    kind = Path(out).suffix.lstrip(".").lower()
    if kind not in ("xlsx", "html"):
        raise BadInput("--out {out}: give a .xlsx or .html file", out=out)
    if not Path(out).resolve().parent.is_dir():
        raise BadInput("--out {out}: the folder does not exist", out=out)
    _check_out(out, location, force)
    return kind


def sheet_format(month: str, out: str | None, location: Location | None = None,
                 force: bool = False) -> str:
    """A valid month, and `.csv`, `.xlsx` or "" (no file), as `form_format` checks a file:
    checked before any store is opened."""
    from pathlib import Path

    month_range(month)
    kind = Path(out).suffix.lower() if out else ""
    if out and (kind not in (".csv", ".xlsx") or not Path(out).resolve().parent.is_dir()):
        raise BadInput("--out {out}: give a .csv or .xlsx file in an existing folder", out=out)
    if out:
        _check_out(out, location, force)
    return kind


def _check_out(out: str, location: Location | None, force: bool) -> None:
    if location is not None:
        from ..exports.safe import check_out

        check_out(out, location, force)


class ViewSource(Protocol):
    def new_views(self) -> Views: ...


def views_of(app: ViewSource) -> Views:
    """A second, private set of views over `app`'s store (tests and the bench; commands read
    through `app.reads`, which keeps its own)."""
    return app.new_views()


def _ref_order(ref: str) -> int:
    return int(ref.rsplit("-", 1)[1])
