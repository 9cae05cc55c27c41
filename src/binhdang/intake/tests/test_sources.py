"""A news report as the officer brings it: pasted from a portal, or uploaded."""

import datetime
import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from binhdang.intake import sources
from binhdang.intake.sources import IntakeError

BODY = (
    "Trong 02 ngày, từ 21-22/5/2023, Sở Lao động - Thương binh và Xã hội tỉnh phối hợp với Hội "
    "Liên hiệp Phụ nữ tỉnh tổ chức lớp tập huấn nâng cao năng lực cho 120 cán bộ làm công tác "
    "bình đẳng giới."
)

PORTAL = f"""Trang chủ > Tin tức > Hoạt động
Tin tức - Sự kiện
Giới thiệu
Tập huấn nâng cao năng lực về bình đẳng giới năm 2023
Thứ Hai, 22/05/2023 08:30 (GMT+7)
Lượt xem: 1.234
{BODY}
Quang cảnh lớp tập huấn. (Ảnh: Hồng Nhung)
(Ảnh minh họa)
Ảnh: Thu Hà
Chia sẻ | In bài | Gửi email
Tin liên quan
Hội nghị tổng kết công tác bình đẳng giới năm 2022
Tọa đàm nhân ngày Quốc tế Phụ nữ 8/3 (08/03/2023)
Tin mới nhất
Kiểm tra công tác bình đẳng giới tại huyện (15/05/2023)
© Bản quyền thuộc Sở Lao động - Thương binh và Xã hội
"""


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def test_portal_boilerplate_is_stripped_and_the_report_kept():
    document = sources.from_text(PORTAL)
    assert document.text == ("Tập huấn nâng cao năng lực về bình đẳng giới năm 2023\n\n" + BODY)
    assert document.title == "Tập huấn nâng cao năng lực về bình đẳng giới năm 2023"
    assert document.published == datetime.date(2023, 5, 22)


def test_a_paragraph_after_a_related_list_is_kept():
    text = f"Tin liên quan\nHội nghị năm 2022\nTọa đàm 8/3\n{BODY}"
    assert sources.from_text(text).text == BODY


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("Đăng ngày 12/03/2023", datetime.date(2023, 3, 12)),
        ("Đăng ngày: 12/03/2023 | Lượt xem: 150", datetime.date(2023, 3, 12)),
        ("Cập nhật lúc 08:30 12/3/2023", datetime.date(2023, 3, 12)),
        ("Cập nhật: 08:30 12/3/2023", datetime.date(2023, 3, 12)),
        ("Thứ Hai, 12/03/2023 08:30 (GMT+7)", datetime.date(2023, 3, 12)),
        ("Thu hai, 12/03/2023 08:30 (GMT+7)", datetime.date(2023, 3, 12)),
        ("Chủ nhật, ngày 5 tháng 1 năm 2012", datetime.date(2012, 1, 5)),
        ("Ngày đăng: 05-01-2012", datetime.date(2012, 1, 5)),
        ("12/03/2023 08:30", datetime.date(2023, 3, 12)),
    ],
)
def test_the_publication_date_is_read_from_its_line_and_the_line_dropped(line, day):
    document = sources.from_text(f"{line}\n{BODY}")
    assert document.published == day
    assert document.text == BODY


def test_dates_of_the_report_itself_are_not_the_publication_date():
    assert sources.from_text(BODY).published is None
    # A sentence giving a date is the report's, not a meta line.
    sentence = "Ngày 05/01/2012, Sở tổ chức hội nghị triển khai công tác bình đẳng giới năm 2012."
    document = sources.from_text(sentence)
    assert (document.published, document.text) == (None, sentence)


def test_an_impossible_date_is_not_a_publication_date():
    assert sources.from_text(f"Đăng ngày 31/02/2023\n{BODY}").published is None


def test_decomposed_and_no_break_text_is_normalised():
    import unicodedata

    text = unicodedata.normalize("NFD", BODY).replace(" ", "\u00a0", 3)
    assert sources.from_text(text).text == BODY


def test_empty_text_is_refused_in_vietnamese():
    with pytest.raises(IntakeError, match="Hãy dán nội dung bài viết"):
        sources.from_text("  \n\t ")


def test_two_megabytes_of_text_are_refused():
    with pytest.raises(IntakeError, match="quá dài"):
        sources.from_text("Hội nghị. " * 210_000)


def test_text_just_under_the_limit_is_read():
    text = ("Hội nghị bình đẳng giới. " * 8000)[: sources.TEXT_LIMIT]
    assert sources.from_text(text).text


PAGE = """<!doctype html><html><head><title>Cổng TTĐT</title>
<meta property="article:published_time" content="2023-03-12T08:30:00+07:00">
<script>document.write("<p>Không phải bài</p>")</script><style>p{color:red}</style></head>
<body><nav class="menu"><ul><li>Trang chủ</li><li>Tin tức</li></ul></nav>
<div class="breadcrumb">Trang chủ / Tin tức</div>
<article><h1>Hội nghị &amp; tập huấn bình đẳng giới</h1>
<div class="date">Thứ Hai, 12/03/2023 08:30</div>
<p>Sáng 10/3, Sở tổ chức <b>hội nghị</b> triển khai công tác bình đẳng giới.<p>Đoạn hai<br>dòng ba
<figure><img src="x.jpg"><figcaption>Ảnh: Quang cảnh hội nghị</figcaption></figure>
</article><aside><h3>Tin liên quan</h3><a>Bài khác</a></aside>
<div class="tin-lien-quan">Tin cũ</div><div class="share-bar">Chia sẻ</div>
<footer>© Bản quyền</footer></body></html>"""


