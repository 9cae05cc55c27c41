"""The entry form saved one section (objective) at a time: a section's save writes only its own
lines, through the same service and stale checks, and tells the next page what was saved so that
the browser forgets the values it kept for it."""

import re

import pytest
from django.urls import reverse

from binhdang.indicators.forms import section_of
from binhdang.indicators.models import DataValue
from binhdang.indicators.services import lock_year
from binhdang.indicators.tests.test_entry_form import key, opened

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(tree):
    return reverse("indicators:enter", args=[tree["commune"].pk]) + "?year=2025"


@pytest.fixture
def officer(client, personas):
    client.force_login(personas["commune_officer"])
    return personas["commune_officer"]


def _saved_marker(page: str) -> str | None:
    found = re.search(r'id="entry-form"[^>]*data-saved="([^"]*)"', page)
    return found and found.group(1)


def test_a_section_save_writes_its_lines_and_leaves_the_others_untouched(
    client, officer, url, catalogue, tree
):
    wage, ratio = catalogue["2.1"], catalogue["4.1"]
    assert section_of(wage) == "o2" and section_of(ratio) == "o4"
    tab = opened(client, url)
    tab.data.update(
        {
            key(wage, "numerator"): "1.234,5",  # typed the Vietnamese way
            key(wage, "denominator"): "2.000",
            key(ratio, "numerator"): "7",
            key(ratio, "denominator"): "10",
        }
    )
    response = client.post(url, {**tab.data, "section": "o2"})
    assert response.status_code == 302
    assert response["Location"].endswith("/enter/?year=2025#section-o2")
    stored = DataValue.objects.get(indicator=wage, unit=tree["commune"], year=2025)
    assert str(stored.numerator.normalize()) == "1234.5" and stored.denominator == 2000
    assert not DataValue.objects.filter(indicator=ratio).exists()

    # The next page says once that section o2 was saved; a reload does not say it again.
    page = client.get(url).content.decode()
    assert _saved_marker(page) == "o2"
    assert "Đã lưu 1 số liệu của “Mục tiêu 2” năm 2025." in page
    assert _saved_marker(client.get(url).content.decode()) is None

    # The other section, saved next from the same (older) tab, keeps o2 as stored.
    response = client.post(url, {**tab.data, "section": "o4"})
    assert response.status_code == 302
    assert DataValue.objects.get(indicator=ratio).numerator == 7
    assert DataValue.objects.filter(indicator=wage).count() == 1
    assert DataValue.objects.get(indicator=wage).updated_at == stored.updated_at


def test_a_section_save_does_not_touch_another_sections_stored_values(
    client, officer, url, catalogue
):
    wage, ratio = catalogue["2.1"], catalogue["4.1"]
    tab = opened(client, url)
    tab.data.update({key(ratio, "numerator"): "7", key(ratio, "denominator"): "10"})
    assert client.post(url, tab.data).status_code == 302  # the whole form
    before = DataValue.objects.get(indicator=ratio)

    # A stale tab clears 4.1 and types 2.1, then saves objective 2 only: 4.1 stays as stored.
    tab.data.update(
        {
            key(ratio, "numerator"): "9",
            key(ratio, "denominator"): "10",
            key(wage, "numerator"): "1",
            key(wage, "denominator"): "4",
        }
    )
    assert client.post(url, {**tab.data, "section": "o2"}).status_code == 302
    after = DataValue.objects.get(indicator=ratio)
    assert (after.numerator, after.updated_at) == (before.numerator, before.updated_at)
    assert DataValue.objects.get(indicator=wage).numerator == 1


def test_a_mistake_elsewhere_waits_for_its_own_section(client, officer, url, catalogue):
    wage, ratio = catalogue["2.1"], catalogue["4.1"]
    tab = opened(client, url)
    tab.data.update(
        {
            key(wage, "numerator"): "3",
            key(wage, "denominator"): "10",
            key(ratio, "numerator"): "bảy",  # not a number, in objective 4
        }
    )
    assert client.post(url, {**tab.data, "section": "o2"}).status_code == 302
    assert DataValue.objects.get(indicator=wage).numerator == 3

    # Saving objective 4 (or the whole form) shows the mistake and writes nothing.
    for extra in ({"section": "o4"}, {}):
        response = client.post(url, {**tab.data, **extra})
        assert response.status_code == 200
        assert "Không đọc được “bảy” là một số" in response.content.decode()
    assert not DataValue.objects.filter(indicator=ratio).exists()


