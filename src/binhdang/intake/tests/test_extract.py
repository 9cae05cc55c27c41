"""Reading news reports: dates in every way portals write them, kinds, counts, decisions,
members, figures and tasks, and whole reports end to end."""

import datetime
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from binhdang.activities.models import Kind, Topic
from binhdang.committees.models import Role
from binhdang.intake import patterns
from binhdang.intake.extract import read, warm, women_leaders_indicator
from binhdang.orgunits.models import OrgUnit

D = datetime.date


@dataclass(frozen=True)
class Doc:
    """Stand-in for intake.sources.Document (helper C's), with the same fields."""

    text: str
    published: datetime.date | None = None
    title: str = ""


def unit(code: str) -> int:
    return OrgUnit.objects.get(code=code).pk


def of_kind(reading, kind: str) -> list:
    return [p for p in reading.proposals if p.kind == kind]


# Dates ------------------------------------------------------------------------------------

DATES = [
    # (text, publication date, first day, last day, year inferred)
    (
        "Trong 02 ngày, từ 21-22/5/2023, Sở tổ chức tập huấn.",
        None,
        D(2023, 5, 21),
        D(2023, 5, 22),
        False,
    ),
    ("Chiều ngày 3/8, Sở tổ chức hội thảo.", D(2023, 8, 5), D(2023, 8, 3), D(2023, 8, 3), True),
    ("Chieu ngay 3/8, So to chuc hoi thao.", D(2023, 8, 5), D(2023, 8, 3), D(2023, 8, 3), True),
    ("Sáng 15-3, Hội nghị khai mạc.", D(2024, 3, 16), D(2024, 3, 15), D(2024, 3, 15), True),
    ("Sáng 28/12, Ban họp.", D(2024, 1, 5), D(2023, 12, 28), D(2023, 12, 28), True),
    ("Ngày 05/01/2012, UBND tỉnh họp.", D(2020, 1, 1), D(2012, 1, 5), D(2012, 1, 5), False),
    ("từ ngày 20/10 đến ngày 22/10/2021", None, D(2021, 10, 20), D(2021, 10, 22), False),
    ("từ ngày 30/9 đến ngày 02/10/2021", None, D(2021, 9, 30), D(2021, 10, 2), False),
    ("từ ngày 28/12 đến ngày 3/1/2021", None, D(2020, 12, 28), D(2021, 1, 3), False),
    ("từ 28/12/2020 - 03/01/2021", None, D(2020, 12, 28), D(2021, 1, 3), False),
    ("ngày 21 và 22/5/2023", None, D(2023, 5, 21), D(2023, 5, 22), False),
    ("ngày 21, 22/5/2023", None, D(2023, 5, 21), D(2023, 5, 22), False),
    ("Sáng nay (12/3), Sở họp.", D(2023, 3, 12), D(2023, 3, 12), D(2023, 3, 12), True),
    ("ngày 20 tháng 10 năm 2021", None, D(2021, 10, 20), D(2021, 10, 20), False),
    ("ngày 29/2/2024", None, D(2024, 2, 29), D(2024, 2, 29), False),
    ("Sáng 15.3.2023", None, D(2023, 3, 15), D(2023, 3, 15), False),
]


@pytest.mark.parametrize(("text", "published", "first", "last", "inferred"), DATES)
def test_dates_as_portals_write_them(text, published, first, last, inferred):
    (span,) = patterns.find_dates(text, published)
    assert (span.first, span.last, span.year_inferred) == (first, last, inferred)
    assert patterns.folded(text[span.start : span.end])[:1].isdigit() or "ngay" in patterns.folded(
        text[span.start : span.end]
    )


@pytest.mark.parametrize(
    "text",
    [
        "ngày 31/2/2023",  # no 31 February
        "ngày 29/2/2023",  # 2023 is no leap year
        "ngày 12/13/2023",  # no month 13
        "từ 22-21/5/2023",  # a range that ends before it starts
        "đạt 16/19 chỉ tiêu",  # a fraction, not a date
        "có 2/3 số xã",
        "Nghị quyết 08/2021/QH15",
        "Quyết định số 2967/QĐ-BTNMT",
        "hơn 1.234 người",
    ],
)
def test_what_is_not_a_date_is_refused_without_crashing(text):
    assert patterns.find_dates(text, D(2023, 6, 1)) == []


