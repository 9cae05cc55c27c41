"""Member lists as Excel: the import template, the all-or-nothing import, and the export.

The three share one column layout, so that an exported list can be edited and imported again.
Messages are in Vietnamese because the file itself is: its headers, sheets and guide are the
Vietnamese template, whatever the interface language.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from binhdang.core import dates
from binhdang.core.imports import DATE, RAW, Column, Spec, Table, read_sheet
from binhdang.core.imports import Row as ImportRow
from binhdang.core.spreadsheets import (  # ImportErrors, ImportProblem: used by the views
    NOTES_HEADING,
    ImportErrors,  # noqa: F401
    ImportProblem,  # noqa: F401
    cell_text,
    fold_key,
    guide_sheet,
    workbook_bytes,
)
from binhdang.core.text import fold
from binhdang.orgunits.models import OrgUnit

from . import queries
from .models import SINGLE_HOLDER_ROLES, Committee, Membership, Person, Role, Sex
from .services import MemberSpec

SHEET = "Thành viên"
GUIDE_SHEET = "Hướng dẫn"
INFO_SHEET = "Thông tin"
LISTS_SHEET = "Danh mục"
ROLES_NAME = "VaiTroTrongBan"

NAME = "Họ và tên"
SEX = "Giới tính"
TITLE = "Chức vụ"
WORKPLACE = "Mã đơn vị công tác"
ROLE = "Vai trò trong Ban"
REPRESENTED = "Mã đơn vị đại diện"
REPRESENTED_TEXT = "Đơn vị đại diện (ghi bằng chữ)"
PHONE = "Điện thoại"
EMAIL = "Thư điện tử"
TERM_END = "Hết nhiệm kỳ (dd/mm/yyyy)"
HEADERS = (
    NAME,
    SEX,
    TITLE,
    WORKPLACE,
    ROLE,
    REPRESENTED,
    REPRESENTED_TEXT,
    PHONE,
    EMAIL,
    TERM_END,
)
WIDTHS = {
    NAME: 28,
    SEX: 11,
    TITLE: 34,
    WORKPLACE: 20,
    ROLE: 30,
    REPRESENTED: 20,
    REPRESENTED_TEXT: 30,
    PHONE: 16,
    EMAIL: 30,
    TERM_END: 24,
}
SEX_LABELS = {Sex.FEMALE: "Nữ", Sex.MALE: "Nam"}
DATE_FORMAT = "DD/MM/YYYY"
# Rows of the template that carry the drop-downs and cell formats.
TEMPLATE_ROWS = 500
# A committee has tens of members; more rows than this is the wrong file, not a committee.
MAX_DATA_ROWS = 1000


def role_labels() -> dict[str, str]:
    """Each role's Vietnamese label, as the template lists them."""
    with translation.override("vi"):
        return {role.value: str(role.label) for role in Role}


def _role_names() -> dict[str, str]:
    names = {fold_key(label): value for value, label in role_labels().items()}
    # Decisions often name the secretary role by either half of its label.
    names[fold_key("Thư ký")] = Role.SECRETARY
    names[fold_key("Tổ giúp việc")] = Role.SECRETARY
    return names


# --- Writing ---------------------------------------------------------------------------------


def _members_sheet(workbook: Workbook):
    """The "Thành viên" sheet: header row, widths, formats and drop-downs; no data."""
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(list(HEADERS))
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, header in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = WIDTHS[header]
        # Codes and phone numbers are text: Excel would drop the leading zero of "0905…".
        if header in (WORKPLACE, REPRESENTED, PHONE):
            sheet.column_dimensions[letter].number_format = "@"
        if header == TERM_END:
            sheet.column_dimensions[letter].number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"

    # The secretary's label holds a comma, which an inline list would split: the roles live on
    # a hidden sheet behind a name instead.
    lists = workbook.create_sheet(LISTS_SHEET)
    labels = list(role_labels().values())
    for row, label in enumerate(labels, start=1):
        lists.cell(row=row, column=1, value=label)
    lists.sheet_state = "hidden"
    workbook.defined_names[ROLES_NAME] = DefinedName(
        ROLES_NAME, attr_text=f"'{LISTS_SHEET}'!$A$1:$A${len(labels)}"
    )

    sex = DataValidation(type="list", formula1='"Nữ,Nam"', allow_blank=True)
    sex.error = "Chọn Nữ hoặc Nam."
    sex.errorTitle = SEX
    sex.prompt = "Chọn Nữ hoặc Nam."
    role = DataValidation(type="list", formula1=ROLES_NAME, allow_blank=True)
    role.error = "Chọn một vai trò trong danh sách."
    role.errorTitle = ROLE
    role.prompt = "Chọn vai trò trong danh sách."
    for validation, header in ((sex, SEX), (role, ROLE)):
        validation.showErrorMessage = True
        validation.showInputMessage = True
        letter = get_column_letter(HEADERS.index(header) + 1)
        validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(validation)
    return sheet


