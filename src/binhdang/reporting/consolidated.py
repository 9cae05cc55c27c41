"""The consolidated report of a unit for a reporting round (báo cáo tổng hợp).

`build_report(round, unit)` gathers everything the report says into a `ConsolidatedReport` of
plain values (texts, numbers): the strategy's targets for the unit and the round's year with last
year's figures and the targets at risk, the activities of the round's period (`narrative.gather`),
each required sub-unit's figures and reporting state, the sub-units' accepted narrative compiled
by section (`queries.accepted_sections`) after the unit's own text (its own submission's, else the
first draft written from the data), and the document's header, recipients and signature.
`documents` renders it as Word (Decree 30/2020/NĐ-CP) and as the Excel annex.

`start_report_job(actor, round, unit)` checks the actor may make it and runs it as a background
job (`core.jobs`) that reports its progress per step and every few per cent of the sub-units;
gathering takes a number of queries that does not grow with the sub-units (decision 77). Its
result is the Word file; the Excel annex (and the PDF, when LibreOffice is installed on the
server) are further downloads of the same job.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from binhdang.accounts import permissions
from binhdang.activities import queries as activity_queries
from binhdang.committees.documents import (
    TERRITORIAL,
    agency_in_text,
    agency_name,
    place_name,
    superior_unit,
)
from binhdang.core import dates, jobs
from binhdang.core.models import Job
from binhdang.core.replica import reading_replica
from binhdang.core.text import fold
from binhdang.indicators import queries as indicator_queries
from binhdang.orgunits.models import Kind, OrgUnit

from . import narrative
from .models import ReportingRound, SectionText, State, Submission
from .queries import accepted_sections, subunit_submissions, unit_sort_key

JOB_KIND = "consolidated_report"
# The gathering's progress is written once in each of this many bands (each twentieth of the
# sub-units, and the first and last steps): the same writes however many sub-units there are.
PROGRESS_BANDS = 20
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
Progress = Callable[[int, int, "str | jobs.Sentence"], None]


@dataclass
class SubunitLine:
    """A required sub-unit: its report's state, its figures (in the order of the report's
    targets, as numbers, as written and the decimals written), the breakdowns of its figures by
    (target code, label), its own summary line and its activities in the period."""

    name: str
    state: str = ""
    accepted: bool = False
    values: list[Decimal | None] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    summary: str = ""
    activities: int = 0
    activities_minimum: bool = False  # some of its activities were recorded as "hơn 10"
    digits: list[int | None] = field(default_factory=list)
    parts: dict[tuple[str, str], Decimal] = field(default_factory=dict)


@dataclass
class SectionLine:
    """A narrative section: the unit's own text (its submission's, else the draft), then the
    accepted texts of its sub-units as (unit name, text)."""

    key: str
    title: str
    own_text: str = ""
    own_is_draft: bool = False
    entries: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ConsolidatedReport:
    """Everything the consolidated report says, as plain values (a test can build one)."""

    unit_name: str
    year: int
    date: datetime.date
    issuer: str  # "UBND TỈNH QUẢNG NGÃI"
    issuer_text: str  # "Ủy ban nhân dân tỉnh Quảng Ngãi"
    place: str  # "Quảng Ngãi"
    number: str  # "      /BC-UBND"
    subject: str  # "Kết quả thực hiện công tác bình đẳng giới năm 2025"
    facts: narrative.Facts
    superior: str | None = None
    intro: str = ""
    subunits: list[SubunitLine] = field(default_factory=list)
    reporting_line: str = ""
    sections: list[SectionLine] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    file_stem: str = "bao-cao"

    @property
    def target_codes(self) -> list[str]:
        return [line.code for line in self.facts.targets]


# --- Names in the document --------------------------------------------------------------------


def _initials(name: str) -> str:
    """ "Sở Y tế" -> "SYT", "Bộ Giáo dục và Đào tạo" -> "BGDĐT" (symbols of Decree 30)."""
    return "".join(word[0].upper() for word in name.split() if word != "và" and word[0].isalpha())


def symbol(unit: OrgUnit) -> str:
    """The report's symbol: "BC-UBND" for a territorial unit, "BC-CP" for the nation (the
    Government's report), else "BC-" and the initials of the unit's name."""
    if unit.kind in TERRITORIAL:
        return "BC-UBND"
    if unit.kind == Kind.NATION:
        return "BC-CP"
    return f"BC-{_initials(unit.name)}"


def issuer(unit: OrgUnit) -> str:
    return "CHÍNH PHỦ" if unit.kind == Kind.NATION else agency_name(unit)


def agency_text(unit: OrgUnit) -> str:
    """The unit as an authority inside a sentence: "Ủy ban nhân dân tỉnh Quảng Ngãi"."""
    return "Chính phủ" if unit.kind == Kind.NATION else agency_in_text(unit)


def signature(unit: OrgUnit) -> list[str]:
    """Who signs, as Decree 30 writes it; the officer adds "KT." and the signer in Word."""
    if unit.kind == Kind.NATION:
        return ["TM. CHÍNH PHỦ", "THỦ TƯỚNG"]
    if unit.kind in TERRITORIAL:
        return ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    heads = {"Bộ": "BỘ TRƯỞNG", "Sở": "GIÁM ĐỐC", "Vụ": "VỤ TRƯỞNG", "Cục": "CỤC TRƯỞNG"}
    return [heads.get(unit.name.split(" ", 1)[0], "THỦ TRƯỞNG CƠ QUAN")]


def recipients(round: ReportingRound, unit: OrgUnit) -> list[str]:
    """The authority that asked for the report (the round's opener, else the unit's parent), the
    unit's committee, and the file copy."""
    asked_by = round.opener if round.opener_id != unit.pk else unit.parent
    names = []
    if unit.kind == Kind.NATION:
        names += ["Quốc hội", "Ủy ban Thường vụ Quốc hội"]
    elif asked_by is not None:
        names.append(agency_text(asked_by))
    if unit.kind != Kind.NATION:
        names.append(f"Ban Vì sự tiến bộ của phụ nữ {activity_queries.unit_in_sentence(unit)}")
    names.append("Lưu: VT")
    return names


