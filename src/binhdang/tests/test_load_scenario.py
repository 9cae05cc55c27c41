"""The load benchmark's deadline scenario (bench/load/scenario.py) against the real pages, through
Django's test client with CSRF checks on: a change to the sign-in form, the home page's link, the
entry form's fields or the save's redirect breaks this test rather than silently the benchmark."""

import datetime
import importlib.util
import random
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.core import dates
from binhdang.indicators.models import DataValue
from binhdang.reporting import services

SCENARIO = Path(__file__).resolve().parents[3] / "bench" / "load" / "scenario.py"
_spec = importlib.util.spec_from_file_location("load_scenario", SCENARIO)
scenario = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = scenario  # dataclasses look their module up while the class is made
_spec.loader.exec_module(scenario)


class DjangoClient:
    """The scenario's client over Django's test client; keeps every answer, by page name."""

    def __init__(self):
        self.client = Client(enforce_csrf_checks=True)
        self.seen: list[tuple[str, int]] = []

    def _answer(self, name, response, check):
        answer = scenario.Answer(
            status=response.status_code,
            text=response.content.decode(),
            location=response.get("Location", ""),
        )
        self.seen.append((name, answer.status))
        if failure := check(answer):
            raise failure
        return answer

    def get(self, path, *, name, check):
        return self._answer(name, self.client.get(path), check)

    def post(self, path, data, *, name, check):
        response = self.client.post(path, scenario.encode(data), content_type=scenario.FORM_TYPE)
        return self._answer(name, response, check)


@pytest.fixture
def officer(tree, catalogue, personas):
    """A commune data officer whose province has opened the 2025 round to the commune."""
    services.open_round(
        personas["province_approver"],
        tree["province"],
        name="Báo cáo kết quả thực hiện công tác bình đẳng giới năm 2025",
        kind="annual",
        year=2025,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        deadline=dates.today() + datetime.timedelta(days=14),
        units=[tree["commune"]],
    )
    return personas["commune_officer"]


def test_a_visit_signs_in_saves_the_changed_figures_and_signs_out(officer, tree):
    client = DjangoClient()
    figures = scenario.visit(client, officer.username, "pw-binhdang-2026", rng=random.Random(7))
    assert [name for name, _status in client.seen] == list(scenario.PAGES)
    assert len(figures) == scenario.LINES_CHANGED
    saved = {
        str(v.indicator_id): (v.numerator, v.denominator)
        for v in DataValue.objects.filter(unit=tree["commune"], year=2025, category="")
    }
    assert saved == {pk: (Decimal(n), Decimal(d)) for pk, (n, d) in figures.items()}
    # Signed out: the home page sends the officer to the sign-in page.
    assert client.client.get("/").status_code == 302


def test_a_second_visit_changes_the_saved_lines_again(officer, tree):
    """The form's `was` fields of the second visit carry the first visit's figures: no conflict."""
    client = DjangoClient()
    scenario.visit(client, officer.username, "pw-binhdang-2026", rng=random.Random(1))
    second = scenario.visit(client, officer.username, "pw-binhdang-2026", rng=random.Random(2))
    for pk, (numerator, denominator) in second.items():
        value = DataValue.objects.get(unit=tree["commune"], year=2025, category="", indicator=pk)
        assert (value.numerator, value.denominator) == (numerator, denominator)


def test_a_wrong_password_is_a_failed_sign_in(officer):
    client = DjangoClient()
    with pytest.raises(scenario.Failure) as failure:
        scenario.visit(client, officer.username, "wrong", rng=random.Random(1))
    assert failure.value.kind == scenario.SIGN_IN
    assert client.seen == [("sign-in page", 200), ("sign in", 200)]


def test_an_officer_with_no_report_to_write_is_an_unexpected_answer(tree, catalogue):
    make_user("no_round", tree["commune"], Role.DATA_OFFICER)
    client = DjangoClient()
    with pytest.raises(scenario.Failure, match="no report to write") as failure:
        scenario.visit(client, "no_round", "pw-binhdang-2026", rng=random.Random(1))
    assert failure.value.kind == scenario.UNEXPECTED


