"""Draft records read from a committee's news report: activities, counts, decisions, members,
figures and tasks, each tied to the sentence it came from and with a confidence.

Rules do the reading (patterns.py for dates and numbers, the expressions below for the rest):
portals write these facts in a few fixed turns of phrase, and a rule that misses says nothing
rather than something wrong. underthesea's bundled named-entity model is used for one thing
rules do badly: a person's name written without "ông"/"bà"/"đồng chí" before it.
"""

import datetime
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from binhdang.activities.models import Kind, Topic
from binhdang.committees.models import Role
from binhdang.intake import patterns
from binhdang.intake.matching import Matcher, UnitMention, gazetteer, match_person
from binhdang.intake.patterns import Sentence, Span, folded, whole_number
from binhdang.orgunits.models import Level, OrgUnit
from binhdang.plans.deadlines import parse_deadline

__all__ = ["Proposal", "Reading", "UnitMention", "read", "warm"]


class Document(Protocol):
    """What read() needs of a document (intake.sources.Document)."""

    text: str
    published: datetime.date | None
    title: str


@dataclass
class Proposal:
    """A draft record for the officer to confirm, and the sentence it was read from."""

    kind: str  # activity | counted | decision | member | summary | figure | task
    fields: dict
    start: int
    end: int
    confidence: float
    notes: list[str] = field(default_factory=list)  # why the confidence is lower, for the page


@dataclass
class Reading:
    """Everything read from one document."""

    document: Document
    proposals: list[Proposal]
    units: list[UnitMention]


# Kinds of activity by the words that name them (folded), the more specific first: a "hội nghị
# tập huấn" is a training.
KINDS = [
    (Kind.TRAINING, r"tap huan|boi duong|lop hoc"),
    (Kind.WORKSHOP, r"hoi thao"),
    (Kind.TALK, r"toa dam|doi thoai"),
    (Kind.CONTEST, r"(?:cuoc|hoi) thi"),
    (Kind.COMMEMORATION, r"mit tinh|le ky niem|le phat dong|le huong ung"),
    (Kind.CONFERENCE, r"hoi nghi"),
    (
        Kind.MEETING,
        # "phối hợp", "kết hợp", "phù hợp"… are no meeting ("họp") once diacritics are gone.
        r"(?<!phoi )(?<!tong )(?<!thich )(?<!lien )(?<!to )(?<!hoa )(?<!ket )(?<!phu )(?<!hon )"
        r"hop(?! tac| le| nhat| dong| phap| ly| thuc)",
    ),
    (Kind.OTHER, r"doan (?:cong tac|kiem tra|giam sat)|kiem tra|giam sat"),
    (Kind.CAMPAIGN, r"(?<!thong tin va )truyen thong|chien dich|tuyen truyen"),
]
_KIND = re.compile("|".join(rf"\b(?P<k{i}>{p})\b" for i, (_k, p) in enumerate(KINDS)))

TOPICS = [
    (Topic.MAINSTREAMING, r"long ghep (?:van de )?(?:gioi|binh dang gioi)"),
    (Topic.GENDER_EQUALITY_LAW, r"luat binh dang gioi|phap luat ve binh dang gioi"),
    (Topic.LEGAL_EDUCATION, r"pho bien,? giao duc phap luat|tuyen truyen,? pho bien phap luat"),
    (Topic.SEXUAL_HARASSMENT, r"quay roi tinh duc"),
    (Topic.GBV, r"bao luc (?:tren co so )?gioi"),
    (Topic.DOMESTIC_VIOLENCE, r"bao luc gia dinh"),
    (Topic.TRAFFICKING, r"mua ban nguoi"),
    (
        Topic.WOMEN_CADRES,
        r"can bo nu|lanh dao nu|nu lanh dao|nu dai bieu|nu ung cu"
        r"|phu nu tham gia (?:chinh tri|lanh dao|quan ly)",
    ),
    (Topic.ECONOMIC, r"khoi nghiep|sinh ke|viec lam|phat trien kinh te"),
    (Topic.SEX_RATIO, r"(?:mat can bang|ty so|can bang) gioi tinh khi sinh"),
    (Topic.HEALTH, r"suc khoe sinh san|cham soc suc khoe"),
    (Topic.CHILDREN, r"tre em"),
    (Topic.DIGITAL, r"chuyen doi so|ky nguyen so|cong nghe so|khong gian mang"),
    (Topic.COMMITTEE_WORK, r"vi su tien bo cua phu nu|vstbpn|so ket|tong ket"),
]
_EQUALITY = re.compile(r"\bbinh dang gioi\b")

