"""The entry form as an officer uses it: numbers written the Vietnamese way, values shown back
the same way, yes/no answers that survive re-saving, bounds, stale second tabs and locks."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from binhdang.core.numbers import read_number, write_number
from binhdang.indicators import sums
from binhdang.indicators.models import DataValue, Measure
from binhdang.indicators.services import lock_year, record_value, save_local_indicator

pytestmark = pytest.mark.django_db


class _Form(HTMLParser):
    """What a browser would post back: every named input, select and textarea of the entry
    form (not the top bar's language form, whose `next` would say where to go after saving)."""

    def __init__(self):
        super().__init__()
        self.data, self.disabled = {}, set()
        self._select = self._textarea = None
        self._inside = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._inside = attrs.get("id") == "entry-form"
        if not self._inside:
            return
        name = attrs.get("name")
        if name and "disabled" in attrs:
            self.disabled.add(name)
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            self.data[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def opened(client, url) -> _Form:
    """The entry page as loaded in a browser tab."""
    response = client.get(url)
    assert response.status_code == 200
    form = _Form()
    form.feed(response.content.decode())
    return form


def key(indicator, name, category=""):
    return f"{indicator.pk}-{category}-{name}" if category else f"{indicator.pk}-{name}"


@pytest.fixture
def url(tree):
    return reverse("indicators:enter", args=[tree["commune"].pk]) + "?year=2025"


@pytest.fixture
def officer(client, personas):
    client.force_login(personas["commune_officer"])
    return personas["commune_officer"]


def test_vietnamese_numbers_are_read_as_written_and_shown_back_the_same_way(
    client, officer, url, catalogue, tree
):
    wage, ratio = catalogue["2.1"], catalogue["4.1"]
    tab = opened(client, url)
    tab.data.update(
        {
            key(wage, "numerator"): "1.250",
            key(wage, "denominator"): "2.400",
            key(ratio, "numerator"): "120",
            key(ratio, "denominator"): "1.100",
        }
    )
    assert client.post(url, tab.data).status_code == 302
    stored = DataValue.objects.get(indicator=wage, unit=tree["commune"], year=2025)
    assert (stored.numerator, stored.denominator) == (1250, 2400)
    other = DataValue.objects.get(indicator=ratio, unit=tree["commune"], year=2025)
    assert (other.numerator, other.denominator) == (120, 1100)

    again = opened(client, url)
    assert again.data[key(wage, "numerator")] == "1.250"
    assert again.data[key(wage, "denominator")] == "2.400"
    assert again.data[key(ratio, "denominator")] == "1.100"
    page = client.get(url).content.decode()
    assert "E+" not in page


def test_decimals_are_written_with_a_comma_and_dotted_decimals_refused(
    client, officer, url, catalogue, tree
):
    wage = catalogue["2.1"]
    tab = opened(client, url)
    tab.data.update({key(wage, "numerator"): "12,5", key(wage, "denominator"): "1.000"})
    assert client.post(url, tab.data).status_code == 302
    assert DataValue.objects.get(indicator=wage).numerator == Decimal("12.5")
    assert opened(client, url).data[key(wage, "numerator")] == "12,5"

    tab = opened(client, url)
    tab.data[key(wage, "numerator")] = "12.5"  # an English-style decimal: ambiguous, refused
    page = client.post(url, tab.data).content.decode()
    assert "Không đọc được “12.5” là một số" in page
    assert DataValue.objects.get(indicator=wage).numerator == Decimal("12.5")


@pytest.mark.parametrize("typed", ["1000000000000000", "1.000.000.000.000.000", "1e30", "1E+30"])
def test_an_oversized_figure_is_refused_with_a_clear_message(
    client, officer, url, catalogue, typed
):
    wage = catalogue["4.1"]  # a ratio: no "numerator ≤ denominator" rule to hide behind
    tab = opened(client, url)
    tab.data.update({key(wage, "numerator"): typed, key(wage, "denominator"): "10"})
    response = client.post(url, tab.data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Số liệu phải nhỏ hơn 100.000.000.000" in page or "Không đọc được" in page
    assert not DataValue.objects.exists()


def test_the_service_bounds_figures_whoever_calls_it(catalogue, personas, tree):
    admin = personas["system_admin"]
    for kwargs in (
        {"numerator": Decimal("1e15"), "denominator": 10},
        {"numerator": Decimal("1e30"), "denominator": 10},
        {"numerator": Decimal("0.00001"), "denominator": 10},
        {
            "numerator": Decimal("99999999999"),
            "denominator": Decimal("0.0001"),
        },  # a value no column holds
    ):
        with pytest.raises(Exception) as refused:
            record_value(admin, catalogue["4.1"], tree["commune"], 2025, **kwargs)
        assert refused.typename == "ValidationError"
    with pytest.raises(Exception) as guessed:  # text is never guessed: 1.250 is not 1,25
        record_value(
            admin, catalogue["4.1"], tree["commune"], 2025, numerator="1.25", denominator=2
        )
    assert guessed.typename == "ValidationError"
    row = record_value(
        admin, catalogue["4.1"], tree["commune"], 2025, numerator="1.250", denominator=2
    )
    assert row.numerator == 1250
    assert not DataValue.objects.filter(numerator__gt=10**11).exists()


def test_a_yes_answer_reopens_as_yes_and_survives_resaving(client, officer, url, catalogue, tree):
    milestone, leaders, wage = catalogue["5.3"], catalogue["1.1"], catalogue["2.1"]
    tab = opened(client, url)
    tab.data.update(
        {
            key(milestone, "answer"): "1",
            key(leaders, "answer"): "1",
            key(wage, "numerator"): "3",
            key(wage, "denominator"): "10",
        }
    )
    assert client.post(url, tab.data).status_code == 302
    again = opened(client, url)
    assert again.data[key(milestone, "answer")] == "1"
    assert again.data[key(leaders, "answer")] == "1"
    page = client.get(url).content.decode()
    assert 'value="1" selected>Có' in page

    # Correcting another line leaves the yes answers alone, and writes only that line.
    before = {v.pk: v.updated_at for v in DataValue.objects.all()}
    again.data[key(wage, "numerator")] = "4"
    for _round in range(3):
        assert client.post(url, again.data).status_code == 302
        again = opened(client, url)
    assert DataValue.objects.get(indicator=milestone).value == 1
    assert DataValue.objects.get(indicator=leaders).numerator == 1
    after = {v.pk: v.updated_at for v in DataValue.objects.all()}
    changed = [pk for pk in after if after[pk] != before[pk]]
    assert changed == [DataValue.objects.get(indicator=wage).pk]


def test_untouched_lines_are_not_rewritten(client, officer, url, catalogue):
    tab = opened(client, url)
    tab.data.update(
        {key(catalogue["2.1"], "numerator"): "3", key(catalogue["2.1"], "denominator"): "10"}
    )
    client.post(url, tab.data)
    entries = LogEntry.objects.count()
    response = client.post(url, opened(client, url).data, follow=True)
    assert "Đã lưu 0 số liệu" in response.content.decode()
    assert LogEntry.objects.count() == entries


def test_a_stale_tab_does_not_undo_another_officers_change(
    client, officer, url, catalogue, personas, tree
):
    wage, ratio = catalogue["2.1"], catalogue["4.1"]
    first = opened(client, url)
    first.data.update({key(wage, "numerator"): "3", key(wage, "denominator"): "10"})
    client.post(url, first.data)
    mine = opened(client, url)  # this officer's tab, opened now
    # Meanwhile a colleague corrects 2.1 from their own tab.
    theirs = opened(client, url)
    theirs.data.update({key(wage, "numerator"): "5"})
    assert client.post(url, theirs.data).status_code == 302

    # A change to another line from the stale tab is saved, and 2.1 is not undone.
    mine.data.update({key(ratio, "numerator"): "7", key(ratio, "denominator"): "10"})
    assert client.post(url, mine.data).status_code == 302
    assert DataValue.objects.get(indicator=wage).numerator == 5
    assert DataValue.objects.get(indicator=ratio).numerator == 7

    # A change to the same line from a stale tab is refused, showing both and keeping mine.
    stale = first
    stale.data.update(
        {key(wage, "numerator"): "4", key(ratio, "numerator"): "8", key(ratio, "denominator"): "10"}
    )
    stale.data[key(ratio, "was")] = opened(client, url).data[key(ratio, "was")]
    response = client.post(url, stale.data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "5/10" in page and "4/10" in page and "người khác" in page.lower()
    assert DataValue.objects.get(indicator=wage).numerator == 5
    assert DataValue.objects.get(indicator=ratio).numerator == 8  # the other line was saved
    shown = _Form()
    shown.feed(page)
    assert shown.data[key(wage, "numerator")] == "4"  # what I typed is kept
    # Saving again, knowingly, replaces theirs.
    assert client.post(url, shown.data).status_code == 302
    assert DataValue.objects.get(indicator=wage).numerator == 4


def test_a_locked_year_is_read_only_with_one_notice(
    client, officer, url, catalogue, personas, tree
):
    record_value(officer, catalogue["2.1"], tree["commune"], 2025, numerator=3, denominator=10)
    lock_year(
        personas["province_approver"],
        tree["commune"],
        2025,
        "Báo cáo đã được tiếp nhận: Báo cáo năm 2025",
    )
    page = client.get(url).content.decode()
    assert page.count('id="lock-notice"') == 1
    assert "Báo cáo năm 2025" in page and "province_approver" in page
    assert tree["province"].name in page  # who may unlock
    tab = opened(client, url)
    assert key(catalogue["2.1"], "numerator") in tab.disabled
    tab.data.update(
        {key(catalogue["2.2"], "numerator"): "1", key(catalogue["2.2"], "denominator"): "2"}
    )
    page = client.post(url, tab.data).content.decode()
    assert page.count("đề nghị đơn vị cấp trên mở khóa") == 1  # one refusal, not one per line
    assert DataValue.objects.count() == 1


# Re-saving unchanged forms of every measure type changes nothing (Hypothesis).


def _written(value, places=0) -> str:
    return write_number(Decimal(value).scaleb(-places), language="vi")


def _quotient(draw, share: bool):
    places = draw(st.sampled_from([0, 0, 2]))
    denominator = draw(st.integers(100 if places else 1, 10**9))
    top = denominator if share else 10**6  # a rate's value (× 100.000) stays in its column
    numerator = draw(st.integers(0, top))
    return _written(numerator, places), _written(denominator, places)


@st.composite
def entry_lines(draw, lines):
    """Random figures for some lines of the form, written as a Vietnamese officer writes them."""
    typed = {}
    for indicator, asks in lines:
        if not draw(st.booleans()):
            continue
        if asks or indicator.measure == Measure.MILESTONE:
            typed[key(indicator, "answer")] = draw(st.sampled_from(["1", "0"]))
        elif indicator.measure == Measure.COUNT:
            typed[key(indicator, "value")] = _written(draw(st.integers(0, 10**10)))
        else:
            share = indicator.measure == Measure.SHARE
            numerator, denominator = _quotient(draw, share)
            typed[key(indicator, "numerator")] = numerator
            typed[key(indicator, "denominator")] = denominator
            if "sex" in indicator.disaggregations and draw(st.booleans()):
                typed[key(indicator, "numerator", "sex:female")] = "0"
                typed[key(indicator, "denominator", "sex:female")] = denominator
        if draw(st.booleans()):
            typed[key(indicator, "note")] = draw(st.sampled_from(["Thống kê lại", "Ước tính"]))
    return typed


def _snapshot():
    return {
        (v.indicator_id, v.unit_id, v.category): (
            v.numerator,
            v.denominator,
            v.value,
            v.note,
            v.updated_at,
        )
        for v in DataValue.objects.all()
    }


@pytest.fixture
def forms(catalogue, personas, tree):
    """The commune's form (shares, a ratio, rates, yes/no targets, a milestone) and the
    province's, with a local count."""
    count = save_local_indicator(
        personas["province_approver"],
        tree["province"],
        number="ĐP1",
        name_vi="Số lớp tập huấn về bình đẳng giới",
        measure=Measure.COUNT,
        direction="higher",
        dimensions=[],
    )
    commune, province = tree["commune"], tree["province"]
    indicators = list(catalogue.values())
    return [
        (
            personas["commune_officer"],
            reverse("indicators:enter", args=[commune.pk]) + "?year=2025",
            [(i, i.asks_yes_no(commune)) for i in indicators],
        ),
        (
            personas["province_approver"],
            reverse("indicators:enter", args=[province.pk]) + "?year=2025",
            [(i, False) for i in indicators] + [(count, False)],
        ),
    ]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_resaving_an_unchanged_form_changes_nothing(client, forms, data):
    DataValue.objects.all().delete()
    sums.rebuild()  # deleted around the services: the roll-up's sums too
    user, url, lines = data.draw(st.sampled_from(forms))
    client.force_login(user)
    typed = data.draw(entry_lines(lines))
    tab = opened(client, url)
    tab.data.update(typed)
    response = client.post(url, tab.data)
    assert response.status_code == 302, response.content.decode()[:3000]
    stored = _snapshot()

    again = opened(client, url)
    for name, text in typed.items():  # shown back as typed (same number, Vietnamese writing)
        shown = again.data[name]
        if name.endswith(("-numerator", "-denominator", "-value")):
            assert read_number(shown, "vi") == read_number(text, "vi"), name
        else:
            assert shown == text, name
    entries = LogEntry.objects.count()
    for _round in range(2):
        assert client.post(url, again.data).status_code == 302
        again = opened(client, url)
    assert _snapshot() == stored
    assert LogEntry.objects.count() == entries


def test_two_tabs_typing_the_same_correction_is_no_conflict(client, officer, url, catalogue):
    wage = catalogue["2.1"]
    first, second = opened(client, url), opened(client, url)
    for tab in (first, second):
        tab.data.update({key(wage, "numerator"): "1", key(wage, "denominator"): "3"})
        assert client.post(url, tab.data).status_code == 302
    assert DataValue.objects.get(indicator=wage).numerator == 1


def test_the_form_says_how_to_write_numbers(client, officer, url, catalogue):
    assert "1.250 là một nghìn hai trăm năm mươi, 12,5" in client.get(url).content.decode()
