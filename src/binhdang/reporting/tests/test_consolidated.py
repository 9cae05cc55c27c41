"""The consolidated report from real data: figures, comparison, risks, activities, the sub-units'
narrative, the first draft, the files, and the background job with its permissions."""

import datetime
import io
import os
import stat
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from binhdang.accounts.models import Role
from binhdang.activities.models import Activity
from binhdang.conftest import make_user
from binhdang.core import jobs
from binhdang.core.models import Job
from binhdang.indicators import forecast
from binhdang.indicators.models import Framework
from binhdang.indicators.services import record_value
from binhdang.reporting import consolidated, documents, narrative
from binhdang.reporting.models import (
    DEFAULT_SECTIONS,
    ReportingRound,
    RoundSection,
    SectionText,
    State,
    Submission,
)

YEAR = 2025
NAME = "Báo cáo kết quả thực hiện công tác bình đẳng giới năm 2025"
DATE = datetime.date(2025, 12, 5)
COMMUNE_RESULTS = "Xã đã tổ chức 1 lớp tập huấn về bình đẳng giới cho 100 người."
COMMUNE_LIMITS = "Kinh phí cho công tác bình đẳng giới còn hạn chế."
NOT_ACCEPTED = "Nội dung của báo cáo chưa được tiếp nhận."
# The summary lines over all 19 targets (6.2 has no target value).
SUMMARY_2025 = (
    "3/19 chỉ tiêu đạt và vượt (15,8%); 1 chưa đạt, 14 chưa có số liệu, 1 chưa có mục tiêu"
)
SUMMARY_2024 = (
    "1/19 chỉ tiêu đạt và vượt (5,3%); 2 chưa đạt, 15 chưa có số liệu, 1 chưa có mục tiêu"
)


def _open(opener, units, name=NAME) -> ReportingRound:
    """A round with the annual review's sections and the strategy's indicators (ORM only)."""
    round = ReportingRound.objects.create(
        opener=opener,
        name=name,
        kind="annual",
        year=YEAR,
        period_start=datetime.date(YEAR, 1, 1),
        period_end=datetime.date(YEAR, 12, 31),
        deadline=datetime.date(YEAR, 12, 15),
    )
    for position, (key, title) in enumerate(DEFAULT_SECTIONS, start=1):
        RoundSection.objects.create(round=round, position=position, key=key, title=title)
    round.indicators.set(Framework.objects.get().indicators.all())
    for unit in units:
        Submission.objects.create(round=round, unit=unit)
    return round


def _answer(round, unit, state, texts: dict[str, str]) -> Submission:
    submission = Submission.objects.get(round=round, unit=unit)
    submission.state = state
    submission.save()
    for key, text in texts.items():
        SectionText.objects.create(
            submission=submission, section=round.sections.get(key=key), text=text
        )
    return submission


@pytest.fixture
def figures(tree, personas, catalogue):
    """Quảng Ngãi's figures: 2025 entered by the new province, 2022–2024 by the old province it
    was formed from; a commune's own 2025 figure; activities of 2025 (and one of 2024)."""
    admin = personas["system_admin"]
    province, legacy, commune = tree["province"], tree["legacy_province"], tree["commune"]

    def share(code, unit, year, numerator, denominator=100):
        record_value(
            admin, catalogue[code], unit, year, numerator=numerator, denominator=denominator
        )

    for code, value in (("2.1", 55), ("2.2", 35), ("2.3", 27)):
        share(code, province, YEAR, value)
    record_value(admin, catalogue["5.3"], province, YEAR, value=1)
    history = {2022: (40, 42, 26), 2023: (45, 40, Decimal("26.2")), 2024: (50, 38, Decimal("26.4"))}
    for year, values in history.items():
        for code, value in zip(("2.1", "2.2", "2.3"), values, strict=True):
            share(code, legacy, year, value)
    share("2.1", commune, YEAR, 3, 4)
    for organiser, kind, day, people, women in (
        (commune, "training", datetime.date(YEAR, 3, 8), 100, 60),
        (province, "conference", datetime.date(YEAR, 10, 20), 50, 30),
        (province, "conference", datetime.date(YEAR - 1, 10, 20), 70, 40),
    ):
        Activity.objects.create(
            title="Hoạt động",
            kind=kind,
            start_date=day,
            end_date=day,
            organiser=organiser,
            participants=people,
            women=women,
        )
    return catalogue


