"""A news report as clean text: pasted, or read from an uploaded Word file, saved web page or
text file; the portal's boilerplate (menus, "Tin mới nhất" lists, view counters, captions, share
links, the "Đăng ngày …" line) stripped, and the publication date read from that line.

Nothing here writes: a source that cannot be read is refused with an `IntakeError` whose
message is shown to the officer as it is.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from binhdang.core import uploads
from binhdang.core.numbers import write_number
from binhdang.core.text import fold

# One news report is a few thousand characters; the longest annual reviews some tens of
# thousands. Beyond this it is not one report (or not a report at all).
TEXT_LIMIT = 200_000
# A saved web page carries its scripts and styles: allowed larger than the text it holds.
FILE_LIMIT_MB = 5


class IntakeError(ValueError):
    """A source that cannot be read; the message is for the officer."""


@dataclass(frozen=True)
class Document:
    """A report's text, boilerplate stripped, paragraphs joined by a blank line."""

    text: str
    published: datetime.date | None
    title: str = ""


# Dates --------------------------------------------------------------------------------------------

_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
# Folded ("ngay 12 thang 3 nam 2023").
_WORDED_DATE = re.compile(r"ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})")
_TIME = re.compile(r"\b\d{1,2}\s*[:h]\s*\d{2}(\s*:\s*\d{2})?\s*(am|pm|sa|ch)?\b")
_ZONE = re.compile(r"\(?\s*gmt\s*[+-]\s*\d{1,2}\s*\)?")
_WEEKDAY = re.compile(r"\b(thu (hai|ba|tu|nam|sau|bay|[2-7])|chu nhat)\b")
# The words portals put around the publication date (folded).
_META_WORDS = re.compile(
    r"\b(dang ngay|ngay dang|dang luc|ngay cap nhat|cap nhat luc|cap nhat|thoi gian dang|"
    r"ngay xuat ban|xuat ban|gio|luc|ngay|tac gia|nguon|luot xem|so luot xem|da xem|"
    r"luot doc|binh luan|views?)\b"
)
_META_START = re.compile(
    r"^(dang ngay|ngay dang|dang luc|ngay cap nhat|cap nhat|thoi gian dang|ngay xuat ban|"
    r"xuat ban|thu (hai|ba|tu|nam|sau|bay|[2-7])\b|chu nhat\b)"
)
_META_LINE_LIMIT = 120


def _date(day: str, month: str, year: str) -> datetime.date | None:
    try:
        found = datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return found if 1990 <= found.year <= 2100 else None


def find_date(text: str) -> datetime.date | None:
    """The first date written in `text` (12/03/2023, 12-3-2023, 2023-03-12, "ngày 12 tháng 3
    năm 2023"), or None."""
    folded = fold(text)
    found = []
    for pattern, order in (
        (_NUMERIC_DATE, (1, 2, 3)),
        (_ISO_DATE, (3, 2, 1)),
        (_WORDED_DATE, (1, 2, 3)),
    ):
        for match in pattern.finditer(folded):
            day = _date(*(match.group(i) for i in order))
            if day:
                found.append((match.start(), day))
    return min(found)[1] if found else None


def _is_meta_line(line: str) -> bool:
    """Whether a short line only says when (and by whom, how often read) the item was posted:
    "Đăng ngày 12/03/2023", "Thứ Hai, 12/03/2023 08:30 (GMT+7)",
    "08:30 12/3/2023 | Lượt xem: 150"."""
    if len(line) > _META_LINE_LIMIT:
        return False
    folded = fold(line)
    if not (
        _NUMERIC_DATE.search(folded) or _ISO_DATE.search(folded) or _WORDED_DATE.search(folded)
    ):
        return False
    if _META_START.match(folded):
        return True
    rest = folded
    for pattern in (_WORDED_DATE, _NUMERIC_DATE, _ISO_DATE, _ZONE, _TIME, _WEEKDAY, _META_WORDS):
        rest = pattern.sub(" ", rest)
    # What is left besides dates, times and the meta words: at most an author's name.
    return len(re.findall(r"\w+", rest)) <= 3


