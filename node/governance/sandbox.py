"""A governed cooperative on a development chain, for tests, benchmarks and demos.

It creates a real cooperative through the factory (no mocks), admits generated members through
the ordinary join flow (application, identity attested by the chair, payment attested by the
cashier, admission by the configured executor), and only then deploys governance and hands
the executor role to the council. Funding accounts uses anvil's `anvil_setBalance` where the
chain has it, value transfers from the deployer elsewhere (tests/chain/test_second_evm.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from node.chain.client import Chain, wait_for_receipt
from node.cooperative.client import Cooperative, CooperativeKind, MemberKind
from node.cooperative.deploy import (
    CooperativeParams,
    NetworkAddresses,
    create_cooperative,
    deploy_network,
    deploy_test_token,
)
from node.governance.client import Governance
from node.governance.deploy import GovernanceParams, deploy_governance


def h(label: str) -> bytes:
    """A document hash for examples and tests: keccak-256 of the label."""
    return keccak(text=label)


def generated_accounts(count: int, label: str = "member", start: int = 0) -> list[LocalAccount]:
    """Deterministic throw-away keys (never use them on a real chain)."""
    return [
        Account.from_key(keccak(text=f"coopnode sandbox {label} {i}"))
        for i in range(start, start + count)
    ]


def fund(
    chain: Chain, addresses: Sequence[str], wei: int = 10**20, funder: LocalAccount | None = None
) -> None:
    """Give each of `addresses` `wei` to pay gas with: anvil's `anvil_setBalance` where the
    chain has it, else plain value transfers from `funder` (any other EVM node)."""
    pending: list[Any] = []
    nonce: int | None = None
    for address in addresses:
        answer = chain.w3.provider.make_request("anvil_setBalance", [address, hex(wei)])  # type: ignore[arg-type]
        if "error" not in answer:
            continue
        if funder is None:
            raise RuntimeError(
                f"the chain has no anvil_setBalance and no funder was given: {answer}"
            )
        base = int(chain.w3.eth.get_block("latest").get("baseFeePerGas", 0))
        if nonce is None:
            # Counted here, not asked per transaction: not every node counts its pool's
            # transactions in the "pending" nonce (EthereumJS does not).
            nonce = chain.w3.eth.get_transaction_count(funder.address, "pending")
        tx: dict[str, Any] = {
            "to": address,
            "value": wei,
            "gas": 21_000,
            "chainId": chain.chain_id,
            "nonce": nonce,
            "maxFeePerGas": 2 * base + 10**9,
            "maxPriorityFeePerGas": 10**9,
        }
        signed = funder.sign_transaction(tx)
        pending.append(chain.w3.eth.send_raw_transaction(signed.raw_transaction))
        nonce += 1
    for tx_hash in pending:
        wait_for_receipt(chain.w3, tx_hash)


@dataclass
class Sandbox:
    """A cooperative with members and governance, and the keys that run it."""

    chain: Chain
    cooperative: Cooperative
    governance: Governance
    deployer: LocalAccount
    """Created the cooperative; its cashier (and its executor until the hand-over)."""
    chair: LocalAccount
    """The cooperative's chair (signs council protocols, attests identities)."""
    secretary: LocalAccount
    council: list[LocalAccount]
    members: list[LocalAccount]
    record: dict[str, Any]

    def applicant(self, account: LocalAccount, label: str = "applicant") -> None:
        """Walk `account` through the join flow up to (not including) the admission decision."""
        apply_ready(self.cooperative, self.chair, self.deployer, account, label)


def apply_ready(
    coop: Cooperative,
    verifier: LocalAccount,
    cashier: LocalAccount,
    account: LocalAccount,
    label: str = "member",
) -> None:
    """Application, identity check and payment attested: ready for an admission decision."""
    tag = f"{label} {account.address}"
    coop.apply(account, MemberKind.INDIVIDUAL, h(f"identity {tag}"), h(f"application {tag}"))
    coop.attest_identity(verifier, account.address, h(f"identity check {tag}"))
    coop.attest_payment(cashier, account.address, h(f"payment {tag}"))


def sandbox_cooperative(
    chain: Chain,
    deployer: LocalAccount,
    factory: str,
    token: str,
    name: str,
    kind: CooperativeKind,
    chair: LocalAccount,
    council: Sequence[LocalAccount],
    *,
    symbol: str = "COOP",
    organisation_fees: tuple[int, int] = (0, 0),
    default_credit_limit: int = 0,
) -> Cooperative:
    """A cooperative created by `deployer`, who is its cashier and first decision executor;
    individuals join free, organisations pay `organisation_fees` (entrance fee, minimum share)."""
    cooperative, _ = create_cooperative(
        chain,
        deployer,
        factory,
        CooperativeParams(
            name=name,
            symbol=symbol,
            kind=kind,
            payment_token=token,
            council=[a.address for a in council],
            chair=chair.address,
            decision_executor=deployer.address,
            charter_document=h(f"charter of {name}"),
            individual_fees=(0, 0),
            organisation_fees=organisation_fees,
            fund_split_bps=[0, 5_000, 2_500, 2_500],
            cashiers=[deployer.address],
            verifiers=[],
            default_credit_limit=default_credit_limit,
        ),
    )
    return cooperative


def governed_cooperative(
    chain: Chain,
    dev_accounts: Sequence[LocalAccount],
    member_count: int,
    params: GovernanceParams | None = None,
    *,
    network: NetworkAddresses | None = None,
    label: str = "member",
    kind: CooperativeKind = CooperativeKind.CONSUMER,
    installer: str | None = None,
) -> Sandbox:
    """Create a cooperative, admit `member_count` generated members, then install governance
    (through `installer`, the network's `GovernanceInstaller`, or a new one when unset).

    Roles: `dev_accounts[0]` deploys and is cashier and first executor, `[1]` is the chair and
    sits on the council with `[2]` and `[3]`, `[4]` is the secretary of meetings.
    """
    deployer, chair, secretary = dev_accounts[0], dev_accounts[1], dev_accounts[4]
    council = [dev_accounts[1], dev_accounts[2], dev_accounts[3]]
    if network is None:
        network = deploy_network(chain, deployer)
    token = deploy_test_token(chain, deployer)
    cooperative = sandbox_cooperative(
        chain, deployer, network.factory, token, f"Кооператив «{label}»", kind, chair, council
    )
    members = generated_accounts(member_count, label)
    fund(chain, [m.address for m in members], funder=deployer)
    for member in members:
        apply_ready(cooperative, chair, deployer, member, label)
        cooperative.admit(deployer, member.address, h(f"founding admission {member.address}"))

    params = params or GovernanceParams()
    if installer is not None:
        params = replace(params, installer=installer)
    record = deploy_governance(
        chain, deployer, cooperative.addresses.to_dict(), [a.address for a in council], params
    )
    governance = Governance(chain, record["council"], record["general_meeting"])
    return Sandbox(
        chain=chain,
        cooperative=cooperative,
        governance=governance,
        deployer=deployer,
        chair=chair,
        secretary=secretary,
        council=council,
        members=members,
        record=record,
    )


def now(chain: Chain) -> int:
    """Timestamp of the latest block."""
    return int(chain.w3.eth.get_block("latest")["timestamp"])


def warp(chain: Chain, timestamp: int) -> None:
    """Mine a block at `timestamp` (anvil)."""
    chain.w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])  # type: ignore[arg-type]
    chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
