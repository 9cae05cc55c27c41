"""Activities as Excel: the import template, the all-or-nothing import, the exports.

The template and the activity export share one column layout, so an exported list can be edited
and imported again (rows already recorded are recognised and skipped). Messages about a file are
in Vietnamese, as the file is: "Dòng 4, cột “Số nữ”: …".
"""

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from binhdang.core.imports import (
    DATE,
    INTEGER,
    LINES,
    RAW,
    TEXT,
    Column,
    Spec,
    Table,
    read_sheet,
    rehearse,
)
from binhdang.core.imports import Row as ImportRow
from binhdang.core.spreadsheets import (
    NOTES_HEADING,
    ImportErrors,
    ImportProblem,
    cell_text,
    fold_key,
    guide_sheet,
    workbook_bytes,
)
from binhdang.orgunits.models import OrgUnit

from . import services
from .models import Activity, Kind, Topic, titled

SHEET = "Hoạt động"
GUIDE_SHEET = "Hướng dẫn"
INFO_SHEET = "Thông tin"
LISTS_SHEET = "Danh mục"
KINDS_NAME = "LoaiHoatDong"

TITLE = "Tên hoạt động"
KIND = "Loại hoạt động"
EVENTS = "Số sự kiện (để trống nếu là một)"
AT_LEAST = "Từ số này trở lên (hơn, trên, ít nhất)"
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
FROM_PROVINCE = "Cấp tỉnh"
FROM_DISTRICT = "Cấp huyện"
FROM_COMMUNE = "Cấp xã"
FROM_DEPARTMENTS = "Sở, ban, ngành"
TOPICS = "Chủ đề"
OUTPUTS = "Kết quả, sản phẩm (đường dẫn)"
COST = "Kinh phí (đồng)"
NOTE = "Ghi chú"
HEADERS = (
    TITLE,
    KIND,
    EVENTS,
    AT_LEAST,
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
    FROM_PROVINCE,
    FROM_DISTRICT,
    FROM_COMMUNE,
    FROM_DEPARTMENTS,
    TOPICS,
    OUTPUTS,
    COST,
    NOTE,
)
# The sheet's number columns by the activity's field (services.COUNT_FIELDS and the cost).
NUMBERS = {
    EVENTS: "event_count",
    SITE_COUNT: "online_site_count",
    TOTAL: "participants",
    WOMEN: "women",
    LEADERS: "leaders",
    OFFICERS: "officers",
    PUBLIC: "public",
    FROM_PROVINCE: "from_province",
    FROM_DISTRICT: "from_district",
    FROM_COMMUNE: "from_commune",
    FROM_DEPARTMENTS: "from_departments",
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
    "count_is_minimum": AT_LEAST,
    **{name: column for column, name in NUMBERS.items()},
}
WIDTHS = {
    TITLE: 46,
    KIND: 26,
    EVENTS: 14,
    AT_LEAST: 18,
    SITES: 30,
    OUTPUTS: 44,
    NOTE: 30,
    TOPICS: 34,
    PARTNERS: 26,
}
# What the "at least" column may say: the words of the reviews, or a plain yes.
AT_LEAST_YES = "Có"
AT_LEAST_WORDS = {fold_key(word) for word in (AT_LEAST_YES, "x", "hơn", "trên", "ít nhất")}
NOT_AT_LEAST_WORDS = {fold_key(word) for word in ("Không", "chính xác")}
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
        (
            EVENTS,
            "Không",
            "Khi một dòng ghi nhiều sự kiện cùng loại như báo cáo viết, ví dụ 18 (“18 đoàn quốc "
            "tế”) hoặc 10 (“hơn 10 hội thảo, tập huấn”). Để trống nếu là một sự kiện.",
        ),
        (
            AT_LEAST,
            "Không",
            f"Ghi “{AT_LEAST_YES}” khi báo cáo viết “hơn”, “trên” hoặc “ít nhất” (số sự kiện là "
            "số tối thiểu); để trống nếu số sự kiện là số chính xác.",
        ),
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
        (
            FROM_PROVINCE,
            "Không",
            "Người tham gia theo cấp; các cấp cộng lại không lớn hơn tổng số.",
        ),
        (FROM_DISTRICT, "Không", number),
        (FROM_COMMUNE, "Không", number),
        (FROM_DEPARTMENTS, "Không", number),
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
                a.event_count if a.event_count != 1 or a.count_is_minimum else None,
                AT_LEAST_YES if a.count_is_minimum else None,
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
                a.from_province,
                a.from_district,
                a.from_commune,
                a.from_departments,
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
                    c.proposing_unit.label,
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


def _max_length(name: str) -> int:
    return Activity._meta.get_field(name).max_length


SPEC = Spec(
    sheet=SHEET,
    columns=(
        Column(TITLE, required=True, max_length=_max_length("title")),
        Column(KIND, required=True),
        Column(AT_LEAST, TEXT),
        Column(START, DATE, required=True),
        Column(END, DATE),
        Column(ORGANISER, RAW, required=True),  # a code, read by `_Units`
        Column(CO_ORGANISERS, LINES),
        Column(PARTNERS, max_length=_max_length("partners")),
        Column(VENUE, max_length=_max_length("venue")),
        Column(SITES, LINES),
        *(Column(column, INTEGER) for column in NUMBERS),
        Column(TOPICS, LINES),
        Column(OUTPUTS, LINES),
        Column(NOTE, LINES),
    ),
    noun="hoạt động",
    optional_headers=True,  # only the required columns must be there
    max_rows=MAX_DATA_ROWS,
)


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

    @property
    def display_title(self) -> str:
        return titled(self.data.title, self.data.event_count, self.data.count_is_minimum)


