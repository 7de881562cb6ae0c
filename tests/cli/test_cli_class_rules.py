"""What a policy needs of a class before it is registered: a level the allowance has a rate for
(Aksu, no silent zeros) and a year of study that names the advisor's title and duties (Hefei)."""

from __future__ import annotations

from pathlib import Path

from clirun import invoke, ok
from test_cli_recruitment import refused


def aksu(db: str) -> None:
    ok(db, "init", "--policy", "aksu-vtc-2020", "--admin", "admin")
    ok(db, "unit", "add", "jd", "--name", "机电工程系", actor="admin")


def hefei(db: str) -> None:
    ok(db, "init", "--policy", "hfut-math", "--admin", "admin")
    ok(db, "unit", "add", "math", "--name", "数学学院", actor="admin")


def add_class(_db: str, code: str, *extra: str) -> list[str]:
    return ["class", "add", code, "--name", code, "--unit", "jd", "--students", "40",
            *extra]


# -- no silent zeros (Aksu 第三十条) ---------------------------------------------------------
# 阿克苏 第三十条: "兼职班主任除享受岗位津贴外，还享受班主任津贴，其中：高职生班主任11元/每生每月；
# 中职生班主任13元/每生每月。" The rate follows the level: a class without one would be paid 0.


def test_a_class_without_the_level_the_allowance_needs_is_refused(sqlite_url: str) -> None:
    aksu(sqlite_url)
    line = refused(sqlite_url, 2, *add_class(sqlite_url, "jd1"), actor="admin")
    assert "level" in line and "高职 11" in line and "中职 13" in line
    assert ok(sqlite_url, "class", "list") == []


def test_a_level_the_allowance_has_no_rate_for_is_refused(sqlite_url: str) -> None:
    aksu(sqlite_url)
    line = refused(sqlite_url, 2, *add_class(sqlite_url, "jd1", "--level", "本科"),
                   actor="admin")
    assert "level '本科' has no allowance rate" in line


def test_a_class_with_a_paid_level_is_registered(sqlite_url: str) -> None:
    aksu(sqlite_url)
    assert ok(sqlite_url, *add_class(sqlite_url, "jd1", "--level", "中职"),
              actor="admin")["level"] == "中职"


def test_updating_a_class_to_a_level_without_a_rate_is_refused(sqlite_url: str) -> None:
    aksu(sqlite_url)
    ok(sqlite_url, *add_class(sqlite_url, "jd1", "--level", "高职"), actor="admin")
    assert "level" in refused(sqlite_url, 2, "class", "update", "jd1", "--level", "本科",
                              actor="admin")
    changed = ok(sqlite_url, "class", "update", "jd1", "--level", "中职", actor="admin")
    assert changed["level"] == "中职"
    assert ok(sqlite_url, "class", "list")[0]["level"] == "中职"


def test_importing_a_class_without_a_paid_level_names_the_column_and_imports_nothing(
        sqlite_url: str, tmp_path: Path) -> None:
    aksu(sqlite_url)
    sheet = tmp_path / "classes.csv"
    sheet.write_text("class,name,unit,students,level\njd1,机电1班,jd,40,高职\n"
                     "jd2,机电2班,jd,40,\n", "utf-8")
    line = refused(sqlite_url, 2, "import", "classes", str(sheet), actor="admin")
    assert "row 3" in line and "column level" in line
    assert ok(sqlite_url, "class", "list") == []


def test_a_policy_without_a_per_student_rate_takes_any_level(sqlite_url: str) -> None:
    ok(sqlite_url, "init", "--policy", "suzhou-gaobo-2023", "--admin", "admin")
    ok(sqlite_url, "unit", "add", "jd", "--name", "x", actor="admin")
    assert ok(sqlite_url, *add_class(sqlite_url, "c1"), actor="admin")["level"] == ""


# -- Hefei: 班主任 (years 1-2) and 班导师 (years 3-4) ----------------------------------------
# 合肥 二、工作职责: "一年级班主任工作职责 … 二年级班主任工作职责 … 三年级班导师工作职责 …
# 四年级班导师工作职责". The class's year of study tells the two titles, and their duties, apart.


def hefei_class(code: str, *extra: str) -> list[str]:
    return ["class", "add", code, "--name", code, "--unit", "math", "--students", "30", *extra]


