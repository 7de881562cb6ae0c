"""The policy model: roles, workflows and rules of one institution, as immutable data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .allowance import AllowanceRules
from .award_rules import AwardRules
from .consequences import Consequences
from .norms import ContactTrigger, Norm
from .years import YearOfStudy

if TYPE_CHECKING:
    from .appraisal_rules import AppraisalRules  # it reads Policy itself

APPLICANT = "applicant"
"""Pseudo-role of whoever opened a case: the one who re-submits it after a return."""

RULE = "@rule"
"""The actor of what the engine does by itself under a rule, in place of a person: a reward that
follows a grade (Suzhou), the dismissal two unqualified semesters open (Aksu 第九条). No login can
be it: a login is a code, and codes never hold "@" (organisation.CODE). A rule-opened case signs
nobody's level, so the officer who happened to record the result that completed the rule may
still sign its later steps."""

ADMIN = "admin"
"""Engine role that manages units, users, classes and policies; every policy has it."""

AUDITOR = "auditor"
"""Engine role that reads every case and signs none; every policy has it, institution-wide."""

ENGINE_ROLES = (ADMIN, AUDITOR)
"""The roles the engine adds to every policy (a policy file may not declare them)."""


@dataclass(frozen=True)
class Role:
    id: str
    label: str
    scoped: bool


@dataclass(frozen=True)
class Step:
    id: str
    label: str
    role: str
    action: str
    returnable: bool = True
    return_to: str = ""
    clerical: bool = False
    """A clerical act (公布, 归档): whoever signed another level may sign it too, for the
    one-level rule holds decisions, and a small office has one officer to publish what it
    approved."""
    countersign: int | str | None = None
    """会签 / 或签 (`countersign = "all"` or `= N`): the step moves on once every holder of its
    role covering the case's unit has signed ("all"), or any N of them; None (no key): the
    first holder's signature moves it on, as 1 does. See signing.countersign_needed."""
    time_limit: int = 0
    """Working days the step may stay pending (by the academic calendar, domain/workdays.py)
    before it is overdue; 0: no limit."""


@dataclass(frozen=True)
class Workflow:
    kind: str
    label: str
    prefix: str
    opened_by: str
    open_step: str
    open_label: str
    open_action: str
    on_publish: str
    requires: tuple[str, ...]
    steps: tuple[Step, ...]
    signer_may_sign_twice: bool = False
    opener_signs: bool = True
    """Opening a case for someone is itself a level (a recommendation), so the opener signs no other."""

    def step(self, step_id: str) -> Step:
        if step_id == self.open_step:
            return Step(self.open_step, self.open_label, APPLICANT, "resubmitted", False)
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    @property
    def first_step(self) -> Step:
        return self.steps[0]

    @property
    def final_step(self) -> Step:
        return self.steps[-1]

    @property
    def opened_by_candidate(self) -> bool:
        return self.opened_by == "candidate"

    def step_ids(self) -> list[str]:
        return [self.open_step, *(s.id for s in self.steps)]


@dataclass(frozen=True)
class Training:
    """A training a workflow requires before its subject takes the post (Aksu 第二十四条 新任班主任
    上岗前必须参加学工部组织的班主任培训): recorded by `recorded_by`, required when a case of
    `required_for` appoints."""

    label: str
    recorded_by: str
    required_for: str


@dataclass(frozen=True)
class Cover:
    """Who does the work of a class that has no advisor (Jiyuan 一(十) 班级没有配备班主任情况下，
    班主任工作由辅导员完成): holders of `role` in the class's unit take on `for_role`'s duties
    for it."""

    role: str
    for_role: str


@dataclass(frozen=True)
class Staffing:
    advisors_per_class: int = 1
    max_classes_per_advisor: int = 0
    """0 = no limit."""
    term_years: int = 0
    """The term of office the regulation sets (Aksu 第十二条: 3): an appointment ends after it
    (tenure.term_end) unless its class graduates first; 0 = no term."""
    students_per_advisor: int = 0
    """Documentary: the ratio the regulation sets (Suzhou: 60); not enforced."""
    ends_by: str = ""
    """The role that ends an appointment by `appointment end` (resignation, transfer, an office's
    act); "" = an administrator."""


@dataclass(frozen=True)
class Trigger:
    """A ground for dismissal the policy lists (dismissal_triggers); shown, decided by people."""

    key: str
    label: str
    automatic: bool = False
    year_grade: str = ""
    """The grade a published dismissal on this ground sets as the year's result (Aksu 第九条(2)(3):
    年终工作考核定为不合格); "" sets none."""


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    source: str
    institution: str
    utc_offset: str
    period: str
    roles: dict[str, Role]
    workflows: dict[str, Workflow]
    staffing: Staffing
    appraisal: AppraisalRules | None = None
    award: AwardRules | None = None
    allowance: AllowanceRules | None = None
    norms: tuple[Norm, ...] = ()
    consequences: Consequences = field(default_factory=Consequences)
    """appraisal.consequences: what a final appraisal result sets in motion."""
    dismissal_triggers: tuple[Trigger, ...] = ()
    years_of_study: tuple[YearOfStudy, ...] = ()
    """[[years_of_study]]: a class's year names its advisor's title and duties (Hefei)."""
    contact_triggers: tuple[ContactTrigger, ...] = ()
    """parent_contact_triggers: events that call for contacting a student's parents (Jiyuan)."""
    cover: Cover | None = None
    """[cover]: who does the work of a class without an advisor (Jiyuan 一(十))."""
    training: Training | None = None
    """[training]: a recorded training an appointing workflow requires (Aksu 第二十四条)."""
    written: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The rule sections as the file wrote them (appraisal, award, allowance, norms,
    dismissal_triggers), for `policy show` to print; rules read the typed fields above."""

    def role_label(self, role_id: str) -> str:
        if role_id == APPLICANT:
            return "申请人"
        role = self.roles.get(role_id)
        return role.label if role else role_id

    def workflow(self, kind: str) -> Workflow:
        return self.workflows[kind]

    def trigger(self, key: str) -> Trigger | None:
        return next((t for t in self.dismissal_triggers if t.key == key), None)
