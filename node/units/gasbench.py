"""Gas of the ВРЕ (SettlementUnits) transactions: transfers, the invoice life cycle and clearing.

`measure_units_gas` deploys the network and a cooperative, admits members through the real
join flow and measures steady-state figures (warm-up transactions go first, so that one-off
first writes are not counted unless the row says so). `units_gas_table` renders the markdown
table with the issue's references and goals. Used by `benchmarks/bench_gas_units.py`.
"""

from __future__ import annotations

import os
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3.types import RPCEndpoint

from node.chain.client import Chain
from node.units.client import SettlementUnitsClient
from node.units.sandbox import admit, single_executor_cooperative

UNIT = 10**18
LIMIT = 10_000 * UNIT

#: Reference figures from the issue.
REFERENCES: dict[str, int] = {
    "OpenZeppelin ERC-20 transfer": 34_454,
    "Trustlines direct transfer": 60_256,
    "Trustlines closing a triangle (3 obligations)": 91_374,
    "Trustlines closing a triangle, per obligation": 91_374 // 3,
}

#: Goals from the issue.
TRANSFER_GOAL = 45_000
CLEARING_PER_OBLIGATION_GOAL = 15_000

RING_SIZES = (3, 10, 50, 100)

#: The intrinsic gas of every transaction, shared by a clearing plan's obligations.
BASE_GAS = 21_000

ROWS: dict[str, str] = {
    "transfer": "transfer between existing members, both in credit (no supply change)",
    "transfer_into_debt": "transfer that takes the sender below zero (supply changes)",
    "transfer_with_document": "transferWithDocument (document hash event), existing members",
    "transfer_first_time": "transfer to a member who never took part (key + first slot)",
    "transfer_uncached": "transfer right after both parties were unblocked (status bits clear: "
    "asks Membership twice, sets both bits; once per member and reactivation)",
    "issue": "issueObligation (both parties known)",
    "accept": "acceptObligation by the debtor",
    "accept_by_signature": "acceptObligationWithSignature (EIP-712, sent by a relayer)",
    "pay_partial": "payObligation, part of the amount",
    "pay_full": "payObligation, the rest (obligation settled)",
    "cancel": "cancelObligation of an accepted obligation",
}


def _funded(chain: Chain) -> LocalAccount:
    account: LocalAccount = Account.from_key(os.urandom(32))
    chain.w3.provider.make_request(RPCEndpoint("anvil_setBalance"), [account.address, hex(10**21)])
    return account


def _deadline(chain: Chain) -> int:
    return int(chain.w3.eth.get_block("latest")["timestamp"]) + 3600


def measure_units_gas(chain: Chain, accounts: list[LocalAccount]) -> dict[str, Any]:
    """All figures: single transactions by row key, clearing per ring size and the dense plan."""
    deployer, executor = accounts[0], accounts[1]
    coop = single_executor_cooperative(
        chain, deployer, executor, name="Бенчмарк ВРЕ", symbol="BENCH", default_credit_limit=LIMIT
    )
    units = SettlementUnitsClient(chain, coop.addresses.settlement_units)
    members = [_funded(chain) for _ in range(max(RING_SIZES) + 4)]
    for m in members:
        admit(coop, executor, m)
    a, b, c, fresh = members[0], members[1], members[2], members[3]
    ring_members = members[4:]
    gas: dict[str, Any] = {}

    # -- transfers: a and b in credit (c lent to them), then a plain transfer ---------------
    units.transfer(c, a.address, 1_000 * UNIT)
    units.transfer(c, b.address, 1_000 * UNIT)
    units.transfer(a, b.address, 1 * UNIT)  # warm-up
    gas["transfer"] = units.transfer(a, b.address, 10 * UNIT).gas_used
    gas["transfer_with_document"] = units.transfer(
        b, a.address, 10 * UNIT, document_hash=keccak(text="act 1")
    ).gas_used
    gas["transfer_into_debt"] = units.transfer(c, a.address, 10 * UNIT).gas_used
    gas["transfer_first_time"] = units.transfer(a, fresh.address, 1 * UNIT).gas_used
    for member in (a, b):  # blocking clears the status bit; unblocking does not set it
        decision = keccak(text=f"bench block {member.address}")
        coop.block(executor, member.address, decision)
        coop.unblock(executor, member.address, decision)
    gas["transfer_uncached"] = units.transfer(a, b.address, 1 * UNIT).gas_used

    # -- invoice life cycle (warm-up first) -------------------------------------------------
    warm, _ = units.issue(a, b.address, 5 * UNIT, document_hash=keccak(text="inv 0"))
    units.accept(b, warm)
    units.pay(b, warm, 5 * UNIT)
    oid, sent = units.issue(a, b.address, 100 * UNIT, document_hash=keccak(text="inv 1"))
    gas["issue"] = sent.gas_used
    gas["accept"] = units.accept(b, oid).gas_used
    gas["pay_partial"] = units.pay(b, oid, 40 * UNIT).gas_used
    gas["pay_full"] = units.pay(b, oid, 60 * UNIT).gas_used
    signed_id, _ = units.issue(a, b.address, 100 * UNIT, document_hash=keccak(text="inv 2"))
    deadline = _deadline(chain)
    signature = units.sign_acceptance(b, signed_id, deadline)
    gas["accept_by_signature"] = units.accept_with_signature(
        c, signed_id, deadline, signature
    ).gas_used
    gas["cancel"] = units.cancel(a, signed_id).gas_used

    # -- clearing: rings of distinct members, each obligation fully cleared ------------------
    clearing: dict[str, dict[str, int]] = {}
    relayer = accounts[2]
    for size in RING_SIZES:
        ring = ring_members[:size]
        ids = []
        for i, debtor in enumerate(ring):
            creditor = ring[(i + 1) % size]
            oid, _ = units.issue(creditor, debtor.address, 7 * UNIT)
            units.accept(debtor, oid)
            ids.append(oid)
        receipt = units.settle_clearing(relayer, [(i, 7 * UNIT) for i in ids])
        clearing[f"ring_{size}"] = {"obligations": size, "gas": receipt.sent.gas_used}

    # -- clearing: a ring of 100 partly cleared (obligations stay open) ----------------------
    ring = ring_members[:100]
    ids = []
    for i, debtor in enumerate(ring):
        oid, _ = units.issue(ring[(i + 1) % 100], debtor.address, 9 * UNIT)
        units.accept(debtor, oid)
        ids.append(oid)
    receipt = units.settle_clearing(relayer, [(i, 4 * UNIT) for i in ids])
    clearing["ring_100_partial"] = {"obligations": 100, "gas": receipt.sent.gas_used}

    # -- clearing: 100 obligations among 10 members (10 rings of the same 10 members) --------
    ten = ring_members[:10]
    ids = []
    for _ in range(10):
        for i, debtor in enumerate(ten):
            oid, _ = units.issue(ten[(i + 1) % 10], debtor.address, 3 * UNIT)
            units.accept(debtor, oid)
            ids.append(oid)
    receipt = units.settle_clearing(relayer, [(i, 3 * UNIT) for i in ids])
    clearing["dense_100_over_10"] = {"obligations": 100, "gas": receipt.sent.gas_used}

    gas["clearing"] = clearing
    return gas


