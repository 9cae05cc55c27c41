"""A round's figures exchanged with DHIS2 server to server, against a local stand-in that checks
the requests as DHIS2's Web API documents them (dhis2_standin.py): dry runs change nothing on
either side, a push sends exactly the accepted figures, a pull goes through the import's rules,
and every failure of DHIS2 is a Vietnamese sentence on the job's page with nothing half-written."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from binhdang.core.models import Job
from binhdang.indicators import dhis2 as dhis2_files
from binhdang.indicators import dhis2_client
from binhdang.indicators.models import DataValue
from binhdang.indicators.services import record_value
from binhdang.reporting import dhis2, services
from binhdang.reporting.models import Dhis2Exchange

from .conftest import open_round, send_up
from .dhis2_standin import DATA_SET, TOKEN, StandIn

pytestmark = pytest.mark.django_db


@pytest.fixture
def standin(settings):
    server = StandIn().start()
    settings.DHIS2_URL = server.url
    settings.DHIS2_TOKEN = TOKEN
    settings.DHIS2_USERNAME = settings.DHIS2_PASSWORD = ""
    settings.DHIS2_DATA_SET = DATA_SET
    settings.DHIS2_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def accepted_round(personas, tree, catalogue):
    """Quảng Ngãi's round asking two communes for indicator 1.1: the first commune's report is
    accepted, the neighbour's is a draft; other figures exist beside them."""
    approver, admin = personas["province_approver"], personas["system_admin"]
    round = open_round(
        approver,
        tree["province"],
        units=[tree["commune"], tree["neighbour"]],
        indicators=[catalogue["1.1"]],
    )
    record_value(admin, catalogue["1.1"], tree["commune"], 2025, numerator=3, denominator=10)
    record_value(admin, catalogue["4.1"], tree["commune"], 2025, numerator=5, denominator=10)
    record_value(admin, catalogue["1.1"], tree["commune"], 2026, numerator=3, denominator=10)
    record_value(admin, catalogue["1.1"], tree["neighbour"], 2025, numerator=2, denominator=5)
    record_value(admin, catalogue["1.1"], tree["far_commune"], 2025, numerator=1, denominator=2)
    submission = round.submissions.get(unit=tree["commune"])
    submitted = send_up(personas["commune_officer"], submission)
    services.accept(approver, submitted, version=submitted.version)
    return round


def _snapshot():
    return sorted(
        DataValue.objects.values_list(
            "indicator__code",
            "unit__code",
            "year",
            "category",
            "numerator",
            "denominator",
            "value",
            "note",
        )
    )


def _start(client, user, round, direction, dry_run=False):
    client.force_login(user)
    data = {"direction": direction, **({"dry_run": "1"} if dry_run else {})}
    return client.post(reverse("reporting:dhis2_start", args=[round.pk]), data, follow=True)


def _code(catalogue, number, part):
    return f"{catalogue[number].code}.{part}"


def test_a_dry_run_shows_dhis2s_summary_and_changes_nothing(
    client, personas, accepted_round, standin, catalogue, tree
):
    before = _snapshot()
    page = _start(client, personas["province_approver"], accepted_round, "push", dry_run=True)
    text = page.content.decode()
    assert page.status_code == 200
    assert "DHIS2 sẽ nhập 2, cập nhật 0, bỏ qua 0 và xóa 0 giá trị" in text
    assert 'id="dhis2-summary"' in text and "Gửi lên DHIS2 ngay" in text
    assert standin.violations == []
    (request,) = standin.requests
    assert request["query"]["dryRun"] == "true"
    assert request["query"]["importStrategy"] == "CREATE_AND_UPDATE"
    assert standin.stored == {}  # DHIS2 kept nothing
    assert _snapshot() == before  # nor did we
    exchange = Dhis2Exchange.objects.get()
    assert exchange.dry_run and exchange.values == 2
    assert exchange.summary["imported"] == 2 and exchange.job.status == Job.Status.DONE


def test_a_push_sends_exactly_the_accepted_figures(
    client, personas, accepted_round, standin, catalogue, tree
):
    page = _start(client, personas["province_approver"], accepted_round, "push")
    assert "DHIS2 đã nhập 2, cập nhật 0" in page.content.decode()
    assert standin.violations == []
    code = tree["commune"].code
    # Not the neighbour's draft, not the far commune's, not 4.1 (not requested), not 2026.
    assert {key: v["value"] for key, v in standin.stored.items()} == {
        (_code(catalogue, "1.1", "NUM"), "2025", code, "default"): "3",
        (_code(catalogue, "1.1", "DEN"), "2025", code, "default"): "10",
    }
    # Pushed again, the same figures are updates.
    page = _start(client, personas["province_approver"], accepted_round, "push")
    assert "DHIS2 đã nhập 0, cập nhật 2" in page.content.decode()


