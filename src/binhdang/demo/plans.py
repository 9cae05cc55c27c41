"""Demo plans, tasks and an inspection for the demo province (Quảng Ngãi, P51).

Illustrative records only ("Số liệu minh họa"): a 2026–2030 plan and a 2026 annual plan, both
approved; a few tasks whose deadlines are set relative to the day the demo is loaded, so that one
is overdue, one is done and one, assigned to a commune, falls due soon; and one inspection with two
recommendations, one of them carried out.
"""

import datetime

from binhdang.core.dates import today
from binhdang.indicators.models import Indicator, Objective
from binhdang.orgunits.models import Level, OrgUnit
from binhdang.plans import services
from binhdang.plans.deadlines import DeadlineKind
from binhdang.plans.models import Inspection, Plan, PlanKind, Task, TaskStatus

NOTE = "Số liệu minh họa."


def _not_after(day: datetime.date, limit: datetime.date) -> datetime.date:
    return min(day, limit)


def _department(province: OrgUnit, name: str) -> OrgUnit:
    return province.children.live().filter(name=name).first() or province


def setup_plans(actor, province: OrgUnit) -> Plan:
    """Create the demo plans, tasks and inspection once; later runs leave what is there."""
    existing = Plan.objects.filter(
        unit=province, kind=PlanKind.MULTI_YEAR, start_year=2026, end_year=2030
    ).first()
    if existing is not None:
        return existing
    now = today()
    name = province.name.replace("Tỉnh", "tỉnh")
    multi_year = services.create_plan(
        actor,
        province,
        kind=PlanKind.MULTI_YEAR,
        start_year=2026,
        end_year=2030,
        title=f"Kế hoạch thực hiện Chiến lược quốc gia về bình đẳng giới giai đoạn 2026–2030 "
        f"trên địa bàn {name} (minh họa)",
    )
    multi_year = services.approve_plan(
        actor,
        multi_year,
        decision_number="215/KH-UBND",
        decision_date=_not_after(datetime.date(2026, 1, 15), now),
        decision_signer="Phó Chủ tịch UBND tỉnh",
    )
    annual = services.create_plan(
        actor,
        province,
        kind=PlanKind.ANNUAL,
        start_year=2026,
        end_year=2026,
        title=f"Kế hoạch công tác bình đẳng giới và vì sự tiến bộ của phụ nữ năm 2026 {name} "
        "(minh họa)",
    )
    annual = services.approve_plan(
        actor,
        annual,
        decision_number="48/KH-UBND",
        decision_date=_not_after(datetime.date(2026, 2, 20), now),
        decision_signer="Phó Chủ tịch UBND tỉnh",
    )

    home_affairs = _department(province, "Sở Nội vụ")
    health = _department(province, "Sở Y tế")
    women = _department(province, "Hội Liên hiệp Phụ nữ tỉnh")
    commune = province.children.live().filter(level=Level.COMMUNE).order_by("official_code")[0]
    objectives = {o.number: o for o in Objective.objects.all()}
    indicators = {i.number: i for i in Indicator.objects.filter(owner_unit=None)}
    start = annual.start_date

    def day(offset: int) -> datetime.date:
        return max(now + datetime.timedelta(days=offset), start)

    overdue = services.create_task(
        actor,
        assigned_by=province,
        plan=annual,
        lead_unit=home_affairs,
        collaborating_units=[women],
        title="Tổng hợp số liệu thống kê giới của tỉnh năm 2025",
        description=NOTE,
        deadline=day(-15),
        objectives=[o for n, o in objectives.items() if n == 1],
    )
    services.add_update(
        actor, overdue, text="Đã gửi văn bản đề nghị các sở, ngành cung cấp số liệu.", percent=40
    )
    done = services.create_task(
        actor,
        assigned_by=province,
        plan=annual,
        lead_unit=women,
        collaborating_units=[home_affairs],
        title="Tổ chức Tháng hành động vì bình đẳng giới và phòng ngừa, ứng phó với bạo lực "
        "trên cơ sở giới",
        description=NOTE,
        deadline=day(-30),
        objectives=[o for n, o in objectives.items() if n == 3],
    )
    services.add_update(
        actor,
        done,
        text="Đã tổ chức lễ phát động và 12 hoạt động truyền thông tại các xã, phường.",
        link="https://example.org/tin-tuc/thang-hanh-dong",
        new_status=TaskStatus.DONE,
        date=_not_after(day(-32), now),
    )
    services.create_task(
        actor,
        assigned_by=province,
        plan=annual,
        lead_unit=commune,
        title="Tập huấn kiến thức về bình đẳng giới cho cán bộ xã",
        description=NOTE,
        deadline=day(5),
        objectives=[o for n, o in objectives.items() if n == 1],
        indicators=[i for n, i in indicators.items() if n == "1.1"],
    )
    month_end = (now.replace(day=1) + datetime.timedelta(days=62)).replace(day=1)
    services.create_task(
        actor,
        assigned_by=province,
        plan=multi_year,
        lead_unit=health,
        title="Rà soát việc lồng ghép giới trong các chương trình chăm sóc sức khỏe sinh sản",
        description=NOTE,
        deadline=month_end - datetime.timedelta(days=1),
        deadline_kind=DeadlineKind.BEFORE_MONTH,
        objectives=[o for n, o in objectives.items() if n == 4],
    )
    _inspection(actor, province, commune, health, now)
    return multi_year