_EVENT = re.compile(
    r"\b(?:to chuc|dien ra|khai mac|be mac|tham du|chu tri|trien khai|ra quan|lam viec"
    r"|du(?= (?:hoi|le|buoi|lop|cuoc|phien|toa)))\b"
)
_DOCUMENT_DATE = re.compile(r"\d+/[a-z0-9./-]*[a-z][a-z0-9./-]*\s+(?:ngay\s+)?$")
_ONLINE = re.compile(r"\b(?:truc tuyen|diem cau|online)\b")
_PLACE = re.compile(
    r"\btai\s+(.+?)(?=\s*[,;:(]|\.(?:\s|$)|\s(?:voi|co|nham|do|duoi|cho|ve|vao|tu)\s|$)"
)
_PEOPLE = (
    r"dai bieu|hoc vien|nguoi|can bo|cong chuc|hoi vien|thanh vien|em hoc sinh|hoc sinh|sinh vien"
    r"|phu nu|chi em|giao vien|tuyen truyen vien|nguoi dan|doan vien|cong nhan|bao cao vien"
)
_PARTICIPANTS = re.compile(
    r"(?<![\d/.,])(?:(hon|tren|gan|khoang|co|voi|gom)\s+)?(\d{1,3}(?:\.\d{3})*|\d+)\s+"
    rf"(?:luot\s+)?(?:{_PEOPLE})\b"
)
_AT_LEAST = {"hon", "tren", "it nhat", "tren tong so"}

# "trên 20 lớp tập huấn", "12 đoàn công tác", "hơn 10 hội thảo, tập huấn".
_COUNTED = re.compile(
    r"(?<![\d/.,])(?<!nam )(?:(hon|tren|gan|khoang|it nhat|tong cong|tong so)\s+)?"
    r"(\d{1,3}(?:\.\d{3})*|\d+)\s+"
    r"((?:lop|cuoc|buoi|dot|phien|khoa|chuong trinh|hoat dong|su kien)?\s*"
    r"(?:tap huan|boi duong|hoi nghi|hoi thao|toa dam|doi thoai|hop|kiem tra|giam sat"
    r"|truyen thong|tuyen truyen|hoi thi|cuoc thi|thi|mit tinh|le ky niem|le phat dong)"
    r"|doan (?:cong tac|kiem tra|giam sat)|lop(?! \d)|cuoc kiem tra)\b"
)

_DECISION = re.compile(
    r"\bquyet dinh\s+(?:so\s+)?((?:\d+[a-z]?/(?:\d{4}/)?qd-[a-z0-9.]+(?:-[a-z0-9]+)*)?)"
)
_COMMITTEE_DECISION = re.compile(
    r"\b(?:kien toan|thanh lap|cung co|phan cong|bo sung|thay doi|thanh vien)\b.*\bban\b"
    r"|vi su tien bo|vstbpn"
)
_SUBJECT = re.compile(r"\b(?:ve viec|v/v|ve)\s+")
_CLAUSE_END = re.compile(
    r"[.;](?:\s|$)|,\s*(?:theo do|trong do|gom|cu the|do)\b|\s+gom\s+\d|\s-\s|$"
)
_COMMITTEE_VERB = re.compile(r"\b(?:kien toan|thanh lap|cung co|phan cong|bo sung|thay doi)\b")

ROLES = [
    (Role.STANDING_VICE_CHAIR, r"pho truong ban thuong truc"),
    (Role.VICE_CHAIR, r"pho truong ban"),
    (Role.HEAD, r"truong ban"),
    (Role.SECRETARY, r"thu ky|to truong to giup viec|thanh vien to giup viec|to giup viec"),
    (Role.MEMBER, r"uy vien thuong truc|uy vien|thanh vien"),
]
_ROLE = re.compile(
    r"\b(?:lam|la|giu chuc|giu cuong vi|duoc phan cong lam|dam nhiem|tham gia lam)\s+("
    + "|".join(pattern for _r, pattern in ROLES)
    + r")\b"
)
_HONORIFIC = re.compile(r"\b(?:ông|bà|đồng chí|đ/c)\s+(?=[A-ZĐ]|\w)", re.IGNORECASE)

