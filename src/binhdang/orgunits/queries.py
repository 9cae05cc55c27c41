"""Reads of the tree that views share; none of them walks the tree in Python."""

from django.db.models import Case, Count, F, Q, QuerySet, When

from binhdang.core.text import fold, matching

from .models import Kind, Level, OrgUnit


def breadcrumb(unit: OrgUnit) -> list[OrgUnit]:
    """The unit's ancestors from the nation down, then the unit itself."""
    return [*unit.ancestors(), unit]


def descendant_counts(unit: OrgUnit) -> list[tuple[Kind, int]]:
    """Live units below `unit`, counted by kind, in the order of the kinds."""
    rows = dict(
        OrgUnit.objects.subtree(unit)
        .live()
        .exclude(pk=unit.pk)
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    return [(Kind(kind), rows[kind]) for kind in Kind.values if kind in rows]


def own_units(unit: OrgUnit) -> QuerySet[OrgUnit]:
    """The unit and the units directly below it in its time: the current ones for a current
    unit, all of them for a former one (an old province's departments)."""
    units = OrgUnit.objects.filter(Q(pk=unit.pk) | Q(parent=unit)).select_related("parent")
    return units.live() if unit.is_live else units


def children(unit: OrgUnit, *, kind: str = "", historical: bool = False) -> QuerySet[OrgUnit]:
    """Direct sub-units, current ones unless `historical` is asked for."""
    qs = unit.children.all()
    qs = qs.historical() if historical else qs.live()
    if kind:
        qs = qs.filter(kind=kind)
    # Departments first (a handful), then the rest in Vietnamese alphabetical order.
    departments_first = Case(When(level=Level.DEPARTMENT, then=0), default=1)
    return qs.annotate(child_count=Count("children")).order_by(
        departments_first, "kind", "search_name", "name"
    )


def search(units: QuerySet[OrgUnit], text: str, limit: int = 30) -> list[OrgUnit]:
    """Units whose name holds every word of `text`, with or without diacritics."""
    words = fold(text).split()
    if not words:
        return []
    qs = matching(units, text, "search_name")
    exact = fold(text)
    ranked = sorted(
        qs.select_related("parent").order_by(F("valid_to").desc(nulls_first=True), "level")[
            : limit * 4
        ],
        key=lambda u: (u.valid_to is not None, not u.search_name.endswith(exact), u.level, u.name),
    )
    return ranked[:limit]
