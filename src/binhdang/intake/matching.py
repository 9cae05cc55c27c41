"""Units and people named in a news report, matched against the real tree and the committee.

A name is read on folded words (no diacritics, no case), with the abbreviations portals use
expanded first ("Sở LĐ-TB&XH" reads as "Sở Lao động - Thương binh và Xã hội"), and looked up in
a gazetteer of every unit of the tree, current and former. Several units may carry the name
("Tỉnh Quảng Ngãi" before and after the 2025 merger, a department of every province): the
publication date, the province or ministry written after the name and the officer's own unit
narrow them down. A unit is chosen only when exactly one candidate is left; otherwise the
candidates go to the page, best first, and the officer chooses.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Count, Max

from binhdang.core.text import fold
from binhdang.intake.patterns import folded
from binhdang.orgunits.models import Kind, Level, OrgUnit


@dataclass
class UnitMention:
    """A unit as the text names it, and the units of the tree it may be."""

    text: str
    start: int
    end: int
    candidates: list[int] = field(default_factory=list)
    chosen: int | None = None


# Abbreviations as folded words, and what they stand for (DESIGN.md glossary; the ministries'
# own short forms on their portals).
ABBREVIATIONS = {
    ("ubnd",): "uy ban nhan dan",
    ("hdnd",): "hoi dong nhan dan",
    ("vstbpn",): "vi su tien bo cua phu nu",
    ("vstbcpn",): "vi su tien bo cua phu nu",
    ("tn", "mt"): "tai nguyen va moi truong",
    ("tnmt",): "tai nguyen va moi truong",
    ("ld", "tb", "xh"): "lao dong thuong binh va xa hoi",
    ("ldtbxh",): "lao dong thuong binh va xa hoi",
    ("vh", "tt", "dl"): "van hoa the thao va du lich",
    ("vhttdl",): "van hoa the thao va du lich",
    ("gd", "dt"): "giao duc va dao tao",
    ("gddt",): "giao duc va dao tao",
    ("kh", "dt"): "ke hoach va dau tu",
    ("khdt",): "ke hoach va dau tu",
    ("tt", "tt"): "thong tin va truyen thong",
    ("tttt",): "thong tin va truyen thong",
    ("nn", "ptnt"): "nong nghiep va phat trien nong thon",
    ("nnptnt",): "nong nghiep va phat trien nong thon",
    ("nn", "mt"): "nong nghiep va moi truong",
    ("kh", "cn"): "khoa hoc va cong nghe",
    ("khcn",): "khoa hoc va cong nghe",
    ("gtvt",): "giao thong van tai",
    ("dt", "tg"): "dan toc va ton giao",
    ("lhpn",): "lien hiep phu nu",
    ("mttq",): "mat tran to quoc",
    ("ldld",): "lien doan lao dong",
    ("tp",): "thanh pho",
    ("tx",): "thi xa",
    ("hcm",): "ho chi minh",
}
# What makes the government of a territory, or its committee, stand for the territory's unit.
GOVERNMENT = [
    ("uy", "ban", "nhan", "dan"),
    ("hoi", "dong", "nhan", "dan"),
    ("ban", "vi", "su", "tien", "bo", "cua", "phu", "nu"),
    ("chinh", "quyen"),
]
# Level words said alone ("UBND tỉnh", "Hội LHPN tỉnh"): the officer's own unit at that level.
LEVEL_WORDS = {
    ("tinh",): Level.PROVINCE,
    ("thanh", "pho"): Level.PROVINCE,
    ("huyen",): Level.DISTRICT,
    ("quan",): Level.DISTRICT,
    ("thi", "xa"): Level.DISTRICT,
    ("xa",): Level.COMMUNE,
    ("phuong",): Level.COMMUNE,
    ("thi", "tran"): Level.COMMUNE,
    ("bo",): Level.CENTRAL,
}
# Words that start an organisation's name: a capitalised name after them that the tree does not
# hold is still reported, unmatched, so that the officer sees it.
HEADS = {"bo", "so", "vu", "cuc", "ban", "hoi", "phong", "vien", "uy", "lien", "trung", "cong"}
# Lower-case words that end an organisation's name: verbs and prepositions that follow one.
_NOT_IN_NAMES_WORDS = (
    "chủ tổ phối là làm tham đã sẽ đang cùng ký tại có được với từ để cho về trong ngày năm diễn "
    "khai tiếp báo thực triển hướng xây ra đánh nhận gửi giao đạt và phụ yêu thời chịu"
)
NOT_IN_NAMES = frozenset(_NOT_IN_NAMES_WORDS.split())
# The same typed without diacritics, but for "dang" (đang "is doing", or đẳng in "Bình đẳng").
NOT_IN_NAMES_FOLDED = frozenset(fold(word) for word in NOT_IN_NAMES) - {"dang"}
TERRITORIAL = {Level.PROVINCE, Level.DISTRICT, Level.COMMUNE, Level.CENTRAL}
DEPARTMENTS = {Kind.PROVINCIAL_DEPARTMENT, Kind.CENTRAL_DEPARTMENT}


@dataclass
class _Token:
    word: str
    start: int
    end: int
    capital: bool
    expanded: bool = False  # one of the words an abbreviation stands for
    raw: str = ""  # as written, lower-case


@dataclass(frozen=True)
class _Unit:
    pk: int
    code: str
    name: str
    level: int
    kind: str
    parent: int | None
    path: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None

    def covers(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )


@dataclass
class _Gazetteer:
    units: dict[int, _Unit]
    territorial: dict[tuple, list[int]]
    departments: dict[tuple, list[int]]
    successors: dict[int, list[int]]
    predecessors: dict[int, list[int]]
    longest: int


_cache: dict = {}


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", fold(text)))


def _department_names(name: str) -> set[tuple]:
    """A department's name and the shorter ways reports write it: "Hội Liên hiệp Phụ nữ tỉnh"
    is also "Hội Liên hiệp Phụ nữ" (followed by the province), "Ủy ban Mặt trận Tổ quốc Việt
    Nam tỉnh" is also "Mặt trận Tổ quốc"."""
    words = _words(name)
    names = {words}
    for tail in (("tinh",), ("thanh", "pho")):
        if words[-len(tail) :] == tail and len(words) > len(tail) + 1:
            words = words[: -len(tail)]
            names.add(words)
    if words[-2:] == ("viet", "nam") and len(words) > 3:
        names.add(words[:-2])
    for name_words in list(names):
        if name_words[:2] == ("uy", "ban") and len(name_words) > 3:
            names.add(name_words[2:])
    return names


