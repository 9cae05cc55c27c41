"""The intake pages: who may use them, bad input writing nothing, proposals corrected and saved
all or none through the owning services, once, with the audit saying so.

The extractor (intake.extract, written apart) is replaced here by fixed readings built to the
contract, so these tests say what the page does with any reading."""

import datetime
from dataclasses import dataclass, field

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from binhdang.activities.models import Activity
from binhdang.committees.models import Committee, Membership
from binhdang.indicators.models import DataValue
from binhdang.intake import views
from binhdang.intake.models import Draft
from binhdang.plans.models import Task

TEXT = (
    "Tập huấn kiến thức về bình đẳng giới năm 2023\n"
    "Đăng ngày 23/05/2023\n"
    "Trong 02 ngày, từ 21-22/5/2023, UBND xã tổ chức lớp tập huấn cho 125 học viên.\n"
    "UBND xã giao Công an xã chủ trì rà soát, hoàn thành trước tháng 10/2023."
)


@dataclass
class Mention:
    text: str
    start: int = 0
    end: int = 0
    candidates: list = field(default_factory=list)
    chosen: int | None = None


@dataclass
class Proposal:
    kind: str
    fields: dict
    start: int
    end: int
    confidence: float = 0.9


@dataclass
class Reading:
    document: object
    proposals: list
    units: list = field(default_factory=list)


def _span(document, words: str) -> tuple[int, int]:
    start = document.text.index(words)
    return start, start + len(words)


@pytest.fixture
def reading(monkeypatch, tree):
    """Make the page read `proposals(document)` from any report."""

    def use(make):
        monkeypatch.setattr(
            views, "read", lambda document, unit: Reading(document, make(document, unit))
        )

    return use


def training(document, unit, **fields):
    start, end = _span(document, "Trong 02 ngày")
    values = {
        "kind": "training",
        "title": "Tập huấn kiến thức về bình đẳng giới",
        "start": datetime.date(2023, 5, 21),
        "end": datetime.date(2023, 5, 22),
        "organiser": Mention("UBND xã", candidates=[unit.pk], chosen=unit.pk),
        "others": [],
        "place": "",
        "online": False,
        "participants": 125,
        "topics": [],
    }
    values.update(fields)
    return Proposal("activity", values, start, end)


@pytest.fixture
def officer(client, personas):
    client.force_login(personas["commune_officer"])
    return personas["commune_officer"]


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def start_url(unit):
    return reverse("intake:start", args=[unit.pk])


def paste(client, unit, text=TEXT, **extra):
    return client.post(start_url(unit), {"text": text, **extra}, HTTP_ACCEPT_LANGUAGE="vi")


def test_the_activities_page_links_to_the_intake(client, officer, tree):
    page = client.get(reverse("activities:unit", args=[tree["commune"].pk]))
    assert start_url(tree["commune"]) in page.content.decode()


def test_only_data_officers_of_the_unit_may_use_it(client, personas, tree):
    unit = tree["commune"]
    client.force_login(personas["neighbour_officer"])
    assert client.get(start_url(unit)).status_code == 404
    client.force_login(personas["province_viewer"])
    assert client.get(start_url(unit)).status_code == 403
    client.force_login(personas["commune_officer"])
    assert client.get(start_url(unit)).status_code == 200
    client.force_login(personas["province_approver"])  # above the commune: may enter its data
    assert client.get(start_url(unit)).status_code == 200


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   \n ", "Hãy dán nội dung bài viết"),
        ("Hội nghị. " * 210_000, "Nội dung quá dài"),
    ],
)
def test_bad_text_is_refused_and_nothing_written(client, officer, tree, reading, text, message):
    reading(lambda document, unit: [training(document, unit)])
    response = paste(client, tree["commune"], text)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Draft.objects.exists()


def test_a_binary_file_is_refused_and_nothing_written(client, officer, tree, reading):
    reading(lambda document, unit: [training(document, unit)])
    upload = SimpleUploadedFile("bai.docx", bytes(range(256)) * 100)
    response = client.post(start_url(tree["commune"]), {"text": "", "file": upload})
    assert "Không đọc được tệp này" in response.content.decode()
    assert not Draft.objects.exists()


def test_a_report_with_nothing_to_record_is_refused(client, officer, tree, reading):
    reading(lambda document, unit: [])
    response = paste(client, tree["commune"], "Thời tiết hôm nay đẹp, trời nắng nhẹ.")
    assert "Không tìm thấy thông tin nào có thể ghi nhận" in response.content.decode()
    assert not Draft.objects.exists()


def _draft(client, unit):
    response = paste(client, unit)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Draft.objects.get(), response["Location"]