def test_a_date_without_year_and_without_publication_date_is_left_out():
    assert patterns.find_dates("Chiều ngày 3/8, Sở họp.") == []
    assert patterns.has_yearless_date("Chiều ngày 3/8, Sở họp.")
    assert not patterns.has_yearless_date("Ngày 3/8/2023, Sở họp.")


@settings(max_examples=150, deadline=None)
@given(
    day=st.dates(min_value=D(2000, 1, 1), max_value=D(2035, 12, 31)),
    form=st.sampled_from(
        ["ngày {d}/{m}/{y}", "ngày {dd}/{mm}/{y}", "{dd}-{mm}-{y}", "{d}.{m}.{y}"]
    ),
    before=st.sampled_from(["Sáng", "Chiều", "Vừa qua,", "Tối", ""]),
)
def test_any_written_date_is_read_back_exactly(day, form, before):
    written = form.format(
        d=day.day, m=day.month, dd=f"{day.day:02}", mm=f"{day.month:02}", y=day.year
    )
    text = f"{before} {written}, Sở Tư pháp tổ chức hội nghị tập huấn cho 120 học viên."
    (span,) = patterns.find_dates(text, D(2036, 1, 1))
    assert (span.first, span.last, span.year_inferred) == (day, day, False)
    assert text[span.start : span.end].endswith(str(day.year))


def test_numbers_are_read_the_vietnamese_way():
    assert patterns.number("84,2") == Decimal("84.2")
    assert patterns.whole_number("1.234") == 1234
    assert patterns.whole_number("02") == 2
    assert patterns.whole_number("1,5") is None
    assert patterns.number("1.25") is None  # ambiguous in Vietnamese: refused, not guessed


def test_sentences_keep_their_offsets_and_abbreviations():
    text = "Sáng 15/3, tại TP. Quảng Ngãi, Sở họp. Ông A dự.\n\nĐoạn hai"
    found = patterns.sentences(text)
    assert [s.text for s in found] == [
        "Sáng 15/3, tại TP. Quảng Ngãi, Sở họp.",
        "Ông A dự.",
        "Đoạn hai",
    ]
    assert all(text[s.start : s.end] == s.text for s in found)


# Kinds and activities --------------------------------------------------------------------

KINDS = [
    ("Sáng 15/3/2023, Sở Tư pháp tổ chức Hội nghị tập huấn về Luật Bình đẳng giới.", Kind.TRAINING),
    ("Ngày 15/3/2023, Sở Tư pháp phối hợp tổ chức Hội thảo về lồng ghép giới.", Kind.WORKSHOP),
    ("Ngày 15/3/2023, Hội LHPN tỉnh tổ chức buổi tọa đàm với nữ doanh nhân.", Kind.TALK),
    ("Ngày 15/3/2023, Ban VSTBPN tỉnh tổ chức phiên họp thường kỳ quý I.", Kind.MEETING),
    ("Ngày 15/3/2023, đoàn kiểm tra của Ban đã làm việc tại xã.", Kind.OTHER),
    ("Sáng 15/3/2023, tỉnh tổ chức Lễ mít tinh hưởng ứng Tháng hành động.", Kind.COMMEMORATION),
    ("Ngày 15/3/2023, Sở tổ chức Hội thi tìm hiểu pháp luật về bình đẳng giới.", Kind.CONTEST),
    ("Ngày 15/3/2023, UBND tỉnh tổ chức Hội nghị sơ kết công tác bình đẳng giới.", Kind.CONFERENCE),
    ("Ngày 15/3/2023, Sở tổ chức chiến dịch truyền thông về bạo lực gia đình.", Kind.CAMPAIGN),
    ("Ngay 15/3/2023, So Tu phap to chuc hoi thao ve bao luc gia dinh.", Kind.WORKSHOP),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "kind"), KINDS)
def test_kinds_of_activity(text, kind):
    (activity,) = of_kind(read(Doc(text)), "activity")
    assert activity.fields["kind"] == kind
    assert activity.fields["start"] == D(2023, 3, 15)


@pytest.mark.django_db
def test_phoi_hop_is_no_meeting_and_a_sentence_without_activity_gives_nothing():
    reading = read(Doc("Sở Tư pháp phối hợp chặt chẽ với các sở, ngành trong năm qua."))
    assert reading.proposals == []


