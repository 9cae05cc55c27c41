"""Score an intake reading against the corpus: precision and recall per field family.

A proposal is paired with at most one expected record of the same kind (the pairs agreeing on
most fields first); each scored field of a record counts once (each unit of a list once) in its
family. precision = correct proposed / proposed, recall = correct proposed / expected, where a
field is correct when its pair holds the same value (names and numbers compared without case or
diacritics, numbers as numbers). A flag (online, at least) counts only when set, and an empty
value is no finding, so a reader is not rewarded for leaving things out. Pure functions: the
benchmark (bench/intake.py) turns the extractor's proposals into plain records with `plain`.
"""

import datetime
import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from binhdang.core.text import fold

CORPUS = Path(__file__).with_name("corpus")
FAMILIES = ("dates", "kinds", "units", "decisions", "figures", "members", "tasks")

# kind -> scored field -> family. Titles, places, topics and posts are not scored: their wording
# is free, and the officer edits them anyway.
SCORED = {
    "activity": {
        "kind_value": "kinds",
        "online": "kinds",
        "start": "dates",
        "end": "dates",
        "organiser": "units",
        "others": "units",
        "participants": "figures",
    },
    "counted": {"kind_value": "kinds", "count": "figures", "at_least": "figures", "year": "dates"},
    "decision": {"number": "decisions", "date": "dates", "issuer": "units"},
    "member": {"name": "members", "role": "members", "unit": "units"},
    "summary": {"met": "figures", "total": "figures", "percent": "figures", "year": "dates"},
    "figure": {
        "indicator": "figures",
        "level": "figures",
        "numerator": "figures",
        "denominator": "figures",
        "year": "dates",
    },
    "task": {"lead": "units", "deadline": "dates"},
}
# A task has no field of its own worth scoring beyond lead and deadline: the record itself counts.
RECORD_FAMILY = {"task": "tasks"}
# Fields a corpus record may carry without being scored.
UNSCORED = {
    "activity": {"title", "place", "topics"},
    "decision": {"subject"},
    "member": {"position"},
    "task": {"title", "deadline_text"},
}
KINDS = tuple(SCORED)
UNIT_FIELDS = {"organiser", "others", "issuer", "unit", "lead"}
DATE_FIELDS = {"start", "end", "date", "deadline"}
NUMBER_FIELDS = {
    "participants",
    "count",
    "year",
    "met",
    "total",
    "percent",
    "numerator",
    "denominator",
}
FLAG_FIELDS = {"online", "at_least"}
RECORD = "(record)"


@dataclass
class Tally:
    """Counts of one family: fields proposed, expected, and proposed correctly."""

    proposed: int = 0
    expected: int = 0
    correct: int = 0

    @property
    def precision(self) -> float | None:
        """Correct share of what was proposed; None when nothing was."""
        return self.correct / self.proposed if self.proposed else None

    @property
    def recall(self) -> float | None:
        """Share of what was expected that was proposed correctly; None when nothing was."""
        return self.correct / self.expected if self.expected else None

    def __iadd__(self, other: "Tally") -> "Tally":
        self.proposed += other.proposed
        self.expected += other.expected
        self.correct += other.correct
        return self


@dataclass
class Score:
    """One report's (or the corpus's) tallies by family, records, and what went wrong."""

    families: dict[str, Tally] = field(default_factory=lambda: {f: Tally() for f in FAMILIES})
    records: Tally = field(default_factory=Tally)
    misses: list[str] = field(default_factory=list)
    false_findings: list[str] = field(default_factory=list)
    # Expected values not found, by "kind.field" (e.g. "task.lead"): where a family falls short.
    missed_fields: Counter = field(default_factory=Counter)

    @property
    def overall(self) -> Tally:
        """Every family's fields together."""
        total = Tally()
        for tally in self.families.values():
            total += tally
        return total

    def __iadd__(self, other: "Score") -> "Score":
        for family, tally in other.families.items():
            self.families[family] += tally
        self.records += other.records
        self.misses += other.misses
        self.false_findings += other.false_findings
        self.missed_fields += other.missed_fields
        return self


@dataclass(frozen=True)
class Report:
    """One corpus item: the pasted text and the records expected from it."""

    name: str
    text: str
    published: datetime.date | None
    home_unit: str | None
    expected: list[dict]


def load_corpus(directory: Path = CORPUS) -> list[Report]:
    """Every `NN-slug.txt` with its `NN-slug.json`, in order."""
    reports = []
    for text_path in sorted(directory.glob("*.txt")):
        spec = json.loads(text_path.with_suffix(".json").read_text(encoding="utf-8"))
        published = spec.get("published")
        reports.append(
            Report(
                name=text_path.stem,
                text=text_path.read_text(encoding="utf-8"),
                published=datetime.date.fromisoformat(published) if published else None,
                home_unit=spec.get("home_unit"),
                expected=spec["expected"],
            )
        )
    return reports


