"""Load the strategy's catalogue from its versioned data file; idempotent.

A target the file leaves empty (no source confirms it) is never overwritten with emptiness: if a
system administrator has filled it in since, that value stays.

The data file keeps its maintainers' research: every source consulted, notes on confidence and
on what is unconfirmed. None of it is loaded: the database, hence every page and document, holds
the public text only, i.e. the wording (an indicator's "public" block where the file has one,
else its wording without bracketed notes: `display.public_text`), and the legal citation of the
framework as the source of each indicator and target.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from .display import public_text
from .models import Framework, Indicator, Objective, Target

CATALOGUE = Path(__file__).parent / "data" / "nsge_2021_2030.json"
INDICATOR_FIELDS = ("measure", "multiplier", "direction", "computed_from_children")
PUBLIC_FIELDS = ("name_vi", "name_en", "unit_label_vi", "unit_label_en")


def public_fields(item: dict, legal_basis: str) -> dict:
    """An indicator's texts as users read them: its "public" wording where the data file gives
    one, else its wording without the maintainers' notes; the legal citation as its source."""
    public = item.get("public", {})
    texts = {name: public.get(name) or public_text(item.get(name, "")) for name in PUBLIC_FIELDS}
    return {**texts, "notes": public.get("notes", ""), "source": legal_basis}


@dataclass
class CatalogueReport:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"thêm {self.added}, thay đổi {self.changed}, giữ nguyên {self.unchanged}; "
            f"giữ giá trị do quản trị nhập: {len(self.kept)}"
        )


def _sync(model, lookup: dict, values: dict, report: CatalogueReport):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        report.added += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
        report.changed += 1
    else:
        report.unchanged += 1
    return obj


@transaction.atomic
def load_catalogue(path: Path = CATALOGUE) -> CatalogueReport:
    """Bring the catalogue in line with the data file; running it twice changes nothing."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    report = CatalogueReport()
    framework = _sync(
        Framework,
        {"code": spec["code"]},
        {
            **{key: spec[key] for key in ("name_vi", "name_en", "legal_basis", "version")},
            "source": spec["legal_basis"],
        },
        report,
    )
    objectives = {
        item["number"]: _sync(
            Objective,
            {"framework": framework, "number": item["number"]},
            {"name_vi": item["name_vi"], "name_en": item["name_en"]},
            report,
        )
        for item in spec["objectives"]
    }
    for item in spec["indicators"]:
        values = {name: item[name] for name in INDICATOR_FIELDS}
        values.update(public_fields(item, spec["legal_basis"]))
        values["multiplier"] = Decimal(str(values["multiplier"]))
        values["disaggregations"] = ",".join(item.get("disaggregations", []))
        indicator = _sync(
            Indicator,
            {"code": f"{spec['code']}.{item['code']}"},
            {
                **values,
                "number": item["code"],
                "framework": framework,
                "objective": objectives[item["objective"]],
            },
            report,
        )
        for target in item["targets"]:
            _sync_target(indicator, target, spec["legal_basis"], report)
    return report


def _sync_target(indicator: Indicator, target: dict, source: str, report: CatalogueReport):
    existing = Target.objects.filter(indicator=indicator, unit=None, year=target["year"]).first()
    if target["value"] is None and existing is not None and existing.value is not None:
        report.kept.append(f"{indicator.number} ({target['year']})")
        return
    value = None if target["value"] is None else Decimal(str(target["value"]))
    _sync(
        Target,
        {"indicator": indicator, "unit": None, "year": target["year"]},
        {"value": value, "comparator": target["comparator"] or "", "source": source},
        report,
    )
