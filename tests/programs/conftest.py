"""Fixtures for the target programs: one governed cooperative of 50 members (Council holding
the executor role) created once per session, with its TargetPrograms installed by a council
decision and registered as an obligation source."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from node.chain.client import Chain, Sent, TransactionReverted
from node.cooperative.client import MemberKind
from node.cooperative.deploy import deploy_network
from node.fund import CouncilSigners
from node.governance import Action, GovernanceParams, VoteType
from node.governance.sandbox import Sandbox, fund, generated_accounts, governed_cooperative, h
from node.programs import TargetPrograms, install_programs

TOKEN = 10**18
MEMBERS = 50
#: Members admitted through the sandbox's one-by-one flow; the rest in one council decision.
FOUNDERS = 3


@dataclass
class World:
    """The governed cooperative with its programs, and who is who."""

    sb: Sandbox
    programs: TargetPrograms
    record: dict[str, object]

    @property
    def chain(self) -> Chain:
        return self.sb.chain

    @property
    def members(self) -> list[LocalAccount]:
        return self.sb.members


def send_batch(chain: Chain, calls: Sequence[tuple[Any, LocalAccount]], gas: int = 600_000) -> None:
    """Send `calls` (contract function, signer) back to back with a fixed gas limit and local
    nonces, without waiting for each receipt (anvil mines each on arrival); then check that
    every one succeeded. For set-ups only: a revert names no error here."""
    nonces: dict[str, int] = {}
    hashes = []
    for fn, sender in calls:
        if sender.address not in nonces:
            nonces[sender.address] = chain.w3.eth.get_transaction_count(sender.address, "pending")
        tx = fn.build_transaction(
            {
                "from": sender.address,
                "nonce": nonces[sender.address],
                "chainId": chain.chain_id,
                "gas": gas,
                "gasPrice": chain.w3.eth.gas_price,
            }
        )
        nonces[sender.address] += 1
        hashes.append(
            chain.w3.eth.send_raw_transaction(sender.sign_transaction(tx).raw_transaction)
        )
    for tx_hash in hashes:
        receipt = chain.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120, poll_latency=0.02)
        assert receipt["status"] == 1, receipt


@pytest.fixture(scope="session")
def world(chain: Chain, accounts: list[LocalAccount]) -> World:
    network = deploy_network(chain, accounts[0])
    sb = governed_cooperative(
        chain, accounts, FOUNDERS, GovernanceParams(), network=network, label="Программы"
    )
    # The other members: applications, identity checks and payments sent back to back, then
    # admitted together by one council decision.
    coop, late = sb.cooperative, generated_accounts(MEMBERS - FOUNDERS, "Программы", FOUNDERS)
    fund(chain, [m.address for m in late])
    ms = coop.membership.functions
    send_batch(
        chain,
        [
            (
                ms.applyToJoin(
                    int(MemberKind.INDIVIDUAL), h(f"id {m.address}"), h(f"app {m.address}")
                ),
                m,
            )
            for m in late
        ]
        + [(ms.attestIdentity(m.address, h(f"check {m.address}")), sb.chair) for m in late]
        + [(ms.attestPayment(m.address, h(f"paid {m.address}")), sb.deployer) for m in late],
    )
    world = World(sb=sb, programs=None, record={})  # type: ignore[arg-type]
    council_decides(
        world,
        [Action.call(coop.membership, "admit", m.address, h(f"admit {m.address}")) for m in late],
        "admit",
    )
    sb.members = [*sb.members, *late]
    record = install_programs(
        chain,
        sb.deployer,
        coop.addresses.to_dict(),
        council=CouncilSigners(sb.council[0], sb.council[:2], sb.chair),
    )
    programs = TargetPrograms(chain, str(record["target_programs"]))
    token = coop.token
    send_batch(
        chain,
        [(token.functions.mint(m.address, 100_000 * TOKEN), sb.deployer) for m in sb.members]
        + [(token.functions.approve(programs.address, 2**256 - 1), m) for m in sb.members],
    )
    assert coop.active_member_count() == MEMBERS
    return World(sb=sb, programs=programs, record=record)


def council_decides(w: World, actions: Sequence[Action], label: str) -> Sent:
    """A council item carrying `actions`: proposed, two of three votes for, signed, executed."""
    council = w.sb.governance.council
    item_id, _ = council.propose(w.sb.council[0], h(label), actions)
    for member in w.sb.council[:2]:
        council.vote(member, item_id, VoteType.FOR)
    council.sign_protocol(w.sb.chair, item_id, h(f"protocol of {label}"))
    return council.execute(w.sb.chair, item_id, actions)


def create_program(w: World, purpose: str, terms: bytes | None = None) -> int:
    """A program created by a council decision; returns its id."""
    terms = terms or h(f"terms of {purpose}")
    sent = council_decides(w, [w.programs.create_action(purpose, terms, h(purpose))], purpose)
    (program_id,) = w.programs.created_ids(sent)
    return program_id


def expect_revert(action: Callable[[], object], error: str, *args: object) -> TransactionReverted:
    """Run `action`, assert it reverted with the named custom error (and args, if given)."""
    with pytest.raises(TransactionReverted) as info:
        action()
    assert info.value.error == error, f"expected {error}, got {info.value}"
    if args:
        assert info.value.error_args == args, info.value.error_args
    return info.value
