"""The strategy's catalogue: frameworks, objectives, indicators and their targets."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from binhdang.core.audit import AuditedMixin
from binhdang.core.models import TimeStamped
from binhdang.core.text import in_language
from binhdang.orgunits.models import Level


class Measure(models.TextChoices):
    """How an indicator's value is made; all but counts and milestones are a quotient."""

    SHARE = "share", _("Share (%)")
    RATIO = "ratio", _("Ratio")
    RATE = "rate", _("Rate")
    COUNT = "count", _("Count")
    MILESTONE = "milestone", _("Yes/no milestone")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Comparator(models.TextChoices):
    """How a target is worded: "at least 60", "below 42", "about 60"..."""

    AT_LEAST = ">=", "≥"
    ABOVE = ">", ">"
    AT_MOST = "<=", "≤"
    BELOW = "<", "<"
    EQUAL = "=", "="
    ABOUT = "~", "~"


class Dimension(models.TextChoices):
    """How a figure may be broken down (disaggregated)."""

    SEX = "sex", _("Sex")
    AGE = "age", _("Age group")
    ETHNICITY = "ethnicity", _("Ethnicity")
    RESIDENCE = "residence", _("Urban / rural")
    # A target judged per level of government (1.1): a unit's figure for the agencies or
    # governments of one level of its subtree; a commune's or department's own total is its
    # answer for its level (decision 38).
    LEVEL = "level", _("Level of government")


# The categories of each dimension; a value's `category` is written "dimension:category".
CATEGORIES = {
    Dimension.SEX: [("female", _("Women")), ("male", _("Men"))],
    Dimension.AGE: [
        ("under_16", _("Under 16")),
        ("16_30", _("16 to 30")),
        ("31_60", _("31 to 60")),
        ("over_60", _("Over 60")),
    ],
    Dimension.ETHNICITY: [("minority", _("Ethnic minorities")), ("kinh", _("Kinh"))],
    Dimension.RESIDENCE: [("urban", _("Urban")), ("rural", _("Rural"))],
    Dimension.LEVEL: [
        ("central", Level.CENTRAL.label),
        ("province", Level.PROVINCE.label),
        ("district", Level.DISTRICT.label),
        ("commune", Level.COMMUNE.label),
        ("department", Level.DEPARTMENT.label),
    ],
}


class Framework(TimeStamped):
    """A strategy or programme whose targets units report on (e.g. the NSGE 2021–2030)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    version = models.CharField(_("catalogue version"), max_length=32, blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_vi, self.name_en)


class Objective(models.Model):
    """One of a framework's objectives (mục tiêu)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="objectives")
    number = models.PositiveSmallIntegerField(_("number"))
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="one_objective_number")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_vi, self.name_en)


