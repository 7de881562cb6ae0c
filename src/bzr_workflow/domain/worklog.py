"""An advisor's work log for one month: what they did, when, how often or for how long."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from .ids import key_id

ACTIVITIES = {
    "talk": "谈心谈话", "dorm_visit": "深入宿舍", "dorm_talk": "宿舍谈心", "attendance_check": "考勤检查",
    "dorm_hygiene_check": "宿舍卫生检查", "class_meeting": "班会", "themed_class_meeting": "主题班会",
    "committee_meeting": "班委会", "parent_contact": "家长联系", "teacher_contact": "任课教师联系",
    "lesson_audit": "听课", "classroom_visit": "深入课堂", "lecture": "讲座", "work_plan": "工作计划",
    "work_record": "工作记录", "advisor_hours": "班主任工作时长",
}
"""Activities every policy accepts; a policy's norms may name more."""


class WorkLog(Aggregate):
    TOPIC = "bzr.worklog"
    class_version = 1

    class Created(Aggregate.Created):
        TOPIC = "bzr.worklog.created"

    class Started(Aggregate.Created):
        TOPIC = "bzr.worklog.started"
        class_version = 1
        advisor: str
        month: str

    class Recorded(Aggregate.Event):
        TOPIC = "bzr.worklog.recorded"
        class_version = 1
        actor: str
        entries: list[dict[str, Any]]

    @staticmethod
    def create_id(advisor: str, month: str, *_: Any, **__: Any) -> UUID:
        return key_id("worklog", f"{advisor}/{month}")

    @event(Started)
    def __init__(self, advisor: str, month: str) -> None:
        self.advisor, self.month = advisor, month
        self.entries: list[dict[str, Any]] = []

    def record(self, entries: list[dict[str, Any]], actor: str) -> None:
        self._recorded(actor=actor, entries=entries)

    @event(Recorded)
    def _recorded(self, actor: str, entries: list[dict[str, Any]]) -> None:
        self.entries.extend(entries)