def subject(round: ReportingRound) -> str:
    """ "Báo cáo kết quả … năm 2025" -> "Kết quả … năm 2025": the title line under "BÁO CÁO"."""
    name = round.name.strip()
    if fold(name).startswith("bao cao "):
        name = name[len("Báo cáo ") :].strip()
    if not name:
        name = f"kết quả thực hiện công tác bình đẳng giới năm {round.year}"
    return name[:1].upper() + name[1:]


def _intro(round: ReportingRound, unit: OrgUnit, subject_text: str) -> str:
    what = subject_text[:1].lower() + subject_text[1:]
    if round.opener_id == unit.pk:
        return (
            f"Trên cơ sở báo cáo của các đơn vị và số liệu cập nhật trên hệ thống, "
            f"{agency_text(unit)} báo cáo {what} như sau:"
        )
    return (
        f"Thực hiện yêu cầu báo cáo của {agency_text(round.opener)}, "
        f"{agency_text(unit)} báo cáo {what} như sau:"
    )


# --- Gathering --------------------------------------------------------------------------------


def _own_texts(round: ReportingRound, unit: OrgUnit) -> dict[str, str]:
    """The unit's own texts by section key and by folded title: its submission in this round,
    else its latest one for the same year (e.g. in the superior's round)."""
    own = Submission.objects.filter(round=round, unit=unit).first()
    if own is None:
        own = (
            Submission.objects.filter(unit=unit, round__year=round.year)
            .order_by("-round__deadline", "-pk")
            .first()
        )
    if own is None:
        return {}
    texts = {}
    for text in (
        SectionText.objects.filter(submission=own).exclude(text="").select_related("section")
    ):
        texts[text.section.key] = text.text
        texts[fold(text.section.title)] = text.text
    return texts


