"""Award commands: nomination with the 附件2 form, eligibility at every level, quota, profiles."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..domain.award_rules import check_eligible, places, rule_of
from ..domain.case import Case
from ..domain.errors import AlreadyExists, BadInput, RuleRefused
from ..domain.periods import parse_period
from ..domain.policy import Policy, Workflow
from ..domain.quota import AwardQuota
from ..domain.roster import PeriodRoster
from ..domain.timefmt import parse_date
from .appraisal import AppraisalCommands
from .cases import _text
from .personal import PERSONAL, PersonKeys, open_value, seal_value

KIND = "award"
PROFILE_FIELDS = {"gender": "性别", "ethnicity": "民族", "birth": "出生年月",
                  "education": "学历/学位", "political_status": "政治面貌"}
OTHER_FIELDS = {"employment": "专职/兼职", "phone": "联系电话", "address": "通信地址",
                "id_number": "身份证号"}


class AwardCommands(AppraisalCommands):
    def update_user(self, login: str, fields: dict[str, str | None],
                    actor: str | None) -> dict[str, Any]:
        """Record profile fields the forms need; an empty value clears one."""
        given = {k: (v or "").strip() for k, v in fields.items() if v is not None}
        unknown = sorted(set(given) - {"name", *PROFILE_FIELDS, *OTHER_FIELDS})
        if unknown or not given:
            flags = ", ".join("--" + k.replace("_", "-") for k in [*PROFILE_FIELDS, *OTHER_FIELDS])
            raise BadInput(f"give one or more of: --name, {flags}")
        if given.get("birth"):
            given["birth"] = parse_date(given["birth"] + "-01")[:7]

        def command() -> dict[str, Any]:
            self.require_admin(actor)
            user = self.user(login)
            values = {k: _text(v, k) for k, v in given.items()}
            if any(k in PERSONAL and v for k, v in values.items()):
                key = PersonKeys(self.location).ensure(login)
                values = {k: seal_value(key, v) if k in PERSONAL and v else v
                          for k, v in values.items()}
            user.update_profile(values, str(actor))
            self.save(user)
            return {"user": user.login, "name": user.name, **self.profile(user)}
        return self.attempt(command)

    def profile(self, user: Any) -> dict[str, str]:
        """A person's profile in clear; personal fields read as erased once their key is gone."""
        key = PersonKeys(self.location).get(user.login) \
            if any(k in PERSONAL for k in user.profile) else None
        return {k: open_value(key, v) for k, v in user.profile.items()}

    def erase_person(self, login: str, actor: str | None) -> dict[str, Any]:
        """Destroy the person's key: their personal fields read as erased everywhere, while every
        stored event, and so the seal, stays as it was."""
        def command() -> dict[str, Any]:
            self.require_admin(actor)
            user = self.user(login)
            user.erased(str(actor))
            self.save(user)
            return {"user": user.login, "erased": PersonKeys(self.location).erase(login),
                    "fields": sorted(k for k in user.profile if k in PERSONAL)}
        return self.attempt(command)

    def nominate(self, advisor: str, period: str, deeds: str | None, distinction: str | None,
                 actor: str | None) -> dict[str, Any]:
        """Open an award case for an advisor, with the recommendation form's fields filled in."""
        user = self.user(advisor)
        if not user.classes:
            raise RuleRefused(f"{advisor} advises no class now; awards go to serving advisors")
        klass = self.school_class(user.classes[0])
        data = {"deeds": _text(deeds, "--deeds"), "distinction": distinction or ""}
        return self.open_case(KIND, advisor, klass.code, period, "", actor, data)

    def recommendation_form(self, ref: str) -> dict[str, Any]:
        """The filled-in 推荐表 of an award case: fields at nomination, each level's opinion."""
        from ..exports.recommendation import form_model

        case = self.case(ref)
        if case.kind != KIND:
            raise BadInput(f"{case.ref} is a {case.kind} case; forms are for award cases")
        policy = self.case_policy(case)
        history = self.history(case.ref)
        names = {h["actor"]: self.user(h["actor"]).name for h in history if h["actor"]}
        from .render import case_dict

        return form_model(case_dict(case, policy), history, policy, names)

    # -- hooks: what an award case saves beside itself ----------------------------------

    def _prepare_opening(self, kind: str, policy: Policy, subject: str, period: str,
                         unit_path: list[str], data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if kind != KIND:
            return super()._prepare_opening(kind, policy, subject, period, unit_path, data)
        award = policy.sections.get("award", {})
        period = parse_period(period, policy.period)
        rule = rule_of(award, data.get("distinction", ""))
        advisor = self.user(subject)
        check_eligible(rule, advisor.results, period, advisor.login)
        roster = self._award_roster(rule["key"], period)
        if subject in roster.cases:
            raise AlreadyExists(f"{subject} is already nominated for {rule['label']} {period}"
                                f" ({roster.cases[subject]})")
        unit = unit_path[-1] if unit_path else ""
        return period, data | {"form": self._form(unit, data, advisor, award)}

    def _opening_effects(self, case: Case, policy: Policy) -> list[Any]:
        if case.kind != KIND:
            return super()._opening_effects(case, policy)
        roster = self._award_roster(case.data.get("distinction", ""), case.period)
        roster.list_cases({case.subject: case.ref}, {case.subject: case.unit})
        return [roster]

    def _award_roster(self, distinction: str, period: str) -> PeriodRoster:
        return self.load_or_start(PeriodRoster, kind=f"{KIND}:{distinction}", period=period)

    def _form(self, unit: str, data: dict[str, Any], advisor: Any,
              award: dict[str, Any]) -> dict[str, str]:
        """附件2's fields as they stood at nomination."""
        site = self.unit(unit).name if unit else ""
        known = {"姓名": advisor.name, "所在校外教学点": site, "主要事迹": data.get("deeds", "")}
        profile = self.profile(advisor)
        known |= {label: profile.get(key, "") for key, label in PROFILE_FIELDS.items()}
        fields = award.get("form_fields") or list(known)
        return {f: known.get(f, "") for f in fields}

    def _signing_effects(self, case: Case, policy: Policy, wf: Workflow, actor: str) -> list[Any]:
        if case.kind != KIND:
            return super()._signing_effects(case, policy, wf, actor)
        award = policy.sections.get("award", {})
        rule = rule_of(award, case.data.get("distinction", ""))
        check_eligible(rule, self.user(case.subject).results, case.period, case.subject)
        quota_step = award.get("quota_step") or wf.final_step.id
        limit = places(award, rule, self._appraised(case, award))
        if case.last["step"] != quota_step or limit is None:
            return []
        quota = self._quota(case, award, rule)
        quota.take(case.ref, case.subject, limit, rule["label"])
        return [quota]

    def _publication_effects(self, case: Case, policy: Policy, wf: Workflow,
                             actor: str) -> list[Any]:
        if case.kind == KIND:
            award = policy.sections.get("award", {})
            amount = award.get("amount")
            case.grant_award(str(Decimal(str(amount))) if amount is not None else "",
                             bool(award.get("certificate")))
        return super()._publication_effects(case, policy, wf, actor)

    def _ending_effects(self, case: Case, policy: Policy, wf: Workflow) -> list[Any]:
        """A vetoed, returned or withdrawn nomination gives its place back."""
        if case.kind != KIND:
            return super()._ending_effects(case, policy, wf)
        award = policy.sections.get("award", {})
        quota_id = self._quota_id(case, award, rule_of(award, case.data.get("distinction", "")))
        if not self.exists(quota_id):
            return []
        quota: AwardQuota = self.repository.get(quota_id)
        quota.release(case.ref)
        return [quota]

    def _scope(self, case: Case, award: dict[str, Any]) -> str:
        return case.unit or "*" if award.get("quota_scope") == "unit" else "*"

    def _appraised(self, case: Case, award: dict[str, Any]) -> int:
        """The quota's denominator: advisors appraised in the period (in the unit, if so scoped)."""
        roster = self._roster(case.period)
        scope = self._scope(case, award)
        if scope == "*":
            return len(roster.cases)
        return sum(1 for a in roster.cases if roster.units.get(a) == scope)

    def _quota_id(self, case: Case, award: dict[str, Any], rule: dict[str, Any]) -> Any:
        return AwardQuota.create_id(f"{KIND}:{rule['key']}", case.period, self._scope(case, award))

    def _quota(self, case: Case, award: dict[str, Any], rule: dict[str, Any]) -> AwardQuota:
        return self.load_or_start(AwardQuota, award=f"{KIND}:{rule['key']}", period=case.period,
                                  scope=self._scope(case, award))