# The most common Vietnamese family names: a run of three to five capitalised words starting with
# one of them is a person's name ("Thứ trưởng Nguyễn Thị Hà"), unless a place word precedes it
# ("Thành phố Hồ Chí Minh").
_SURNAMES_WORDS = (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Lương Trương Mai "
    "Đào Cao Lâm Hà Tạ Tô Vương Quách Lưu Chu Đoàn Trịnh Thái Kiều Triệu Đàm Tăng Nông Lò Hứa "
    "Lại Phùng Thân Từ Tống Diệp Đồng Mạc Doãn Giang Hàn Kim Lục Nghiêm Quan Vi"
)
SURNAMES = frozenset(_SURNAMES_WORDS.split())
_PLACE_WORD = re.compile(r"(?:tỉnh|phố|huyện|xã|quận|phường|trấn|thị xã)\s+$", re.IGNORECASE)
_SUMMARY = re.compile(r"(?<![\d/.,])(\d{1,3})\s*/\s*(\d{1,3})\s+(?:muc tieu,?\s*)?chi tieu\b")
_PERCENT = re.compile(r"(\d{1,3}(?:,\d+)?)\s*%")
_WOMEN_LEADERS = re.compile(
    r"lanh dao (?:chu chot )?(?:la )?nu|nu (?:lanh dao )?chu chot|co (?:lanh dao|can bo) nu"
    r"|co nu lanh dao"
)
_FIGURE = re.compile(
    r"(?<![\d/.,])(\d{1,4})\s*/\s*(\d{1,4})\s+([^\d;]{0,90}?)"
    r"(?:\b(?:cap )?(tinh|huyen|xa)\b|(so, ban, nganh|so, nganh|co quan chuyen mon))"
)
LEVELS = {"tinh": "province", "huyen": "district", "xa": "commune"}

_LEADS = re.compile(r"\b(?:chu tri|giao|co trach nhiem|phu trach)\b")
# Verbs a task's work starts with, after "chủ trì, phối hợp với các sở, ngành".
_ACTION = re.compile(
    r"\b(?:xay dung|to chuc|trien khai|huong dan|tham muu|ra soat|thuc hien|bao cao|kiem tra"
    r"|tong hop|ban hanh|danh gia|nghien cuu|bien soan|tuyen truyen|pho bien|theo doi|don doc"
    r"|chi dao|long ghep|tap huan|de xuat|du thao|sua doi|cap nhat|thu thap|khao sat)\b"
)
_DEADLINE = re.compile(
    r"\b(?:truoc|trong|cuoi|het)\s+(?:thang|quy)\s+[0-9ivx]+\s*/\s*\d{4}"
    r"|\btruoc (?:ngay\s+)?\d{1,2}/\d{1,2}/\d{4}"
    r"|\b6 thang (?:dau|cuoi) nam\s+\d{4}"
    r"|\b(?:trong|cuoi|het) nam\s+\d{4}"
)


def read(document: Document, *, home_unit: OrgUnit | None = None) -> Reading:
    """Every proposal found in `document`, and every unit it names."""
    text = document.text or ""
    published = document.published
    matcher = Matcher(published, home_unit)
    units = matcher.find(text)
    reader = _Reader(text, published, home_unit, matcher, units)
    for sentence in patterns.sentences(text):
        reader.sentence(sentence)
    reader.finish()
    return Reading(document, reader.proposals, units)


def warm() -> None:
    """Load what a process's first read would (underthesea's tagger, the unit gazetteer), so
    that a page or a benchmark can pay those seconds before the first report."""
    person_names("Ông Nguyễn Văn An")
    gazetteer()


@lru_cache(maxsize=1)
def women_leaders_indicator() -> str:
    """The NSGE target judged per level of government (women among key leaders: "1.1"), read
    from the catalogue: the indicator broken down by level."""
    import json

    from binhdang.indicators.loading import CATALOGUE

    spec = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return next(i["code"] for i in spec["indicators"] if "level" in i.get("disaggregations", []))


