"""Demo activities of the demo province and two of its communes (2025–2026), and one
commendation proposal. Illustrative figures ("Số liệu minh họa"), not real events."""

import datetime

from binhdang.activities import services
from binhdang.activities.models import Activity, Commendation, Kind, Topic
from binhdang.orgunits.models import Level, OrgUnit

NOTE = "Số liệu minh họa."
PORTAL = "https://www.quangngai.gov.vn"


def _activities(province: OrgUnit, communes: list[OrgUnit]) -> list[services.ActivityData]:
    first, second = communes
    portal = [services.Link(PORTAL, "Cổng Thông tin điện tử tỉnh (minh họa)")]
    return [
        services.ActivityData(
            title="Hội nghị triển khai công tác bình đẳng giới và vì sự tiến bộ của phụ nữ "
            "năm 2025",
            kind=Kind.CONFERENCE,
            start_date=datetime.date(2025, 3, 5),
            organiser=province,
            co_organisers=[first, second],
            venue="Hội trường UBND tỉnh",
            online_sites="Điểm cầu chính: Hội trường UBND tỉnh\nĐiểm cầu UBND các xã, phường",
            online_site_count=97,
            participants=420,
            women=231,
            leaders=120,
            officers=300,
            topics=[Topic.COMMITTEE_WORK, Topic.GENDER_EQUALITY_LAW],
            outputs=portal,
            cost=18_000_000,
            note=NOTE,
        ),
        services.ActivityData(
            title="Tập huấn lồng ghép giới trong xây dựng văn bản quy phạm pháp luật",
            kind=Kind.TRAINING,
            start_date=datetime.date(2025, 6, 17),
            end_date=datetime.date(2025, 6, 18),
            organiser=province,
            venue="Trường Chính trị tỉnh",
            participants=120,
            women=74,
            leaders=20,
            officers=100,
            topics=[Topic.MAINSTREAMING, Topic.LEGAL_EDUCATION],
            cost=45_000_000,
            note=NOTE,
        ),
        services.ActivityData(
            title="Mít tinh hưởng ứng Tháng hành động vì bình đẳng giới năm 2025",
            kind=Kind.COMMEMORATION,
            start_date=datetime.date(2025, 11, 14),
            organiser=province,
            partners="Hội Liên hiệp Phụ nữ tỉnh",
            venue="Quảng trường tỉnh",
            participants=500,
            women=320,
            leaders=40,
            officers=160,
            public=300,
            topics=[Topic.GBV, Topic.DIGITAL],
            outputs=portal,
            note=NOTE,
        ),
        services.ActivityData(
            title="Hội thảo nâng cao vai trò của cán bộ nữ nhân Ngày Quốc tế Phụ nữ",
            kind=Kind.WORKSHOP,
            start_date=datetime.date(2026, 3, 6),
            organiser=province,
            participants=90,
            women=62,
            topics=[Topic.WOMEN_CADRES],
            note=NOTE,
        ),
        services.ActivityData(
            title="Truyền thông phòng, chống bạo lực gia đình tại các thôn",
            kind=Kind.CAMPAIGN,
            start_date=datetime.date(2025, 6, 20),
            end_date=datetime.date(2025, 6, 28),
            organiser=first,
            participants=250,
            women=160,
            public=250,
            topics=[Topic.DOMESTIC_VIOLENCE, Topic.LEGAL_EDUCATION],
            cost=6_500_000,
            note=NOTE,
        ),
        services.ActivityData(
            title="Tập huấn kỹ năng cho cán bộ Chi hội Phụ nữ",
            kind=Kind.TRAINING,
            start_date=datetime.date(2025, 10, 15),
            organiser=first,
            participants=60,
            women=48,
            officers=12,
            public=48,
            topics=[Topic.GBV],
            note=NOTE,
        ),
        services.ActivityData(
            title="Tọa đàm “Phụ nữ với kinh tế số”",
            kind=Kind.TALK,
            start_date=datetime.date(2025, 10, 20),
            organiser=second,
            participants=45,
            women=40,
            topics=[Topic.ECONOMIC, Topic.DIGITAL],
            note=NOTE,
        ),
        services.ActivityData(
            title="Hội thi “Gia đình hạnh phúc” nhân Ngày Gia đình Việt Nam",
            kind=Kind.CONTEST,
            start_date=datetime.date(2026, 6, 28),
            organiser=second,
            topics=[Topic.DOMESTIC_VIOLENCE],
            note=NOTE + " Hoạt động dự kiến.",
        ),
    ]


def setup_activities(actor, province: OrgUnit) -> int:
    """Record the demo activities and the proposal once; later runs leave what is there."""
    communes = list(
        province.children.live().filter(level=Level.COMMUNE).order_by("official_code")[:2]
    )
    if Activity.objects.filter(
        organiser__path__startswith=province.path, note__startswith=NOTE
    ).exists():
        return 0
    count = 0
    for data in _activities(province, communes):
        services.create_activity(actor, data)
        count += 1
    if not Commendation.objects.filter(proposing_unit=communes[0]).exists():
        services.propose(
            actor,
            services.ProposalData(
                year=2025,
                nominee_kind="collective",
                nominee=f"Hội Liên hiệp Phụ nữ {communes[0].name}",
                award_form="certificate_of_merit",
                award_level="province_chair",
                reason="Thành tích xuất sắc trong tuyên truyền phòng, chống bạo lực gia đình năm "
                "2025 (số liệu minh họa).",
                proposing_unit=communes[0],
            ),
        )
    return count
