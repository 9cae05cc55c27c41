"""Activities as Excel: the import template, the all-or-nothing import, the exports.

The template and the activity export share one column layout, so an exported list can be edited
and imported again (rows already recorded are recognised and skipped). Messages about a file are
in Vietnamese, as the file is: "Dòng 4, cột “Số nữ”: …".
"""

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from binhdang.core.spreadsheets import (
    NOTES_HEADING,
    ImportErrors,
    ImportProblem,
    cell_date,
    cell_text,
    fold_key,
    guide_sheet,
    header_key,
    is_empty,
    open_workbook,
    read_upload,
    workbook_bytes,
)
from binhdang.orgunits.models import OrgUnit

from . import services
from .models import Activity, Kind, Topic

SHEET = "Hoạt động"
GUIDE_SHEET = "Hướng dẫn"
INFO_SHEET = "Thông tin"
LISTS_SHEET = "Danh mục"
KINDS_NAME = "LoaiHoatDong"

TITLE = "Tên hoạt động"
KIND = "Loại hoạt động"
START = "Ngày bắt đầu (dd/mm/yyyy)"
END = "Ngày kết thúc (dd/mm/yyyy)"
ORGANISER = "Mã đơn vị tổ chức"
CO_ORGANISERS = "Mã đơn vị phối hợp"
PARTNERS = "Đơn vị phối hợp khác"
VENUE = "Địa điểm"
SITES = "Điểm cầu trực tuyến"
SITE_COUNT = "Số điểm cầu"
TOTAL = "Tổng số người tham gia"
WOMEN = "Số nữ"
LEADERS = "Lãnh đạo, quản lý"
OFFICERS = "Cán bộ, công chức, viên chức"
PUBLIC = "Người dân"
TOPICS = "Chủ đề"
OUTPUTS = "Kết quả, sản phẩm (đường dẫn)"
COST = "Kinh phí (đồng)"
NOTE = "Ghi chú"
HEADERS = (
    TITLE,
    KIND,
    START,
    END,
    ORGANISER,
    CO_ORGANISERS,
    PARTNERS,
    VENUE,
    SITES,
    SITE_COUNT,
    TOTAL,
    WOMEN,
    LEADERS,
    OFFICERS,
    PUBLIC,
    TOPICS,
    OUTPUTS,
    COST,
    NOTE,
)
REQUIRED = (TITLE, KIND, START, ORGANISER)
NUMBERS = {
    SITE_COUNT: "online_site_count",
    TOTAL: "participants",
    WOMEN: "women",
    LEADERS: "leaders",
    OFFICERS: "officers",
    PUBLIC: "public",
    COST: "cost",
}
# The column that shows a rule's refusal, by the field the rule names.
COLUMN_OF = {
    "title": TITLE,
    "kind": KIND,
    "start_date": START,
    "end_date": END,
    "organiser": ORGANISER,
    "partners": PARTNERS,
    "venue": VENUE,
    "topics": TOPICS,
    **{name: column for column, name in NUMBERS.items()},
}
WIDTHS = {TITLE: 46, KIND: 26, SITES: 30, OUTPUTS: 44, NOTE: 30, TOPICS: 34, PARTNERS: 26}
DATE_FORMAT = "DD/MM/YYYY"
TEMPLATE_ROWS = 500
MAX_DATA_ROWS = 2000
SEPARATORS = re.compile(r"[;\n,]+")


def kind_labels() -> dict[str, str]:
    with translation.override("vi"):
        return {kind.value: str(kind.label) for kind in Kind}


def topic_labels() -> dict[str, str]:
    with translation.override("vi"):
        return {topic.value: str(topic.label) for topic in Topic}


# --- Writing ---------------------------------------------------------------------------------


