"""DHIS2 exchange: export → import gives the same values, in JSON, CSV and ADX; bad sets refused,
hostile XML and oversized or deeply nested JSON with a clear 400."""

import csv
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from binhdang.indicators import dhis2, sums
from binhdang.indicators.loading import load_catalogue
from binhdang.indicators.models import DataValue, Indicator
from binhdang.indicators.services import record_value

pytestmark = pytest.mark.django_db


def _adx(records) -> bytes:
    return b"".join(dhis2.adx_stream(records))


@pytest.fixture
def filled(db, personas, tree):
    load_catalogue()
    admin = personas["system_admin"]
    ind = {i.number: i for i in Indicator.objects.all()}
    record_value(
        admin,
        ind["2.1"],
        tree["province"],
        2025,
        numerator=412,
        denominator=903,
        note="Cục Thống kê",
    )
    record_value(admin, ind["1.1"], tree["commune"], 2025, numerator=1, denominator=1)
    record_value(admin, ind["5.3"], tree["province"], 2025, value=1)
    record_value(admin, ind["4.1"], tree["far_commune"], 2025, numerator=112, denominator=100)
    return ind


def _snapshot():
    return sorted(
        (
            v.indicator.code,
            v.unit.code,
            v.year,
            v.category,
            v.numerator,
            v.denominator,
            v.value,
            v.note,
        )
        for v in DataValue.objects.select_related("indicator", "unit")
    )


@pytest.mark.parametrize("fmt", ["json", "csv", "adx"])
def test_round_trip_is_identical(client, personas, tree, filled, fmt):
    client.force_login(personas["system_admin"])
    url = reverse("indicators:dhis2_export", args=[tree["nation"].pk, fmt]) + "?year=2025"
    exported = client.get(url).getvalue()
    before = _snapshot()
    DataValue.objects.all().delete()
    sums.rebuild()  # deleted around the services: the roll-up's sums too
    upload = SimpleUploadedFile(f"set.{fmt}", exported)
    response = client.post(
        reverse("indicators:dhis2_import", args=[tree["nation"].pk]), {"file": upload}
    )
    assert response.status_code == 302
    assert _snapshot() == before


def test_csv_round_trip_gives_back_notes_that_look_like_formulas(client, personas, tree, filled):
    DataValue.objects.filter(indicator=filled["2.1"]).update(note="=SUM(A1) theo Cục Thống kê")
    DataValue.objects.filter(indicator=filled["5.3"]).update(note="-5% so với năm 2024")
    client.force_login(personas["system_admin"])
    url = reverse("indicators:dhis2_export", args=[tree["nation"].pk, "csv"]) + "?year=2025"
    exported = client.get(url).getvalue()
    assert b"'=SUM(A1)" in exported  # quoted for spreadsheets on the way out…
    before = _snapshot()
    DataValue.objects.all().delete()
    upload = SimpleUploadedFile("set.csv", exported)
    client.post(reverse("indicators:dhis2_import", args=[tree["nation"].pk]), {"file": upload})
    assert _snapshot() == before  # …and not saved with the quote on the way back


def test_json_uses_our_codes_and_splits_quotients(personas, tree, filled):
    records = list(dhis2.export_values(personas["system_admin"], tree["province"], 2025))
    elements = {(r["dataElement"], r["orgUnit"], r["value"]) for r in records}
    assert ("NSGE-2021-2030.2.1.NUM", "P51", "412") in elements
    assert ("NSGE-2021-2030.2.1.DEN", "P51", "903") in elements
    assert ("NSGE-2021-2030.5.3", "P51", "1") in elements
    assert all(r["orgUnit"] != tree["far_commune"].code for r in records)  # outside the subtree


def test_export_is_limited_to_the_users_scope(personas, tree, filled):
    records = dhis2.export_values(personas["commune_officer"], tree["nation"], 2025)
    assert {r["orgUnit"] for r in records} == {tree["commune"].code}


