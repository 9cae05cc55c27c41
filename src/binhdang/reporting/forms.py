import datetime

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from binhdang.core import dates
from binhdang.core.forms import StyledForm
from binhdang.indicators.models import Indicator
from binhdang.indicators.services import STRATEGY_YEARS
from binhdang.orgunits.forms import UnitMultipleChoiceField
from binhdang.orgunits.models import Level, OrgUnit

from . import services
from .models import DEFAULT_SECTION_LIMIT, RoundKind

SECTION_ROWS = 6
DATE_HELP = _("dd/mm/yyyy")


class IndicatorChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Indicator) -> str:
        return f"{obj.number} — {obj.name[:110]}"


class RoundForm(StyledForm):
    """Open a round: what is asked, of whom, by when."""

    name = forms.CharField(label=_("Name"), max_length=255)
    kind = forms.ChoiceField(label=_("Kind of report"), choices=RoundKind.choices)
    year = forms.TypedChoiceField(
        label=_("Year reported on"),
        coerce=int,
        choices=[(str(y), str(y)) for y in STRATEGY_YEARS],
    )
    period_start = forms.DateField(label=_("Period from"), help_text=DATE_HELP)
    period_end = forms.DateField(label=_("Period to"), help_text=DATE_HELP)
    deadline = forms.DateField(
        label=_("Submission deadline"),
        help_text=_("dd/mm/yyyy; reports sent until the end of that day are on time."),
    )
    allow_overlap = forms.BooleanField(
        label=_("Open it anyway, alongside the round already open"), required=False
    )
    # The year the name and period were last written for: while they still read as that year's
    # defaults, a change of year rewrites them (the user has not made them their own).
    derived_year = forms.IntegerField(widget=forms.HiddenInput, required=False)
    instructions = forms.CharField(
        label=_("Instructions to the units"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    mode = forms.ChoiceField(
        label=_("Who must report"),
        choices=[("levels", _("Every unit of a level below")), ("units", _("A chosen list"))],
        widget=forms.RadioSelect,
        initial="levels",
    )
    levels = forms.TypedMultipleChoiceField(
        label=_("Levels"),
        coerce=int,
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    units = UnitMultipleChoiceField(
        label=_("Units"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    indicators = IndicatorChoice(
        label=_("Requested indicators"),
        queryset=Indicator.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, opener: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.opener = opener
        below = OrgUnit.objects.subtree(opener).live().exclude(pk=opener.pk)
        present = set(below.values_list("level", flat=True).distinct())
        self.fields["levels"].choices = [
            (level.value, level.label)
            for level in Level
            if level in present and level in services.REQUIRABLE_LEVELS
        ]
        self.fields["units"].queryset = opener.children.live().order_by(
            "level", "official_code", "search_name"
        )
        line = [*opener.ancestor_ids(), opener.pk]
        self.fields["indicators"].queryset = Indicator.objects.filter(
            Q(framework__isnull=False, owner_unit__isnull=True) | Q(owner_unit_id__in=line)
        ).order_by("owner_unit", "objective__number", "number")
        for i in range(1, SECTION_ROWS + 1):
            self.fields[f"section_{i}"] = forms.CharField(
                label=_("Section %(n)d") % {"n": i}, max_length=255, required=False
            )
            self.fields[f"limit_{i}"] = forms.IntegerField(
                label=_("Length limit of section %(n)d") % {"n": i},
                required=False,
                min_value=services.MIN_SECTION_LIMIT,
                max_value=services.MAX_SECTION_LIMIT,
            )
        self._style_fields()

    @classmethod
    def initial_for(cls, opener: OrgUnit) -> dict:
        year = dates.today().year
        report_year = year if dates.today().month >= 10 else year - 1
        report_year = min(max(report_year, STRATEGY_YEARS.start), STRATEGY_YEARS.stop - 1)
        initial = {
            **cls.derived(report_year),
            "kind": RoundKind.ANNUAL,
            "year": str(report_year),
            "indicators": list(services.default_indicators().values_list("pk", flat=True)),
            "mode": "levels",
        }
        for i, (title, limit) in enumerate(services.default_sections(), start=1):
            initial[f"section_{i}"] = title
            initial[f"limit_{i}"] = limit
        return initial

    @staticmethod
    def derived(year: int) -> dict:
        """The name and period a round for `year` gets until the user writes their own."""
        return {
            "name": _("Report on gender equality work in %(year)d") % {"year": year},
            "period_start": datetime.date(year, 1, 1),
            "period_end": datetime.date(year, 12, 31),
            "derived_year": year,
        }

    @property
    def name_pattern(self) -> str:
        """The derived name with "{year}" where the year goes (for the page's script)."""
        return str(self.derived(9999)["name"]).replace("9999", "{year}")

    def clean(self):
        """Follow a change of year in the name and period the user has left as they were."""
        cleaned = super().clean()
        year, before = cleaned.get("year"), cleaned.get("derived_year")
        if year and before and year != before:
            old, new = self.derived(before), self.derived(year)
            if " ".join((cleaned.get("name") or "").split()) == old["name"]:
                cleaned["name"] = new["name"]
            period = (cleaned.get("period_start"), cleaned.get("period_end"))
            if period == (old["period_start"], old["period_end"]):
                cleaned["period_start"], cleaned["period_end"] = (
                    new["period_start"],
                    new["period_end"],
                )
            # Shown back on an error: the page reads what the rule decided.
            self.data = self.data.copy()
            for key in ("name", "period_start", "period_end"):
                value = cleaned.get(key)
                if value is not None:
                    self.data[key] = value.strftime("%d/%m/%Y") if key != "name" else value
            self.data["derived_year"] = str(year)
        return cleaned

    @property
    def section_rows(self):
        return [(self[f"section_{i}"], self[f"limit_{i}"]) for i in range(1, SECTION_ROWS + 1)]

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        sections = [
            (data.pop(f"section_{i}"), data.pop(f"limit_{i}") or DEFAULT_SECTION_LIMIT)
            for i in range(1, SECTION_ROWS + 1)
        ]
        mode = data.pop("mode")
        data.pop("derived_year")
        levels, units = data.pop("levels"), data.pop("units")
        return {
            **data,
            "sections": sections,
            "levels": levels if mode == "levels" else None,
            "units": list(units) if mode == "units" else None,
            "indicators": list(data.pop("indicators")),
        }


class SubmissionForm(StyledForm):
    """The unit's narrative: one text per requested section, and the explanation when some of
    its own sub-units' reports are not accepted."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    pending_explanation = forms.CharField(
        label=_("Why the report goes up before every sub-unit's report is accepted"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = list(sections)
        for section in self.sections:
            self.fields[f"section_{section.pk}"] = forms.CharField(
                label=section.title,
                required=False,
                strip=False,
                widget=forms.Textarea(
                    attrs={"rows": 8, "data-limit": section.max_length, "class": "counted"}
                ),
            )
        self._style_fields()

    @property
    def section_fields(self):
        return [(section, self[f"section_{section.pk}"]) for section in self.sections]

    def texts(self) -> dict:
        return {
            section.pk: self.cleaned_data.get(f"section_{section.pk}") or ""
            for section in self.sections
        }


class ReviewForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class DeadlineForm(StyledForm):
    deadline = forms.DateField(label=_("New deadline"), help_text=DATE_HELP)