def _activity_sheet(workbook: Workbook):
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(list(HEADERS))
    fill = PatternFill("solid", fgColor="EFE3EC")
    for index, header in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = WIDTHS.get(header, 16)
        if header in (ORGANISER, CO_ORGANISERS):
            sheet.column_dimensions[letter].number_format = "@"
        if header in (START, END):
            sheet.column_dimensions[letter].number_format = DATE_FORMAT
        if header in NUMBERS:
            sheet.column_dimensions[letter].number_format = "#,##0"
    sheet.freeze_panes = "A2"

    lists = workbook.create_sheet(LISTS_SHEET)
    kinds = list(kind_labels().values())
    for row, label in enumerate(kinds, start=1):
        lists.cell(row=row, column=1, value=label)
    for row, label in enumerate(topic_labels().values(), start=1):
        lists.cell(row=row, column=2, value=label)
    lists.sheet_state = "hidden"
    workbook.defined_names[KINDS_NAME] = DefinedName(
        KINDS_NAME, attr_text=f"'{LISTS_SHEET}'!$A$1:$A${len(kinds)}"
    )
    kind = DataValidation(type="list", formula1=KINDS_NAME, allow_blank=True)
    kind.error = "Chọn một loại hoạt động trong danh sách."
    kind.errorTitle = KIND
    kind.prompt = "Chọn loại hoạt động."
    kind.showErrorMessage = True
    kind.showInputMessage = True
    letter = get_column_letter(HEADERS.index(KIND) + 1)
    kind.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    sheet.add_data_validation(kind)
    return sheet


def _guide_sheet(workbook: Workbook) -> None:
    kinds = "; ".join(kind_labels().values())
    topics = "; ".join(topic_labels().values())
    code = (
        "Mã đơn vị như hiển thị trên trang của đơn vị trên nền tảng (ví dụ P51, P51-D001) hoặc "
        "mã hành chính chính thức (ví dụ 21034)."
    )
    number = "Số nguyên không âm, có thể để trống nếu không thống kê."
    rows = [
        ("HƯỚNG DẪN NHẬP DANH SÁCH HOẠT ĐỘNG", "", ""),
        ("", "", ""),
        ("Cột", "Bắt buộc", "Cách ghi"),
        (TITLE, "Có", "Tên đầy đủ của hoạt động, ví dụ: Tập huấn lồng ghép giới cho cán bộ xã."),
        (KIND, "Có", f"Chọn một trong: {kinds}."),
        (START, "Có", "Ngày theo dạng ngày/tháng/năm, ví dụ 15/03/2025."),
        (END, "Không", "Để trống nếu hoạt động diễn ra trong một ngày; không trước ngày bắt đầu."),
        (ORGANISER, "Có", code + " Phải là đơn vị bạn được nhập số liệu."),
        (CO_ORGANISERS, "Không", "Mã các đơn vị phối hợp, cách nhau bằng dấu chấm phẩy (;)."),
        (PARTNERS, "Không", "Tổ chức ngoài danh sách đơn vị, ví dụ: Hội LHPN tỉnh, UN Women."),
        (VENUE, "Không", "Nơi tổ chức."),
        (SITES, "Không", "Mỗi điểm cầu một dòng trong ô (Alt+Enter để xuống dòng)."),
        (SITE_COUNT, "Không", "Có số điểm cầu thì phải ghi các điểm cầu; để trống thì tự đếm."),
        (TOTAL, "Không", number),
        (WOMEN, "Không", "Không lớn hơn tổng số người tham gia."),
        (LEADERS, "Không", "Ba nhóm cộng lại không lớn hơn tổng số người tham gia."),
        (OFFICERS, "Không", number),
        (PUBLIC, "Không", number),
        (TOPICS, "Không", f"Một hoặc nhiều chủ đề, cách nhau bằng dấu chấm phẩy: {topics}."),
        (
            OUTPUTS,
            "Không",
            "Mỗi đường dẫn một dòng; có thể ghi tên trước, ví dụ: Tin bài - https://…",
        ),
        (COST, "Không", "Số tiền bằng đồng, ví dụ 15000000."),
        (NOTE, "Không", ""),
        ("", "", ""),
        (NOTES_HEADING, "", ""),
        (
            "1.",
            "",
            f"Ghi mỗi hoạt động một dòng trên trang “{SHEET}”, từ dòng 2. Không đổi tên cột.",
        ),
        (
            "2.",
            "",
            "Chỉ nhập khi mọi dòng đều đúng: nếu có dòng sai, không dòng nào được lưu; nền tảng "
            "liệt kê từng lỗi theo số dòng và tên cột.",
        ),
        (
            "3.",
            "",
            "Hoạt động đã có trên nền tảng (cùng đơn vị tổ chức, ngày bắt đầu và tên) được bỏ "
            "qua, không tạo trùng: có thể nhập lại tệp đã xuất.",
        ),
        ("4.", "", f"Tệp Excel (.xlsx), không quá {settings.IMPORT_MAX_MB} MB."),
    ]
    guide_sheet(workbook, GUIDE_SHEET, rows, first_width=32)