class Indicator(AuditedMixin, TimeStamped):
    """A target indicator (chỉ tiêu): of a framework, or a unit's own local indicator."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    number = models.CharField(_("number in the framework"), max_length=16)
    framework = models.ForeignKey(
        Framework, null=True, blank=True, on_delete=models.PROTECT, related_name="indicators"
    )
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.PROTECT, related_name="indicators"
    )
    owner_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("unit (local indicator)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name_vi = models.TextField(_("wording (Vietnamese)"))
    name_en = models.TextField(_("wording (English)"), blank=True)
    measure = models.CharField(_("measure"), max_length=16, choices=Measure.choices)
    multiplier = models.DecimalField(
        _("multiplier"), max_digits=12, decimal_places=0, default=Decimal(1)
    )
    unit_label_vi = models.CharField(_("unit of measure (Vietnamese)"), max_length=64, blank=True)
    unit_label_en = models.CharField(_("unit of measure (English)"), max_length=128, blank=True)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    computed_from_children = models.BooleanField(_("computed from lower units"), default=False)
    # Comma-separated Dimension values, e.g. "sex" or "sex,residence".
    disaggregations = models.CharField(_("disaggregated by"), max_length=64, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["framework", "objective__number", "number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name[:60]}"

    def audit_unit_id(self) -> int | None:
        return self.owner_unit_id

    @property
    def name(self) -> str:
        return in_language(self.name_vi, self.name_en)

    def asks_yes_no(self, unit) -> bool:
        """Whether a unit answers with yes or no: milestones, and a commune's part of a target
        computed from lower units (e.g. 1.1, "a woman in a key leadership post")."""
        return self.measure == Measure.MILESTONE or (
            self.computed_from_children and unit.level == Level.COMMUNE
        )

    @property
    def unit_label(self) -> str:
        return in_language(self.unit_label_vi, self.unit_label_en)

    @property
    def dimensions(self) -> list[Dimension]:
        return [Dimension(d) for d in self.disaggregations.split(",") if d]

    def categories(self) -> list[tuple[str, str]]:
        """The breakdowns asked for this indicator: ("sex:female", "Sex: Women"), ..."""
        return [
            (f"{dimension}:{key}", f"{dimension.label}: {label}")
            for dimension in self.dimensions
            for key, label in CATEGORIES[dimension]
        ]


class Target(AuditedMixin, TimeStamped):
    """A target value for a milestone year: national (no unit) or set by a unit for its subtree."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # Empty when no source confirms the value: shown as unknown, never guessed.
    value = models.DecimalField(_("target value"), max_digits=14, decimal_places=4, null=True)
    comparator = models.CharField(
        _("comparator"), max_length=2, choices=Comparator.choices, blank=True
    )
    source = models.TextField(_("source"), blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=Q(unit__isnull=True),
                name="one_national_target_per_year",
            ),
            models.UniqueConstraint(
                fields=["indicator", "unit", "year"],
                condition=Q(unit__isnull=False),
                name="one_unit_target_per_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.number} {self.year}: {self.comparator}{self.value}"

    def audit_unit_id(self) -> int | None:
        return self.unit_id

    @property
    def is_known(self) -> bool:
        return self.value is not None

    @property
    def label(self) -> str:
        """ "≥ 60", "< 42", "~ 99,5" in the active language's number format; "" when unknown."""
        if self.value is None:
            return ""
        exponent = self.value.normalize().as_tuple().exponent
        places = max(0, -exponent) if isinstance(exponent, int) else 0
        number = formats.number_format(self.value, places, use_l10n=True, force_grouping=True)
        symbol = Comparator(self.comparator).label if self.comparator else ""
        return f"{symbol} {number}".strip()


class DataValue(AuditedMixin, TimeStamped):
    """A unit's figure for an indicator and a year (số liệu), total or for one category.

    Quotients (shares, ratios, rates) keep their numerator and denominator, so that they roll up
    by summing both, never by averaging percentages; `value` is derived from them. Counts and
    milestones (1 = yes, 0 = no) keep `value` only.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # "" is the total; a disaggregation is written "dimension:category", e.g. "sex:female".
    category = models.CharField(_("category"), max_length=64, blank=True)
    numerator = models.DecimalField(
        _("numerator"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominator"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4, null=True)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("data value")
        verbose_name_plural = _("data values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit", "year", "category"], name="one_value_per_cell"
            )
        ]
        indexes = [
            models.Index(fields=["indicator", "year", "category"]),
            # A few hundred units' entries of a year, for the roll-up (decision 82).
            models.Index(fields=["unit", "year"], name="value_unit_year"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.number} {self.unit} {self.year}: {self.value}"

    def audit_unit_id(self) -> int | None:
        return self.unit_id


class SubunitSum(models.Model):
    """The figures that a unit's direct sub-units of one level entered for an indicator, a year
    and a category, summed: what the roll-up reads instead of every commune's row (decision 82).

    Kept by the write services in the transaction of each write (`sums.apply`), rebuilt from
    the values by `binhdang manage rebuild_rollup`; empty figures count as 0 in the sums, as the
    roll-up adds them."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=64, blank=True)
    parent = models.ForeignKey("orgunits.OrgUnit", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()  # the sub-units' level
    entries = models.IntegerField(default=0)  # how many values (rows) the sums hold
    numerator = models.DecimalField(max_digits=30, decimal_places=4, default=Decimal(0))
    denominator = models.DecimalField(max_digits=30, decimal_places=4, default=Decimal(0))
    value = models.DecimalField(max_digits=30, decimal_places=4, default=Decimal(0))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "category", "parent", "level"],
                name="one_sum_per_parent_level",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year} {self.category} under {self.parent_id}"


class Lock(AuditedMixin, TimeStamped):
    """A unit's figures for a year closed to changes (khóa số liệu), e.g. once its report was
    accepted. Never deleted: unlocking records who, when and why, and a new lock is a new row."""

    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    reason = models.CharField(_("reason for locking"), max_length=255)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("locked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unlocked_at = models.DateTimeField(_("unlocked at"), null=True, blank=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("unlocked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unlock_reason = models.TextField(_("reason for unlocking"), blank=True)

    class Meta:
        verbose_name = _("lock on figures")
        verbose_name_plural = _("locks on figures")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                condition=Q(unlocked_at__isnull=True),
                name="one_active_lock_per_unit_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}"

    def audit_unit_id(self) -> int | None:
        return self.unit_id

    @property
    def is_active(self) -> bool:
        return self.unlocked_at is None


class FiguresRevision(models.Model):
    """A share of the count of committed transactions that wrote units' figures (decision 76).

    The sum over the rows moves on exactly when such a transaction commits, in the database
    every process reads, so what is cached from the figures (`indicators.revision`) is never
    served after a save. Several rows, so that saves at the same moment each take a free one
    instead of waiting for each other (`revision.figures_written`)."""

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("revision of the figures")
        verbose_name_plural = _("revisions of the figures")

    def __str__(self) -> str:
        return f"{self.pk}: {self.number}"