# Boilerplate --------------------------------------------------------------------------------------

# Headings of the lists portals put around an article (folded, without final colon).
_LIST_HEADINGS = {
    "tin moi nhat",
    "tin moi",
    "tin lien quan",
    "bai viet lien quan",
    "bai viet cung chuyen muc",
    "tin cung chuyen muc",
    "cac tin khac",
    "tin khac",
    "cac bai viet khac",
    "tin da dua",
    "xem them",
    "tin doc nhieu",
    "doc nhieu nhat",
    "tin noi bat",
    "tin bai lien quan",
}
# Menu entries, share and print links, footers: a short line made only of these words is
# not the report (folded).
_CHROME = {
    "trang chu",
    "gioi thieu",
    "tin tuc",
    "tin tuc - su kien",
    "tin tuc su kien",
    "su kien",
    "lien he",
    "so do cong",
    "so do site",
    "so do trang",
    "dang nhap",
    "dang ky",
    "english",
    "tieng viet",
    "tim kiem",
    "chia se",
    "chia se bai viet",
    "in",
    "in bai",
    "in trang",
    "ban in",
    "gui email",
    "gui bai",
    "email",
    "facebook",
    "zalo",
    "twitter",
    "tweet",
    "linkedin",
    "luu",
    "luu bai",
    "quay lai",
    "ve dau trang",
    "len dau trang",
    "binh luan",
    "gop y",
    "y kien",
    "thich",
    "like",
    "share",
    "print",
    "co chu",
    "a a a",
    "a+ a a-",
    "van ban",
    "thu tuc hanh chinh",
    "hoi dap",
    "thong bao",
    "lich cong tac",
    "chuyen muc",
    "doc tiep",
    "xem tiep",
}
_FOOTER = re.compile(
    r"^(©|copyright|ban quyen|giay phep|chiu trach nhiem|co quan chu quan|dia chi:|"
    r"dien thoai:|email:|fax:|ghi ro nguon|bao dien tu .* giu ban quyen)"
)
_COUNTER = re.compile(r"^(so )?(luot xem|luot doc|da xem|so lan doc|views?)\s*[:\-]?\s*[\d.,]+$")
_BREADCRUMB = re.compile(r"^trang chu\s*[>»/|›]")
# Captions: "Ảnh: Hồng Nhung", "(Ảnh minh họa)", "Quang cảnh hội nghị. (Ảnh: VGP)".
_CAPTION = re.compile(r"^\(?\s*(anh|nguon anh|anh minh hoa)\s*[:)\-]|^\(\s*anh\b")
_CAPTION_END = re.compile(r"\(\s*anh(\s+minh hoa)?\s*[:\-)]?[^()]{0,60}\)\s*$")
# A line this long, or a sentence this many words long, is the report's prose.
_PROSE_CHARS = 160
_PROSE_WORDS = 20


def _chrome(folded: str) -> bool:
    """A line made only of menu, share or print words ("Chia sẻ | In bài | Gửi email")."""
    parts = [p.strip(" :.-–—") for p in re.split(r"[|•·/\t]|\s{2,}", folded)]
    parts = [p for p in parts if p]
    return bool(parts) and all(p in _CHROME for p in parts)


def _is_prose(line: str) -> bool:
    return len(line) >= _PROSE_CHARS or len(line.split()) >= _PROSE_WORDS