def activity_template() -> bytes:
    """An empty .xlsx template for importing activities, with a guide sheet."""
    workbook = Workbook()
    _activity_sheet(workbook)
    _guide_sheet(workbook)
    workbook.move_sheet(GUIDE_SHEET, offset=-1)
    workbook.properties.title = "Mẫu danh sách hoạt động"
    return workbook_bytes(workbook)


def export_activities(activities, heading: list[tuple[str, str]]) -> bytes:
    """Activities in the template's layout (so the file can be imported again), with an
    information sheet describing the selection."""
    kinds = kind_labels()
    topics = topic_labels()
    workbook = Workbook()
    sheet = _activity_sheet(workbook)
    count = 0
    for a in activities.select_related("organiser").prefetch_related(
        "co_organisers", "topics", "outputs"
    ):
        count += 1
        sheet.append(
            [
                a.title,
                kinds.get(a.kind, a.kind),
                a.start_date,
                a.end_date if a.end_date != a.start_date else None,
                a.organiser.code,
                "; ".join(u.code for u in a.co_organisers.all()) or None,
                a.partners or None,
                a.venue or None,
                a.online_sites or None,
                a.online_site_count,
                a.participants,
                a.women,
                a.leaders,
                a.officers,
                a.public,
                "; ".join(topics[t.topic] for t in a.topics.all() if t.topic in topics) or None,
                services.links_text(a.outputs.all()) or None,
                a.cost,
                a.note or None,
            ]
        )
        for column in (START, END):
            sheet.cell(
                row=sheet.max_row, column=HEADERS.index(column) + 1
            ).number_format = DATE_FORMAT
    info = workbook.create_sheet(INFO_SHEET)
    for label, value in [*heading, ("Số hoạt động", count)]:
        info.append([label, value])
    for cell in info["A"]:
        cell.font = Font(bold=True)
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 80
    workbook.move_sheet(info, offset=-1)
    workbook.properties.title = "Danh sách hoạt động"
    return workbook_bytes(workbook)


COMMENDATION_HEADERS = (
    "Năm",
    "Đơn vị đề nghị",
    "Mã đơn vị",
    "Cá nhân/Tập thể",
    "Tên cá nhân, tập thể",
    "Giới tính",
    "Chức vụ, đơn vị công tác",
    "Hình thức khen thưởng",
    "Lý do (thành tích)",
    "Trạng thái",
    "Số quyết định",
    "Ngày quyết định",
    "Ghi chú của người xét duyệt",
)


