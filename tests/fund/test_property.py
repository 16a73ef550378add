"""The property register on a real governed cooperative: a contribution in kind that mints the
asset and credits the contributor's shares in one council decision, ERC-721 metadata, transfers
that always revert, and sale, pledge and write-off only by a qualified general-meeting majority."""

from __future__ import annotations

from functools import partial

from eth_account.signers.local import LocalAccount

from node.fund import AssetMetadata, Category, Disposal, DisposalKind, asset_metadata
from node.governance import Action, Majority
from node.governance._utils import events
from node.governance.sandbox import h
from tests.fund.conftest import (
    BASE_URI,
    TOKEN,
    World,
    council_decides,
    expect_revert,
    meeting_decides,
    registry_state,
)

TRACTOR_VALUE = 800_000 * TOKEN


def tractor(title: bytes = h("registration certificate of the tractor")) -> AssetMetadata:
    return asset_metadata(
        "Трактор МТЗ-82",
        "Колёсный трактор, внесён паевым взносом",
        Category.VEHICLE,
        TRACTOR_VALUE,
        title,
        image="https://node.example/img/tractor.jpg",
    )


def contribute_in_kind(w: World, member: LocalAccount, label: str = "tractor") -> int:
    """One council decision: mint the asset (the contributor keeps it) and credit their shares."""
    title = h(f"title of {label}")
    meta = tractor(title)
    decision = h(f"in kind {label}")
    actions = [
        w.registry.mint_action(
            member.address, Category.VEHICLE, TRACTOR_VALUE, title, meta.hash, decision
        ),
        Action.call(
            w.sb.cooperative.shares,
            "creditInKind",
            member.address,
            TRACTOR_VALUE,
            h(f"valuation of {label}"),
        ),
    ]
    sent = council_decides(w, actions, f"in kind {label}")
    (token_id,) = w.registry.minted_ids(w.chain, w.registry.address, sent)
    return token_id


def test_contribution_in_kind_in_one_decision(world: World) -> None:
    w = world
    m0 = w.members[0]
    coop = w.sb.cooperative
    shares_before = coop.share_balance(m0.address)
    token_id = contribute_in_kind(w, m0)

    treasury = coop.addresses.treasury
    assert w.registry.holder() == treasury
    assert w.registry.owner_of(token_id) == treasury
    assert w.registry.balance_of(treasury) == 1
    assert w.registry.balance_of(m0.address) == 0
    assert w.registry.total_supply() == 1
    asset = w.registry.asset(token_id)
    assert asset.custodian == m0.address
    assert asset.category == Category.VEHICLE
    assert asset.valuation == TRACTOR_VALUE
    assert asset.title == h("title of tractor")
    assert not asset.encumbered
    assert coop.holding(m0.address).in_kind_shares == TRACTOR_VALUE
    assert coop.share_balance(m0.address) == shares_before + TRACTOR_VALUE

    # The wallet view: name, symbol, a tokenURI naming the anchored metadata document.
    meta = tractor(h("title of tractor"))
    assert asset.metadata == meta.hash
    assert w.registry.token_uri(token_id) == BASE_URI + "0x" + meta.hash.hex()
    assert meta.json["name"] == "Трактор МТЗ-82"
    assert w.registry.contract.functions.name().call().endswith(": property")
    assert w.registry.contract.functions.symbol().call() == "COOPP"
    supports = w.registry.contract.functions.supportsInterface
    for interface in ("0x01ffc9a7", "0x80ac58cd", "0x5b5e139f", "0x49064906"):
        assert supports(bytes.fromhex(interface[2:])).call(), interface
    assert not supports(bytes.fromhex("780e9d63")).call()  # not enumerable