def _clean_lines(lines: list[str]) -> tuple[list[str], datetime.date | None]:
    """The report's paragraphs without the portal's, and the publication date read from them."""
    kept: list[str] = []
    published = None
    in_list = False
    skipped = ""
    for line in lines:
        folded = fold(line)
        heading = folded.rstrip(" :").strip()
        if heading in _LIST_HEADINGS:
            in_list, skipped = True, ""  # its headlines follow, up to a paragraph of prose
            continue
        if in_list:
            if _META_START.match(folded) and _is_meta_line(line):
                # A list above the article ends at the article's date line; the line just
                # before it is the article's headline.
                in_list = False
                if skipped:
                    kept.append(skipped)
            elif not _is_prose(line):
                skipped = line
                continue
            else:
                in_list = False
        if _is_meta_line(line):
            published = published or find_date(line)
            continue
        if (
            _COUNTER.match(folded)
            or _BREADCRUMB.match(folded)
            or _CAPTION.match(folded)
            or (_CAPTION_END.search(folded) and not _is_prose(line))
            or (len(line) <= 80 and (_chrome(folded) or _FOOTER.match(folded)))
        ):
            continue
        kept.append(line)
    return kept, published


def _normalise(text: str) -> str:
    # Pasted text may come decomposed (NFD) or with no-break spaces and zero-width marks.
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\u200b\u200c\u200d\ufeff]", "", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def _title_of(lines: list[str]) -> str:
    """The first line when it reads as a headline: short, not a sentence ending in a period."""
    if lines and len(lines[0]) <= 250 and not lines[0].endswith((".", ":")):
        return lines[0]
    return ""


def _document(lines: list[str], published=None, title: str = "") -> Document:
    kept, found = _clean_lines(lines)
    return Document(
        text="\n\n".join(kept), published=published or found, title=title or _title_of(kept)
    )


def _check_length(text: str) -> None:
    if not text.strip():
        raise IntakeError(_("Paste the text of a news report, or choose a file."))
    if len(text) > TEXT_LIMIT:
        raise IntakeError(too_long(len(text)))


def too_long(size: int) -> str:
    """The refusal of a text of `size` characters."""
    return _(
        "The text is too long (%(size)s characters; at most %(limit)s): paste one news "
        "report at a time."
    ) % {"size": write_number(size, 0), "limit": write_number(TEXT_LIMIT, 0)}


def too_large(size: int) -> str:
    """The refusal of a request of `size` bytes, too large to be read at all."""
    megabytes = write_number(Decimal(size) / 1024 / 1024, 1, trim=True)
    return _(
        "The text is too long (%(size)s MB; at most %(limit)s characters): paste one news "
        "report at a time."
    ) % {"size": megabytes, "limit": write_number(TEXT_LIMIT, 0)}


_LOOKS_LIKE_HTML = re.compile(r"<\s*(html|body|article|div|p|br|h1|table)\b[^>]*>", re.IGNORECASE)


def from_text(raw: str) -> Document:
    """A pasted report (plain text, or a page's HTML source) as a Document."""
    raw = raw or ""
    _check_length(raw)
    if _LOOKS_LIKE_HTML.search(raw):
        return from_html(raw)
    return _document(_lines(_normalise(raw)))


# HTML ---------------------------------------------------------------------------------------------

# Elements that are never the report; their content is skipped.
_SKIPPED_TAGS = {
    "script",
    "style",
    "noscript",
    "nav",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "iframe",
    "svg",
    "template",
    "head",
    "figcaption",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
}
_VOID_TAGS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "param",
    "source",
    "track",
    "wbr",
}
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "hr",
    "main",
    "td",
    "th",
}
# Class or id names of the portals' chrome (menus, breadcrumbs, related lists, share bars).
_SKIPPED_CLASSES = re.compile(
    r"(^|[\s_-])(menu|navbar|nav|breadcrumbs?|sidebar|related|share|sharing|social|footer|"
    r"comments?|banner|advert|ads|quang-?cao|tin-?lien-?quan|tin-?moi|tin-?khac|other-?news|"
    r"print|caption|toolbar)($|[\s_-])",
    re.IGNORECASE,
)
_PUBLISHED_META = {"article:published_time", "datepublished", "pubdate", "publishdate", "date"}


