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
    assert fold(look_alike) != "admin" and skeleton(look_alike) == "admin"


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
