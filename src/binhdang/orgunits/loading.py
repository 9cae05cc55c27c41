"""Load the reference map into our own tables: idempotent, keyed by our unit codes.

Sources: the post-2025 map (34 provinces, their communes) and the pre-2025 map (63 provinces,
districts, communes) with the lineage between them come from the pinned `vietnam-provinces`
package; the central agencies before and after 01/03/2025, with their lineage, come from
`data/central_agencies.json` (see its "how_counted"). Units added by people
(departments) are never touched here, only re-pathed if a parent moved.
"""

import datetime
import itertools
import json
import string
from dataclasses import dataclass, field
from pathlib import Path

import vietnam_provinces
from django.db import connection, transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from vietnam_provinces import Province, VietNamDivisionType, Ward
from vietnam_provinces.legacy import District as LegacyDistrict
from vietnam_provinces.legacy import Province as LegacyProvince
from vietnam_provinces.legacy import Ward as LegacyWard
from vietnam_provinces.legacy.base import VietNamDivisionType as LegacyType

from binhdang.core import dates

from .models import LEGACY_END, REFORM_DATE, Kind, MapLoad, OrgUnit

DATA_DIR = Path(__file__).parent / "data"
NATION_CODE = "VN"
MAP_SOURCE = f"vietnam-provinces {vietnam_provinces.__version__}"
CENTRAL_SOURCE = "NQ 176/2025/QH15"
CENTRAL_2021_SOURCE = "NQ 08/2021/QH15"
NATION_SOURCE = "binhdang"
MANAGED_SOURCES_PREFIXES = ("vietnam-provinces", CENTRAL_SOURCE, CENTRAL_2021_SOURCE, NATION_SOURCE)
COMPARED_FIELDS = ("name", "official_code", "kind", "valid_from", "valid_to", "source")

KIND_OF_TYPE = {
    VietNamDivisionType.TINH: Kind.PROVINCE,
    VietNamDivisionType.THANH_PHO_TRUNG_UONG: Kind.CITY,
    VietNamDivisionType.XA: Kind.COMMUNE,
    VietNamDivisionType.PHUONG: Kind.WARD,
    VietNamDivisionType.DAC_KHU: Kind.SPECIAL_ZONE,
    LegacyType.TINH: Kind.PROVINCE,
    LegacyType.THANH_PHO_TRUNG_UONG: Kind.CITY,
    LegacyType.HUYEN: Kind.RURAL_DISTRICT,
    LegacyType.QUAN: Kind.URBAN_DISTRICT,
    LegacyType.THANH_PHO: Kind.PROVINCIAL_CITY,
    LegacyType.THI_XA: Kind.TOWN,
    LegacyType.XA: Kind.COMMUNE,
    LegacyType.THI_TRAN: Kind.TOWNSHIP,
    LegacyType.PHUONG: Kind.WARD,
}


def province_code(code: int) -> str:
    return f"P{code:02d}"


def commune_code(code: int) -> str:
    return f"X{code:05d}"


def legacy_province_code(code: int) -> str:
    return f"LP{code:02d}"


def legacy_district_code(code: int) -> str:
    return f"LD{code:03d}"


def legacy_commune_code(code: int) -> str:
    return f"LX{code:05d}"


@dataclass
class Wanted:
    """A unit as the reference data describes it."""

    code: str
    name: str
    kind: str
    parent_code: str | None
    official_code: str = ""
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    source: str = MAP_SOURCE
    predecessor_codes: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    """What a load did, for the command's output and the MapLoad record."""

    added: int = 0
    changed: int = 0
    retired: int = 0
    unchanged: int = 0
    links_added: int = 0
    links_removed: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"thêm {self.added}, thay đổi {self.changed}, ngừng hiệu lực {self.retired}, "
            f"giữ nguyên {self.unchanged}; liên kết kế thừa: thêm {self.links_added}, "
            f"bỏ {self.links_removed}; cảnh báo {len(self.warnings)}"
        )


def central_spec() -> dict:
    """The central-agency data file, as written."""
    return json.loads((DATA_DIR / "central_agencies.json").read_text(encoding="utf-8"))


def _central_agencies() -> list[Wanted]:
    """Each agency once: valid from the first structure that lists it (open if the earliest)
    to the last one (open if the latest); its source is the latest resolution listing it."""
    spec = central_spec()
    structures = spec["structures"]
    order = list(structures)
    units = []
    for item in spec["agencies"]:
        first, last = structures[item["in"][0]], structures[item["in"][-1]]
        units.append(
            Wanted(
                code=item["code"],
                name=item["name"],
                kind=item["kind"],
                parent_code=NATION_CODE,
                valid_from=None
                if item["in"][0] == order[0]
                else datetime.date.fromisoformat(first["valid_from"]),
                valid_to=None
                if item["in"][-1] == order[-1]
                else datetime.date.fromisoformat(last["valid_to"]),
                source=last["source"],
                predecessor_codes=item.get("formed_from", []),
            )
        )
    return units


