from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from binhdang.core.forms import InputRenderer, NumberField, StyledForm

from . import measures, services
from .dhis2 import ADX_EXTENSIONS
from .models import Comparator, Dimension, Direction, Indicator, Measure


class TargetForm(StyledForm):
    comparator = forms.ChoiceField(
        label=_("Comparator"), choices=[("", "—"), *Comparator.choices], required=False
    )
    value = NumberField(
        label=_("Target value"),
        required=False,
        below=services.TARGET_LIMIT,
        decimal_places=4,
        help_text=_("Leave empty while no source confirms it: it is shown as unknown."),
    )
    source = forms.CharField(
        label=_("Source"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


YES_NO = [("", "—"), ("1", _("Yes")), ("0", _("No"))]
FIELD_LABELS = {
    "answer": _("Yes / no"),
    "value": _("Figure"),
    "numerator": _("Numerator"),
    "denominator": _("Denominator"),
    "note": _("Note"),
    "source": _("Source"),
}


class YearForm(StyledForm):
    year = forms.TypedChoiceField(
        label=_("Year"), coerce=int, choices=[(y, y) for y in range(2021, 2031)]
    )


@dataclass
class EntryLine:
    """A line of the entry form: an indicator's total (`category` "") or one of its breakdowns.
    Its fields are named `<prefix><name>`; `was` holds the figures the page showed."""

    indicator: Indicator
    category: str
    label: str
    names: tuple[str, ...]
    yes_no: bool
    section: str = ""

    @property
    def prefix(self) -> str:
        pk = self.indicator.pk
        return f"{pk}-{self.category}-" if self.category else f"{pk}-"

    @property
    def keys(self) -> list[str]:
        return [self.prefix + name for name in self.names]

    @property
    def was(self) -> str:
        return self.prefix + "was"


LOCAL_SECTION = "local"


def section_of(indicator: Indicator) -> str:
    """The part of the entry form an indicator is in, saved on its own: its objective's
    ("o3"), or the unit's own indicators' ("local")."""
    if indicator.objective_id is None:
        return LOCAL_SECTION
    return f"o{indicator.objective.number}"


@dataclass
class EntrySection:
    """A part of the entry form with its own Save button: an objective, or the local
    indicators."""

    key: str
    title: str
    short: str
    lines: list[tuple[EntryLine, list[EntryLine]]]


class DataEntryForm(StyledForm):
    """One line per indicator (and per breakdown); the fields follow the indicator's measure
    (`indicators.measures`). Numbers are read as the active language writes them.

    Only the lines the officer changed are saved, and each carries what the page showed when it
    was opened (a hidden field), so that a line someone else saved since is refused rather than
    silently overwritten. A locked year's fields are read-only.

    The form is cut into sections (`sections`), each with its own Save button: a section's
    save (`section`) writes only that section's lines, and a mistake typed in another section
    does not stop it."""

    # Hundreds of fields: each <input> written without rendering a template (a third of the
    # page's time at a deadline, issue 16).
    default_renderer = InputRenderer()

    def __init__(
        self,
        *args,
        indicators,
        yes_no: set[int],
        categories: dict,
        stored: dict,
        locked=False,
        section: str | None = None,
        **kw,
    ):
        """`categories`: each indicator's breakdown lines for this unit and year, by id
        (`services.categories_by_indicator`); `section`: the only section to save, if any."""
        self.stored = stored
        self.section = section
        initial = self._initial(indicators, yes_no, categories, stored)
        super().__init__(*args, initial=initial, **kw)
        self.lines: list[tuple[EntryLine, list[EntryLine]]] = []
        self.sections: dict[str, EntrySection] = {}
        for indicator in indicators:
            asks = indicator.pk in yes_no
            names = measures.figure_names(indicator, asks)
            group = section_of(indicator)
            total = EntryLine(indicator, "", "", names, asks, group)
            for name, key in zip(names, total.keys, strict=True):
                self.fields[key] = self._figure_field(indicator, name, FIELD_LABELS[name])
            self.fields[f"{indicator.pk}-note"] = forms.CharField(
                label=FIELD_LABELS["note"], required=False, max_length=2000
            )
            self.fields[f"{indicator.pk}-source"] = forms.CharField(
                label=FIELD_LABELS["source"], required=False, max_length=255
            )
            parts = []
            for category, label in [] if asks else categories[indicator.pk]:
                part = EntryLine(indicator, category, label, names, False, group)
                for name, key in zip(names, part.keys, strict=True):
                    self.fields[key] = self._figure_field(
                        indicator, name, f"{label}: {FIELD_LABELS[name]}"
                    )
                parts.append(part)
            for line in (total, *parts):
                self.fields[line.was] = forms.CharField(required=False, widget=forms.HiddenInput)
            self.lines.append((total, parts))
            self._section(indicator, group).lines.append((total, parts))
        if locked:
            for field in self.fields.values():
                field.disabled = True
        self._style_fields()

    def _section(self, indicator: Indicator, key: str) -> EntrySection:
        if key not in self.sections:
            if key == LOCAL_SECTION:
                title = short = _("Local indicators")
            else:
                short = f"{_('Objective')} {indicator.objective.number}"
                title = f"{short}. {indicator.objective.name}"
            self.sections[key] = EntrySection(key, title, short, [])
        return self.sections[key]

    def _section_fields(self) -> set[str]:
        names = set()
        for total, parts in self.sections[self.section].lines:
            pk = total.indicator.pk
            names |= {f"{pk}-note", f"{pk}-source"}
            for line in (total, *parts):
                names |= {*line.keys, line.was}
        return names

    def clean(self):
        if self.section is not None and self.section not in self.sections:
            raise ValidationError(_("This part of the form does not exist: reload the page."))
        return super().clean()

    def savable(self) -> bool:
        """Whether the lines to save were read without a mistake: every line, or for a
        section's save only that section's (mistakes elsewhere wait for their own save)."""
        if self.section is None or self.non_field_errors():
            return self.is_valid()
        return not set(self.errors) & self._section_fields()

    @staticmethod
    def _figure_field(indicator, name: str, label) -> forms.Field:
        if name == "answer":
            return forms.ChoiceField(label=label, choices=YES_NO, required=False)
        whole = name == "value" and indicator.measure == Measure.COUNT
        return NumberField(
            label=label,
            required=False,
            below=measures.FIGURE_LIMIT,
            decimal_places=0 if whole else measures.PLACES,
        )

    @staticmethod
    def _initial(indicators, yes_no: set[int], categories: dict, stored: dict) -> dict:
        """The stored figures as the form's values, and each line's `was`."""
        initial = {}
        for indicator in indicators:
            asks = indicator.pk in yes_no
            lines = [] if asks else [c for c, _l in categories[indicator.pk]]
            for category in ["", *lines]:
                prefix = f"{indicator.pk}-{category}-" if category else f"{indicator.pk}-"
                row = stored.get((indicator.pk, category))
                for name, value in measures.to_line(indicator, asks, row).items():
                    initial[prefix + name] = value
                initial[prefix + "was"] = row.to_text() if row else ""
                if not category and row:
                    initial[f"{indicator.pk}-note"] = row.note
                    initial[f"{indicator.pk}-source"] = row.source
        return initial

    def _typed(self, line: EntryLine) -> dict:
        return {name: self.cleaned_data.get(line.prefix + name) for name in line.names}

    def _texts(self, line: EntryLine) -> tuple[str, str]:
        pk = line.indicator.pk
        return (
            (self.cleaned_data.get(f"{pk}-note") or "").strip(),
            (self.cleaned_data.get(f"{pk}-source") or "").strip(),
        )

    def _shown(self, line: EntryLine) -> tuple[bool, measures.Stored | None]:
        """(seen, what the page showed): from the posted `was`, else what is stored now."""
        if line.was in self.data:
            text = self.data.get(line.was, "")
            shown = measures.Stored.from_text(text) if text else None
            if not text or shown is not None:
                return True, shown
        return False, self.stored.get((line.indicator.pk, line.category))

    def to_save(self) -> list[services.Line]:
        """The lines the officer filled in or changed (in the saved section, if one is), as
        `services.record_values` takes them; untouched lines are left out, so they are never
        rewritten."""
        result = []
        for total, parts in self.lines:
            if self.section is not None and total.section != self.section:
                continue  # a section's save leaves the other sections as they are stored
            note, source = self._texts(total)
            for line in (total, *parts):
                typed = self._typed(line)
                if all(v in (None, "") for v in typed.values()):
                    continue  # blank lines are skipped
                seen, shown = self._shown(line)
                before = measures.to_line(line.indicator, line.yes_no, shown)
                texts_before = (shown.note.strip(), shown.source.strip()) if shown else ("", "")
                unchanged = typed == before and (line.category or (note, source) == texts_before)
                if unchanged:
                    continue
                figures = measures.from_line(line.indicator, line.yes_no, typed)
                result.append(
                    services.Line(
                        line.indicator,
                        {**figures, "note": note, "source": source},
                        line.category,
                        shown,
                        seen,
                        line.prefix,
                    )
                )
        return result

    def _line_of(self, key: str) -> EntryLine | None:
        for total, parts in self.lines:
            for line in (total, *parts):
                if key.startswith(line.prefix) and key[len(line.prefix) :].count("-") == 0:
                    return line
        return None

    def add_refusal(self, error: ValidationError) -> None:
        """Show the service's refusal: each on its line's field (the line's first figure field
        when the refusal concerns the whole line), the rest above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, errors in error.error_dict.items():
            line = self._line_of(key)
            if key not in self.fields and line is not None:
                key = line.keys[0]
            if key in self.fields and not self.fields[key].disabled:
                self.add_error(key, errors)
                css = self.fields[key].widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    self.fields[key].widget.attrs["class"] = f"{css} is-invalid".strip()
            else:
                self.add_error(None, errors)

    def show_conflicts(self, conflicts: list[services.Conflict], stored: dict) -> None:
        """After a save with conflicts: the saved lines show what is stored now, each refused
        line keeps what the officer typed beside what the other person stored, and every `was`
        is brought up to date (saving again then replaces theirs, knowingly)."""
        data = self.data.copy()
        refused = {conflict.line.key: conflict for conflict in conflicts}
        for total, parts in self.lines:
            for line in (total, *parts):
                now = stored.get((line.indicator.pk, line.category))
                data[line.was] = now.to_text() if now else ""
                if line.prefix in refused:
                    continue
                for name, value in measures.to_line(line.indicator, line.yes_no, now).items():
                    data[line.prefix + name] = self.fields[line.prefix + name].prepare_value(value)
        self.data = data
        for conflict in conflicts:
            line = self._line_of(conflict.line.key + "was")
            figures = conflict.line.figures
            yours = measures.Stored(*(figures.get(n) for n in measures.FIGURES))
            self.add_error(
                line.keys[0],
                _(
                    "Someone else saved %(theirs)s here since you opened this page; you typed "
                    "%(yours)s. Yours was not saved: check it and save again to replace theirs."
                )
                % {
                    "theirs": measures.describe(line.indicator, line.yes_no, conflict.theirs),
                    "yours": measures.describe(line.indicator, line.yes_no, yours),
                },
            )


class DataFileForm(StyledForm):
    file = forms.FileField(label=_("DHIS2 data value set (.json, .csv or ADX .xml)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".json", ".csv", *ADX_EXTENSIONS)):
            raise forms.ValidationError(_("Choose a .json, .csv or ADX (.xml) file."))
        if upload.size > settings.IMPORT_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %d MB.") % settings.IMPORT_MAX_MB
            )
        return upload


class ImportFileForm(StyledForm):
    file = forms.FileField(label=_("Excel file (.xlsx) made from the template"))


class LocalIndicatorForm(StyledForm):
    """A province's or ministry's own indicator."""

    number = forms.CharField(label=_("Number"), max_length=16, help_text=_("e.g. ĐP1"))
    name_vi = forms.CharField(
        label=_("Wording (Vietnamese)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    name_en = forms.CharField(
        label=_("Wording (English)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices)
    multiplier = NumberField(
        label=_("Multiplier"),
        required=False,
        min_value=1,
        below=10**12,
        decimal_places=0,
        help_text=_("For a rate, e.g. 1000 for “per 1,000”; a share is always ×100."),
    )
    unit_label_vi = forms.CharField(label=_("Unit of measure"), max_length=64, required=False)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    dimensions = forms.MultipleChoiceField(
        label=_("Broken down by"),
        choices=Dimension.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    source = forms.CharField(label=_("Source (plan, decision)"), max_length=500, required=False)


class AnalystExportForm(StyledForm):
    """What the analyst export holds: years, indicators (none chosen: all), and the format."""

    FORMATS = [("csv", "CSV (UTF-8)"), ("xlsx", "Excel (.xlsx)")]
    YEAR_ERRORS = {"invalid_choice": _("Choose a year from 2021 to 2030.")}

    first_year = forms.TypedChoiceField(
        label=_("From year"),
        coerce=int,
        choices=[(y, y) for y in services.STRATEGY_YEARS],
        initial=services.STRATEGY_YEARS.start,
        required=False,
        empty_value=None,
        error_messages=YEAR_ERRORS,
    )
    last_year = forms.TypedChoiceField(
        label=_("To year"),
        coerce=int,
        choices=[(y, y) for y in services.STRATEGY_YEARS],
        initial=services.STRATEGY_YEARS.stop - 1,
        required=False,
        empty_value=None,
        error_messages=YEAR_ERRORS,
    )
    indicators = forms.ModelMultipleChoiceField(
        label=_("Indicators"),
        queryset=Indicator.objects.none(),
        required=False,
        help_text=_("Choose none to export every indicator."),
        error_messages={
            "invalid_choice": _("Indicator %(value)s is not one you may export."),
            "invalid_pk_value": _("“%(pk)s” is not an indicator."),
        },
    )
    format = forms.ChoiceField(
        label=_("File format"), choices=FORMATS, initial="csv", required=False
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = indicators

    def clean(self):
        data = super().clean()
        # A year left out: the strategy's first or last (a link or an API call may omit them).
        if "first_year" not in self.errors and data.get("first_year") is None:
            data["first_year"] = services.STRATEGY_YEARS.start
        if "last_year" not in self.errors and data.get("last_year") is None:
            data["last_year"] = services.STRATEGY_YEARS.stop - 1
        data["format"] = data.get("format") or "csv"
        first, last = data.get("first_year"), data.get("last_year")
        if first is not None and last is not None and first > last:
            raise ValidationError(_("The first year must not come after the last year."))
        return data
