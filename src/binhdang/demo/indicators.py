"""Demo figures for the demo province, 2025: province statistics and the communes' answers."""

from binhdang.indicators.models import DataValue, Indicator
from binhdang.indicators.services import record_value
from binhdang.orgunits.models import Level, OrgUnit

YEAR = 2025
# Invented demo figures, not statistics: (numerator, denominator) or a value.
PROVINCE_FIGURES = {
    "2.1": (412, 903),
    "2.2": (291, 903),
    "2.3": (1214, 4710),
    "3.2a": (187, 220),
    "3.2b": (61, 140),
    "4.1": (11_140, 10_020),
    "5.2a": (1_630, 3_020),
    "6.1": (905, 1_500),
}


def setup_figures(actor, province: OrgUnit) -> int:
    """Enter the demo figures once; later runs leave what is there."""
    if DataValue.objects.filter(unit__path__startswith=province.path, year=YEAR).exists():
        return 0
    indicators = {i.number: i for i in Indicator.objects.all()}
    count = 0
    for number, (numerator, denominator) in PROVINCE_FIGURES.items():
        record_value(
            actor,
            indicators[number],
            province,
            YEAR,
            numerator=numerator,
            denominator=denominator,
            source="Số liệu minh họa",
        )
        count += 1
    record_value(actor, indicators["5.3"], province, YEAR, value=1, source="Số liệu minh họa")
    communes = province.children.live().filter(level=Level.COMMUNE).order_by("official_code")
    for index, commune in enumerate(communes):
        # About two communes in three answer yes: a woman holds a key leadership post.
        answer = 1 if index % 3 else 0
        record_value(
            actor,
            indicators["1.1"],
            commune,
            YEAR,
            numerator=answer,
            denominator=1,
            source="Số liệu minh họa",
        )
        count += 1
    return count + 1
