"""The deadline scenario of the load benchmark: one commune data officer's visit, as a browser
makes it, written once for the load tool (locustfile.py) and for the test that keeps it in step
with the pages (src/binhdang/tests/test_load_scenario.py).

The officer signs in, opens the "Việc cần làm" home page, follows its "Enter figures" link of the
report to write, saves the form with a few lines changed (every field of the form posted back as
the browser would, the CSRF token and each line's optimistic-concurrency `was` field included),
lands on the unit's overview the save redirects to, opens the reports page and signs out.

Nothing here imports locust or Django: a client adapter (`Client`) does the requests, and every
answer is checked here; an answer that is not what a browser would get ends the visit with a
`Failure` of one of the KINDS the benchmark counts.
"""

import ipaddress
import random
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Protocol
from urllib.parse import urlencode, urlsplit

# The pages of a visit, in order: the names of the load table's rows.
PAGES = (
    "sign-in page",
    "sign in",
    "home",
    "entry form",
    "save figures",
    "overview",
    "reports",
    "sign out",
)
SERVER_ERROR = "server error"  # HTTP 500 and above
CONNECTION = "connection"  # no answer: refused, reset or timed out
SIGN_IN = "sign-in failed"  # the right password did not lead to the home page
UNEXPECTED = "unexpected"  # any other answer a browser would not get (a refused save, a 404)
KINDS = (SERVER_ERROR, CONNECTION, SIGN_IN, UNEXPECTED)
LINES_CHANGED = 3
FORM_TYPE = "application/x-www-form-urlencoded"

ENTER_LINK = re.compile(r'href="(/indicators/units/\d+/enter/\?year=\d{4})"')
QUOTIENT = re.compile(r"^(\d+)-numerator$")


@dataclass
class Answer:
    """What the server said: `status` 0 when it said nothing (the connection failed, `error`)."""

    status: int
    text: str = ""
    location: str = ""
    error: str = ""


class Failure(Exception):
    """A visit stopped by an answer a browser would not get; `kind` is one of KINDS."""

    def __init__(self, kind: str, message: str):
        super().__init__(f"{kind}: {message}")
        self.kind = kind


Check = Callable[[Answer], Failure | None]


class Client(Protocol):
    """Does one request without following redirects, records it under `name` as failed when
    `check` returns a Failure (then raises it), and returns the answer otherwise."""

    def get(self, path: str, *, name: str, check: Check) -> Answer: ...

    def post(
        self, path: str, data: list[tuple[str, str]], *, name: str, check: Check
    ) -> Answer: ...


def is_loopback(url: str | None) -> bool:
    """Whether every address the URL's host names is on this machine's loopback interface."""
    host = urlsplit(url or "").hostname
    if not host:
        return False
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(
        ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses
    )


def expect(status: int, *, kind: str = UNEXPECTED, then: Check | None = None) -> Check:
    """A check: the status expected (a redirect's status, 302), else a Failure of `kind`; no
    answer and server errors are always their own kinds."""

    def check(answer: Answer) -> Failure | None:
        if answer.status == 0:
            return Failure(CONNECTION, answer.error or "no answer")
        if answer.status >= 500:
            return Failure(SERVER_ERROR, f"HTTP {answer.status}")
        if answer.status != status:
            where = f" to {answer.location}" if answer.location else ""
            return Failure(kind, f"HTTP {answer.status}{where}, expected {status}")
        return then(answer) if then else None

    return check