@pytest.fixture
def round(tree, figures):
    """Quảng Ngãi's round for its two first communes: one accepted, one only submitted."""
    round = _open(tree["province"], [tree["commune"], tree["neighbour"]])
    _answer(
        round,
        tree["commune"],
        State.ACCEPTED,
        {"ket-qua": COMMUNE_RESULTS, "han-che": COMMUNE_LIMITS},
    )
    _answer(round, tree["neighbour"], State.SUBMITTED, {"ket-qua": NOT_ACCEPTED})
    return round


def _by_code(report):
    return {line.code: line for line in report.facts.targets}


# --- Gathering --------------------------------------------------------------------------------


def test_report_gathers_targets_summary_and_last_year(round, tree):
    report = consolidated.build_report(round, tree["province"], date=DATE)
    assert report.issuer == "UBND TỈNH QUẢNG NGÃI" and report.superior is None
    assert report.number.strip() == "/BC-UBND" and report.place == "Quảng Ngãi"
    assert report.subject == "Kết quả thực hiện công tác bình đẳng giới năm 2025"
    assert report.file_stem == "bao-cao-tinh-quang-ngai-2025"
    lines = _by_code(report)
    assert len(lines) == 19
    assert (lines["2.1"].value_text, lines["2.1"].fraction) == ("55,0%", "55/100")
    assert lines["2.1"].verdict_label == "Vượt"
    assert (lines["2.3"].value_text, lines["2.3"].verdict_label) == ("27,0%", "Đạt")
    assert (lines["2.2"].target_text, lines["2.2"].verdict_label) == ("< 30", "Chưa đạt")
    assert (lines["5.3"].value_text, lines["5.3"].verdict_label) == ("Có", "Đạt")
    assert lines["5.3"].target_text == "Có"  # a milestone's target, not "= 1"
    assert lines["1.1"].verdict_label == "Chưa có số liệu"
    assert lines["6.2"].verdict_label == "Chưa có chỉ tiêu"
    # Over all 19 targets: 3 met or exceeded, 1 not met, 14 without a figure, 6.2 without a
    # target value.
    assert report.facts.summary == SUMMARY_2025
    # Last year comes from the old province the new one was formed from.
    assert report.facts.last_summary == SUMMARY_2024
    assert (lines["2.1"].last_text, lines["2.1"].change_text) == (
        "50,0%",
        "tăng 5,0 điểm phần trăm",
    )
    assert lines["2.1"].improved is True
    # Lower is better for 2.2: a fall is progress.
    assert (lines["2.2"].change_text, lines["2.2"].improved) == ("giảm 3,0 điểm phần trăm", True)
    assert (lines["2.3"].change_text, lines["2.3"].improved) == ("tăng 0,6 điểm phần trăm", True)
    assert lines["1.1"].change_text == "" and lines["1.1"].improved is None


def test_report_takes_the_targets_at_risk_from_the_forecast(round, tree):
    report = consolidated.build_report(round, tree["province"], date=DATE)
    framework = Framework.objects.get()
    expected = forecast.targets_at_risk(
        framework, tree["province"], today=datetime.date(YEAR, 12, 31)
    )
    assert [risk.code for risk in report.facts.at_risk] == [f.indicator.number for f in expected]
    assert "2.3" in [risk.code for risk in report.facts.at_risk]  # 27% heading for 28–29% by 2030
    risk = next(r for r in report.facts.at_risk if r.code == "2.3")
    assert risk.year == 2030 and risk.target_text == "≥ 30"
    assert risk.projection_text.startswith("2") and risk.projection_text.endswith("%")
    low, high = risk.range_text.rstrip("%").split("–")
    assert low < risk.projection_text.rstrip("%") < high
    assert _by_code(report)["2.3"].at_risk and not _by_code(report)["2.1"].at_risk


def test_report_counts_activities_of_the_period(round, tree):
    report = consolidated.build_report(round, tree["province"], date=DATE)
    activities = {(a.count, a.participants, a.women) for a in report.facts.activities}
    assert activities == {(1, 100, 60), (1, 50, 30)}  # 2024's conference is not counted
    assert report.facts.activity_summary
    commune, neighbour = report.subunits
    assert commune.activities == 1 and neighbour.activities == 0