def _guide_sheet(workbook: Workbook) -> None:
    limit = settings.IMPORT_MAX_MB
    roles = "; ".join(role_labels().values())
    unit_code = (
        "Mã của đơn vị như hiển thị trên trang của đơn vị trên nền tảng: mã đơn vị "
        "(ví dụ P51-D001, X21034) hoặc mã hành chính chính thức (ví dụ 21034). "
        "Đơn vị phải còn hoạt động và thuộc đơn vị của Ban."
    )
    rows = [
        ("HƯỚNG DẪN NHẬP DANH SÁCH THÀNH VIÊN BAN VÌ SỰ TIẾN BỘ CỦA PHỤ NỮ", "", ""),
        ("", "", ""),
        ("Cột", "Bắt buộc", "Cách ghi"),
        (
            NAME,
            "Không",
            "Họ, chữ đệm và tên đầy đủ, có dấu, ví dụ: Nguyễn Thị An. Mỗi người chỉ ghi một dòng. "
            "Khi quyết định chỉ ghi chức danh (ví dụ “đại diện lãnh đạo Vụ Tổ chức cán bộ”), để "
            "trống họ tên và ghi đơn vị đại diện hoặc chức vụ; bổ sung họ tên sau trên nền tảng.",
        ),
        (SEX, "Có, nếu có họ tên", "Chọn Nữ hoặc Nam; để trống nếu chưa có tên và chưa rõ."),
        (TITLE, "Không", "Chức vụ hiện tại, ví dụ: Phó Chủ tịch UBND tỉnh."),
        (WORKPLACE, "Không", unit_code),
        (
            ROLE,
            "Có",
            f"Chọn một trong: {roles}. Ban chỉ có một Trưởng ban và một "
            "Phó trưởng ban thường trực.",
        ),
        (REPRESENTED, "Không", "Đơn vị mà thành viên đại diện trong Ban (nếu có). " + unit_code),
        (
            REPRESENTED_TEXT,
            "Không",
            "Tên đơn vị đại diện như quyết định ghi, khi đơn vị không có mã trên nền tảng, "
            "ví dụ: Vụ Tổ chức cán bộ.",
        ),
        (PHONE, "Không", "Số điện thoại liên hệ, ví dụ: 0905 123 456."),
        (EMAIL, "Không", "Địa chỉ thư điện tử, ví dụ: nguyenthian@quangngai.gov.vn."),
        (
            TERM_END,
            "Không",
            "Ngày hết nhiệm kỳ theo dạng ngày/tháng/năm (dd/mm/yyyy), ví dụ: 31/12/2026.",
        ),
        ("", "", ""),
        (NOTES_HEADING, "", ""),
        (
            "1.",
            "",
            f"Ghi mỗi thành viên một dòng trên trang “{SHEET}”, bắt đầu từ dòng 2. "
            "Không đổi tên, thêm hay xóa các cột ở dòng 1. Dòng để trống được bỏ qua.",
        ),
        (
            "2.",
            "",
            "Chỉ nhập khi mọi dòng đều đúng: nếu có dòng sai, không dòng nào được lưu, "
            "nền tảng liệt kê từng lỗi theo số dòng và tên cột để sửa rồi nhập lại.",
        ),
        (
            "3.",
            "",
            "Người đã có trên nền tảng (cùng họ và tên, cùng số điện thoại hoặc thư "
            "điện tử) được dùng lại, không tạo trùng; thông tin trong tệp cập nhật cho người đó.",
        ),
        ("4.", "", f"Tệp phải là sổ làm việc Excel (.xlsx), không quá {limit} MB."),
    ]
    guide_sheet(workbook, GUIDE_SHEET, rows, first_width=30)


