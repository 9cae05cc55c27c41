"""Figures through the API: read with the roll-up and the verdict; written all or nothing with
the entry form's rules, locks and versions; errors as problem details in the asked language."""

import pytest
from auditlog.models import LogEntry

from binhdang.indicators.models import DataValue
from binhdang.indicators.services import lock_year, record_value

pytestmark = pytest.mark.django_db

ENTRIES = "/api/v1/figures/entries"


@pytest.fixture
def officer(personas, token_for):
    return token_for(personas["commune_officer"])


def _body(tree, *lines, year=2025):
    return {"unit": tree["commune"].pk, "year": year, "lines": list(lines)}


def test_figures_are_written_and_read_back_rolled_up_with_the_verdict(
    officer, personas, tree, catalogue, token_for
):
    wage = catalogue["2.1"]
    response = officer.post(
        ENTRIES,
        _body(tree, {"indicator": wage.pk, "numerator": 3, "denominator": 10, "note": "Rà soát"}),
    )
    assert response.status_code == 200, response.content
    assert response.json()["saved"] == 1
    row = DataValue.objects.get(indicator=wage, unit=tree["commune"], year=2025)
    assert (row.numerator, row.denominator) == (3, 10)
    # The province approver reads the province's figure rolled up from the commune.
    approver = token_for(personas["province_approver"])
    found = approver.get(
        "/api/v1/figures",
        {"unit": tree["province"].pk, "year": 2025, "indicator": wage.pk},
    ).json()["items"]
    assert len(found) == 1
    figure = found[0]
    assert (figure["numerator"], figure["denominator"], figure["value"]) == (3, 10, 30)
    assert figure["entries"] == 1
    assert figure["verdict"] in ("met", "not_met", "no_target")
    assert figure["text"] == "30,0%"
    # Each sub-unit's figure, too.
    children = approver.get(
        "/api/v1/figures",
        {"unit": tree["province"].pk, "year": 2025, "indicator": wage.pk, "children": "true"},
    ).json()
    assert any(
        item["unit_id"] == tree["commune"].pk and item["value"] == 30 for item in children["items"]
    )


