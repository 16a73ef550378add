"""schemathesis against the gateway's OpenAPI, over real HTTP: no 5xx, every answer matches its
documented status, media type (content-type conformance) and schema.

Every path parameter is pinned to a real object (`schema_objects` in `conftest.py`: a stored
document, a member, an invoice, a loan, an offer and an order, a council decision, a meeting, a
property asset, a relayed action), so the answers checked are the real ones (a stored text file
served as `text/plain`, a loan with its schedule), not only 404s. The whole API runs twice:
with a member's session (`Authorization: Bearer`, from a SIWE sign-in; schemathesis' coverage
phase included) and signed out (examples and a few generated cases: the answers are mostly
401). Bounded: a few generated examples per operation."""

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

from tests.api.conftest import Api, SchemaObjects

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _bounded(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )


as_member = schemathesis.pytest.from_fixture("api_schema")
signed_out = schemathesis.pytest.from_fixture("api_schema_quick")


@as_member.parametrize()
@_bounded(3)
def test_openapi_conformance_as_a_member(
    case: Case, api: Api, schema_objects: SchemaObjects
) -> None:
    # Logging out revokes the session: that runs with a throwaway account's session instead.
    if case.path.startswith("/auth/logout"):
        headers = {"Authorization": f"Bearer {api.sign_in(Account.create())}"}
    else:
        headers = api.headers(schema_objects.owner)
    case.call_and_validate(base_url=api.base_url, headers=headers, checks=CHECKS)


@signed_out.parametrize()
@_bounded(3)
def test_openapi_conformance_signed_out(case: Case, api: Api) -> None:
    case.call_and_validate(base_url=api.base_url, checks=CHECKS)
