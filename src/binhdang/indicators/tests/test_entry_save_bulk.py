"""The entry form's save writes in bulk (decision 73) and keeps every rule of `record_value`:
each line checked in order against what the lines before it left, one audit entry per value
written, as django-auditlog writes it on a save, with the actor and the address."""

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from binhdang.core.audit import unit_history
from binhdang.indicators.models import DataValue
from binhdang.indicators.services import Line, record_value, record_values, save_local_indicator

pytestmark = pytest.mark.django_db


def _entries(unit):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(DataValue),
        additional_data__unit_id=unit.pk,
    ).order_by("pk")


def test_one_audit_entry_per_value_a_creation_then_an_update(personas, tree, catalogue):
    officer, commune = personas["commune_officer"], tree["commune"]
    wage, ratio = catalogue["2.1"], catalogue["4.1"]
    record_values(
        officer,
        commune,
        2025,
        [
            Line(wage, {"numerator": "30", "denominator": "1.000", "note": " Điều tra "}),
            Line(ratio, {"numerator": 7, "denominator": 10, "source": "Sổ theo dõi"}),
        ],
    )
    created = list(_entries(commune))
    assert [e.action for e in created] == [LogEntry.Action.CREATE] * 2
    first = created[0]
    row = DataValue.objects.get(indicator=wage, unit=commune, year=2025, category="")
    assert (first.object_id, first.object_pk) == (row.pk, str(row.pk))
    assert first.changes["numerator"][0] == "None"
    assert Decimal(first.changes["numerator"][1]) == 30
    assert first.changes["note"] == ["None", "Điều tra"]
    record, value = first.object_repr.rsplit(": ", 1)
    assert record == f"2.1 {commune} 2025" and Decimal(value) == row.value
    assert row.value == Decimal("3") and row.note == "Điều tra"

    stored = record_values(
        officer, commune, 2025, [Line(wage, {"numerator": "40", "denominator": "1.000"})]
    )
    assert stored.count == 1
    update = _entries(commune).last()
    assert update.action == LogEntry.Action.UPDATE and update.object_id == row.pk
    assert [Decimal(n) for n in update.changes["numerator"]] == [30, 40]
    assert "year" not in update.changes and "updated_at" not in update.changes
    assert [h.pk for h in unit_history(commune.pk)[:3]] == [e.pk for e in [update, *created[::-1]]]


def test_the_form_s_audit_entries_carry_the_address(client, personas, tree, catalogue):
    officer, commune = personas["commune_officer"], tree["commune"]
    client.force_login(officer)
    wage = catalogue["2.1"]
    response = client.post(
        f"/indicators/units/{commune.pk}/enter/?year=2025",
        {f"{wage.pk}-numerator": "30", f"{wage.pk}-denominator": "1.000"},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    entry = _entries(commune).get()
    assert entry.actor == officer and entry.remote_addr == "10.1.2.3"


def test_lines_are_checked_in_order_against_the_lines_before_them(personas, tree, catalogue):
    officer, commune = personas["commune_officer"], tree["commune"]
    school = catalogue["3.2a"]  # broken down by sex
    record_value(officer, school, commune, 2025, numerator=50, denominator=100)
    lines = [
        Line(school, {"numerator": 30, "denominator": 60}, "sex:female", key="f-"),
        # With the women's 30 saved first, the men's 25 make 55: more than the total's 50.
        Line(school, {"numerator": 25, "denominator": 40}, "sex:male", key="m-"),
    ]
    with pytest.raises(ValidationError) as refused:
        record_values(officer, commune, 2025, lines)
    assert list(refused.value.message_dict) == ["m-numerator"]
    assert "55" in refused.value.message_dict["m-numerator"][0]
    assert DataValue.objects.filter(unit=commune, category__startswith="sex:").count() == 0
    # A later line raising the total first makes room for both.
    saved = record_values(
        officer, commune, 2025, [Line(school, {"numerator": 60, "denominator": 100}), *lines]
    )
    assert saved.count == 3


def test_last_year_s_figure_and_the_owner_of_a_local_indicator_still_apply(
    personas, tree, catalogue
):
    officer, commune = personas["commune_officer"], tree["commune"]
    ratio = catalogue["4.1"]
    record_value(personas["system_admin"], ratio, commune, 2025, numerator=10, denominator=100)
    elsewhere = save_local_indicator(
        personas["system_admin"],
        tree["other_province"],
        number="HN1",
        name_vi="Chỉ tiêu riêng của Hà Nội",
        measure="count",
        direction="higher",
    )
    lines = [
        Line(ratio, {"numerator": 90, "denominator": 100}, key="a-"),
        Line(elsewhere, {"value": 3}, key="b-"),
    ]
    with pytest.raises(ValidationError) as refused:
        record_values(officer, commune, 2026, lines)
    assert set(refused.value.message_dict) == {"a-note", "b-__all__"}
    lines[0].figures["note"] = "Xã mới thành lập"
    with pytest.raises(ValidationError) as refused:
        record_values(officer, commune, 2026, lines)
    assert set(refused.value.message_dict) == {"b-__all__"}
    assert record_values(officer, commune, 2026, lines[:1]).count == 1
