"""schemathesis over the exchange's routes only (offers, orders): no 5xx, answers match their
documented status, media type and schema. Path parameters are pinned to a real offer and order
(`schema_objects`); this suite runs as the order's buyer (tests/api/test_schema.py runs the whole
API as the offer's supplier and signed out)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation.case import Case

from tests.api.conftest import Api, SchemaObjects

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.pytest.from_fixture("api_schema").include(path_regex="^/(offers|orders)")


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_exchange_openapi_conformance(case: Case, api: Api, schema_objects: SchemaObjects) -> None:
    case.call_and_validate(
        base_url=api.base_url, headers=api.headers(schema_objects.buyer), checks=CHECKS
    )