def test_in_kind_decision_is_atomic(world: World) -> None:
    w = world
    outsider = w.chair.address  # not a member: the share credit fails, so nothing is minted
    title = h("title of a lathe")
    meta = asset_metadata("Lathe", "", Category.EQUIPMENT, TOKEN, title)
    actions = [
        w.registry.mint_action(
            w.members[1].address, Category.EQUIPMENT, TOKEN, title, meta.hash, h("d")
        ),
        Action.call(w.sb.cooperative.shares, "creditInKind", outsider, TOKEN, h("valuation")),
    ]
    state = registry_state(w)
    expect_revert(lambda: council_decides(w, actions, "lathe"), "SharesNotActiveMember", outsider)
    assert registry_state(w) == state


def test_transfers_and_approvals_always_revert(world: World) -> None:
    w = world
    token_id = contribute_in_kind(w, w.members[0])
    c = w.registry.contract.functions
    treasury = w.sb.cooperative.addresses.treasury
    m0, m1 = w.members[0], w.members[1]
    state = registry_state(w, [token_id])
    calls = [
        (c.transferFrom(treasury, m1.address, token_id), "PropertyRegistryTransferForbidden"),
        (
            c.safeTransferFrom(treasury, m1.address, token_id),
            "PropertyRegistryTransferForbidden",
        ),
        (
            c.safeTransferFrom(treasury, m1.address, token_id, b""),
            "PropertyRegistryTransferForbidden",
        ),
        (c.approve(m1.address, token_id), "PropertyRegistryApprovalForbidden"),
        (c.setApprovalForAll(m1.address, True), "PropertyRegistryApprovalForbidden"),
    ]
    for fn, error in calls:
        for sender in (m0, w.chair):
            expect_revert(partial(w.chain.transact, fn, sender), error)
    assert registry_state(w, [token_id]) == state
    assert c.getApproved(token_id).call() == "0x" + "0" * 40
    assert not c.isApprovedForAll(treasury, m1.address).call()


def test_sale_by_qualified_meeting_decision(world: World) -> None:
    w = world
    buyer = w.members[8].address
    first = contribute_in_kind(w, w.members[0], "first")
    second = contribute_in_kind(w, w.members[1], "second")
    sale = Disposal(DisposalKind.SALE, h("sale contract"), buyer, 750_000 * TOKEN)
    sale_of_second = Disposal(DisposalKind.SALE, h("sale 2"), buyer, TOKEN)
    write_off = Disposal(DisposalKind.WRITE_OFF, h("write-off act"))
    # Six of nine for: exactly two thirds, short of three quarters.
    meeting_id = meeting_decides(
        w,
        [
            w.registry.disposal_question(first, sale, Majority.TWO_THIRDS),
            w.registry.disposal_question(second, sale_of_second, Majority.SIMPLE),
            w.registry.disposal_question(second, write_off, Majority.THREE_QUARTERS),
        ],
        votes_for=6,
        label="sale",
    )
    info = w.sb.governance.meeting.meeting(meeting_id)
    assert [info.accepted(i) for i in range(3)] == [True, True, False]

    state = registry_state(w, [first, second])
    # A simple majority is not enough, even when accepted.
    expect_revert(
        lambda: w.registry.dispose(w.members[2], second, sale_of_second, meeting_id, 1),
        "PropertyRegistryNotQualifiedMajority",
        meeting_id,
        1,
    )
    # Three quarters were required and not reached.
    expect_revert(
        lambda: w.registry.dispose(w.members[2], second, write_off, meeting_id, 2),
        "PropertyRegistryNotMeetingDecision",
        meeting_id,
        2,
    )
    # The decision names its asset, buyer and price: anything else does not match.
    expect_revert(
        lambda: w.registry.dispose(w.members[2], second, sale, meeting_id, 0),
        "PropertyRegistryDecisionMismatch",
    )
    cheaper = Disposal(DisposalKind.SALE, h("sale contract"), buyer, TOKEN)
    expect_revert(
        lambda: w.registry.dispose(w.members[2], first, cheaper, meeting_id, 0),
        "PropertyRegistryDecisionMismatch",
    )
    assert registry_state(w, [first, second]) == state

    sent = w.registry.dispose(w.members[2], first, sale, meeting_id, 0)
    (event,) = events(w.registry.contract, "AssetDisposed", sent.receipt)
    assert event["args"]["counterparty"] == buyer
    assert event["args"]["amount"] == 750_000 * TOKEN
    (transfer,) = events(w.registry.contract, "Transfer", sent.receipt)
    assert transfer["args"]["to"] == "0x" + "0" * 40
    assert not w.registry.exists(first)
    assert w.registry.total_supply() == 1
    assert w.registry.balance_of(w.registry.holder()) == 1
    expect_revert(lambda: w.registry.owner_of(first), "PropertyRegistryUnknownAsset", first)
    # The register keeps the record of what was disposed of.
    assert w.registry.asset(first).valuation == TRACTOR_VALUE