def _inspection(actor, province, commune, health, now: datetime.date) -> Inspection:
    begin = max(now - datetime.timedelta(days=40), datetime.date(2026, 1, 5))
    inspection = services.create_inspection(
        actor,
        province,
        kind="inspection",
        title="Kiểm tra việc thực hiện pháp luật về bình đẳng giới năm 2026 (minh họa)",
        decision_number="312/QĐ-UBND",
        lead_name="Trần Văn Phúc",
        lead_position="Giám đốc Sở Nội vụ",
        members="Lê Thị Thanh — Chủ tịch Hội Liên hiệp Phụ nữ tỉnh\n"
        "Huỳnh Thị Kim — Chuyên viên Sở Nội vụ",
        inspected_units=[commune, health],
        start_date=begin,
        end_date=begin + datetime.timedelta(days=2),
        scope="Việc ban hành kế hoạch, bố trí kinh phí và lồng ghép giới trong xây dựng văn bản.",
        findings=f"{NOTE} Xã chưa ban hành kế hoạch năm; Sở Y tế chưa báo cáo số liệu tách "
        "biệt theo giới.",
    )
    first = services.add_recommendation(
        actor,
        inspection,
        unit=commune,
        text="Ban hành kế hoạch thực hiện công tác bình đẳng giới năm 2026 của xã.",
        deadline=begin + datetime.timedelta(days=30),
    )
    services.add_update(
        actor,
        first.tasks.get(),
        text="Xã đã ban hành kế hoạch.",
        new_status=TaskStatus.DONE,
        date=min(begin + datetime.timedelta(days=20), now),
    )
    services.add_recommendation(
        actor,
        inspection,
        unit=health,
        text="Báo cáo số liệu thống kê ngành y tế tách biệt theo giới.",
        deadline=now + datetime.timedelta(days=20),
    )
    return inspection


MINISTRY_TASK = "Tổng hợp báo cáo công tác bình đẳng giới của các bộ, ngành năm 2025 (minh họa)"


def setup_ministry_task(actor, ministry: OrgUnit) -> Task | None:
    """Once, an overdue task from the demo ministry to its first demo department, so that the
    ministry's demo accounts also find something to do on their home page."""
    department = ministry.children.live().filter(level=Level.DEPARTMENT).order_by("name").first()
    if department is None:
        return None
    existing = Task.objects.filter(assigned_by=ministry, title=MINISTRY_TASK).first()
    if existing is not None:
        return existing
    return services.create_task(
        actor,
        assigned_by=ministry,
        lead_unit=department,
        title=MINISTRY_TASK,
        description=NOTE,
        deadline=today() - datetime.timedelta(days=7),
    )
