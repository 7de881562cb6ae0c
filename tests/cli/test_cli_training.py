"""Aksu 第二十四条: "新任班主任上岗前必须参加学工部组织的班主任培训" — 学工部 records the training, and a
recruitment appoints only someone with one on record."""

from __future__ import annotations

from clirun import invoke, ok

SEED_24 = "新任班主任上岗前必须参加学工部组织的班主任培训"


def aksu(db: str) -> str:
    ok(db, "init", "--policy", "aksu-vtc-2020", "--admin", "admin")
    ok(db, "unit", "add", "jd", "--name", "机电工程系", actor="admin")
    for login, name, role in (("ma", "马主任", "dept@jd"), ("xue", "薛处长", "student_affairs"),
                              ("yuan", "袁院长", "college"), ("tian", "田野", "")):
        ok(db, "user", "add", login, "--name", name, *(["--role", role] if role else []),
           actor="admin")
    ok(db, "class", "add", "jd1", "--name", "机电1班", "--unit", "jd", "--students", "40",
       "--level", "高职", actor="admin")
    ref = ok(db, "recruit", "apply", "--class", "jd1", "--candidate", "tian", "--start",
             "2026-09-01", actor="ma")["id"]
    ok(db, "approve", ref, actor="xue")
    return str(ref)


def test_a_recruitment_is_refused_until_the_training_is_recorded(sqlite_url: str) -> None:
    assert "上岗前" in SEED_24
    db = sqlite_url
    ref = aksu(db)
    refused = invoke(db, "approve", ref, actor="yuan")
    assert refused.exit_code == 1 and "tian has no recorded 班主任岗前培训" in refused.stderr
    assert ok(db, "show", ref)["state"] == "open" and ok(db, "appointments") == []
    recorded = ok(db, "training", "record", "--advisor", "tian", "--date", "2026-08-20",
                  actor="xue")
    assert (recorded["name"], recorded["training"], recorded["on"]) == (
        "田野", "班主任岗前培训", "2026-08-20")
    assert ok(db, "approve", ref, actor="yuan")["state"] == "published"
    assert [a["advisor"] for a in ok(db, "appointments")] == ["tian"]
    assert any(e["action"] == "training recorded" for e in ok(db, "audit"))


def test_only_the_role_the_policy_names_records_a_training(sqlite_url: str) -> None:
    db = sqlite_url
    aksu(db)
    refused = invoke(db, "training", "record", "--advisor", "tian", "--date", "2026-08-20",
                     actor="ma")
    assert refused.exit_code == 3 and "recorded by" in refused.stderr
    assert invoke(db, "training", "record", "--advisor", "tian", "--date", "yesterday",
                  actor="xue").exit_code == 2


def test_a_policy_without_training_refuses_to_record_one(sqlite_url: str) -> None:
    db = sqlite_url
    ok(db, "init", "--policy", "suzhou-gaobo-2023", "--admin", "admin")
    ok(db, "user", "add", "adv", "--name", "adv", actor="admin")
    refused = invoke(db, "training", "record", "--advisor", "adv", "--date", "2026-08-20",
                     actor="admin")
    assert refused.exit_code == 2 and "declares no training" in refused.stderr
