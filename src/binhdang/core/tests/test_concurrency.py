"""core.concurrency: fingerprints, the three-way merge, and how a refusal is shown."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from binhdang.core.concurrency import (
    SEEN_FIELD,
    StaleCheckForm,
    StaleEdit,
    decode,
    display,
    fingerprint,
    fingerprints,
    merge,
)
from binhdang.core.numbers import read_number
from binhdang.orgunits.models import OrgUnit


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def test_equal_meanings_have_equal_fingerprints():
    assert fingerprint("Dòng một\r\nDòng hai ") == fingerprint("Dòng một\nDòng hai")
    assert fingerprint(read_number("45.000.000", "vi")) == fingerprint(45_000_000)
    assert fingerprint(Decimal("1.50")) == fingerprint(1.5) != fingerprint(15)
    assert fingerprint(None) == fingerprint("") == fingerprint([])
    assert fingerprint(0) != fingerprint(None)  # zero is a figure, empty is not
    assert fingerprint(False) != fingerprint(None)
    a, b = OrgUnit(pk=1), OrgUnit(pk=2)
    assert fingerprint([a, b]) == fingerprint([b, a])  # a set of units
    assert fingerprint(["b", "a"]) == fingerprint(["a", "b"])  # a set of codes
    assert fingerprint([("x", "1"), ("y", "2")]) != fingerprint([("y", "2"), ("x", "1")])
    assert fingerprint(datetime.date(2025, 9, 10)) != fingerprint(datetime.date(2025, 10, 9))


BASE = {"title": "A", "venue": "X", "cost": 5}


@pytest.mark.parametrize(
    ("stored", "sent", "saved", "changed"),
    [
        (BASE, BASE, BASE, set()),  # nobody changed anything: nothing to write
        (BASE, {**BASE, "title": "B"}, {**BASE, "title": "B"}, {"title"}),  # mine only
        ({**BASE, "cost": 7}, BASE, {**BASE, "cost": 7}, set()),  # theirs only: kept
        ({**BASE, "cost": 7}, {**BASE, "title": "B"}, {**BASE, "cost": 7, "title": "B"}, {"title"}),
        ({**BASE, "cost": 7}, {**BASE, "cost": 7}, {**BASE, "cost": 7}, set()),  # same change
    ],
)
def test_merge(stored, sent, saved, changed):
    mine = dict(sent)
    assert merge(mine, stored, fingerprints(BASE)) == changed
    assert mine == saved


def test_a_field_both_changed_is_refused_and_its_fingerprint_refreshed():
    seen = fingerprints(BASE)
    mine = {**BASE, "cost": 9, "title": "B"}
    with pytest.raises(StaleEdit) as refused:
        merge(mine, {**BASE, "cost": 7, "venue": "Y"}, seen)
    assert [(c.name, c.theirs, c.mine) for c in refused.value.conflicts] == [("cost", 7, 9)]
    assert refused.value.seen == {**seen, "cost": fingerprint(7)}
    # Sent again with the refreshed fingerprints: the user's value wins, the venue stays theirs.
    mine = {**BASE, "cost": 9, "title": "B"}
    assert merge(mine, {**BASE, "cost": 7, "venue": "Y"}, refused.value.seen) == {"cost", "title"}
    assert mine == {"title": "B", "venue": "Y", "cost": 9}


def test_without_fingerprints_only_real_differences_are_written():
    mine = dict(BASE)
    assert merge(mine, BASE, None) == set()
    assert merge({**BASE, "cost": 6}, BASE, decode("not json")) == {"cost"}


values = st.sampled_from([None, 0, 1, "a", "b"])


def same(x, y) -> bool:
    return fingerprint(x) == fingerprint(y)


@given(st.dictionaries(st.sampled_from("fgh"), st.tuples(values, values, values), min_size=1))
def test_merge_never_loses_a_change(fields):
    """For any base, stored and sent values: a change by one side alone survives; a field both
    changed differently refuses the whole save."""
    base = {name: b for name, (b, _t, _m) in fields.items()}
    stored = {name: t for name, (_b, t, _m) in fields.items()}
    sent = {name: m for name, (_b, _t, m) in fields.items()}
    clash = [
        name
        for name, (b, t, m) in fields.items()
        if not same(m, b) and not same(t, b) and not same(m, t)
    ]
    mine = dict(sent)
    if clash:
        with pytest.raises(StaleEdit) as refused:
            merge(mine, stored, fingerprints(base))
        assert sorted(c.name for c in refused.value.conflicts) == sorted(clash)
        return
    changed = merge(mine, stored, fingerprints(base))
    for name, (b, t, m) in fields.items():
        assert same(mine[name], t if same(m, b) else m)
        assert (name in changed) == (not same(m, b) and not same(m, t))


def test_display():
    assert display(None) == "(để trống)"
    assert display(45_000_000) == "45.000.000"
    assert display(datetime.date(2025, 9, 10)) == "10/09/2025"
    field = forms.ChoiceField(choices=[("training", "Tập huấn")])
    assert display(["training"], field) == "Tập huấn"


class NoteForm(StaleCheckForm, forms.Form):
    note = forms.CharField()


def test_the_form_carries_and_refreshes_its_fingerprints():
    opened = NoteForm(initial={"note": "A"}, seen={"note": "A"})
    assert f'name="{SEEN_FIELD}"' in opened.seen_input()
    posted = NoteForm({"note": "B", SEEN_FIELD: decode_text(opened)})
    assert posted.is_valid() and posted.seen() == {"note": fingerprint("A")}
    posted.show_stale(StaleEdit([], {"note": fingerprint("C")}))
    assert fingerprint("C") in posted.seen_input()


def decode_text(form) -> str:
    html = form.seen_input()
    return html.split('value="', 1)[1].rsplit('"', 1)[0].replace("&quot;", '"')
