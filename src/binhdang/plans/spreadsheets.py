"""Excel exports of every list: plans, tasks, inspections and recommendations, units without a plan.

Files are Vietnamese whatever the interface language, like the committees' member lists: headers,
sheet names and status labels. Dates are real date cells (dd/mm/yyyy), so they sort and filter.
"""

import datetime

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from binhdang.core.dates import today
from binhdang.core.spreadsheets import workbook_bytes

from .models import DisplayStatus, Task

DATE_FORMAT = "DD/MM/YYYY"
HEADER_FILL = PatternFill("solid", fgColor="EADCE7")
DATA_START = 4  # title, note, blank... header on row 3, data from row 4


class Sheet:
    """A sheet with a title line, a note line, a header row and data rows."""

    def __init__(self, worksheet, title: str, note: str, columns: list[tuple[str, int]]):
        self.ws = worksheet
        self.ws["A1"] = title
        self.ws["A1"].font = Font(bold=True, size=13)
        self.ws["A2"] = note
        self.ws["A2"].font = Font(italic=True, color="555555")
        for index, (header, width) in enumerate(columns, start=1):
            cell = self.ws.cell(row=3, column=index, value=header)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.ws.freeze_panes = "A4"
        self.row = DATA_START

    def add(self, values: list) -> None:
        for index, value in enumerate(values, start=1):
            cell = self.ws.cell(row=self.row, column=index, value=value)
            if isinstance(value, datetime.date):
                cell.number_format = DATE_FORMAT
            elif isinstance(value, str) and len(value) > 60:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        self.row += 1

    def auto_filter(self) -> None:
        last = get_column_letter(self.ws.max_column)
        self.ws.auto_filter.ref = f"A3:{last}{max(self.row - 1, 3)}"


def _note(extra: str = "") -> str:
    text = f"Xuất từ Binhdang ngày {today():%d/%m/%Y}"
    return f"{text}. {extra}" if extra else f"{text}."


def export_plans(plans, heading: str = "Danh sách kế hoạch") -> bytes:
    """Plans with their period, status and approving decision."""
    workbook = Workbook()
    sheet = Sheet(
        workbook.active,
        heading,
        _note(),
        [
            ("STT", 6),
            ("Đơn vị", 34),
            ("Loại kế hoạch", 18),
            ("Giai đoạn / năm", 14),
            ("Tên kế hoạch", 50),
            ("Trạng thái", 16),
            ("Số, ký hiệu quyết định", 22),
            ("Ngày quyết định", 16),
            ("Người ký", 24),
            ("Số nhiệm vụ", 12),
        ],
    )
    workbook.active.title = "Kế hoạch"
    with translation.override("vi"):
        for number, plan in enumerate(plans, start=1):
            sheet.add(
                [
                    number,
                    plan.unit.label,
                    str(plan.get_kind_display()),
                    plan.period,
                    plan.title,
                    str(plan.get_status_display()),
                    plan.decision_number,
                    plan.decision_date,
                    plan.decision_signer,
                    plan.n_tasks if hasattr(plan, "n_tasks") else plan.tasks.count(),
                ]
            )
    sheet.auto_filter()
    return workbook_bytes(workbook)


TASK_COLUMNS = [
    ("STT", 6),
    ("Nhiệm vụ", 50),
    ("Đơn vị chủ trì", 30),
    ("Đơn vị phối hợp", 34),
    ("Đơn vị giao", 28),
    ("Hạn", 20),
    ("Hạn (ngày)", 13),
    ("Trạng thái", 16),
    ("Tiến độ (%)", 11),
    ("Ngày hoàn thành", 15),
    ("Nguồn giao", 40),
]


def _task_row(number: int, task: Task, on: datetime.date) -> list:
    status = getattr(task, "display_status", None) or (
        DisplayStatus.OVERDUE if task.is_overdue_on(on) else task.status
    )
    return [
        number,
        task.title,
        task.lead_unit.label,
        "; ".join(u.label for u in task.collaborating_units.all()),
        task.assigned_by.name,
        task.deadline_label,
        task.deadline,
        str(DisplayStatus(status).label),
        task.progress,
        task.completed_on,
        task.origin_label,
    ]