def test_a_push_sends_its_records_a_batch_at_a_time_with_progress(
    client, monkeypatch, personas, accepted_round, standin
):
    monkeypatch.setattr(dhis2, "BATCH", 1)
    assert dhis2.accepted_count(personas["province_approver"], accepted_round) == 2
    _start(client, personas["province_approver"], accepted_round, "push")
    assert [r["method"] for r in standin.requests] == ["POST", "POST"]
    exchange = Dhis2Exchange.objects.get()
    assert exchange.values == 2 and exchange.summary["imported"] == 2
    assert exchange.job.progress == 100 and standin.violations == []


def test_conflicts_dhis2_reports_are_listed(client, personas, accepted_round, standin, catalogue):
    standin.unknown_elements = {_code(catalogue, "1.1", "DEN")}
    page = _start(client, personas["province_approver"], accepted_round, "push", dry_run=True)
    text = page.content.decode()
    assert 'id="dhis2-conflicts"' in text
    assert "Data element not found or not accessible" in text
    assert "bỏ qua 1" in text and "1 xung đột" in text
    assert Dhis2Exchange.objects.get().summary["status"] == "WARNING"


def _pulled(unit, catalogue, numerator, denominator):
    base = {
        "period": "2025",
        "orgUnit": unit.code,
        "categoryOptionCombo": "default",
        "attributeOptionCombo": "default",
        "storedBy": "dhis2",
        "created": "2026-01-05T10:00:00.000",
        "lastUpdated": "2026-01-05T10:00:00.000",
        "followup": False,
    }
    return [
        {**base, "dataElement": _code(catalogue, "1.1", "NUM"), "value": str(numerator)},
        {**base, "dataElement": _code(catalogue, "1.1", "DEN"), "value": str(denominator)},
    ]


def test_a_pull_saves_through_the_import_rules(
    client, personas, accepted_round, standin, catalogue, tree
):
    standin.pull_values = _pulled(tree["neighbour"], catalogue, 4, 8)
    before = _snapshot()
    page = _start(client, personas["province_approver"], accepted_round, "pull", dry_run=True)
    assert "DHIS2 gửi 2 giá trị, 1 số liệu; tất cả sẽ được lưu" in page.content.decode()
    assert _snapshot() == before
    (request,) = standin.requests
    assert request["method"] == "GET"
    assert request["query"] == {
        "dataSet": DATA_SET,
        "period": "2025",
        "orgUnit": "P51",
        "children": "true",
        "idScheme": "CODE",
    }
    page = _start(client, personas["province_approver"], accepted_round, "pull")
    assert "DHIS2 gửi 2 giá trị; đã lưu 1 số liệu" in page.content.decode()
    value = DataValue.objects.get(unit=tree["neighbour"], year=2025)
    assert (value.numerator, value.denominator, value.category) == (4, 8, "")
    assert standin.violations == []


@pytest.mark.parametrize(
    ("where", "refusal"),
    [
        ("commune", "đã bị khóa"),  # accepted, so its 2025 figures are locked
        ("far_commune", "không có quyền nhập số liệu"),  # Hà Nội: outside the approver's scope
    ],
)
def test_a_pull_is_refused_whole_on_a_locked_year_or_a_unit_out_of_scope(
    client, personas, accepted_round, standin, catalogue, tree, where, refusal
):
    standin.pull_values = _pulled(tree["neighbour"], catalogue, 4, 8) + _pulled(
        tree[where], catalogue, 1, 1
    )
    before = _snapshot()
    page = _start(client, personas["province_approver"], accepted_round, "pull")
    text = page.content.decode()
    assert "Không hoàn thành được công việc" in text or "could not be finished" in text
    assert refusal in text
    assert _snapshot() == before  # not even the neighbour's good values


@pytest.mark.parametrize(
    ("mode", "direction", "sentence"),
    [
        ("unauthorized", "push", "DHIS2 từ chối thông tin đăng nhập (HTTP 401)"),
        ("html", "push", "không đúng dạng"),
        ("deep", "pull", "không đúng dạng"),
        ("huge", "pull", "lớn hơn 1 MB"),
        ("slow", "push", "không trả lời trong"),
        ("down", "pull", "từ chối kết nối"),
    ],
)
def test_dhis2_failures_are_vietnamese_sentences_and_nothing_is_written(
    client, settings, personas, accepted_round, standin, tree, catalogue, mode, direction, sentence
):
    standin.mode = mode
    standin.pull_values = _pulled(tree["neighbour"], catalogue, 4, 8)
    if mode == "huge":
        settings.IMPORT_MAX_MB = 1
        standin.huge_bytes = 2 * 1024 * 1024
    if mode == "slow":
        settings.DHIS2_TIMEOUT = 0.5
    if mode == "down":
        standin.stop()
    before = _snapshot()
    page = _start(client, personas["province_approver"], accepted_round, direction)
    assert page.status_code == 200
    text = page.content.decode()
    assert sentence in text
    assert 'data-status="failed"' in text
    assert _snapshot() == before
    assert standin.stored == {}
    exchange = Dhis2Exchange.objects.get()
    assert exchange.job.status == Job.Status.FAILED and sentence in exchange.job.error


