"""No dead end: signed in as each persona, follow every link of every page reachable from the
home page and find no 404, 403 or 500, and no English interface words on a Vietnamese page.

The crawl uses Django's test client (no browser) and is bounded: each URL pattern is visited a
few times, downloads are only checked for their status, and only links (never forms, so never a
POST and never the logout) are followed.
"""

import datetime
import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import quote, urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve

from binhdang.accounts import permissions
from binhdang.accounts.models import Role
from binhdang.activities import services as activities
from binhdang.activities.models import Kind
from binhdang.committees import services as committees
from binhdang.committees.models import Person
from binhdang.committees.models import Role as CommitteeRole
from binhdang.committees.services import MemberSpec
from binhdang.conftest import make_user
from binhdang.plans import services as plans
from binhdang.plans.models import PlanKind
from binhdang.reporting import services as reporting

pytestmark = pytest.mark.django_db

VISITS_PER_PATTERN = 3
MAX_PAGES = 160

# Words of the other language's interface that must not show on a page (outside user data, which
# the crawl's small world writes in Vietnamese, so the Vietnamese list avoids words of names).
FOREIGN = {
    "vi": re.compile(
        r"\b(Select an option|Save|Cancel|Delete|Submit|Search|Back|Previous|Next|Close|Loading"
        r"|workshops?\(s\)|Before month|After month|This field is required|Page not found"
        r"|Forbidden|Server error|Log out|Sign in|Download)\b"
    ),
    "en": re.compile(
        r"(Quay lại|Hủy|Đang |Chọn một|Trước tháng|Đã tạo|Bỏ qua|Không tìm thấy|Nhập số liệu"
        r"|Tải về|Chưa có|Đăng xuất|trường này)"
    ),
}
SKIP_LINK = {"vi": "Bỏ qua, đến nội dung chính", "en": "Skip to main content"}
# How a link back from a form reads: "Quay lại", "Quay lại kỳ báo cáo", "Hủy".
BACK = {"vi": re.compile(r"^(Quay lại|Hủy)\b"), "en": re.compile(r"^(Back|Cancel)\b")}

# Pages made for one form (their view's name says so), as opposed to records with buttons.
FORM_VIEWS = re.compile(
    r":(\w+_)?(create|new|edit|open|import|enter|reconstitute|propose|deadline|update|attach"
    r"|add_departments|handover|target|local_new|local_edit|delete)$"
)


