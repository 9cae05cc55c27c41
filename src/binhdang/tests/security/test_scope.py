"""The persona matrix beyond units: local indicators, uploaded files, jobs and every kind of
object answer 404 (or 403) to anyone outside the owning unit's scope, for reading and writing."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse

from binhdang.accounts import permissions
from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.core.models import Job, JobFile
from binhdang.indicators.models import Target
from binhdang.indicators.services import set_target

from .conftest import local_indicator as _local

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def hanoi_approver(tree):
    return make_user("hanoi_approver", tree["other_province"], Role.APPROVER)


@pytest.fixture
def locals_(personas, tree, hanoi_approver):
    """A local indicator of Quảng Ngãi and one of Hà Nội, each added by its own approver."""
    return {
        "province": _local(personas["province_approver"], tree["province"]),
        "other_province": _local(hanoi_approver, tree["other_province"], "HN1"),
    }


# Who sees Quảng Ngãi's local indicator: its own people (the province and the communes below it,
# for which it applies) and the system administrator; not Hà Nội, not a ministry.
SEES_PROVINCE_LOCAL = {
    "commune_officer": True,
    "neighbour_officer": True,
    "province_viewer": True,
    "province_approver": True,
    "province_admin": True,
    "ministry_officer": False,
    "system_admin": True,
    "hanoi_approver": False,
}


@pytest.mark.parametrize(("persona", "sees"), SEES_PROVINCE_LOCAL.items())
def test_local_indicators_by_rule(personas, hanoi_approver, locals_, tree, persona, sees):
    user = hanoi_approver if persona == "hanoi_approver" else personas[persona]
    visible = permissions.indicators_for(user)
    assert visible.filter(pk=locals_["province"].pk).exists() == sees
    assert visible.filter(pk=locals_["other_province"].pk).exists() == (
        persona in ("system_admin", "hanoi_approver")
    )
    # At a unit: only the unit's own and its ancestors' local indicators apply there.
    at_commune = permissions.indicators_for(personas["system_admin"], tree["commune"])
    assert at_commune.filter(pk=locals_["province"].pk).exists()
    assert not at_commune.filter(pk=locals_["other_province"].pk).exists()


def test_another_provinces_local_indicator_is_not_on_the_ranking_page(
    client, personas, hanoi_approver, locals_, tree
):
    """The reported leak: Quảng Ngãi's local indicator read through Hà Nội's ranking page."""
    foreign = locals_["province"]
    client.force_login(hanoi_approver)
    url = reverse("indicators:ranking", args=[tree["other_province"].pk, foreign.pk])
    response = client.get(url)
    assert response.status_code == 404
    assert foreign.name_vi not in response.content.decode()
    own = reverse(
        "indicators:ranking", args=[tree["other_province"].pk, locals_["other_province"].pk]
    )
    assert client.get(own).status_code == 200
    # Nor through the system administrator's view of a unit it does not apply to.
    client.force_login(personas["system_admin"])
    assert client.get(url).status_code == 404


def test_another_provinces_approver_cannot_target_a_local_indicator(
    client, personas, hanoi_approver, locals_, tree
):
    """The reported write: Hà Nội's approver set a target on Quảng Ngãi's local indicator."""
    foreign = locals_["province"]
    client.force_login(hanoi_approver)
    url = reverse("indicators:own_target", args=[tree["other_province"].pk, foreign.pk, 2030])
    assert client.get(url).status_code == 404
    assert client.post(url, {"value": "50", "comparator": ">="}).status_code == 404
    with pytest.raises(PermissionDenied):
        set_target(
            hanoi_approver,
            foreign,
            year=2030,
            value=50,
            comparator=">=",
            unit=tree["other_province"],
        )
    assert not Target.objects.filter(indicator=foreign).exists()
    # The province's own approver still sets it.
    client.force_login(personas["province_approver"])
    own = reverse("indicators:own_target", args=[tree["province"].pk, foreign.pk, 2030])
    assert client.post(own, {"value": "50", "comparator": ">="}).status_code == 302
    assert Target.objects.filter(indicator=foreign, unit=tree["province"]).exists()


def test_changing_another_units_local_indicator_is_404(client, personas, hanoi_approver, locals_):
    foreign = locals_["province"]
    client.force_login(hanoi_approver)
    url = reverse("indicators:local_edit", args=[hanoi_approver.unit_id, foreign.pk])
    assert client.post(url, {"number": "X", "name_vi": "Đổi tên"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.number == "ĐP1"


# --- Every kind of object of Quảng Ngãi, against people outside it --------------------------


# (object, URL name, args from the object, method): every page about one object.
URLS = [
    ("committee", "committees:detail", "pk", "get"),
    ("committee", "committees:export_xlsx", "pk", "get"),
    ("committee", "committees:export_docx", "pk", "get"),
    ("committee", "committees:handover", "pk", "get"),
    ("committee", "committees:edit", "pk", "post"),
    ("committee", "committees:reconstitute", "pk", "post"),
    ("decision", "committees:decision_file", "pk", "get"),
    ("decision", "committees:attach_file", "pk", "post"),
    ("plan", "plans:plan", "pk", "get"),
    ("plan", "plans:plan_file", "pk", "get"),
    ("plan", "plans:plan_edit", "pk", "post"),
    ("plan", "plans:plan_approve", "pk", "post"),
    ("plan", "plans:plan_attach", "pk", "post"),
    ("plan", "plans:plan_task_create", "pk", "post"),
    ("task", "plans:task", "pk", "get"),
    ("task", "plans:task_edit", "pk", "post"),
    ("task", "plans:task_update", "pk", "post"),
    ("update", "plans:update_file", "pk", "get"),
    ("inspection", "plans:inspection", "pk", "get"),
    ("inspection", "plans:inspection_edit", "pk", "post"),
    ("activity", "activities:detail", "pk", "get"),
    ("activity", "activities:edit", "pk", "post"),
    ("activity", "activities:delete", "pk", "post"),
    ("commendation", "activities:commendation", "pk", "get"),
    ("commendation", "activities:commendation_edit", "pk", "post"),
    ("commendation", "activities:commendation_approve", "pk", "post"),
    ("commendation", "activities:commendation_reject", "pk", "post"),
    ("commendation", "activities:commendation_withdraw", "pk", "post"),
    ("local", "indicators:ranking", "unit+pk", "get"),
    ("local", "indicators:own_target", "unit+pk+year", "post"),
    ("round", "reporting:round", "pk", "get"),
    ("round", "reporting:missing", "pk", "get"),
    ("round", "reporting:word", "pk", "post"),  # starts a job building the Word report
    ("round", "reporting:close", "pk", "post"),
    ("round", "reporting:reopen", "pk", "post"),
    ("round", "reporting:deadline", "pk", "post"),
    ("round", "reporting:dhis2", "pk", "get"),
    ("round", "reporting:dhis2_start", "pk", "post"),  # starts a push or pull to DHIS2
    ("round", "reporting:dhis2_export", "pk+csv", "get"),
    ("submission", "reporting:submission", "pk", "get"),
    ("submission", "reporting:submission", "pk", "post"),
    ("submission", "reporting:remind", "pk", "post"),
    ("province", "reporting:open", "pk", "post"),
    ("province", "indicators:overview", "pk", "get"),
    ("province", "indicators:enter", "pk", "post"),
    ("province", "indicators:dhis2_export", "pk+csv", "get"),
    ("province", "indicators:excel_template", "pk", "get"),
    ("province", "plans:unit", "pk", "get"),
    ("province", "activities:unit", "pk", "get"),
    ("province", "activities:export_xlsx", "pk", "get"),
    ("province", "activities:commendations", "pk", "get"),
    ("province", "activities:commendations_xlsx", "pk", "get"),
    ("province", "committees:unit", "pk", "get"),
]
OUTSIDERS = ["ministry_officer", "hanoi_approver", "neighbour_officer_of_other_province"]


def _url(name: str, how: str, obj, unit) -> str:
    if how == "pk":
        return reverse(name, args=[obj.pk])
    if how == "pk+csv":
        return reverse(name, args=[obj.pk, "csv"])
    if how == "unit+pk":
        return reverse(name, args=[unit.pk, obj.pk])
    return reverse(name, args=[unit.pk, obj.pk, 2030])


@pytest.fixture
def outsiders(personas, tree, hanoi_approver):
    return {
        "ministry_officer": personas["ministry_officer"],
        "hanoi_approver": hanoi_approver,
        "neighbour_officer_of_other_province": make_user(
            "hanoi_commune", tree["far_commune"], Role.UNIT_ADMIN
        ),
    }


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_every_object_of_another_unit_is_404_to_read_and_write(
    client, personas, objects, outsiders, outsider
):
    """Each page about one of Quảng Ngãi's objects refuses an outsider, and the object's own
    unit may use it (so the refusal is about scope, not a broken address)."""
    user = outsiders[outsider]
    client.force_login(user)
    failures = []
    for key, name, how, method in URLS:
        unit = user.unit  # an outsider names its own unit where the URL takes one
        url = _url(name, how, objects[key], unit)
        response = getattr(client, method)(url, {})
        if response.status_code not in (403, 404):
            failures.append((name, response.status_code))
    assert not failures, failures


@pytest.mark.parametrize(("key", "name", "how", "method"), [u for u in URLS if u[3] == "get"])
def test_the_owning_province_reads_each_page(client, personas, objects, key, name, how, method):
    client.force_login(personas["province_admin"])
    url = _url(name, how, objects[key], objects["province"])
    assert client.get(url).status_code in (200, 302), url  # a unit's committee page redirects


def test_writes_by_outsiders_change_nothing(client, objects, outsiders):
    before = {
        key: obj.__class__.objects.filter(pk=obj.pk).values().get() for key, obj in objects.items()
    }
    for user in outsiders.values():
        client.force_login(user)
        for key, name, how, method in URLS:
            if method == "post":
                client.post(_url(name, how, objects[key], user.unit), {"title": "=Bị sửa"})
    after = {
        key: obj.__class__.objects.filter(pk=obj.pk).values().get() for key, obj in objects.items()
    }
    assert before == after


# --- Uploaded files and jobs ------------------------------------------------------------------


FILE_VIEWERS = {
    # The commune reads its own evidence, and the plan its task comes from (read-only); the
    # committee's decision is the province's alone.
    "commune_officer": {"plan", "update"},
    "neighbour_officer": set(),
    "province_viewer": {"decision", "plan", "update"},
    "province_approver": {"decision", "plan", "update"},
    "province_admin": {"decision", "plan", "update"},
    "ministry_officer": set(),
    "system_admin": {"decision", "plan", "update"},
}
FILE_URLS = {
    "decision": "committees:decision_file",
    "plan": "plans:plan_file",
    "update": "plans:update_file",
}


@pytest.mark.parametrize("persona", list(FILE_VIEWERS))
def test_uploaded_files_by_persona(client, personas, objects, persona):
    client.force_login(personas[persona])
    for key, name in FILE_URLS.items():
        response = client.get(reverse(name, args=[objects[key].pk]))
        expected = 200 if key in FILE_VIEWERS[persona] else 404
        assert response.status_code == expected, (persona, key, response.status_code)
        if expected == 200:
            assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("persona", list(FILE_VIEWERS))
def test_jobs_are_their_owners_only(client, personas, persona):
    owner = personas["province_admin"]
    job = Job.objects.create(
        owner=owner, kind="report", title="Báo cáo", status=Job.Status.DONE, result_name="a.pdf"
    )
    job.result.save("a.pdf", ContentFile(PDF), save=True)
    extra = JobFile(job=job, name="phu-luc.xlsx", content_type="application/octet-stream")
    extra.file.save("b.xlsx", ContentFile(b"PK"), save=True)
    client.force_login(personas[persona])
    expected = 200 if persona == "province_admin" else 404
    for url in (
        reverse("core:job", args=[job.pk]),
        reverse("core:job_download", args=[job.pk]),
        reverse("core:job_file", args=[job.pk, extra.pk]),
    ):
        response = client.get(url)
        assert response.status_code == expected, (persona, url)
        if expected == 200 and url != reverse("core:job", args=[job.pk]):
            assert response["X-Content-Type-Options"] == "nosniff"
