"""Award commands: nomination with the 附件2 form (what it checks and saves: award_effects), the form itself."""

from __future__ import annotations

from typing import Any

from ..domain.errors import BadInput, RuleRefused
from ..exports.recommendation import form_model
from .award_effects import KIND
from .readers import require_readable
from .render import case_dict
from .service import Service
from .text import checked


class Awards(Service):
    """Nominating advisors for an award, and the 推荐表 of a nomination."""

    def nominate(self, advisor: str, period: str, deeds: str | None, distinction: str | None,
                 actor: str | None, early: bool = False) -> dict[str, Any]:
        """Open an award case for an advisor, with the recommendation form's fields filled in.
        Where the award follows the grade (Suzhou), there is nothing to nominate."""
        policy = self.app.policy()
        if policy.award and policy.award.follows_grade and KIND not in policy.workflows:
            grades = "/".join(policy.award.eligible_grades)
            raise RuleRefused(f"{policy.award.label or 'the award'} follows the grade under"
                              f" {policy.id}: every final {grades} result is rewarded when it"
                              " becomes final, with no nomination (see awards --period)")
        user = self.app.user(advisor)
        if not user.classes:
            raise RuleRefused(f"{advisor} advises no class now; awards go to serving advisors")
        klass = self.app.school_class(user.classes[0])
        data = {"deeds": checked(deeds, "--deeds"), "distinction": distinction or ""}
        return self.app.cases.open_case(KIND, user.login, klass.code, period, "", actor, data,
                                        early=early)

    def recommendation_form(self, ref: str, reader: str | None = None) -> dict[str, Any]:
        """The filled-in 推荐表 of an award case: fields at nomination, each level's opinion.
        A `reader` who may not read the case is refused so before its kind is looked at."""
        require_readable(self.app, ref, reader)
        case = self.app.case(ref)
        if case.kind != KIND:
            raise BadInput(f"{case.ref} is a {case.kind} case; forms are for award cases")
        policy = self.app.case_policy(case)
        history = self.app.cases.history(case.ref)
        names = {h["actor"]: self.app.user(h["actor"]).name for h in history if h["actor"]}
        return form_model(case_dict(case, policy), history, policy, names)