def gazetteer() -> _Gazetteer:
    """Every unit by its folded name, rebuilt when the tree changes (one query to check)."""
    state = OrgUnit.objects.aggregate(count=Count("pk"), changed=Max("updated_at"))
    key = (state["count"], state["changed"])
    if _cache.get("key") == key:
        return _cache["gazetteer"]
    units, territorial, departments = {}, {}, {}
    rows = OrgUnit.objects.exclude(kind=Kind.NATION).values_list(
        "pk",
        "code",
        "name",
        "short_name",
        "level",
        "kind",
        "parent_id",
        "path",
        "valid_from",
        "valid_to",
    )
    for pk, code, name, short, level, kind, parent, path, start, end in rows:
        units[pk] = _Unit(pk, code, name, level, kind, parent, path, start, end)
        if kind in DEPARTMENTS:
            for words in _department_names(name) | ({_words(short)} if short else set()):
                departments.setdefault(words, []).append(pk)
        else:
            for words in {_words(name)} | ({_words(short)} if short else set()):
                territorial.setdefault(words, []).append(pk)
    successors: dict[int, list[int]] = {}
    predecessors: dict[int, list[int]] = {}
    links = OrgUnit.predecessors.through.objects.values_list("from_orgunit_id", "to_orgunit_id")
    for successor, predecessor in links:
        successors.setdefault(predecessor, []).append(successor)
        predecessors.setdefault(successor, []).append(predecessor)
    longest = max(len(words) for words in [*territorial, *departments, ()])
    built = _Gazetteer(units, territorial, departments, successors, predecessors, longest)
    _cache.update(key=key, gazetteer=built)
    return built