def test_pledge_by_meeting_and_release_by_council(world: World) -> None:
    w = world
    token_id = contribute_in_kind(w, w.members[0])
    bank = "0x000000000000000000000000000000000000bA4c"
    pledge = Disposal(DisposalKind.PLEDGE, h("pledge agreement"), bank, 500_000 * TOKEN)
    meeting_id = meeting_decides(
        w,
        [w.registry.disposal_question(token_id, pledge, Majority.THREE_QUARTERS)],
        label="pledge",
    )
    w.registry.dispose(w.members[1], token_id, pledge, meeting_id, 0)
    asset = w.registry.asset(token_id)
    assert asset.encumbered
    assert (asset.pledgee, asset.pledge_amount) == (bank, 500_000 * TOKEN)
    assert w.registry.owner_of(token_id) == w.registry.holder()

    state = registry_state(w, [token_id])
    expect_revert(
        lambda: w.registry.dispose(w.members[1], token_id, pledge, meeting_id, 0),
        "PropertyRegistryAlreadyEncumbered",
        token_id,
    )
    assert registry_state(w, [token_id]) == state

    council_decides(w, [w.registry.release_action(token_id, h("pledge released"))], "release")
    assert not w.registry.asset(token_id).encumbered
    # The same meeting question does not authorise a second pledge.
    expect_revert(
        lambda: w.registry.dispose(w.members[1], token_id, pledge, meeting_id, 0),
        "PropertyRegistryDecisionUsed",
        meeting_id,
        0,
    )
    expect_revert(
        lambda: council_decides(
            w, [w.registry.release_action(token_id, h("again"))], "release again"
        ),
        "PropertyRegistryNotEncumbered",
        token_id,
    )


def test_revaluation_custody_and_metadata_by_council(world: World) -> None:
    w = world
    token_id = contribute_in_kind(w, w.members[0])
    new_meta = h("metadata v2")
    sent = council_decides(
        w,
        [
            w.registry.revalue_action(token_id, 700_000 * TOKEN, h("valuation report 2026")),
            w.registry.set_custodian_action(token_id, w.members[3].address, h("custody")),
            w.registry.set_metadata_action(token_id, new_meta, h("custody")),
            w.registry.set_base_uri_action("ipfs://coop/"),
        ],
        "revalue",
    )
    assert events(w.registry.contract, "MetadataUpdate", sent.receipt)
    asset = w.registry.asset(token_id)
    assert asset.valuation == 700_000 * TOKEN
    assert asset.custodian == w.members[3].address
    assert w.registry.token_uri(token_id) == "ipfs://coop/0x" + new_meta.hex()

    state = registry_state(w, [token_id])
    expect_revert(
        lambda: council_decides(
            w,
            [w.registry.set_custodian_action(token_id, w.chair.address, h("c2"))],
            "custody to an outsider",
        ),
        "PropertyRegistryNotActiveMember",
        w.chair.address,
    )
    expect_revert(
        lambda: council_decides(
            w, [w.registry.revalue_action(99, TOKEN, h("r"))], "revalue unknown"
        ),
        "PropertyRegistryUnknownAsset",
        99,
    )
    assert registry_state(w, [token_id]) == state
