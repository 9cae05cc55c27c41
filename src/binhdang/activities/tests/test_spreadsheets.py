"""Excel: the template, the export, the import round-trip, and every kind of bad file or row,
each refused whole with "Dòng N, cột …" messages and nothing saved."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from binhdang.activities import services, spreadsheets
from binhdang.activities.models import Activity, Kind, Topic
from binhdang.activities.spreadsheets import HEADERS, ImportErrors

pytestmark = pytest.mark.django_db


def upload(content: bytes, name: str = "hoat-dong.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def workbook_bytes(rows: list[dict], headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = spreadsheets.SHEET
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_row(unit, **overrides) -> dict:
    row = {
        spreadsheets.TITLE: "Tập huấn lồng ghép giới cho cán bộ xã",
        spreadsheets.KIND: "Tập huấn",
        spreadsheets.START: "15/03/2025",
        spreadsheets.ORGANISER: unit.code,
        spreadsheets.TOTAL: "1.340",
        spreadsheets.WOMEN: 831,
        spreadsheets.TOPICS: "Lồng ghép giới; phòng, chống bạo lực gia đình",
    }
    row.update(overrides)
    return row


def problems(rows, actor, headers=HEADERS) -> list[str]:
    with pytest.raises(ImportErrors) as caught:
        spreadsheets.parse(upload(workbook_bytes(rows, headers)), actor)
    return caught.value.messages


# Template and export ----------------------------------------------------------------------------


def test_template_has_headers_guide_and_kind_list(client, personas):
    client.force_login(personas["commune_officer"])
    response = client.get(reverse("activities:template"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == spreadsheets.SHEET
    assert [c.value for c in book[spreadsheets.SHEET][1]] == list(HEADERS)
    assert spreadsheets.GUIDE_SHEET in book.sheetnames
    assert "Tập huấn" in [c.value for c in book[spreadsheets.LISTS_SHEET]["A"]]


@pytest.fixture
def recorded(record, tree):
    first = record(
        tree["commune"],
        title="Hội nghị triển khai Tháng hành động",
        kind=Kind.CONFERENCE,
        start_date=datetime.date(2025, 11, 14),
        end_date=datetime.date(2025, 11, 15),
        co_organisers=[tree["province"]],
        partners="Hội LHPN xã",
        venue="Hội trường UBND xã",
        online_sites="Điểm cầu xã\nĐiểm cầu thôn 1",
        online_site_count=2,
        participants=120,
        women=70,
        leaders=10,
        officers=30,
        public=80,
        topics=[Topic.GBV, Topic.MAINSTREAMING],
        outputs=[
            services.Link("https://quangngai.gov.vn/tin/1", "Tin bài"),
            services.Link("https://quangngai.gov.vn/tai-lieu.pdf"),
        ],
        cost=25_500_000,
        note="Dòng 1\nDòng 2",
    )
    second = record(
        tree["commune"],
        title="Truyền thông trên loa",
        kind=Kind.CAMPAIGN,
        participants=None,
        women=None,
    )
    return [first, second]


def snapshot(activity: Activity) -> tuple:
    return (
        activity.title,
        activity.kind,
        activity.start_date,
        activity.end_date,
        activity.organiser_id,
        sorted(u.pk for u in activity.co_organisers.all()),
        activity.partners,
        activity.venue,
        activity.online_sites,
        activity.online_site_count,
        activity.participants,
        activity.women,
        activity.leaders,
        activity.officers,
        activity.public,
        sorted(t.topic for t in activity.topics.all()),
        [(o.url, o.title) for o in activity.outputs.all()],
        activity.cost,
        activity.note,
    )


def test_export_then_import_round_trip(client, personas, tree, recorded):
    before = sorted(snapshot(a) for a in recorded)
    client.force_login(personas["commune_officer"])
    export = client.get(
        reverse("activities:export_xlsx", args=[tree["commune"].pk]), {"year": "2025"}
    )
    assert export.status_code == 200
    content = export.content
    book = load_workbook(io.BytesIO(content))
    rows = list(book[spreadsheets.SHEET].iter_rows(values_only=True))
    assert len(rows) == 3
    assert "Năm" in [r[0] for r in book[spreadsheets.INFO_SHEET].iter_rows(values_only=True)]

    # Importing the export again adds nothing: the activities are recognised.
    parsed = spreadsheets.parse(upload(content), personas["commune_officer"])
    assert [r.status for r in parsed] == ["existing", "existing"]

    # Into an empty unit, the file recreates the same activities.
    Activity.objects.all().delete()
    url = reverse("activities:import", args=[tree["commune"].pk])
    preview = client.post(url, {"file": upload(content)})
    assert preview.status_code == 200
    assert 'id="preview"' in preview.content.decode()
    assert Activity.objects.count() == 0  # the preview writes nothing
    done = client.post(url, {"confirm": "1"})
    assert done.status_code == 302
    assert sorted(snapshot(a) for a in Activity.objects.all()) == before


def test_export_follows_the_filters(client, personas, tree, recorded):
    client.force_login(personas["province_viewer"])
    response = client.get(
        reverse("activities:export_xlsx", args=[tree["province"].pk]),
        {"year": "2025", "kind": "campaign"},
    )
    rows = list(
        load_workbook(io.BytesIO(response.content))[spreadsheets.SHEET].iter_rows(values_only=True)
    )
    assert [r[0] for r in rows[1:]] == ["Truyền thông trên loa"]
    # Outside the scope: 404.
    client.force_login(personas["neighbour_officer"])
    assert (
        client.get(reverse("activities:export_xlsx", args=[tree["commune"].pk])).status_code == 404
    )


# Good imports -----------------------------------------------------------------------------------


def test_import_reads_vietnamese_numbers_codes_and_labels(personas, tree):
    rows = spreadsheets.parse(
        upload(
            workbook_bytes(
                [
                    good_row(
                        tree["commune"],
                        **{
                            spreadsheets.ORGANISER: int(tree["commune"].official_code),
                            spreadsheets.START: datetime.datetime(2025, 3, 15),
                            spreadsheets.END: "16/03/2025",
                            spreadsheets.OUTPUTS: "Tin bài - https://quangngai.gov.vn/tin/2",
                            spreadsheets.COST: "15.000.000",
                        },
                    )
                ]
            )
        ),
        personas["commune_officer"],
    )
    data = rows[0].data
    assert data.organiser == tree["commune"]
    assert (data.participants, data.women, data.cost) == (1340, 831, 15_000_000)
    assert data.end_date == datetime.date(2025, 3, 16)
    assert data.topics == ["mainstreaming", "domestic_violence"]
    assert data.outputs[0].url == "https://quangngai.gov.vn/tin/2"


# Bad files --------------------------------------------------------------------------------------


def test_not_an_excel_file(personas):
    with pytest.raises(ImportErrors) as caught:
        spreadsheets.parse(upload(b"Ten,Loai\n"), personas["commune_officer"])
    assert caught.value.messages == [
        "Tệp không phải là sổ làm việc Excel (.xlsx). Hãy dùng tệp mẫu tải từ nền tảng."
    ]
    with pytest.raises(ImportErrors) as caught:
        spreadsheets.parse(upload(b"\xd0\xcf\x11\xe0" + b"0" * 100), personas["commune_officer"])
    assert "tệp Excel cũ (.xls)" in caught.value.messages[0]
    with pytest.raises(ImportErrors) as caught:
        spreadsheets.parse(upload(b"PK\x03\x04 broken"), personas["commune_officer"])
    assert caught.value.messages[0].startswith("Tệp không phải là sổ làm việc Excel")


def test_too_large_a_file(personas, tree, settings):
    settings.IMPORT_MAX_MB = 0.001
    with pytest.raises(ImportErrors) as caught:
        spreadsheets.parse(
            upload(workbook_bytes([good_row(tree["commune"])])), personas["commune_officer"]
        )
    assert caught.value.messages == ["Tệp lớn hơn 0.001 MB."]


def test_wrong_columns(personas, tree):
    headers = [h for h in HEADERS if h != spreadsheets.KIND] + ["Màu sắc"]
    found = problems([{spreadsheets.TITLE: "A"}], personas["commune_officer"], headers)
    # The missing column first (every import lists header problems alike), then the unknown.
    assert found == [
        "Dòng 1: tệp không đúng mẫu, thiếu cột “Loại hoạt động”. Hãy dùng tệp mẫu tải từ nền tảng.",
        "Dòng 1, cột “Màu sắc”: cột này không có trong mẫu; hãy xóa cột hoặc dùng tệp mẫu.",
    ]


def test_empty_sheet(personas):
    found = problems([], personas["commune_officer"])
    assert found == [
        "Tệp không có dòng dữ liệu nào: ghi mỗi hoạt động một dòng trên trang “Hoạt động”, từ "
        "dòng 2."
    ]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({spreadsheets.TITLE: None}, "Dòng 2, cột “Tên hoạt động”: chưa ghi; cột này bắt buộc."),
        (
            {spreadsheets.KIND: "Liên hoan"},
            "Dòng 2, cột “Loại hoạt động”: không có loại hoạt động “Liên hoan”. Loại hợp lệ: ",
        ),
        (
            {spreadsheets.START: "31/02/2025"},
            "Dòng 2, cột “Ngày bắt đầu (dd/mm/yyyy)”: “31/02/2025” không phải ngày hợp lệ",
        ),
        (
            {spreadsheets.END: "14/03/2025"},
            "Dòng 2, cột “Ngày kết thúc (dd/mm/yyyy)”: ngày kết thúc không được trước ngày bắt "
            "đầu.",
        ),
        (
            {spreadsheets.ORGANISER: "KHONGCO"},
            "Dòng 2, cột “Mã đơn vị tổ chức”: không có đơn vị mã “KHONGCO”.",
        ),
        (
            {spreadsheets.CO_ORGANISERS: "P51; KHONGCO"},
            "Dòng 2, cột “Mã đơn vị phối hợp”: không có đơn vị mã “KHONGCO”.",
        ),
        (
            {spreadsheets.WOMEN: 1341},
            "Dòng 2, cột “Số nữ”: số nữ tham gia (1.341) không được lớn hơn tổng số người tham "
            "gia (1.340).",
        ),
        (
            {spreadsheets.LEADERS: 1000, spreadsheets.PUBLIC: 341},
            "Dòng 2, cột “Lãnh đạo, quản lý”: lãnh đạo, cán bộ và người dân cộng lại (1.341) "
            "không được lớn hơn tổng số người tham gia (1.340).",
        ),
        (
            {spreadsheets.OFFICERS: -3},
            "Dòng 2, cột “Cán bộ, công chức, viên chức”: cán bộ, công chức, viên chức không được "
            "là số âm.",
        ),
        (
            {spreadsheets.TOTAL: "12,5"},
            "Dòng 2, cột “Tổng số người tham gia”: “12,5” không phải là số nguyên.",
        ),
        (
            {spreadsheets.COST: "nhiều"},
            "Dòng 2, cột “Kinh phí (đồng)”: “nhiều” không phải là số nguyên.",
        ),
        (
            {spreadsheets.SITE_COUNT: 5},
            "Dòng 2, cột “Số điểm cầu”: có 5 điểm cầu nhưng chưa ghi điểm cầu nào",
        ),
        ({spreadsheets.TOPICS: "Ẩm thực"}, "Dòng 2, cột “Chủ đề”: không có chủ đề “Ẩm thực”."),
        (
            {spreadsheets.OUTPUTS: "Tin bài trên báo"},
            "Dòng 2, cột “Kết quả, sản phẩm (đường dẫn)”: dòng 1 không có đường dẫn",
        ),
    ],
)
def test_each_bad_cell_is_named(personas, tree, overrides, expected):
    found = problems([good_row(tree["commune"], **overrides)], personas["commune_officer"])
    assert len(found) == 1, found
    assert found[0].startswith(expected), found[0]


def test_organiser_outside_the_scope(personas, tree):
    found = problems([good_row(tree["neighbour"])], personas["commune_officer"])
    assert found == [
        "Dòng 2, cột “Mã đơn vị tổ chức”: bạn không thể ghi hoạt động của "
        f"“{tree['neighbour'].name}”: đơn vị này nằm ngoài các đơn vị bạn được nhập số liệu."
    ]


def test_former_unit_is_refused(personas, tree):
    found = problems([good_row(tree["legacy_commune"])], personas["system_admin"])
    assert "không còn hoạt động" in found[0]


def test_duplicate_rows(personas, tree):
    found = problems(
        [good_row(tree["commune"]), good_row(tree["commune"])], personas["commune_officer"]
    )
    assert found == [
        "Dòng 3, cột “Tên hoạt động”: hoạt động này đã ghi ở dòng 2; mỗi hoạt động chỉ ghi một "
        "dòng."
    ]


def test_one_bad_row_and_nothing_is_saved(client, personas, tree):
    content = workbook_bytes(
        [
            good_row(tree["commune"]),
            good_row(tree["commune"], **{spreadsheets.TITLE: "Khác", spreadsheets.WOMEN: 2000}),
            {spreadsheets.TITLE: "Chỉ có tên"},
        ]
    )
    client.force_login(personas["commune_officer"])
    url = reverse("activities:import", args=[tree["commune"].pk])
    response = client.post(url, {"file": upload(content)})
    html = response.content.decode()
    assert "Chưa lưu dữ liệu nào" in html
    assert "Dòng 3, cột “Số nữ”" in html
    assert "Dòng 4, cột “Loại hoạt động”: chưa ghi; cột này bắt buộc." in html
    assert 'id="preview"' not in html
    # A confirmation without a checked file saves nothing either.
    client.post(url, {"confirm": "1"})
    assert Activity.objects.count() == 0


def test_import_page_needs_edit_rights(client, personas, tree):
    client.force_login(personas["province_viewer"])
    assert client.get(reverse("activities:import", args=[tree["province"].pk])).status_code == 403
    client.force_login(personas["commune_officer"])
    assert client.get(reverse("activities:import", args=[tree["neighbour"].pk])).status_code == 404


def test_confirmation_rechecks_the_rules(personas, tree):
    """Between preview and confirmation the scope could change: the save checks again."""
    parsed = spreadsheets.parse(
        upload(workbook_bytes([good_row(tree["commune"])])), personas["commune_officer"]
    )
    rows = spreadsheets.rows_from_session(spreadsheets.rows_to_session(parsed))
    with pytest.raises(services.ValidationError) as caught:
        services.import_activities(personas["neighbour_officer"], rows)
    assert caught.value.messages[0].startswith("Dòng 2: ") or caught.value.messages[0].startswith(
        "Row 2: "
    )
    assert Activity.objects.count() == 0
    saved = services.import_activities(personas["commune_officer"], rows)
    assert len(saved) == 1 and saved[0].participants == 1340