def person_names(text: str) -> list[str]:
    """People's names in a clause by underthesea's bundled tagger (offline): its person
    entities, and proper nouns that start with a family name (the entity model often calls
    "Thứ trưởng Nguyễn Thị Hà" a place)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from underthesea import ner

    names, current = [], []
    for word, tag, _chunk, entity in ner(text):
        proper = tag == "Np" and word.split()[0] in SURNAMES and len(word.split()) >= 2
        if entity in ("B-PER", "I-PER") or proper:
            if (entity == "B-PER" or proper) and current:
                names.append(" ".join(current))
                current = []
            current.append(word)
        elif current:
            names.append(" ".join(current))
            current = []
    if current:
        names.append(" ".join(current))
    return [name for name in names if len(name.split()) >= 2]


def _capitalised(text: str) -> str:
    text = text.strip(" ,;:-–")
    return text[:1].upper() + text[1:]


class _Reader:
    """Reads sentence after sentence, keeping what a later sentence may add to (the last
    activity's participants, "Tham dự hội nghị có hơn 150 đại biểu")."""

    def __init__(self, text, published, home_unit, matcher, units):
        self.text = text
        self.published = published
        self.home = home_unit
        self.matcher = matcher
        self.units = units
        self.proposals: list[Proposal] = []
        self.last_activity: Proposal | None = None
        self.year_seen: tuple[int, int] | None = None  # (year, where its sentence ends)

    def sentence(self, sentence: Sentence) -> None:
        s = sentence
        low = folded(s.text)
        units = [u for u in self.units if s.start <= u.start < s.end]
        found = self._decision(s, low, units)
        # A member's post may be told in an activity's sentence ("do ông X, là Trưởng ban, chủ
        # trì"): members do not stop the activity from being read.
        self._members(s, low, units)
        found |= self._summary(s, low)
        found |= self._figures(s, low)
        tasks = self._tasks(s, low, units)
        if not (tasks or found):
            counted = self._counted(s, low)
            self._activity(s, low, units, counted)
        if year := patterns.year_written(low):
            self.year_seen = (year, s.end)

    def add(
        self, kind: str, fields: dict, sentence: Sentence, confidence: float, notes
    ) -> Proposal:
        proposal = Proposal(
            kind,
            fields,
            sentence.start,
            sentence.end,
            round(max(0.05, min(confidence, 0.95)), 2),
            notes,
        )
        self.proposals.append(proposal)
        return proposal

    def _year(self, s: Sentence, low: str, notes: list[str]) -> tuple[int | None, float]:
        """The year a count or figure is for: written in the sentence, else in an earlier
        sentence of the same paragraph ("Năm 2024, … . Toàn tỉnh có …"), else publication's."""
        if year := patterns.year_written(low):
            return year, 0.0
        written = [span for span in patterns.find_dates(s.text) if not span.year_inferred]
        if written:
            return written[0].first.year, 0.0  # "Từ ngày 3 đến ngày 5/7/2024, … 03 lớp"
        if self.published and re.search(r"\bnam (?:vua )?qua\b", low):
            # "Trong năm qua": in a review published in the first half, the year before.
            notes.append(_("The year is not written: it was taken from the publication date."))
            return self.published.year - (self.published.month <= 6), 0.1
        if self.year_seen and "\n" not in self.text[self.year_seen[1] : s.start]:
            notes.append(_("The year is the one an earlier sentence names."))
            return self.year_seen[0], 0.05
        if self.published:
            notes.append(_("The year is not written: it was taken from the publication date."))
            return self.published.year, 0.15
        notes.append(_("No year is written and the publication date is unknown: enter the year."))
        return None, 0.3

    def _unit_penalty(self, mention: UnitMention | None, notes: list[str]) -> float:
        if mention is None or mention.chosen is not None:
            return 0.0
        if mention.candidates:
            notes.append(
                _("“%(unit)s” may be several units: choose the right one.") % {"unit": mention.text}
            )
        else:
            notes.append(
                _("“%(unit)s” was not found among the units: choose it or leave it out.")
                % {"unit": mention.text}
            )
        return 0.1

    # Activities ----------------------------------------------------------------------------

    def _activity(self, s: Sentence, low: str, units: list[UnitMention], counted: bool) -> None:
        kind_match = _kind_in(low)
        # The date of a document cited ("Kế hoạch số 45/KH-UBND ngày 10/3/2016") is not the
        # activity's.
        spans = [
            span
            for span in patterns.find_dates(s.text, self.published)
            if not _DOCUMENT_DATE.search(low[: span.start])
        ]
        participants = _participants(low)
        online = bool(_ONLINE.search(low))
        close = self.last_activity and self.text.count("\n", self.last_activity.end, s.start) <= 2
        if kind_match is None or counted:
            if close and not counted and (participants or online):
                self._enrich(self.last_activity, participants, online)
            return
        kind, kind_start = kind_match
        has_event = bool(_EVENT.search(low))
        if not spans and not has_event:
            if close and (participants or online):
                self._enrich(self.last_activity, participants, online)
            return
        told = [
            p
            for p in self.proposals
            if p.kind == "activity"
            and spans
            and p.fields["kind"] == kind
            and p.fields["start"] == spans[0].first
        ]
        if not spans and self.last_activity:
            told = [self.last_activity]
        if told:
            # "Hội nghị được kết nối tới 96 điểm cầu", "Lớp tập huấn ngày 21/5 …": the same
            # activity told again adds to it; an undated one is taken as the one just told.
            self._enrich(told[-1], participants, online)
            return
        notes: list[str] = []
        confidence = 0.75
        span: Span | None = spans[0] if spans else None
        if span is None:
            confidence -= 0.3
            if patterns.has_yearless_date(s.text) and self.published is None:
                notes.append(
                    _("The date has no year and the publication date is unknown: enter the date.")
                )
            else:
                notes.append(_("No date was found: enter the date."))
        elif span.year_inferred:
            confidence -= 0.1
            notes.append(_("The year is not written: it was taken from the publication date."))
        place, place_span = _place(s, low)
        verb = _EVENT.search(low)
        others = [
            u
            for u in units
            if not (place_span and place_span[0] <= u.start - s.start < place_span[1])
        ]
        organiser = None
        if verb is None and others:
            # "Đoàn công tác của Ban VSTBPN Bộ Y tế … đã kiểm tra": the first unit named.
            organiser = others[0]
        if verb:
            before = [u for u in others if u.start - s.start < verb.start()]
            after_by = re.search(r"\bdo\s+$", low[: verb.start()])
            if before:
                organiser = before[0]
            elif after_by is None:
                by = re.search(r"\bdo\s+", low)
                if by:
                    organiser = next((u for u in others if u.start - s.start >= by.end()), None)
        confidence -= self._unit_penalty(organiser, notes)
        if organiser is None:
            confidence -= 0.05
        title = _title(s.text, low, kind_start)
        topics = _topics(low)
        proposal = self.add(
            "activity",
            {
                "kind": str(kind),
                "title": title,
                "start": span.first if span else None,
                "end": span.last if span else None,
                "organiser": organiser,
                "others": [u for u in others if u is not organiser],
                "place": place,
                "online": online,
                "participants": participants,
                "topics": topics,
            },
            s,
            confidence,
            notes,
        )
        self.last_activity = proposal

    def finish(self) -> None:
        """Fold an undated activity (a headline: "Sở Y tế tổ chức hội nghị tổng kết") into a
        dated one of the same kind told later."""
        for undated in [
            p for p in self.proposals if p.kind == "activity" and not p.fields["start"]
        ]:
            dated = next(
                (
                    p
                    for p in self.proposals
                    if p.kind == "activity"
                    and p.fields["start"]
                    and p.fields["kind"] == undated.fields["kind"]
                ),
                None,
            )
            if dated:
                self._enrich(dated, undated.fields["participants"], undated.fields["online"])
                self.proposals.remove(undated)

    def _enrich(self, proposal: Proposal, participants: int | None, online: bool) -> None:
        if participants and proposal.fields["participants"] is None:
            proposal.fields["participants"] = participants
        proposal.fields["online"] = proposal.fields["online"] or online

    def _counted(self, s: Sentence, low: str) -> bool:
        found = False
        for match in _COUNTED.finditer(low):
            count = whole_number(match.group(2))
            if not count:
                continue
            noun = match.group(3)
            kind = _kind_in(noun)
            kind = kind[0] if kind else Kind.TRAINING  # "lớp" alone is a class: a training
            notes: list[str] = []
            year, penalty = self._year(s, low, notes)
            qualifier = match.group(1) or ""
            confidence = 0.8 - penalty - (0.1 if qualifier in ("gan", "khoang") else 0)
            if qualifier in ("gan", "khoang"):
                notes.append(_("The number is approximate (“gần”, “khoảng”)."))
            self.add(
                "counted",
                {
                    "kind": str(kind),
                    "count": count,
                    "at_least": qualifier in _AT_LEAST,
                    "year": year,
                },
                s,
                confidence,
                notes,
            )
            found = True
        return found

    # Committee facts -----------------------------------------------------------------------

    def _decision(self, s: Sentence, low: str, units: list[UnitMention]) -> bool:
        found = False
        for match in _DECISION.finditer(low):
            rest = low[match.end() :]
            end = _CLAUSE_END.search(rest)
            clause = rest[: end.start()] if end else rest
            if not _COMMITTEE_DECISION.search(clause):
                continue
            number = s.text[match.start(1) : match.end(1)].strip() if match.group(1) else ""
            notes: list[str] = []
            spans = patterns.find_dates(s.text, self.published)
            dates = [span for span in spans if match.end() <= span.start <= match.end() + 8]
            signed = re.search(r"\b(?:ky|ban hanh)\s+(?:ban hanh\s+)?$", low[: match.start()])
            if not dates and signed:
                # "Ngày 15/6/2021, Chủ tịch UBND tỉnh ký Quyết định số …": the signing day.
                dates = [span for span in spans if span.end <= match.start()][-1:]
            subject_match = _SUBJECT.search(clause)
            # Without "về việc", the subject starts at its verb ("… số 24/QĐ-BVHTTDL kiện toàn").
            verb = subject_match or _COMMITTEE_VERB.search(clause)
            subject_start = match.end() + (
                subject_match.end() if subject_match else verb.start() if verb else 0
            )
            subject = _capitalised(s.text[subject_start : match.end() + len(clause)])
            issuer = self._issuer(s, match, units, clause)
            confidence = 0.85
            if not number:
                confidence -= 0.15
                notes.append(_("The decision's number is not written: enter it."))
            if not dates:
                confidence -= 0.15
                notes.append(_("The decision's date is not written: enter it."))
            elif dates[0].year_inferred:
                confidence -= 0.1
                notes.append(_("The year is not written: it was taken from the publication date."))
            confidence -= self._unit_penalty(issuer, notes)
            self.add(
                "decision",
                {
                    "number": number,
                    "date": dates[0].first if dates else None,
                    "subject": subject,
                    "issuer": issuer,
                },
                s,
                confidence,
                notes,
            )
            found = True
        return found

    def _issuer(self, s: Sentence, match: re.Match, units, clause: str) -> UnitMention | None:
        """Who signed: the unit after "của", else the agency the number's suffix names
        ("/QĐ-BTNMT"), else for "/QĐ-UBND" or "/QĐ-CT" the officer's own government."""
        by = re.search(r"\bcua\s+", clause)
        if by:
            at = s.start + match.end() + by.end()
            after = [u for u in units if at <= u.start <= at + 40]
            if after:
                return after[0]
        low = folded(s.text)
        signed = re.search(r"\b(?:ky|ban hanh)\s+(?:ban hanh\s+)?$", low[: match.start()])
        if signed:
            # "Chủ tịch UBND tỉnh Quảng Ngãi ký Quyết định …": the unit just before the verb.
            before = [u for u in units if signed.start() - 40 <= u.end - s.start <= signed.start()]
            if before:
                return before[-1]
        if not match.group(1):
            return None
        suffix_start = s.start + match.start(1) + match.group(1).index("qd-") + 3
        suffix = self.text[suffix_start : s.start + match.end(1)]
        # "QĐ-BNN-TCCB": the agency is the first part, the rest its signing department.
        code = re.sub(r"[^A-Z0-9]", "", fold_upper(suffix.split("-")[0]))
        central = [u for u in self.matcher.tree.units.values() if u.level == Level.CENTRAL]
        keys = [u.pk for u in central if u.code in (code, f"B{code}")]
        if not keys and code.startswith("B") and len(code) >= 3:
            keys = [u.pk for u in central if u.code.startswith(code)]
        if not keys and code in ("UBND", "CT"):
            keys = self.matcher.home_at(None if self.home is None else _government_level(self.home))
        if not keys and not code:
            return None
        return self.matcher.mention(self.text, suffix_start, suffix_start + len(suffix), keys)

    def _members(self, s: Sentence, low: str, units: list[UnitMention]) -> bool:
        found = False
        offset = 0
        for clause in re.split(r"(?<=;)", low):
            clause_start = offset
            offset += len(clause)
            role_match = _ROLE.search(clause)
            if not role_match:
                continue
            role = next(r for r, pattern in ROLES if re.fullmatch(pattern, role_match.group(1)))
            original = s.text[clause_start : clause_start + role_match.start()]
            name, name_at = _name(original)
            before = original[: name_at[0]] if name else original
            after = original[name_at[1] :] if name else ""
            raw = after if after.strip(" ,") else before
            raw = re.split(r"[:;]|,\s*(?=[a-zđ])|\b(?:gồm|trong đó|theo đó)\b", raw)[-1]
            raw = re.sub(r"^[\s,]*(?:theo|căn cứ)\b[^,]*,", "", raw, flags=re.I)
            raw = re.sub(r"^[\s,]*(?:(?:do|gồm|đồng chí|ông|bà|đại diện)\s+)*", "", raw, flags=re.I)
            raw = raw.rstrip(" ,")
            position = _capitalised(raw)
            pos_start = s.start + clause_start + original.rfind(raw) if raw else -1
            unit = next(
                (u for u in units if raw and pos_start <= u.start < pos_start + len(raw)),
                None,
            )
            if unit is None and re.match(r"(?:thứ|bộ) trưởng\b", raw, re.IGNORECASE):
                unit = self._ministry(pos_start, pos_start + len(raw))
            notes: list[str] = []
            confidence = 0.8 if name else 0.7
            if not name:
                notes.append(_("No name is written: the member is recorded by role and unit."))
            confidence -= self._unit_penalty(unit, notes)
            self.add(
                "member",
                {
                    "name": name,
                    "position": position,
                    "role": str(role),
                    "unit": unit,
                    "person": match_person(name, self.home, self.published),
                },
                s,
                confidence,
                notes,
            )
            found = True
        return found

    def _ministry(self, start: int, end: int) -> UnitMention | None:
        """The ministry a "Thứ trưởng" without one named belongs to: the last the report
        named, else the officer's own."""
        tree = self.matcher.tree
        named = [
            u.chosen
            for u in self.units
            if u.end <= start and u.chosen and tree.units[u.chosen].level == Level.CENTRAL
        ]
        if named:
            return self.matcher.mention(self.text, start, end, named[-1:])
        if self.home is not None and self.home.level == Level.CENTRAL:
            return self.matcher.mention(self.text, start, end, [self.home.pk])
        return None

    # Figures -------------------------------------------------------------------------------

    def _summary(self, s: Sentence, low: str) -> bool:
        match = _SUMMARY.search(low)
        if not match or not re.search(r"\bdat\b", low):
            return False
        met, total = int(match.group(1)), int(match.group(2))
        if total == 0 or met > total:
            return False
        percent_match = _PERCENT.search(low, match.end())
        percent = patterns.number(percent_match.group(1)) if percent_match else None
        notes: list[str] = []
        year, penalty = self._year(s, low, notes)
        confidence = 0.85 - penalty
        if percent is not None and abs(percent - Decimal(100 * met) / total) > 1:
            confidence -= 0.3
            notes.append(_("The percentage does not match the count: check both."))
        self.add(
            "summary",
            {"met": met, "total": total, "percent": percent, "year": year},
            s,
            confidence,
            notes,
        )
        return True

    def _figures(self, s: Sentence, low: str) -> bool:
        if not _WOMEN_LEADERS.search(low):
            return False
        found = False
        for match in _FIGURE.finditer(low):
            numerator, denominator = int(match.group(1)), int(match.group(2))
            if denominator == 0 or numerator > denominator:
                continue
            level = LEVELS[match.group(4)] if match.group(4) else "department"
            notes: list[str] = []
            year, penalty = self._year(s, low, notes)
            self.add(
                "figure",
                {
                    "indicator": women_leaders_indicator(),
                    "level": level,
                    "numerator": numerator,
                    "denominator": denominator,
                    "year": year,
                },
                s,
                0.8 - penalty,
                notes,
            )
            found = True
        return found

    # Tasks ---------------------------------------------------------------------------------

    def _tasks(self, s: Sentence, low: str, units: list[UnitMention]) -> bool:
        found = False
        offset = 0
        for clause in re.split(r"(?<=;)", low):
            clause_start = offset
            offset += len(clause)
            lead_match = _LEADS.search(clause)
            deadline_match = _DEADLINE.search(clause)
            if not lead_match or not deadline_match or deadline_match.start() < lead_match.end():
                continue
            deadline_text = s.text[
                clause_start + deadline_match.start() : clause_start + deadline_match.end()
            ]
            try:
                deadline, _kind = parse_deadline(
                    re.sub(r"^truoc (?:ngay\s+)?(?=\d+/\d+/)", "", folded(deadline_text))
                )
            except ValidationError:
                continue
            lead_at = s.start + clause_start + lead_match.start()
            if lead_match.group() == "giao":
                lead = next((u for u in units if lead_at < u.start < s.end), None)
                body_from = lead.end - s.start if lead else clause_start + lead_match.end()
            else:
                inside = [u for u in units if s.start + clause_start <= u.start < lead_at]
                lead = inside[-1] if inside else None
                body_from = clause_start + lead_match.end()
            body = s.text[body_from : clause_start + deadline_match.start()]
            verb = _ACTION.search(folded(body))
            body = body[verb.start() :] if verb else body
            body = re.sub(
                r"(?i)[,\s]*(?:hoàn thành|xong|thời gian thực hiện|thời gian|thời hạn|hạn)?"
                r"[\s,:]*$",
                "",
                body,
            )
            notes: list[str] = []
            confidence = 0.8 - self._unit_penalty(lead, notes) - (0.15 if lead is None else 0)
            if lead is None:
                notes.append(_("No unit in charge was found: choose it."))
            self.add(
                "task",
                {
                    "title": _capitalised(body),
                    "lead": lead,
                    "deadline": deadline,
                    "deadline_text": deadline_text,
                },
                s,
                confidence,
                notes,
            )
            found = True
        return found


def fold_upper(text: str) -> str:
    """An issuer's code as the tree writes codes: "QĐ-BTNMT"'s "BTNMT", "LĐTBXH" -> "LDTBXH"."""
    return folded(text).upper()


def _government_level(home: OrgUnit) -> int | None:
    """The level whose People's Committee signs "/QĐ-UBND" for an officer of `home`."""
    if home.level == Level.DEPARTMENT:
        return Level.PROVINCE
    return home.level if home.level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE) else None


