"""The loaded map matches the pinned package, and loading again changes nothing."""

import collections
import datetime

import pytest
import vietnam_provinces
from vietnam_provinces import Province, Ward
from vietnam_provinces.legacy import District as LegacyDistrict
from vietnam_provinces.legacy import Province as LegacyProvince
from vietnam_provinces.legacy import Ward as LegacyWard

from binhdang.orgunits import loading
from binhdang.orgunits.loading import MAP_SOURCE, load_reference_map
from binhdang.orgunits.models import LEGACY_END, REFORM_DATE, Level, MapLoad, OrgUnit

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


def test_live_provinces_and_communes_match_the_package():
    live = OrgUnit.objects.live(TODAY)
    assert live.filter(level=Level.PROVINCE).count() == len(list(Province.iter_all()))
    assert live.filter(level=Level.COMMUNE).count() == len(list(Ward.iter_all()))
    by_type = collections.Counter(w.division_type.value for w in Ward.iter_all())
    assert live.filter(kind="commune").count() == by_type["xã"]
    assert live.filter(kind="ward").count() == by_type["phường"]
    assert live.filter(kind="special_zone").count() == by_type["đặc khu"]
    assert not live.filter(level=Level.DISTRICT).exists()


def test_the_pinned_package_is_the_post_2025_map():
    # The issue and sources.md state 34 / 3,321; if a new release differs, this says so loudly.
    assert len(list(Province.iter_all())) == 34
    assert len(list(Ward.iter_all())) == 3321


def test_legacy_units_are_historical_and_match_the_package():
    legacy = OrgUnit.objects.filter(code__startswith="L")
    assert legacy.filter(level=Level.PROVINCE).count() == len(list(LegacyProvince.iter_all()))
    assert legacy.filter(level=Level.DISTRICT).count() == len(list(LegacyDistrict.iter_all()))
    assert legacy.filter(level=Level.COMMUNE).count() == len(list(LegacyWard.iter_all()))
    assert set(legacy.values_list("valid_to", flat=True)) == {LEGACY_END}
    assert not OrgUnit.objects.live(TODAY).filter(code__startswith="L").exists()
    assert OrgUnit.objects.live(REFORM_DATE - datetime.timedelta(days=1)).filter(
        code__startswith="LP"
    ).count() == len(list(LegacyProvince.iter_all()))


def test_new_units_link_to_the_units_they_came_from():
    for province in Province.iter_all():
        unit = OrgUnit.objects.get(code=f"P{int(province.code):02d}")
        expected = {f"LP{int(p.code):02d}" for p in province.get_legacy_sources()}
        assert set(unit.predecessors.values_list("code", flat=True)) == expected
    ward = next(Ward.iter_all())
    unit = OrgUnit.objects.get(code=f"X{int(ward.code):05d}")
    expected = {f"LX{int(w.code):05d}" for w in ward.get_legacy_sources()}
    assert expected and set(unit.predecessors.values_list("code", flat=True)) == expected
    old = unit.predecessors.first()
    assert unit in old.successors.all()


def test_central_agencies_from_the_data_file():
    # Since 01/03/2025 (NQ 176/2025/QH15); the structure before it: test_central_history.py.
    live = OrgUnit.objects.live(TODAY)
    assert live.filter(kind="ministry").count() == 14
    assert live.filter(kind="ministerial_agency").count() == 3
    assert OrgUnit.objects.get(code="BNV").name == "Bộ Nội vụ"
    assert OrgUnit.objects.get(code="BNV").parent.code == "VN"


def test_tree_paths_and_levels_are_consistent():
    commune = OrgUnit.objects.filter(code__startswith="X").first()
    assert commune.path == f"/{commune.parent.parent_id}/{commune.parent_id}/{commune.pk}/"
    assert commune.depth == 2
    assert [u.code for u in commune.ancestors()] == ["VN", commune.parent.code]


def test_second_load_changes_nothing_and_is_recorded():
    before = OrgUnit.objects.count()
    report = load_reference_map(TODAY)
    assert (report.added, report.changed, report.retired) == (0, 0, 0)
    assert (report.links_added, report.links_removed) == (0, 0)
    assert report.unchanged == before
    assert OrgUnit.objects.count() == before
    record = MapLoad.objects.first()
    assert record.version == vietnam_provinces.__version__
    assert record.data_version == vietnam_provinces.__data_version__


def test_load_restores_changed_units_and_retires_vanished_ones():
    unit = OrgUnit.objects.get(code="P51")
    right_name = unit.name
    OrgUnit.objects.filter(pk=unit.pk).update(name="Tên sai")
    ghost = OrgUnit(
        code="X99999", name="Xã Không Còn", kind="commune", parent=unit, source=MAP_SOURCE
    )
    ghost.save()
    department = OrgUnit(code="P51-D900", name="Sở Thử", kind="provincial_department", parent=unit)
    department.save()

    report = load_reference_map(TODAY)

    assert report.changed == 1 and report.retired == 1 and report.added == 0
    assert OrgUnit.objects.get(code="P51").name == right_name
    ghost.refresh_from_db()
    assert ghost.valid_to == TODAY
    department.refresh_from_db()
    assert department.valid_to is None and department.name == "Sở Thử"
    assert any("X99999" in w for w in report.warnings)


def test_unknown_codes_are_reported_not_fatal(monkeypatch):
    real = loading.wanted_units

    def with_bad_rows():
        units = real()
        units.append(
            loading.Wanted(code="X77777", name="Xã Lạc", kind="commune", parent_code="P99")
        )
        units.append(
            loading.Wanted(
                code="X77778",
                name="Xã Mới",
                kind="commune",
                parent_code="P51",
                predecessor_codes=["LX00000"],
            )
        )
        return units

    monkeypatch.setattr(loading, "wanted_units", with_bad_rows)
    report = load_reference_map(TODAY)
    assert any("X77777" in w and "đơn vị cha" in w for w in report.warnings)
    assert any("LX00000" in w for w in report.warnings)
    assert not OrgUnit.objects.filter(code="X77777").exists()
    assert OrgUnit.objects.get(code="X77778").parent.code == "P51"
