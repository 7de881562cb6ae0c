"""What a login is (issue 14): one folded form however typed, a look-alike skeleton, one script."""

from __future__ import annotations

import pytest

from bzr_workflow.domain.errors import BadInput
from bzr_workflow.domain.logins import check_single_script, fold, skeleton


@pytest.mark.parametrize("typed", ["admin", "Admin", "ADMIN", "ａｄｍｉｎ", "ＡＤＭＩＮ"])
def test_every_way_of_typing_a_login_folds_to_one(typed: str) -> None:
    assert fold(typed) == "admin"


@pytest.mark.parametrize("look_alike", ["аdmin", "аdмin", "αdmin", "ａdmіn"])
def test_look_alikes_share_the_skeleton_of_what_they_imitate(look_alike: str) -> None:
    assert fold(look_alike) != "admin" and skeleton(look_alike) == skeleton("admin")


@pytest.mark.parametrize(("look_alike", "original"), [
    ("shl", "sh1"), ("adrnin", "admin"), ("z0u", "zou"), ("vvang", "wang"), ("wvv", "vvw"),
    ("cleng", "deng"), ("ɑdmin", "admin"), ("lı", "li"), ("rnrn", "mm")])
def test_latin_look_alikes_share_a_skeleton(look_alike: str, original: str) -> None:
    """Issue 20: TR39's Latin confusables, for the letters and digits logins may use."""
    assert fold(look_alike) != fold(original) and skeleton(look_alike) == skeleton(original)


@pytest.mark.parametrize(("one", "other"), [("li", "ll"), ("shi", "sh1"), ("wang", "wan"),
                                             ("zhang", "zhan9")])
def test_logins_that_do_not_look_alike_keep_apart(one: str, other: str) -> None:
    assert skeleton(one) != skeleton(other)


@pytest.mark.parametrize("login", ["张三", "zhangsan", "张三2", "zhang.san-1", "li_4", "сергей",
                                   "αλφα"])
def test_one_script_logins_pass(login: str) -> None:
    check_single_script(login)


@pytest.mark.parametrize("login", ["аdmin", "αdmin", "сергейs", "zhang三α"])
def test_mixing_latin_with_cyrillic_or_greek_is_refused(login: str) -> None:
    with pytest.raises(BadInput, match="mixes"):
        check_single_script(login)


def test_chinese_logins_are_their_own_skeleton() -> None:
    assert skeleton("张三") == "张三" and skeleton("zhang.san") == "zhang.san"
    assert skeleton("li_4") == "li_4"