def test_proposals_show_their_sentence_escaped(client, officer, tree, reading):
    unit = tree["commune"]
    text = TEXT + "\n<script>alert('x')</script> Ảnh <b>đậm</b>"
    reading(
        lambda document, unit: [
            training(document, unit),
            Proposal("activity", {"kind": "meeting"}, *_span(document, "<script>")),
        ]
    )
    response = paste(client, unit, text)
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert" not in page
    assert (
        '<mark title="#2">&lt;script&gt;<sup>2</sup></mark>alert(&#x27;x&#x27;)&lt;/script&gt;'
        " Ảnh &lt;b&gt;đậm&lt;/b&gt;"
    ) in page
    assert '<mark title="#1">Trong 02 ngày<sup>1</sup></mark>' in page
    assert "<mark>Trong 02 ngày</mark>" in page  # the proposal's own sentence
    assert "Độ tin cậy: 90%" in page
    draft = Draft.objects.get()
    assert draft.published == datetime.date(2023, 5, 23)
    assert "Đăng ngày" not in draft.text


def test_another_officers_draft_is_not_found(client, officer, personas, tree, reading):
    reading(lambda document, unit: [training(document, unit)])
    _draft_obj, url = _draft(client, tree["commune"])
    client.force_login(personas["province_approver"])  # may edit the commune, not its draft
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


def _confirm(client, url, **values):
    data = {
        "p1-include": "on",
        "p1-title": "Tập huấn kiến thức về bình đẳng giới",
        "p1-kind": "training",
        "p1-start_date": "21/05/2023",
        "p1-end_date": "22/05/2023",
        "p1-organiser": str(values.pop("organiser")),
        "p1-participants": "1.250",
    }
    data.update(values)
    return client.post(url, {k: v for k, v in data.items() if v is not None})


def test_a_corrected_proposal_is_saved_through_the_service_and_marked(
    client, officer, tree, reading
):
    unit = tree["commune"]
    reading(lambda document, unit: [training(document, unit)])
    draft, url = _draft(client, unit)
    page = client.get(url).content.decode()
    assert 'value="125"' in page and 'value="21/05/2023"' in page
    response = _confirm(client, url, organiser=unit.pk)
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.start_date, activity.end_date) == (
        datetime.date(2023, 5, 21),
        datetime.date(2023, 5, 22),
    )
    assert activity.participants == 1250  # "1.250" read the Vietnamese way
    assert activity.created_by == officer
    entry = LogEntry.objects.get_for_object(activity).get()
    assert entry.actor == officer
    assert entry.additional_data["via"] == "intake"
    assert entry.additional_data["draft"] == str(draft.pk)
    history = client.get(reverse("orgunits:history", args=[unit.pk])).content.decode()
    assert "Nhập từ bài viết" in history
    saved = client.get(url).content.decode()
    assert activity.get_absolute_url() in saved


def test_confirming_twice_saves_once(client, officer, tree, reading):
    unit = tree["commune"]
    reading(lambda document, unit: [training(document, unit)])
    _draft_obj, url = _draft(client, unit)
    assert _confirm(client, url, organiser=unit.pk).status_code == 302
    second = _confirm(client, url, organiser=unit.pk)  # a stale second tab
    assert second.status_code == 200
    assert "đã được lưu trước đó" in second.content.decode()
    assert Activity.objects.count() == 1


def test_an_unticked_proposal_is_not_saved(client, officer, tree, reading):
    unit = tree["commune"]
    reading(lambda document, unit: [training(document, unit)])
    _draft_obj, url = _draft(client, unit)
    response = _confirm(client, url, organiser=unit.pk, **{"p1-include": None})
    assert "Hãy đánh dấu ít nhất một đề xuất" in response.content.decode()
    assert not Activity.objects.exists()
    assert Draft.objects.get().saved_at is None


def task(document, unit, lead):
    start, end = _span(document, "UBND xã giao")
    fields = {
        "title": "Rà soát",
        "lead": lead,
        "deadline": datetime.date(2023, 9, 30),
        "deadline_text": "trước tháng 10/2023",
    }
    return Proposal("task", fields, start, end, 0.8)