@pytest.mark.parametrize(
    "answer, kind",
    [
        (scenario.Answer(0, error="ConnectionRefusedError(111)"), scenario.CONNECTION),
        (scenario.Answer(0), scenario.CONNECTION),
        (scenario.Answer(500), scenario.SERVER_ERROR),
        (scenario.Answer(502), scenario.SERVER_ERROR),
        (scenario.Answer(404), scenario.UNEXPECTED),
        (scenario.Answer(302, location="/login/"), scenario.UNEXPECTED),
    ],
)
def test_no_answer_and_server_errors_are_counted_as_errors(answer, kind):
    assert scenario.expect(200)(answer).kind == kind
    assert scenario.expect(200)(scenario.Answer(200)) is None


@pytest.mark.parametrize(
    "url, loopback",
    [
        ("http://127.0.0.1:8000", True),
        ("http://127.9.9.9:8000", True),
        ("http://localhost:8000", True),
        ("http://[::1]:8000", True),
        ("http://10.0.0.5:8000", False),
        ("http://192.168.1.1", False),
        ("http://binhdang.invalid", False),
        ("", False),
        (None, False),
    ],
)
def test_only_loopback_is_a_target(url, loopback):
    assert scenario.is_loopback(url) is loopback


def test_forms_are_read_as_a_browser_posts_them():
    html = """<form method="post" id="f"><input type="hidden" name="csrfmiddlewaretoken" value="t">
    <input name="a" value="1.234,5"><input type="checkbox" name="off"><input type="checkbox"
    name="on" checked><select name="s"><option value="x">X</option><option value="y" selected>Y
    </option></select><select name="first"><option value="p">P</option></select>
    <textarea name="t">
Thủy lợi &amp; đê điều</textarea><input name="gone" disabled value="z">
    <button name="section" value="o1">Lưu</button></form>"""
    (form,) = scenario.forms(html)
    assert form.attrs["id"] == "f"
    assert form.fields == [
        ("csrfmiddlewaretoken", "t"),
        ("a", "1.234,5"),
        ("on", "on"),
        ("s", "y"),
        ("first", "p"),
        ("t", "Thủy lợi & đê điều"),
    ]
    assert scenario.csrf_token(html) == "t"


def test_changed_lines_are_typed_in_vietnamese_and_skip_lines_with_breakdowns():
    fields = [
        ("1-answer", "1"),
        ("2-numerator", ""),
        ("2-denominator", ""),
        ("2-was", ""),
        ("6-numerator", "1"),
        ("6-denominator", "2"),
        ("6-sex:female-numerator", ""),
    ]
    changed, figures = scenario.change_lines(fields, random.Random(3))
    assert set(figures) == {"2"}  # 6 has breakdowns: its total must agree with them
    numerator, denominator = figures["2"]
    assert 0 <= numerator <= denominator
    typed = dict(changed)
    assert typed["2-denominator"] == scenario.vietnamese(denominator)
    assert typed["6-numerator"] == "1" and typed["2-was"] == ""
    assert scenario.vietnamese(1234567) == "1.234.567"


def test_the_load_benchmark_uses_its_own_database_and_loopback_only():
    """bench/load/run.py follows bench/_own_database.py as the other benchmarks do
    (tests/test_bench_safety.py checks bench/*.py), and serves and loads only 127.0.0.1."""
    source = (SCENARIO.parent / "run.py").read_text()
    order = [
        "_own_database.script_only(__name__)",
        "_own_database.create(",
        "django.setup()",
        "_own_database.guard()",
        "call_command(",  # the first write
    ]
    positions = [source.index(text) for text in order]
    assert positions == sorted(positions)
    for forbidden in ("CREATE DATABASE", "DROP DATABASE", "TRUNCATE", "0.0.0.0"):
        assert forbidden not in source
    assert 'HOST = "127.0.0.1"' in source
    locustfile = (SCENARIO.parent / "locustfile.py").read_text()
    assert "scenario.is_loopback(environment.host)" in locustfile