def member_template() -> bytes:
    """An empty .xlsx template for importing committee members, with a guide sheet."""
    workbook = Workbook()
    _members_sheet(workbook)
    _guide_sheet(workbook)
    workbook.properties.title = "Mẫu danh sách thành viên Ban Vì sự tiến bộ của phụ nữ"
    return workbook_bytes(workbook)


def export_members(committee: Committee, date: datetime.date) -> bytes:
    """The members on a date as .xlsx, in the template's layout so that it can be re-imported."""
    labels = role_labels()
    workbook = Workbook()
    sheet = _members_sheet(workbook)
    members = queries.members_on(committee, date)
    for membership in members:
        person = membership.person
        sheet.append(
            [
                person.full_name,  # empty for a member recorded without a name, as in the decision
                SEX_LABELS.get(person.sex, ""),
                person.title,
                person.unit.code if person.unit else None,
                labels[membership.role],
                membership.represented_unit.code if membership.represented_unit else None,
                membership.represented_text or None,
                person.phone,
                person.email,
                membership.term_end,
            ]
        )
        sheet.cell(row=sheet.max_row, column=len(HEADERS)).number_format = DATE_FORMAT

    decision = queries.decision_on(committee, date)
    info = workbook.create_sheet(INFO_SHEET)
    info.append(["Ban", committee.name])
    info.append(["Đơn vị", f"{committee.unit.label} (mã {committee.unit.code})"])
    info.append(["Danh sách tại ngày", date.strftime("%d/%m/%Y")])
    if decision:
        number = decision.number or "(chưa có số)"
        info.append(["Quyết định", f"{number} ngày {decision.date.strftime('%d/%m/%Y')}"])
    info.append(["Số thành viên", len(members)])
    unnamed = sum(1 for m in members if not m.person.full_name)
    if unnamed:
        info.append(["Chưa có tên", unnamed])
    for cell in info["A"]:
        cell.font = Font(bold=True)
    info.column_dimensions["A"].width = 20
    info.column_dimensions["B"].width = 70
    # The data sheet stays first so that Excel opens on it; the hidden list sheet goes last.
    workbook.move_sheet(info, offset=-1)
    workbook.properties.title = f"Thành viên {committee.name} ngày {date.strftime('%d/%m/%Y')}"
    return workbook_bytes(workbook)


# --- Reading ---------------------------------------------------------------------------------


def _phone(value) -> str:
    text = cell_text(value)
    # A phone typed into a number cell loses its leading zero: 0905123456 becomes 905123456.
    if isinstance(value, int | float) and text.isdigit() and len(text) in (9, 10):
        text = "0" + text
    return text


# What people type between the digits of a phone number.
PHONE_SEPARATORS = " .-()"


def _strip_phone(text: str) -> str:
    return "".join(ch for ch in text if ch not in PHONE_SEPARATORS)


def _code_variants(value) -> list[str]:
    text = cell_text(value).upper()
    if isinstance(value, int | float) and text.isdigit():
        # Official codes are digits with leading zeros (provinces 2, communes 5), which a number
        # cell drops.
        return [text.zfill(width) for width in range(len(text), 6)]
    return [text]


