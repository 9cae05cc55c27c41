"""Plans: periods, approval by decision, superseding, files."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from binhdang.plans import services
from binhdang.plans.models import Plan, PlanKind, PlanStatus

from .files import DOC, DOCX, PDF, PNG, ZIP_NOT_DOCX

pytestmark = pytest.mark.django_db


def _plan(actor, unit, **extra):
    data = {
        "kind": PlanKind.ANNUAL,
        "start_year": 2026,
        "end_year": 2026,
        "title": "Kế hoạch năm 2026",
        **extra,
    }
    return services.create_plan(actor, unit, **data)


def _approve(actor, plan, number="10/KH-UBND", date=datetime.date(2026, 2, 1)):
    return services.approve_plan(actor, plan, decision_number=number, decision_date=date)


def test_a_plan_starts_as_a_draft_and_is_approved_by_its_decision(personas, tree):
    plan = _plan(personas["province_admin"], tree["province"])
    assert plan.status == PlanStatus.DRAFT
    _approve(personas["province_approver"], plan, "123/KH-UBND")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert plan.decision_number == "123/KH-UBND"
    assert plan.approved_by == personas["province_approver"]


def test_approving_a_new_plan_of_the_same_kind_and_period_supersedes_the_old(personas, tree):
    admin = personas["province_admin"]
    old = _plan(admin, tree["province"], kind=PlanKind.MULTI_YEAR, start_year=2026, end_year=2030)
    _approve(admin, old, "1/KH-UBND")
    other_period = _plan(admin, tree["province"])  # annual 2026: not the same kind
    _approve(admin, other_period, "2/KH-UBND")
    new = _plan(admin, tree["province"], kind=PlanKind.MULTI_YEAR, start_year=2026, end_year=2030)
    assert Plan.objects.get(pk=old.pk).status == PlanStatus.APPROVED  # a draft replaces nothing
    _approve(admin, new, "3/KH-UBND", datetime.date(2026, 3, 1))
    old.refresh_from_db()
    assert old.status == PlanStatus.SUPERSEDED and old.superseded_by == new
    assert Plan.objects.get(pk=other_period.pk).status == PlanStatus.APPROVED
    assert Plan.objects.get(pk=new.pk).status == PlanStatus.APPROVED


def test_a_commune_plan_is_not_superseded_by_the_province_plan(personas, tree):
    admin = personas["province_admin"]
    commune_plan = _plan(admin, tree["commune"])
    _approve(admin, commune_plan)
    _approve(admin, _plan(admin, tree["province"]))
    assert Plan.objects.get(pk=commune_plan.pk).status == PlanStatus.APPROVED


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"start_year": 2030, "end_year": 2026, "kind": PlanKind.MULTI_YEAR}, "end_year"),
        ({"start_year": 2026, "end_year": 2027}, "end_year"),  # annual covers one year
        ({"start_year": 2026, "end_year": 2026, "kind": PlanKind.MULTI_YEAR}, "end_year"),
        ({"start_year": 1990, "end_year": 1990}, "start_year"),
        ({"title": "   "}, "title"),
        ({"kind": "weekly"}, "kind"),
        ({"decision_date": datetime.date(2026, 3, 11)}, "decision_date"),  # tomorrow
    ],
)
def test_bad_plans_are_refused_naming_the_field(personas, tree, data, field):
    with pytest.raises(ValidationError) as error:
        _plan(personas["province_admin"], tree["province"], **data)
    assert field in error.value.message_dict
    assert Plan.objects.count() == 0


def test_end_year_before_start_says_so_in_vietnamese(personas, tree):
    with pytest.raises(ValidationError) as error:
        _plan(
            personas["province_admin"],
            tree["province"],
            kind=PlanKind.MULTI_YEAR,
            start_year=2030,
            end_year=2026,
        )
    assert error.value.message_dict["end_year"] == ["Năm kết thúc (2026) trước năm bắt đầu (2030)."]


def test_approval_needs_the_decision_number_and_date(personas, tree):
    plan = _plan(personas["province_admin"], tree["province"])
    with pytest.raises(ValidationError) as error:
        services.approve_plan(
            personas["province_approver"], plan, decision_number=" ", decision_date=None
        )
    assert set(error.value.message_dict) == {"decision_number", "decision_date"}
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_only_approvers_in_scope_approve_and_only_editors_record(personas, tree):
    plan = _plan(personas["province_admin"], tree["province"])
    for who in ("province_viewer", "commune_officer", "ministry_officer"):
        with pytest.raises(PermissionDenied):
            _approve(personas[who], plan)
    with pytest.raises(PermissionDenied):
        _plan(personas["province_viewer"], tree["province"])
    with pytest.raises(PermissionDenied):
        _plan(personas["neighbour_officer"], tree["commune"])
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_an_approved_plan_is_not_edited_and_is_approved_once(personas, tree):
    admin = personas["province_admin"]
    plan = _approve(admin, _plan(admin, tree["province"]))
    with pytest.raises(ValidationError):
        services.update_plan(
            admin, plan, kind=PlanKind.ANNUAL, start_year=2026, end_year=2026, title="Khác"
        )
    with pytest.raises(ValidationError):
        _approve(admin, plan)
    assert Plan.objects.get(pk=plan.pk).title == "Kế hoạch năm 2026"


def test_moving_a_draft_after_its_tasks_deadlines_is_refused(personas, tree, plan, commune_task):
    with pytest.raises(ValidationError) as error:
        services.update_plan(
            personas["province_admin"],
            plan,
            kind=PlanKind.ANNUAL,
            start_year=2027,
            end_year=2027,
            title=plan.title,
        )
    assert "start_year" in error.value.message_dict
    assert Plan.objects.get(pk=plan.pk).start_year == 2026


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("kh.pdf", PDF, "pdf"),
        ("kh.docx", DOCX, "docx"),
        ("kh.png", PNG, "png"),
    ],
)
def test_pdf_word_and_images_are_accepted(personas, tree, name, content, kind):
    plan = _plan(personas["province_admin"], tree["province"])
    services.attach_plan_file(personas["province_admin"], plan, SimpleUploadedFile(name, content))
    plan.refresh_from_db()
    assert plan.file.name.endswith(name.rsplit(".", 1)[1])


@pytest.mark.parametrize(
    "content",
    # An old Word file (OLE2) may carry macros and is no longer accepted: save it as DOCX or PDF.
    [b"MZ\x90\x00 an executable", ZIP_NOT_DOCX, b"<html>not a pdf</html>", DOC],
)
def test_files_of_the_wrong_type_are_refused(personas, tree, content):
    with pytest.raises(ValidationError) as error:
        _plan(
            personas["province_admin"],
            tree["province"],
            file=SimpleUploadedFile("kh.pdf", content),
        )
    assert error.value.message_dict["file"] == [
        "Chỉ nhận tệp PDF, Word (DOCX) hoặc ảnh (PNG, JPEG)."
    ]
    assert Plan.objects.count() == 0


@override_settings(DECISION_FILE_MAX_MB=1)
@pytest.mark.parametrize("content", [PDF, DOCX])
def test_files_over_the_size_limit_are_refused(personas, tree, content):
    big = SimpleUploadedFile("kh.bin", content + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as error:
        _plan(personas["province_admin"], tree["province"], file=big)
    assert error.value.message_dict["file"] == ["Tệp lớn hơn 1 MB."]
    assert Plan.objects.count() == 0
