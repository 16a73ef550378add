"""schemathesis against the gateway's OpenAPI, over real HTTP: no 5xx, every answer matches
its documented status, media type and schema. Bounded: a few examples per operation."""

from __future__ import annotations

import schemathesis
from eth_account import Account
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation.case import Case

from tests.api.conftest import Api

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_openapi_conformance(case: Case, api: Api) -> None:
    # A signed-in council member (the chair): most routes get past authentication. Logging
    # out revokes sessions: that runs with a throwaway account's session instead.
    if case.path.startswith("/auth/logout"):
        headers = {"Authorization": f"Bearer {api.sign_in(Account.create())}"}
    else:
        headers = api.headers(api.sandbox.chair)
    case.call_and_validate(base_url=api.base_url, headers=headers, checks=CHECKS)
