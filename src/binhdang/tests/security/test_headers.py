"""Hardened responses: a strict Content-Security-Policy with nothing inline to allow, HTTPS
settings from the environment, no-store on signed-in pages, and a clean `check --deploy`."""

import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver, reverse

import binhdang
from binhdang import settings as settings_module

PACKAGE = Path(binhdang.__file__).parent
INLINE = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "<style>": re.compile(r"<style\b", re.I),
    'style=""': re.compile(r"""\sstyle\s*=\s*["']""", re.I),
    'on*="" handler': re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I),
    "javascript: link": re.compile(r"""=\s*["']\s*javascript:""", re.I),
}


def inline_bits(html: str) -> list[str]:
    """What in a page the Content-Security-Policy would block (or that would need allowing)."""
    return [f"{name}: {m.group(0)}" for name, rx in INLINE.items() for m in rx.finditer(html)]


def test_the_detector_catches_what_it_should():
    page = '<script>alert(1)</script><div style="x"><a onclick="f()">'
    assert len(inline_bits(page)) == 3
    assert inline_bits('<script src="/static/a.js"></script><div data-style="x" class="on">') == []


def test_no_template_has_inline_script_style_or_handler():
    offenders = {
        str(path.relative_to(PACKAGE)): bits
        for path in PACKAGE.rglob("templates/**/*.html")
        if (bits := inline_bits(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def _csp(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


def test_csp_header_is_strict_on_login_and_signed_in_pages(client, personas):
    for response in (client.get(reverse("login")), None):
        if response is None:
            client.force_login(personas["province_admin"])
            response = client.get(reverse("orgunits:home"), follow=True)
        policy = _csp(response)
        assert policy["script-src"] == "script-src 'self'"
        assert policy["style-src"] == "style-src 'self'"
        assert policy["object-src"] == "object-src 'none'"
        assert policy["frame-ancestors"] == "frame-ancestors 'none'"
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert "unsafe-eval" not in response.headers["Content-Security-Policy"]


def _plain_routes(patterns, prefix=""):
    """Every address without parameters, e.g. "units/" (the admin site aside)."""
    for pattern in patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if not text.startswith("admin/"):
                yield from _plain_routes(pattern.url_patterns, text)
        elif isinstance(pattern, URLPattern) and "<" not in text and "(?P" not in text:
            yield "/" + text.lstrip("^").rstrip("$")


def test_rendered_pages_have_nothing_inline(client, personas, tree, catalogue):
    """Every page without parameters, and the main pages of a unit, as its administrator."""
    client.force_login(personas["province_admin"])
    province = tree["province"].pk
    paths = sorted(set(_plain_routes(get_resolver().url_patterns))) + [
        f"/units/{province}/",
        f"/users/?unit={province}",
        f"/users/two-factor/{province}/",
        f"/users/{personas['province_viewer'].pk}/",
    ]
    checked = []
    for path in paths:
        if "logout" in path or "setlang" in path:
            continue
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        assert inline_bits(html) == [], path
        assert "Content-Security-Policy" in response.headers, path
        checked.append(path)
    assert len(checked) >= 20, checked


def test_htmx_is_told_not_to_inject_styles_or_eval(client, personas):
    client.force_login(personas["province_admin"])
    html = client.get(reverse("orgunits:home"), follow=True).content.decode()
    assert '<meta name="htmx-config"' in html and '"includeIndicatorStyles": false' in html
    assert '"allowEval": false' in html
    assert (PACKAGE / "static/binhdang/app.css").read_text().count(".htmx-indicator") >= 2


def test_signed_in_pages_are_not_stored(client, personas):
    client.force_login(personas["commune_officer"])
    for name in ("orgunits:home", "account:home", "activities:feed_page"):
        response = client.get(reverse(name), follow=True)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], name
        assert "private" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def _settings_with(monkeypatch, **env) -> dict:
    """The settings module evaluated afresh under these environment variables."""
    for name in (
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_COOKIES",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(settings_module.__file__)


def test_https_settings_come_from_the_environment(monkeypatch):
    default = _settings_with(monkeypatch)
    assert default["SECURE_HSTS_SECONDS"] == 0
    assert default["SECURE_SSL_REDIRECT"] is False
    assert default["SECURE_PROXY_SSL_HEADER"] is None
    assert default["SESSION_COOKIE_SECURE"] is False

    production = _settings_with(
        monkeypatch,
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        SECURE_SSL_REDIRECT="yes",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        SECURE_COOKIES="on",
    )
    assert production["SECURE_HSTS_SECONDS"] == 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]


PROXY = {"SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}


def test_plain_http_is_redirected_and_https_gets_hsts(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = PROXY["SECURE_PROXY_SSL_HEADER"]
    plain = client.get("/login/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/login/"
    secure = client.get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_calendar_address_is_https_behind_a_tls_proxy(client, personas, settings):
    settings.SECURE_PROXY_SSL_HEADER = PROXY["SECURE_PROXY_SSL_HEADER"]
    client.force_login(personas["commune_officer"])
    settings.ALLOWED_HOSTS = ["binhdang.example.gov.vn"]
    # What the proxy passes on: the public host name, and that the client spoke https.
    proxied = {"Host": "binhdang.example.gov.vn", "X-Forwarded-Proto": "https"}
    html = client.get(reverse("activities:feed_page"), headers=proxied).content.decode()
    address = re.search(r'id="feed-url"|value="([^"]+\.ics)"', html)
    feed_url = re.search(r'value="([^"]+\.ics)"', html).group(1)
    assert address and feed_url.startswith("https://binhdang.example.gov.vn/activities/calendar/")
    assert 'href="webcal://binhdang.example.gov.vn/activities/calendar/' in html


README_PRODUCTION = {
    "SECRET_KEY": "a-long-random-string-for-the-deploy-check-" + "x" * 40,
    "ALLOWED_HOSTS": "binhdang.example.gov.vn",
    "CSRF_TRUSTED_ORIGINS": "https://binhdang.example.gov.vn",
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "EMAIL_HOST": "smtp.example.gov.vn",
    "DEFAULT_FROM_EMAIL": "binhdang@example.gov.vn",
    "PROXY_COUNT": "1",
}


def _deploy_check(tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "EMAIL_"))}
    clean.update(DATA_DIR=str(tmp_path), DEBUG="0", **env)
    clean["DJANGO_SETTINGS_MODULE"] = "binhdang.settings"
    clean.pop("DATABASE_URL", None)  # the check needs no database
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the test settings for the browser
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_on_the_readme_production_example(tmp_path):
    result = _deploy_check(tmp_path, **README_PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    # …and says what is missing when an operator forgets HTTPS or mail.
    careless = dict(README_PRODUCTION)
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "EMAIL_HOST"):
        careless.pop(name)
    result = _deploy_check(tmp_path, **careless)
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "mail.E001"):
        assert check in result.stderr, result.stderr


def test_readme_production_example_matches_this_test():
    readme = (PACKAGE.parents[1] / "README.md").read_text(encoding="utf-8")
    for name, value in README_PRODUCTION.items():
        if name != "SECRET_KEY":
            assert f"export {name}={value}" in readme, name
