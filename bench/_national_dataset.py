"""The synthetic national dataset the indicator benchmarks share: the real map (every unit, the
pre-2025 ones included), the NSGE catalogue plus synthetic indicators up to 40, ten years: 2021–2024
on the units that existed then, 2025–2030 on the current map (see bench/indicators_rollup.py).

Import it after `django.setup()`, in a database the benchmark created for itself.
"""

import random
import time
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from binhdang.indicators import sums
from binhdang.indicators.models import DataValue, Framework, Indicator, Measure, Objective, Target
from binhdang.orgunits.models import LEGACY_END, REFORM_DATE, Kind, Level, OrgUnit

SEED = 20260101
NSGE = "NSGE-2021-2030"
SYN = "SYN-2021-2030"  # sorts after NSGE: the dashboard keeps showing the NSGE
OLD_YEARS = range(2021, 2025)
NEW_YEARS = range(2025, 2031)
SEXES = ("sex:female", "sex:male")
NOW = timezone.now()

# ---------------------------------------------------------------------------------------------
# The dataset.


# Synthetic indicators: (number, wording, measure, multiplier, direction, by sex).
SYNTHETIC = [
    ("S01", "Số lớp tập huấn về bình đẳng giới", Measure.COUNT, 1, "higher", False),
    ("S02", "Số lượt người tham gia tập huấn", Measure.COUNT, 1, "higher", True),
    ("S03", "Số hoạt động truyền thông về bình đẳng giới", Measure.COUNT, 1, "higher", False),
    ("S04", "Có kế hoạch hành động năm về bình đẳng giới", Measure.MILESTONE, 1, "higher", False),
    ("S05", "Tỷ lệ cán bộ, công chức được tập huấn", Measure.SHARE, 100, "higher", True),
    ("S06", "Tỷ lệ nữ lãnh đạo cấp phòng", Measure.SHARE, 100, "higher", False),
    ("S07", "Số vụ bạo lực gia đình được phát hiện", Measure.COUNT, 1, "lower", False),
    ("S08", "Tỷ lệ lao động qua đào tạo", Measure.SHARE, 100, "higher", True),
    ("S09", "Tỷ lệ người cao tuổi có thẻ bảo hiểm y tế", Measure.SHARE, 100, "higher", True),
    ("S10", "Tỷ lệ hộ nghèo do nữ làm chủ hộ", Measure.SHARE, 100, "lower", False),
    ("S11", "Tỷ lệ xã có câu lạc bộ gia đình bền vững", Measure.SHARE, 100, "higher", False),
    ("S12", "Tỷ lệ nữ đại biểu Hội đồng nhân dân", Measure.SHARE, 100, "higher", False),
    ("S13", "Tỷ số thu nhập bình quân nữ/nam", Measure.RATIO, 1, "higher", False),
    ("S14", "Tỷ suất tảo hôn trên 1.000 cặp kết hôn", Measure.RATE, 1000, "lower", False),
    ("S15", "Tỷ suất nạo phá thai trên 1.000 phụ nữ", Measure.RATE, 1000, "lower", False),
    ("S16", "Số người được trợ giúp pháp lý", Measure.COUNT, 1, "higher", True),
    ("S17", "Số mô hình phòng chống bạo lực giới", Measure.COUNT, 1, "higher", False),
    ("S18", "Số địa chỉ tin cậy tại cộng đồng", Measure.COUNT, 1, "higher", False),
    ("S19", "Số vụ mua bán người được phát hiện", Measure.COUNT, 1, "lower", False),
    ("S20", "Có nhà tạm lánh cho nạn nhân bạo lực", Measure.MILESTONE, 1, "higher", False),
    ("S21", "Có đường dây nóng hỗ trợ nạn nhân", Measure.MILESTONE, 1, "higher", False),
]  # fmt: skip

# Who enters what: indicator numbers per kind of unit.
PROVINCE_NSGE = ["2.1", "2.2", "2.3", "3.1", "3.2a", "3.2b", "3.3", "3.4", "4.1", "4.2", "4.3",
                 "4.4", "5.1", "5.2a", "5.2b", "5.3", "6.1"]  # fmt: skip
PROVINCE_SYN = [s[0] for s in SYNTHETIC if s[0] not in ("S07",)]
COMMUNE = ["1.1", "4.1", "4.3", "5.1", "6.1", "S01", "S02", "S03", "S04", "S05"]
DISTRICT = ["4.1", "4.2", "S01"]
DEPARTMENT = ["2.3", "3.4", "S06", "S07"]
MINISTRY = ["2.3", "5.2a", "5.2b", "S06"]
BY_SEX = {"3.2a", "3.2b", "3.3", "5.1", "6.1"} | {s[0] for s in SYNTHETIC if s[5]}