def test_report_compiles_accepted_narrative_by_section(round, tree):
    report = consolidated.build_report(round, tree["province"], date=DATE)
    commune, neighbour = tree["commune"], tree["neighbour"]
    assert [s.title for s in report.sections] == [title for _key, title in DEFAULT_SECTIONS]
    results, limits, tasks = report.sections
    assert results.entries == [(commune.name, COMMUNE_RESULTS)]
    assert limits.entries == [(commune.name, COMMUNE_LIMITS)]
    assert tasks.entries == []
    everything = str([s.entries for s in report.sections])
    assert NOT_ACCEPTED not in everything and neighbour.name not in everything
    # The province has no text of its own yet: the draft from the data stands in.
    assert results.own_is_draft and SUMMARY_2025 in results.own_text
    assert report.reporting_line == "Đã tiếp nhận báo cáo của 1/2 đơn vị."
    lines = {line.name: line for line in report.subunits}
    assert lines[commune.name].accepted and not lines[neighbour.name].accepted
    with translation.override("vi"):
        assert lines[commune.name].state == str(State.ACCEPTED.label)
    index = report.target_codes.index("2.1")
    assert lines[commune.name].values[index] == 75
    assert lines[commune.name].texts[index] == "75,0%"
    assert lines[neighbour.name].values[index] is None
    assert lines[commune.name].summary == (
        "1/19 chỉ tiêu đạt và vượt (5,3%); 17 chưa có số liệu, 1 chưa có mục tiêu"
    )
    assert lines[neighbour.name].summary == "Chưa có số liệu"  # not "0/19 … (0,0%)"


def test_subunit_figures_follow_their_own_targets_and_deeper_rounds(round, tree, personas):
    from decimal import Decimal

    from binhdang.indicators.services import set_target

    admin = personas["system_admin"]
    set_target(
        admin,
        round.indicators.get(number="2.1"),
        year=YEAR,
        value=Decimal(80),
        comparator=">=",
        unit=tree["commune"],
    )
    report = consolidated.build_report(round, tree["province"], date=DATE)
    line = next(s for s in report.subunits if s.name == tree["commune"].name)
    # 75% misses its own 80%
    assert line.summary == (
        "0/19 chỉ tiêu đạt và vượt (0,0%); 1 chưa đạt, 17 chưa có số liệu, 1 chưa có mục tiêu"
    )
    # A round asking communes directly from the nation: sub-units two levels down.
    national = _open(tree["nation"], [tree["commune"], tree["far_commune"]])
    report = consolidated.build_report(national, tree["nation"], date=DATE)
    lines = {s.name: s for s in report.subunits}
    index = report.target_codes.index("2.1")
    assert lines[tree["commune"].name].values[index] == 75
    assert lines[tree["commune"].name].summary.startswith("0/19 chỉ tiêu đạt và vượt (0,0%); 1 ")
    assert lines[tree["commune"].name].activities == 1
    assert lines[tree["far_commune"].name].values[index] is None


def test_unit_reporting_upward_uses_its_own_text_and_its_own_round(round, tree):
    """A national round asks the province; the province's report compiles its own round's
    accepted communes and puts its own submission's text first."""
    national = _open(tree["nation"], [tree["province"], tree["other_province"]])
    own = "Tỉnh đã hoàn thành kế hoạch năm 2025."
    _answer(national, tree["province"], State.DRAFT, {"ket-qua": own})
    report = consolidated.build_report(national, tree["province"], date=DATE)
    results = report.sections[0]
    assert (results.own_text, results.own_is_draft) == (own, False)
    assert results.entries == [(tree["commune"].name, COMMUNE_RESULTS)]
    assert report.sections[1].own_is_draft  # no text of its own there: the draft
    assert report.intro.startswith("Thực hiện yêu cầu báo cáo của Chính phủ, Ủy ban nhân dân")
    assert report.recipients[0] == "Chính phủ" and report.recipients[-1] == "Lưu: VT"

    # The nation's own report: the Government's, with the provinces as sub-units.
    report = consolidated.build_report(national, tree["nation"], date=DATE)
    assert (report.issuer, report.number.strip(), report.place) == ("CHÍNH PHỦ", "/BC-CP", "Hà Nội")
    assert report.recipients == ["Quốc hội", "Ủy ban Thường vụ Quốc hội", "Lưu: VT"]
    assert report.signature == ["TM. CHÍNH PHỦ", "THỦ TƯỚNG"]
    assert [s.name for s in report.subunits] == [
        tree["other_province"].name,
        tree["province"].name,
    ]  # by official code: Hà Nội (01) before Quảng Ngãi (51)


def test_names_symbols_and_signatures_of_other_units(tree):
    ministry = tree["ministry"]
    assert consolidated.symbol(ministry) == "BC-BNV"
    assert consolidated.signature(ministry) == ["BỘ TRƯỞNG"]
    assert consolidated.symbol(tree["commune"]) == "BC-UBND"
    assert consolidated._initials("Bộ Giáo dục và Đào tạo") == "BGDĐT"
    assert consolidated._initials("Sở Y tế") == "SYT"


