"""Bulk sign-off (`approve CASE...`, `approve --inbox`, POST /api/v1/batches, the batch page): each case signed as if alone, one batch id on every decision, a dry run that writes nothing."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from ..adapters import origin
from ..domain.errors import BadInput, WorkflowError
from ..domain.ids import normalise_ref
from ..domain.pipeline import OPEN
from ..domain.timefmt import zone
from .appraisal_effects import grade_quota_of
from .cases import Cases
from .dryrun import DryStore
from .ports import Store
from .readmodels import CaseRow
from .render import case_dict
from .service import Service
from .text import checked

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud or copied by hand


def new_batch_id(now: datetime) -> str:
    """`B-` + the local day (yymmdd) + six random characters of a 32-letter alphabet
    (`B-261203-7K3QXM`): it says when, reads aloud, and two batches of one day share an id
    with a chance below one in a billion each pair."""
    return f"B-{now:%y%m%d}-" + "".join(secrets.choice(ALPHABET) for _ in range(6))


@dataclass(frozen=True)
class Refused:
    """One case the batch did not sign, and the refusal it got (as if signed alone)."""

    case: str
    error: WorkflowError


@dataclass
class BatchOutcome:
    """What a batch did: the id on its decisions (None for a dry run, which records none, or
    a batch with nothing to sign), the cases signed (or that would be), those refused."""

    batch: str | None
    signed: list[str] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    dry_run: bool = False

    @property
    def exit_code(self) -> int:
        """0 when every case was signed, otherwise the highest code among the refusals."""
        return max((r.error.exit_code for r in self.refused), default=0)

    def as_json(self, say: Callable[[WorkflowError], str] = str) -> dict[str, Any]:
        """CLI.md's batch JSON; each refusal's line as `say` words it (the reader's language)."""
        return {"batch": self.batch, "dry_run": self.dry_run, "signed": list(self.signed),
                "refused": [{"case": r.case, "code": r.error.exit_code, "error": say(r.error),
                             "message_id": r.error.msgid} for r in self.refused]}


class Batches(Service):
    """Many cases signed at once, each by `Cases.approve` in a command of its own (so role,
    unit, separation of duties, complete scores and quotas hold exactly as for one), never
    stopping at a refusal. Cases waiting at a grade quota's step are signed in rank order
    (highest total first, equal totals in the order opened) in the places the list gives them,
    so a quota that takes only part of the batch places by rank, not by list order."""

    def __init__(self, store: Store, cases: Cases,
                 inbox: Callable[[str | None], list[CaseRow]]) -> None:
        super().__init__(store)
        self.cases, self.inbox = cases, inbox

    def approve(self, refs: Sequence[str], actor: str | None, comment: str | None = None,
                step: str | None = None, dry_run: bool = False,
                shown: Mapping[str, int] | None = None) -> BatchOutcome:
        """Sign each of `refs` (each pinned to `step`, if given; with `shown`, each only at the
        version it was shown at, else refused with exit 4); a dry run checks each the same
        way and writes nothing. Returns the outcome; an unknown or missing actor, or no case at
        all, is refused as a whole (exit 2)."""
        comment = checked(comment, "--comment")
        refs = list(dict.fromkeys(_key(r) for r in refs if r.strip()))
        if not refs:
            raise BadInput("no cases to sign: give one or more CASE, or --inbox")
        me = self.store.actor(actor)
        shown = {_key(k): v for k, v in (shown or {}).items()}
        if dry_run:
            return self._run(Cases(cast(Store, DryStore(self.store)), self.cases.holders), refs, me.login, comment,
                             step, shown, None)
        batch = new_batch_id(self.store.clock().astimezone(zone(self.store.policy().utc_offset)))
        came = origin.current() or origin.Origin("")
        with origin.coming_from(replace(came, batch=batch)):
            return self._run(self.cases, refs, me.login, comment, step, shown, batch)

    def approve_inbox(self, actor: str | None, kind: str | None = None,
                      step: str | None = None, comment: str | None = None,
                      dry_run: bool = False) -> BatchOutcome:
        """Sign every case of `actor`'s inbox (of one kind, at one step, if given: each pinned
        to it). An empty inbox signs nothing and records nothing."""
        self._check_filters(kind, step)
        rows = [r for r in self.inbox(actor)
                if (kind is None or r["kind"] == kind) and (step is None or r["step"] == step)]
        if not rows:
            checked(comment, "--comment")
            return BatchOutcome(None, dry_run=dry_run)
        return self.approve([r["id"] for r in rows], actor, comment, step, dry_run)

    def desk(self, actor: str) -> list[dict[str, Any]]:
        """The batch page's list: each case of `actor`'s inbox with its key figures (the
        subject by name, kind and step labels, total and grade where scored) and the version
        it is shown at, which the confirmation carries back (`approve(shown=...)`)."""
        out = []
        for row in self.inbox(actor):
            case = self.store.case(row["id"])
            shown = case_dict(case, self.store.case_policy(case))
            out.append({"id": shown["id"], "kind": shown["kind"],
                        "kind_label": shown["kind_label"], "step": shown["step"],
                        "step_label": shown["step_label"], "subject": shown["subject"],
                        "subject_name": row.get("subject_name") or shown["subject"],
                        "period": shown["period"], "total": shown.get("total"),
                        "grade": shown.get("grade"), "version": case.version})
        return out

    # -- one batch ------------------------------------------------------------------------

    def _run(self, cases: Cases, refs: list[str], actor: str, comment: str | None,
             step: str | None, shown: dict[str, int], batch: str | None) -> BatchOutcome:
        done = BatchOutcome(batch, dry_run=batch is None)
        for ref in self._ranked(cases.store, refs):
            try:
                cases.approve(ref, actor, comment, step, shown=shown.get(ref))
            except WorkflowError as exc:
                done.refused.append(Refused(ref, exc))
                continue
            done.signed.append(ref)
        if not done.signed:
            done.batch = None  # nothing recorded under it
        return done

    def _ranked(self, store: Store, refs: list[str]) -> list[str]:
        """`refs` in list order, except that the cases at a grade quota's step take the places
        those cases hold in the list best first (Ranking.decide's rule: highest total, then
        the order opened)."""
        at_quota: list[tuple[Decimal, datetime, str]] = []
        for ref in refs:
            try:
                case = store.case(ref)
            except WorkflowError:
                continue  # refused in its turn, in the words of a single approve
            policy = store.case_policy(case)
            rule = grade_quota_of(policy)
            if rule is not None and case.state == OPEN and case.step == rule.step:
                total = case.scored_outcome(policy)["total"]
                at_quota.append((-Decimal(str(total or 0)), case.created_on, ref))
        if len(at_quota) < 2:
            return refs
        best_first = iter(ref for _, _, ref in sorted(at_quota))
        places = {ref for _, _, ref in at_quota}
        return [next(best_first) if ref in places else ref for ref in refs]

    def _check_filters(self, kind: str | None, step: str | None) -> None:
        """`--kind` must be a kind the policy declares, `--step` a step of it (of any kind)."""
        policy = self.store.policy()
        if kind is not None and kind not in policy.workflows:
            raise BadInput("unknown kind (--kind): the policy's kinds are {kinds}",
                           kinds=", ".join(policy.workflows))
        kinds = [kind] if kind else list(policy.workflows)
        steps = [s for k in kinds for s in policy.workflow(k).step_ids()]
        if step is not None and step not in steps:
            raise BadInput("unknown step (--step): the steps are {steps}",
                           steps=", ".join(dict.fromkeys(steps)))


def _key(ref: str) -> str:
    """A case reference as stored (`r12` is R-12); one that is none stays as typed, to be
    refused in its turn like any other case of the batch."""
    try:
        return normalise_ref(ref)
    except BadInput:
        return ref.strip()
