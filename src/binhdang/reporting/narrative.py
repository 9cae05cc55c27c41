"""The facts of a unit's year, and a first draft of its report's narrative written from them.

`gather` reads, for a unit and a year: the strategy's targets (value, target, verdict; the same
figures and rules as the indicators pages: `indicators.queries.unit_overview`), last year's
figures (the units it was formed from, combined, where the unit did not exist yet), the targets at
risk (`indicators.forecast.targets_at_risk`: a straight-line projection to the next milestone) and
the activities of the period (`activities.queries`). `draft` writes Vietnamese sentences from
them for the three sections an annual review has (results; limitations and causes; tasks for next
year). The officer edits the draft: `draft_sections(round, unit)` gives it keyed by the round's
section titles, for the unit's own submission.

Document text is Vietnamese whatever the interface language: the report goes to a Vietnamese
authority. Numbers are formatted as an official writes them (84,2%; 1.234).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import translation

from binhdang.activities import queries as activity_queries
from binhdang.core.numbers import round_half_up, write_number
from binhdang.core.text import fold
from binhdang.indicators import display, forecast
from binhdang.indicators.evaluation import Verdict, evaluate, summarise
from binhdang.indicators.models import Comparator, Direction, Framework, Measure
from binhdang.indicators.queries import summary, unit_overview
from binhdang.indicators.rollup import RollUp, combine, rollup_many
from binhdang.orgunits.models import Kind, OrgUnit

EXCEEDED = "exceeded"
VERDICT_LABELS = {
    EXCEEDED: "Vượt",
    Verdict.MET: "Đạt",
    Verdict.NOT_MET: "Chưa đạt",
    Verdict.NO_DATA: "Chưa có số liệu",
    Verdict.NO_TARGET: "Chưa có chỉ tiêu",
}
OUTLOOK_LABELS = {
    forecast.Outlook.AT_RISK: "Có nguy cơ không đạt",
    forecast.Outlook.OFF_TRACK: "Khó đạt",
}
# What kind of section an annual review's section is, from its key or the words of its title.
RESULTS, LIMITS, NEXT = "ket-qua", "han-che", "phuong-huong"
SECTION_WORDS = {
    RESULTS: ("ket qua",),
    LIMITS: ("han che", "ton tai", "nguyen nhan"),
    NEXT: ("phuong huong", "nhiem vu", "giai phap", "kien nghi"),
}
CAUSES_PLACEHOLDER = "[Đề nghị bổ sung nguyên nhân khách quan, chủ quan.]"
RISK_METHOD = (
    "Dự báo theo xu hướng: đường thẳng bình phương nhỏ nhất qua số liệu các năm (ít nhất 3 năm), "
    "kéo dài đến mốc mục tiêu tiếp theo, với khoảng dự báo 95%. “Có nguy cơ không đạt”: giá trị "
    "dự báo không đạt mục tiêu; “Khó đạt”: cả cận thuận lợi của khoảng dự báo cũng không đạt."
)


@dataclass
class PartLine:
    """A breakdown of a target's figure (women, men, urban, rural…), as the report writes it."""

    label: str
    value: Decimal | None
    value_text: str
    fraction: str = ""
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    last_text: str = ""


@dataclass
class TargetLine:
    """One target of the strategy for the unit: this year's and last year's figure, the target
    and the verdict, as the report writes them."""

    code: str
    name: str
    unit_label: str = ""
    measure: str = Measure.SHARE
    value: Decimal | None = None
    value_text: str = "—"
    digits: int | None = 1  # the decimals value_text shows (for the annex's cell format)
    fraction: str = ""
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    target_text: str = ""
    verdict: str = Verdict.NO_DATA
    last_value: Decimal | None = None
    last_text: str = "—"
    last_verdict: str = Verdict.NO_DATA
    change_text: str = ""
    improved: bool | None = None
    at_risk: bool = False
    parts: list[PartLine] = field(default_factory=list)

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    @property
    def is_met(self) -> bool:
        return self.verdict in (Verdict.MET, EXCEEDED)


@dataclass
class RiskLine:
    """A target whose projection misses the next milestone."""

    code: str
    name: str
    year: int
    projection_text: str  # "28,5%"
    target_text: str
    outlook: str
    range_text: str = ""  # the 95% interval: "26,4–30,6%"

    @property
    def outlook_label(self) -> str:
        return OUTLOOK_LABELS.get(self.outlook, "")


@dataclass
class ActivityLine:
    """Activities of one kind in the period."""

    label: str
    count: int
    participants: int
    women: int
    minimum: bool = False  # a counted record said "hơn 10": the count is at least this

    @property
    def count_text(self) -> str:
        """ "28", or "≥ 28" when the count is a minimum."""
        return f"≥ {whole(self.count)}" if self.minimum else whole(self.count)


