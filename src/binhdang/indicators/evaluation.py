"""Judging a value against its target, and the summary line the annual reviews use."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from binhdang.core.numbers import write_number

from .models import Comparator, Direction


class Verdict(models.TextChoices):
    """Outcome of comparing a value with the applicable target."""

    MET = "met", gettext_lazy("Met")
    NOT_MET = "not_met", gettext_lazy("Not met")
    NO_DATA = "no_data", gettext_lazy("No data")
    NO_TARGET = "no_target", gettext_lazy("No target")


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


@dataclass
class Summary:
    """How a unit's year stands against every target of the framework, as the reviews count it:
    met (or exceeded), not met, no figure, no target value; and whether it has any figure."""

    met: int = 0
    not_met: int = 0
    no_data: int = 0
    no_target: int = 0
    figures: int = 0

    @property
    def total(self) -> int:
        return self.met + self.not_met + self.no_data + self.no_target

    @property
    def has_figures(self) -> bool:
        return self.figures > 0

    def __str__(self) -> str:
        """ "16/19 chỉ tiêu đạt và vượt (84,2%); 1 chưa đạt, 1 chưa có số liệu, 1 chưa có mục
        tiêu", or "Chưa có số liệu" when the unit has no figure at all for the year."""
        if not self.has_figures:
            return str(_("No figures yet"))
        share = write_number(Decimal(100 * self.met) / self.total, 1) if self.total else "0"
        line = _("%(met)d/%(total)d targets met or exceeded (%(share)s)") % {
            "met": self.met,
            "total": self.total,
            "share": f"{share}%",
        }
        rest = [
            text % count
            for count, text in (
                (self.not_met, _("%d not met")),
                (self.no_data, _("%d without a figure")),
                (self.no_target, _("%d without a target value")),
            )
            if count
        ]
        return f"{line}; {', '.join(rest)}" if rest else line


def summarise(verdicts: Iterable[Verdict], figures: int | None = None) -> Summary:
    """Count the verdicts of every target; `figures`: how many targets have a figure (by default
    those judged met or not met)."""
    summary = Summary()
    for verdict in verdicts:
        field = {
            Verdict.MET: "met",
            Verdict.NOT_MET: "not_met",
            Verdict.NO_DATA: "no_data",
            Verdict.NO_TARGET: "no_target",
        }[Verdict(verdict)]
        setattr(summary, field, getattr(summary, field) + 1)
    summary.figures = summary.met + summary.not_met if figures is None else figures
    return summary


def summary_line(verdicts: Iterable[Verdict], figures: int | None = None) -> str:
    """ "16/19 chỉ tiêu đạt và vượt (84,2%); …" over every target (`Summary`)."""
    return str(summarise(verdicts, figures))
