"""Activities (hoạt động), commendations (khen thưởng) and calendar feeds.

An activity is organised by one unit and counted in the roll-ups of that unit and every unit
above it; co-organising units see it too but do not count it. Participant figures are optional
(an activity may not record them), so they are nullable: "not recorded" is not zero.
A commendation is a proposal by a unit for an award, decided by an approver above that unit.
"""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from binhdang.core.audit import AuditedMixin
from binhdang.core.models import Searchable, TimeStamped

# Activities are recorded from the Law on Gender Equality's entry into force: Luật Bình đẳng giới
# số 73/2006/QH11 of 29/11/2006, in force from 01/07/2007 (Article 44; see
# /work/shared/domain/sources.md). Every year filter and summary of activities starts here.
LAW_IN_FORCE = datetime.date(2007, 7, 1)
FIRST_YEAR = LAW_IN_FORCE.year


class Kind(models.TextChoices):
    """What sort of activity; the order is the order of tables and sentences."""

    CONFERENCE = "conference", _("Conference")
    TRAINING = "training", _("Training course")
    WORKSHOP = "workshop", _("Workshop")
    TALK = "talk", _("Talk (round-table)")
    MEETING = "meeting", _("Meeting")
    CAMPAIGN = "campaign", _("Communication campaign")
    CONTEST = "contest", _("Contest")
    COMMEMORATION = "commemoration", _("Rally or commemoration")
    DELEGATION = "delegation", _("International delegation")
    OTHER = "other", _("Other activity")


KIND_ORDER = {kind: rank for rank, kind in enumerate(Kind)}


class Topic(models.TextChoices):
    """Themes an activity deals with; an activity may have several."""

    MAINSTREAMING = "mainstreaming", _("Gender mainstreaming")
    GENDER_EQUALITY_LAW = "gender_equality_law", _("Law and policy on gender equality")
    LEGAL_EDUCATION = "legal_education", _("Legal education and dissemination")
    SEXUAL_HARASSMENT = "sexual_harassment", _("Prevention of sexual harassment at work")
    GBV = "gbv", _("Prevention of gender-based violence")
    DOMESTIC_VIOLENCE = "domestic_violence", _("Prevention of domestic violence")
    TRAFFICKING = "trafficking", _("Prevention of human trafficking")
    WOMEN_CADRES = "women_cadres", _("Women cadres and leadership")
    ECONOMIC = "economic", _("Women's economic empowerment and employment")
    SEX_RATIO = "sex_ratio", _("Sex ratio at birth")
    HEALTH = "health", _("Reproductive health and care")
    CHILDREN = "children", _("Children's rights and protection")
    DIGITAL = "digital", _("Gender equality in the digital age")
    COMMITTEE_WORK = "committee_work", _("Committee work and reporting")
    OTHER = "other", _("Other topic")


TOPIC_ORDER = {topic: rank for rank, topic in enumerate(Topic)}


def events_label(count: int | None, minimum: bool) -> str:
    """ "Hơn 10" or "18" before a record's title; "" for a single event."""
    if (count or 1) == 1 and not minimum:
        return ""
    number = formats.number_format(count or 1, force_grouping=True)
    return gettext("More than %(count)s") % {"count": number} if minimum else number


def titled(title: str, count: int | None, minimum: bool) -> str:
    """A record's title as the review writes it: "Hơn 10 hội thảo, tập huấn"."""
    label = events_label(count, minimum)
    return f"{label} {title}" if label else title