def plain(kind: str, fields: dict, code_of, *, first_candidate: bool = False) -> dict:
    """A proposal as a corpus record: units as codes (`code_of(pk)`; only a chosen unit counts,
    since an unresolved mention is a question to the officer, unless `first_candidate` takes
    the best candidate of such a mention), dates in ISO form, the activity's or count's kind
    under `kind_value`."""
    record = {"kind": kind}
    for name, value in fields.items():
        record["kind_value" if name == "kind" else name] = _plain(value, code_of, first_candidate)
    return record


def _plain(value, code_of, first_candidate: bool = False):
    if hasattr(value, "candidates") and hasattr(value, "chosen"):
        pk = value.chosen
        if pk is None and first_candidate and value.candidates:
            pk = value.candidates[0]
        return code_of(pk) if pk is not None else None
    if isinstance(value, (list, tuple)):
        return [_plain(item, code_of, first_candidate) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _normal(name: str, value):
    """The comparable form of one value, or None when it is no finding."""
    if value is None or value == "" or value is False:
        return None
    if name in FLAG_FIELDS:
        return True if value is True else None
    if name in NUMBER_FIELDS:
        try:
            return Decimal(str(value).replace(",", "."))
        except InvalidOperation:
            return fold(str(value))
    if name in DATE_FIELDS and isinstance(value, datetime.date):
        return value.isoformat()
    if name in UNIT_FIELDS or name in DATE_FIELDS:
        return str(value)
    return fold(str(value)).strip()


def atoms(record: dict) -> dict[str, list]:
    """The scored values of a record by field (a list field gives one value per unit)."""
    found = {}
    for name in SCORED.get(record["kind"], {}):
        raw = record.get(name)
        values = raw if isinstance(raw, (list, tuple)) else [raw]
        normal = [n for n in (_normal(name, v) for v in values) if n is not None]
        if normal:
            found[name] = normal
    return found


def _agreeing(proposed: dict[str, list], expected: dict[str, list]) -> dict[str, list]:
    agree = {}
    for name, values in proposed.items():
        remaining = list(expected.get(name, []))
        hits = []
        for value in values:
            if value in remaining:
                remaining.remove(value)
                hits.append(value)
        if hits:
            agree[name] = hits
    return agree


def _describe(record: dict, name: str, value) -> str:
    shown = value if not isinstance(value, Decimal) else format(value, "f")
    return f"{record['kind']}.{name} = {shown}"


def score(proposals: list[dict], expected: list[dict]) -> Score:
    """Pair proposals with expected records of the same kind and tally every scored field."""
    result = Score()
    p_atoms = [atoms(p) for p in proposals]
    e_atoms = [atoms(e) for e in expected]
    candidates = []
    for i, proposal in enumerate(proposals):
        for j, wanted in enumerate(expected):
            if proposal["kind"] != wanted["kind"]:
                continue
            agree = sum(len(v) for v in _agreeing(p_atoms[i], e_atoms[j]).values())
            if agree:
                candidates.append((-agree, j, i))
    pair_of, used = {}, set()
    for _, j, i in sorted(candidates):
        if j not in pair_of and i not in used:
            pair_of[j] = i
            used.add(i)

    for i, proposal in enumerate(proposals):
        kind = proposal["kind"]
        result.records.proposed += 1
        for name, values in p_atoms[i].items():
            result.families[SCORED[kind][name]].proposed += len(values)
        if kind in RECORD_FAMILY:
            result.families[RECORD_FAMILY[kind]].proposed += 1
    for j, wanted in enumerate(expected):
        kind = wanted["kind"]
        result.records.expected += 1
        for name, values in e_atoms[j].items():
            result.families[SCORED[kind][name]].expected += len(values)
        if kind in RECORD_FAMILY:
            result.families[RECORD_FAMILY[kind]].expected += 1
        i = pair_of.get(j)
        if i is None:
            result.misses.append(f"{kind} not found: {_summary(e_atoms[j])}")
            for name, values in e_atoms[j].items():
                result.missed_fields[f"{kind}.{name}"] += len(values)
            continue
        result.records.correct += 1
        if kind in RECORD_FAMILY:
            result.families[RECORD_FAMILY[kind]].correct += 1
        agree = _agreeing(p_atoms[i], e_atoms[j])
        for name, hits in agree.items():
            result.families[SCORED[kind][name]].correct += len(hits)
        for name, values in e_atoms[j].items():
            for value in _without(values, agree.get(name, [])):
                result.misses.append(_describe(wanted, name, value))
                result.missed_fields[f"{kind}.{name}"] += 1
        for name, values in p_atoms[i].items():
            for value in _without(values, agree.get(name, [])):
                result.false_findings.append(_describe(proposals[i], name, value))
    for i, proposal in enumerate(proposals):
        if i not in used:
            result.false_findings.append(f"{proposal['kind']} not expected: {_summary(p_atoms[i])}")
    return result


def _without(values: list, taken: list) -> list:
    rest = list(values)
    for value in taken:
        rest.remove(value)
    return rest


def _summary(found: dict[str, list]) -> str:
    parts = []
    for name, values in found.items():
        shown = [format(v, "f") if isinstance(v, Decimal) else str(v) for v in values]
        parts.append(f"{name}={','.join(shown)}")
    return " ".join(parts) or "(no scored field)"
