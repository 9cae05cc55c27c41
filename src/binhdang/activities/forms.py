from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from binhdang.accounts import permissions
from binhdang.core.concurrency import StaleCheckForm
from binhdang.core.forms import IntegerNumberField, StyledForm
from binhdang.orgunits.forms import UnitChoiceField, UnitMultipleChoiceField
from binhdang.orgunits.models import Level, OrgUnit

from . import services
from .models import (
    AwardForm,
    AwardLevel,
    CommendationStatus,
    Kind,
    NomineeKind,
    Sex,
    Topic,
)


def organiser_choices(user):
    """Units the user may record activities for: the current ones, and the former ministries,
    provinces and departments (an old province's department organised a 2021 training); former
    districts and communes stay out, being thousands. Former units are labelled with their end."""
    editable = permissions.editable_units(user)
    former = editable.historical().filter(
        level__in=[Level.CENTRAL, Level.PROVINCE, Level.DEPARTMENT]
    )
    return (
        (editable.live() | former)
        .select_related("parent")
        .order_by(F("valid_to").desc(nulls_first=True), "depth", "level", "search_name")
    )


def partner_choices(user):
    """Units that may co-organise: live units of the user's province or central agency (the
    top-level unit above the user's unit), and the units above it."""
    unit = permissions.home_unit(user)
    if unit is None:
        return OrgUnit.objects.none()
    ancestors = unit.ancestor_ids()
    top_id = ancestors[1] if len(ancestors) > 1 else unit.pk
    if unit.parent_id is None:
        # The nation: ministries, provinces and their departments.
        return (
            OrgUnit.objects.live()
            .filter(Q(level__in=[Level.NATION, Level.CENTRAL, Level.PROVINCE]) | Q(parent=unit))
            .order_by("depth", "level", "search_name")
        )
    top = OrgUnit.objects.get(pk=top_id)
    return (
        OrgUnit.objects.live()
        .filter(Q(path__startswith=top.path) | Q(pk__in=ancestors))
        .order_by("depth", "level", "search_name")
    )


def _count(label, help_text="", below=10**9):
    """A count typed as the language writes it (1.250 people; 45.000.000 đồng)."""
    # No minimum here: the service names a negative count in its own words.
    return IntegerNumberField(
        label=label, required=False, help_text=help_text, below=below, min_value=None
    )