def _tokens(text: str) -> list[_Token]:
    """Folded words with their offsets, abbreviations expanded (each expanded word keeps the
    offsets of the abbreviation it came from)."""
    plain = [
        _Token(
            m.group(),
            m.start(),
            m.end(),
            text[m.start()].isupper(),
            raw=text[m.start() : m.end()].lower(),
        )
        for m in re.finditer(r"\w+", folded(text))
    ]
    longest = max(len(key) for key in ABBREVIATIONS)
    result, i = [], 0
    while i < len(plain):
        for size in range(min(longest, len(plain) - i), 0, -1):
            key = tuple(t.word for t in plain[i : i + size])
            if key in ABBREVIATIONS and _joined(text, plain[i : i + size]):
                first, last = plain[i], plain[i + size - 1]
                result += [
                    _Token(word, first.start, last.end, first.capital, True)
                    for word in ABBREVIATIONS[key].split()
                ]
                i += size
                break
        else:
            result.append(plain[i])
            i += 1
    return result


def _joined(text: str, tokens: list[_Token]) -> bool:
    """Whether the words of an abbreviation are written together ("TN&MT", "LĐ-TB&XH")."""
    return all(
        text[a.end : b.start] in "&-/" and text[a.end : b.start]
        for a, b in zip(tokens, tokens[1:], strict=False)
    )


def _lookup(table: dict, tokens: list[_Token], i: int, longest: int) -> tuple[int, list[int]]:
    """(words used, unit keys) of the longest name of `table` starting at token i."""
    for size in range(min(longest, len(tokens) - i), 0, -1):
        words = tuple(t.word for t in tokens[i : i + size])
        if words in table:
            return size, table[words]
    return 0, []


def _level_word(tokens: list[_Token], i: int) -> tuple[int, int | None]:
    for words, level in LEVEL_WORDS.items():
        if tuple(t.word for t in tokens[i : i + len(words)]) == words:
            return len(words), level
    return 0, None


def _prefix(tokens: list[_Token], i: int) -> int:
    for words in GOVERNMENT:
        if tuple(t.word for t in tokens[i : i + len(words)]) == words:
            return len(words)
    return 0