def test_one_refusal_saves_nothing_and_is_shown_on_its_proposal(client, officer, tree, reading):
    unit = tree["commune"]
    reading(lambda document, unit: [training(document, unit), task(document, unit, None)])
    draft, url = _draft(client, unit)
    page = client.get(url).content.decode()
    assert 'value="trước tháng 10/2023"' in page
    # The activity is fine; the task's lead unit lies outside the officer's units.
    response = _confirm(
        client,
        url,
        organiser=unit.pk,
        **{
            "p2-include": "on",
            "p2-title": "Rà soát",
            "p2-lead_unit": str(tree["neighbour"].pk),
            "p2-deadline": "trước tháng 10/2023",
        },
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Chưa lưu gì" in content
    assert not Activity.objects.exists() and not Task.objects.exists()
    assert not LogEntry.objects.filter(additional_data__via="intake").exists()
    assert Draft.objects.get().saved_at is None
    # Corrected, both are saved together.
    response = _confirm(
        client,
        url,
        organiser=unit.pk,
        **{
            "p2-include": "on",
            "p2-title": "Rà soát",
            "p2-lead_unit": str(unit.pk),
            "p2-deadline": "trước tháng 10/2023",
        },
    )
    assert response.status_code == 302
    saved = Task.objects.get()
    assert (saved.lead_unit, saved.deadline) == (unit, datetime.date(2023, 9, 30))
    assert Activity.objects.count() == 1


def test_an_ambiguous_unit_is_offered_not_guessed(client, officer, tree, reading):
    unit = tree["commune"]
    other = tree["neighbour"]
    mention = Mention("UBND xã", candidates=[unit.pk, other.pk], chosen=None)
    reading(lambda document, unit: [training(document, unit, organiser=mention)])
    _draft_obj, url = _draft(client, unit)
    page = client.get(url).content.decode()
    assert "“UBND xã” có thể là một trong nhiều đơn vị" in page
    assert unit.picker_label in page and other.picker_label in page
    group = page.index('<optgroup label="Được nêu là “UBND xã” trong bài viết">')
    offered = page[group : page.index("</optgroup>", group)]
    assert f'value="{unit.pk}"' in offered and f'value="{other.pk}"' not in offered  # not hers
    assert "selected" not in offered
    # Nothing chosen for the organiser: saving without choosing is refused.
    response = _confirm(client, url, organiser="")
    assert not Activity.objects.exists()
    assert "Chưa lưu gì" in response.content.decode()
    assert _confirm(client, url, organiser=unit.pk).status_code == 302
    assert Activity.objects.get().organiser == unit


def test_a_decision_and_its_members_constitute_the_committee(client, officer, tree, reading):
    unit = tree["commune"]

    def proposals(document, unit):
        start, end = _span(document, "UBND xã tổ chức")
        decision = {
            "number": "",
            "date": datetime.date(2023, 5, 10),
            "subject": "kiện toàn Ban",
            "issuer": None,
        }
        head = {"name": "", "position": "Chủ tịch UBND xã", "role": "head", "unit": None}
        return [
            Proposal("decision", decision, start, end),
            Proposal("member", head, start, end),
        ]

    reading(proposals)
    _draft_obj, url = _draft(client, unit)
    response = client.post(
        url,
        {
            "p1-include": "on",
            "p1-number": "",
            "p1-date": "10/05/2023",
            "p1-issuing_unit": str(unit.pk),
            "p2-include": "on",
            "p2-title": "Chủ tịch UBND xã",
            "p2-role": "head",
        },
    )
    assert response.status_code == 302, response.content.decode()
    committee = Committee.objects.get(unit=unit)
    membership = Membership.objects.get(committee=committee)
    assert membership.role == "head" and membership.decision.number == ""
    assert membership.person.title == "Chủ tịch UBND xã"
    assert LogEntry.objects.get_for_object(membership).get().additional_data["via"] == "intake"


def test_a_figure_is_recorded_for_the_unit_and_year(client, officer, tree, reading, catalogue):
    unit = tree["commune"]

    def proposals(document, unit):
        start, end = _span(document, "UBND xã tổ chức")
        fields = {
            "indicator": "1.1",
            "level": "commune",
            "numerator": 1,
            "denominator": 1,
            "year": 2025,
        }
        return [Proposal("figure", fields, start, end)]

    reading(proposals)
    _draft_obj, url = _draft(client, unit)
    page = client.get(url).content.decode()
    indicator = catalogue["1.1"]
    assert f'value="{indicator.pk}" selected' in page
    assert 'value="level:commune" selected' in page
    posted = {
        "p1-include": "on",
        "p1-indicator": str(indicator.pk),
        "p1-year": "2025",
        "p1-category": "level:commune",
        "p1-numerator": "1",
        "p1-denominator": "1",
    }
    # The indicators' own rule, shown on the proposal: a commune answers on its total row.
    refused = client.post(url, posted).content.decode()
    assert "tự trả lời chỉ tiêu này ở dòng tổng số" in refused
    assert not DataValue.objects.filter(indicator=indicator, unit=unit).exists()
    response = client.post(url, {**posted, "p1-category": ""})
    assert response.status_code == 302, response.content.decode()
    value = DataValue.objects.get(indicator=indicator, unit=unit, year=2025)
    assert (value.numerator, value.denominator, value.category) == (1, 1, "")
    entries = LogEntry.objects.get_for_object(value)  # created, then its figures written
    assert entries and all(e.additional_data["via"] == "intake" for e in entries)


def test_megabytes_pasted_get_the_message_even_with_the_csrf_check(personas, tree, reading):
    from django.test import Client

    reading(lambda document, unit: [training(document, unit)])
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["commune_officer"])
    # Over the request limit (Django's 2,5 MB): refused by the page, not a bare error.
    response = client.post(start_url(tree["commune"]), {"text": "Hội nghị. " * 400_000})
    assert response.status_code == 200
    assert "Nội dung quá dài" in response.content.decode()
    # A readable body still needs its token: the check is only moved, not dropped.
    response = client.post(start_url(tree["commune"]), {"text": TEXT})
    assert response.status_code == 403
    assert not Draft.objects.exists()


