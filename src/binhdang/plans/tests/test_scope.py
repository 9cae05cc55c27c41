"""Who sees which task: from above, what one assigned, and nothing of the neighbours (404)."""

import datetime

import pytest
from django.urls import reverse

from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.orgunits.models import OrgUnit
from binhdang.plans import queries, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def department(tree, personas):
    return OrgUnit.objects.create(
        code="P51-SNV", name="Sở Nội vụ", kind="provincial_department", parent=tree["province"]
    )


def _task(actor, by, lead, **extra):
    return services.create_task(
        actor,
        assigned_by=by,
        lead_unit=lead,
        title=extra.pop("title", "Nhiệm vụ"),
        deadline=datetime.date(2026, 5, 1),
        **extra,
    )


def test_a_commune_sees_tasks_assigned_to_it_from_anywhere_above(personas, tree, commune_task):
    from_nation = _task(
        personas["system_admin"], tree["nation"], tree["commune"], title="Trung ương"
    )
    shared = _task(
        personas["province_admin"],
        tree["province"],
        tree["neighbour"],
        collaborating_units=[tree["commune"]],
        title="Phối hợp",
    )
    seen = set(queries.visible_tasks(personas["commune_officer"]))
    assert seen == {commune_task, from_nation, shared}
    assert set(queries.tasks_of_unit(personas["commune_officer"], tree["commune"])) == seen


def test_a_superior_sees_every_task_it_assigned_and_below(personas, tree, commune_task, department):
    by_department = _task(personas["province_admin"], department, department, title="Sở")
    by_nation_to_province = _task(
        personas["system_admin"], tree["nation"], tree["province"], title="Giao tỉnh"
    )
    nation_elsewhere = _task(personas["system_admin"], tree["nation"], tree["far_commune"])
    seen = set(queries.visible_tasks(personas["province_viewer"]))
    assert seen == {commune_task, by_department, by_nation_to_province}
    assert nation_elsewhere not in seen
    assert set(queries.tasks_assigned_by(personas["province_viewer"], tree["province"])) == {
        commune_task
    }
    assert set(queries.visible_tasks(personas["system_admin"])) == {
        commune_task,
        by_department,
        by_nation_to_province,
        nation_elsewhere,
    }


def test_neighbours_and_other_branches_see_nothing(personas, tree, commune_task, client):
    for who in ("neighbour_officer", "ministry_officer"):
        assert not queries.visible_tasks(personas[who]).exists()
        client.force_login(personas[who])
        assert client.get(reverse("plans:task", args=[commune_task.pk])).status_code == 404
        assert client.get(reverse("plans:task_update", args=[commune_task.pk])).status_code == 404
        assert client.get(reverse("plans:plan", args=[commune_task.plan_id])).status_code == 404
        listing = client.get(reverse("plans:tasks")).content.decode()
        assert commune_task.title not in listing


def test_a_commune_reads_the_plan_its_task_comes_from_but_not_the_others(
    personas, tree, commune_task, client
):
    other = _task(
        personas["province_admin"], tree["province"], tree["neighbour"], title="Của xã bên"
    )
    other.plan = commune_task.plan
    other.save()
    client.force_login(personas["commune_officer"])
    page = client.get(reverse("plans:plan", args=[commune_task.plan_id])).content.decode()
    assert commune_task.title in page
    assert "Của xã bên" not in page
    assert "Thêm nhiệm vụ" not in page  # read-only


def test_a_commune_viewer_sees_but_cannot_report(tree, commune_task, client):
    viewer = make_user("commune_viewer", tree["commune"], Role.VIEWER)
    client.force_login(viewer)
    assert client.get(reverse("plans:task", args=[commune_task.pk])).status_code == 200
    assert client.get(reverse("plans:task_update", args=[commune_task.pk])).status_code == 403
    assert client.get(reverse("plans:task_edit", args=[commune_task.pk])).status_code == 403


def test_the_commune_cannot_edit_what_the_province_assigned(personas, commune_task, client):
    client.force_login(personas["commune_officer"])
    assert client.get(reverse("plans:task_edit", args=[commune_task.pk])).status_code == 403
    assert client.get(reverse("plans:task_update", args=[commune_task.pk])).status_code == 200


def test_unit_pages_and_filters_outside_scope_are_404(personas, tree, client):
    client.force_login(personas["commune_officer"])
    for url in (
        reverse("plans:unit", args=[tree["neighbour"].pk]),
        reverse("plans:plan_create", args=[tree["province"].pk]),
        reverse("plans:tasks") + f"?unit={tree['neighbour'].pk}",
        reverse("plans:missing") + f"?unit={tree['province'].pk}",
        reverse("plans:inspections") + f"?unit={tree['province'].pk}",
        reverse("plans:plans") + f"?unit={tree['province'].pk}",
    ):
        assert client.get(url).status_code == 404, url