@pytest.mark.django_db
def test_activity_fields_and_a_later_sentence_adding_participants():
    text = (
        "Trong 02 ngày, từ 21-22/5/2023, Sở Tư pháp tỉnh Quảng Ngãi tổ chức Hội nghị tập huấn "
        "phòng, chống bạo lực gia đình và mua bán người tại Hội trường UBND tỉnh. "
        "Tham dự lớp tập huấn có 120 học viên là cán bộ cấp xã."
    )
    (activity,) = of_kind(read(Doc(text, D(2023, 5, 23))), "activity")
    fields = activity.fields
    assert fields["title"] == ("Hội nghị tập huấn phòng, chống bạo lực gia đình và mua bán người")
    assert (fields["start"], fields["end"]) == (D(2023, 5, 21), D(2023, 5, 22))
    assert fields["place"] == "Hội trường UBND tỉnh"
    assert fields["participants"] == 120
    assert fields["online"] is False
    assert set(fields["topics"]) == {Topic.DOMESTIC_VIOLENCE, Topic.TRAFFICKING}
    assert fields["organiser"].text == "Sở Tư pháp tỉnh Quảng Ngãi"
    assert text[activity.start : activity.end].startswith("Trong 02 ngày")


@pytest.mark.django_db
def test_online_and_inferred_year_lower_the_confidence():
    text = "Chiều ngày 3/8, tại điểm cầu UBND tỉnh, hơn 150 đại biểu dự Hội nghị trực tuyến."
    (dated,) = of_kind(read(Doc(text.replace("3/8", "3/8/2023"))), "activity")
    (inferred,) = of_kind(read(Doc(text, D(2023, 8, 10))), "activity")
    (undated,) = of_kind(read(Doc(text)), "activity")
    assert inferred.fields["online"] and inferred.fields["participants"] == 150
    assert inferred.fields["start"] == D(2023, 8, 3)
    assert undated.fields["start"] is None
    assert dated.confidence > inferred.confidence > undated.confidence
    assert inferred.notes and undated.notes


# Counts, decisions, members --------------------------------------------------------------

COUNTED = [
    ("Năm 2022, tỉnh đã tổ chức trên 20 lớp tập huấn cho cán bộ.", Kind.TRAINING, 20, True, 2022),
    ("Trong năm, Ban đã cử 12 đoàn công tác đến các huyện.", Kind.OTHER, 12, False, 2024),
    ("Năm 2021, các sở tổ chức hơn 10 hội thảo, tập huấn.", Kind.WORKSHOP, 10, True, 2021),
    ("Năm 2023, các xã tổ chức 1.200 buổi truyền thông.", Kind.CAMPAIGN, 1200, False, 2023),
    ("Trong năm qua, tỉnh tổ chức 8 cuộc tọa đàm.", Kind.TALK, 8, False, 2023),  # in January 2024
]


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "kind", "count", "at_least", "year"), COUNTED)
def test_counted_statements(text, kind, count, at_least, year):
    published = D(2024, 1, 20) if "năm qua" in text else D(2024, 12, 20)
    reading = read(Doc(text, published))
    (counted,) = of_kind(reading, "counted")
    assert counted.fields == {"kind": kind, "count": count, "at_least": at_least, "year": year}
    assert of_kind(reading, "activity") == []


@pytest.mark.django_db
def test_an_approximate_count_is_less_sure():
    exact, about = (
        of_kind(read(Doc(f"Năm 2022, tỉnh tổ chức {n} cuộc tọa đàm.")), "counted")[0]
        for n in ("5", "khoảng 5")
    )
    assert about.fields["at_least"] is False and about.confidence < exact.confidence


@pytest.mark.django_db
def test_a_ministry_decision_with_number_date_and_issuer():
    text = (
        "Bộ trưởng ký Quyết định số 2967/QĐ-BTNMT ngày 20/11/2019 về việc kiện toàn Ban Vì sự "
        "tiến bộ của phụ nữ Bộ Tài nguyên và Môi trường."
    )
    (decision,) = of_kind(read(Doc(text, D(2019, 11, 25))), "decision")
    assert decision.fields["number"] == "2967/QĐ-BTNMT"
    assert decision.fields["date"] == D(2019, 11, 20)
    assert decision.fields["subject"] == (
        "Kiện toàn Ban Vì sự tiến bộ của phụ nữ Bộ Tài nguyên và Môi trường"
    )
    assert decision.fields["issuer"].chosen == unit("BTNMT")


