"""Every amount the gateway sends or takes (ВРЕ, shares, fund, prices) is a JSON string of a
base-10 integer: a uint256 does not fit a JavaScript number. This walks the app's OpenAPI
schema and fails on any integer-typed field whose name says it is an amount (an input may also
accept an integer, for old clients, as long as it accepts a string)."""

from __future__ import annotations

import re
from typing import Any

from tests.api.conftest import Api

#: Names that say "amount" (whole name or a part of it).
AMOUNT_NAME = re.compile(
    r"(^|_)(amount|amounts|balance|price|prices|total|cost|sum|fee|fees|share|shares|units|"
    r"valuation|principal|interest|repaid|outstanding|cash|lent|pledge|pledges|contributed|"
    r"withdrawable|borrowed|supply|reserve|mutual_aid|development|income|due|value|budget|"
    r"credit_limit|paid_off_chain|locked_for_loans|max_loan|schedule)($|_)"
)
#: Integer fields whose names look like amounts but count things (or are gas figures of a
#: transaction for the wallet, which wallets take as numbers).
NOT_AMOUNTS = {
    "units_accounts",  # how many accounts hold ВРЕ
    "units_in_debt",  # how many accounts have a negative ВРЕ balance
    "open_obligations",  # how many invoices are open
    "total",  # page totals are counts where they appear
    "value",  # UnsignedTransaction.value: wei for the wallet (always 0 here)
    "due_date",
    "due_at",
    "reserve_bps",
    "share_bps",  # a named fund's share of income, basis points
    "shares_total_bps",  # the named funds' shares together, basis points
    "open_pledges",  # how many guarantees a member has given
}


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _types(spec: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    schema = _resolve(spec, schema)
    found: set[str] = set()
    if "type" in schema:
        t = schema["type"]
        found |= set(t) if isinstance(t, list) else {t}
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found |= _types(spec, sub)
    return found


def _offenders(spec: dict[str, Any]) -> list[str]:
    bad: list[str] = []

    def walk(where: str, schema: dict[str, Any], seen: set[int]) -> None:
        if id(schema) in seen:
            return
        seen = seen | {id(schema)}
        schema = _resolve(spec, schema)
        for name, prop in (schema.get("properties") or {}).items():
            types = _types(spec, prop)
            if (
                AMOUNT_NAME.search(name)
                and name not in NOT_AMOUNTS
                and "integer" in types
                and "string" not in types
            ):
                bad.append(f"{where}.{name}")
            walk(f"{where}.{name}", prop, seen)
        for key in ("items", "additionalProperties"):
            if isinstance(schema.get(key), dict):
                walk(f"{where}[]", schema[key], seen)
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key, []):
                walk(where, sub, seen)

    for name, schema in spec["components"]["schemas"].items():
        walk(name, schema, set())
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for p in op.get("parameters", []):
                types = _types(spec, p.get("schema", {}))
                if AMOUNT_NAME.search(p["name"]) and "integer" in types and "string" not in types:
                    bad.append(f"{method.upper()} {path} ?{p['name']}")
    return sorted(set(bad))


def test_no_integer_amounts_in_the_openapi_schema(api: Api) -> None:
    spec = api.http.get("/openapi.json").json()
    offenders = _offenders(spec)
    assert not offenders, "amounts typed as integers: " + ", ".join(offenders)


def test_the_walker_finds_an_integer_amount() -> None:
    spec = {
        "paths": {},
        "components": {
            "schemas": {
                "Bad": {
                    "properties": {
                        "amount": {"type": "integer"},
                        "loan": {"$ref": "#/components/schemas/Inner"},
                        "fine": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                        "count": {"type": "integer"},
                    }
                },
                "Inner": {"properties": {"principal": {"type": "integer"}}},
            }
        },
    }
    assert _offenders(spec) == ["Bad.amount", "Bad.loan.principal", "Inner.principal"]


def test_declared_amounts_keep_their_wire_form_in_derived_models() -> None:
    """A model that declares `AmountOut` itself, nested in one whose ints are converted by
    name, still serialises as strings (pydantic keeps `Annotated` metadata off the field's
    annotation; the derived model must carry it over)."""
    from pydantic import BaseModel

    from node.api.amounts import AmountOut, as_response

    class Line(BaseModel):
        total_cleared: AmountOut
        amount: int
        entries: int

    class Page(BaseModel):
        data: list[Line]
        balance: int

    page = Page(data=[Line(total_cleared=2**70, amount=5, entries=2)], balance=7)
    wire = as_response(Page, page).model_dump(mode="json")
    assert wire == {
        "data": [{"total_cleared": str(2**70), "amount": "5", "entries": 2}],
        "balance": "7",
    }