def test_hefei_requires_the_year_of_study(sqlite_url: str) -> None:
    hefei(sqlite_url)
    line = refused(sqlite_url, 2, *hefei_class("m1"), actor="admin")
    assert "--year-of-study is required under hfut-math" in line
    assert "not a year of study" in refused(sqlite_url, 2, *hefei_class("m1", "--year-of-study",
                                                                        "5"), actor="admin")
    assert ok(sqlite_url, *hefei_class("m1", "--year-of-study", "3"),
              actor="admin")["year_of_study"] == 3


def test_other_policies_do_not_ask_for_a_year_of_study(sqlite_url: str) -> None:
    aksu(sqlite_url)
    assert ok(sqlite_url, *add_class(sqlite_url, "jd1", "--level", "高职"),
              actor="admin")["year_of_study"] is None


def appraisal_of(db: str, year: str) -> dict[str, object]:
    hefei(db)
    for login, role in (("dean", "college"), ("wu", "")):
        ok(db, "user", "add", login, "--name", login, *(["--role", role] if role else []),
           actor="admin")
    ok(db, *hefei_class("m1", "--year-of-study", year), actor="admin")
    ref = ok(db, "case", "open", "recruitment", "--subject", "wu", "--class", "m1",
             actor="admin")["id"]
    ok(db, "approve", ref, actor="dean")
    [case] = ok(db, "appraisal", "open", "--period", "2026", "--advisor", "wu", actor="dean")
    return ok(db, "show", case["id"])  # type: ignore[no-any-return]


def test_a_third_year_class_makes_its_advisor_a_bandaoshi_judged_on_third_year_duties(
        sqlite_url: str) -> None:
    shown = appraisal_of(sqlite_url, "3")
    assert (shown["year_of_study"], shown["title"], shown["duties"]) == \
        (3, "班导师", "三年级班导师工作职责")
    assert [i["label"] for i in shown["indicators_to_judge"]] == \
        ["创新创业活动指导", "考研指导", "就业创业意识培养"]


def test_a_first_year_class_makes_its_advisor_a_banzhuren(sqlite_url: str) -> None:
    shown = appraisal_of(sqlite_url, "1")
    assert (shown["title"], shown["duties"]) == ("班主任", "一年级班主任工作职责")
    assert [i["key"] for i in shown["indicators_to_judge"]] == \
        ["y1_major", "y1_adaptation", "y1_study_career"]


def test_policy_show_lists_each_year_with_its_title_and_duties(sqlite_url: str) -> None:
    years = ok(sqlite_url, "policy", "show", "hfut-math")["years_of_study"]
    assert [(y["year"], y["title"], y["duties"]) for y in years] == [
        (1, "班主任", "一年级班主任工作职责"), (2, "班主任", "二年级班主任工作职责"),
        (3, "班导师", "三年级班导师工作职责"), (4, "班导师", "四年级班导师工作职责")]
    text = invoke(sqlite_url, "policy", "show", "hfut-math", as_json=False).stdout
    assert "Years of study" in text and "三年级班导师工作职责" in text


def test_the_year_of_study_is_imported_with_the_class(sqlite_url: str, tmp_path: Path) -> None:
    hefei(sqlite_url)
    sheet = tmp_path / "classes.csv"
    sheet.write_text("class,name,unit,students,年级\nm1,数学1班,math,30,4\nm2,数学2班,math,30,\n",
                     "utf-8")
    assert "row 3" in refused(sqlite_url, 2, "import", "classes", str(sheet), actor="admin")
    sheet.write_text("class,name,unit,students,年级\nm1,数学1班,math,30,4\n", "utf-8")
    ok(sqlite_url, "import", "classes", str(sheet), actor="admin")
    assert ok(sqlite_url, "class", "list")[0]["year_of_study"] == 4


def test_show_prints_the_title_and_the_duties_to_judge(sqlite_url: str) -> None:
    ref = str(appraisal_of(sqlite_url, "4")["id"])
    text = invoke(sqlite_url, "show", ref, as_json=False).stdout
    assert "班导师" in text and "四年级班导师工作职责" in text and "毕业离校教育" in text


def test_a_year_of_study_out_of_range_is_refused_under_any_policy(sqlite_url: str) -> None:
    aksu(sqlite_url)
    line = refused(sqlite_url, 2, *add_class(sqlite_url, "jd1", "--level", "高职",
                                              "--year-of-study", "-1"), actor="admin")
    assert "out of range" in line