# --- The draft --------------------------------------------------------------------------------


def test_draft_sections_are_written_from_the_data(round, tree):
    drafts = narrative.draft_sections(round, tree["province"])
    assert list(drafts) == [title for _key, title in DEFAULT_SECTIONS]
    results, limits, tasks = drafts.values()
    assert results.startswith(
        f"Năm 2025, tỉnh Quảng Ngãi có {SUMMARY_2025}; năm 2024: {SUMMARY_2024}."
    )
    assert "chỉ tiêu 2.1 (55,0%, mục tiêu ≥ 50)" in results
    assert "So với năm 2024, 3 chỉ tiêu chuyển biến tích cực (2.1, 2.2, 2.3)." in results
    facts = narrative.gather(Framework.objects.get(), tree["province"], YEAR)
    assert facts.activity_summary in results
    assert "Còn 1 chỉ tiêu chưa đạt: chỉ tiêu 2.2 (35,0%, mục tiêu < 30)." in limits
    assert "14 chỉ tiêu chưa có số liệu: 1.1, 3.1," in limits
    assert (
        "có nguy cơ không đạt mục tiêu năm 2030: " in limits
        and "chỉ tiêu 2.3 (dự báo 28,5%, khoảng" in limits
    )
    assert narrative.CAUSES_PLACEHOLDER in limits
    assert tasks.startswith("Năm 2026, tập trung thực hiện các chỉ tiêu chưa đạt")
    assert "(2.2, 2.3" in tasks


def test_draft_for_a_unit_without_figures_and_an_unknown_section(round, tree):
    RoundSection.objects.create(round=round, position=9, key="khac", title="Đề xuất khen thưởng")
    drafts = narrative.draft_sections(round, tree["neighbour"])
    results = drafts["Kết quả đạt được"]
    assert results.startswith(
        f"Năm 2025, {tree['neighbour'].name[0].lower()}{tree['neighbour'].name[1:]} chưa có số "
        "liệu để đánh giá các chỉ tiêu của Chiến lược."
    )
    assert drafts["Đề xuất khen thưởng"] == ""
    assert narrative.section_kind("x", "Phương hướng, nhiệm vụ năm 2026") == narrative.NEXT
    assert narrative.section_kind("x", "Tồn tại, hạn chế") == narrative.LIMITS


# --- Files from real data -----------------------------------------------------------------------


def test_word_and_excel_from_real_data(round, tree):
    report = consolidated.build_report(round, tree["province"], date=DATE)
    document = Document(io.BytesIO(documents.report_docx(report)))
    text = "\n".join(
        "".join(t.text or "" for t in p.iter(qn("w:t")))
        for p in document.element.body.iter(qn("w:p"))
    )
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Số:       /BC-UBND" in text
    assert "Quảng Ngãi, ngày 05 tháng 12 năm 2025" in text
    assert f"Tổng hợp: năm 2025, {SUMMARY_2025}." in text
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Mã")
    row = next(r for r in table.rows if r.cells[0].text == "2.1")
    assert [c.text for c in row.cells][2:] == ["50,0%", "55,0% (55/100)", "≥ 50", "Vượt"]
    assert all(
        run.font.name in (None, "Times New Roman")
        for paragraph in document.paragraphs
        for run in paragraph.runs
    )
    section_1 = text.split("1. Kết quả đạt được")[-1].split("2. Hạn chế, nguyên nhân")[0]
    assert f"{tree['commune'].name}:\n{COMMUNE_RESULTS}" in section_1
    assert NOT_ACCEPTED not in text

    book = load_workbook(io.BytesIO(documents.report_annex_xlsx(report)))
    sheet = book["Chỉ tiêu"]
    row = next(r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0] == "2.1")
    assert row[3:9] == (50, 55, 55, 100, "≥ 50", "Vượt")
    units = book["Theo đơn vị"]
    column = 3 + report.target_codes.index("2.1")
    assert units.cell(row=5, column=1).value == tree["commune"].name
    assert units.cell(row=5, column=column).value == 75


# --- The job ----------------------------------------------------------------------------------


@pytest.fixture
def no_soffice(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))


