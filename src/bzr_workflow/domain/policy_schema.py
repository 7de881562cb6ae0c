"""The shape of a policy file: which keys each table takes, of what type, and which are required."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NUMBER = (int, float)


@dataclass(frozen=True)
class Key:
    """One key of a table: its expected type(s) and whether it must be present."""

    types: Any
    required: bool = False
    choices: tuple[str, ...] = ()
    documentary: bool = False
    """Quoted from the regulation and shown by `policy show`, but no rule reads it: editing it
    changes no decision."""


@dataclass(frozen=True)
class Table:
    keys: dict[str, Any]
    open_keys: bool = False
    """A table whose keys are names the file chooses (workflow kinds, rate labels)."""


@dataclass(frozen=True)
class ArrayOf:
    item: Any
    required: bool = False


ID = Key(str, True)
LABEL = Key(str, True)
NOTE = Key(str, documentary=True)

ROLE = Table({"id": ID, "label": LABEL, "scoped": Key(bool)})

STEP = Table({
    "id": ID, "label": LABEL, "role": Key(str, True), "action": Key(str, True),
    "returnable": Key(bool), "return_to": Key(str), "clerical": Key(bool),
    "countersign": Key((str, int)),
    "time_limit": Key(int),  # working days before the step is overdue (deadlines)
})

WORKFLOW = Table({
    "label": LABEL, "prefix": Key(str, True), "opened_by": Key(str, True),
    "open_step": Key(str), "open_label": Key(str, True), "open_action": Key(str, True),
    "on_publish": Key(str, choices=("none", "appoint", "dismiss", "record")),
    "requires": ArrayOf(Key(str, choices=("subject", "class", "period", "student"))),
    "signer_may_sign_twice": Key(bool), "opener_signs": Key(bool), "note": NOTE,
    "steps": ArrayOf(STEP, required=True),
})

INDICATOR = Table({
    "key": ID, "label": LABEL, "group": Key(str, documentary=True),
    "number": Key(str, documentary=True), "max": Key(NUMBER), "weight": Key(NUMBER),
    "description": Key(str, documentary=True), "step": Key(str),
})
VETO_ITEM = Table({"key": ID, "label": LABEL})
GRADE = Table({"label": LABEL, "min": Key(NUMBER), "unqualified": Key(bool)})
CONSEQUENCE = Table({
    "key": ID, "label": LABEL, "grades": ArrayOf(Key(str), required=True),
    "consecutive": Key(int), "unit": Key(str, choices=("semester", "year")),
    "then": Key(str, True, ("open_case", "record", "eligible")), "kind": Key(str),
})
GRADE_QUOTA = Table({
    "grade": Key(str, True), "share": Key(NUMBER, True),
    "rounding": Key(str, choices=("floor", "round", "ceil")),
    "scope": Key(str, choices=("institution", "unit")), "step": Key(str, True), "note": NOTE,
})
APPRAISAL = Table({
    "label": Key(str, documentary=True),
    "scoring": Key(str, True, ("points", "weights", "grades")),
    "period": Key(str, choices=("semester", "year"), documentary=True),
    "total": Key(NUMBER), "announcement_days": Key(int), "bonus_cap": Key(NUMBER), "note": NOTE,
    "ceiling": Key(NUMBER), "score_step": Key(str), "self_summary": Key(bool),
    "indicators": ArrayOf(INDICATOR, required=True), "bonus_items": ArrayOf(INDICATOR),
    "veto_items": ArrayOf(VETO_ITEM), "grades": ArrayOf(GRADE, required=True),
    "consequences": ArrayOf(CONSEQUENCE), "grade_quota": GRADE_QUOTA,
    "student_evaluation": Table({"label": LABEL, "step": Key(str), "max": Key(NUMBER, True),
                                 "note": NOTE}),
})

DISTINCTION = Table({
    "key": ID, "label": LABEL, "eligible_grades": ArrayOf(Key(str), required=True),
    "consecutive": Key(int), "unit": Key(str, choices=("semester", "year")),
    "reward": Key(str, documentary=True), "places": Key(int), "certificate": Key(bool),
    "note": NOTE,
})
AWARD = Table({
    "label": Key(str), "period": Key(str, choices=("semester", "year")),
    "eligible_grades": ArrayOf(Key(str)), "consecutive_years": Key(int),
    "quota_share": Key(NUMBER), "quota_places": Key(int), "quota_step": Key(str),
    "quota_basis": Key(str, choices=("appraised",)),
    "quota_scope": Key(str, choices=("institution", "unit")),
    "rounding": Key(str, choices=("floor", "round", "ceil")),
    "amount": Key(NUMBER), "certificate": Key(bool), "form_fields": ArrayOf(Key(str)),
    "form_title": Key(str), "follows_grade": Key(bool),
    "roles": ArrayOf(Key(str)), "requires_result": Key(bool),
    "distinctions": ArrayOf(DISTINCTION), "note": NOTE,
})

TIER = Table({"min_students": Key(int, True), "coefficient": Key(NUMBER, True)})
FUNDING = Table({"payer": Key(str, True), "share": Key(NUMBER, True), "per_unit": Key(bool)})
ALLOWANCE = Table({
    "formula": Key(str, True, ("tiered", "per_student", "none")), "base": Key(NUMBER),
    "per": Key(str, choices=("month",), documentary=True), "tiers": ArrayOf(TIER),
    "graduating_rate": Key(NUMBER), "rates": Table({}, open_keys=True),
    "excluded_kinds": ArrayOf(Key(str)), "funding": ArrayOf(FUNDING),
    "part_month": Key(str, choices=("full", "prorate", "none")),
    "withhold_grades": ArrayOf(Key(str)), "note": Key(str),
})

NORM = Table({
    "activity": ID, "label": LABEL, "min": Key(NUMBER, True),
    "per": Key(str, True, ("week", "two_weeks", "month", "semester", "year", "term")),
    "role": Key(str, True), "unit": Key(str),
})

YEAR_OF_STUDY = Table({"year": Key(int, True), "role": Key(str, True), "duties": Key(str),
                       "note": NOTE})

TRIGGER = Table({"key": ID, "label": LABEL, "automatic": Key(bool, documentary=True),
                 "year_grade": Key(str)})

POLICY_HEAD = Table({
    "id": ID, "name": Key(str, True), "source": Key(str), "institution": Key(str),
    "utc_offset": Key(str), "period": Key(str, choices=("semester", "year")), "note": NOTE,
})

STAFFING = Table({
    "advisors_per_class": Key(int), "max_classes_per_advisor": Key(int),
    "term_years": Key(int), "students_per_advisor": Key(int, documentary=True),
    "ends_by": Key(str), "note": NOTE,
})

COVER = Table({"role": Key(str, True), "for_role": Key(str, True), "note": NOTE})

TRAINING = Table({"label": LABEL, "recorded_by": Key(str, True), "required_for": Key(str, True),
                  "note": NOTE})

CONTACT_TRIGGER = Table({"key": ID, "label": LABEL, "roles": ArrayOf(Key(str), required=True),
                         "due_days": Key(int)})

POLICY = Table({
    "policy": POLICY_HEAD, "roles": ArrayOf(ROLE, required=True), "staffing": STAFFING,
    "workflows": Table({"*": WORKFLOW}, open_keys=True),
    "appraisal": APPRAISAL, "award": AWARD, "allowance": ALLOWANCE,
    "norms": ArrayOf(NORM), "dismissal_triggers": ArrayOf(TRIGGER),
    "years_of_study": ArrayOf(YEAR_OF_STUDY),
    "parent_contact_triggers": ArrayOf(CONTACT_TRIGGER), "training": TRAINING,
    "cover": COVER,
})
REQUIRED_TOP = ("policy", "workflows")  # roles: the schema marks it required itself
