"""What an award case checks and saves beside itself: the nomination roster, the 附件2 form, the quota."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate

from ..domain.award_rules import AwardRules
from ..domain.errors import AlreadyExists, BadInput
from ..domain.policy import Policy
from ..domain.periods import YEAR_FORM, parse, parse_period
from ..domain.quota import PlacesQuota
from ..domain.roster import PeriodRoster, roster_size
from ..domain.user import User
from .appraisal_effects import appraisal_roster
from .hooks import Decided, Opening
from .organisation import PROFILE_FIELDS, profile_of
from .ports import Store

KIND = "award"


def rules_of(policy: Policy) -> AwardRules:
    """The policy's [award] rules; without that section, none: any advisor may be nominated,
    places are unlimited, and publication gives nothing but the title."""
    return policy.award or AwardRules(quota_step=policy.workflow(KIND).final_step.id)


def prepare(store: Store, o: Opening) -> tuple[str, dict[str, Any]]:
    """A nomination names an eligible advisor not yet nominated, and carries its form."""
    award = rules_of(o.policy)
    award.require_distinction(o.data.get("distinction", ""))
    rule = award.rule(o.data.get("distinction", ""))
    period = _period(o.period, award.period_kind(o.policy.period), rule.label)
    advisor = store.user(o.subject)
    rule.check_eligible(advisor.results, period, advisor.login)
    award.check_result(advisor.results, period, advisor.login)
    roster = _roster(store, rule.key, period)
    if o.subject in roster.cases:
        raise AlreadyExists("{subject} is already nominated for {label} {period} ({case})",
                            subject=o.subject, label=rule.label, period=period,
                            case=roster.cases[o.subject])
    unit = o.unit_path[-1] if o.unit_path else ""
    return period, o.data | {"form": _form(store, unit, o.data, advisor, award)}


def _period(text: str, kind: str, label: str) -> str:
    """The nomination's period, of the kind the award is given by."""
    period = parse(text)
    if period.kind != kind and kind == "year":
        raise BadInput("period {text!r}: {label} is given by school year; write it like "
                       "{YEAR_FORM}", text=text, label=label, YEAR_FORM=YEAR_FORM)
    return parse_period(text, kind)


def list_nomination(store: Store, d: Decided) -> list[Aggregate]:
    roster = _roster(store, d.case.data.get("distinction", ""), d.case.period)
    roster.list_cases({d.case.subject: d.case.ref}, {d.case.subject: d.case.unit})
    return [roster]


def take_place(store: Store, d: Decided) -> list[Aggregate]:
    """Still eligible at every level; signing the quota step takes one of the places."""
    case, award = d.case, rules_of(d.policy)
    rule = award.rule(case.data.get("distinction", ""))
    rule.check_eligible(store.user(case.subject).results, case.period, case.subject)
    limit = award.places(rule, roster_size(appraisal_roster(store, case.period),
                                           award.scope(case.unit)))
    if case.last["step"] != award.quota_step or limit is None:
        return []
    quota = store.load_or_start(PlacesQuota, **PlacesQuota.of_award(
        KIND, rule.key, case.period, award.scope(case.unit)))
    quota.take(case.ref, case.subject, limit, rule.label)
    return [quota]


def give_place_back(store: Store, d: Decided) -> list[Aggregate]:
    """A vetoed, returned or withdrawn nomination gives its place back."""
    award = rules_of(d.policy)
    rule = award.rule(d.case.data.get("distinction", ""))
    quota: PlacesQuota | None = store.find(PlacesQuota.create_id(**PlacesQuota.of_award(
        KIND, rule.key, d.case.period, award.scope(d.case.unit))))
    if quota is None:
        return []
    quota.release(d.case.ref)
    return [quota]


def _roster(store: Store, distinction: str, period: str) -> PeriodRoster:
    return store.load_or_start(PeriodRoster, kind=f"{KIND}:{distinction}", period=period)


def _form(store: Store, unit: str, data: dict[str, Any], advisor: User,
          award: AwardRules) -> dict[str, str]:
    """附件2's fields as they stood at nomination."""
    site = store.unit(unit).name if unit else ""
    known = {"姓名": advisor.name, "所在校外教学点": site, "主要事迹": data.get("deeds", "")}
    profile = profile_of(store, advisor)
    known |= {label: profile.get(key, "") for key, label in PROFILE_FIELDS.items()}
    # Each policy's form has the fields it lists (Guilin 附件2); a policy that lists none gets
    # the name and deeds alone, never another institution's boxes (所在校外教学点 is Guilin's).
    fields = list(award.form_fields) or ["姓名", "主要事迹"]
    return {f: known.get(f, "") for f in fields}