def _kind_in(low: str) -> tuple[str, int] | None:
    """(kind, where its word starts) of the first activity word; a "hội nghị" directly
    followed by "tập huấn" is a training."""
    match = _KIND.search(low)
    if not match:
        return None
    index = int(match.lastgroup[1:])
    kind = KINDS[index][0]
    if kind == Kind.CONFERENCE:
        following = re.match(
            r"\s+(?:truc tuyen\s+|truc tiep\s+)?(?:tap huan|boi duong)\b", low[match.end() :]
        )
        if following:
            kind = Kind.TRAINING
    return kind, match.start()


def _participants(low: str) -> int | None:
    match = _PARTICIPANTS.search(low)
    return whole_number(match.group(2)) if match else None


def _place(s: Sentence, low: str) -> tuple[str, tuple[int, int] | None]:
    for match in _PLACE.finditer(low):
        place = match.group(1)
        if _kind_in(place) and _kind_in(place)[1] == 0 or place.startswith(("day", "dien", "buoi")):
            continue  # "tại hội nghị", "tại đây": a reference, not a place
        return _capitalised(s.text[match.start(1) : match.end(1)]), (match.start(1), match.end(1))
    return "", None


def _title(text: str, low: str, start: int) -> str:
    measure = re.search(r"\b(?:lop|khoa|buoi|cuoc|phien|le|chuong trinh|dot)\s+$", low[:start])
    start = measure.start() if measure else start
    rest = low[start:]
    quote = re.match(r"[^“\"]{0,60}[“\"]([^”\"]+)[”\"]", text[start:])
    if quote:
        end = quote.end()
    else:
        stop = re.search(
            r",(?!\s*(?:chong|ung pho)\b)|[;:(]|\.(?:\s|$)"
            r"|\s(?:tai|vao|nham|voi su|co su|duoi su|do)\s|\s-\s|$",
            rest,
        )
        end = stop.start() if stop else len(rest)
    return _capitalised(text[start : start + min(end, 200)])


