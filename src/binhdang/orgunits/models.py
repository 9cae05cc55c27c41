"""The administrative tree: one tree of units rooted at the nation, with validity and lineage."""

import datetime
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from binhdang.core import dates
from binhdang.core.audit import AuditedMixin
from binhdang.core.db import among
from binhdang.core.models import TimeStamped
from binhdang.core.text import fold

# The day the district level ended and the merged provinces and communes took over.
REFORM_DATE = datetime.date(2025, 7, 1)
LEGACY_END = REFORM_DATE - datetime.timedelta(days=1)


class Level(models.IntegerChoices):
    """Tier of the administration a unit belongs to."""

    NATION = 0, pgettext_lazy("level", "National")
    CENTRAL = 1, pgettext_lazy("level", "Central agency")
    PROVINCE = 2, pgettext_lazy("level", "Province")
    DISTRICT = 3, pgettext_lazy("level", "District")
    COMMUNE = 4, pgettext_lazy("level", "Commune")
    DEPARTMENT = 5, pgettext_lazy("level", "Department")


class Kind(models.TextChoices):
    """What a unit is; each kind sits at one level."""

    NATION = "nation", _("Nation")
    MINISTRY = "ministry", _("Ministry")
    MINISTERIAL_AGENCY = "ministerial_agency", _("Ministerial-level agency")
    CENTRAL_DEPARTMENT = "central_department", _("Department of a central agency")
    CITY = "city", _("Centrally-run city")
    PROVINCE = "province", _("Province")
    PROVINCIAL_DEPARTMENT = "provincial_department", _("Provincial department or organisation")
    URBAN_DISTRICT = "urban_district", _("Urban district")
    RURAL_DISTRICT = "rural_district", _("Rural district")
    TOWN = "town", _("District-level town")
    PROVINCIAL_CITY = "provincial_city", _("Provincial city")
    COMMUNE = "commune", _("Commune")
    WARD = "ward", _("Ward")
    TOWNSHIP = "township", _("Township")
    SPECIAL_ZONE = "special_zone", _("Special zone")


LEVEL_OF_KIND = {
    Kind.NATION: Level.NATION,
    Kind.MINISTRY: Level.CENTRAL,
    Kind.MINISTERIAL_AGENCY: Level.CENTRAL,
    Kind.CENTRAL_DEPARTMENT: Level.DEPARTMENT,
    Kind.CITY: Level.PROVINCE,
    Kind.PROVINCE: Level.PROVINCE,
    Kind.PROVINCIAL_DEPARTMENT: Level.DEPARTMENT,
    Kind.URBAN_DISTRICT: Level.DISTRICT,
    Kind.RURAL_DISTRICT: Level.DISTRICT,
    Kind.TOWN: Level.DISTRICT,
    Kind.PROVINCIAL_CITY: Level.DISTRICT,
    Kind.COMMUNE: Level.COMMUNE,
    Kind.WARD: Level.COMMUNE,
    Kind.TOWNSHIP: Level.COMMUNE,
    Kind.SPECIAL_ZONE: Level.COMMUNE,
}

# Which kinds of unit an administrator may add under which: departments only, since the
# territorial map comes from the reference data and nowhere else.
DEPARTMENT_KIND_UNDER = {
    Kind.MINISTRY: Kind.CENTRAL_DEPARTMENT,
    Kind.MINISTERIAL_AGENCY: Kind.CENTRAL_DEPARTMENT,
    Kind.CITY: Kind.PROVINCIAL_DEPARTMENT,
    Kind.PROVINCE: Kind.PROVINCIAL_DEPARTMENT,
}


# Up to this many units, `subtrees` matches their paths in SQL; beyond, a condition per unit
# costs more than reading the units below their common ancestor once.
OR_ED_PATHS = 50


@lru_cache(maxsize=4096)
def path_lines(path: str) -> tuple[str, ...]:
    """The paths from the root down to `path` itself: "/1/", "/1/35/", "/1/35/1234/"."""
    parts = path.strip("/").split("/")
    return tuple("/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts)))


def common_path(paths) -> str:
    """The path of the deepest unit above or at every one of the paths ("" for none)."""
    paths = list(paths)
    if not paths:
        return ""
    prefix = min(paths)
    for path in paths:
        while not path.startswith(prefix):
            prefix = prefix[: prefix.rstrip("/").rfind("/") + 1]
    return prefix


def _below(units) -> Q:
    condition = Q(pk__in=[])
    for unit in units:
        condition |= Q(path__startswith=unit.path)
    return condition


def subtree_ids(units) -> list[int]:
    """The ids of the units in any of the units' subtrees. For many units, from one read of the
    units below their common ancestor, matched in Python."""
    units = list(units)
    if len(units) <= OR_ED_PATHS:
        return list(OrgUnit.objects.filter(_below(units)).values_list("pk", flat=True))
    roots = {unit.path for unit in units}
    sizes = {path.count("/") - 1 for path in roots}  # "/1/35/": the path of 2 units
    below = OrgUnit.objects.filter(path__startswith=common_path(roots)).values_list("pk", "path")
    found = []
    for pk, path in below.iterator(2000):
        parts = path.split("/")
        if any("/".join(parts[: size + 1]) + "/" in roots for size in sizes):
            found.append(pk)
    return found


class OrgUnitQuerySet(models.QuerySet):
    def live(self, on: datetime.date | None = None):
        """Units in force on a date (today if none given)."""
        on = on or dates.today()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )

    def historical(self):
        """Units whose validity has ended."""
        return self.filter(valid_to__lt=dates.today())

    def subtree(self, unit: "OrgUnit"):
        """The unit and every unit below it, in one query on the materialised path."""
        return self.filter(path__startswith=unit.path)

    def subtrees(self, units):
        """Every unit below any of the given units: their paths OR-ed together, or for many
        units (a national round asking every commune) their ids (`subtree_ids`)."""
        units = list(units)
        if len(units) <= OR_ED_PATHS:
            return self.filter(_below(units))
        return self.filter(pk__in=among(subtree_ids(units)))