@pytest.mark.django_db
def test_a_province_decision_and_decisions_about_other_things():
    text = (
        "Ngày 05/01/2012, Quyết định số 45/QĐ-UBND ngày 05/01/2012 của UBND tỉnh Quảng Ngãi về "
        "việc thành lập Ban VSTBPN tỉnh được ban hành. Quyết định số 12/QĐ-UBND về việc phê "
        "duyệt dự án đường giao thông cũng được ký. Quyết định kiện toàn Ban VSTBPN tỉnh sẽ "
        "ban hành sau."
    )
    decisions = of_kind(read(Doc(text, D(2012, 1, 10))), "decision")
    assert [d.fields["number"] for d in decisions] == ["45/QĐ-UBND", ""]
    assert decisions[0].fields["issuer"].chosen == unit("LP51")
    assert decisions[1].fields["date"] is None
    assert decisions[1].confidence < decisions[0].confidence


ROLES = [
    (
        "Theo đó, ông Nguyễn Văn An, Phó Chủ tịch UBND tỉnh làm Trưởng ban.",
        "Nguyễn Văn An",
        "Phó Chủ tịch UBND tỉnh",
        Role.HEAD,
    ),
    (
        "Đại diện lãnh đạo Sở Tư pháp là Phó Trưởng ban thường trực.",
        "",
        "Lãnh đạo Sở Tư pháp",
        Role.STANDING_VICE_CHAIR,
    ),
    (
        "Bà Trần Thị Bích Ngọc, Giám đốc Sở Y tế làm Phó Trưởng ban.",
        "Trần Thị Bích Ngọc",
        "Giám đốc Sở Y tế",
        Role.VICE_CHAIR,
    ),
    ("Thứ trưởng Lê Văn Thanh làm Trưởng ban.", "Lê Văn Thanh", "Thứ trưởng", Role.HEAD),
    (
        "Đồng chí Phạm Thị Hoa, Phó Chủ tịch Hội LHPN tỉnh là Ủy viên.",
        "Phạm Thị Hoa",
        "Phó Chủ tịch Hội LHPN tỉnh",
        Role.MEMBER,
    ),
    ("Chuyên viên Phòng Tổ chức là Thư ký.", "", "Chuyên viên Phòng Tổ chức", Role.SECRETARY),
    # Names without "ông/bà" and without a common family name: underthesea's tagger finds them.
    ("Thứ trưởng Khuất Minh Tuấn làm Trưởng ban.", "Khuất Minh Tuấn", "Thứ trưởng", Role.HEAD),
    (
        "Chủ tịch Hội LHPN Ksor H Bơ Khăp là Ủy viên.",
        "Ksor H Bơ Khăp",
        "Chủ tịch Hội LHPN",
        Role.MEMBER,
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "name", "position", "role"), ROLES)
def test_members_and_roles(text, name, position, role):
    (member,) = of_kind(read(Doc(text, D(2023, 1, 1))), "member")
    assert (member.fields["name"], member.fields["position"], member.fields["role"]) == (
        name,
        position,
        role,
    )


@pytest.mark.django_db
def test_several_members_in_one_sentence_and_the_unit_they_represent():
    text = (
        "Theo Quyết định, ông Nguyễn Văn An, Phó Chủ tịch UBND tỉnh làm Trưởng ban; đại diện "
        "lãnh đạo Sở LĐ-TB&XH là Phó Trưởng ban thường trực; lãnh đạo Hội LHPN tỉnh là Ủy viên."
    )
    home = OrgUnit.objects.get(code="P51")
    members = of_kind(read(Doc(text, D(2025, 10, 2)), home_unit=home), "member")
    assert [m.fields["role"] for m in members] == [
        Role.HEAD,
        Role.STANDING_VICE_CHAIR,
        Role.MEMBER,
    ]
    assert members[0].fields["unit"].chosen == home.pk  # "UBND tỉnh" is the officer's province
    assert members[1].fields["unit"].text == "Sở LĐ-TB&XH"
    assert [m.fields["name"] for m in members] == ["Nguyễn Văn An", "", ""]
    assert members[1].confidence < members[0].confidence


# Figures and tasks -----------------------------------------------------------------------