def _activity_counts(
    unit: OrgUnit, children: list[OrgUnit], start, end
) -> dict[int, tuple[int, bool]]:
    """Events organised in each sub-unit's subtree in the period, and whether that is a minimum."""
    if all(child.parent_id == unit.pk for child in children):
        activities = activity_queries.in_subtree(unit, start, end)
        return {
            row.unit.pk: (row.count, row.minimum)
            for row in activity_queries.counts_by_subunit(unit, activities)
        }
    # Sub-units further down (a national round asking the communes): one grouped query.
    return activity_queries.event_totals_in_subtrees(children, start, end)


def _subunit_line(submission: Submission, rows, activities: tuple[int, bool]) -> SubunitLine:
    """A sub-unit's line from its figure rows (`indicators.queries.figure_rows`)."""
    line = SubunitLine(
        name=submission.unit.name,
        state=str(State(submission.state).label),
        accepted=submission.state == State.ACCEPTED,
        activities=activities[0],
        activities_minimum=activities[1],
    )
    if rows:
        for row in rows:
            line.values.append(row.figure.value)
            line.texts.append(row.text)
            line.digits.append(row.digits)
            for part in row.parts:
                line.parts[(row.indicator.number, part.label)] = part.figure.value
        line.summary = str(indicator_queries.summary(rows))
    return line


def build_report(
    round: ReportingRound,
    unit: OrgUnit,
    *,
    date: datetime.date | None = None,
    progress: Progress | None = None,
) -> ConsolidatedReport:
    """Gather the unit's consolidated report for the round (no permission check: see
    `start_report_job`). `progress(done, total, message)` is told after each step."""
    tell = progress or (lambda done, total, message: None)
    with translation.override("vi"):
        framework = narrative.round_framework(round)
        submissions = sorted(
            subunit_submissions(round, unit).exclude(unit=unit).select_related("unit"),
            key=lambda s: unit_sort_key(s.unit),
        )
        total = len(submissions) + 2
        tell(
            0,
            total,
            jobs.Sentence(_lazy("Gathering the indicator figures of %(unit)s"), unit=unit.name),
        )
        facts = narrative.gather(framework, unit, round.year, round.period_start, round.period_end)
        tell(1, total, jobs.Sentence(_lazy("Figures of %(unit)s gathered"), unit=unit.name))

        indicators = indicator_queries.framework_indicators(framework) if framework else []
        children = [submission.unit for submission in submissions]
        rows = indicator_queries.figure_rows(indicators, children, round.year)
        activities = _activity_counts(unit, children, round.period_start, round.period_end)
        subunits = []
        for index, submission in enumerate(submissions, start=1):
            child = submission.unit
            subunits.append(
                _subunit_line(
                    submission, rows.get(child.pk, []), activities.get(child.pk, (0, False))
                )
            )
            tell(
                1 + index,
                total,
                jobs.Sentence(
                    _lazy("Gathering unit %(index)s/%(count)s: %(unit)s"),
                    index=index,
                    count=len(submissions),
                    unit=submission.unit.name,
                ),
            )

        drafts = narrative.draft(facts)
        own = _own_texts(round, unit)
        sections = []
        for compiled in accepted_sections(round, unit):
            text = own.get(compiled.key) or own.get(fold(compiled.title), "")
            kind = narrative.section_kind(compiled.key, compiled.title)
            sections.append(
                SectionLine(
                    key=compiled.key,
                    title=compiled.title,
                    own_text=text or drafts.get(kind, ""),
                    own_is_draft=not text,
                    entries=[(entry_unit.name, body) for entry_unit, body in compiled.entries],
                )
            )
        tell(total, total, _lazy("Reports of the units gathered"))

        accepted = sum(1 for line in subunits if line.accepted)
        reporting_line = (
            f"Đã tiếp nhận báo cáo của {accepted}/{len(subunits)} đơn vị."
            if subunits
            else "Kỳ báo cáo không yêu cầu đơn vị cấp dưới báo cáo."
        )
        superior = superior_unit(unit) if unit.kind != Kind.NATION else None
        subject_text = subject(round)
        return ConsolidatedReport(
            unit_name=unit.name,
            year=round.year,
            date=date or dates.today(),
            issuer=issuer(unit),
            issuer_text=agency_text(unit),
            superior=agency_name(superior) if superior is not None else None,
            place=place_name(unit),
            number=f"{' ' * 6}/{symbol(unit)}",
            subject=subject_text,
            facts=facts,
            intro=_intro(round, unit, subject_text),
            subunits=subunits,
            reporting_line=reporting_line,
            sections=sections,
            recipients=recipients(round, unit),
            signature=signature(unit),
            file_stem=f"bao-cao-{slugify(fold(unit.name))}-{round.year}",
        )