@pytest.fixture
def fake_soffice(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    program = folder / "soffice"
    program.write_text(
        '#!/bin/sh\nout=""\nwhile [ $# -gt 0 ]; do [ "$1" = "--outdir" ] && out="$2"; shift; '
        'done\nmkdir -p "$out"\nprintf "%%PDF-1.4" > "$out/bao-cao.pdf"\n'
    )
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


@pytest.fixture
def progress_log(monkeypatch):
    calls = []
    original = jobs.report_progress

    def record(job_id, done, total, message=""):
        calls.append((done, total, message))
        original(job_id, done, total, message)

    monkeypatch.setattr(jobs, "report_progress", record)
    return calls


def test_report_job_makes_word_annex_and_says_pdf_needs_libreoffice(
    round, tree, personas, client, no_soffice, progress_log
):
    viewer = personas["province_viewer"]
    job = consolidated.start_report_job(viewer, round, tree["province"])
    assert job.status == Job.Status.DONE, job.error
    assert job.owner == viewer and job.kind == consolidated.JOB_KIND
    assert job.title == "Báo cáo tổng hợp năm 2025: Tỉnh Quảng Ngãi"
    assert job.result_name == "bao-cao-tinh-quang-ngai-2025.docx"
    assert "LibreOffice" in job.message and "máy chủ" in job.message
    (annex,) = job.files.all()
    assert annex.name == "bao-cao-tinh-quang-ngai-2025-phu-luc.xlsx"
    # Progress per step and per sub-unit, never going back.
    messages = [str(m) for _d, _t, m in progress_log]
    assert f"Đang tổng hợp 1/2 đơn vị: {tree['commune'].name}" in messages
    assert f"Đang tổng hợp 2/2 đơn vị: {tree['neighbour'].name}" in messages
    assert "Đang tạo tệp Word" in messages and "Đang tạo phụ lục Excel" in messages
    shares = [int(d * 100 / t) for d, t, _m in progress_log]
    assert shares == sorted(shares)

    client.force_login(viewer)
    response = client.get(reverse("core:job_download", args=[job.pk]))
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    assert document.tables[0].rows[0].cells[0].paragraphs[0].text == "UBND TỈNH QUẢNG NGÃI"
    response = client.get(reverse("core:job_file", args=[job.pk, annex.pk]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["Chỉ tiêu", "Theo đơn vị", "Hoạt động"]
    page = client.get(reverse("core:job", args=[job.pk])).content.decode()
    assert "LibreOffice" in page and "Phụ lục (Excel)" in page
    # Somebody else from the same province does not see it.
    client.force_login(personas["province_approver"])
    assert client.get(reverse("core:job", args=[job.pk])).status_code == 404


def test_report_job_adds_the_pdf_when_libreoffice_is_there(round, tree, personas, fake_soffice):
    job = consolidated.start_report_job(personas["province_approver"], round, tree["province"])
    assert job.status == Job.Status.DONE, job.error
    assert [f.name for f in job.files.all()] == [
        "bao-cao-tinh-quang-ngai-2025-phu-luc.xlsx",
        "bao-cao-tinh-quang-ngai-2025.pdf",
    ]
    assert job.message == "Đã tạo báo cáo (Word), phụ lục (Excel) và bản PDF."
    with job.files.get(name__endswith=".pdf").file.open("rb") as handle:
        assert handle.read() == b"%PDF-1.4"


def test_report_job_refusals_start_nothing(round, tree, personas):
    # A commune's officer cannot make the province's report.
    with translation.override("vi"), pytest.raises(PermissionDenied, match="Bạn không có quyền"):
        consolidated.start_report_job(personas["commune_officer"], round, tree["province"])
    # Hà Nội neither opened nor reports in Quảng Ngãi's round.
    with pytest.raises(ValidationError):
        consolidated.start_report_job(personas["system_admin"], round, tree["other_province"])
    assert not Job.objects.exists()
    # A commune the round asks may make its own report.
    job = consolidated.start_report_job(personas["commune_officer"], round, tree["commune"])
    assert job.status == Job.Status.DONE, job.error
    assert consolidated.can_make_report(personas["commune_officer"], round, tree["commune"])
    assert not consolidated.can_make_report(personas["neighbour_officer"], round, tree["commune"])


@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}})
def test_report_job_fails_clearly_when_rights_were_lost_before_it_ran(round, tree):
    officer = make_user("officer", tree["province"], Role.DATA_OFFICER)
    job = consolidated.start_report_job(officer, round, tree["province"])
    assert job.status == Job.Status.QUEUED
    officer.unit = tree["commune"]
    officer.save()
    jobs.run_job.call(
        job.pk,
        "binhdang.reporting.consolidated.run_report_job",
        {"round_id": round.pk, "unit_id": tree["province"].pk, "pdf": True},
    )
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "Bạn không có quyền lập báo cáo tổng hợp của “Tỉnh Quảng Ngãi”."
    assert not job.result
