"""The view tables (SQLAlchemy Core), in the same database as the events, and their position row."""

from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, DateTime, Index, Integer, MetaData, String,
                        Table, Text)

metadata = MetaData()
ID = BigInteger().with_variant(Integer(), "sqlite")

position = Table(
    "bzr_view_position", metadata,
    Column("name", String(64), primary_key=True),
    Column("position", ID, nullable=False),
)

cases = Table(
    "bzr_cases", metadata,
    Column("ref", String(32), primary_key=True),
    Column("case_id", String(36), nullable=False, unique=True),
    Column("kind", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("step", String(64)),
    Column("step_label", Text),
    Column("role", String(64)),
    Column("subject", String(64)),
    Column("opener", String(64), nullable=False),
    Column("applicant", String(64), nullable=False),
    Column("class_code", String(64)),
    Column("period", String(32)),
    Column("unit", String(64)),
    Column("unit_path", Text, nullable=False),
    Column("policy_version", Integer, nullable=False),
    Column("refinement", Integer, nullable=False),
    Column("signers", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("last_action", String(32), nullable=False),
    Column("last_actor", String(64), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("assignee", String(64)),  # the one holder the pending step was reassigned to (转办)
    Index("ix_bzr_cases_state_role_unit", "state", "role", "unit"),  # inbox
    Index("ix_bzr_cases_state_opened", "state", "opened_at", "ref"),  # cases --state, in order
    Index("ix_bzr_cases_kind_period", "kind", "period"),
)

decisions = Table(
    "bzr_decisions", metadata,
    Column("position", ID, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("case_ref", String(32)),
    Column("target", String(128)),
    Column("step", String(64)),
    Column("step_label", Text),
    Column("to_step", String(64)),
    Column("comment", Text, nullable=False),
    Column("via", String(8)),  # cli, web or api (the command's provenance); None before it
    Column("session", String(64)),
    Column("address", String(64)),
    Column("batch", String(32)),  # the bulk sign-off the decision was an item of; None alone
    Column("on_behalf_of", String(64)),  # the holder a deputy decided for; None otherwise
    Index("ix_bzr_decisions_actor", "actor", "at"),
    Index("ix_bzr_decisions_case", "case_ref", "position"),
    Index("ix_bzr_decisions_at", "at"),
)

appointments = Table(
    "bzr_appointments", metadata,
    Column("case_ref", String(32), primary_key=True),
    Column("advisor", String(64), nullable=False),
    Column("class_code", String(64), nullable=False),
    Column("start", String(10), nullable=False),
    Column("end", String(10)),
    Column("state", String(16), nullable=False),
    Column("appointed_by", String(64), nullable=False),
    Column("end_cause", String(16)),
    Column("end_reason", String(1000)),
    Column("ended_by", String(64)),
    Index("ix_bzr_appointments_advisor", "advisor"),
)

appraisals = Table(
    "bzr_appraisals", metadata,
    Column("ref", String(32), primary_key=True),
    Column("advisor", String(64), nullable=False),
    Column("period", String(32), nullable=False),
    Column("unit", String(64)),
    Column("scores", Text, nullable=False),
    Column("bonus", Text, nullable=False),
    Column("flags", Text, nullable=False),
    Column("total", String(16)),
    Column("grade", String(32)),
    Column("explanation", Text, nullable=False),
    Column("vetoed_items", Text, nullable=False),
    Column("announcement_until", String(10)),
    Column("objections_open", Integer, nullable=False),
    Column("final", Boolean, nullable=False),
    Column("capped_grade", String(32)),
    Column("capped_reason", Text),
    Index("ix_bzr_appraisals_period", "period", "unit"),
)

awards = Table(
    "bzr_awards", metadata,
    Column("ref", String(32), primary_key=True),
    Column("advisor", String(64), nullable=False),
    Column("period", String(32), nullable=False),
    Column("unit", String(64)),
    Column("distinction", String(64), nullable=False),
    Column("amount", String(16)),
    Column("certificate", Boolean, nullable=False),
    Index("ix_bzr_awards_period", "period"),
)

class_history = Table(
    "bzr_class_history", metadata,
    Column("position", ID, primary_key=True, autoincrement=False),
    Column("code", String(64), nullable=False),
    Column("effective", String(10), nullable=False),
    Column("students", Integer, nullable=False),
    Column("graduating", Boolean, nullable=False),
    Column("level", String(64), nullable=False),
    Index("ix_bzr_class_history_code", "code", "effective"),
)

units = Table(
    "bzr_units", metadata,
    Column("code", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("parent", String(64)),
    Column("path", Text, nullable=False),
)

users = Table(
    "bzr_users", metadata,
    Column("login", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("employment", String(32)),
)

grants = Table(
    "bzr_grants", metadata,
    Column("login", String(64), primary_key=True),
    Column("role", String(64), primary_key=True),
    Column("unit", String(64), primary_key=True),
    Column("granted_by", String(64), nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False),
)

classes = Table(
    "bzr_classes", metadata,
    Column("code", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("unit", String(64), nullable=False),
    Column("students", Integer, nullable=False),
    Column("level", String(64), nullable=False),
    Column("graduating", Boolean, nullable=False),
    Column("year_of_study", Integer),  # None where the policy has no years of study
)

VIEW_TABLES = [cases, decisions, appointments, units, users, grants, classes, appraisals,
               awards, class_history]
