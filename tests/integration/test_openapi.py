"""schemathesis against the shipped OpenAPI description: no 5xx on any generated request.

Bounded to a few dozen examples per operation so it stays fast.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings

from bot.web.app import create_app
from tests.hypothesis_profiles import examples
from tests.web_fixtures import API_TOKEN, web_runtime


@pytest.fixture(scope="module")
def web_app(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('openapi')}/db.sqlite3"
    # High limits: the run sends hundreds of requests from one address.
    rt = web_runtime(url, posts_per_minute=100_000, failed_tokens_per_minute=100_000)
    yield create_app(rt)
    rt.close()


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


@pytest.mark.slow  # schemathesis generates and sends hundreds of requests
def test_no_generated_request_gets_a_server_error(web_app) -> None:
    # schemathesis's own pytest plugin does not load under this pytest, so each operation's
    # strategy is driven by hypothesis directly; the checks are schemathesis's.
    from hypothesis import given

    operations = _operations(web_app)
    assert len(operations) == 6
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=examples(25), deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)
        def one(case) -> None:
            headers = ({"Authorization": f"Bearer {API_TOKEN}"}
                       if case.path.startswith("/api/") else {})
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.path, response.status_code)
            case.validate_response(response, checks=CHECKS)

        one()


def test_the_description_is_served_and_names_every_route(web_app) -> None:
    client = web_app.test_client()
    described = client.get("/openapi.json").get_json()["paths"]
    assert set(described) == {"/api/suppressions", "/healthz", "/readyz", "/metrics",
                               "/unsubscribe/{token}"}