def _topics(low: str) -> list[str]:
    topics = [topic for topic, pattern in TOPICS if re.search(rf"\b(?:{pattern})\b", low)]
    if not topics and _EQUALITY.search(low):
        topics = [Topic.GENDER_EQUALITY_LAW]
    return [str(topic) for topic in topics]


def _name(clause: str) -> tuple[str, tuple[int, int]]:
    """A person's name in a clause and where it stands; ("", (0, 0)) when there is none."""
    for match in _HONORIFIC.finditer(clause):
        words = []
        for word in re.finditer(r"\w+", clause[match.end() :]):
            gap = clause[
                match.end() + (words[-1].end() if words else 0) : match.end() + word.start()
            ]
            if not word.group()[0].isupper() or gap.strip() or len(words) == 5:
                break
            words.append(word)
        if len(words) >= 2:
            end = match.end() + words[-1].end()
            return clause[match.end() : end], (match.start(), end)
    for run in re.finditer(r"(?:\b[A-ZĐÀ-Ỹ]\w*(?:\s+|$)){3,5}", clause):
        words = run.group().split()
        if (
            words[0] in SURNAMES
            and all(w[0].isupper() for w in words)
            and not _PLACE_WORD.search(clause[: run.start()])
        ):
            return " ".join(words), (run.start(), run.start() + len(run.group().rstrip()))
    for name in person_names(clause):
        at = clause.find(name)
        if at >= 0:
            return name, (at, at + len(name))
    return "", (0, 0)
