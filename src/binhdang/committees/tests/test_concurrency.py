"""No lost update on the committee's edit page (issue 11, item 3)."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from binhdang.core.tests.pages import posted_form

pytestmark = pytest.mark.django_db


def _open(client, url) -> dict:
    return posted_form(client.get(url).content.decode())


def test_stale_second_tab_on_the_committee(client, personas, tree, committee):
    client.force_login(personas["province_admin"])
    url = reverse("committees:edit", args=[committee.pk])
    tab_a, tab_b, tab_c = _open(client, url), _open(client, url), _open(client, url)

    tab_a["name"] = "Ban VSTBPN tỉnh Quảng Ngãi"
    assert client.post(url, tab_a).status_code == 302
    tab_b["standing_unit"] = str(tree["province"].pk)
    assert client.post(url, tab_b).status_code == 302
    committee.refresh_from_db()
    assert (committee.name, committee.standing_unit) == (
        "Ban VSTBPN tỉnh Quảng Ngãi",
        tree["province"],
    )

    stamp, entries = committee.updated_at, LogEntry.objects.count()
    tab_c["name"] = "Ban Vì sự tiến bộ của phụ nữ Quảng Ngãi"
    page = client.post(url, tab_c).content.decode()
    assert (
        "Người khác đã lưu: Ban VSTBPN tỉnh Quảng Ngãi — Bạn nhập: Ban Vì sự tiến bộ của phụ nữ "
        "Quảng Ngãi" in page
    )
    committee.refresh_from_db()
    assert committee.name == "Ban VSTBPN tỉnh Quảng Ngãi" and committee.updated_at == stamp
    assert LogEntry.objects.count() == entries

    # Re-saving the unchanged page twice writes nothing.
    for _ in range(2):
        assert client.post(url, _open(client, url)).status_code == 302
    committee.refresh_from_db()
    assert committee.updated_at == stamp and LogEntry.objects.count() == entries