def _division(division, code_of, parent_code: str, **extra) -> Wanted:
    """A unit of the package's data; its official code is our code's digits."""
    code = code_of(int(division.code))
    return Wanted(
        code=code,
        official_code=code.lstrip(string.ascii_uppercase),
        name=division.name,
        kind=KIND_OF_TYPE[division.division_type],
        parent_code=parent_code,
        **extra,
    )


def wanted_units() -> list[Wanted]:
    """Every unit the reference data holds, parents before children."""
    units = [
        Wanted(
            code=NATION_CODE,
            name="Việt Nam",
            kind=Kind.NATION,
            parent_code=None,
            source=NATION_SOURCE,
        )
    ]
    units += _central_agencies()

    # A unit whose parent is missing from the data is reported by the loader, not here.
    units += [
        _division(p, legacy_province_code, NATION_CODE, valid_to=LEGACY_END)
        for p in LegacyProvince.iter_all()
    ]
    units += [
        _division(
            d, legacy_district_code, legacy_province_code(int(d.province_code)), valid_to=LEGACY_END
        )
        for d in LegacyDistrict.iter_all()
    ]
    units += [
        _division(
            w, legacy_commune_code, legacy_district_code(int(w.district_code)), valid_to=LEGACY_END
        )
        for w in LegacyWard.iter_all()
    ]
    units += [
        _division(
            p,
            province_code,
            NATION_CODE,
            valid_from=REFORM_DATE,
            predecessor_codes=[legacy_province_code(int(o.code)) for o in p.get_legacy_sources()],
        )
        for p in Province.iter_all()
    ]
    units += [
        _division(
            w,
            commune_code,
            province_code(int(w.province_code)),
            valid_from=REFORM_DATE,
            predecessor_codes=[legacy_commune_code(int(o.code)) for o in w.get_legacy_sources()],
        )
        for w in Ward.iter_all()
    ]
    return units


def _is_managed(unit: OrgUnit) -> bool:
    return unit.source.startswith(MANAGED_SOURCES_PREFIXES)


@transaction.atomic
def load_reference_map(today: datetime.date | None = None) -> LoadReport:
    """Bring the tree in line with the reference data; running it twice changes nothing."""
    today = today or dates.today()
    wanted = wanted_units()
    report = LoadReport()
    existing = {u.code: u for u in OrgUnit.objects.all()}
    wanted_codes = {w.code for w in wanted}

    # Create and update, parents first (the list is ordered so), one batch per depth.
    to_update: list[OrgUnit] = []
    moved = False  # an existing unit under another parent or at another level
    pending: list[tuple[Wanted, OrgUnit]] = []
    for item in wanted:
        unit = existing.get(item.code)
        if unit is None:
            unit = OrgUnit(code=item.code)
            pending.append((item, unit))
            continue
        before = [getattr(unit, f) for f in COMPARED_FIELDS]
        for f in COMPARED_FIELDS:
            setattr(unit, f, getattr(item, f))
        parent = existing.get(item.parent_code) if item.parent_code else None
        if before != [getattr(unit, f) for f in COMPARED_FIELDS] or unit.parent_id != (
            parent.pk if parent else None
        ):
            placed = (unit.parent_id, unit.level)
            unit.parent = parent
            unit.refresh_derived()
            moved = moved or placed != (unit.parent_id, unit.level)
            to_update.append(unit)
        else:
            report.unchanged += 1
    report.changed = len(to_update)

    while pending:
        ready = [(w, u) for w, u in pending if w.parent_code is None or w.parent_code in existing]
        if not ready:
            for w, _u in pending:
                report.warnings.append(f"Đơn vị {w.code} ({w.name}): không rõ đơn vị cha")
            break
        batch = []
        for item, unit in ready:
            for f in COMPARED_FIELDS:
                setattr(unit, f, getattr(item, f))
            unit.parent = existing.get(item.parent_code) if item.parent_code else None
            unit.refresh_derived()
            unit.path = ""
            batch.append(unit)
        _create_units(batch)
        for unit in batch:
            existing[unit.code] = unit
        report.added += len(batch)
        ready_codes = {u.code for u in batch}
        pending = [(w, u) for w, u in pending if w.code not in ready_codes]

    # Units the reference data no longer has stay, as history, with their validity ended.
    for unit in existing.values():
        if _is_managed(unit) and unit.code not in wanted_codes and unit.valid_to is None:
            unit.valid_to = today
            to_update.append(unit)
            report.retired += 1
            report.warnings.append(f"Đơn vị {unit.code} ({unit.name}) không còn trong dữ liệu")
    OrgUnit.objects.bulk_update(
        to_update,
        ["parent", "level", "search_name", *COMPARED_FIELDS],
        batch_size=1000,
    )
    _refresh_paths()
    if moved:
        # The indicators' roll-up keeps its sums per parent and level (decision 82).
        from binhdang.indicators import sums

        sums.rebuild()
    _sync_predecessors(wanted, existing, report)
    MapLoad.objects.create(
        source="vietnam-provinces",
        version=vietnam_provinces.__version__,
        data_version=vietnam_provinces.__data_version__,
        added=report.added,
        changed=report.changed,
        retired=report.retired,
        warnings=report.warnings,
    )
    return report