class Activity(AuditedMixin, Searchable, TimeStamped):
    """A conference, training, campaign, delegation... held by a unit."""

    title = models.CharField(_("title"), max_length=500)
    kind = models.CharField(_("kind of activity"), max_length=16, choices=Kind.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    organiser = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("organising unit"),
        on_delete=models.PROTECT,
        related_name="organised_activities",
    )
    co_organisers = models.ManyToManyField(
        "orgunits.OrgUnit",
        verbose_name=_("co-organising units"),
        blank=True,
        related_name="co_organised_activities",
    )
    partners = models.CharField(_("other co-organisers"), max_length=500, blank=True)
    venue = models.CharField(_("venue"), max_length=500, blank=True)
    online_sites = models.TextField(_("online sites"), blank=True)
    online_site_count = models.PositiveIntegerField(
        _("number of online sites"), null=True, blank=True
    )
    # One record may stand for several events of its kind, as reviews write them: "18 đoàn quốc
    # tế" (18, exact) or "hơn 10 hội thảo, tập huấn" (10, a minimum).
    event_count = models.PositiveIntegerField(_("number of events"), default=1)
    count_is_minimum = models.BooleanField(_("at least this number"), default=False)
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    women = models.PositiveIntegerField(_("women participants"), null=True, blank=True)
    # Participants by the level they come from; parts of `participants`, not a second total.
    from_province = models.PositiveIntegerField(
        _("participants from the provincial level"), null=True, blank=True
    )
    from_district = models.PositiveIntegerField(
        _("participants from the district level"), null=True, blank=True
    )
    from_commune = models.PositiveIntegerField(
        _("participants from the commune level"), null=True, blank=True
    )
    from_departments = models.PositiveIntegerField(
        _("participants from departments and agencies"), null=True, blank=True
    )
    leaders = models.PositiveIntegerField(_("leaders and managers"), null=True, blank=True)
    officers = models.PositiveIntegerField(_("officers and civil servants"), null=True, blank=True)
    public = models.PositiveIntegerField(_("members of the public"), null=True, blank=True)
    cost = models.PositiveBigIntegerField(_("cost (VND)"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-start_date", "-pk"]
        indexes = [
            models.Index(fields=["organiser", "start_date"]),
            models.Index(fields=["start_date"]),
            models.Index(fields=["kind", "start_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="activity_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(event_count__gte=1), name="activity_counts_one_event_or_more"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_unit_id(self) -> int | None:
        return self.organiser_id

    def search_source(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:detail", args=[self.pk])

    @property
    def dates_label(self) -> str:
        """ "10/04/2024" or "10/04/2024 – 12/04/2024"."""
        start = formats.date_format(self.start_date, "SHORT_DATE_FORMAT")
        if self.end_date == self.start_date:
            return start
        return f"{start} – {formats.date_format(self.end_date, 'SHORT_DATE_FORMAT')}"

    @property
    def count_label(self) -> str:
        """ "Hơn 10" or "18" for a record of several events; "" for a single event."""
        return events_label(self.event_count, self.count_is_minimum)

    @property
    def display_title(self) -> str:
        """The title as the review writes it: "Hơn 10 hội thảo, tập huấn"."""
        return titled(self.title, self.event_count, self.count_is_minimum)

    @property
    def women_share(self) -> float | None:
        if self.participants and self.women is not None:
            return 100 * self.women / self.participants
        return None

    @property
    def topic_labels(self) -> list[str]:
        codes = sorted(
            (t.topic for t in self.topics.all()), key=lambda code: TOPIC_ORDER.get(code, 99)
        )
        return [str(Topic(code).label) for code in codes if code in Topic.values]

    @property
    def site_lines(self) -> list[str]:
        return [line.strip() for line in self.online_sites.splitlines() if line.strip()]


class ActivityTopic(AuditedMixin, models.Model):
    """One topic of an activity (a row per topic, so topics are counted in the database)."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="topics"
    )
    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices)

    class Meta:
        verbose_name = _("activity topic")
        verbose_name_plural = _("activity topics")
        constraints = [
            models.UniqueConstraint(fields=["activity", "topic"], name="one_row_per_activity_topic")
        ]
        indexes = [models.Index(fields=["topic"])]

    def __str__(self) -> str:
        return self.get_topic_display()

    def audit_unit_id(self) -> int | None:
        return self.activity.organiser_id


class ActivityOutput(AuditedMixin, models.Model):
    """A product of an activity: a news item, a document, a video... by its link."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="outputs"
    )
    title = models.CharField(_("title"), max_length=500, blank=True)
    url = models.URLField(_("link"), max_length=1000)

    class Meta:
        verbose_name = _("activity output")
        verbose_name_plural = _("activity outputs")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title or self.url

    def audit_unit_id(self) -> int | None:
        return self.activity.organiser_id


# Commendations ----------------------------------------------------------------------------------


class NomineeKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COLLECTIVE = "collective", _("Collective")


class AwardForm(models.TextChoices):
    """The form of an award (hình thức khen thưởng)."""

    CERTIFICATE_OF_MERIT = "certificate_of_merit", _("Certificate of merit")
    CERTIFICATE = "certificate", _("Certificate of commendation")
    EMULATION_FLAG = "emulation_flag", _("Emulation flag")
    EMULATION_TITLE = "emulation_title", _("Emulation title")
    COMMEMORATIVE_MEDAL = "commemorative_medal", _("Commemorative medal")
    ORDER = "order", _("Order (state decoration)")
    OTHER = "other", _("Other form of award")


class AwardLevel(models.TextChoices):
    """Who grants the award (cấp khen thưởng)."""

    STATE_PRESIDENT = "state_president", _("the State President")
    PRIME_MINISTER = "prime_minister", _("the Prime Minister")
    MINISTER = "minister", _("a Minister or head of a central agency")
    PROVINCE_CHAIR = "province_chair", _("the Chair of the Provincial People's Committee")
    COMMUNE_CHAIR = "commune_chair", _("the Chair of the Commune People's Committee")
    HEAD_OF_AGENCY = "head_of_agency", _("the head of an agency or unit")
    COMMITTEE = "committee", _("the Committee for the Advancement of Women")
    OTHER = "other", _("another authority")


class CommendationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


STATUS_BADGES = {
    CommendationStatus.PROPOSED: "text-bg-warning",
    CommendationStatus.APPROVED: "text-bg-success",
    CommendationStatus.REJECTED: "text-bg-secondary",
}


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Commendation(AuditedMixin, TimeStamped):
    """A proposal to commend an individual or a collective, and its decision."""

    year = models.PositiveSmallIntegerField(_("year"))
    nominee_kind = models.CharField(
        _("individual or collective"), max_length=16, choices=NomineeKind.choices
    )
    nominee = models.CharField(_("name of the individual or collective"), max_length=255)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, blank=True)
    position = models.CharField(_("position and workplace"), max_length=500, blank=True)
    award_form = models.CharField(_("form of award"), max_length=32, choices=AwardForm.choices)
    award_level = models.CharField(_("granted by"), max_length=32, choices=AwardLevel.choices)
    reason = models.TextField(_("achievements (reason)"))
    proposing_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("proposing unit"),
        on_delete=models.PROTECT,
        related_name="commendation_proposals",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CommendationStatus.choices,
        default=CommendationStatus.PROPOSED,
    )
    decision_number = models.CharField(_("commendation decision number"), max_length=64, blank=True)
    decision_date = models.DateField(_("commendation decision date"), null=True, blank=True)
    review_note = models.TextField(_("reviewer's note"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        ordering = ["-year", "-pk"]
        indexes = [models.Index(fields=["proposing_unit", "year"])]

    def __str__(self) -> str:
        return f"{self.nominee} — {self.award_label}"

    def audit_unit_id(self) -> int | None:
        return self.proposing_unit_id

    def get_absolute_url(self) -> str:
        return reverse("activities:commendation", args=[self.pk])

    @property
    def award_label(self) -> str:
        """ "Bằng khen của Chủ tịch UBND tỉnh"."""
        return gettext("%(form)s of %(level)s") % {
            "form": AwardForm(self.award_form).label,
            "level": AwardLevel(self.award_level).label,
        }

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES[CommendationStatus(self.status)]

    @property
    def is_open(self) -> bool:
        return self.status == CommendationStatus.PROPOSED


# Calendar feeds ---------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A user's secret calendar address; calendar apps cannot log in, so the token is the key."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("created at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)
