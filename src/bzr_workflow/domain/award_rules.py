"""Who may receive an award: the grade it needs in the period, or a run of results, and its places."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .consequences import NO_RESULT, GradeRun
from .periods import SEMESTER, previous, year_of
from .errors import BadInput, Phrase, RuleRefused
from .grading import dec

Results = dict[str, dict[str, str]]


def share_of(share: Decimal, basis: int, rounding: str) -> int:
    """Places a share of `basis` gives, rounded "floor" (never above the share), "ceil" or
    "round" (half up): 15 % of 19 is 2.85, so 2, 3 or 3."""
    exact = share * basis
    if rounding == "ceil":
        return math.ceil(exact)
    if rounding == "round":
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return math.floor(exact)


class NotEligible(RuleRefused):
    """The advisor's results do not meet the award's rule."""


@dataclass(frozen=True, kw_only=True)
class AwardRule(GradeRun):
    """An eligibility rule: the award's own (key "") or one of its distinctions (Aksu's 十佳).

    A distinction's `reward` and `note` are documentary.
    """

    key: str = ""
    label: str
    places: int | None = None
    """A distinction's own number of places; None = no limit of its own."""
    certificate: bool = False
    """The distinction gives a certificate (Aksu 第三十二条 颁发荣誉证书)."""

    def result_period(self, results: Results, period: str) -> str:
        """The period whose result a nomination reads: itself, or, for a semester's award
        where results are yearly (Hefei 评优 each semester on a yearly appraisal), the latest
        school year's result then: the semester's own year if it is out, else the year before."""
        if self.results_by != "year" or not SEMESTER.match(period) or self.consecutive > 1:
            return period
        year = year_of(period)
        return year if year in results or previous(year) not in results else previous(year)

    def check_eligible(self, results: Results, period: str, who: str) -> list[str]:
        """The results that make `who` eligible; a refusal names the rule and the result that
        failed."""
        if not self.grades:
            return []
        period = self.result_period(results, period)
        causes = self.qualifying(results, period)
        if causes:
            return causes
        need = " or ".join(self.grades)
        if self.consecutive <= 1:
            span = Phrase(" in {period}", period=period)
        elif self.unit == "semester":
            span = Phrase(" in {consecutive} consecutive semesters up to {period}",
                          consecutive=self.consecutive, period=period)
        elif self.unit == "year":
            span = Phrase(" in {consecutive} consecutive years up to {period}",
                          consecutive=self.consecutive, period=period)
        else:
            span = Phrase(" in {consecutive} consecutive periods up to {period}",
                          consecutive=self.consecutive, period=period)
        if self.by_year(period):
            where, short = self.year_shortfall(results, period)
            got: str | Phrase = short if short != NO_RESULT else \
                Phrase("no final appraisal result")
            raise NotEligible("{who} is not eligible for {label}: it needs {need}{span} (both "
                              "semesters); {where}: {got}", who=who, label=self.label, need=need,
                              span=span, where=where, got=got)
        held = results.get(period)
        got = f"{held['grade']} ({held['case']})" if held else \
            Phrase("no final appraisal result")
        raise NotEligible("{who} is not eligible for {label}: it needs {need}{span}; {period}: "
                          "{got}", who=who, label=self.label, need=need, span=span, period=period,
                          got=got)