def _create_units(batch: list[OrgUnit]) -> None:
    """Insert new units whose parents are stored with their paths, each with its own path and
    depth. On PostgreSQL their ids are drawn from the table's sequence first, so that each row
    goes in whole, path included, through one COPY (Django's INSERTs of 14,000 units of 17
    columns spend seconds building their SQL); elsewhere `bulk_create`, then the paths."""
    if connection.vendor != "postgresql":
        OrgUnit.objects.bulk_create(batch, batch_size=1000)
        _set_paths_from_parents([unit.pk for unit in batch])
        return
    meta = OrgUnit._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(batch)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    fields = meta.concrete_fields
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for unit, pk in zip(batch, ids, strict=True):
            unit.pk = pk
            unit.path = f"{unit.parent.path if unit.parent_id else '/'}{pk}/"
            unit.depth = unit.path.count("/") - 2
            # What a save would fill in: the creation and change times (TimeStamped).
            copy.write_row([f.pre_save(unit, add=True) for f in fields])
            unit._state.adding, unit._state.db = False, connection.alias


def _set_paths_from_parents(pks: list[int]) -> None:
    """Give units just created, whose parents already have theirs, their path and depth: one
    UPDATE per thousand units, computed by the database from the parent's row (never one
    round trip per unit, nor a thousand-branch CASE as bulk_update writes)."""
    parent = OrgUnit.objects.filter(pk=OuterRef("parent_id"))
    for chunk in itertools.batched(pks, 1000):
        OrgUnit.objects.filter(pk__in=chunk).update(
            path=Concat(
                Coalesce(Subquery(parent.values("path")), Value("/")),
                Cast("pk", CharField()),
                Value("/"),
                output_field=CharField(),
            ),
            depth=Coalesce(Subquery(parent.values("depth")) + 1, Value(0)),
        )


def _refresh_paths() -> None:
    """Recompute every materialised path from the parent links; write only those that differ."""
    rows = list(OrgUnit.objects.values_list("pk", "parent_id", "path"))
    parent_of = {pk: parent for pk, parent, _path in rows}
    computed: dict[int, str] = {}

    def path_of(pk: int) -> str:
        if pk not in computed:
            parent = parent_of[pk]
            computed[pk] = f"{path_of(parent) if parent else '/'}{pk}/"
        return computed[pk]

    stale = []
    for pk, _parent, path in rows:
        if path != path_of(pk):
            unit = OrgUnit(pk=pk, path=computed[pk], depth=computed[pk].count("/") - 2)
            stale.append(unit)
    OrgUnit.objects.bulk_update(stale, ["path", "depth"], batch_size=1000)


def _sync_predecessors(wanted: list[Wanted], units: dict[str, OrgUnit], report: LoadReport):
    """Make the lineage links (new unit -> the old units it came from) match the data."""
    link = OrgUnit.predecessors.through
    wanted_links = set()
    for item in wanted:
        for old_code in item.predecessor_codes:
            if old_code not in units:
                report.warnings.append(f"Đơn vị {item.code}: không rõ đơn vị tiền thân {old_code}")
                continue
            wanted_links.add((units[item.code].pk, units[old_code].pk))
    managed_ids = {u.pk for u in units.values() if _is_managed(u)}
    current = {
        (a, b)
        for a, b in link.objects.filter(from_orgunit_id__in=managed_ids).values_list(
            "from_orgunit_id", "to_orgunit_id"
        )
    }
    missing = wanted_links - current
    extra = current - wanted_links
    link.objects.bulk_create(
        [link(from_orgunit_id=a, to_orgunit_id=b) for a, b in missing], batch_size=2000
    )
    for a, b in extra:
        link.objects.filter(from_orgunit_id=a, to_orgunit_id=b).delete()
    report.links_added = len(missing)
    report.links_removed = len(extra)
