"""Award commands: nomination with the 附件2 form (what it checks and saves: award_effects); the form itself is a read (reads.recommendation_form)."""

from __future__ import annotations

from typing import Any

from ..domain.errors import Phrase, RuleRefused
from .award_effects import KIND
from .cases import Cases
from .ports import Store
from .service import Service
from .text import checked


class Awards(Service):
    """Nominating advisors for an award (a case opened through `cases`)."""

    def __init__(self, store: Store, cases: Cases) -> None:
        super().__init__(store)
        self.cases = cases

    def nominate(self, advisor: str, period: str, deeds: str | None, distinction: str | None,
                 actor: str | None, early: bool = False) -> dict[str, Any]:
        """Open an award case for an advisor, with the recommendation form's fields filled in.
        Where the award follows the grade (Suzhou), there is nothing to nominate."""
        policy = self.store.policy()
        if policy.award and policy.award.follows_grade and KIND not in policy.workflows:
            grades = "/".join(policy.award.eligible_grades)
            raise RuleRefused("{award} follows the grade under {id}: every final {grades} "
                              "result is rewarded when it becomes final, with no nomination "
                              "(see awards --period)", award=policy.award.label or Phrase("the award"),
                              id=policy.id, grades=grades)
        user = self.store.user(advisor)
        data = {"deeds": checked(deeds, "--deeds"), "distinction": distinction or ""}
        if policy.award and policy.award.roles:
            # an award for a role (Jiyuan 优秀辅导员): nominated where they hold it, no class
            units = [unit for role, unit in user.grants if role in policy.award.roles]
            if not units:
                labels = "、".join(policy.role_label(r) for r in policy.award.roles)
                raise RuleRefused("{advisor} is not a {labels}: {award} is for {labels}",
                                  advisor=user.login, labels=labels,
                                  award=policy.award.label or Phrase("the award"))
            return self.cases.open_case(KIND, user.login, None, period, "", actor, data,
                                        unit=units[0] or None, early=early)
        if not user.classes:
            raise RuleRefused("{advisor} advises no class now; awards go to serving advisors",
                              advisor=advisor)
        klass = self.store.school_class(user.classes[0])
        return self.cases.open_case(KIND, user.login, klass.code, period, "", actor, data,
                                        early=early)
