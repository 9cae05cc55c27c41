"""`InputRenderer` writes a plain <input> exactly as Django's templates write it."""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import strategies as st

from binhdang.core.forms import InputRenderer

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
ATTRIBUTES = st.dictionaries(
    st.from_regex(r"[a-z][a-z-]{0,8}", fullmatch=True).filter(lambda n: n not in ("id", "type")),
    st.one_of(TEXT, st.booleans(), st.integers()),
    max_size=4,
)
WIDGETS = [forms.TextInput, forms.HiddenInput, forms.NumberInput, forms.DateInput]


@given(
    widget=st.sampled_from(WIDGETS),
    name=TEXT,
    value=st.one_of(st.none(), TEXT, st.integers(), TEXT.map(mark_safe)),
    attrs=ATTRIBUTES,
)
def test_an_input_is_written_to_the_byte_as_django_s_template_writes_it(widget, name, value, attrs):
    field = widget(attrs=attrs)
    expected = field.render(name, value, attrs={"id": f"id_{name}"}, renderer=DjangoTemplates())
    assert field.render(name, value, attrs={"id": f"id_{name}"}, renderer=InputRenderer()) == (
        expected
    )


def test_other_widgets_still_use_their_templates():
    select = forms.Select(choices=[("", "—"), ("1", "Có")])
    assert select.render("z", "1", renderer=InputRenderer()) == select.render(
        "z", "1", renderer=DjangoTemplates()
    )
    assert "<option" in select.render("z", "1", renderer=InputRenderer())