@dataclass
class Facts:
    """What the report says about the unit itself."""

    unit_name: str
    who: str  # the unit inside a sentence: "tỉnh Quảng Ngãi", "cả nước"
    year: int
    targets: list[TargetLine] = field(default_factory=list)
    summary: str = ""
    last_summary: str = ""
    last_judged: int = 0  # how many targets had a figure last year
    at_risk: list[RiskLine] = field(default_factory=list)
    activities: list[ActivityLine] = field(default_factory=list)
    activity_summary: str = ""
    notes: list[str] = field(default_factory=list)


# --- Numbers --------------------------------------------------------------------------------


def number(value, digits: int = 1) -> str:
    """1234.56 -> "1.234,6" (Vietnamese), rounded half up (`indicators.display`)."""
    return display.number(value, digits)


def whole(value: int) -> str:
    return write_number(value, 0)


def in_sentence(unit: OrgUnit) -> str:
    """The unit as the subject of a sentence."""
    if unit.kind == Kind.NATION:
        return "cả nước"
    return activity_queries.unit_in_sentence(unit)


def _verdict(verdict: Verdict, value, target, indicator) -> str:
    """Met splits into "Vượt" when the value is strictly beyond an "at least / at most / about"
    target, in the good direction; "above", "below" and "equal to" targets are met or not."""
    if verdict != Verdict.MET or value is None or target is None or target.value is None:
        return verdict
    if target.comparator not in ("", Comparator.AT_LEAST, Comparator.AT_MOST, Comparator.ABOUT):
        return verdict
    beyond = (
        value > target.value if indicator.direction == Direction.HIGHER else value < target.value
    )
    return EXCEEDED if beyond else verdict


def _change(indicator, value, last) -> tuple[str, bool | None]:
    """ "tăng 2,3 điểm phần trăm", "giảm 1,5", "không đổi", and whether that is progress."""
    if value is None or last is None or indicator.measure == Measure.MILESTONE:
        return "", None
    difference = round_half_up(Decimal(value) - Decimal(last), 1)
    if difference == 0:
        return "không đổi", None
    word = "tăng" if difference > 0 else "giảm"
    unit = " điểm phần trăm" if indicator.measure == Measure.SHARE else ""
    better = difference > 0 if indicator.direction == Direction.HIGHER else difference < 0
    return f"{word} {number(abs(difference))}{unit}", better


def _last_year(framework, unit: OrgUnit, year: int, indicators) -> tuple[dict, dict, dict]:
    """Last year's rows (figure, target, breakdowns) and verdicts by indicator id; where the
    unit has no entries (it did not exist yet), the units it was formed from, combined."""
    rows = (
        {row.indicator.pk: row for row in unit_overview(framework, unit, year)}
        if year >= 2021
        else {}
    )
    figures = {pk: row.figure for pk, row in rows.items()}
    predecessors = list(unit.predecessors.all())
    missing = [i for i in indicators if not (figures.get(i.pk) and figures[i.pk].entries)]
    if predecessors and missing and year >= 2021:
        parts = [rollup_many(missing, p, year) for p in predecessors]
        for indicator in missing:
            figures[indicator.pk] = combine(indicator, [part[indicator.pk] for part in parts])
    verdicts = {}
    for indicator in indicators:
        target = rows[indicator.pk].target if indicator.pk in rows else None
        value = figures.get(indicator.pk, RollUp(None, None, None, 0)).value
        verdicts[indicator.pk] = _verdict(
            evaluate(
                value,
                target.value if target else None,
                target.comparator if target else "",
                indicator.direction,
            ),
            value,
            target,
            indicator,
        )
    return figures, verdicts, rows


def _risks(framework, unit: OrgUnit, year: int) -> list[forecast.Forecast]:
    # Judged as at the end of the report's year, so the same report reads the same later.
    return forecast.targets_at_risk(framework, unit, today=datetime.date(year, 12, 31))


def _projection_texts(item: forecast.Forecast) -> tuple[str, str]:
    """The projected value and its 95% interval: ("28,5%", "26,4–30,6%")."""
    projection = item.projection
    suffix = "%" if item.indicator.measure == Measure.SHARE else ""
    return (
        f"{number(projection.value)}{suffix}",
        f"{number(projection.low)}–{number(projection.high)}{suffix}",
    )


