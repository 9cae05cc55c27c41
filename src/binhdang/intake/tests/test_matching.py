"""Units and people named in a report, matched against the real map (current and former
units), with and without diacritics, abbreviated, and never guessed when ambiguous."""

import datetime

import pytest

from binhdang.committees.models import Committee, Decision, Membership, Person, Role
from binhdang.intake.matching import find_units, match_person
from binhdang.orgunits.models import Kind, OrgUnit

D = datetime.date
BEFORE = D(2021, 6, 1)  # before the 2025 mergers
AFTER = D(2025, 10, 2)  # after them

pytestmark = pytest.mark.django_db


def code(pk: int | None) -> str | None:
    return OrgUnit.objects.get(pk=pk).code if pk else None


def only(text: str, **kwargs):
    """The one unit mention of `text`, checked to point at what it says."""
    (mention,) = find_units(text, **kwargs)
    assert text[mention.start : mention.end] == mention.text
    return mention


@pytest.fixture
def departments(tree):
    """Departments a provincial administrator would have added: one former (ended with the
    2025 ministry merger, its work taken over by the Department of Home Affairs) and current."""
    former_province, province = tree["legacy_province"], tree["province"]
    former = OrgUnit.objects.create(
        code="T-SLDTBXH",
        name="Sở Lao động - Thương binh và Xã hội",
        kind=Kind.PROVINCIAL_DEPARTMENT,
        parent=former_province,
        valid_to=D(2025, 2, 28),
    )
    home_affairs = OrgUnit.objects.create(
        code="T-SNV",
        name="Sở Nội vụ",
        kind=Kind.PROVINCIAL_DEPARTMENT,
        parent=province,
        valid_from=D(2025, 7, 1),
    )
    home_affairs.predecessors.add(former)
    current = {
        name: OrgUnit.objects.create(
            code=f"T-{i}", name=name, kind=Kind.PROVINCIAL_DEPARTMENT, parent=province
        )
        for i, name in enumerate(
            [
                "Sở Văn hóa, Thể thao và Du lịch",
                "Hội Liên hiệp Phụ nữ tỉnh",
                "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
            ]
        )
    }
    # The same department in another province: a bare "Sở VH-TT&DL" is ambiguous without home.
    OrgUnit.objects.create(
        code="T-HN",
        name="Sở Văn hóa, Thể thao và Du lịch",
        kind=Kind.PROVINCIAL_DEPARTMENT,
        parent=tree["other_province"],
    )
    return {"former": former, "home_affairs": home_affairs, **current}


@pytest.mark.parametrize(
    ("text", "on", "expected"),
    [
        ("Bộ Nội vụ", AFTER, "BNV"),
        ("Bo Noi vu", AFTER, "BNV"),
        ("Bộ TN&MT", D(2019, 11, 20), "BTNMT"),
        ("Bộ LĐ-TB&XH", D(2019, 3, 14), "BLDTBXH"),
        ("Bộ LĐTBXH", D(2019, 3, 14), "BLDTBXH"),
        ("Bộ Lao động - Thương binh và Xã hội", D(2019, 3, 14), "BLDTBXH"),
        ("UBND tỉnh Quảng Ngãi", BEFORE, "LP51"),
        ("Ủy ban nhân dân tỉnh Quảng Ngãi", AFTER, "P51"),
        ("UBND tinh Quang Ngai", AFTER, "P51"),
        ("HĐND tỉnh Quảng Ngãi", BEFORE, "LP51"),
        ("Ban VSTBPN tỉnh Quảng Ngãi", AFTER, "P51"),
        ("TP. Hồ Chí Minh", AFTER, "P79"),
        ("Tp HCM", AFTER, "P79"),
        ("Ban Vì sự tiến bộ của phụ nữ Bộ Y tế", BEFORE, "BYT"),
    ],
)
def test_units_written_in_full_abbreviated_and_without_diacritics(text, on, expected):
    mention = only(f"Sáng nay, {text} tổ chức hội nghị.", published=on)
    assert mention.text == text
    assert code(mention.chosen) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("UBND tỉnh", "P51"),
        ("HĐND tỉnh", "P51"),
        ("Ban VSTBPN", "P51"),
        ("Ban VSTBPN tỉnh", "P51"),
        ("Sở VH-TT&DL", "T-0"),
        ("Sở VH-TT&DL tỉnh", "T-0"),
        ("Hội LHPN tỉnh", "T-1"),
        ("Ủy ban MTTQ tỉnh", "T-2"),
        ("MTTQ tỉnh", "T-2"),
    ],
)
def test_what_the_officers_own_unit_resolves(text, expected, tree, departments):
    mention = only(f"{text} đã tổ chức hội nghị.", published=AFTER, home_unit=tree["province"])
    assert (mention.text, code(mention.chosen)) == (text, expected)


def test_own_commune_and_no_home_unit(tree):
    commune = tree["commune"]
    assert only("UBND xã đã họp.", published=AFTER, home_unit=commune).chosen == commune.pk
    mention = only("UBND tỉnh đã họp.", published=AFTER)
    assert (mention.candidates, mention.chosen) == ([], None)


def test_a_department_in_another_province_is_a_candidate_not_a_choice(departments):
    mention = only("Sở VH-TT&DL đã tổ chức hội nghị.", published=AFTER)
    assert mention.chosen is None
    assert {code(pk) for pk in mention.candidates} == {"T-0", "T-HN"}
    named = only("Sở VH-TT&DL Thành phố Hà Nội đã họp.", published=AFTER)
    assert code(named.chosen) == "T-HN"