def test_a_section_save_from_a_stale_tab_is_refused_on_the_changed_line(
    client, officer, url, catalogue
):
    wage = catalogue["2.1"]
    mine = opened(client, url)
    theirs = opened(client, url)
    theirs.data.update({key(wage, "numerator"): "5", key(wage, "denominator"): "10"})
    assert client.post(url, {**theirs.data, "section": "o2"}).status_code == 302

    mine.data.update({key(wage, "numerator"): "4", key(wage, "denominator"): "10"})
    response = client.post(url, {**mine.data, "section": "o2"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "5/10" in page and "4/10" in page and "người khác" in page.lower()
    assert _saved_marker(page) is None  # not saved: the browser keeps what was typed
    assert DataValue.objects.get(indicator=wage).numerator == 5


def test_an_unknown_section_saves_nothing(client, officer, url, catalogue):
    tab = opened(client, url)
    tab.data.update({key(catalogue["2.1"], "numerator"): "1"})
    tab.data[key(catalogue["2.1"], "denominator")] = "2"
    response = client.post(url, {**tab.data, "section": "o99"})
    assert response.status_code == 200
    assert "Phần này của biểu mẫu không tồn tại" in response.content.decode()
    assert not DataValue.objects.exists()


def test_a_section_save_of_a_locked_year_is_refused(
    client, officer, url, catalogue, personas, tree
):
    lock_year(personas["province_approver"], tree["commune"], 2025, "Đã tiếp nhận")
    page = client.get(url).content.decode()
    assert 'name="section"' not in page  # no Save buttons on a locked year
    tab = opened(client, url)
    tab.data.update({key(catalogue["2.1"], "numerator"): "1"})
    page = client.post(url, {**tab.data, "section": "o2"}).content.decode()
    assert page.count("đề nghị đơn vị cấp trên mở khóa") == 1
    assert not DataValue.objects.exists()


def test_the_page_has_a_save_button_per_objective_and_the_phone_keyboards(
    client, officer, url, catalogue, personas
):
    page = client.get(url).content.decode()
    objectives = {section_of(i) for i in catalogue.values()}
    buttons = set(re.findall(r'name="section" value="([^"]+)"', page))
    assert buttons == objectives
    assert "Lưu Mục tiêu 1" in page
    assert f'data-draft-key="binhdang:entry:{officer.pk}:' in page  # never another user's
    field = re.search(rf'<input[^>]*name="{key(catalogue["2.1"], "numerator")}"[^>]*>', page)
    assert 'inputmode="decimal"' in field.group(0)


def test_the_whole_form_save_marks_every_section_saved(client, officer, url, catalogue):
    tab = opened(client, url)
    tab.data.update({key(catalogue["2.1"], "numerator"): "1"})
    tab.data[key(catalogue["2.1"], "denominator")] = "2"
    assert client.post(url, tab.data).status_code == 302
    assert _saved_marker(client.get(url).content.decode()) == "*"


def test_the_draft_key_is_written_without_grouping_whatever_the_keys(client, tree, catalogue):
    """Keys of 1,000 and more are not written "4.321" (the Vietnamese grouping) in the key the
    browser keeps typed values under: one user's key must not depend on the language."""
    from binhdang.accounts.models import Role, User

    user = User.objects.create(
        pk=4321, username="xa.nhaplieu.4321", unit=tree["commune"], role=Role.DATA_OFFICER
    )
    client.force_login(user)
    url = reverse("indicators:enter", args=[tree["commune"].pk]) + "?year=2025"
    page = client.get(url).content.decode()
    assert f'data-draft-key="binhdang:entry:4321:{tree["commune"].pk}:2025"' in page