def test_a_word_file_upload_becomes_a_draft(client, officer, tree, reading):
    import io

    import docx

    reading(lambda document, unit: [training(document, unit)])
    word = docx.Document()
    for line in TEXT.splitlines():
        word.add_paragraph(line)
    data = io.BytesIO()
    word.save(data)
    upload = SimpleUploadedFile("bai.docx", data.getvalue())
    response = client.post(start_url(tree["commune"]), {"text": "", "file": upload})
    assert response.status_code == 302
    draft = Draft.objects.get()
    assert draft.published == datetime.date(2023, 5, 23)
    assert draft.text.startswith("Tập huấn kiến thức") and "Đăng ngày" not in draft.text


def test_old_drafts_are_cleaned_up_when_a_new_one_starts(client, officer, tree, reading):
    from django.utils import timezone

    from binhdang.intake.services import DRAFT_DAYS

    reading(lambda document, unit: [training(document, unit)])
    old, _url = _draft(client, tree["commune"])
    recent = timezone.now() - datetime.timedelta(days=DRAFT_DAYS - 1)
    Draft.objects.filter(pk=old.pk).update(created_at=recent)
    paste(client, tree["commune"])
    assert Draft.objects.filter(pk=old.pk).exists()  # still within its days
    Draft.objects.filter(pk=old.pk).update(created_at=recent - datetime.timedelta(days=2))
    paste(client, tree["commune"])
    assert not Draft.objects.filter(pk=old.pk).exists()
    assert Draft.objects.count() == 2


def test_the_page_speaks_english_too(client, officer, tree):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(start_url(tree["commune"])).content.decode()
    assert "Import from a news report" in page and "Read the report" in page
    assert "Nhập từ bài viết" not in page


def test_a_summary_is_shown_but_not_saved(client, officer, tree, reading):
    from decimal import Decimal

    def proposals(document, unit):
        fields = {"met": 16, "total": 19, "percent": Decimal("84.2"), "year": 2024}
        return [Proposal("summary", fields, *_span(document, "UBND xã tổ chức"))]

    reading(proposals)
    _draft_obj, url = _draft(client, tree["commune"])
    page = client.get(url).content.decode()
    assert "Chỉ để xem: không lưu từ đây." in page
    assert "Số chỉ tiêu đạt" in page and 'name="p1-include"' not in page
    response = client.post(url, {"p1-include": "on"})
    assert "Hãy đánh dấu ít nhất một đề xuất" in response.content.decode()
    assert Draft.objects.get().saved_at is None


def test_a_counted_statement_is_one_record_of_several_events(client, officer, tree, reading):
    unit = tree["commune"]

    def proposals(document, unit):
        fields = {"kind": "training", "count": 20, "at_least": True, "year": 2025}
        return [Proposal("counted", fields, *_span(document, "UBND xã tổ chức"))]

    reading(proposals)
    _draft_obj, url = _draft(client, unit)
    page = client.get(url).content.decode()
    assert 'name="p1-event_count" value="20"' in page
    response = client.post(
        url,
        {
            "p1-include": "on",
            "p1-title": "Tập huấn",
            "p1-kind": "training",
            "p1-event_count": "20",
            "p1-count_is_minimum": "on",
            "p1-start_date": "01/01/2025",
            "p1-end_date": "31/12/2025",
            "p1-organiser": str(unit.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()
    activity = Activity.objects.get()
    assert (activity.event_count, activity.count_is_minimum) == (20, True)
    assert (activity.start_date, activity.end_date) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
    )


def test_members_without_a_decision_need_one(client, officer, tree, reading):
    def proposals(document, unit):
        head = {"name": "", "position": "Chủ tịch UBND xã", "role": "head", "unit": None}
        return [Proposal("member", head, *_span(document, "UBND xã tổ chức"))]

    reading(proposals)
    _draft_obj, url = _draft(client, tree["commune"])
    response = client.post(
        url, {"p1-include": "on", "p1-title": "Chủ tịch UBND xã", "p1-role": "head"}
    )
    content = response.content.decode()
    assert "Ban chưa có quyết định nào" in content
    # The committee the save would have created is undone with the rest.
    assert not Committee.objects.exists() and not Membership.objects.exists()