@dataclass
class Form:
    """A form of a page: its attributes and its fields in document order, as a browser posts
    them (a checkbox only when checked, a select's chosen option, no buttons)."""

    attrs: dict
    fields: list[tuple[str, str]] = field(default_factory=list)


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(a)
            self.forms.append(self._form)
        elif self._form is None or "disabled" in a:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if kind == "checkbox" else ""
            self._form.fields.append((a["name"], a.get("value", default)))
        elif tag == "select" and a.get("name"):
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = [v for v, selected in self._options if selected] or [
                v for v, _s in self._options[:1]
            ]
            self._form.fields.extend((self._select, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            # The parser keeps the newline right after <textarea>, which a browser drops.
            self._form.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None


def forms(html: str) -> list[Form]:
    """The forms of a page."""
    parser = _Forms()
    parser.feed(html)
    parser.close()
    return parser.forms


def csrf_token(html: str) -> str | None:
    """The CSRF token of the page's first post form."""
    for form in forms(html):
        for name, value in form.fields:
            if name == "csrfmiddlewaretoken":
                return value
    return None


def encode(fields: list[tuple[str, str]]) -> str:
    """A form's body as a browser encodes it: the fields in order, a name as often as it comes."""
    return urlencode(fields)


def vietnamese(number: int) -> str:
    """A whole number as an officer types it in Vietnamese: "1.234"."""
    return f"{number:,}".replace(",", ".")


def change_lines(fields: list[tuple[str, str]], rng: random.Random) -> tuple[list, dict]:
    """The form's fields with LINES_CHANGED quotient lines (numerator ≤ denominator) given new
    figures, and the lines changed ({indicator id: (numerator, denominator)}). Only lines without
    breakdowns are changed, so that no total disagrees with its parts."""
    names = {name for name, _v in fields}
    with_parts = {name.split("-", 1)[0] for name in names if name.count("-") > 1}
    quotients = sorted(
        {m[1] for name in names if (m := QUOTIENT.match(name))} - with_parts, key=int
    )
    chosen = rng.sample(quotients, min(LINES_CHANGED, len(quotients)))
    figures = {}
    for pk in chosen:
        denominator = rng.randint(50, 5000)
        figures[pk] = (rng.randint(0, denominator), denominator)
    typed = {}
    for pk, (numerator, denominator) in figures.items():
        typed[f"{pk}-numerator"] = vietnamese(numerator)
        typed[f"{pk}-denominator"] = vietnamese(denominator)
    return [(name, typed.get(name, value)) for name, value in fields], figures


def _has(pattern: str, what: str) -> Check:
    def check(answer: Answer) -> Failure | None:
        if pattern not in answer.text:
            return Failure(UNEXPECTED, f"{what} missing from the page")
        return None

    return check


def _enter_link(answer: Answer) -> Failure | None:
    if not ENTER_LINK.search(answer.text):
        return Failure(UNEXPECTED, "the home page shows no report to write")
    return None


def _entry_form(answer: Answer) -> Failure | None:
    form = next((f for f in forms(answer.text) if f.attrs.get("id") == "entry-form"), None)
    if form is None or not any(QUOTIENT.match(name) for name, _v in form.fields):
        return Failure(UNEXPECTED, "the entry form has no figure to enter")
    return None


def visit(
    client: Client,
    username: str,
    password: str,
    *,
    rng: random.Random,
    pause: Callable[[], None] = lambda: None,
) -> dict:
    """One officer's visit, `pause` (the officer's reading time) between pages; returns the
    figures saved ({indicator id: (numerator, denominator)}). Raises Failure."""
    page = client.get("/login/", name="sign-in page", check=expect(200, then=_has("csrf", "CSRF")))
    pause()
    client.post(
        "/login/",
        [
            ("csrfmiddlewaretoken", csrf_token(page.text) or ""),
            ("next", ""),
            ("username", username),
            ("password", password),
        ],
        name="sign in",
        check=expect(302, kind=SIGN_IN, then=_to("/", SIGN_IN)),
    )
    home = client.get("/", name="home", check=expect(200, then=_enter_link))
    pause()
    entry_url = ENTER_LINK.search(home.text)[1]
    entry = client.get(entry_url, name="entry form", check=expect(200, then=_entry_form))
    pause()
    form = next(f for f in forms(entry.text) if f.attrs.get("id") == "entry-form")
    fields, figures = change_lines(form.fields, rng)
    overview_path = entry_url.split("enter/")[0]
    saved = client.post(
        entry_url,
        fields,
        name="save figures",
        check=expect(302, then=_to(overview_path, UNEXPECTED)),
    )
    client.get(saved.location, name="overview", check=expect(200))
    pause()
    reports = client.get("/reports/", name="reports", check=expect(200))
    pause()
    client.post(
        "/logout/",
        [("csrfmiddlewaretoken", csrf_token(reports.text) or "")],
        name="sign out",
        check=expect(302),
    )
    return figures


def _to(prefix: str, kind: str) -> Check:
    """A check that a redirect leads to a path starting with `prefix` (exactly "/" for "/")."""

    def check(answer: Answer) -> Failure | None:
        path = urlsplit(answer.location).path
        if path == prefix or (prefix != "/" and path.startswith(prefix)):
            return None
        return Failure(kind, f"redirected to {answer.location or 'nowhere'}, not {prefix}")

    return check
