"""Fixtures for the target programs: one governed cooperative of 50 members (Council holding
the executor role) created once per session, with its TargetPrograms installed by a council
decision and registered as an obligation source."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount

from node.chain.client import Chain, Sent, TransactionReverted
from node.cooperative.deploy import deploy_network
from node.fund import CouncilSigners
from node.governance import Action, GovernanceParams, VoteType
from node.governance.sandbox import Sandbox, governed_cooperative, h
from node.programs import TargetPrograms, install_programs

TOKEN = 10**18
MEMBERS = 50


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


@pytest.fixture(scope="session")
def world(chain: Chain, accounts: list[LocalAccount]) -> World:
    network = deploy_network(chain, accounts[0])
    sb = governed_cooperative(
        chain, accounts, MEMBERS, GovernanceParams(), network=network, label="Программы"
    )
    record = install_programs(
        chain,
        sb.deployer,
        sb.cooperative.addresses.to_dict(),
        council=CouncilSigners(sb.council[0], sb.council[:2], sb.chair),
    )
    programs = TargetPrograms(chain, str(record["target_programs"]))
    token = sb.cooperative.token
    for member in sb.members:
        chain.transact(token.functions.mint(member.address, 100_000 * TOKEN), sb.deployer)
        programs.approve(member)
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