def test_one_bad_line_writes_nothing_and_names_the_line(officer, tree, catalogue):
    wage, ratio = catalogue["2.1"], catalogue["4.1"]
    response = officer.post(
        ENTRIES,
        _body(
            tree,
            {"indicator": ratio.pk, "numerator": 7, "denominator": 10},
            {"indicator": wage.pk, "numerator": 12, "denominator": 10},
        ),
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "invalid"
    assert problem["errors"]["lines.1.numerator"] == ["Tử số không được lớn hơn mẫu số."]
    assert not DataValue.objects.exists()


def test_messages_follow_accept_language(personas, tree, catalogue, token_for):
    english = token_for(personas["commune_officer"], language="en")
    response = english.post(
        ENTRIES, _body(tree, {"indicator": catalogue["2.1"].pk, "numerator": 12, "denominator": 10})
    )
    problem = response.json()
    assert problem["errors"]["lines.0.numerator"] == [
        "The numerator cannot be greater than the denominator."
    ]
    assert problem["title"] == "Some values are not accepted."
    assert response["Content-Language"] == "en"


def test_numbers_as_text_are_refused(officer, tree, catalogue):
    for typed in ("1.234,5", "3", "ba"):
        response = officer.post(
            ENTRIES,
            _body(tree, {"indicator": catalogue["2.1"].pk, "numerator": typed, "denominator": 10}),
        )
        assert response.status_code == 422, typed
        errors = response.json()["errors"]
        assert errors["body.lines.0.numerator"] == [
            "Gửi số liệu dưới dạng số JSON (1234.5), không phải dạng chữ."
        ]
    assert not DataValue.objects.exists()


def test_decimals_keep_their_digits(officer, tree, catalogue):
    # 0.1 as a binary float is 0.1000000000000000055…; the API reads the digits as written.
    response = officer.client.post(
        ENTRIES,
        f'{{"unit": {tree["commune"].pk}, "year": 2025, "lines": [{{"indicator": '
        f'{catalogue["2.1"].pk}, "numerator": 1234.5678, "denominator": 10000.1}}]}}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {officer.text}"},
    )
    assert response.status_code == 200, response.content
    row = DataValue.objects.get()
    assert (str(row.numerator.normalize()), str(row.denominator.normalize())) == (
        "1234.5678",
        "10000.1",
    )


def test_a_line_with_half_a_quotient_is_refused_on_the_line(officer, tree, catalogue):
    response = officer.post(
        ENTRIES, _body(tree, {"indicator": catalogue["2.1"].pk, "numerator": 3})
    )
    assert response.status_code == 422
    assert response.json()["errors"]["lines.0.__all__"] == ["Nhập cả tử số và mẫu số."]


def test_a_stale_version_is_409_with_the_current_value_and_writes_nothing(
    officer, personas, tree, catalogue
):
    wage, ratio = catalogue["2.1"], catalogue["4.1"]
    officer.post(ENTRIES, _body(tree, {"indicator": wage.pk, "numerator": 3, "denominator": 10}))
    read = officer.get(ENTRIES, {"unit": tree["commune"].pk, "year": 2025}).json()["items"]
    version = read[0]["version"]
    # A colleague corrects it through the entry form's service meanwhile.
    record_value(
        personas["commune_officer"], wage, tree["commune"], 2025, numerator=5, denominator=10
    )
    response = officer.post(
        ENTRIES,
        _body(
            tree,
            {"indicator": ratio.pk, "numerator": 7, "denominator": 10},
            {"indicator": wage.pk, "numerator": 4, "denominator": 10, "version": version},
        ),
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "stale"
    (conflict,) = problem["conflicts"]
    assert conflict["line"] == 1 and conflict["current"]["numerator"] == 5
    assert DataValue.objects.get(indicator=wage).numerator == 5
    assert not DataValue.objects.filter(indicator=ratio).exists()  # all or nothing
    # Sending it again with the new version replaces theirs, knowingly.
    response = officer.post(
        ENTRIES,
        _body(
            tree,
            {
                "indicator": wage.pk,
                "numerator": 4,
                "denominator": 10,
                "version": conflict["version"],
            },
        ),
    )
    assert response.status_code == 200
    assert DataValue.objects.get(indicator=wage).numerator == 4


def test_a_locked_year_is_409_with_the_lock_s_notice(officer, personas, tree, catalogue):
    lock_year(personas["province_approver"], tree["commune"], 2025, "Đã tiếp nhận")
    response = officer.post(
        ENTRIES, _body(tree, {"indicator": catalogue["2.1"].pk, "numerator": 3, "denominator": 10})
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "locked"
    assert "đã bị khóa" in problem["detail"]
    assert not DataValue.objects.exists()


def test_a_write_is_audited_as_the_user_and_marked_as_api(officer, personas, tree, catalogue):
    officer.post(
        ENTRIES, _body(tree, {"indicator": catalogue["2.1"].pk, "numerator": 3, "denominator": 10})
    )
    entry = LogEntry.objects.filter(content_type__model="datavalue").latest("timestamp")
    assert entry.actor == personas["commune_officer"]
    assert entry.additional_data["via"] == "api"
    assert entry.additional_data["token"] == personas["commune_officer"].access_tokens.get().prefix
    assert entry.additional_data["unit_id"] == tree["commune"].pk  # the unit's history still


def test_a_line_sent_twice_and_an_unknown_indicator_are_refused(officer, tree, catalogue):
    line = {"indicator": catalogue["2.1"].pk, "numerator": 3, "denominator": 10}
    response = officer.post(ENTRIES, _body(tree, line, line))
    assert response.status_code == 422 and "lines.1" in response.json()["errors"]
    response = officer.post(ENTRIES, _body(tree, {**line, "indicator": 999999}))
    assert response.status_code == 422 and "lines.0.indicator" in response.json()["errors"]


def test_a_unit_outside_scope_is_404_and_a_viewer_is_403(personas, tree, catalogue, token_for):
    line = {"indicator": catalogue["2.1"].pk, "numerator": 3, "denominator": 10}
    neighbour = token_for(personas["neighbour_officer"])
    assert neighbour.post(ENTRIES, _body(tree, line)).status_code == 404
    viewer = token_for(personas["province_viewer"])
    assert viewer.post(ENTRIES, _body(tree, line)).status_code == 403
    assert not DataValue.objects.exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "too_deep"),
        (b"{" * 5000 + b"}" * 5000, "bad_json"),
        (b'{"a": ' + b"[" * 40 + b"]" * 40 + b"}", "too_deep"),
        (b"not json", "bad_json"),
        (b'{"unit": NaN}', "bad_json"),
        (b"\xff\xfe", "bad_json"),
    ],
)
def test_malformed_or_deeply_nested_bodies_are_400(officer, body, code):
    response = officer.client.post(
        ENTRIES,
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {officer.text}"},
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code


def test_an_oversized_body_is_413(officer, settings):
    settings.API_MAX_BODY = 1000
    response = officer.client.post(
        ENTRIES,
        b'{"x": "' + b"a" * 2000 + b'"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {officer.text}"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_huge_or_too_precise_number_is_the_form_s_refusal(officer, tree, catalogue):
    for numerator, field_message in (("1e400", "quá lớn"), ("1.23456", "thập phân")):
        response = officer.client.post(
            ENTRIES,
            f'{{"unit": {tree["commune"].pk}, "year": 2025, "lines": [{{"indicator": '
            f'{catalogue["2.1"].pk}, "numerator": {numerator}, "denominator": 100000}}]}}',
            content_type="application/json",
            headers={"Authorization": f"Bearer {officer.text}"},
        )
        assert response.status_code == 422, response.content
        assert field_message in response.content.decode(), response.json()
    assert not DataValue.objects.exists()


def test_the_unit_s_history_shows_the_write_came_through_the_api(
    client, officer, personas, tree, catalogue
):
    officer.post(
        ENTRIES, _body(tree, {"indicator": catalogue["2.1"].pk, "numerator": 3, "denominator": 10})
    )
    client.force_login(personas["province_approver"])
    page = client.get(f"/units/{tree['commune'].pk}/history/").content.decode()
    prefix = personas["commune_officer"].access_tokens.get().prefix
    assert "qua API" in page and f"bd_{prefix}…" in page
    assert "commune_officer" in page
