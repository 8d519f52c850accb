"""The OpenAPI document is valid OpenAPI 3.1, names exactly the accepted values, and the API keeps to it.

Real responses (anonymous and partner, filters, pages, errors) are validated against the document's schemas with
jsonschema; schemathesis then generates requests from the document, valid and invalid, with a fixed seed and a
bounded number of examples, and checks that nothing is a server error and every answer is documented.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lms.api import operations
from lms.core.access import Role
from lms.core.db import db
from lms.core.extensions import limiter
from lms.core.prefectures import CODES, REGIONS
from lms.roster.taxonomy import taxonomy

URL = "/api/v1/roster"
DOCUMENT = "urn:lms:openapi"


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1.")
    OpenAPIV31SpecValidator(document).validate()


def test_the_document_lists_exactly_the_values_the_api_accepts(document):
    schemas = document["components"]["schemas"]
    assert schemas["PrefectureCode"]["enum"] == list(CODES) and len(CODES) == 47
    assert schemas["RegionCode"]["enum"] == [r.code for r in REGIONS]
    for name, kind in [("Specialty", "specialties"), ("CompanyType", "company_types"), ("Language", "languages"),
                       ("Organisation", "organisations")]:
        assert schemas[name]["enum"] == list(taxonomy().ids(kind)), name
    assert "特許" in schemas["Specialty"]["description"]
    parameters = {p["name"] for p in document["components"]["parameters"].values()}
    from lms.api.views import PARAMETERS

    assert parameters == PARAMETERS


def _validator(document, status: int) -> Draft202012Validator:
    """A validator for the documented response to GET /api/v1/roster with ``status`` (a KeyError if undocumented)."""
    responses = document["paths"][URL]["get"]["responses"]
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    # The whole document as one resource, so the schemas' "#/components/..." references resolve inside it.
    registry = Registry().with_resource(DOCUMENT, DRAFT202012.create_resource(document))
    resolved = {"$ref": DOCUMENT + schema["$ref"]}
    return Draft202012Validator(resolved, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


QUERIES = [
    "", "page=1", "per_page=1", "per_page=1&page=2", "per_page=100", "prefecture=13", "prefecture=13,14&region=kinki",
    "region=hokkaido", "specialty=patents&specialty=trademarks", "company_type=startup_overseas", "language=en",
    "on_site=true", "on_site=0", "prefecture=47", "include=contacts", "include=contacts&per_page=2&page=2",
    # errors
    "prefectrue=13", "prefecture=48", "specialty=alchemy", "on_site=maybe", "page=0", "page=x", "per_page=500",
    "page=9", "include=all",
]


@pytest.mark.parametrize("who", ["anonymous", "partner"])
def test_real_responses_match_the_documented_schemas(client, login, make_user, roster, document, who):  # noqa: PLR0917
    if who == "partner":
        login(make_user(Role.PARTNER))
    seen = set()
    for query in QUERIES:
        response = client.get(f"{URL}?{query}")
        errors = list(_validator(document, response.status_code).iter_errors(response.get_json()))
        assert errors == [], f"{query}: {errors[0].message}"
        seen.add(response.status_code)
        if response.status_code == 200 and "include=contacts" in query:
            assert all("contact" in item for item in response.get_json()["items"])
    assert seen == ({200, 400, 404} if who == "partner" else {200, 400, 403, 404})


def test_a_rejected_token_and_too_many_requests_match_the_documented_schemas(app, client, document):
    response = client.get(URL, headers={"Authorization": "Bearer lms_not-a-token"})
    assert response.status_code == 401
    assert list(_validator(document, 401).iter_errors(response.get_json())) == []
    app.config["LMS_API_RATE_LIMIT"] = "1 per minute"
    try:
        client.get(URL)
        response = client.get(URL)
    finally:
        app.config["LMS_API_RATE_LIMIT"] = "120 per minute"
        limiter.reset()
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert list(_validator(document, 429).iter_errors(response.get_json())) == []


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.mark.parametrize("who", ["anonymous", "partner"])
@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(app, make_user, roster, mode, who):
    headers = {}
    if who == "partner":
        _token, secret = operations.create_token(make_user(Role.PARTNER), "schemathesis")
        db.session.commit()
        headers["Authorization"] = f"Bearer {secret}"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    checks = CHECKS + ([negative_data_rejection] if mode == "negative" else [])
    statuses: dict[str, set[int]] = {}

    # (schemathesis leaves out the operation that serves the document itself.)
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=schemathesis.GenerationMode(mode)))
        @settings(max_examples=40, derandomize=True, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def conforms(case):
            limiter.reset()
            response = case.call_and_validate(headers=headers, checks=checks)
            statuses.setdefault(case.operation.label, set()).add(response.status_code)

        conforms()

    # The run reached the app: valid requests were answered, invalid ones refused.
    assert (400 if mode == "negative" else 200) in statuses[f"GET {URL}"]
