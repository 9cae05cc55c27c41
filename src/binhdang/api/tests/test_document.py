"""The OpenAPI document and its documentation page, served from the package (no CDN)."""

import re

import pytest
from django.contrib.staticfiles import finders

from binhdang.tests.security.test_headers import inline_bits

pytestmark = pytest.mark.django_db


def test_the_document_is_openapi_3_1_and_errors_are_problem_documents(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    write = document["paths"]["/api/v1/figures/entries"]["post"]
    for status in ("401", "403", "404", "409", "422", "429"):
        assert "application/problem+json" in write["responses"][status]["content"]
    # Figures are JSON numbers, never text.
    line = document["components"]["schemas"]["EntryIn"]["properties"]["numerator"]
    assert {"type": "number"} in line["anyOf"]
    assert {"type": "string"} not in line["anyOf"]


def test_the_documentation_page_loads_only_from_our_own_origin(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    addresses = [a for a in re.findall(r'(?:src|href)="([^"]+)"', page) if a != "#main"]
    assert addresses and all(a.startswith("/") and not a.startswith("//") for a in addresses)
    assert "cdn" not in page.lower() and "https://" not in page
    assert inline_bits(page) == []  # no inline script or style: the settings are an attribute
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    for address in addresses:
        if address.startswith("/static/"):
            assert finders.find(address.removeprefix("/static/")), address