def _target_text(indicator, target) -> str:
    """The target as the table writes it; a yes/no milestone's target reads "Có"."""
    if target is None or target.value is None:
        return ""
    if indicator.measure == Measure.MILESTONE and target.comparator in ("", Comparator.EQUAL):
        return "Có" if target.value else "Không"
    return target.label


def gather(
    framework: Framework | None,
    unit: OrgUnit,
    year: int,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Facts:
    """The unit's targets for the year and last year, the targets at risk and the activities of
    [start, end] (the calendar year by default), formatted in Vietnamese."""
    start = start or datetime.date(year, 1, 1)
    end = end or datetime.date(year, 12, 31)
    with translation.override("vi"):
        facts = Facts(unit.name, in_sentence(unit), year)
        if framework is not None:
            rows = [
                row
                for row in unit_overview(framework, unit, year)
                if row.indicator.owner_unit_id is None
            ]
            indicators = [row.indicator for row in rows]
            last_figures, last_verdicts, last_rows = _last_year(
                framework, unit, year - 1, indicators
            )
            risky = {item.indicator.pk: item for item in _risks(framework, unit, year)}
            for row in rows:
                indicator = row.indicator
                last = last_figures.get(indicator.pk)
                last_row = last_rows.get(indicator.pk)
                last_target = last_row.target if last_row else None
                last_parts = {p.category: p for p in last_row.parts} if last_row else {}
                value = row.figure.value
                change, improved = _change(indicator, value, last.value if last else None)
                facts.targets.append(
                    TargetLine(
                        code=indicator.number,
                        name=indicator.name_vi,
                        unit_label=indicator.unit_label_vi,
                        measure=indicator.measure,
                        value=value,
                        value_text=row.text,
                        digits=row.digits,
                        fraction=row.fraction,
                        numerator=row.figure.numerator,
                        denominator=row.figure.denominator,
                        target_text=_target_text(indicator, row.target),
                        verdict=_verdict(row.verdict, value, row.target, indicator),
                        last_value=last.value if last else None,
                        last_text=display.figure_text(last, indicator, last_target),
                        last_verdict=last_verdicts[indicator.pk],
                        change_text=change,
                        improved=improved,
                        at_risk=indicator.pk in risky,
                        parts=[
                            PartLine(
                                label=part.label,
                                value=part.figure.value,
                                value_text=part.text(indicator),
                                fraction=display.fraction_text(part.figure),
                                numerator=part.figure.numerator,
                                denominator=part.figure.denominator,
                                last_text=last_parts[part.category].text(indicator)
                                if part.category in last_parts
                                else "",
                            )
                            for part in row.parts
                        ],
                    )
                )
            facts.summary = str(summary(rows))
            last_plain = [
                Verdict.MET if v == EXCEEDED else Verdict(v) for v in last_verdicts.values()
            ]
            facts.last_judged = sum(
                1
                for i in indicators
                if last_figures.get(i.pk) and last_figures[i.pk].value is not None
            )
            facts.last_summary = str(summarise(last_plain, facts.last_judged))
            for item in risky.values():
                projection, interval = _projection_texts(item)
                facts.at_risk.append(
                    RiskLine(
                        code=item.indicator.number,
                        name=item.indicator.name_vi,
                        year=item.projection.year,
                        projection_text=projection,
                        target_text=_target_text(item.indicator, item.target),
                        outlook=item.outlook,
                        range_text=interval,
                    )
                )
        else:
            facts.notes.append("Chưa nạp danh mục chỉ tiêu của Chiến lược.")
        counts = activity_queries.activity_counts(unit, start, end)
        facts.activities = [
            ActivityLine(c.label, c.count, c.participants, c.women, c.minimum) for c in counts
        ]
        facts.activity_summary = activity_queries.summary_from_counts(unit, start, end, counts)
    return facts


# --- The draft --------------------------------------------------------------------------------


def _codes(lines) -> str:
    return ", ".join(line.code for line in lines)


def _judged(lines: list[TargetLine]) -> list[TargetLine]:
    return [line for line in lines if line.verdict != Verdict.NO_TARGET]


def _with_target(line: TargetLine) -> str:
    target = f", mục tiêu {line.target_text}" if line.target_text else ""
    return f"chỉ tiêu {line.code} ({line.value_text}{target})"


def _results(facts: Facts) -> str:
    judged = _judged(facts.targets)
    sentences = []
    if any(line.value is not None for line in judged):
        text = f"Năm {facts.year}, {facts.who} có {facts.summary}"
        if facts.last_judged and any(line.last_value is not None for line in judged):
            text += f"; năm {facts.year - 1}: {facts.last_summary}"
        sentences.append(text + ".")
        met = [line for line in judged if line.is_met]
        if met:
            sentences.append(
                "Các chỉ tiêu đạt và vượt: " + "; ".join(_with_target(line) for line in met) + "."
            )
        better = [line for line in facts.targets if line.improved is True]
        worse = [line for line in facts.targets if line.improved is False]
        if better or worse:
            parts = []
            if better:
                parts.append(f"{len(better)} chỉ tiêu chuyển biến tích cực ({_codes(better)})")
            if worse:
                parts.append(f"{len(worse)} chỉ tiêu giảm sút ({_codes(worse)})")
            sentences.append(f"So với năm {facts.year - 1}, " + ", ".join(parts) + ".")
    elif facts.targets:
        sentences.append(
            f"Năm {facts.year}, {facts.who} chưa có số liệu để đánh giá các chỉ tiêu của Chiến "
            "lược."
        )
    if facts.activity_summary:
        sentences.append(facts.activity_summary)
    return "\n\n".join(sentences)


def _limits(facts: Facts) -> str:
    judged = _judged(facts.targets)
    paragraphs = []
    not_met = [line for line in judged if line.verdict == Verdict.NOT_MET]
    if not_met:
        paragraphs.append(
            f"Còn {len(not_met)} chỉ tiêu chưa đạt: "
            + "; ".join(_with_target(line) for line in not_met)
            + "."
        )
    no_data = [line for line in judged if line.verdict == Verdict.NO_DATA]
    if no_data:
        paragraphs.append(f"{len(no_data)} chỉ tiêu chưa có số liệu: {_codes(no_data)}.")
    if facts.at_risk:
        milestone = max(risk.year for risk in facts.at_risk)
        details = "; ".join(
            f"chỉ tiêu {risk.code} (dự báo {risk.projection_text}"
            + (f", khoảng {risk.range_text}" if risk.range_text else "")
            + (f"; mục tiêu {risk.target_text}" if risk.target_text else "")
            + ")"
            for risk in facts.at_risk
        )
        paragraphs.append(
            f"Theo xu hướng số liệu các năm, {len(facts.at_risk)} chỉ tiêu có nguy cơ không đạt "
            f"mục tiêu năm {milestone}: {details}."
        )
    if not paragraphs and judged:
        paragraphs.append(
            "Các chỉ tiêu có số liệu đều đạt mục tiêu; chưa ghi nhận chỉ tiêu có nguy cơ không "
            "đạt mục tiêu."
        )
    paragraphs.append(f"Nguyên nhân: {CAUSES_PLACEHOLDER}")
    return "\n\n".join(paragraphs)


def _next(facts: Facts) -> str:
    judged = _judged(facts.targets)
    focus = [line for line in judged if line.verdict == Verdict.NOT_MET or line.at_risk]
    no_data = [line for line in judged if line.verdict == Verdict.NO_DATA]
    parts = []
    if focus:
        parts.append(
            f"tập trung thực hiện các chỉ tiêu chưa đạt hoặc có nguy cơ không đạt ({_codes(focus)})"
        )
    if no_data:
        parts.append(f"tổ chức thu thập số liệu các chỉ tiêu chưa có số liệu ({_codes(no_data)})")
    parts.append("duy trì, nâng cao kết quả các chỉ tiêu đã đạt")
    return f"Năm {facts.year + 1}, " + "; ".join(parts) + "."


def draft(facts: Facts) -> dict[str, str]:
    """The draft of the three sections of an annual review, by kind of section."""
    with translation.override("vi"):
        return {RESULTS: _results(facts), LIMITS: _limits(facts), NEXT: _next(facts)}


def section_kind(key: str, title: str) -> str | None:
    """Which of the review's sections a round's section is: by its key, else by its title."""
    if key in SECTION_WORDS:
        return key
    words = fold(title)
    for kind, markers in SECTION_WORDS.items():
        if any(marker in words for marker in markers):
            return kind
    return None


def round_framework(round) -> Framework | None:
    """The framework of the round's requested indicators, else the strategy's."""
    indicator = round.indicators.exclude(framework=None).select_related("framework").first()
    if indicator is not None:
        return indicator.framework
    return Framework.objects.order_by("code").first()


def draft_sections(round, unit: OrgUnit, facts: Facts | None = None) -> dict[str, str]:
    """The draft for each section the round asks for, keyed by section title ("" where the
    section is not one of an annual review's)."""
    if facts is None:
        facts = gather(
            round_framework(round), unit, round.year, round.period_start, round.period_end
        )
    texts = draft(facts)
    return {
        section.title: texts.get(section_kind(section.key, section.title), "")
        for section in round.sections.all()
    }
