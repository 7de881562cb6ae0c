"""Award commands: nomination with the 附件2 form (what it checks and saves: award_effects), the form itself."""

from __future__ import annotations

from typing import Any

from ..domain.errors import BadInput, Phrase, RuleRefused
from ..exports.recommendation import form_model
from .award_effects import KIND
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
            raise RuleRefused("{award} follows the grade under {id}: every final {grades} "
                              "result is rewarded when it becomes final, with no nomination "
                              "(see awards --period)", award=policy.award.label or Phrase("the award"),
                              id=policy.id, grades=grades)
        user = self.app.user(advisor)
        if not user.classes:
            raise RuleRefused("{advisor} advises no class now; awards go to serving advisors",
                              advisor=advisor)
        klass = self.app.school_class(user.classes[0])
        data = {"deeds": checked(deeds, "--deeds"), "distinction": distinction or ""}
        return self.app.cases.open_case(KIND, user.login, klass.code, period, "", actor, data,
                                        early=early)

    def recommendation_form(self, ref: str) -> dict[str, Any]:
        """The filled-in 推荐表 of an award case: fields at nomination, each level's opinion."""
        case = self.app.case(ref)
        if case.kind != KIND:
            raise BadInput("{ref} is a {kind} case; forms are for award cases", ref=case.ref,
                           kind=case.kind)
        policy = self.app.case_policy(case)
        history = self.app.cases.history(case.ref)
        names = {h["actor"]: self.app.user(h["actor"]).name for h in history if h["actor"]}
        return form_model(case_dict(case, policy), history, policy, names)
