"""Judging a value against its target, and the summary line the annual reviews use."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from binhdang.core.formatting import percent

from .models import Comparator, Direction


class Verdict(models.TextChoices):
    """Outcome of comparing a value with the applicable target."""

    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    NO_DATA = "no_data", _("No data")
    NO_TARGET = "no_target", _("No target")


def evaluate(
    value: Decimal | None,
    target: Decimal | None,
    comparator: str,
    direction: str,
) -> Verdict:
    """Met or not met; "about" (~) and an unstated comparator follow the target's direction."""
    if target is None:
        return Verdict.NO_TARGET
    if value is None:
        return Verdict.NO_DATA
    value, target = Decimal(value), Decimal(target)
    if comparator in ("", Comparator.ABOUT):
        comparator = Comparator.AT_LEAST if direction == Direction.HIGHER else Comparator.AT_MOST
    met = {
        Comparator.AT_LEAST: value >= target,
        Comparator.ABOVE: value > target,
        Comparator.AT_MOST: value <= target,
        Comparator.BELOW: value < target,
        Comparator.EQUAL: value == target,
    }[Comparator(comparator)]
    return Verdict.MET if met else Verdict.NOT_MET


def per_level_verdict(levels: list[Verdict], overall: Verdict) -> Verdict:
    """A target judged per level (1.1, "at every level") is met when every level that has a
    figure meets it, and not met as soon as one does not; with no level figure, `overall`."""
    judged = [v for v in levels if v in (Verdict.MET, Verdict.NOT_MET)]
    if not judged:
        return overall
    return Verdict.NOT_MET if Verdict.NOT_MET in judged else Verdict.MET


def summary_line(verdicts: list[Verdict]) -> str:
    """ "16/19 chỉ tiêu đạt và vượt (84,2%)": met over the targets that have a target value."""
    judged = [v for v in verdicts if v != Verdict.NO_TARGET]
    met = sum(1 for v in judged if v == Verdict.MET)
    share = percent(100 * met / len(judged)) if judged else "—"
    return _("%(met)d/%(total)d targets met or exceeded (%(share)s)") % {
        "met": met,
        "total": len(judged),
        "share": share,
    }