@pytest.mark.django_db
def test_summary_of_the_targets_met():
    text = (
        "Năm 2024, tỉnh có 16/19 chỉ tiêu của Chiến lược đạt và vượt kế hoạch, chiếm tỷ lệ 84,2%."
    )
    (summary,) = of_kind(read(Doc(text, D(2025, 1, 10))), "summary")
    assert summary.fields == {"met": 16, "total": 19, "percent": Decimal("84.2"), "year": 2024}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        "Năm 2024, tỉnh có 20/19 chỉ tiêu đạt và vượt kế hoạch.",  # more met than there are
        "Năm 2024, tỉnh có 16/19 chỉ tiêu chưa có số liệu.",  # nothing said about meeting them
    ],
)
def test_impossible_or_unsaid_summaries_give_nothing(text):
    assert of_kind(read(Doc(text)), "summary") == []


@pytest.mark.django_db
def test_a_percentage_that_contradicts_the_count_is_flagged():
    text = "Năm 2024, có 16/19 chỉ tiêu đạt và vượt, chiếm tỷ lệ 50%."
    (summary,) = of_kind(read(Doc(text)), "summary")
    assert summary.confidence < 0.6 and summary.notes


@pytest.mark.django_db
def test_women_leaders_per_level_are_figures_of_target_1_1():
    text = (
        "Năm 2024, toàn tỉnh có 10/13 chính quyền địa phương cấp huyện, 30/98 chính quyền địa "
        "phương cấp xã có lãnh đạo nữ chủ chốt."
    )
    figures = of_kind(read(Doc(text, D(2025, 1, 10))), "figure")
    assert women_leaders_indicator() == "1.1"
    assert [
        (f.fields["level"], f.fields["numerator"], f.fields["denominator"]) for f in figures
    ] == [
        ("district", 10, 13),
        ("commune", 30, 98),
    ]
    assert {(f.fields["indicator"], f.fields["year"]) for f in figures} == {("1.1", 2024)}
    assert of_kind(read(Doc(text.replace("có lãnh đạo nữ chủ chốt", "đã báo cáo"))), "figure") == []