def export_tasks(tasks, filters: str = "") -> bytes:
    """Tasks as listed (filters applied), with their status as shown on the day of export."""
    on = today()
    workbook = Workbook()
    workbook.active.title = "Nhiệm vụ"
    sheet = Sheet(workbook.active, "Danh sách nhiệm vụ", _note(filters), TASK_COLUMNS)
    with translation.override("vi"):
        for number, task in enumerate(tasks, start=1):
            sheet.add(_task_row(number, task, on))
    sheet.auto_filter()
    return workbook_bytes(workbook)


def export_inspections(inspections) -> bytes:
    """Inspections on one sheet; their recommendations and follow-up on a second."""
    on = today()
    workbook = Workbook()
    workbook.active.title = "Kiểm tra, giám sát"
    first = Sheet(
        workbook.active,
        "Danh sách cuộc kiểm tra, giám sát",
        _note(),
        [
            ("STT", 6),
            ("Tên cuộc kiểm tra, giám sát", 44),
            ("Hình thức", 12),
            ("Đơn vị kiểm tra", 30),
            ("Đơn vị được kiểm tra", 40),
            ("Từ ngày", 13),
            ("Đến ngày", 13),
            ("Trưởng đoàn", 26),
            ("Thành viên", 40),
            ("Phạm vi, nội dung", 40),
            ("Kết quả, phát hiện", 50),
            ("Số kiến nghị", 12),
            ("Đã hoàn thành", 13),
        ],
    )
    second = Sheet(
        workbook.create_sheet("Kiến nghị"),
        "Kiến nghị và kết quả thực hiện",
        _note(),
        [
            ("STT", 6),
            ("Cuộc kiểm tra, giám sát", 40),
            ("Đơn vị thực hiện", 30),
            ("Kiến nghị", 60),
            ("Hạn", 20),
            ("Trạng thái", 16),
            ("Tiến độ (%)", 11),
            ("Ngày hoàn thành", 15),
        ],
    )
    number = 0
    with translation.override("vi"):
        for index, inspection in enumerate(inspections, start=1):
            recommendations = list(inspection.recommendations.all())
            tasks = {}
            for task in Task.objects.filter(recommendation__in=recommendations).order_by("pk"):
                tasks.setdefault(task.recommendation_id, task)
            closed = sum(1 for t in tasks.values() if not t.is_open)
            lead = inspection.lead_name + (
                f", {inspection.lead_position}" if inspection.lead_position else ""
            )
            first.add(
                [
                    index,
                    inspection.title,
                    str(inspection.get_kind_display()),
                    inspection.unit.label,
                    "; ".join(u.label for u in inspection.inspected_units.all()),
                    inspection.start_date,
                    inspection.end_date,
                    lead,
                    "; ".join(inspection.member_lines),
                    inspection.scope,
                    inspection.findings,
                    len(recommendations),
                    closed,
                ]
            )
            for recommendation in recommendations:
                number += 1
                task = tasks.get(recommendation.pk)
                status = ""
                if task is not None:
                    status = str(
                        DisplayStatus.OVERDUE.label
                        if task.is_overdue_on(on)
                        else DisplayStatus(task.status).label
                    )
                second.add(
                    [
                        number,
                        inspection.title,
                        recommendation.unit.label,
                        recommendation.text,
                        recommendation.deadline_label,
                        status,
                        task.progress if task else None,
                        task.completed_on if task else None,
                    ]
                )
    first.auto_filter()
    second.auto_filter()
    return workbook_bytes(workbook)


def export_units_without_plan(unit, year: int, rows, checked: int) -> bytes:
    """The units of a subtree with no approved annual plan for a year."""
    workbook = Workbook()
    workbook.active.title = f"Chưa có kế hoạch {year}"
    sheet = Sheet(
        workbook.active,
        f"Đơn vị chưa có kế hoạch năm {year} được phê duyệt — {unit.name}",
        _note(f"{len(rows)}/{checked} đơn vị chưa có kế hoạch năm được phê duyệt"),
        [
            ("STT", 6),
            ("Mã", 12),
            ("Đơn vị", 44),
            ("Cấp", 16),
            ("Trực thuộc", 34),
            ("Kế hoạch nháp", 14),
        ],
    )
    with translation.override("vi"):
        for number, row in enumerate(rows, start=1):
            sheet.add(
                [
                    number,
                    row.official_code or row.code,
                    row.name,
                    str(row.get_level_display()),
                    row.parent.name if row.parent_id else "",
                    "Có" if getattr(row, "has_draft", False) else "",
                ]
            )
    sheet.auto_filter()
    return workbook_bytes(workbook)