# --- The job ----------------------------------------------------------------------------------


def can_make_report(user, round: ReportingRound, unit: OrgUnit) -> bool:
    """Whether the user may make the unit's report for the round: the user may read the unit's
    reports (their unit is it or above it, or oversees it), and the unit opened the round or is
    one the round asks."""
    if not permissions.can_read_reports(user, unit):
        return False
    return round.opener_id == unit.pk or round.submissions.filter(unit=unit).exists()


def _check(user, round: ReportingRound, unit: OrgUnit) -> None:
    if not permissions.can_read_reports(user, unit):
        raise PermissionDenied(_("You cannot make the consolidated report of “%s”.") % unit.name)
    if not can_make_report(user, round, unit):
        raise ValidationError(
            _("“%(unit)s” neither opened the round “%(round)s” nor is asked to report in it.")
            % {"unit": unit.name, "round": round.name}
        )


def start_report_job(actor, round: ReportingRound, unit: OrgUnit, *, pdf: bool = True) -> Job:
    """Check the actor may make the unit's report, then make it in the background."""
    _check(actor, round, unit)
    title = _("Consolidated report %(year)s: %(unit)s") % {
        "year": round.year_label,
        "unit": unit.name,
    }
    return jobs.start(
        actor, JOB_KIND, title, run_report_job, round_id=round.pk, unit_id=unit.pk, pdf=pdf
    )


def run_report_job(job: Job, round_id: int, unit_id: int, pdf: bool = True) -> list[jobs.Output]:
    """The job's work: gather, then write the Word file, the Excel annex and the PDF."""
    from . import documents

    round = ReportingRound.objects.select_related("opener").get(pk=round_id)
    unit = OrgUnit.objects.get(pk=unit_id)
    _check(job.owner, round, unit)  # the owner's rights may have changed since the job started
    steps = 3 if pdf else 2
    written = [-1]  # the band of the last progress written

    def progress(done: int, total: int, message: str) -> None:
        band = done * PROGRESS_BANDS // total
        if band != written[0]:
            written[0] = band
            jobs.report_progress(job.pk, done, total + steps, message)

    # The platform's heaviest read, from the replica if there is one; progress is written to the
    # primary all the same.
    with reading_replica():
        report = build_report(round, unit, progress=progress)
    total = len(report.subunits) + 2 + steps
    done = len(report.subunits) + 2
    jobs.report_progress(job.pk, done, total, _lazy("Writing the Word file"))
    outputs = [jobs.Output(f"{report.file_stem}.docx", documents.report_docx(report), DOCX)]
    jobs.report_progress(job.pk, done + 1, total, _lazy("Writing the Excel annex"))
    outputs.append(
        jobs.Output(
            f"{report.file_stem}-phu-luc.xlsx",
            documents.report_annex_xlsx(report),
            XLSX,
            _lazy("Annex (Excel)"),
        )
    )
    note = _lazy("The report (Word) and its annex (Excel) are ready.")
    if pdf:
        jobs.report_progress(job.pk, done + 2, total, _lazy("Converting to PDF"))
        try:
            content = documents.report_pdf(outputs[0].content)
        except documents.PdfError as error:
            content, note = (
                None,
                jobs.Sentence("%(note)s %(problem)s", note=note, problem=error.args[0]),
            )
        if content is not None:
            outputs.append(jobs.Output(f"{report.file_stem}.pdf", content, PDF, _lazy("PDF copy")))
            note = _lazy("The report (Word), its annex (Excel) and a PDF copy are ready.")
        elif not documents.pdf_available():
            note = jobs.Sentence("%(note)s %(problem)s", note=note, problem=documents.PDF_MISSING)
    jobs.report_progress(job.pk, total, total, note)
    return outputs