class OrgUnit(AuditedMixin, TimeStamped):
    """An administrative unit: the nation, a ministry, a province, a department, a commune..."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    official_code = models.CharField(_("official code"), max_length=16, blank=True)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of primary keys, "/1/35/1234/": descendants are one prefix match and
    # ancestors one IN query, whatever the depth.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    search_name = models.CharField(max_length=255, db_index=True, editable=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    predecessors = models.ManyToManyField(
        "self",
        verbose_name=_("predecessor units"),
        symmetrical=False,
        related_name="successors",
        blank=True,
    )
    source = models.CharField(_("source"), max_length=128, blank=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        indexes = [models.Index(fields=["parent", "kind"]), models.Index(fields=["level"])]

    def __str__(self) -> str:
        return self.label

    @property
    def period(self) -> str:
        """ "(đến 30/06/2025)" for a unit whose validity has ended, "" for a current one."""
        if self.valid_to is None or self.valid_to >= dates.today():
            return ""
        return gettext("(until %s)") % formats.date_format(self.valid_to, "SHORT_DATE_FORMAT")

    @property
    def label(self) -> str:
        """The name, and for a former unit the day it ended: how every page names a unit."""
        return f"{self.name} {self.period}" if self.period else self.name

    @property
    def picker_label(self) -> str:
        """The label, and for a department its parent's ("Văn phòng — Bộ Tài chính"), so that
        same-named departments differ in a picker (select_related("parent") to read it)."""
        if self.level == Level.DEPARTMENT and self.parent_id:
            return f"{self.label} — {self.parent.label}"
        return self.label

    def refresh_derived(self) -> None:
        """Set the fields that follow from name and kind."""
        self.search_name = fold(self.name)
        self.level = LEVEL_OF_KIND[self.kind]

    def save(self, *args, **kwargs):
        self.refresh_derived()
        super().save(*args, **kwargs)
        expected = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if self.path != expected:
            # A new unit learns its key only after the insert; its path follows from it.
            self.path = expected
            self.depth = expected.count("/") - 2
            OrgUnit.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)

    def audit_unit_id(self) -> int | None:
        return self.pk

    @property
    def is_live(self) -> bool:
        today = dates.today()
        return (self.valid_from is None or self.valid_from <= today) and (
            self.valid_to is None or self.valid_to >= today
        )

    @property
    def is_department(self) -> bool:
        """Whether people added this unit under a ministry or province (not the reference map)."""
        return self.parent is not None and DEPARTMENT_KIND_UNDER.get(self.parent.kind) == self.kind

    @property
    def takes_departments(self) -> bool:
        """Whether departments may be added under this unit, current or former: a former one's
        departments are recorded with dates inside its validity."""
        return self.kind in DEPARTMENT_KIND_UNDER

    def covers(self, first: datetime.date, last: datetime.date | None = None) -> bool:
        """Whether the unit was in force on every day from `first` to `last` (or on `first`)."""
        last = last or first
        return (self.valid_from is None or self.valid_from <= first) and (
            self.valid_to is None or self.valid_to >= last
        )

    def validity_text(self) -> str:
        """The unit's period in words, for a message that refuses a date outside it."""
        start = formats.date_format(self.valid_from, "SHORT_DATE_FORMAT") if self.valid_from else ""
        end = formats.date_format(self.valid_to, "SHORT_DATE_FORMAT") if self.valid_to else ""
        if start and end:
            return gettext("from %(start)s to %(end)s") % {"start": start, "end": end}
        if end:
            return gettext("until %s") % end
        if start:
            return gettext("from %s") % start
        return ""

    def after_end(self, day: datetime.date | None) -> str:
        """Why a record of this unit cannot be dated `day` ("" if it can): the unit had ended.
        A date before its recorded start is accepted: that start is often the day a department
        was entered, or a merger whose successor carries on its predecessors' records."""
        if day is None or self.valid_to is None or day <= self.valid_to:
            return ""
        return gettext(
            "“%(unit)s” ended on %(end)s: a record of it cannot be dated %(date)s, after that."
        ) % {
            "unit": self.name,
            "end": formats.date_format(self.valid_to, "SHORT_DATE_FORMAT"),
            "date": formats.date_format(day, "SHORT_DATE_FORMAT"),
        }

    def refuse_after_end(self, day: datetime.date | None, field: str | None = None) -> None:
        """Raise `after_end`'s refusal, under `field` if given."""
        if message := self.after_end(day):
            raise ValidationError({field: message} if field else message)

    def ancestor_ids(self) -> list[int]:
        """Primary keys from the root down to the parent, read off the path."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1]]

    def ancestors(self):
        """The units above this one, root first, in one query."""
        return OrgUnit.objects.filter(pk__in=self.ancestor_ids()).order_by("depth")

    def is_within(self, other: "OrgUnit") -> bool:
        """Whether this unit is `other` or lies below it."""
        return self.path.startswith(other.path)


class MapLoad(models.Model):
    """One run of the reference-map loader: which dataset version, and what changed."""

    source = models.CharField(_("source"), max_length=64)
    version = models.CharField(_("package version"), max_length=32)
    data_version = models.CharField(_("data version"), max_length=32)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    added = models.PositiveIntegerField(_("added"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    retired = models.PositiveIntegerField(_("retired"), default=0)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)

    class Meta:
        verbose_name = _("map load")
        verbose_name_plural = _("map loads")
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.version} ({self.data_version})"