class _Units:
    """Looks up the unit codes of a file in one query and checks each against the committee."""

    def __init__(self, values, within: OrgUnit):
        self.within = within
        codes = {code for value in values for code in _code_variants(value)}
        units = list(
            OrgUnit.objects.filter(Q(code__in=codes) | Q(official_code__in=codes)).order_by("pk")
        )
        self.by_code = {unit.code: unit for unit in units}
        self.by_official = {}
        for unit in units:
            if unit.official_code:
                self.by_official.setdefault(unit.official_code, []).append(unit)

    def resolve(self, value) -> tuple[OrgUnit | None, str | None]:
        """The unit a cell names, or the reason it cannot be used."""
        variants = _code_variants(value)
        for code in variants:
            if code in self.by_code:
                return self._check(self.by_code[code])
        candidates = [u for code in variants for u in self.by_official.get(code, [])]
        if not candidates:
            return None, f"không có đơn vị mã “{cell_text(value)}”."

        # An official code can name a retired unit and its live successor: prefer the one in use
        # here, then any live one, so that a refusal names the most likely unit.
        def rank(unit: OrgUnit) -> tuple[bool, bool]:
            return unit.is_live and unit.is_within(self.within), unit.is_live

        top = max(rank(u) for u in candidates)
        best = [u for u in candidates if rank(u) == top]
        if len(best) > 1 and top[0]:
            names = "; ".join(f"{u.name} (mã {u.code})" for u in best)
            return None, (
                f"mã “{cell_text(value)}” ứng với nhiều đơn vị ({names}); hãy ghi mã đơn vị trên "
                "nền tảng."
            )
        return self._check(best[0])

    def _check(self, unit: OrgUnit) -> tuple[OrgUnit | None, str | None]:
        label = f"đơn vị “{unit.name}” (mã {unit.code})"
        if not unit.is_live:
            today = dates.today()
            if unit.valid_to and unit.valid_to < today:
                since = unit.valid_to.strftime("%d/%m/%Y")
                return None, f"{label} không còn hoạt động sau ngày {since}."
            return None, f"{label} chưa có hiệu lực."
        if not unit.is_within(self.within):
            return None, f"{label} không thuộc “{self.within.name}”."
        return unit, None


def _max_length(field: str) -> int:
    return Person._meta.get_field(field).max_length


SPEC = Spec(
    sheet=SHEET,
    columns=(
        Column(NAME, max_length=_max_length("full_name")),
        Column(SEX),
        Column(TITLE, max_length=_max_length("title")),
        Column(WORKPLACE, RAW),
        Column(ROLE, required=True),
        Column(REPRESENTED, RAW),
        Column(
            REPRESENTED_TEXT,
            max_length=Membership._meta.get_field("represented_text").max_length,
        ),
        Column(PHONE, RAW),  # read by `_phone`, which puts back a number cell's leading zero
        Column(EMAIL, max_length=_max_length("email")),
        Column(TERM_END, DATE, example="31/12/2026", years_ahead=10),
    ),
    noun="thành viên",
    max_rows=MAX_DATA_ROWS,
)


@dataclass
class _Row:
    number: int
    full_name: str = ""
    sex: str = ""
    title: str = ""
    unit: OrgUnit | None = None
    role: str = ""
    represented_unit: OrgUnit | None = None
    represented_text: str = ""
    phone: str = ""
    email: str = ""
    term_end: datetime.date | None = None


def _parse_row(line: ImportRow, units: _Units, roles, table: Table) -> _Row:
    """The member of a row the pipeline has read, with the committee's own checks added."""
    number = line.number
    row = _Row(
        number,
        full_name=line[NAME] or "",
        title=line[TITLE] or "",
        represented_text=line[REPRESENTED_TEXT] or "",
        email=line[EMAIL] or "",
        term_end=line[TERM_END],
    )
    row.phone = _phone(line[PHONE])
    if len(row.phone) > _max_length("phone"):
        table.problem(number, PHONE, f"dài quá {_max_length('phone')} ký tự.")

    sex = line[SEX]
    if sex:
        row.sex = {fold_key(label): value for value, label in SEX_LABELS.items()}.get(
            fold_key(sex), ""
        )
        if not row.sex:
            table.problem(number, SEX, f"“{sex}” không hợp lệ; ghi “Nữ” hoặc “Nam”.")
    elif row.full_name:
        table.problem(number, SEX, "bắt buộc khi có họ tên; ghi “Nữ” hoặc “Nam”.")
    name_refused = any(p.row == number and p.column == NAME for p in table.problems)
    if (
        not row.full_name
        and not name_refused
        and not (line[REPRESENTED] is not None or row.represented_text or row.title)
    ):
        table.problem(
            number,
            NAME,
            "chưa có họ tên thì ghi đơn vị đại diện hoặc chức vụ (ví dụ “đại diện lãnh đạo Vụ "
            "Tổ chức cán bộ”).",
        )

    role = line[ROLE]
    if role:
        row.role = roles.get(fold_key(role), "")
        if not row.role:
            valid = "; ".join(role_labels().values())
            table.problem(number, ROLE, f"không có vai trò “{role}”. Vai trò hợp lệ: {valid}.")

    for column, attribute in ((WORKPLACE, "unit"), (REPRESENTED, "represented_unit")):
        if line[column] is None:
            continue
        unit, reason = units.resolve(line[column])
        if reason:
            table.problem(number, column, reason)
        setattr(row, attribute, unit)

    if row.email:
        try:
            validate_email(row.email)
        except ValidationError:
            table.problem(number, EMAIL, f"“{row.email}” không phải địa chỉ thư điện tử hợp lệ.")
    return row


