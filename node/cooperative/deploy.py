"""Deploying the network (implementations, factory, registry) and cooperatives through it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from web3.logs import DISCARD

from node.chain.client import Chain, Sent, checksum
from node.cooperative.client import Cooperative, CooperativeAddresses, CooperativeKind, send
from node.cooperative.description import CooperativeDescription

#: Artifact names of the implementations, in the factory constructor's order.
IMPLEMENTATIONS = (
    "Charter",
    "Membership",
    "Shares",
    "Treasury",
    "DocumentRegistry",
    "SettlementUnits",
)


@dataclass(frozen=True)
class NetworkAddresses:
    """The contracts deployed once per network."""

    factory: str
    registry: str
    implementations: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CooperativeParams:
    """Arguments of `CooperativeFactory.createCooperative`, in token units."""

    name: str
    symbol: str
    kind: CooperativeKind
    payment_token: str
    council: list[str]
    chair: str
    decision_executor: str
    charter_document: bytes
    individual_fees: tuple[int, int]
    organisation_fees: tuple[int, int]
    fund_split_bps: list[int]
    cashiers: list[str]
    verifiers: list[str]
    default_credit_limit: int = 0

    def as_abi(self) -> tuple[Any, ...]:
        return (
            self.name,
            self.symbol,
            int(self.kind),
            checksum(self.payment_token),
            [checksum(a) for a in self.council],
            self.default_credit_limit,
            (
                checksum(self.chair),
                checksum(self.decision_executor),
                self.charter_document,
                self.individual_fees,
                self.organisation_fees,
                self.fund_split_bps,
                [checksum(a) for a in self.cashiers],
                [checksum(a) for a in self.verifiers],
            ),
        )


def sandbox_council(first: str, label: str, size: int = 3) -> list[str]:
    """`first` and `size - 1` more seats held by keys derived from `label`, for test and
    benchmark cooperatives run by one executor key: the factory takes no council of fewer than
    three distinct people (Закон 3085-1 art. 21), and such a set-up needs no real council."""
    from eth_account import Account
    from eth_utils import keccak

    others = [
        Account.from_key(keccak(text=f"{label} council seat {i}")).address for i in range(1, size)
    ]
    return [checksum(first), *others]


def deploy_network(chain: Chain, sender: LocalAccount) -> NetworkAddresses:
    """Deploy the implementations and the factory (which creates the registry)."""
    impls: dict[str, str] = {}
    for name in IMPLEMENTATIONS:
        contract, _ = chain.deploy(name, sender=sender)
        impls[name] = contract.address
    factory, _ = chain.deploy(
        "CooperativeFactory", tuple(impls[n] for n in IMPLEMENTATIONS), sender=sender
    )
    registry = factory.functions.registry().call()
    return NetworkAddresses(factory=factory.address, registry=registry, implementations=impls)


def deploy_test_token(chain: Chain, sender: LocalAccount, name: str = "Test Ruble") -> str:
    token, _ = chain.deploy("TestToken", name, "tRUB", sender=sender)
    return str(token.address)


def params_from_description(
    description: CooperativeDescription, payment_token: str | None = None
) -> CooperativeParams:
    token = payment_token or description.payment_token
    if token is None:
        raise ValueError("the description names no payment_token")
    d = description
    return CooperativeParams(
        name=d.name,
        symbol=d.symbol,
        kind=d.cooperative_kind,
        payment_token=token,
        council=list(d.council),
        chair=d.chair,
        decision_executor=d.executor,
        charter_document=d.charter_hash(),
        individual_fees=(
            d.units(d.individual_fees.entrance_fee),
            d.units(d.individual_fees.minimum_share),
        ),
        organisation_fees=(
            d.units(d.organisation_fees.entrance_fee),
            d.units(d.organisation_fees.minimum_share),
        ),
        fund_split_bps=d.fund_split.basis_points(),
        cashiers=list(d.cashiers),
        verifiers=list(d.verifiers),
        default_credit_limit=d.units(d.default_credit_limit),
    )


def create_cooperative(
    chain: Chain, sender: LocalAccount, factory: str, params: CooperativeParams
) -> tuple[Cooperative, Sent]:
    """One factory transaction: the whole set, initialised and registered."""
    contract = chain.contract("CooperativeFactory", factory)
    sent = send(chain, contract.functions.createCooperative(params.as_abi()), sender)
    registry = chain.contract("NetworkRegistry", contract.functions.registry().call())
    (event,) = registry.events.CooperativeRegistered().process_receipt(sent.receipt, errors=DISCARD)
    args = event["args"]
    c = args["contracts"]
    addresses = CooperativeAddresses(
        id=int(args["id"]),
        charter=c["charter"],
        membership=c["membership"],
        shares=c["shares"],
        treasury=c["treasury"],
        documents=c["documents"],
        settlement_units=c["settlementUnits"],
    )
    return Cooperative(chain, addresses), sent


def deploy_cooperative(
    chain: Chain,
    sender: LocalAccount,
    description: CooperativeDescription,
    network: NetworkAddresses | None = None,
) -> dict[str, Any]:
    """Deploy what the description needs (network, test token) and the cooperative itself.

    Returns a JSON-serialisable record: the cooperative's contracts, the factory and registry
    used, the payment token, and the gas of the factory call.
    """
    if network is None and description.factory is not None:
        factory = chain.contract("CooperativeFactory", description.factory)
        network = NetworkAddresses(
            factory=description.factory,
            registry=factory.functions.registry().call(),
            implementations={},
        )
    if network is None:
        network = deploy_network(chain, sender)
    token = description.payment_token or deploy_test_token(chain, sender)
    params = params_from_description(description, token)
    cooperative, sent = create_cooperative(chain, sender, network.factory, params)
    return {
        "cooperative": cooperative.addresses.to_dict(),
        "name": description.name,
        "payment_token": token,
        "network": network.to_dict(),
        "gas_used": sent.gas_used,
    }