def test_only_approvers_of_the_opener_exchange(client, personas, accepted_round, standin, tree):
    for persona, status in [
        ("commune_officer", 403),  # sees the round (it asks their commune), may not exchange
        ("province_viewer", 403),
        ("ministry_officer", 404),  # does not see the round at all
    ]:
        client.force_login(personas[persona])
        assert client.get(reverse("reporting:dhis2", args=[accepted_round.pk])).status_code == (
            status
        )
        response = client.post(
            reverse("reporting:dhis2_start", args=[accepted_round.pk]), {"direction": "push"}
        )
        assert response.status_code == status
    with pytest.raises(PermissionDenied):
        dhis2.start_exchange(personas["province_viewer"], accepted_round, "push", dry_run=True)
    assert standin.requests == [] and not Dhis2Exchange.objects.exists()
    client.force_login(personas["system_admin"])
    assert client.get(reverse("reporting:dhis2", args=[accepted_round.pk])).status_code == 200


def test_without_a_connection_nothing_starts(client, settings, personas, accepted_round):
    settings.DHIS2_URL = ""
    page = _start(client, personas["province_approver"], accepted_round, "push", dry_run=True)
    assert "Chưa cấu hình kết nối DHIS2" in page.content.decode()
    assert not Dhis2Exchange.objects.exists()


def test_credentials_never_travel_over_plain_http_to_another_machine(
    settings, personas, accepted_round
):
    settings.DHIS2_URL = "http://dhis2.example.gov.vn"
    settings.DHIS2_TOKEN = TOKEN
    exchange = dhis2.start_exchange(
        personas["province_approver"], accepted_round, "push", dry_run=True
    )
    assert "https://" in exchange.job.error


def test_the_rounds_adx_export_is_what_a_push_sends_and_reads_back(
    client, personas, accepted_round, catalogue, tree
):
    client.force_login(personas["province_approver"])
    response = client.get(reverse("reporting:dhis2_export", args=[accepted_round.pk, "adx"]))
    assert response["Content-Type"] == "application/adx+xml"
    cells = dhis2_files.parse(response.getvalue(), "round.adx")
    assert {(c.record["dataElement"], c.record["orgUnit"], c.record["value"]) for c in cells} == {
        (_code(catalogue, "1.1", "NUM"), tree["commune"].code, "3"),
        (_code(catalogue, "1.1", "DEN"), tree["commune"].code, "10"),
    }


def test_a_dhis2_answer_that_is_not_an_import_summary_is_refused():
    with pytest.raises(ValidationError):
        dhis2_client.read_summary({"response": {"importCount": {"imported": "many"}}})
    with pytest.raises(ValidationError):
        dhis2_client.read_summary({"status": "OK"})
    summary = dhis2_client.read_summary(
        {
            "responseType": "ImportSummary",
            "status": "SUCCESS",
            "importCount": {"imported": 1, "updated": 2, "ignored": 0, "deleted": 0},
        }
    )
    assert (summary.imported, summary.updated) == (1, 2)  # DHIS2 before 2.38: bare summary


def test_the_exchange_page_polls_itself_then_reloads_with_the_summary(
    client, personas, accepted_round, standin
):
    page = _start(client, personas["province_approver"], accepted_round, "push", dry_run=True)
    exchange = Dhis2Exchange.objects.get()
    url = exchange.get_absolute_url()
    Job.objects.filter(pk=exchange.job_id).update(status=Job.Status.RUNNING, progress=50)
    running = client.get(url, headers={"HX-Request": "true"})
    assert f'hx-get="{url}"' in running.content.decode()  # its own page, not the bare job page
    Job.objects.filter(pk=exchange.job_id).update(status=Job.Status.DONE)
    finished = client.get(url, headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true"
    # The round's DHIS2 page lists the exchange with DHIS2's counts.
    listing = client.get(reverse("reporting:dhis2", args=[accepted_round.pk])).content.decode()
    assert url in listing and "DHIS2 sẽ nhập 2" in listing
    assert page.status_code == 200


@pytest.mark.parametrize(
    ("language", "summary", "failure"),
    [
        ("vi", "DHIS2 sẽ nhập 2", "DHIS2 từ chối thông tin đăng nhập"),
        ("en", "DHIS2 would import 2", "DHIS2 refused the credentials"),
    ],
)
def test_the_exchanges_sentences_speak_the_starters_language(
    personas, accepted_round, standin, language, summary, failure
):
    with translation.override(language):
        done = dhis2.start_exchange(
            personas["province_approver"], accepted_round, "push", dry_run=True
        )
        standin.mode = "unauthorized"
        failed = dhis2.start_exchange(
            personas["province_approver"], accepted_round, "push", dry_run=True
        )
    assert summary in done.job.message
    assert failure in failed.job.error