def synthetic_catalogue() -> None:
    framework, _ = Framework.objects.get_or_create(
        code=SYN,
        defaults={
            "name_vi": "Bộ chỉ tiêu tổng hợp (minh họa, dùng cho đo hiệu năng)",
            "name_en": "Synthetic indicators (benchmark only)",
        },
    )
    objective, _ = Objective.objects.get_or_create(
        framework=framework, number=1, defaults={"name_vi": "Tổng hợp", "name_en": "Synthetic"}
    )
    chance = random.Random(SEED)
    for number, name, measure, multiplier, direction, sex in SYNTHETIC:
        indicator, _ = Indicator.objects.get_or_create(
            code=f"{SYN}.{number}",
            defaults={
                "number": number,
                "framework": framework,
                "objective": objective,
                "name_vi": name,
                "name_en": name,
                "measure": measure,
                "multiplier": Decimal(multiplier),
                "direction": direction,
                "disaggregations": "sex" if sex else "",
            },
        )
        for year in (2025, 2030):
            value = 1 if measure == Measure.MILESTONE else chance.randint(20, 80)
            Target.objects.get_or_create(
                indicator=indicator,
                unit=None,
                year=year,
                defaults={
                    "value": Decimal(value),
                    "comparator": ">=" if direction == "higher" else "<=",
                },
            )


def departments() -> list[OrgUnit]:
    """Ten departments under each current province, five under each ministry (2025 on)."""
    parents = list(
        OrgUnit.objects.filter(
            Q(level=Level.PROVINCE, valid_from=REFORM_DATE) | Q(level=Level.CENTRAL)
        )
    )
    made = []
    for parent in parents:
        count, kind = (
            (10, Kind.PROVINCIAL_DEPARTMENT)
            if parent.level == Level.PROVINCE
            else (5, Kind.CENTRAL_DEPARTMENT)
        )
        for n in range(1, count + 1):
            unit = OrgUnit(
                code=f"{parent.code}.D{n:02d}",
                name=f"Đơn vị trực thuộc {n} ({parent.short_name or parent.name})",
                kind=kind,
                parent=parent,
                valid_from=REFORM_DATE,
                path="",
            )
            unit.refresh_derived()
            made.append(unit)
    OrgUnit.objects.bulk_create(made, batch_size=1000)
    made = list(OrgUnit.objects.filter(code__in=[u.code for u in made]).select_related("parent"))
    for unit in made:
        unit.path = f"{unit.parent.path}{unit.pk}/"
        unit.depth = unit.path.count("/") - 2
    OrgUnit.objects.bulk_update(made, ["path", "depth"], batch_size=1000)
    return made


def quantize(number) -> Decimal:
    return Decimal(number).quantize(Decimal("0.0001"))


class Generator:
    """Plausible figures that drift a little from year to year."""

    def __init__(self, indicators: dict[str, Indicator]):
        self.indicators = indicators
        self.chance = random.Random(SEED)
        self.rows: list[tuple] = []

    def unit_figures(self, unit: OrgUnit, numbers: list[str], years, size: float, share: float):
        chance = self.chance
        for number in numbers:
            if chance.random() < 1 - share:
                continue
            indicator = self.indicators[number]
            base = chance.uniform(0.2, 0.8)
            slope = chance.uniform(-0.01, 0.03)
            scale = max(1, int(size * chance.uniform(0.5, 1.5)))
            for year in years:
                level = min(0.98, max(0.02, base + slope * (year - 2021) + chance.gauss(0, 0.01)))
                self.cell(indicator, unit, year, level, scale, number in BY_SEX)

    def cell(self, indicator, unit, year, level, scale, by_sex):
        measure = indicator.measure
        chance = self.chance
        if measure == Measure.MILESTONE:
            parts = {"": (None, None, 1 if chance.random() < level else 0)}
            by_sex = False
        elif measure == Measure.COUNT:
            parts = {"": (None, None, int(scale * level * 10) + 1)}
        elif indicator.computed_from_children and unit.level == Level.COMMUNE:
            parts = {"": (1 if chance.random() < level else 0, 1, None)}
            by_sex = False
        else:
            denominator = scale * 10 + chance.randint(1, 9)
            if measure == Measure.SHARE:
                numerator = int(denominator * level)
            elif indicator.number == "4.1":  # boys per 100 girls born
                numerator = int(denominator * chance.uniform(1.05, 1.15))
            elif indicator.number == "3.1":  # women's hours over men's
                numerator = int(denominator * chance.uniform(1.3, 2.2))
            elif measure == Measure.RATE:  # per 1,000 or per 100,000
                numerator = int(denominator * level * 50 / float(indicator.multiplier))
            else:
                numerator = int(denominator * (0.5 + level))
            parts = {"": (numerator, denominator, None)}
        if by_sex:
            numerator, denominator, value = parts[""]
            split = chance.uniform(0.4, 0.6)
            if value is not None:
                female = int(value * split)
                parts["sex:female"] = (None, None, female)
                parts["sex:male"] = (None, None, value - female)
            else:
                f_num, f_den = int(numerator * split), int(denominator * split)
                f_num = min(f_num, f_den) if measure == Measure.SHARE else f_num
                m_num, m_den = numerator - f_num, denominator - f_den
                if measure == Measure.SHARE and m_num > m_den:
                    f_num, m_num = f_num + (m_num - m_den), m_den
                parts["sex:female"] = (f_num, max(f_den, 1), None)
                parts["sex:male"] = (m_num, max(m_den, 1), None)
        for category, (numerator, denominator, value) in parts.items():
            if numerator is not None:
                value = Decimal(numerator) / Decimal(denominator) * indicator.multiplier
                numerator, denominator = Decimal(numerator), Decimal(denominator)
            self.rows.append(
                (
                    indicator.pk,
                    unit.pk,
                    year,
                    category,
                    None if numerator is None else quantize(numerator),
                    None if denominator is None else quantize(denominator),
                    quantize(value),
                )
            )


