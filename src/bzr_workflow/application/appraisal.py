"""Appraisal commands: bulk opening, self-summary, scores, veto items, 公示 objections, finalisation."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..domain.case import Case
from ..adapters.files import Batch, FileStore
from ..domain.errors import BadInput, NotFound, NotPermitted, Phrase, RuleRefused
from ..domain.institution import Institution
from ..domain.periods import parse_period
from ..domain.roster import PeriodRoster
from ..domain.signing import may_open
from ..domain.user import User
from .appraisal_effects import KIND, appraisal_roster
from .cases import run_decision
from .effects import effects_of, run
from .hooks import Decided
from .delegation import Acting, find_signer
from .readers import refuse_unreadable
from .opening import counter, new_case
from .render import SiblingDicts, case_dict
from .ports import Store
from .service import Service
from .targets import Target
from .text import checked

Progress = Callable[[int], None]
CHUNK = 1000  # bulk opening: events mapped and stored per chunk, in the one transaction


def parse_items(pairs: Sequence[str], what: str) -> dict[str, str]:
    """KEY=VALUE pairs from the command line."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise BadInput("{what} {pair!r}: write KEY=VALUE", what=what, pair=pair)
        out[key.strip()] = value.strip()
    return out


class Appraisals(Service):
    """Appraisal commands: opening a period's cases (for targets the caller read first:
    `reads.appraisal_targets`), summaries (with their attached files, kept in `files`),
    scores, veto items, 公示, finalising."""

    def __init__(self, store: Store, files: FileStore) -> None:
        super().__init__(store)
        self.files = files

    def open_appraisals(self, period: str, targets: Sequence[Target], actor: str | None,
                        explicit: bool, progress: Progress | None = None, early: bool = False
                        ) -> Sequence[dict[str, Any]]:
        """One case per advisor, all in one transaction; advisors who have one are skipped.
        A period that has not begun under the calendar is refused unless `early`."""
        def command() -> Sequence[dict[str, Any]]:
            me, inst = self.store.actor(actor), self.store.institution()
            policy = self.store.policy(inst=inst)
            canonical = parse_period(period, policy.period)
            roster = appraisal_roster(self.store, canonical)
            paths: dict[str, list[str]] = {}
            todo: list[Target] = []
            seen: set[str] = set()
            for advisor, klass, unit in targets:
                if advisor in roster.cases or advisor in seen:
                    continue
                if unit not in paths:
                    paths[unit] = self.store.unit(unit).path
                if self._may_open(me, paths[unit], inst, explicit, advisor):
                    todo.append((advisor, klass, unit))
                    seen.add(advisor)
            if todo:  # after the permission checks: who may not open it is told that first
                self.store.require_begun(canonical, policy, early, inst)
            return self._open_many(inst, me.login, canonical, roster, todo, paths, progress)
        return self.store.attempt(command)

    def _may_open(self, me: User, path: list[str], inst: Institution, explicit: bool,
                  who: str) -> bool:
        wf = self.store.policy_for_unit(path, inst).workflow(KIND)
        if may_open(wf, me.grants, path):
            return True
        if explicit:
            raise NotPermitted("{open_label} for {who} is done by a {opened_by} of {unit}; "
                               "{login} is not one", open_label=wf.open_label, who=who,
                               opened_by=wf.opened_by,
                               unit=path[-1] if path else Phrase("the institution"),
                               login=me.login)
        return False

    def _open_many(self, inst: Institution, opener: str, period: str, roster: PeriodRoster,
                   todo: list[Target], paths: dict[str, list[str]],
                   progress: Progress | None) -> Sequence[dict[str, Any]]:
        if not todo:
            return []
        base = self.store.policy(inst=inst)
        refs_counter = counter(self.store, base.workflow(KIND).prefix)
        refs = refs_counter.allocate(len(todo))
        leaf = {unit: path[-1] if path else "" for unit, path in paths.items()}  # a case's unit
        roster.list_cases({t[0]: ref for t, ref in zip(todo, refs)},
                          {t[0]: leaf[t[2]] for t in todo})
        shown = SiblingDicts()
        # The first case under each rule set is built as an aggregate; its siblings' Opened
        # events and dicts are copies with their identity changed (a test holds them equal).
        # Events are stored a chunk at a time as they are made, in one transaction.
        first: dict[int, tuple[Case.Opened, dict[str, Any]]] = {}

        def chunks() -> Iterator[list[Any]]:
            chunk: list[Any] = [refs_counter, roster]
            for n, ((advisor, klass, unit), ref) in enumerate(zip(todo, refs), 1):
                refinement, path = inst.refinement_for(paths[unit]), paths[unit]
                if refinement in first:
                    opened, shape = first[refinement]
                    chunk.append(Case.opened_like(opened, ref, advisor, path, klass))
                else:
                    policy = self.store.policy(inst=inst, refinement=refinement)
                    case = new_case(ref, policy.workflow(KIND), inst.current_version,
                                          refinement, subject=advisor, opener=opener,
                                          unit_path=path, class_code=klass, period=period)
                    shape = case_dict(case, policy)
                    first[refinement] = (case.pending_events[0], shape)  # type: ignore[assignment]
                    chunk.append(case)
                shown.add(ref, advisor, klass, leaf[unit], shape)
                if n % CHUNK == 0:
                    yield chunk
                    chunk = []
                if progress and n % 100 == 0:
                    progress(100)
            yield chunk

        self.store.save_streamed(chunks())
        if progress:
            progress(len(todo) % 100)
        return shown

    def submit_summary(self, ref: str, actor: str | None, text: str,
                       attachments: Batch | None = None) -> dict[str, Any]:
        """The self-summary; `attachments`, files already streamed in and checked, are moved
        into the store's folder once the summary is decided, just before it is saved."""
        text = checked(text, "the self-summary")

        def command() -> dict[str, Any]:
            me = self.store.actor(actor)
            case = self._appraisal(ref, me)
            case.may_submit_summary(me.login)
            records = attachments.place() if attachments is not None and len(attachments) \
                else []
            case.submit_summary(me.login, text, records)
            self.store.save(case)
            return case_dict(case, self.store.case_policy(case))
        try:
            return self.store.attempt(command)
        finally:
            if attachments is not None:
                attachments.discard()

    def may_attach(self, ref: str, actor: str | None) -> None:
        """Refuse, before an upload is read, whoever may not submit the self-summary of `ref`
        now (the reading rule first: a stranger is told only that they may not read it)."""
        me = self.store.actor(actor)
        self._appraisal(ref, me).may_submit_summary(me.login)

    def attachment(self, ref: str, actor: str | None, digest: str) -> tuple[str, dict[str, Any]]:
        """The stored file `digest` attached to `ref` and what the summary says of it (name,
        type, size), for a reader of the case."""
        me = self.store.actor(actor)
        case = self.store.case(ref)
        refuse_unreadable(self.store, case, me.login, me.grants)
        for record in case.attachments:
            if record["digest"] == digest:
                return self.files.existing(digest), dict(record)
        raise NotFound("{ref} has no attached file {digest}", ref=case.ref, digest=digest[:80])

    def score(self, ref: str, actor: str | None, items: Sequence[str],
              bonus: Sequence[str] = ()) -> dict[str, Any]:
        def command() -> dict[str, Any]:
            me = self.store.actor(actor)
            case, who = self._signing(ref, me)  # the reading rule before the scores are judged
            scores, extra = parse_items(items, "--item"), parse_items(bonus, "--bonus")
            if not scores and not extra:
                raise BadInput("give at least one --item KEY=VALUE (or --bonus KEY=VALUE)")
            policy, wf, _ = self.store.case_rules(case)
            run_decision(case, who.grants, policy,
                         lambda: case.score(me.login, who.grants, policy, wf, scores, extra,
                                            who.on_behalf_of))
            self.store.save(case)
            return case_dict(case, policy)
        return self.store.attempt(command)

    def flag_veto(self, ref: str, actor: str | None, item: str, reason: str | None,
                  clear: bool = False) -> dict[str, Any]:
        reason = checked(reason, "--reason")

        def command() -> dict[str, Any]:
            me = self.store.actor(actor)
            case, who = self._signing(ref, me)
            policy, wf, _ = self.store.case_rules(case)
            case.flag_veto(me.login, who.grants, policy, wf, item, reason,
                           self.store.today(policy), clear, who.on_behalf_of)
            self.store.save(case)
            return case_dict(case, policy)
        return self.store.attempt(command)

    def lodge_objection(self, ref: str, actor: str | None, reason: str | None) -> dict[str, Any]:
        reason = checked(reason, "--reason")

        def command() -> dict[str, Any]:
            me, case = self.store.actor(actor), self.store.case(ref)
            policy = self.store.case_policy(case)
            today = self.store.today(policy)
            if not _announced(case, today):  # 公示 makes a case public: anyone may object
                self._acted_on(case, me)
            case.lodge_objection(me.login, reason, today)
            self.store.save(case)
            return case_dict(case, policy)
        return self.store.attempt(command)

    def resolve_objection(self, ref: str, actor: str | None, number: int, upheld: bool,
                          comment: str | None) -> dict[str, Any]:
        comment = checked(comment, "--comment")

        def command() -> dict[str, Any]:
            me = self.store.actor(actor)
            case = self._appraisal(ref, me)
            policy, wf, _ = self.store.case_rules(case)
            case.resolve_objection(me.login, me.grants, policy, wf, number, upheld, comment)
            moved = run(effects_of(case.kind).on_ended, self.store,
                                              Decided(case, policy, wf, me.login)) \
                if case.state == "open" else []  # upheld: re-graded, so its place is given back
            self.store.save(case, *moved)
            return case_dict(case, policy)
        return self.store.attempt(command)

    def finalise(self, ref: str, actor: str | None) -> dict[str, Any]:
        def command() -> dict[str, Any]:
            me = self.store.actor(actor)
            case = self._appraisal(ref, me)
            policy, wf, _ = self.store.case_rules(case)
            case.finalise(me.login, me.grants, policy, wf, self.store.today(policy))
            moved = run(effects_of(case.kind).on_final, self.store, Decided(case, policy, wf,
                                                                             me.login))
            self.store.save(case, *moved)
            return case_dict(case, policy)
        return self.store.attempt(command)

    def finalise_period(self, period: str, actor: str | None) -> dict[str, Any]:
        """Finalise every appraisal of the period whose announcement is over; say why not the rest."""
        canonical = parse_period(period, self.store.policy().period)
        done, waiting = [], {}
        for ref in sorted(appraisal_roster(self.store, canonical).cases.values(), key=_ref_order):
            try:
                self.finalise(ref, actor)
                done.append(ref)
            except (RuleRefused, NotPermitted) as exc:
                waiting[ref] = str(exc)
        return {"period": canonical, "finalised": done, "not_finalised": waiting}

    def _appraisal(self, ref: str, me: User) -> Case:
        """The appraisal `ref`, for `me` to act on: a case they may not read is refused so
        before anything else about it (even its kind) is said."""
        return self._acted_on(self.store.case(ref), me)

    def _signing(self, ref: str, me: User) -> tuple[Case, Acting]:
        """The appraisal `ref` and who acts on it: `me`, or `me` as a holder's deputy (then
        the holder's reading, see delegation.find_signer)."""
        case = self.store.case(ref)
        policy, wf, _ = self.store.case_rules(case)
        who, blocked = find_signer(self.store, case, me, policy, wf)
        if not who.on_behalf_of:
            if blocked is not None:
                raise blocked
            self._acted_on(case, me)
        elif case.kind != KIND:
            raise BadInput("{ref} is a {kind} case, not an appraisal", ref=case.ref,
                           kind=case.kind)
        return case, who

    def _acted_on(self, case: Case, me: User) -> Case:
        refuse_unreadable(self.store, case, me.login, me.grants)
        if case.kind != KIND:
            raise BadInput("{ref} is a {kind} case, not an appraisal", ref=case.ref,
                           kind=case.kind)
        return case


def _announced(case: Case, today: str) -> bool:
    """Whether the case is under public announcement (公示) today: published, not final, its
    announcement running. Such a case is shown to all, and anyone may object to it; of any
    other case, a stranger is told only that they may not read it."""
    notice = case.announcement
    return (case.kind == KIND and case.state == "published" and not case.final
            and bool(notice) and today <= str(notice["until"]))


def _ref_order(ref: str) -> int:
    return int(ref.rsplit("-", 1)[1])