@dataclass(frozen=True, kw_only=True)
class AwardRules:
    """The policy's [award]: who is eligible, how many places, at which step they are counted,
    and what publication gives. `period` and `note` are documentary."""

    label: str | None = None
    period: str = ""
    """"year" where the award is given by school year (Aksu), so a nomination names one;
    otherwise it names the appraisal's period."""
    results_by: str = ""
    """The appraisal's period ("semester" or "year"): how the results it reads are keyed."""
    eligible_grades: tuple[str, ...] = ()
    consecutive_years: int = 1
    """The award's own rule needs an eligible grade this many school years running."""
    quota_share: Decimal | None = None
    """The award's places as a share of `quota_basis`, rounded per `rounding` (Aksu's 十佳 by
    share; a grade's share, Suzhou's 15 % of 优秀, is `appraisal_rules.GradeQuota`)."""
    quota_places: int | None = None
    quota_basis: str = "appraised"
    """What the share is taken of: "appraised" = advisors appraised in the period and scope."""
    quota_scope: str = "institution"
    rounding: str = "floor"
    quota_step: str
    """The step whose signature takes a place (default: the award workflow's final step)."""
    amount: Decimal | None = None
    certificate: bool = False
    form_fields: tuple[str, ...] = ()
    form_title: str = ""
    follows_grade: bool = False
    """The award follows the grade by itself (Suzhou 第十条 二、2): every final result with an
    eligible grade is rewarded by the engine when it becomes final, with no nomination."""
    distinctions: tuple[AwardRule, ...] = ()
    roles: tuple[str, ...] = ()
    """The award is for holders of these roles (Jiyuan 优秀辅导员: counsellor), nominated in
    the unit where they hold it, with or without a class; () = for advisors of a class."""
    requires_result: bool = False
    """A nomination needs the nominee's final appraisal result in the period, whatever its
    grade (Jiyuan 四: 考核结果作为系部评选优秀辅导员的依据)."""

    def check_result(self, results: Results, period: str, who: str) -> None:
        """Where the award is chosen on the appraisal result, the period's result exists."""
        if self.requires_result and period not in results:
            raise NotEligible("{who} has no final appraisal result for {period}: {label} is "
                              "selected on it", who=who, period=period,
                              label=self.label or Phrase("the award"))

    def rule(self, distinction: str = "") -> AwardRule:
        """The eligibility rule: the award's own, or one of its distinctions (Aksu's 十佳)."""
        if not distinction:
            return AwardRule(key="", label=self.label if self.label is not None else "award",
                             grades=self.eligible_grades, consecutive=self.consecutive_years,
                             unit="year" if self.consecutive_years > 1 else "",
                             results_by=self.results_by)
        for d in self.distinctions:
            if d.key == distinction:
                return d
        keys = ", ".join(d.key for d in self.distinctions) or "none"
        raise RuleRefused("unknown distinction {distinction!r}; the policy has: {keys}",
                          distinction=distinction, keys=keys)

    def period_kind(self, appraisal_period: str) -> str:
        """What a nomination's period is: the award's own (a school year for Aksu, a semester
        for Hefei's 每学期评优), otherwise the appraisal's period."""
        return self.period or appraisal_period

    def require_distinction(self, distinction: str) -> None:
        """Where the policy defines only distinctions (Aksu), a nomination names one."""
        if distinction or self.eligible_grades or not self.distinctions:
            return
        names = ", ".join(f"{d.key} ({d.label})" for d in self.distinctions)
        raise BadInput("name a distinction with --distinction: {names}", names=names)

    def places(self, rule: AwardRule, appraised: int) -> int | None:
        """How many may receive `rule`, or None where the policy sets no limit; `appraised` is
        the quota's basis (advisors appraised in the period, within the quota's scope)."""
        if rule.key:
            return rule.places or None
        if self.quota_places is not None:
            return self.quota_places
        if self.quota_share is None:
            return None
        return share_of(self.quota_share, appraised, self.rounding)

    def scope(self, unit: str) -> str:
        """The quota's scope for a case in `unit`: that unit, or "*" for the institution."""
        return (unit or "*") if self.quota_scope == "unit" else "*"

    def granted(self, distinction: str = "") -> tuple[str, bool]:
        """What publication gives: the amount as text ("" = none) and whether a certificate;
        a distinction's own certificate counts (Aksu 第三十二条 颁发荣誉证书)."""
        own = any(d.certificate for d in self.distinctions if distinction and d.key == distinction)
        return (str(self.amount) if self.amount is not None else "", self.certificate or own)

    @property
    def title(self) -> str:
        """The recommendation form's title (附件2)."""
        return self.form_title or f"{self.label or ''}推荐表"


def distinction_of(table: Mapping[str, Any], results_by: str = "") -> AwardRule:
    return AwardRule(key=table["key"], label=table["label"], results_by=results_by,
                     grades=tuple(table["eligible_grades"]),
                     consecutive=int(table.get("consecutive", 1)), unit=table.get("unit", ""),
                     places=int(table["places"]) if table.get("places") else None,
                     certificate=bool(table.get("certificate")))


def award_of(table: Mapping[str, Any], final_step: str, results_by: str = "") -> AwardRules:
    """The typed rules of a validated [award] table; `final_step` is the award workflow's last
    step, where places are taken unless `quota_step` says otherwise; `results_by` is the
    appraisal's period."""
    return AwardRules(
        label=table.get("label"), period=table.get("period", ""), results_by=results_by,
        eligible_grades=tuple(table.get("eligible_grades", [])),
        consecutive_years=int(table.get("consecutive_years", 1)),
        quota_share=dec(table["quota_share"]) if "quota_share" in table else None,
        quota_places=int(table["quota_places"]) if "quota_places" in table else None,
        quota_basis=table.get("quota_basis", "appraised"),
        quota_scope=table.get("quota_scope", "institution"),
        rounding=table.get("rounding", "floor"),
        quota_step=table.get("quota_step") or final_step,
        amount=dec(table["amount"]) if table.get("amount") is not None else None,
        certificate=bool(table.get("certificate")),
        form_fields=tuple(table.get("form_fields") or ()), form_title=table.get("form_title", ""),
        follows_grade=bool(table.get("follows_grade")),
        distinctions=tuple(distinction_of(d, results_by) for d in table.get("distinctions", [])),
        roles=tuple(table.get("roles", [])), requires_result=bool(table.get("requires_result")))