class _Page(HTMLParser):
    """The links of a page and its visible text (attributes a reader hears included)."""

    SPOKEN = ("title", "placeholder", "aria-label", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self.hidden = 0
        self.in_main = self.in_link = False
        self.link_text = ""
        self.posts = False  # a form that sends data, in the page's own content
        self.own_links: list[str] = []  # the texts of the links in the page's own content

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self.hidden += 1
        if tag == "main":
            self.in_main = True
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
            self.in_link, self.link_text = self.in_main, ""
        if tag == "form" and self.in_main and (attrs.get("method") or "").lower() == "post":
            self.posts = True
        self.text.extend(attrs[name] for name in self.SPOKEN if attrs.get(name))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1
        if tag == "main":
            self.in_main = False
        if tag == "a" and self.in_link:
            self.in_link = False
            self.own_links.append(self.link_text.strip())

    def handle_data(self, data):
        if not self.hidden:
            self.text.append(data)
        if self.in_link:
            self.link_text += data


def _followable(href: str) -> str | None:
    """The site-local path of a link worth following, or None."""
    href, _fragment = urldefrag(href)
    parts = urlsplit(href)
    if not href or parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None  # anchors, mailto:, javascript:, other sites
    if parts.path.startswith(("/static/", "/media/", "/admin/")):
        return None  # Django's own admin is not the platform's interface
    return href


def _pattern(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return path
    return match.view_name


@pytest.fixture
def world(personas, tree, catalogue):
    """A small year: an open round with its submissions, a plan with a task, a committee and an
    activity, around Quảng Ngãi and one of its communes."""
    approver, admin = personas["province_approver"], personas["province_admin"]
    commune = tree["commune"]
    reporting.open_round(
        approver,
        tree["province"],
        name="Báo cáo kết quả thực hiện công tác bình đẳng giới năm 2025",
        kind="annual",
        year=2025,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        deadline=datetime.date(2099, 12, 15),
        units=[commune, tree["neighbour"]],
    )
    plan = plans.create_plan(
        admin,
        tree["province"],
        kind=PlanKind.ANNUAL,
        start_year=2026,
        end_year=2026,
        title="Kế hoạch thực hiện công tác bình đẳng giới năm 2026",
    )
    plans.create_task(
        admin,
        assigned_by=tree["province"],
        plan=plan,
        lead_unit=commune,
        title="Tổ chức tập huấn lồng ghép giới cho cán bộ xã",
        deadline=datetime.date(2026, 3, 31),
    )
    committee = committees.create_committee(
        admin, tree["province"], name="Ban Vì sự tiến bộ của phụ nữ tỉnh Quảng Ngãi"
    )
    committees.reconstitute(
        admin,
        committee,
        number="12/QĐ-UBND",
        date=datetime.date(2021, 3, 15),
        members=[
            MemberSpec(Person(full_name="Nguyễn Thị An", sex="female"), CommitteeRole.HEAD),
            MemberSpec(Person(full_name="Trần Văn Bình", sex="male"), CommitteeRole.MEMBER),
        ],
    )
    activities.create_activity(
        personas["commune_officer"],
        activities.ActivityData(
            title="Tập huấn lồng ghép giới",
            kind=Kind.TRAINING,
            start_date=datetime.date(2025, 9, 10),
            organiser=commune,
            participants=100,
            women=60,
        ),
    )
    return {**personas, "commune_viewer": make_user("commune_viewer", commune, Role.VIEWER)}


def crawl(client, language: str = "vi", starts: tuple[str, ...] = ("/",)) -> tuple[list[str], int]:
    """Visit what can be reached from `starts`; the problems found, and the pages visited."""
    problems: list[str] = []
    seen: set[str] = set(starts)
    per_pattern: Counter[str] = Counter()
    queue: deque[tuple[str, str]] = deque((start, "") for start in starts)
    visited = 0
    while queue and visited < MAX_PAGES:
        url, came_from = queue.popleft()
        pattern = _pattern(url)
        if per_pattern[pattern] >= VISITS_PER_PATTERN:
            continue
        per_pattern[pattern] += 1
        visited += 1
        response = client.get(url, follow=True)
        if response.status_code != 200:
            problems.append(f"{response.status_code} {url} (linked from {came_from})")
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue  # a download: its status is all the crawl checks
        page = _Page()
        page.feed(response.content.decode())
        text = " ".join(page.text)
        for word in sorted(set(FOREIGN[language].findall(text))):
            problems.append(f"“{word}” on {url} (not {language})")
        if SKIP_LINK[language] not in text:
            problems.append(f"No skip link on {url}")
        back = any(BACK[language].match(link) for link in page.own_links)
        if page.posts and FORM_VIEWS.search(pattern) and not back:
            problems.append(f"No way back from the form on {url}")
        for href in page.links:
            link = _followable(href)
            if link and link not in seen:
                seen.add(link)
                queue.append((link, url))
    return problems, visited


PERSONAS = [
    "commune_officer",
    "commune_viewer",
    "neighbour_officer",
    "province_viewer",
    "province_approver",
    "province_admin",
    "ministry_officer",
    "system_admin",
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_leads_somewhere(client, world, tree, persona):
    user = world[persona]
    client.force_login(user)
    # The pre-2025 units too (their pages differ), which the bound per pattern may not reach.
    legacy = [tree[name] for name in ("legacy_province", "legacy_commune")]
    starts = ("/", *(f"/units/{unit.pk}/" for unit in legacy if permissions.can_view(user, unit)))
    problems, visited = crawl(client, starts=starts)
    assert visited > 10, "the crawl reached too little to mean anything"
    assert not problems, "\n".join(problems)


def test_english_pages_have_no_vietnamese_interface(client, world):
    """The same crawl in English, for the persona who reaches the most pages of a province."""
    client.force_login(world["province_admin"])
    client.post("/i18n/setlang/", {"language": "en"})
    problems, visited = crawl(client, "en")
    assert visited > 10, "the crawl reached too little to mean anything"
    assert not problems, "\n".join(problems)


def test_expired_form_is_explained_in_vietnamese(client, world):
    """Django's own CSRF failure page is English; the platform's says what to do, in Vietnamese."""
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world["commune_officer"])
    response = strict.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Biểu mẫu đã hết hạn" in page
    assert "CSRF verification failed" not in page


def test_breadcrumb_shows_units_above_the_scope_as_text(client, personas, tree):
    client.force_login(personas["commune_officer"])
    page = client.get(f"/units/{tree['commune'].pk}/").content.decode()
    crumbs = page[page.index('<ol class="breadcrumb') : page.index("</ol>")]
    for above in ("nation", "province"):
        assert tree[above].name in crumbs
        assert f'href="/units/{tree[above].pk}/"' not in crumbs
    client.force_login(personas["system_admin"])
    page = client.get(f"/units/{tree['commune'].pk}/").content.decode()
    assert f'href="/units/{tree["nation"].pk}/"' in page


def test_entry_opened_from_a_report_leads_back_to_it(client, world, tree):
    """From the report being written to the entry form and back, on leaving and on saving."""
    from binhdang.core.tests.pages import posted_form
    from binhdang.reporting.models import Submission

    client.force_login(world["commune_officer"])
    submission = Submission.objects.get(unit=tree["commune"])
    report = f"/reports/submissions/{submission.pk}/"
    page = client.get(report).content.decode()
    entry = re.search(r'href="(/indicators/units/\d+/enter/\?[^"]+)"', page).group(1)
    entry = entry.replace("&amp;", "&")
    assert "next=" in entry
    form = client.get(entry).content.decode()
    assert f'href="{report}"' in form  # "Hủy" goes back to the report
    # Saving one section stays on the form, still knowing the way back.
    section = re.search(r'name="section" value="([^"]+)"', form).group(1)
    response = client.post(entry, {**posted_form(form), "section": section})
    assert response.status_code == 302
    assert f"next={quote(report, safe='')}" in response["Location"]
    response = client.post(entry, posted_form(form))
    assert response.status_code == 302
    assert response["Location"] == report
    # A `next` pointing off the site is ignored.
    elsewhere = client.get(entry.replace(f"next={report}", "next=https://example.com/"))
    assert 'href="https://example.com/"' not in elsewhere.content.decode()
