"""Amounts on the wire: every amount (ВРЕ, shares, fund, prices) is a JSON string of a base-10
integer, because a uint256 does not fit a JavaScript number (2**53).

- Responses: `AmountOut` (and `SignedAmountOut` for a signed balance) hold an `int` in Python
  and serialise as `"1000000000000000000"`; their JSON schema is a string with a pattern.
  `amounts_as_strings(Model)` derives, from a read model of `indexer.models` (whose amounts
  are ints), the response model whose amount fields are `AmountOut`, recursively, so the
  OpenAPI schema and the bytes served agree.
- Requests: `AmountIn` accepts a decimal string, or (for older clients) a JSON integer, in
  `0 .. 2**256 - 1`; anything else is a 422 naming the field.
"""

from __future__ import annotations

import re
import types
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    PlainSerializer,
    WithJsonSchema,
    create_model,
)

UINT_PATTERN = r"^[0-9]{1,78}$"
INT_PATTERN = r"^-?[0-9]{1,78}$"
MAX_UINT256 = 2**256 - 1
_UINT = re.compile(r"[0-9]{1,78}")

#: Field names that are amounts wherever they appear (int-typed in the mirror's read models).
AMOUNT_FIELDS = frozenset(
    {
        "amount",
        "balance",
        "cash",
        "credit_limit",
        "development",
        "disposal_amount",
        "entrance_fee",
        "entrance_fees",
        "in_kind_shares",
        "interest",
        "lent",
        "minimum_share",
        "mutual_aid",
        "open_obligations_total",
        "outstanding",
        "paid_off_chain",
        "pending_income",
        "pledge_amount",
        "price",
        "principal",
        "repaid",
        "reserve",
        "share",
        "share_balance",
        "total_shares",
        "total_units",
        "units",
        "units_available",
        "units_supply",
        "units_turnover",
        "valuation",
        "voluntary_shares",
        "cumulative_due",
        "due",
        "withdrawable",
        "pledged",
        "borrowed",
        "locked_for_loans",
        "max_loan",
        "part",
        "parts_total",
    }
)
#: Amounts that may be negative (a signed ВРЕ balance, net contributions).
SIGNED_AMOUNT_FIELDS = frozenset({"units_balance", "contributed"})


def _uint(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("an amount is a base-10 integer string, not a boolean")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _UINT.fullmatch(value):
        number = int(value)
    else:
        raise ValueError('an amount is a string of base-10 digits, e.g. "1000000000000000000"')
    if not 0 <= number <= MAX_UINT256:
        raise ValueError("an amount is between 0 and 2**256 - 1")
    return number


def _to_str(value: int) -> str:
    return str(value)


AmountIn = Annotated[
    int,
    BeforeValidator(_uint),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": UINT_PATTERN, "examples": ["1000000000000000000"]},
                {"type": "integer", "minimum": 0, "deprecated": True},
            ],
            "description": "Base-10 integer string (a JSON integer is accepted for old clients)",
        }
    ),
]
AmountOut = Annotated[
    int,
    PlainSerializer(_to_str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": UINT_PATTERN, "examples": ["1000"]}),
]
SignedAmountOut = Annotated[
    int,
    PlainSerializer(_to_str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": INT_PATTERN, "examples": ["-1000"]}),
]


def _convert(annotation: Any, name: str | None) -> Any:
    """`annotation` with amount ints (by field name) and nested models converted."""
    if annotation is int and name is not None:
        if name in SIGNED_AMOUNT_FIELDS:
            return SignedAmountOut
        if name in AMOUNT_FIELDS:
            return AmountOut
        return int
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return amounts_as_strings(annotation)
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = tuple(_convert(a, name) for a in get_args(annotation))
        return Union[args]  # noqa: UP007 (built from a tuple)
    if origin is list:
        (item,) = get_args(annotation)
        return list[_convert(item, None)]  # type: ignore[misc]
    if origin is dict:
        key, value = get_args(annotation)
        return dict[key, _convert(value, None)]  # type: ignore[valid-type,misc]
    return annotation


@cache
def amounts_as_strings(model: type[BaseModel]) -> type[BaseModel]:
    """The response model of `model` whose amounts serialise as decimal strings."""
    fields: dict[str, Any] = {}
    changed = False
    for name, info in model.model_fields.items():
        if info.metadata:
            # Declared with its own wire form (`AmountOut`, a pattern, ...): kept as declared.
            # Pydantic moves `Annotated` metadata off `info.annotation`, so it is put back.
            fields[name] = (Annotated[(info.annotation, *info.metadata)], info)
            continue
        converted = _convert(info.annotation, name)
        changed |= converted != info.annotation
        if info.is_required():
            fields[name] = (converted, ...)
        elif info.default_factory is not None:
            fields[name] = (converted, Field(default_factory=info.default_factory))
        else:
            fields[name] = (converted, info.default)
    if not changed:
        return model
    derived: type[BaseModel] = create_model(
        model.__name__,
        __doc__=model.__doc__,
        __module__=__name__,
        **fields,
    )
    return derived


def as_response(model: type[BaseModel], value: BaseModel) -> BaseModel:
    """`value` (an instance of `model`) as its `amounts_as_strings` model."""
    out = amounts_as_strings(model)
    if out is model:
        return value
    return out.model_validate(value.model_dump())
