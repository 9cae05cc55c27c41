"""The member import through the one pipeline (core.imports): date range and text limits."""

import pytest

from binhdang.committees.spreadsheets import NAME, TERM_END, TITLE

from .test_spreadsheets_and_documents import member, problems, xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.security]


@pytest.mark.parametrize("day", ["31/12/1890", "31/12/2199"])
def test_a_term_end_far_in_the_past_or_future_is_refused(tree, day):
    (found,) = problems(xlsx([member(**{TERM_END: day})]), tree["province"])
    assert (found.row, found.column) == (2, TERM_END)
    assert f"ngày {day} nằm ngoài khoảng nhận được" in found.message


def test_a_100000_character_title_is_refused_by_row_and_column(tree):
    (found,) = problems(xlsx([member(**{TITLE: "x" * 100_000})]), tree["province"])
    assert (found.row, found.column) == (2, TITLE)
    assert "dài quá" in found.message


def test_a_person_listed_twice_is_refused_by_row(tree):
    found = problems(xlsx([member(), member(), member()]), tree["province"])
    assert [(p.row, p.column) for p in found] == [(3, NAME), (4, NAME)]
    assert "đã ghi ở dòng 2" in found[0].message
