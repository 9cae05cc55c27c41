"""Schemathesis against the served OpenAPI document: every operation, with valid and invalid
inputs generated from the document, signed in with a token as a commune officer and as a
province approver. No server error, and no response outside the document (status, content type,
body). Bounded and derandomized, so that it runs in the normal test run in about a minute."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from binhdang.accounts.models import TokenScope

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 10


@pytest.fixture
def data(personas, tree, catalogue):
    """Something to find: a figure of the commune, so that reads return rows."""
    from binhdang.indicators.services import record_value

    record_value(
        personas["commune_officer"],
        catalogue["2.1"],
        tree["commune"],
        2025,
        numerator=3,
        denominator=10,
    )


def _aim(case, unit, indicator) -> None:
    """Point a generated request at the persona's own unit and a real indicator, so that the
    valid cases also reach the code past the 404 of an unknown key."""
    if case.query and "unit" in case.query:
        case.query["unit"] = unit.pk
    if case.path_parameters and "pk" in case.path_parameters and "/units/" in case.path:
        case.path_parameters["pk"] = unit.pk
    if isinstance(case.body, dict) and "unit" in case.body:
        case.body["unit"] = unit.pk
        for line in case.body.get("lines") or []:
            if isinstance(line, dict):
                line["indicator"] = indicator.pk


@pytest.mark.parametrize("persona", ["commune_officer", "province_approver"])
def test_every_operation_answers_within_the_document(
    persona, personas, catalogue, data, settings_for_api
):
    from binhdang.accounts import services as account_services

    unit, indicator = personas[persona].unit, catalogue["2.1"]
    _token, text = account_services.create_token(
        personas[persona], "schemathesis", TokenScope.WRITE
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    headers = {"Authorization": f"Bearer {text}", "Accept-Language": "vi"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _explore(operation, mode, headers, unit, indicator)


def _explore(operation, mode, headers, unit, indicator) -> None:
    """Run one operation's generated cases in one mode, each response checked."""

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), aimed=st.booleans())
    def run(case, aimed):
        if aimed and mode == GenerationMode.POSITIVE:
            _aim(case, unit, indicator)
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    run()


@pytest.fixture
def settings_for_api(settings):
    """No rate limit in the way of the generated requests, and the test's database connection
    kept open across them: the WSGI handler would close it at each request's end (as Django's
    test client prevents too), which on PostgreSQL ends the test's transaction."""
    settings.API_RATE_LIMIT = "100000/m"
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