def units_gas_table(gas: dict[str, Any]) -> str:
    """The markdown tables: single transactions, clearing, references."""
    lines = [
        "| Transaction | Gas | Goal | Within goal |",
        "|---|---:|---:|:---:|",
    ]
    for key, label in ROWS.items():
        one_off = ("transfer_first_time", "transfer_uncached")
        goal = TRANSFER_GOAL if key.startswith("transfer") and key not in one_off else None
        value = int(gas[key])
        ok = "" if goal is None else ("yes" if value < goal else "**no**")
        goal_text = f"< {goal:,}" if goal else ""
        lines.append(f"| `{key}`: {label} | {value:,} | {goal_text} | {ok} |")
    lines += [
        "",
        "| Clearing plan (`settleClearing`, one transaction) | Obligations | Gas | Gas per "
        "obligation | Per obligation without the 21,000 base | Goal | Within goal |",
        "|---|---:|---:|---:|---:|---:|:---:|",
    ]
    labels = {
        "ring_3": "triangle: 3 members, every obligation settled",
        "ring_10": "ring of 10 members, every obligation settled",
        "ring_50": "ring of 50 members, every obligation settled",
        "ring_100": "ring of 100 members, every obligation settled",
        "ring_100_partial": "ring of 100 members, part of each cleared (all stay open)",
        "dense_100_over_10": "100 obligations among 10 members (10 rings), all settled",
    }
    clearing: dict[str, dict[str, int]] = gas["clearing"]
    for key, row in clearing.items():
        per = row["gas"] // row["obligations"]
        net = (row["gas"] - BASE_GAS) // row["obligations"]
        ok = "yes" if per < CLEARING_PER_OBLIGATION_GOAL else "**no**"
        lines.append(
            f"| `{key}`: {labels.get(key, key)} | {row['obligations']} | {row['gas']:,} | "
            f"{per:,} | {net:,} | < {CLEARING_PER_OBLIGATION_GOAL:,} | {ok} |"
        )
    if "ring_50" in clearing and "ring_100" in clearing:
        marginal = (clearing["ring_100"]["gas"] - clearing["ring_50"]["gas"]) // 50
        lines.append(
            f"| marginal cost of one more obligation (ring 50 -> 100) | 1 | {marginal:,} | "
            f"{marginal:,} | {marginal:,} | < {CLEARING_PER_OBLIGATION_GOAL:,} | "
            f"{'yes' if marginal < CLEARING_PER_OBLIGATION_GOAL else '**no**'} |"
        )
    lines += ["", "| Reference (from the issue) | Gas |", "|---|---:|"]
    lines += [f"| {name} | {value:,} |" for name, value in REFERENCES.items()]
    return "\n".join(lines) + "\n"