def test_bad_sets_are_refused_line_by_line_and_nothing_saved(personas, tree, filled):
    DataValue.objects.all().delete()
    sums.rebuild()  # deleted around the services: the roll-up's sums too
    items = [
        {"dataElement": "NSGE-2021-2030.2.1.NUM", "period": "2025", "orgUnit": "P51", "value": "5"},
        {"dataElement": "NSGE-2021-2030.2.1.DEN", "period": "2025", "orgUnit": "P51", "value": "4"},
        {"dataElement": "KHONG-CO", "period": "2025", "orgUnit": "P51", "value": "1"},
        {"dataElement": "NSGE-2021-2030.5.3", "period": "2025", "orgUnit": "X99999", "value": "1"},
        {"dataElement": "NSGE-2021-2030.5.3", "period": "2025Q1", "orgUnit": "P51", "value": "1"},
        {"dataElement": "NSGE-2021-2030.5.3", "period": "2025", "orgUnit": "P01", "value": "1"},
    ]
    cells = dhis2.parse(json.dumps({"dataValues": items}).encode(), "set.json")
    with pytest.raises(ValidationError) as error:
        dhis2.import_values(personas["province_admin"], cells)
    text = "\n".join(error.value.messages)
    assert "Dòng 1, 2" in text and "Tử số không được lớn hơn mẫu số" in text
    assert "Dòng 3" in text and "KHONG-CO" in text
    assert "Dòng 4" in text and "X99999" in text
    assert "Dòng 5" in text and "2025Q1" in text
    assert "Dòng 6" in text  # Hà Nội is outside the province administrator's scope
    assert not DataValue.objects.exists()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"not json", "set.json"),
        (b'{"x": 1}', "set.json"),
        (b"a,b,c\n1,2,3\n", "set.csv"),
        (b"\xff\xfe\x00", "set.csv"),
    ],
)
def test_unreadable_files_are_refused(content, name):
    with pytest.raises(ValidationError):
        dhis2.parse(content, name)


def test_import_page_refuses_other_file_types(client, personas, tree, filled):
    client.force_login(personas["province_admin"])
    page = client.post(
        reverse("indicators:dhis2_import", args=[tree["province"].pk]),
        {"file": SimpleUploadedFile("set.xlsx", b"PK\x03\x04")},
    ).content.decode()
    assert ".json" in page and ".csv" in page