class ActivityForm(StaleCheckForm, StyledForm):
    title = forms.CharField(label=_("Title"), max_length=500)
    kind = forms.ChoiceField(label=_("Kind of activity"), choices=[("", "—"), *Kind.choices])
    start_date = forms.DateField(label=_("Start date"), help_text=_("dd/mm/yyyy"))
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        help_text=_("Leave empty for a one-day activity."),
    )
    organiser = UnitChoiceField(label=_("Organising unit"), queryset=OrgUnit.objects.none())
    co_organisers = UnitMultipleChoiceField(
        label=_("Co-organising units"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.SelectMultiple,
    )
    partners = forms.CharField(
        label=_("Other co-organisers"),
        max_length=500,
        required=False,
        help_text=_(
            "Organisations not in the list, e.g. the Women's Union, an international partner."
        ),
    )
    venue = forms.CharField(label=_("Venue"), max_length=500, required=False)
    online_sites = forms.CharField(
        label=_("Online sites"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One online site per line, if the activity was held online."),
    )
    online_site_count = _count(
        _("Number of online sites"), _("Counted from the list if left empty.")
    )
    event_count = _count(
        _("Number of events"),
        _(
            "For a record of several events of this kind, e.g. 10 for “hơn 10 hội thảo”; empty for "
            "one event."
        ),
    )
    count_is_minimum = forms.BooleanField(
        label=_("At least this number (“hơn”, “trên”, “ít nhất”)"), required=False
    )
    participants = _count(_("Participants (total)"))
    women = _count(_("Women participants"))
    leaders = _count(_("Leaders and managers"))
    officers = _count(_("Officers and civil servants"))
    public = _count(_("Members of the public"))
    from_province = _count(_("From the provincial level"))
    from_district = _count(_("From the district level"))
    from_commune = _count(_("From the commune level"))
    from_departments = _count(_("From departments and agencies"))
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    outputs = forms.CharField(
        label=_("Outputs (links)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One link per line to a news item, a document or a video; you may write a title "
            "before the link, e.g. “Tin bài trên Cổng TTĐT tỉnh - https://…”."
        ),
    )
    cost = _count(_("Cost (VND)"), below=10**15)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    GROUPS = (
        ("title", "kind", "event_count", "count_is_minimum", "start_date", "end_date"),
        ("organiser", "co_organisers", "partners", "venue", "online_sites", "online_site_count"),
        ("participants", "women", *services.GROUP_FIELDS, *services.LEVEL_FIELDS),
        ("topics", "outputs", "cost", "note"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = organiser_choices(user)
        self.fields["co_organisers"].queryset = partner_choices(user)

    def clean(self):
        data = super().clean()
        links, bad = services.parse_links(data.get("outputs", ""))
        if bad:
            self.add_error("outputs", "; ".join(bad))
        data["links"] = links
        return data

    def activity_data(self) -> services.ActivityData:
        data = self.cleaned_data
        return services.ActivityData(
            title=data["title"],
            kind=data["kind"],
            start_date=data["start_date"],
            end_date=data.get("end_date"),
            organiser=data["organiser"],
            co_organisers=list(data.get("co_organisers") or []),
            partners=data.get("partners", ""),
            venue=data.get("venue", ""),
            online_sites=data.get("online_sites", ""),
            count_is_minimum=data.get("count_is_minimum", False),
            **{name: data.get(name) for name in services.COUNT_FIELDS},
            topics=list(data.get("topics") or []),
            outputs=data.get("links", []),
            cost=data.get("cost"),
            note=data.get("note", ""),
        )

    def groups(self):
        """The fields in the sections the page shows."""
        return [[self[name] for name in group] for group in self.GROUPS]


def initial_from(activity) -> dict:
    """A form's initial values for an existing activity."""
    return {
        "title": activity.title,
        "kind": activity.kind,
        "start_date": activity.start_date,
        "end_date": activity.end_date if activity.end_date != activity.start_date else None,
        "organiser": activity.organiser,
        "co_organisers": list(activity.co_organisers.all()),
        "partners": activity.partners,
        "venue": activity.venue,
        "online_sites": activity.online_sites,
        "count_is_minimum": activity.count_is_minimum,
        **{name: getattr(activity, name) for name in services.COUNT_FIELDS},
        "topics": [t.topic for t in activity.topics.all()],
        "outputs": services.links_text(activity.outputs.all()),
        "cost": activity.cost,
        "note": activity.note,
    }


class ActivityFilterForm(StyledForm):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    q = forms.CharField(label=_("Title contains"), required=False)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *[(y, str(y)) for y in years]]
        self.fields["kind"].choices = [("", _("All kinds")), *Kind.choices]
        self.fields["topic"].choices = [("", _("All topics")), *Topic.choices]


class ImportForm(StyledForm):
    file = forms.FileField(label=_("Excel file (.xlsx) made from the template"))


class ProposalForm(StaleCheckForm, StyledForm):
    year = forms.IntegerField(label=_("Year"))
    proposing_unit = UnitChoiceField(label=_("Proposing unit"), queryset=OrgUnit.objects.none())
    nominee_kind = forms.ChoiceField(
        label=_("Individual or collective"), choices=NomineeKind.choices
    )
    nominee = forms.CharField(label=_("Name of the individual or collective"), max_length=255)
    sex = forms.ChoiceField(
        label=_("Sex (for an individual)"), choices=[("", "—"), *Sex.choices], required=False
    )
    position = forms.CharField(label=_("Position and workplace"), max_length=500, required=False)
    award_form = forms.ChoiceField(
        label=_("Form of award"), choices=[("", "—"), *AwardForm.choices]
    )
    award_level = forms.ChoiceField(label=_("Granted by"), choices=[("", "—"), *AwardLevel.choices])
    reason = forms.CharField(
        label=_("Achievements (reason)"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposing_unit"].queryset = organiser_choices(user)

    def proposal_data(self) -> services.ProposalData:
        data = self.cleaned_data
        return services.ProposalData(
            year=data["year"],
            nominee_kind=data["nominee_kind"],
            nominee=data["nominee"],
            sex=data.get("sex", ""),
            position=data.get("position", ""),
            award_form=data["award_form"],
            award_level=data["award_level"],
            reason=data["reason"],
            proposing_unit=data["proposing_unit"],
        )


class ApproveForm(StyledForm):
    decision_number = forms.CharField(
        label=_("Number and symbol of the commendation decision"),
        max_length=64,
        help_text=_("e.g. 1234/QĐ-UBND"),
    )
    decision_date = forms.DateField(
        label=_("Date of the commendation decision"), help_text=_("dd/mm/yyyy")
    )


class RejectForm(StyledForm):
    review_note = forms.CharField(
        label=_("Reason for rejecting"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CommendationFilterForm(StyledForm):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *[(y, str(y)) for y in years]]
        self.fields["status"].choices = [("", _("All statuses")), *CommendationStatus.choices]
