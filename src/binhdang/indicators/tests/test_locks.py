"""Locked figures: closed by a superior, refused to every writer, reopened only with a reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from binhdang.core.audit import unit_history
from binhdang.indicators.models import DataValue, Lock
from binhdang.indicators.services import active_lock, lock_year, record_value, unlock_year

pytestmark = pytest.mark.django_db


def test_a_locked_year_refuses_changes_until_a_superior_unlocks_it(catalogue, personas, tree):
    wage, officer = catalogue["2.1"], personas["commune_officer"]
    approver, commune = personas["province_approver"], tree["commune"]
    record_value(officer, wage, commune, 2025, numerator=3, denominator=10)
    lock_year(approver, commune, 2025, "Báo cáo năm 2025 đã được tiếp nhận")

    with pytest.raises(ValidationError) as refused:
        record_value(officer, wage, commune, 2025, numerator=4, denominator=10)
    assert "year" in refused.value.message_dict
    with pytest.raises(ValidationError):  # a system administrator is refused too
        record_value(personas["system_admin"], wage, commune, 2025, numerator=4, denominator=10)
    assert DataValue.objects.get(unit=commune, year=2025).numerator == 3
    # Other years and other units stay open.
    record_value(officer, wage, commune, 2026, numerator=4, denominator=10)
    record_value(
        personas["neighbour_officer"],
        wage,
        tree["neighbour"],
        2025,
        value=None,
        numerator=1,
        denominator=2,
    )

    with pytest.raises(ValidationError) as no_reason:
        unlock_year(approver, commune, 2025, "  ")
    assert "reason" in no_reason.value.message_dict
    lock = unlock_year(approver, commune, 2025, "Sửa số liệu theo rà soát")
    assert (lock.unlocked_by, lock.unlock_reason) == (approver, "Sửa số liệu theo rà soát")
    record_value(officer, wage, commune, 2025, numerator=4, denominator=10)
    assert DataValue.objects.get(unit=commune, year=2025).numerator == 4
    # Both the lock and its lifting are in the unit's history.
    lock_entries = [e for e in unit_history(commune.pk) if e.content_type.model == "lock"]
    assert len(lock_entries) == 2


def test_only_a_superior_locks_or_unlocks(personas, tree):
    commune = tree["commune"]
    for who in ("commune_officer", "province_viewer", "neighbour_officer", "ministry_officer"):
        with pytest.raises(PermissionDenied):
            lock_year(personas[who], commune, 2025, "x")
    # A province approver cannot lock its own province: that is for the level above.
    with pytest.raises(PermissionDenied):
        lock_year(personas["province_approver"], tree["province"], 2025, "x")
    lock_year(personas["system_admin"], tree["province"], 2025, "x")
    with pytest.raises(PermissionDenied):
        unlock_year(personas["province_approver"], tree["province"], 2025, "y")


def test_locking_twice_keeps_one_lock_and_relocking_keeps_the_history(personas, tree):
    approver, commune = personas["province_approver"], tree["commune"]
    first = lock_year(approver, commune, 2025, "a")
    assert lock_year(approver, commune, 2025, "b") == first
    unlock_year(approver, commune, 2025, "sửa")
    with pytest.raises(ValidationError):
        unlock_year(approver, commune, 2025, "again")
    second = lock_year(approver, commune, 2025, "c")
    assert second != first and active_lock(commune, 2025) == second
    assert Lock.objects.filter(unit=commune, year=2025).count() == 2
