"""Issue 14, no way round the rules: the last administrator stays, even when two administrators
revoke each other at the same moment from two processes; logins are folded and look-alikes
refused; a store from before either keeps working. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.domain.accounts import Accounts
from bzr_workflow.domain.errors import (AlreadyExists, BadInput, NotPermitted, RuleRefused,
                                        SeparationOfDuties)
from bzr_workflow.domain.ids import key_id
from bzr_workflow.domain.institution import Institution
from bzr_workflow.domain.policy import ADMIN
from bzr_workflow.domain.policy_file import digest_of
from bzr_workflow.domain.user import User
from bzr_workflow.policies import builtin_text
from racing import race

GUILIN = "guilin-ut-ce-2024"


def admins(app: WorkflowApp) -> list[str]:
    return sorted(u["user"] for u in app.reads.users() if "admin" in u["roles"])


def test_two_administrators_revoking_each_other_at_once_leave_one(app: WorkflowApp,
                                                                   db_url: str) -> None:
    """Before the registry, both revokes were stored (each on a different user): no admin left."""
    app.org.grant("li", ADMIN, "admin")
    for _ in range(3):
        outcomes = race(db_url, [(a, "org.revoke", (b, ADMIN, a))
                                 for a, b in (("admin", "li"), ("li", "admin"))], timeout=60)
        (winner, done, _), (loser, code, message) = outcomes
        assert done == 0 and code == 3, outcomes
        assert message == f"{loser} is not an administrator (role admin)"
        assert admins(app) == [winner]
        app.org.grant(loser, ADMIN, winner)  # and the next round


def test_the_last_administrator_cannot_lose_the_role(app: WorkflowApp) -> None:
    with pytest.raises(RuleRefused, match="may not revoke their own admin role"):
        app.org.revoke("admin", ADMIN, "admin")
    app.org.grant("li", ADMIN, "admin")
    app.org.revoke("li", ADMIN, "admin")
    with pytest.raises(NotPermitted):
        app.org.revoke("admin", ADMIN, "li")
    assert admins(app) == ["admin"]
    registry: Accounts = app.repository.get(Accounts.create_id())
    assert registry.admins == ["admin"]
    with pytest.raises(RuleRefused, match="admin is the last administrator"):
        registry.remove_admin("admin")  # the registry's own rule, whoever asks


def test_logins_are_folded_and_look_alikes_refused(app: WorkflowApp) -> None:
    for same in ("Admin", "ADMIN", "ａｄｍｉｎ"):
        with pytest.raises(AlreadyExists, match="user admin already exists"):
            app.org.add_user(same, "冒充", [], "admin")
    with pytest.raises(BadInput, match="mixes cyrillic and latin letters"):
        app.org.add_user("аdmin", "冒充", [], "admin")  # Cyrillic а, then Latin
    app.org.add_user("ceo", "院长", [], "admin")
    with pytest.raises(BadInput, match="looks like the existing user 'ceo'"):
        app.org.add_user("сео", "冒充", [], "admin")  # all Cyrillic
    app.org.add_user("tea", "茶", [], "admin")
    with pytest.raises(BadInput, match="looks like the existing user 'tea'"):
        app.org.add_user("τεα", "冒充", [], "admin")  # all Greek
    assert app.org.add_user("ZhangSan", "张三", [], "ADMIN")["user"] == "zhangsan"
    for login in ("张三", "张三2", "zhang.san"):
        assert app.org.add_user(login, "张三", [], "admin")["user"] == login
    assert app.user("ＺＨＡＮＧＳＡＮ").login == "zhangsan"
    assert app.org.grant("Ceo", "ce_college", "Admin")["user"] == "ceo"


def legacy_store(app: WorkflowApp) -> WorkflowApp:
    """A store as written before logins were folded and administrators counted: an
    administrator `Admin`, a user `Zhang`, and no registry."""
    text = builtin_text(GUILIN)
    assert text is not None
    inst = Institution(name="桂林", admin="Admin", actor="Admin")
    inst.adopt(GUILIN, digest_of(text), text, "Admin")
    boss, zhang, li = (User(login=login, name=login, actor="Admin")
                       for login in ("Admin", "Zhang", "li"))
    boss.grant(ADMIN, "", "Admin")
    li.grant(ADMIN, "", "Admin")
    li.revoke(ADMIN, "", "Admin")
    app.save(inst, boss, zhang, li)
    return app


@pytest.fixture
def old_app(db_url: str) -> Any:
    application = legacy_store(open_app(parse_location(db_url), create=True))
    yield application
    application.close()


def test_a_store_from_before_keeps_its_logins_and_counts_its_administrators(
        old_app: WorkflowApp) -> None:
    app = old_app
    assert not app.exists(Accounts.create_id())
    assert app.user("zhang").login == app.user("ZHANG").login == "Zhang"
    assert app.require_admin("admin").login == "Admin"
    with pytest.raises(AlreadyExists, match="user Zhang already exists"):
        app.org.add_user("zhang", "重名", [], "admin")
    with pytest.raises(RuleRefused, match="may not revoke their own admin role"):
        app.org.revoke("admin", ADMIN, "Admin")
    app.org.add_user("wang", "王", ["admin"], "admin")  # counted now: Admin, then wang
    registry: Accounts = app.repository.get(Accounts.create_id())
    assert registry.admins == ["Admin", "wang"]
    assert registry.stored("ZHANG") == "Zhang"
    app.org.revoke("ADMIN", ADMIN, "wang")
    assert app.repository.get(Accounts.create_id()).admins == ["wang"]
    assert not app.user("admin").grants
    assert app.repository.get(key_id("user", "Admin")).login == "Admin"


def test_a_login_typed_otherwise_names_the_same_person_in_a_case(app: WorkflowApp) -> None:
    """Before, `--candidate ZHANG` stored the subject as typed, and zhang then signed a case
    about himself: "never the subject of the case" compared `zhang` with `ZHANG`."""
    case = app.cases.recruit_apply("kj2", "ZHANG", None, "纸质申请", "admin")
    assert case["subject"] == "zhang"
    with pytest.raises(SeparationOfDuties, match="zhang is the subject of"):
        app.cases.approve(case["id"], "zhang", "")
    assert app.cases.recruit_apply("kj1", "ＣＨＥＮ", None, "", "chen")["subject"] == "chen"


def test_erasing_the_administrators_personal_data_leaves_the_role(app: WorkflowApp) -> None:
    """Erasure destroys a person's key, never a role: the last administrator stays one."""
    app.org.update_user("admin", {"phone": "13800000000"}, "admin")
    app.org.erase_person("admin", "admin")
    assert app.require_admin("ADMIN").login == "admin"
    assert app.org.add_unit("gx", "广西", "", "admin")["unit"] == "gx"


def test_two_look_alike_logins_added_at_once_make_one_user(app: WorkflowApp,
                                                           db_url: str) -> None:
    outcomes = race(db_url, [(login, "org.add_user", (login, "同时", [], "admin"))
                             for login in ("ceo", "сео")], timeout=60)  # Latin, then Cyrillic
    (winner, done, _), (loser, code, message) = outcomes
    assert (done, code) == (0, 2), outcomes
    assert message == (f"user {loser!r} looks like the existing user {winner!r}"
                       " (confusable letters); choose another login")
    assert not app.exists(User.create_id(loser))


def test_a_person_typed_otherwise_is_erased_all_the_same(app: WorkflowApp) -> None:
    """Before, `user update ZHANG` kept the key under `ZHANG` and `person erase zhang` destroyed
    another (none): the phone number stayed readable after the erasure."""
    app.org.update_user("ZHANG", {"phone": "13800000000"}, "admin")
    assert app.org.erase_person("Zhang", "admin")["erased"]
    assert app.org.profile(app.user("zhang"))["phone"] != "13800000000"