TASKS = [
    ("hoàn thành trước tháng 1/2025", D(2024, 12, 31)),
    ("hoàn thành trước tháng 10/2024", D(2024, 9, 30)),
    ("hoàn thành trong quý III/2024", D(2024, 9, 30)),
    ("hoàn thành trước ngày 15/6/2024", D(2024, 6, 15)),
    ("hoàn thành trong năm 2024", D(2024, 12, 31)),
    ("hoàn thành trước 30/9/2024", D(2024, 9, 30)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("deadline_text", "deadline"), TASKS)
def test_tasks_with_their_lead_and_deadline(deadline_text, deadline):
    text = (
        "Sở Tư pháp chủ trì, phối hợp với các sở, ngành xây dựng kế hoạch truyền thông về "
        f"bình đẳng giới, {deadline_text}."
    )
    (task,) = of_kind(read(Doc(text, D(2024, 3, 1))), "task")
    assert task.fields["deadline"] == deadline
    assert task.fields["deadline_text"] == deadline_text.removeprefix("hoàn thành ")
    assert task.fields["title"] == "Xây dựng kế hoạch truyền thông về bình đẳng giới"
    assert task.fields["lead"].text == "Sở Tư pháp"
    assert of_kind(read(Doc(text, D(2024, 3, 1))), "activity") == []


@pytest.mark.django_db
def test_an_impossible_deadline_gives_no_task():
    text = "Sở Tư pháp chủ trì xây dựng kế hoạch, hoàn thành trước tháng 13/2024."
    assert of_kind(read(Doc(text)), "task") == []


# Whole reports (fictional, written in the portals' style: reports/*.txt) -------------------

REPORTS = Path(__file__).parent / "reports"


def report(name: str) -> str:
    return (REPORTS / f"{name}.txt").read_text(encoding="utf-8")


TRAINING_REPORT = report("training")

COMMITTEE_REPORT = report("committee")

REVIEW_REPORT = report("review")

NO_DIACRITICS_REPORT = report("no-diacritics")


@pytest.mark.django_db
def test_a_training_report_end_to_end():
    reading = read(Doc(TRAINING_REPORT, D(2023, 5, 23)), home_unit=OrgUnit.objects.get(code="P51"))
    (activity,) = of_kind(reading, "activity")
    assert activity.fields["kind"] == Kind.TRAINING
    assert (
        activity.fields["title"]
        == 'Lớp tập huấn "Kỹ năng lồng ghép giới trong xây dựng chính sách"'
    )
    assert (activity.fields["start"], activity.fields["end"]) == (D(2023, 5, 21), D(2023, 5, 22))
    assert activity.fields["participants"] == 120
    assert activity.fields["organiser"].chosen == unit("LP51")
    assert Topic.MAINSTREAMING in activity.fields["topics"]
    (counted,) = of_kind(reading, "counted")
    assert (counted.fields["count"], counted.fields["year"]) == (20, 2022)
    assert {u.text for u in reading.units} >= {"Ban VSTBPN tỉnh Quảng Ngãi", "Hội LHPN tỉnh"}


@pytest.mark.django_db
def test_a_committee_report_end_to_end():
    reading = read(Doc(COMMITTEE_REPORT, D(2019, 3, 21)))
    (decision,) = of_kind(reading, "decision")
    assert decision.fields["number"] == "356/QĐ-LĐTBXH"
    assert decision.fields["issuer"].chosen == unit("BLDTBXH")  # the ministry of 2019
    members = of_kind(reading, "member")
    assert [(m.fields["name"], m.fields["role"]) for m in members] == [
        ("Nguyễn Thị Hà", Role.HEAD),
        ("", Role.STANDING_VICE_CHAIR),
        ("", Role.MEMBER),
    ]
    # "Thứ trưởng" alone: a deputy minister of the ministry the report named.
    assert members[0].fields["unit"].chosen == unit("BLDTBXH")
    assert members[1].fields["unit"].text == "Vụ Bình đẳng giới"
    assert members[1].fields["unit"].candidates == []  # not in the tree: shown, not guessed
    (meeting,) = of_kind(reading, "activity")
    assert (meeting.fields["kind"], meeting.fields["start"]) == (Kind.MEETING, D(2019, 3, 20))


@pytest.mark.django_db
def test_a_review_report_end_to_end():
    home = OrgUnit.objects.get(code="P51")
    reading = read(Doc(REVIEW_REPORT, D(2025, 1, 16)), home_unit=home)
    (conference,) = of_kind(reading, "activity")
    assert conference.fields["kind"] == Kind.CONFERENCE
    assert conference.fields["start"] == D(2025, 1, 15)
    assert conference.fields["online"] and conference.fields["participants"] == 150
    assert conference.fields["organiser"].chosen == unit("LP51")  # before the 2025 merger
    (summary,) = of_kind(reading, "summary")
    assert (summary.fields["met"], summary.fields["total"], summary.fields["year"]) == (
        16,
        19,
        2024,
    )
    assert [f.fields["level"] for f in of_kind(reading, "figure")] == ["district", "commune"]
    assert {f.fields["year"] for f in of_kind(reading, "figure")} == {2024}
    (task,) = of_kind(reading, "task")
    assert task.fields["deadline"] == D(2025, 9, 30)
    assert task.fields["title"] == "Rà soát đội ngũ cán bộ nữ"


@pytest.mark.django_db
def test_a_report_typed_without_diacritics():
    reading = read(Doc(NO_DIACRITICS_REPORT, D(2024, 3, 9)))
    (talk,) = of_kind(reading, "activity")
    assert (talk.fields["kind"], talk.fields["start"], talk.fields["participants"]) == (
        Kind.TALK,
        D(2024, 3, 8),
        80,
    )
    assert Topic.DOMESTIC_VIOLENCE in talk.fields["topics"]
    (counted,) = of_kind(reading, "counted")
    assert counted.fields == {"kind": Kind.CAMPAIGN, "count": 30, "at_least": True, "year": 2023}


@pytest.mark.django_db
def test_every_proposal_points_at_its_sentence_and_is_fast_once_warm():
    document = Doc("\n\n".join([TRAINING_REPORT, COMMITTEE_REPORT, REVIEW_REPORT]), D(2025, 1, 16))
    warm()
    began = time.perf_counter()
    reading = read(document)
    elapsed = time.perf_counter() - began
    for proposal in reading.proposals:
        assert 0 < proposal.confidence < 1
        assert document.text[proposal.start : proposal.end].strip()
    for mention in reading.units:
        assert document.text[mention.start : mention.end] == mention.text
        assert mention.chosen is None or mention.chosen in mention.candidates
    assert elapsed < 1.0


# Other turns of phrase and bad input --------------------------------------------------------


@pytest.mark.django_db
def test_other_turns_of_phrase():
    text = (
        "Năm 2024, tỉnh đạt 16/19 mục tiêu, chỉ tiêu, chiếm 84,2%. Toàn tỉnh có 10/13 huyện, "
        "150/173 xã có lãnh đạo chủ chốt là nữ. Sở Y tế có trách nhiệm tổng hợp báo cáo, hoàn "
        "thành trong quý IV/2024."
    )
    reading = read(Doc(text, D(2024, 3, 1)))
    (summary,) = of_kind(reading, "summary")
    assert (summary.fields["met"], summary.fields["total"]) == (16, 19)
    figures = of_kind(reading, "figure")
    assert [(f.fields["level"], f.fields["numerator"]) for f in figures] == [
        ("district", 10),
        ("commune", 150),
    ]
    (task,) = of_kind(reading, "task")
    assert (task.fields["lead"].text, task.fields["deadline"]) == ("Sở Y tế", D(2024, 12, 31))


@pytest.mark.django_db
def test_an_agency_signing_through_one_of_its_departments():
    text = "Quyết định số 12/QĐ-BNN-TCCB ngày 02/01/2019 về việc kiện toàn Ban VSTBPN của Bộ."
    (decision,) = of_kind(read(Doc(text, D(2019, 1, 5))), "decision")
    assert decision.fields["number"] == "12/QĐ-BNN-TCCB"
    assert decision.fields["issuer"].chosen == unit("BNNPTNT")  # the ministry of 2019


@pytest.mark.django_db
def test_the_same_activity_told_twice_is_one_proposal_and_a_member_does_not_hide_it():
    text = (
        "Sáng 21/5/2023, Sở Tư pháp tổ chức lớp tập huấn về Luật Bình đẳng giới, do ông Nguyễn "
        "Văn An, là Trưởng ban VSTBPN tỉnh chủ trì. Lớp tập huấn ngày 21/5/2023 có 90 học viên."
    )
    reading = read(Doc(text, D(2023, 5, 22)))
    (activity,) = of_kind(reading, "activity")
    assert activity.fields["participants"] == 90
    assert [m.fields["name"] for m in of_kind(reading, "member")] == ["Nguyễn Văn An"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    ["", "   \n\n  ", "\x00\x01\ufffd" * 50, "1/1/1/1/1 ////// ---- 31/31/3131", "Bộ Sở UBND tỉnh"],
)
def test_odd_text_gives_no_proposal_and_no_error(text):
    assert read(Doc(text, D(2024, 1, 1))).proposals == []


@pytest.mark.django_db
def test_a_long_text_is_read_in_reasonable_time():
    document = Doc((report("review") + "\n\n") * 40, D(2025, 1, 16))  # about 40 pages
    read(Doc(report("review"), D(2025, 1, 16)))
    began = time.perf_counter()
    reading = read(document)
    assert time.perf_counter() - began < 10
    assert len(of_kind(reading, "summary")) == 40


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789/-.,: ngàyừSáhiu\nđếtgb"), max_size=80))
def test_dates_and_sentences_never_fail_on_any_text(text):
    for span in patterns.find_dates(text, D(2024, 6, 1)):
        assert 0 <= span.start < span.end <= len(text)
        assert span.first <= span.last
    for sentence in patterns.sentences(text):
        assert text[sentence.start : sentence.end] == sentence.text


@pytest.mark.django_db
def test_a_decision_signed_earlier_in_the_sentence():
    text = (
        "Ngày 15/6/2021, Chủ tịch UBND tỉnh Quảng Ngãi ký Quyết định số 876/QĐ-UBND về việc "
        "kiện toàn Ban Vì sự tiến bộ của phụ nữ tỉnh."
    )
    (decision,) = of_kind(read(Doc(text, D(2021, 6, 16))), "decision")
    assert decision.fields["date"] == D(2021, 6, 15)
    assert decision.fields["issuer"].chosen == unit("LP51")


@pytest.mark.django_db
def test_an_undated_sentence_after_an_activity_adds_to_it():
    text = (
        "Chiều 5-10-2025, Sở Nội vụ tổ chức hội nghị trực tuyến tập huấn nghiệp vụ cho cán bộ "
        "cấp xã. Hội nghị được kết nối tới 96 điểm cầu với hơn 400 người tham dự."
    )
    (activity,) = of_kind(read(Doc(text, D(2025, 10, 6))), "activity")
    assert activity.fields["kind"] == Kind.TRAINING
    assert (activity.fields["online"], activity.fields["participants"]) == (True, 400)


@pytest.mark.django_db
def test_a_decision_without_ve_viec_and_its_head_in_the_same_sentence():
    text = (
        "Ngày 05/01/2012, Bộ trưởng Bộ Văn hóa, Thể thao và Du lịch đã ban hành Quyết định số "
        "24/QĐ-BVHTTDL kiện toàn Ban Vì sự tiến bộ của phụ nữ Bộ VHTTDL gồm 15 thành viên, do "
        "Thứ trưởng Lê Khánh Hải làm Trưởng ban."
    )
    reading = read(Doc(text, D(2012, 1, 6)))
    (decision,) = of_kind(reading, "decision")
    assert decision.fields["subject"] == "Kiện toàn Ban Vì sự tiến bộ của phụ nữ Bộ VHTTDL"
    assert decision.fields["date"] == D(2012, 1, 5)
    assert decision.fields["issuer"].chosen == unit("BVHTTDL")
    (member,) = of_kind(reading, "member")
    assert (member.fields["name"], member.fields["position"]) == ("Lê Khánh Hải", "Thứ trưởng")
    assert member.fields["unit"].chosen == unit("BVHTTDL")
    assert of_kind(reading, "counted") == []  # "15 thành viên" is no count of activities


@pytest.mark.django_db
def test_a_headline_and_the_dated_report_of_it_are_one_activity():
    text = (
        "Sở Y tế tổ chức hội nghị tổng kết công tác bình đẳng giới\n\n"
        "Sáng 12/12/2023, Sở Y tế tổ chức hội nghị tổng kết công tác bình đẳng giới năm 2023."
    )
    (activity,) = of_kind(read(Doc(text)), "activity")
    assert activity.fields["start"] == D(2023, 12, 12)
    assert text[activity.start : activity.end].startswith("Sáng 12/12/2023")


@pytest.mark.django_db
def test_a_cited_documents_date_is_not_the_activitys_and_far_numbers_are_not_participants():
    text = (
        "Thực hiện Kế hoạch số 45/KH-UBND ngày 10/3/2016 của UBND tỉnh, sáng 15/3/2016, Sở Tư "
        "pháp tổ chức hội nghị tập huấn.\n\nĐoạn hai nói về việc khác.\n\nĐoạn ba: tỉnh có "
        "12.000 hội viên phụ nữ."
    )
    (activity,) = of_kind(read(Doc(text)), "activity")
    assert activity.fields["start"] == D(2016, 3, 15)
    assert activity.fields["participants"] is None


@pytest.mark.django_db
def test_several_tasks_in_one_sentence_and_a_count_dated_by_its_sentence():
    text = (
        "Giao Sở Tư pháp chủ trì tổ chức tuyên truyền Luật Bình đẳng giới, thời gian thực hiện "
        "trong quý II/2014; Sở Y tế phụ trách công tác truyền thông về mất cân bằng giới tính khi "
        "sinh, hoàn thành trước tháng 12/2014. Từ ngày 3 đến ngày 5/7/2014, Sở Y tế tổ chức 03 "
        "lớp tập huấn cho 180 học viên."
    )
    reading = read(Doc(text, D(2015, 3, 1)))
    tasks = of_kind(reading, "task")
    assert [(t.fields["title"], t.fields["lead"].text, t.fields["deadline"]) for t in tasks] == [
        ("Tổ chức tuyên truyền Luật Bình đẳng giới", "Sở Tư pháp", D(2014, 6, 30)),
        ("Công tác truyền thông về mất cân bằng giới tính khi sinh", "Sở Y tế", D(2014, 11, 30)),
    ]
    (counted,) = of_kind(reading, "counted")
    assert (counted.fields["count"], counted.fields["year"]) == (3, 2014)
    assert counted.notes == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        "Sáng 5/3/2024, theo hình thức trực tiếp kết hợp trực tuyến, Sở tổ chức hội thảo.",
        "Sang 5/3/2024, theo hinh thuc truc tiep ket hop truc tuyen, So to chuc hoi thao.",
    ],
)
def test_ket_hop_is_no_meeting(text):
    (activity,) = of_kind(read(Doc(text)), "activity")
    assert activity.fields["kind"] == Kind.WORKSHOP
    assert activity.fields["online"] is True