def test_a_saved_page_gives_its_visible_text_only():
    document = sources.from_upload(SimpleUploadedFile("bai.html", PAGE.encode()))
    assert document.text == (
        "Hội nghị & tập huấn bình đẳng giới\n\n"
        "Sáng 10/3, Sở tổ chức hội nghị triển khai công tác bình đẳng giới.\n\n"
        "Đoạn hai\n\ndòng ba"
    )
    assert document.title == "Hội nghị & tập huấn bình đẳng giới"
    assert document.published == datetime.date(2023, 3, 12)


def test_a_page_source_pasted_is_read_as_a_page():
    assert "<" not in sources.from_text(PAGE).text


def test_markup_in_text_is_never_kept_as_markup():
    document = sources.from_text("<p>Hội nghị <script>alert(1)</script>&lt;img&gt;</p>")
    assert document.text == "Hội nghị <img>"  # the page's own words, a text to escape later


def test_the_date_meta_is_used_when_the_page_shows_none():
    page = PAGE.replace('<div class="date">Thứ Hai, 12/03/2023 08:30</div>', "")
    page = page.replace("2023-03-12T08:30", "2021-07-01T08:30")
    assert sources.from_text(page).published == datetime.date(2021, 7, 1)


def test_a_page_in_a_declared_legacy_charset_is_read():
    page = (
        '<html><head><meta charset="windows-1252"></head>'
        "<body><p>Caf\xe9 r\xe9union</p></body></html>"
    )
    document = sources.from_upload(SimpleUploadedFile("x.htm", page.encode("cp1252")))
    assert document.text == "Café réunion"


def _docx(*paragraphs) -> bytes:
    word = docx.Document()
    for paragraph in paragraphs:
        word.add_paragraph(paragraph)
    table = word.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "Bảng: 30/98 xã"
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def test_a_word_file_is_read_whatever_its_name():
    data = _docx("Đăng ngày 12/03/2023", BODY, "Chia sẻ")
    document = sources.from_upload(SimpleUploadedFile("bai-viet.txt", data))
    assert document.text == BODY + "\n\nBảng: 30/98 xã"
    assert document.published == datetime.date(2023, 3, 12)


def test_a_text_file_is_read():
    data = ("\ufeff" + PORTAL).encode("utf-8")
    document = sources.from_upload(SimpleUploadedFile("bai.txt", data))
    assert document.text.endswith(BODY)


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 40,  # binary with NUL bytes
        bytes(range(1, 256)) * 40,  # binary without NUL: not UTF-8
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"\x89PNG\r\n\x1a\n" + b"\x01" * 100,
        b"\xff\xd8\xff\xe0" + b"\x02" * 100,
        b"\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0e\x0f" * 20,  # control characters only
    ],
)
def test_a_binary_file_is_refused(data):
    with pytest.raises(IntakeError, match="Không đọc được tệp này"):
        sources.from_upload(SimpleUploadedFile("bai.txt", data))


def test_a_zip_that_is_not_a_word_file_is_refused():
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<x/>")
    with pytest.raises(IntakeError, match="Không đọc được tệp này"):
        sources.from_upload(SimpleUploadedFile("bai.docx", out.getvalue()))


def test_a_damaged_word_file_is_refused():
    data = _docx(BODY)
    broken = data.replace(b"word/document.xml", b"word/document.xmX", 1)
    assert broken != data
    with pytest.raises(IntakeError):
        sources.from_upload(SimpleUploadedFile("bai.docx", broken))


def test_a_file_over_the_size_limit_is_refused():
    data = b"a" * (sources.FILE_LIMIT_MB * 1024 * 1024 + 1)
    with pytest.raises(IntakeError, match="lớn hơn 5 MB"):
        sources.from_upload(SimpleUploadedFile("bai.txt", data))


def test_a_text_file_of_two_megabytes_is_refused():
    data = ("Hội nghị. " * 200_000).encode()
    assert len(data) > 2_000_000
    with pytest.raises(IntakeError, match="quá dài"):
        sources.from_upload(SimpleUploadedFile("bai.txt", data))


def test_a_list_above_the_article_ends_at_its_date_line():
    text = (
        "Tin mới nhất\nHội nghị tổng kết năm 2022\nTọa đàm nhân ngày 8/3 (08/03/2023)\n"
        f"Tập huấn về bình đẳng giới\nĐăng ngày 22/05/2023\n{BODY}"
    )
    document = sources.from_text(text)
    assert document.text == f"Tập huấn về bình đẳng giới\n\n{BODY}"
    assert document.published == datetime.date(2023, 5, 22)