def export_commendations(commendations, heading: list[tuple[str, str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Khen thưởng"
    sheet.append(list(COMMENDATION_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EFE3EC")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.freeze_panes = "A2"
    count = 0
    with translation.override("vi"):
        for c in commendations.select_related("proposing_unit"):
            count += 1
            sheet.append(
                [
                    c.year,
                    c.proposing_unit.name,
                    c.proposing_unit.code,
                    c.get_nominee_kind_display(),
                    c.nominee,
                    c.get_sex_display() if c.sex else None,
                    c.position or None,
                    c.award_label,
                    c.reason,
                    c.get_status_display(),
                    c.decision_number or None,
                    c.decision_date,
                    c.review_note or None,
                ]
            )
            sheet.cell(row=sheet.max_row, column=12).number_format = DATE_FORMAT
    for letter, width in zip(
        "ABCDEFGHIJKLM", (7, 30, 10, 12, 30, 10, 30, 44, 50, 12, 16, 14, 30), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    info = workbook.create_sheet(INFO_SHEET)
    for label, value in [*heading, ("Số đề nghị", count)]:
        info.append([label, value])
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 80
    return workbook_bytes(workbook)


# --- Reading ---------------------------------------------------------------------------------


def _lines(value) -> str:
    """A cell's text keeping its line breaks (online sites, links)."""
    if value is None:
        return ""
    return "\n".join(" ".join(line.split()) for line in str(value).splitlines() if line.strip())


INTEGER_PATTERN = re.compile(r"^-?\d{1,3}([.\s]\d{3})+$|^-?\d+$")


def _integer(value) -> tuple[int | None, str | None]:
    """A whole number from a cell ("1.340" as Vietnamese write it), or why it is not one."""
    if is_empty(value):
        return None, None
    if isinstance(value, bool):
        return None, f"“{value}” không phải là số."
    if isinstance(value, int):
        return value, None
    if isinstance(value, float):
        if value.is_integer():
            return int(value), None
        return None, f"“{cell_text(value)}” không phải số nguyên."
    text = cell_text(value)
    if INTEGER_PATTERN.match(text):
        return int(re.sub(r"[.\s]", "", text)), None
    return None, f"“{text}” không phải là số nguyên."


def _read_rows(workbook) -> tuple[dict[str, int], list[tuple[int, tuple]], list[ImportProblem]]:
    sheet = next((s for s in workbook.worksheets if fold_key(s.title) == fold_key(SHEET)), None)
    if sheet is None:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        return {}, [], [ImportProblem.at(None, None, f"Tệp không có trang “{SHEET}”.")]
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, ())
    expected = {header_key(h): h for h in HEADERS}
    columns: dict[str, int] = {}
    problems = []
    for index, value in enumerate(header):
        if is_empty(value):
            continue
        name = expected.get(header_key(value))
        if name is None:
            problems.append(
                ImportProblem.at(
                    1,
                    cell_text(value),
                    "cột này không có trong mẫu; hãy xóa cột hoặc dùng tệp mẫu.",
                )
            )
        elif name in columns:
            problems.append(ImportProblem.at(1, name, "cột này có hai lần."))
        else:
            columns[name] = index
    missing = [h for h in REQUIRED if h not in columns]
    if missing:
        listed = ", ".join(f"“{h}”" for h in missing)
        problems.append(
            ImportProblem.at(
                1,
                None,
                f"tệp không đúng mẫu, thiếu cột {listed}. Hãy dùng tệp mẫu tải từ nền tảng.",
            )
        )
    if problems:
        return columns, [], problems
    data = []
    for number, values in enumerate(rows, start=2):
        if all(i >= len(values) or is_empty(values[i]) for i in columns.values()):
            continue
        if len(data) == MAX_DATA_ROWS:
            return (
                columns,
                [],
                [ImportProblem.at(None, None, f"Tệp có hơn {MAX_DATA_ROWS} dòng dữ liệu.")],
            )
        data.append((number, values))
    return columns, data, []


class _Units:
    """The unit codes of a file, looked up in one query."""

    def __init__(self, values):
        codes = set()
        for value in values:
            codes.update(self._variants(value))
        units = OrgUnit.objects.filter(Q(code__in=codes) | Q(official_code__in=codes)).order_by(
            "pk"
        )
        self.by_code = {}
        self.by_official: dict[str, list[OrgUnit]] = {}
        for unit in units:
            self.by_code[unit.code.upper()] = unit
            if unit.official_code:
                self.by_official.setdefault(unit.official_code, []).append(unit)

    @staticmethod
    def _variants(value) -> list[str]:
        text = cell_text(value).upper()
        if isinstance(value, int | float) and text.isdigit():
            # A number cell drops the leading zeros of official codes.
            return [text.zfill(width) for width in range(len(text), 6)]
        return [text]

    def resolve(self, value) -> tuple[OrgUnit | None, str | None]:
        variants = self._variants(value)
        for code in variants:
            if code in self.by_code:
                return self._check(self.by_code[code])
        candidates = [u for code in variants for u in self.by_official.get(code, [])]
        live = [u for u in candidates if u.is_live]
        if live:
            return self._check(live[0])
        if candidates:
            return self._check(candidates[0])
        return None, f"không có đơn vị mã “{cell_text(value)}”."

    @staticmethod
    def _check(unit: OrgUnit) -> tuple[OrgUnit | None, str | None]:
        if not unit.is_live:
            return None, f"đơn vị “{unit.name}” (mã {unit.code}) không còn hoạt động."
        return unit, None


@dataclass
class ParsedRow:
    """A row of the file ready to save, and whether it is new or already recorded."""

    number: int
    data: services.ActivityData
    existing: Activity | None = None
    status: str = "new"
    kind_label: str = field(default="")


def _lookup(labels: dict[str, str]) -> dict[str, str]:
    table = {fold_key(label): code for code, label in labels.items()}
    table.update({fold_key(code): code for code in labels})
    return table


def _parse_row(number: int, cells: dict, units: _Units, actor, problems: list) -> ParsedRow | None:
    found: list[ImportProblem] = []

    def problem(column: str, detail: str) -> None:
        found.append(ImportProblem.at(number, column, detail))

    for column in REQUIRED:
        if is_empty(cells.get(column)):
            problem(column, "chưa ghi; cột này bắt buộc.")

    kind = ""
    if not is_empty(cells.get(KIND)):
        kind = _lookup(kind_labels()).get(fold_key(cells[KIND]), "")
        if not kind:
            valid = "; ".join(kind_labels().values())
            problem(
                KIND, f"không có loại hoạt động “{cell_text(cells[KIND])}”. Loại hợp lệ: {valid}."
            )

    dates = {}
    for column in (START, END):
        value = cells.get(column)
        dates[column] = None
        if not is_empty(value):
            dates[column] = cell_date(value)
            if dates[column] is None:
                problem(
                    column,
                    f"“{cell_text(value)}” không phải ngày hợp lệ; ghi theo dạng dd/mm/yyyy, "
                    "ví dụ 15/03/2025.",
                )

    organiser = None
    if not is_empty(cells.get(ORGANISER)):
        organiser, reason = units.resolve(cells[ORGANISER])
        if reason:
            problem(ORGANISER, reason)
    co_organisers = []
    if not is_empty(cells.get(CO_ORGANISERS)):
        for code in SEPARATORS.split(_lines(cells[CO_ORGANISERS])):
            if not code.strip():
                continue
            unit, reason = units.resolve(code.strip())
            if reason:
                problem(CO_ORGANISERS, reason)
            else:
                co_organisers.append(unit)

    numbers = {}
    for column, name in NUMBERS.items():
        value, reason = _integer(cells.get(column))
        if reason:
            problem(column, reason)
        numbers[name] = value

    topics = []
    if not is_empty(cells.get(TOPICS)):
        table = _lookup(topic_labels())
        for label in re.split(r"[;\n]+", _lines(cells[TOPICS])):
            if not label.strip():
                continue
            code = table.get(fold_key(label))
            if code is None:
                problem(TOPICS, f"không có chủ đề “{label.strip()}”.")
            else:
                topics.append(code)

    links, bad = services.parse_links(_lines(cells.get(OUTPUTS)))
    for reason in bad:
        problem(OUTPUTS, reason)

    data = services.ActivityData(
        title=cell_text(cells.get(TITLE)),
        kind=kind,
        start_date=dates[START],
        end_date=dates[END],
        organiser=organiser,
        co_organisers=co_organisers,
        partners=cell_text(cells.get(PARTNERS)),
        venue=cell_text(cells.get(VENUE)),
        online_sites=_lines(cells.get(SITES)),
        topics=topics,
        outputs=links,
        note=_lines(cells.get(NOTE)),
        **numbers,
    )
    # The platform's own rules, checked on what could be read; a column already refused is not
    # refused twice.
    refused = {p.column for p in found}
    for name, message in services.check_activity(actor, data).items():
        column = COLUMN_OF.get(name)
        if column in refused or (name in ("women", "leaders") and TOTAL in refused):
            continue
        problem(column, message[0].lower() + message[1:] if column else message)
    problems.extend(found)
    if found:
        return None
    return ParsedRow(number, data, kind_label=kind_labels().get(kind, ""))


def parse(upload, actor) -> list[ParsedRow]:
    """Read an uploaded activity list: every row checked, or ImportErrors naming rows and
    columns. Rows already recorded (same organiser, start date and title) are marked existing."""
    with translation.override("vi"):
        return _parse(upload, actor)


def _parse(upload, actor) -> list[ParsedRow]:
    workbook = open_workbook(read_upload(upload))
    try:
        columns, raw, problems = _read_rows(workbook)
    finally:
        workbook.close()
    if problems:
        raise ImportErrors(problems)
    if not raw:
        raise ImportErrors(
            [
                ImportProblem.at(
                    None,
                    None,
                    f"Tệp không có dòng dữ liệu nào: ghi mỗi hoạt động một dòng trên trang "
                    f"“{SHEET}”, từ dòng 2.",
                )
            ]
        )
    table = [
        (number, {h: values[i] if i < len(values) else None for h, i in columns.items()})
        for number, values in raw
    ]
    codes = []
    for _number, cells in table:
        if not is_empty(cells.get(ORGANISER)):
            codes.append(cells[ORGANISER])
        if not is_empty(cells.get(CO_ORGANISERS)):
            codes += [
                c.strip() for c in SEPARATORS.split(_lines(cells[CO_ORGANISERS])) if c.strip()
            ]
    units = _Units(codes)
    rows = [
        row
        for number, cells in table
        if (row := _parse_row(number, cells, units, actor, problems)) is not None
    ]
    seen: dict[tuple, int] = {}
    for row in rows:
        key = (row.data.organiser.pk, row.data.start_date, row.data.title.casefold())
        if key in seen:
            problems.append(
                ImportProblem.at(
                    row.number,
                    TITLE,
                    f"hoạt động này đã ghi ở dòng {seen[key]}; mỗi hoạt động chỉ ghi một dòng.",
                )
            )
        else:
            seen[key] = row.number
    if problems:
        raise ImportErrors(sorted(problems, key=lambda p: p.row or 0))
    for row in rows:
        row.existing = services.find_existing(row.data)
        row.status = "existing" if row.existing else "new"
    return rows


# Between the preview and the confirmation, rows wait in the session as plain data.


def rows_to_session(rows: list[ParsedRow]) -> list[dict]:
    result = []
    for row in rows:
        if row.status != "new":
            continue
        d = row.data
        result.append(
            {
                "number": row.number,
                "title": d.title,
                "kind": d.kind,
                "start_date": d.start_date.isoformat(),
                "end_date": d.end_date.isoformat() if d.end_date else None,
                "organiser": d.organiser.pk,
                "co_organisers": [u.pk for u in d.co_organisers],
                "partners": d.partners,
                "venue": d.venue,
                "online_sites": d.online_sites,
                **{name: getattr(d, name) for name in NUMBERS.values()},
                "topics": d.topics,
                "outputs": [[link.url, link.title] for link in d.outputs],
                "note": d.note,
            }
        )
    return result


def rows_from_session(items: list[dict]) -> list[tuple[int, services.ActivityData]]:
    ids = {item["organiser"] for item in items}
    for item in items:
        ids.update(item["co_organisers"])
    units = OrgUnit.objects.in_bulk(ids)
    rows = []
    for item in items:
        rows.append(
            (
                item["number"],
                services.ActivityData(
                    title=item["title"],
                    kind=item["kind"],
                    start_date=datetime.date.fromisoformat(item["start_date"]),
                    end_date=datetime.date.fromisoformat(item["end_date"])
                    if item["end_date"]
                    else None,
                    organiser=units.get(item["organiser"]),
                    co_organisers=[units[pk] for pk in item["co_organisers"] if pk in units],
                    partners=item["partners"],
                    venue=item["venue"],
                    online_sites=item["online_sites"],
                    topics=item["topics"],
                    outputs=[services.Link(url, title) for url, title in item["outputs"]],
                    note=item["note"],
                    **{name: item[name] for name in NUMBERS.values()},
                ),
            )
        )
    return rows