# --- ADX ----------------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="P51" period="2025-01-01/P1Y">
<dataValue dataElement="NSGE-2021-2030.5.3" value="1"><annotation>&lol4;</annotation></dataValue>
</group></adx>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE adx [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="P51" period="2025-01-01/P1Y">
<dataValue dataElement="NSGE-2021-2030.5.3" value="1"><annotation>&secret;</annotation></dataValue>
</group></adx>"""


def test_adx_groups_by_unit_and_year_with_iso_periods(personas, tree, filled):
    records = dhis2.export_values(personas["system_admin"], tree["province"], 2025)
    document = _adx(records).decode()
    assert document.startswith("<?xml")
    assert 'xmlns="urn:ihe:qrph:adx:2015"' in document
    assert 'orgUnit="P51" period="2025-01-01/P1Y"' in document
    assert '<dataValue dataElement="NSGE-2021-2030.2.1.NUM" value="412">' in document
    assert "<annotation>Cục Thống kê</annotation>" in document


def test_adx_export_is_served_as_adx(client, personas, tree, filled):
    client.force_login(personas["system_admin"])
    url = reverse("indicators:dhis2_export", args=[tree["province"].pk, "adx"]) + "?year=2025"
    response = client.get(url)
    assert response["Content-Type"] == "application/adx+xml"
    assert 'filename="dhis2-P51-2025.adx.xml"' in response["Content-Disposition"]


def test_adx_categories_travel_as_dimension_attributes(personas, tree, catalogue):
    code = catalogue["5.3"].code
    adx = f"""<adx xmlns="urn:ihe:qrph:adx:2015"><group dataSet="BINHDANG" orgUnit="P51"
        period="2025-01-01/P1Y"><dataValue dataElement="{code}" value="1"/></group></adx>"""
    cells = dhis2.parse(adx.encode(), "set.xml")
    assert cells[0].record["categoryOptionCombo"] == ""
    assert dhis2.import_values(personas["province_admin"], cells) == 1
    records = [
        {
            "dataElement": "X",
            "period": "2025",
            "orgUnit": "P51",
            "categoryOptionCombo": "sex:female",
            "value": "3",
            "comment": "",
        }
    ]
    again = dhis2.parse(_adx(records), "set.adx")
    assert again[0].record["categoryOptionCombo"] == "sex:female"
    assert again[0].record["period"] == "2025"


def test_adx_problems_are_named_by_position(personas, tree, catalogue):
    code = catalogue["5.3"].code
    value = f'<dataValue dataElement="{code}" value="1"/>'
    adx = f"""<adx xmlns="urn:ihe:qrph:adx:2015">
      <group orgUnit="P51" period="2025-01-01/P1Y">{value}</group>
      <group orgUnit="P51" period="2025-01-01/P3M">{value}</group>
      <group orgUnit="P51" period="2024-01-01/P1Y"><dataValue dataElement="{code}" value="1,5"/>
      </group></adx>"""
    cells = dhis2.parse(adx.encode(), "set.xml")
    with pytest.raises(ValidationError) as error:
        dhis2.import_values(personas["province_admin"], cells)
    text = "\n".join(error.value.messages)
    assert "Dòng 2" in text and "2025-01-01/P3M" in text
    assert "Dòng 3" in text
    assert not DataValue.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        BILLION_LAUGHS,
        EXTERNAL_ENTITY,
        # The same attack in UTF-16, where the bytes "<!DOCTYPE" do not appear: defusedxml still
        # refuses the document type.
        EXTERNAL_ENTITY.replace(
            b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>'
        )
        .decode()
        .encode("utf-16"),
        b"<adx><group>",  # not well-formed
        b"<dataValueSet/>",  # another XML document
    ],
)
def test_hostile_or_foreign_xml_is_refused_unread(content):
    with pytest.raises(ValidationError) as error:
        dhis2.parse(content, "set.xml")
    assert "ADX" in error.value.messages[0]


def test_billion_laughs_upload_is_refused_with_400(client, personas, tree, catalogue):
    client.force_login(personas["province_admin"])
    response = client.post(
        reverse("indicators:dhis2_import", args=[tree["province"].pk]),
        {"file": SimpleUploadedFile("set.xml", BILLION_LAUGHS)},
    )
    assert response.status_code == 400
    assert "DOCTYPE" in response.content.decode()
    assert not DataValue.objects.exists()


def test_adx_past_the_row_limit_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 2
    values = '<dataValue dataElement="X" value="1"/>' * 3
    adx = f'<adx><group orgUnit="P51" period="2025-01-01/P1Y">{values}</group></adx>'
    with pytest.raises(ValidationError) as error:
        dhis2.parse(adx.encode(), "set.xml")
    assert "Tệp có hơn 2 dòng" in error.value.messages[0]


# --- Oversized and deeply nested JSON: a clear 400, never a 500 ----------------------------------


def test_a_10000_deep_json_upload_is_refused_with_400(client, personas, tree, catalogue):
    client.force_login(personas["province_admin"])
    content = b'{"dataValues": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    response = client.post(
        reverse("indicators:dhis2_import", args=[tree["province"].pk]),
        {"file": SimpleUploadedFile("set.json", content)},
    )
    assert response.status_code == 400
    assert "lồng nhau quá sâu" in response.content.decode()


def test_a_50_mb_json_upload_is_refused_with_400(client, personas, tree, catalogue):
    client.force_login(personas["province_admin"])
    content = b'{"dataValues": [' + b" " * (50 * 1024 * 1024) + b"]}"
    response = client.post(
        reverse("indicators:dhis2_import", args=[tree["province"].pk]),
        {"file": SimpleUploadedFile("set.json", content)},
    )
    assert response.status_code == 400
    assert "lớn hơn 5 MB" in response.content.decode()
    assert not DataValue.objects.exists()


# Codes and keys as DHIS2 and we write them; values as `records` writes them; notes any text XML
# can carry (XML 1.0 has no control characters but tab and line breaks; the parser reads a
# carriage return as a line break).
_code = st.from_regex(r"[A-Z][A-Z0-9.-]{0,30}", fullmatch=True)
_note = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    max_size=40,
).map(str.strip)
_record = st.fixed_dictionaries(
    {
        "dataElement": _code,
        "period": st.integers(2021, 2030).map(str),
        "orgUnit": _code,
        "categoryOptionCombo": st.sampled_from(["", "sex:female", "age:16_30", "level:commune"]),
        "value": st.decimals(-(10**9), 10**9, places=4).map(lambda d: format(d.normalize(), "f")),
        "comment": _note,
    }
)


@given(st.lists(_record, max_size=20))
def test_adx_gives_back_the_records_it_was_written_from(records):
    cells = dhis2.parse(_adx(records), "set.xml")

    # ADX groups by unit and year: the same records, possibly in another order.
    def key(r):
        return sorted(r.items())

    assert sorted((c.record for c in cells), key=key) == sorted(records, key=key)
    assert [c.line for c in cells] == list(range(1, len(records) + 1))


def test_a_note_with_characters_xml_cannot_carry_still_makes_a_readable_adx():
    record = {
        "dataElement": "X",
        "period": "2025",
        "orgUnit": "P51",
        "categoryOptionCombo": "",
        "value": "1",
        "comment": "Dòng một\x0bdòng hai\x01",  # Excel's line break inside a cell
    }
    (cell,) = dhis2.parse(_adx([record]), "set.xml")
    assert cell.record["comment"] == "Dòng một dòng hai"


# --- Streamed exports: the same files as when they were built in memory -------------------------


def _in_memory(user, unit, year: int) -> dict[str, bytes]:
    """The three files as the export wrote them before it was streamed (model instances, the
    whole list, then the whole document): the reference the streamed files must equal."""
    import xml.etree.ElementTree as ET

    from django.conf import settings

    from binhdang.accounts import permissions
    from binhdang.core import exports
    from binhdang.indicators.measures import QUOTIENTS

    values = (
        permissions.restrict(user, DataValue.objects.filter(year=year))
        .filter(unit__path__startswith=unit.path)
        .select_related("indicator", "unit")
        .order_by("unit__path", "indicator__code", "category")
    )
    records = []
    for row in values:
        base = {
            "period": str(row.year),
            "orgUnit": row.unit.code,
            "categoryOptionCombo": row.category,
            "comment": row.note,
        }
        if row.indicator.measure in QUOTIENTS:
            for part, number in (("NUM", row.numerator), ("DEN", row.denominator)):
                records.append(
                    {**base, "dataElement": f"{row.indicator.code}.{part}", "value": number}
                )
        else:
            records.append({**base, "dataElement": row.indicator.code, "value": row.value})
    for r in records:
        r["value"] = format(r["value"].normalize(), "f")
    root = ET.Element("adx", xmlns=dhis2.ADX_NAMESPACE, exported="at")
    groups = {}
    for r in records:
        key = (r["orgUnit"], r["period"])
        if key not in groups:
            groups[key] = ET.SubElement(
                root,
                "group",
                dataSet=settings.DHIS2_DATA_SET,
                orgUnit=r["orgUnit"],
                period=dhis2.adx_period(int(r["period"])),
            )
        attributes = {"dataElement": r["dataElement"]}
        if r["categoryOptionCombo"]:
            dimension, _sep, category = r["categoryOptionCombo"].partition(":")
            attributes[dimension] = category
        attributes["value"] = r["value"]
        element = ET.SubElement(groups[key], "dataValue", attributes)
        if r["comment"]:
            ET.SubElement(element, "annotation").text = dhis2._NOT_XML.sub(" ", r["comment"])
    keys = ["dataElement", "period", "orgUnit", "categoryOptionCombo"]
    csv_text = io.StringIO()
    writer = csv.writer(csv_text)
    writer.writerow(dhis2.CSV_HEADER)
    for r in records:
        row = [*map(r.get, keys), "", r["value"], "", "", r["comment"], "false"]
        writer.writerow([exports.neutralise(value) for value in row])
    return {
        "json": json.dumps({"dataValues": records}, ensure_ascii=False, indent=1).encode(),
        "csv": csv_text.getvalue().encode(),
        "adx": ET.tostring(root, encoding="utf-8", xml_declaration=True),
    }


def _tree_of(document: bytes):
    """An XML document as nested tuples (tag, attributes but the export time, text, children)."""
    import xml.etree.ElementTree as ET

    def walk(element):
        attributes = {k: v for k, v in element.attrib.items() if k != "exported"}
        return (element.tag, attributes, element.text, [walk(c) for c in element])

    return walk(ET.fromstring(document))


@pytest.fixture
def varied(filled, tree, catalogue):
    """Values of several units and categories, two years, notes a spreadsheet or XML would
    misread."""
    from decimal import Decimal

    women = catalogue["5.1"]  # a quotient by sex
    for n, unit in enumerate([tree["commune"], tree["neighbour"], tree["legacy_commune"]]):
        for category in ("", "sex:female", "sex:male"):
            DataValue.objects.create(
                indicator=women,
                unit=unit,
                year=2025,
                category=category,
                numerator=Decimal(10 + n),
                denominator=Decimal("40.50"),
                value=Decimal("0.2469"),
                note='=HYPERLINK("http://x") & <b> "quoted"\ndòng hai' if n == 1 else "",
            )
    DataValue.objects.create(
        indicator=catalogue["5.3"], unit=tree["province"], year=2024, value=Decimal(1)
    )
    return filled


@pytest.mark.parametrize("fmt", ["json", "csv", "adx"])
@pytest.mark.parametrize(
    ("persona", "where"),
    [("system_admin", "nation"), ("province_viewer", "province"), ("commune_officer", "commune")],
)
def test_the_streamed_file_is_the_one_built_in_memory_before(
    client, monkeypatch, personas, tree, varied, fmt, persona, where
):
    from binhdang.indicators import analyst

    monkeypatch.setattr(analyst, "UNIT_CHUNK", 2)  # several chunks of units, in order
    user = personas[persona]
    client.force_login(user)
    url = reverse("indicators:dhis2_export", args=[tree[where].pk, fmt])
    response = client.get(url, {"year": 2025})
    assert response.streaming
    streamed = response.getvalue()
    before = _in_memory(user, tree[where], 2025)[fmt]
    if fmt == "adx":
        assert _tree_of(streamed) == _tree_of(before)
    else:
        assert streamed == before
    assert len(dhis2.parse(streamed, f"set.{fmt}")) == len(dhis2.parse(before, f"set.{fmt}"))


def test_the_streamed_files_hold_only_the_users_scope(personas, tree, varied):
    def units(persona):
        return {r["orgUnit"] for r in dhis2.export_values(personas[persona], tree["nation"], 2025)}

    seen = {
        persona: units(persona)
        for persona in ("system_admin", "province_viewer", "commune_officer", "ministry_officer")
    }
    assert tree["far_commune"].code in seen["system_admin"]
    assert tree["far_commune"].code not in seen["province_viewer"]
    assert tree["neighbour"].code in seen["province_viewer"]
    # A commune's officer sees the figures of the old commune it was merged from.
    assert seen["commune_officer"] == {tree["commune"].code, tree["legacy_commune"].code}
    assert seen["ministry_officer"] == set()


def test_an_export_reads_nothing_until_it_is_sent(
    personas, tree, varied, django_assert_num_queries
):
    with django_assert_num_queries(0):
        records = dhis2.export_values(personas["system_admin"], tree["nation"], 2025)
    assert next(records)["period"] == "2025"


def test_an_empty_export_is_still_a_valid_document(client, personas, tree, catalogue):
    client.force_login(personas["system_admin"])
    for fmt in ("json", "csv", "adx"):
        url = reverse("indicators:dhis2_export", args=[tree["nation"].pk, fmt])
        assert dhis2.parse(client.get(url, {"year": 2025}).getvalue(), f"set.{fmt}") == []