def build_dataset() -> dict:
    indicators = {i.number: i for i in Indicator.objects.filter(framework__code__in=[NSGE, SYN])}
    made = departments()
    generator = Generator(indicators)
    units = list(OrgUnit.objects.all().order_by("path"))
    counts = defaultdict(int)
    for unit in units:
        legacy = unit.valid_to == LEGACY_END
        years = OLD_YEARS if legacy else NEW_YEARS
        before = len(generator.rows)
        if unit.level == Level.PROVINCE:
            generator.unit_figures(unit, PROVINCE_NSGE, years, 5000, 0.97)
            generator.unit_figures(unit, PROVINCE_SYN, years, 5000, 0.9)
            generator.unit_figures(unit, ["1.1"], years, 100, 0.3)  # some also type 1.1
            kind = "province"
        elif unit.level == Level.COMMUNE:
            generator.unit_figures(unit, COMMUNE, years, 60, 0.85)
            kind = "commune"
        elif unit.level == Level.DISTRICT:
            generator.unit_figures(unit, DISTRICT, years, 600, 0.8)
            kind = "district"
        elif unit.level == Level.DEPARTMENT:
            generator.unit_figures(unit, DEPARTMENT, years, 80, 0.7)
            kind = "department"
        elif unit.level == Level.CENTRAL:
            generator.unit_figures(unit, MINISTRY, NEW_YEARS, 300, 0.8)
            kind = "central agency"
        else:
            continue
        counts[kind] += len(generator.rows) - before
    # Figures arrive year after year, so a year's rows sit together in the table, as in use.
    generator.rows.sort(key=lambda row: row[2])
    start = time.perf_counter()
    insert(generator.rows)
    seconds = time.perf_counter() - start
    return {
        "rows": len(generator.rows),
        "by_kind": dict(counts),
        "insert_s": seconds,
        "departments": len(made),
        "indicators": len(indicators),
    }


COLUMNS = (
    "indicator_id",
    "unit_id",
    "year",
    "category",
    "numerator",
    "denominator",
    "value",
    "note",
    "source",
    "created_at",
    "updated_at",
)


def insert(rows: list[tuple]) -> None:
    """COPY on PostgreSQL; executemany in large batches on SQLite; then the sub-units' sums the
    roll-up reads, as `rebuild_rollup` makes them after figures written outside the services."""
    table = DataValue._meta.db_table
    full = [(*row, "", "Số liệu minh họa", NOW, NOW) for row in rows]
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        raw = connection.connection
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in full:
                    copy.write_row(row)
            cursor.execute(f"ANALYZE {table}")
            cursor.execute("ANALYZE orgunits_orgunit")
        sums.rebuild()
        return
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})"
    with transaction.atomic(), connection.cursor() as cursor:  # one transaction, not one per row
        for start in range(0, len(full), 50_000):
            cursor.executemany(sql, [tuple(map(_sqlite, r)) for r in full[start : start + 50_000]])
        cursor.execute("ANALYZE")
    sums.rebuild()


def _sqlite(value):
    return str(value) if isinstance(value, Decimal) else value