def _lookup(labels: dict[str, str]) -> dict[str, str]:
    table = {fold_key(label): code for code, label in labels.items()}
    table.update({fold_key(code): code for code in labels})
    return table


def _parse_row(line: ImportRow, units: _Units, actor, table: Table) -> ParsedRow | None:
    """The activity of a row the pipeline has read, checked by the platform's own rules."""
    number, before = line.number, len(table.problems)
    refused = {p.column for p in table.problems if p.row == number}

    def problem(column: str | None, detail: str) -> None:
        table.problem(number, column, detail)
        refused.add(column)

    kind = ""
    if line[KIND]:
        kind = _lookup(kind_labels()).get(fold_key(line[KIND]), "")
        if not kind:
            valid = "; ".join(kind_labels().values())
            problem(KIND, f"không có loại hoạt động “{line[KIND]}”. Loại hợp lệ: {valid}.")

    organiser = None
    if line[ORGANISER] is not None:
        organiser, reason = units.resolve(line[ORGANISER])
        if reason:
            problem(ORGANISER, reason)
    co_organisers = []
    for code in _codes(line[CO_ORGANISERS]):
        unit, reason = units.resolve(code)
        if reason:
            problem(CO_ORGANISERS, reason)
        else:
            co_organisers.append(unit)

    topics = []
    table_of_topics = _lookup(topic_labels())
    for label in re.split(r"[;\n]+", line[TOPICS] or ""):
        if not label.strip():
            continue
        code = table_of_topics.get(fold_key(label))
        if code is None:
            problem(TOPICS, f"không có chủ đề “{label.strip()}”.")
        else:
            topics.append(code)

    links, bad = services.parse_links(line[OUTPUTS] or "")
    for reason in bad:
        problem(OUTPUTS, reason)

    minimum = False
    if line[AT_LEAST]:
        minimum = fold_key(line[AT_LEAST]) in AT_LEAST_WORDS
        if not minimum and fold_key(line[AT_LEAST]) not in NOT_AT_LEAST_WORDS:
            problem(
                AT_LEAST,
                f"“{line[AT_LEAST]}” không rõ: ghi “{AT_LEAST_YES}” (hoặc “hơn”, “trên”, "
                "“ít nhất”) nếu số sự kiện là số tối thiểu, để trống nếu là số chính xác.",
            )

    data = services.ActivityData(
        title=line[TITLE] or "",
        kind=kind,
        count_is_minimum=minimum,
        start_date=line[START],
        end_date=line[END],
        organiser=organiser,
        co_organisers=co_organisers,
        partners=line[PARTNERS] or "",
        venue=line[VENUE] or "",
        online_sites=line[SITES] or "",
        topics=topics,
        outputs=links,
        note=line[NOTE] or "",
        **{name: line[column] for column, name in NUMBERS.items()},
    )
    # The platform's own rules, checked on what could be read; a column already refused is not
    # refused twice.
    for name, message in services.check_activity(actor, data).items():
        column = COLUMN_OF.get(name)
        if column in refused or (
            name in ("women", "leaders", "from_province") and TOTAL in refused
        ):
            continue
        problem(column, message[0].lower() + message[1:] if column else message)
    if refused or len(table.problems) > before:
        return None
    return ParsedRow(number, data, kind_label=kind_labels().get(kind, ""))


def _codes(text: str | None) -> list[str]:
    """The unit codes of a "Mã đơn vị phối hợp" cell, separated by ";", "," or line breaks."""
    return [code.strip() for code in SEPARATORS.split(text or "") if code.strip()]


def parse(upload, actor) -> list[ParsedRow]:
    """Read an uploaded activity list: every row checked, or ImportErrors naming rows and
    columns. Rows already recorded (same organiser, start date and title) are marked existing."""
    with translation.override("vi"):
        return _parse(upload, actor)


def _parse(upload, actor) -> list[ParsedRow]:
    table = read_sheet(upload, SPEC)
    codes = []
    for line in table.rows:
        if line[ORGANISER] is not None:
            codes.append(line[ORGANISER])
        codes += _codes(line[CO_ORGANISERS])
    units = _Units(codes)
    rows = [row for line in table.rows if (row := _parse_row(line, units, actor, table))]
    table.refuse_duplicates(
        lambda row: (row.data.organiser.pk, row.data.start_date, row.data.title.casefold()),
        TITLE,
        lambda _row, first: f"hoạt động này đã ghi ở dòng {first}; mỗi hoạt động chỉ ghi một dòng.",
        rows=rows,
    )
    table.raise_problems()
    for row in rows:
        row.existing = services.find_existing(row.data)
        row.status = "existing" if row.existing else "new"
    # The preview is a rehearsal of the save (rolled back): what it shows as new, the save takes.
    try:
        rehearse(
            services.import_activities,
            actor,
            [(row.number, row.data) for row in rows if row.status == "new"],
        )
    except ValidationError as error:  # its messages already name the row
        raise ImportErrors([ImportProblem(None, None, m) for m in error.messages]) from None
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
                "count_is_minimum": d.count_is_minimum,
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
                    count_is_minimum=item.get("count_is_minimum", False),
                    topics=item["topics"],
                    outputs=[services.Link(url, title) for url, title in item["outputs"]],
                    note=item["note"],
                    **{name: item[name] for name in NUMBERS.values()},
                ),
            )
        )
    return rows
