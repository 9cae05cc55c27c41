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


def _row(tab: dict, name: str) -> str:
    """The formset prefix of the row holding a member's name ("form-2")."""
    return next(key[: -len("-full_name")] for key, value in tab.items() if value == name)


def _decision(tab: dict, number: str, date: str) -> dict:
    return {**tab, "number": number, "date": date, "confirm": "1"}


def test_stale_member_list_keeps_changes_saved_meanwhile(client, personas, committee):
    client.force_login(personas["province_admin"])
    url = reverse("committees:reconstitute", args=[committee.pk])
    tab_a, tab_b, tab_c = _open(client, url), _open(client, url), _open(client, url)

    chi = _row(tab_a, "Lê Thị Chi")
    tab_a[f"{chi}-title"] = "Chủ tịch Hội LHPN tỉnh"
    tab_a.update(
        {"form-4-full_name": "Võ Thị Hạnh", "form-4-sex": "female", "form-4-role": "member"}
    )
    assert client.post(url, _decision(tab_a, "20/QĐ-UBND", "01/06/2024")).status_code == 302

    # Tab B started before decision 20 and changes another member's phone only.
    dung = _row(tab_b, "Phạm Văn Dũng")
    tab_b[f"{dung}-phone"] = "0905 123 456"
    assert client.post(url, _decision(tab_b, "25/QĐ-UBND", "01/07/2024")).status_code == 302
    latest = committee.decisions.order_by("-date").first()
    assert latest.number == "25/QĐ-UBND"
    members = {m.person.full_name: m.person for m in latest.memberships.select_related("person")}
    assert "Võ Thị Hạnh" in members  # added by tab A, not dropped by tab B's older list
    assert members["Lê Thị Chi"].title == "Chủ tịch Hội LHPN tỉnh"  # not written back
    assert members["Phạm Văn Dũng"].phone == "0905 123 456"

    # Tab C changes the title tab A changed: refused with both values, no decision recorded.
    tab_c[f"{_row(tab_c, 'Lê Thị Chi')}-title"] = "Phó Giám đốc Sở Y tế"
    response = client.post(url, _decision(tab_c, "30/QĐ-UBND", "01/08/2024"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Lê Thị Chi — Chức vụ" in page
    assert "Người khác đã lưu: Chủ tịch Hội LHPN tỉnh — Bạn nhập: Phó Giám đốc Sở Y tế" in page
    assert committee.decisions.order_by("-date").first().number == "25/QĐ-UBND"