def test_the_publication_date_chooses_between_former_and_current_units(departments):
    text = "Sở Lao động - Thương binh và Xã hội tỉnh Quảng Ngãi tổ chức tập huấn."
    in_2021 = only(text, published=BEFORE)
    assert in_2021.chosen == departments["former"].pk
    # In October 2025 the department no longer exists: what took it over is offered first,
    # and the officer chooses.
    in_2025 = only(text, published=AFTER)
    assert in_2025.chosen is None
    assert in_2025.candidates[0] == departments["home_affairs"].pk
    assert departments["former"].pk in in_2025.candidates
    abbreviated = only("Sở LĐ-TB&XH tỉnh Quảng Ngãi họp.", published=BEFORE)
    assert abbreviated.chosen == departments["former"].pk


def test_a_former_ministry_named_after_it_ended():
    in_2019 = only("Bộ Lao động - Thương binh và Xã hội họp.", published=D(2019, 3, 1))
    assert code(in_2019.chosen) == "BLDTBXH"
    in_2025 = only("Bộ Lao động - Thương binh và Xã hội họp.", published=AFTER)
    assert in_2025.chosen is None
    assert [code(pk) for pk in in_2025.candidates] == ["BNV", "BLDTBXH"]


def test_without_a_publication_date_only_a_single_candidate_is_chosen():
    assert code(only("Bộ Y tế họp.").chosen) == "BYT"
    mention = only("UBND tỉnh Quảng Ngãi họp.")
    assert mention.chosen is None
    assert {code(pk) for pk in mention.candidates} == {"LP51", "P51"}


def test_an_ambiguous_name_gives_candidates_and_no_choice(tree):
    mention = only("Phường An Khê tổ chức truyền thông.", published=AFTER)
    assert mention.chosen is None
    # The two current wards first, then the former ward of the same name.
    assert {code(pk) for pk in mention.candidates[:2]} == {"X20305", "X23617"}
    assert code(mention.candidates[2]) == "LX20224"
    gia_lai = OrgUnit.objects.get(code="P52")
    near = only("Phường An Khê tổ chức truyền thông.", published=AFTER, home_unit=gia_lai)
    assert code(near.chosen) == "X23617"
    assert code(near.candidates[0]) == "X23617"


def test_diacritics_tell_similar_names_apart():
    assert code(only("Xã Sơn Tịnh họp.", published=AFTER).chosen) == "X21220"
    # "Xã Sơn Tinh" (a former commune) is another unit: in 2025 what it became is offered.
    former = only("Xã Sơn Tinh họp.", published=AFTER)
    assert former.chosen is None and "X21220" not in {code(pk) for pk in former.candidates}
    # Typed without diacritics, the date decides: only one of them existed in 2021.
    assert code(only("Xa Son Tinh hop.", published=BEFORE).chosen) == "LX21343"


def test_a_unit_not_in_the_tree_is_reported_unmatched():
    (ministry, department) = find_units(
        "Bộ LĐ-TB&XH và Vụ Bình đẳng giới đã tổ chức hội thảo.", published=D(2019, 3, 1)
    )
    assert code(ministry.chosen) == "BLDTBXH"
    assert (department.text, department.candidates, department.chosen) == (
        "Vụ Bình đẳng giới",
        [],
        None,
    )


def test_no_units_in_ordinary_words():
    assert find_units("Hội nghị tập huấn diễn ra tại hội trường, các đại biểu thảo luận.") == []


def test_people_are_matched_against_the_committee_members(tree):
    province = tree["province"]
    committee = Committee.objects.create(unit=province, name="Ban VSTBPN tỉnh Quảng Ngãi")
    decision = Decision.objects.create(committee=committee, number="1/QĐ-UBND", date=D(2025, 8, 1))
    for name in ("Nguyễn Văn An", "Trần Thị Bình", "Tran Thi Binh"):
        person = Person.objects.create(full_name=name)
        Membership.objects.create(
            committee=committee,
            decision=decision,
            person=person,
            role=Role.MEMBER,
            start=D(2025, 8, 1),
        )
    an = Person.objects.get(full_name="Nguyễn Văn An")
    assert match_person("Nguyễn Văn An", province, AFTER) == an.pk
    assert match_person("Nguyen Van An", province, AFTER) == an.pk
    assert match_person("Trần Thị Bình", province, AFTER) is None  # two people: not guessed
    assert match_person("Lê Văn Cường", province, AFTER) is None
    assert match_person("Nguyễn Văn An", tree["other_province"], AFTER) is None
    assert match_person("", province, AFTER) is None


def test_a_bare_level_word_is_the_unit_the_report_named_before(tree):
    text = "Hội LHPN tỉnh Gia Lai tổ chức hội thi. UBND tỉnh khen thưởng các đội."
    mentions = find_units(text, published=D(2023, 10, 21), home_unit=tree["province"])
    assert [(m.text, code(m.chosen)) for m in mentions] == [
        ("Hội LHPN tỉnh Gia Lai", None),  # no such department recorded: shown unmatched
        ("UBND tỉnh", "LP64"),  # Gia Lai as it was in 2023, not the officer's Quảng Ngãi
    ]
    # The province is offered for the department that is not in the tree, not chosen.
    assert code(mentions[0].candidates[0]) == "LP64"


def test_document_numbers_are_no_units():
    assert find_units("Quyết định số 876/QĐ-UBND ngày 15/6/2021.", published=BEFORE) == []