class _Reader(HTMLParser):
    """Collects a page's visible text in blocks, skipping chrome; never runs or keeps markup."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.skipping = 0
        self.heading: list[str] | None = None
        self.title = ""
        self.meta_date: datetime.date | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            name = (
                attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or ""
            ).lower()
            if name in _PUBLISHED_META and not self.meta_date:
                self.meta_date = find_date(attrs.get("content") or "")
            return
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag in _VOID_TAGS:
            return
        names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        skipped = tag in _SKIPPED_TAGS or bool(_SKIPPED_CLASSES.search(names))
        self.stack.append((tag, skipped))
        if skipped:
            self.skipping += 1
        if tag == "h1" and not self.skipping and not self.title:
            self.heading = []

    def handle_endtag(self, tag):
        if tag in _VOID_TAGS or not any(open_tag == tag for open_tag, _s in self.stack):
            return
        # Close what the page left open inside this element too.
        while self.stack:
            open_tag, skipped = self.stack.pop()
            if skipped:
                self.skipping -= 1
            if open_tag == tag:
                break
        if tag == "h1" and self.heading is not None:
            self.title = " ".join("".join(self.heading).split())
            self.heading = None
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.skipping:
            return
        self.parts.append(data)
        if self.heading is not None:
            self.heading.append(data)


def from_html(markup: str) -> Document:
    """A saved web page (or its HTML source pasted) as a Document: its visible text only."""
    reader = _Reader()
    reader.feed(_normalise(markup))
    reader.close()
    text = "".join(reader.parts)
    _check_length(text)
    lines = _lines(text)
    document = _document(lines, title=reader.title)
    if document.published is None and reader.meta_date:
        document = Document(document.text, reader.meta_date, document.title)
    return document


# Uploads ------------------------------------------------------------------------------------------

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


def _decode(data: bytes) -> str:
    """The file's text: UTF-8 (what portals and editors save), or the charset a page declares."""
    if b"\x00" in data[:8192]:
        raise IntakeError(_unreadable())
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        declared = _CHARSET.search(data[:4096])
        if not declared:
            raise IntakeError(_unreadable()) from None
        try:
            text = data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            raise IntakeError(
                _("The page's characters cannot be read: save it again as UTF-8.")
            ) from None
    # Text has few control characters besides line breaks and tabs; a binary file has many.
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 8:
        raise IntakeError(_unreadable())
    return text


def _unreadable() -> str:
    return _(
        "This file cannot be read as a news report: choose a Word file (.docx), a saved web page "
        "(.html, .htm) or a text file (.txt)."
    )


def _from_docx(file) -> Document:
    from docx import Document as WordDocument

    try:
        uploads.check(file, (uploads.DOCX,))
    except ValidationError as error:
        raise IntakeError(" ".join(error.messages)) from None
    try:
        word = WordDocument(file)
    except Exception:  # python-docx raises many kinds on a damaged file
        raise IntakeError(_("The Word file cannot be opened: it may be damaged.")) from None
    lines = [p.text for p in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    text = "\n".join(lines)
    _check_length(text)
    return _document(_lines(_normalise(text)))


def from_upload(uploaded_file) -> Document:
    """An uploaded report (.docx, .html, .htm, .txt) as a Document, its type read from its
    content (never from its name)."""
    limit = FILE_LIMIT_MB * 1024 * 1024
    if uploaded_file.size > limit:
        raise IntakeError(_("The file is larger than %d MB.") % FILE_LIMIT_MB)
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    if head.startswith(b"PK\x03\x04"):
        if uploads.detect(uploaded_file) == uploads.DOCX:
            return _from_docx(uploaded_file)
        raise IntakeError(_unreadable())
    data = uploaded_file.read()
    uploaded_file.seek(0)
    if uploads.detect(uploaded_file) is not None:  # a PDF or an image: no text to read here
        raise IntakeError(_unreadable())
    text = _decode(data)
    if _LOOKS_LIKE_HTML.search(text[:200_000]):
        return from_html(text)
    return from_text(text)