def _check_across_rows(rows: list[_Row], table: Table) -> None:
    """Refuse a person listed twice, or two holders of a role a committee has one of."""
    table.refuse_duplicates(
        # Diacritics distinguish names ("Hà" and "Hạ"), so only case and spacing are ignored.
        lambda row: " ".join(row.full_name.casefold().split()) or None,
        NAME,
        lambda row, first: f"“{row.full_name}” đã ghi ở dòng {first}; mỗi người chỉ ghi một dòng.",
        rows=rows,
    )
    labels = role_labels()
    for role in SINGLE_HOLDER_ROLES:
        holders = [row.number for row in rows if row.role == role]
        for number in holders[1:]:
            table.problem(
                number, ROLE, f"Ban chỉ có một {labels[role]}, đã ghi ở dòng {holders[0]}."
            )


def _phone_key(field):
    """A phone number without the separators people type: "0905 123 456" is "0905123456"."""
    for separator in PHONE_SEPARATORS:
        field = Replace(field, Value(separator), Value(""))
    return field


def _existing_people(rows: list[_Row]) -> dict[int, Person]:
    """Existing people matching a row: same folded name, and same phone or same e-mail."""
    phones = {_strip_phone(row.phone) for row in rows if row.phone}
    emails = [row.email for row in rows if row.email]
    condition = Q(phone_key__in=phones)
    for email in emails:
        condition |= Q(email__iexact=email)
    # Contacts narrow the search in the database; names are compared here, folded, since the
    # database's case-insensitive matching does not cover Vietnamese letters everywhere.
    candidates = (
        Person.objects.exclude(phone="", email="")
        .annotate(phone_key=_phone_key(F("phone")))
        .filter(condition)
        .select_related("unit")
        .order_by("pk")
    )
    by_name: dict[str, list[Person]] = {}
    for person in candidates:
        by_name.setdefault(fold(person.full_name), []).append(person)
    found = {}
    for row in rows:
        if not row.full_name:  # a member without a name is never matched to someone recorded
            continue
        for person in by_name.get(fold(row.full_name), []):
            same_phone = bool(row.phone) and _strip_phone(person.phone) == _strip_phone(row.phone)
            same_email = bool(row.email) and person.email.casefold() == row.email.casefold()
            if same_phone or same_email:
                found[row.number] = person
                break
    return found


def parse_members(upload, unit: OrgUnit) -> list[MemberSpec]:
    """Read an uploaded member list for the committee of `unit`: every row, or ImportErrors.

    A row naming someone already recorded (same name, same phone or e-mail) reuses that person,
    with the file's details copied onto it (saved only when the members are added).
    """
    table = read_sheet(upload, SPEC)
    unit_values = [
        line[column]
        for line in table.rows
        for column in (WORKPLACE, REPRESENTED)
        if line[column] is not None
    ]
    units = _Units(unit_values, within=unit)
    roles = _role_names()
    rows = [_parse_row(line, units, roles, table) for line in table.rows]
    _check_across_rows(rows, table)
    table.raise_problems()

    existing = _existing_people(rows)
    specs = []
    for row in rows:
        person = existing.get(row.number) or Person(full_name=row.full_name)
        person.sex = row.sex
        # An existing person keeps what the file leaves blank.
        for attribute in ("title", "unit", "phone", "email"):
            value = getattr(row, attribute)
            if value or person.pk is None:
                setattr(person, attribute, value)
        specs.append(
            MemberSpec(
                person=person,
                role=row.role,
                represented_unit=row.represented_unit,
                term_end=row.term_end,
                represented_text=row.represented_text,
            )
        )
    return specs
