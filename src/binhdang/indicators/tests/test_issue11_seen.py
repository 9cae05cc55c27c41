"""Two of issue 11's "what was seen" bullets proven end to end in one test each (the others have
their tests where the code lives; see the issue's closing note):

- a yes answer re-saved from an untouched form must not drop the unit's summary (16/19 → 15/19);
- 230/205 must read with the same digits on the overview, the outlook and the Word report (it was
  112,1 on two of them and 112,2 on the third)."""

import datetime
import io

import pytest
from django.urls import reverse
from docx import Document

from binhdang.indicators.models import DataValue
from binhdang.indicators.services import record_value
from binhdang.indicators.tests.test_entry_form import key, opened
from binhdang.reporting import consolidated, documents
from binhdang.reporting.models import ReportingRound

pytestmark = pytest.mark.django_db


def _summary(client, unit) -> str:
    page = client.get(reverse("indicators:overview", args=[unit.pk]), {"year": 2025})
    html = page.content.decode()
    start = html.index('id="summary"')
    return html[start : html.index("</strong>", start)]


def test_resaving_a_yes_answer_keeps_the_units_summary(client, personas, tree, catalogue):
    officer, commune = personas["commune_officer"], tree["commune"]
    client.force_login(officer)
    url = reverse("indicators:enter", args=[commune.pk]) + "?year=2025"
    tab = opened(client, url)
    tab.data[key(catalogue["5.3"], "answer")] = "1"  # "Có"
    tab.data.update(
        {key(catalogue["2.1"], "numerator"): "3", key(catalogue["2.1"], "denominator"): "10"}
    )
    assert client.post(url, tab.data).status_code == 302
    before = _summary(client, commune)
    assert "1/19 chỉ tiêu đạt và vượt" in before

    for _save in range(3):  # Save pressed without touching anything
        assert client.post(url, opened(client, url).data).status_code == 302
    assert DataValue.objects.get(indicator=catalogue["5.3"], unit=commune).value == 1
    assert _summary(client, commune) == before


def test_230_of_205_reads_the_same_on_the_overview_the_outlook_and_in_word(
    client, personas, tree, catalogue
):
    province = tree["province"]
    record_value(
        personas["system_admin"], catalogue["4.1"], province, 2025, numerator=230, denominator=205
    )
    client.force_login(personas["province_viewer"])
    overview = client.get(
        reverse("indicators:overview", args=[province.pk]), {"year": 2025}
    ).content.decode()
    outlook = client.get(reverse("indicators:forecast", args=[province.pk])).content.decode()

    table = word_targets_table(province)
    word = next(r.cells[3].text for r in table.rows if r.cells[0].text == "4.1")

    assert word == "112,2 (230/205)"
    for name, page in {"overview": overview, "outlook": outlook}.items():
        assert "112,2" in page and "112,1" not in page, name


def word_targets_table(province):
    """The targets table of the province's consolidated 2025 Word report, made by the service
    the download button runs."""
    round = ReportingRound.objects.create(
        opener=province,
        name="Báo cáo kết quả thực hiện công tác bình đẳng giới năm 2025",
        kind="annual",
        year=2025,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        deadline=datetime.date(2025, 12, 15),
    )
    report = consolidated.build_report(round, province, date=datetime.date(2025, 12, 20))
    document = Document(io.BytesIO(documents.report_docx(report)))
    return next(t for t in document.tables if t.rows[0].cells[0].text == "Mã")
