"""A process decodes stored events of domain modules it has not imported: services' modules are imported when first used."""

from __future__ import annotations

from typing import Any

from bzr_workflow.application import open_app, parse_location


def test_a_process_decodes_events_of_a_domain_module_it_never_imported(sqlite_url: str,
                                                                        tmp_path: Any) -> None:
    """Services' modules are imported when first used (application/app.py): a stored event of
    a module nothing imported yet is still decoded (adapters/personal: every_event_class)."""
    import subprocess
    import sys
    from pathlib import Path

    app = open_app(parse_location(sqlite_url), create=True)
    try:
        app.org.init("aksu-vtc-2020", "admin", "", None)
        app.org.add_unit("jd", "机电工程系", "", "admin")
        app.org.add_user("tian", "tian", [], "admin")
        app.org.add_class("jd1", "jd1", "jd", 40, "高职", False, "admin")
        sheet = tmp_path / "appointments.csv"
        sheet.write_text("advisor,class,start,end\ntian,jd1,2025-09-01,\n", "utf-8")
        app.imports.import_appointments(str(sheet), "admin")
    finally:
        app.close()
    code = f"""
import sys
from bzr_workflow.application import open_app, parse_location
app = open_app(parse_location({sqlite_url!r}))
assert "bzr_workflow.domain.adoption" not in sys.modules
notes = app.recorder.select_notifications(start=None, limit=10_000)
topics = {{type(app.mapper.to_domain_event(n)).__qualname__ for n in notes}}
assert "Adoption.Imported" in topics, topics
app.close()
print("decoded", len(notes))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(sqlite_url).parent)
    assert done.returncode == 0 and done.stdout.startswith("decoded"), done.stderr[-2000:]


def test_the_personal_fields_of_events_named_by_topic_are_those_of_their_classes() -> None:
    from bzr_workflow.adapters.personal import OWNED, OWNED_BY_TOPIC, every_event_class, owned
    from bzr_workflow.domain.notice import Notice
    from bzr_workflow.domain.worklog import WorkLog

    every_event_class()
    assert owned(Notice.Queued) == OWNED_BY_TOPIC[Notice.Queued.TOPIC]
    assert owned(WorkLog.Recorded) == OWNED_BY_TOPIC[WorkLog.Recorded.TOPIC]
    assert owned(Notice.Sent) == () and owned(WorkLog.Started) == ()
    named = {str(getattr(kind, "TOPIC", "")) for kind in OWNED}
    assert not named & set(OWNED_BY_TOPIC)


def test_audit_entries_of_aggregates_imported_later_are_found() -> None:
    import subprocess
    import sys

    code = ("import sys\nfrom bzr_workflow.domain import history\n"
            "later = {'adoption', 'maintenance', 'notice', 'counter', 'roster', 'accounts'}\n"
            "print(sorted(m for m in later if f'bzr_workflow.domain.{m}' in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr[-2000:]

    from bzr_workflow.domain.adoption import Adoption
    from bzr_workflow.domain.history import bookkeeping, has_entry
    from bzr_workflow.domain.maintenance import Maintenance
    from bzr_workflow.domain.notice import Notice, NoticeSettings

    assert all(has_entry(kind) for kind in (Adoption.Imported, Maintenance.Performed,
                                            NoticeSettings.Configured, NoticeSettings.Changed))
    assert not any(has_entry(kind) for kind in (*bookkeeping(), Notice.Queued))