class Matcher:
    """Finds and matches the units of one report (publication date and officer's unit fixed)."""

    def __init__(self, published: datetime.date | None = None, home_unit: OrgUnit | None = None):
        self.on = published
        self.home = home_unit
        self.tree = gazetteer()
        self.context: list[int] = []  # units the report has named and that were chosen
        self._unmatched = False  # the name being read is not in the tree
        self.home_line = (
            [int(pk) for pk in home_unit.path.strip("/").split("/")] if home_unit else []
        )
        # Names along the officer's line: of Quảng Ngãi's two predecessors, "UBND tỉnh" in a
        # 2023 report is more likely the one named "Tỉnh Quảng Ngãi".
        self.home_names = {
            self.tree.units[pk].name for pk in self.home_line if pk in self.tree.units
        }

    # Reading -------------------------------------------------------------------------------

    def find(self, text: str) -> list[UnitMention]:
        """Every unit named in `text`, in order, matched or not."""
        tokens = _tokens(text)
        mentions: list[UnitMention] = []
        i = 0
        while i < len(tokens):
            if tokens[i].start and text[tokens[i].start - 1] in "-/":
                i += 1  # inside a document number: "876/QĐ-UBND"
                continue
            self._unmatched = False
            used, candidates = self._read(tokens, i, text)
            if used:
                first, last = tokens[i], tokens[i + used - 1]
                mention = self.mention(
                    text, first.start, last.end, candidates, choose=not self._unmatched
                )
                mentions.append(mention)
                if mention.chosen and self.tree.units[mention.chosen].level in TERRITORIAL:
                    self.context.append(mention.chosen)
                i += used
            else:
                i += 1
        return mentions

    def _read(self, tokens: list[_Token], i: int, text: str) -> tuple[int, list[int] | None]:
        longest = self.tree.longest
        if prefix := _prefix(tokens, i):
            j = i + prefix
            size, found = _lookup(self.tree.territorial, tokens, j, longest)
            if size:
                return prefix + size, found
            size, level = _level_word(tokens, j)
            if size:
                return prefix + size, self.bare(level)
            if tokens[i].word == "ban" and prefix > 2:
                return prefix, self.home_at(None)
            return 0, None
        size, found = _lookup(self.tree.departments, tokens, i, longest)
        if size and (tokens[i].capital or tokens[i].word in {"so", "bo"}):
            j = i + size
            parent_size, parents = self._parent_after(tokens, j, text)
            live = [p for p in parents if self.on and self.tree.units[p].covers(self.on)]
            if len(live) == 1:
                self.context.append(live[0])  # "Hội LHPN tỉnh Gia Lai": the report's province
            if parent_size:
                return size + parent_size, self._under(found, parents)
            return size, self._under(found, None)
        size, found = _lookup(self.tree.territorial, tokens, i, longest)
        if size and any(t.capital or t.word.isdigit() for t in tokens[i + 1 : i + size]):
            return size, found
        if tokens[i].capital and tokens[i].word in HEADS:
            used = self._unknown(tokens, i, text)
            # "Sở Y tế tỉnh Lào Cai" where no such department was recorded: the province is
            # offered (the officer may record it there), never chosen.
            self._unmatched = True
            return used, self._note_territory(tokens, i + 1, i + used)
        return 0, None

    def _note_territory(self, tokens, start: int, end: int) -> list[int]:
        """The territory an unmatched name ends with ("Hội LHPN tỉnh Gia Lai"), remembered as
        the report's when it is clear."""
        for j in range(start, end):
            size, found = _lookup(self.tree.territorial, tokens[:end], j, self.tree.longest)
            if not size:
                continue
            live = [p for p in found if self.on and self.tree.units[p].covers(self.on)]
            if len(live) == 1:
                self.context.append(live[0])
            return found
        return []

    def _parent_after(self, tokens, j, text) -> tuple[int, list[int]]:
        """A territory or ministry written right after a department's name."""
        if j >= len(tokens) or text[tokens[j - 1].end : tokens[j].start].strip() not in ("", ","):
            return 0, []
        size, found = _lookup(self.tree.territorial, tokens, j, self.tree.longest)
        if size:
            return size, found
        size, level = _level_word(tokens, j)
        if size:
            return size, self.bare(level)
        return 0, []

    def _unknown(self, tokens, i, text) -> int:
        """How many words an organisation's name the tree does not hold runs on for: capitalised
        words, each followed by at most three lower-case words ("Vụ Tổ chức cán bộ"), joined
        by "và", "-", "&" or ","."""
        j, lower_run, after_level = i + 1, 0, False
        while j < len(tokens):
            previous, token = tokens[j - 1], tokens[j]
            gap = text[previous.end : token.start].strip()
            if gap not in ("", "-", "&", "–", ","):
                break
            level_size = _level_word(tokens, j)[0]
            if token.capital:
                if gap == "," and token.word in HEADS:
                    break
                lower_run = 0
            elif level_size and not gap:
                # "Hội Nông dân tỉnh Quảng Ngãi": a level word, then only a place's name.
                j, after_level = j + level_size, True
                continue
            elif token.word == "va" and not after_level:
                pass
            elif (
                lower_run < 3
                and not gap
                and not previous.expanded
                and not after_level
                and token.raw not in NOT_IN_NAMES
                and not (token.raw == token.word and token.word in NOT_IN_NAMES_FOLDED)
            ):
                lower_run += 1
            else:
                break
            j += 1
        while j > i + 1 and not tokens[j - 1].capital and tokens[j - 1].word == "va":
            j -= 1
        return j - i if j > i + 1 and tokens[i + 1].capital else 0

    # Choosing ------------------------------------------------------------------------------

    def home_at(self, level: int | None) -> list[int]:
        """The officer's own unit (level None), or the unit above it at a level, with the
        units it came from or became (a 2021 report read by a merged province's officer)."""
        if not self.home:
            return []
        line = [self.tree.units[pk] for pk in self.home_line if pk in self.tree.units]
        found = [self.home.pk] if level is None else [u.pk for u in line if u.level == level]
        lineage = [pk for f in found for pk in self._lineage(f)]
        return list(dict.fromkeys(found + lineage))

    def bare(self, level: int) -> list[int]:
        """What a level word said alone means ("UBND tỉnh", "Hội LHPN tỉnh"): the last unit of
        that level the report named itself, else the officer's own."""
        told = [pk for pk in reversed(self.context) if self.tree.units[pk].level == level]
        return told[:1] or self.home_at(level)

    def _lineage(self, pk: int) -> list[int]:
        return self.tree.predecessors.get(pk, []) + self.tree.successors.get(pk, [])

    def _under(self, departments: list[int], parents: list[int] | None) -> list[int]:
        """The departments under one of `parents` (or their lineage); without parents, those
        under the officer's own line when any, else all of them."""
        units = self.tree.units
        if parents is None:
            own = set(self.home_line) | set(self.context)
            own |= {pk for home in self.home_line for pk in self._lineage(home)}
            mine = [d for d in departments if units[d].parent in own]
            return mine or departments
        allowed = set(parents) | {pk for p in parents for pk in self._lineage(p)}
        return [d for d in departments if units[d].parent in allowed]

    def mention(
        self, text: str, start: int, end: int, candidates: list[int], *, choose: bool = True
    ) -> UnitMention:
        """The mention of text[start:end], its candidates narrowed and ordered, one chosen
        only when it is clearly right."""
        written = text[start:end]
        units = [self.tree.units[pk] for pk in dict.fromkeys(candidates)]
        if folded(written) != written.lower():
            # Written with diacritics: "Xã Sơn Tịnh" is not "Xã Sơn Tinh".
            exact = [u for u in units if _nfc(u.name) in _nfc(written)]
            units = exact or units
        chosen = None
        if self.on:
            live = [u for u in units if u.covers(self.on)]
            if not live:
                # Named after it ended (or before it began): offer what it became as well.
                later = [
                    self.tree.units[s] for u in units for s in self.tree.successors.get(u.pk, [])
                ]
                units = [u for u in later if u.covers(self.on)] + units
            elif len(live) > 1 and self.home_line:
                near = [u for u in live if self._near(u)]
                live = near or live
            if len(live) == 1:
                chosen = live[0].pk
        elif len(units) == 1:
            chosen = units[0].pk
        chosen = chosen if choose else None
        ordered = sorted(
            dict.fromkeys(units),
            key=lambda u: (
                u.pk != chosen,
                not (self.on and u.covers(self.on)),
                not self._near(u),
                u.name not in self.home_names,
                u.valid_to is not None,
                u.level,
            ),
        )
        return UnitMention(written, start, end, [u.pk for u in ordered], chosen)

    def _near(self, unit: _Unit) -> bool:
        """Whether a unit is in the officer's province (or ministry) or is one of its units."""
        if not self.home_line:
            return False
        top = [
            pk
            for pk in self.home_line
            if self.tree.units.get(pk)
            and self.tree.units[pk].level in (Level.CENTRAL, Level.PROVINCE)
        ]
        tops = set(top) | {pk for t in top for pk in self._lineage(t)}
        ids = {int(pk) for pk in unit.path.strip("/").split("/")}
        return bool(ids & tops)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def find_units(
    text: str, *, published: datetime.date | None = None, home_unit: OrgUnit | None = None
) -> list[UnitMention]:
    """Every unit named in `text`, matched against the tree as of `published`."""
    return Matcher(published, home_unit).find(text)


def match_person(
    name: str, home_unit: OrgUnit | None, on: datetime.date | None = None
) -> int | None:
    """The key of the committee member of `home_unit` with this name (diacritics or none), when
    exactly one; None otherwise."""
    if not name or home_unit is None:
        return None
    from binhdang.committees.models import Membership

    memberships = Membership.objects.filter(committee__unit=home_unit).select_related("person")
    if on:
        memberships = memberships.filter(start__lte=on + datetime.timedelta(days=366))
    wanted = fold(name)
    people = {m.person_id for m in memberships if fold(m.person.full_name) == wanted}
    return people.pop() if len(people) == 1 else None
